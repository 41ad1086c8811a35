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

    // The estimate part, by TraceLocator's rule: the first public responder (private hops before it
    // skipped), once the hops before it are settled, and only when it is placed.
    void estimate_data()
    {
        QTest::addColumn<QStringList>("responders"); // TTL 1, 2, ...; "" a silent hop
        QTest::addColumn<bool>("lastComplete");
        QTest::addColumn<int>("ttl"); // -1: no estimate
        QTest::newRow("first public responder placed") << QStringList{"10.0.0.1", "62.0.0.5"} << true << 2;
        QTest::newRow("silent hop first") << QStringList{"", "62.0.0.5", "62.0.1.1"} << true << 2;
        QTest::newRow("first public responder unplaced")
            << QStringList{"10.0.0.1", "62.9.9.9", "62.0.0.5"} << true << -1;
        QTest::newRow("only private responders") << QStringList{"10.0.0.1", "192.168.1.1"} << true << -1;
        QTest::newRow("an earlier hop still probing") << QStringList{"10.0.0.1", "62.0.0.5"} << false << -1;
    }

    void estimate()
    {
        QFETCH(QStringList, responders);
        QFETCH(bool, lastComplete);
        QFETCH(int, ttl);
        QList<Hop> hops;
        for (const QString &a : responders) {
            Hop h;
            h.ttl = int(hops.size()) + 1;
            ProbeReply r;
            r.query = 1;
            r.responder = QHostAddress(a);
            r.rttMs = a.isEmpty() ? -1.0 : 5.0;
            r.kind = a.isEmpty() ? ReplyKind::None : ReplyKind::TimeExceeded;
            h.replies = {r};
            h.probesSent = 1;
            h.complete = true;
            hops << h;
        }
        if (!lastComplete)
            hops.first().complete = false;
        const auto placed = [](const QHostAddress &a) {
            GeoResult r;
            r.address = a;
            r.status =
                a == QHostAddress(QStringLiteral("62.0.0.5")) ? GeoStatus::Located : GeoStatus::Unlocatable;
            if (r.status == GeoStatus::Located) {
                r.place.latitude = 50.12;
                r.place.longitude = 8.69;
                r.place.city = QStringLiteral("Frankfurt");
            }
            return r;
        };
        VantageStartInput in;
        addEstimate(&in, hops, lastComplete, placed);
        QCOMPARE(in.estimatedTtl, ttl);
        const VantageStart start = chooseVantageStart(in);
        QCOMPARE(toString(start.source), ttl > 0 ? QStringLiteral("estimated") : QStringLiteral("none"));
        if (ttl > 0)
            QCOMPARE(start.note, QStringLiteral("estimated from hop %1, Frankfurt").arg(ttl));
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
