// Where an agent's route starts (geo/vantagestart.h), in its order: the place configured on the
// agent; else the agent's public address as the client's own chain places it (here an offline
// service with an overrides file: the public addresses are data only, never contacted); else the
// estimate from the first public router; else none. Private and loopback addresses are never
// asked about.
#include "geoservice.h"
#include "vantagestart.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

class tst_VantageStart : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<GeoService> m_geo;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString overrides = m_dir.filePath(QStringLiteral("overrides.csv"));
        QFile f(overrides);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // A geofeed line (placed by the offline place dictionary: city precision), a CSV line
        // (coordinates only), and a private prefix that must never be asked about.
        f.write("81.2.69.0/24,GB,GB-ENG,London,\n"
                "185.7.7.0/24,48.86,2.35,Paris rack\n"
                "10.0.0.0/8,40.71,-74.0,office LAN\n");
        f.close();
        GeoSettings settings;
        settings.offline = true;
        settings.reverseDns = false;
        settings.asLookups = false;
        settings.cachePath = QStringLiteral("-");
        settings.databasePaths = {m_dir.filePath(QStringLiteral("none.mmdb"))};
        settings.overridePaths = {overrides};
        m_geo = std::make_unique<GeoService>(settings);
    }

    void choose_data()
    {
        QTest::addColumn<bool>("configured"); // the agent reported 50.11, 8.68
        QTest::addColumn<QString>("address"); // the agent's address as connected to ("": unknown)
        QTest::addColumn<int>("estimatedTtl");
        QTest::addColumn<QString>("source");
        QTest::addColumn<double>("latitude"); // NaN: no start
        QTest::addColumn<QString>("note");
        const double nan = qQNaN();
        QTest::newRow("configured wins over a placed address")
            << true << "81.2.69.160" << 3 << "configured" << 50.11 << "configured on the agent";
        QTest::newRow("public address placed by the overrides file (geofeed) -> address")
            << false << "81.2.69.160" << 3 << "address" << 51.5
            << "located by its address 81.2.69.160 (overrides, city)";
        QTest::newRow("public address placed by the overrides file (coordinates) -> address")
            << false << "185.7.7.9" << -1 << "address" << 48.86
            << "located by its address 185.7.7.9 (overrides, coordinates)";
        QTest::newRow("IPv4-mapped public address -> address")
            << false << "::ffff:185.7.7.9" << -1 << "address" << 48.86
            << "located by its address 185.7.7.9 (overrides, coordinates)";
        QTest::newRow("public address unplaced -> estimated")
            << false << "185.8.8.8" << 3 << "estimated" << 50.2 << "estimated from hop 3, Frankfurt";
        QTest::newRow("private address -> estimated (never asked)")
            << false << "10.1.2.3" << 3 << "estimated" << 50.2 << "estimated from hop 3, Frankfurt";
        QTest::newRow("loopback address -> estimated")
            << false << "127.0.0.1" << 2 << "estimated" << 50.2 << "estimated from hop 2, Frankfurt";
        QTest::newRow("nothing -> none")
            << false << "" << -1 << "none" << nan << "unknown — speed-of-light check off";
        QTest::newRow("private address, no public router -> none")
            << false << "192.168.1.1" << -1 << "none" << nan << "unknown — speed-of-light check off";
    }

    void choose()
    {
        QFETCH(bool, configured);
        QFETCH(QString, address);
        QFETCH(int, estimatedTtl);
        QFETCH(QString, source);
        QFETCH(double, latitude);
        QFETCH(QString, note);

        // The address part as the programs gather it: asked only when locatable.
        QList<AgentPlace> found;
        QObject context;
        findAgentPlace(m_geo.get(), QUrl(QStringLiteral("http://127.0.0.1:1/")), QHostAddress(address),
                       &context, [&](const AgentPlace &p) { found << p; });
        QVERIFY(found.isEmpty()); // never inside the call
        QTRY_COMPARE(found.size(), 1);
        const bool locatable = isLocatableAgentAddress(QHostAddress(address));
        QCOMPARE(found.first().result.status == GeoStatus::Pending, !locatable);

        VantageStartInput in;
        if (configured) {
            in.reported.latitude = 50.11;
            in.reported.longitude = 8.68;
        }
        in.agentAddress = found.first().address;
        in.addressResult = found.first().result;
        in.estimatedTtl = estimatedTtl;
        if (estimatedTtl > 0) {
            in.estimated = SourceLocation{50.2, 8.7};
            in.estimatedPlace.city = QStringLiteral("Frankfurt");
        }
        const VantageStart start = chooseVantageStart(in);
        QCOMPARE(toString(start.source), source);
        QCOMPARE(start.note, note);
        if (qIsNaN(latitude)) {
            QVERIFY(!start.location.isValid());
            QVERIFY(!start.locatorStart());
        } else {
            QCOMPARE(qRound(start.location.latitude * 10), qRound(latitude * 10));
            // The locator is given a start only when it is not its own estimate.
            QCOMPARE(start.locatorStart().has_value(), source != QLatin1String("estimated"));
        }
        // The private prefix in the overrides would have placed it: it was never asked.
        QCOMPARE(m_geo->result(QHostAddress(QStringLiteral("10.1.2.3"))).status, GeoStatus::Pending);
    }

    void unknownHostGivesNoAddress()
    {
        // A URL without a host resolves to nothing, asks nothing, and still answers once, later.
        QList<AgentPlace> found;
        QObject context;
        findAgentPlace(m_geo.get(), QUrl(QStringLiteral("file:///x")), QHostAddress(), &context,
                       [&](const AgentPlace &p) { found << p; });
        QVERIFY(found.isEmpty());
        QTRY_COMPARE(found.size(), 1);
        QVERIFY(found.first().address.isNull());
        QCOMPARE(found.first().result.status, GeoStatus::Pending);
    }
};

QTEST_MAIN(tst_VantageStart)
#include "tst_vantagestart.moc"
