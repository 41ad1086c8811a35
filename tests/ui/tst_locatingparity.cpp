// One route, two programs: a trace over the simulated network (no packet leaves the process)
// is located through the desktop app's path (TraceController, offscreen) and through the
// CLI's path (tracemap-cli's TraceGeoAnnotator, compiled in from app/cli) with the same
// scripted provider table. Both follow geo/tracelocator.h, so every responder of every hop
// gets the same place and the same verdict: status, provider, reason (with the RTT and the
// speed-of-light sentence) and the candidates refused.
#include "../unit/simulatednetwork.h"

#include "appsettings.h"
#include "geocli.h"
#include "geooptions.h"
#include "geoservice.h"
#include "tracecontroller.h"

#include <QSignalSpy>
#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

const QString kTarget = QStringLiteral("203.0.113.9");

struct Place
{
    double latitude = qQNaN();
    double longitude = qQNaN();
    QString city;
    bool fail = false;
};
using Table = QHash<QString, Place>;

// Answers from a table, at once; addresses it does not hold are unknown to it.
class TableProvider final : public GeoProvider
{
public:
    explicit TableProvider(Table table) : m_table(std::move(table)) {}
    QString id() const override { return QStringLiteral("table"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        GeoAnswer answer;
        answer.provider = id();
        const auto it = m_table.constFind(query.address.toString());
        if (it == m_table.cend()) {
            answer.status = GeoStatus::Unlocatable;
            answer.reason = QStringLiteral("not in the table");
        } else if (it->fail) {
            answer.status = GeoStatus::Failed;
            answer.error = QStringLiteral("service answered garbage");
        } else {
            answer.status = GeoStatus::Located;
            answer.place.latitude = it->latitude;
            answer.place.longitude = it->longitude;
            answer.place.city = it->city;
            answer.place.countryCode = QStringLiteral("ZZ");
            answer.confidence = 0.8;
            answer.reason = QStringLiteral("table entry");
        }
        done(answer);
    }

private:
    Table m_table;
};

GeoSettings offlineSettings(const QString &source)
{
    GeoSettings s;
    s.offline = true;
    s.reverseDns = false;
    s.asLookups = false;
    s.cachePath = QStringLiteral("-");
    double latitude = 0, longitude = 0;
    if (parseLatLon(source, &latitude, &longitude)) {
        s.sourceLatitude = latitude;
        s.sourceLongitude = longitude;
    }
    return s;
}

std::unique_ptr<GeoService> serviceFor(const Table &table, const QString &source)
{
    std::vector<std::unique_ptr<GeoProvider>> chain;
    chain.push_back(std::make_unique<TableProvider>(table));
    return std::make_unique<GeoService>(offlineSettings(source), std::move(chain));
}

SimPath route(int routers)
{
    SimPath path;
    for (int i = 1; i <= routers; ++i)
        path.routers << SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i - 1)), 10.0 * i};
    path.destinationRttMs = 10.0 * (routers + 1);
    return path;
}

const Place kBerlin{52.52, 13.40, QStringLiteral("Berlin")};
const Place kFrankfurt{50.11, 8.68, QStringLiteral("Frankfurt")};
const Place kParis{48.85, 2.35, QStringLiteral("Paris")};
const Place kSydney{-33.87, 151.21, QStringLiteral("Sydney")};
const Place kNewYork{40.71, -74.0, QStringLiteral("New York")};

} // namespace

Q_DECLARE_METATYPE(Table)

class TestLocatingParity : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerTraceTypes(); }

    void sameRouteSameVerdicts_data()
    {
        QTest::addColumn<int>("routers");
        QTest::addColumn<Table>("table");
        QTest::addColumn<QString>("source"); // configured source location; empty = automatic
        QTest::addColumn<int>("placed");     // responders placed (in both programs)
        QTest::addColumn<bool>("hasSource");

        QTest::newRow("automatic source, every hop plausible")
            << 4
            << Table{{"62.115.0.1", kBerlin},
                     {"62.115.1.1", kFrankfurt},
                     {"62.115.2.1", kParis},
                     {"62.115.3.1", kNewYork}}
            << "" << 3 << true; // New York is too far from Berlin for 40 ms
        QTest::newRow("configured source, a far hop is implausible")
            << 3 << Table{{"62.115.0.1", kBerlin}, {"62.115.1.1", kSydney}, {"62.115.2.1", kParis}}
            << "52.52,13.40" << 2 << true;
        QTest::newRow("automatic source, first public hop unknown, one lookup failing")
            << 4
            << Table{{"62.115.1.1", kFrankfurt},
                     {"62.115.2.1", Place{48.85, 2.35, "Paris", true}},
                     {"62.115.3.1", kNewYork}}
            << "" << 2 << false;
    }
    void sameRouteSameVerdicts()
    {
        QFETCH(int, routers);
        QFETCH(Table, table);
        QFETCH(QString, source);
        QFETCH(int, placed);
        QFETCH(bool, hasSource);

        // The desktop app's path: TraceController tracing the simulated route.
        SimulatedNetwork net;
        net.paths.insert(kTarget, route(routers));
        std::unique_ptr<GeoService> desktopGeo = serviceFor(table, source);
        QHash<QHostAddress, GeoResult> desktop;
        connect(desktopGeo.get(), &GeoService::located, this,
                [&desktop](const GeoResult &r) { desktop.insert(r.address, r); });
        std::unique_ptr<AppSettings> settings = AppSettings::inMemory();
        settings->setProbeTimeoutSec(0.5);
        settings->setSourceLocation(source);
        TraceController controller(settings.get(), desktopGeo.get(), std::make_unique<SimulatedFactory>(net));
        controller.setHost(kTarget);
        controller.setMethod(TraceController::Udp);
        QSignalSpy finished(&controller, &TraceController::finished);
        QVERIFY(controller.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(controller.pendingLookups(), 0, 3000);

        // The same trace (hops, replies, RTTs) through the CLI's path.
        TraceResult trace;
        trace.target = kTarget;
        for (int row = 0; row < controller.model()->rowCount(); ++row)
            trace.hops << controller.model()->hopAt(row);
        QCOMPARE(trace.hops.size(), routers + 1);
        cli::TraceGeoAnnotator annotator(serviceFor(table, source));
        bool cliDone = false;
        annotator.start(trace, [&cliDone] { cliDone = true; });
        QTRY_VERIFY_WITH_TIMEOUT(cliDone, 5000);

        int placedResponders = 0;
        for (const Hop &hop : std::as_const(trace.hops)) {
            for (const QHostAddress &responder : hop.responders()) {
                const QString where = QStringLiteral("TTL %1, %2").arg(hop.ttl).arg(responder.toString());
                QVERIFY2(desktop.contains(responder), qPrintable(where + ": not located by the desktop app"));
                const GeoResult d = desktop.value(responder);
                const GeoResult c = annotator.resultFor(responder);
                QVERIFY2(d.status == c.status, qPrintable(where));
                QCOMPARE(d.place.hasCoordinates(), c.place.hasCoordinates());
                if (d.place.hasCoordinates()) {
                    QCOMPARE(d.place.latitude, c.place.latitude);
                    QCOMPARE(d.place.longitude, c.place.longitude);
                }
                QCOMPARE(d.place.city, c.place.city);
                QCOMPARE(d.provider, c.provider);
                QCOMPARE(d.reason, c.reason);
                QCOMPARE(d.rejected, c.rejected);
                if (d.status == GeoStatus::Located)
                    ++placedResponders;
            }
        }
        QCOMPARE(placedResponders, placed);
        // The desktop app's source is the one the CLI's checks used.
        QCOMPARE(controller.hasSource(), hasSource);
    }
};

QTEST_MAIN(TestLocatingParity)
#include "tst_locatingparity.moc"
