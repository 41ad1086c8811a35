// TraceController against the simulated network (no packet leaves the process) and a
// GeoService with a scripted provider chain: the model fills in TTL order, places land on
// the right rows, a failing lookup degrades one hop only, stop/restart/shutdown are clean; a
// trace printed by `trace --json` opens and is located like one traced here.
#include "../unit/simulatednetwork.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "geoservice.h"
#include "resultformat.h"
#include "tracecontroller.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

const QString kTarget = QStringLiteral("203.0.113.9");

// RTTs grow by 20 ms a hop, so the places below pass GeoService's speed-of-light check.
SimPath chain(int routers, double rttStep = 20.0)
{
    SimPath path;
    for (int i = 1; i <= routers; ++i)
        path.routers << SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i - 1)), rttStep * i};
    path.destinationRttMs = rttStep * (routers + 1);
    return path;
}

struct FakePlace
{
    double latitude;
    double longitude;
    QString city;
    int delayMs = 0;
    bool fail = false;
};

// A provider answering from a table; entries may answer late or fail.
class TableProvider final : public GeoProvider
{
public:
    explicit TableProvider(QHash<QString, FakePlace> table) : m_table(std::move(table)) {}
    QString id() const override { return QStringLiteral("table"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        ++lookups;
        const auto it = m_table.constFind(query.address.toString());
        GeoAnswer answer;
        answer.provider = id();
        if (it == m_table.cend()) {
            answer.status = GeoStatus::Unlocatable;
            answer.reason = QStringLiteral("not in the table");
        } else if (it->fail) {
            answer.status = GeoStatus::Failed;
            answer.error = QStringLiteral("service answered garbage");
            answer.reason = answer.error;
        } else {
            answer.status = GeoStatus::Located;
            answer.place.latitude = it->latitude;
            answer.place.longitude = it->longitude;
            answer.place.city = it->city;
            answer.place.countryCode = QStringLiteral("ZZ");
            answer.confidence = 0.9;
            answer.reason = QStringLiteral("table entry");
        }
        const int delay = it == m_table.cend() ? 0 : it->delayMs;
        if (delay <= 0) {
            done(answer);
            return;
        }
        QTimer::singleShot(delay, &m_context, [done, answer] { done(answer); });
    }
    void cancelAll() override { m_context.disconnect(); }
    int lookups = 0;

private:
    QHash<QString, FakePlace> m_table;
    QObject m_context;
};

GeoSettings offlineGeoSettings()
{
    GeoSettings s;
    s.offline = true;
    s.reverseDns = false;
    s.asLookups = false;
    s.cachePath = QStringLiteral("-");
    return s;
}

struct Fixture
{
    explicit Fixture(const SimulatedNetwork &net, QHash<QString, FakePlace> table = {})
    {
        std::vector<std::unique_ptr<GeoProvider>> providers;
        auto provider = std::make_unique<TableProvider>(std::move(table));
        tableProvider = provider.get();
        providers.push_back(std::move(provider));
        geo = std::make_unique<GeoService>(offlineGeoSettings(), std::move(providers));
        settings = AppSettings::inMemory();
        settings->setProbeTimeoutSec(0.5);
        controller = std::make_unique<TraceController>(settings.get(), geo.get(),
                                                       std::make_unique<SimulatedFactory>(net));
        controller->setHost(kTarget);
        controller->setMethod(TraceController::Udp);
    }
    std::unique_ptr<AppSettings> settings;
    std::unique_ptr<GeoService> geo;
    TableProvider *tableProvider = nullptr;
    std::unique_ptr<TraceController> controller;
};

QHash<QString, FakePlace> citiesFor(int routers, int delayStepMs = 0)
{
    static const QList<FakePlace> cities = {
        // Each within 20 ms × TTL of the first (the source once it is placed).
        {52.52, 13.40, QStringLiteral("Berlin")},   {50.11, 8.68, QStringLiteral("Frankfurt")},
        {48.85, 2.35, QStringLiteral("Paris")},     {51.51, -0.13, QStringLiteral("London")},
        {40.71, -74.0, QStringLiteral("New York")}, {37.77, -122.42, QStringLiteral("San Francisco")},
    };
    QHash<QString, FakePlace> table;
    for (int i = 0; i < routers; ++i) {
        FakePlace p = cities.at(i % cities.size());
        p.delayMs = delayStepMs * (routers - i); // later hops answer first
        table.insert(QStringLiteral("62.115.%1.1").arg(i), p);
    }
    return table;
}

} // namespace

class TestTraceController : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerTraceTypes(); }

    void traceFillsTheModelAndPlacesHops_data()
    {
        QTest::addColumn<int>("routers");
        QTest::addColumn<int>("geoDelayStepMs");
        QTest::newRow("3 routers, instant places") << 3 << 0;
        QTest::newRow("5 routers, places arrive in reverse") << 5 << 15;
        QTest::newRow("12 routers") << 12 << 2;
    }
    void traceFillsTheModelAndPlacesHops()
    {
        QFETCH(int, routers);
        QFETCH(int, geoDelayStepMs);
        SimulatedNetwork net;
        net.paths.insert(kTarget, chain(routers));
        Fixture f(net, citiesFor(routers, geoDelayStepMs));
        TraceController &c = *f.controller;
        HopListModel *model = c.model();

        // Every insert must keep the rows in TTL order.
        bool ordered = true;
        connect(model, &QAbstractItemModel::rowsInserted, this, [&] {
            for (int row = 1; row < model->rowCount(); ++row)
                ordered = ordered && model->hopAt(row - 1).ttl < model->hopAt(row).ttl;
        });
        QSignalSpy running(&c, &TraceController::runningChanged);
        QSignalSpy finished(&c, &TraceController::finished);
        QVERIFY(c.start());
        QVERIFY(c.running());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QVERIFY(!c.running());
        QCOMPARE(running.size(), 2);
        QVERIFY(ordered);
        QCOMPARE(model->rowCount(), routers + 1);
        QCOMPARE(c.hopsAnswered(), routers + 1);
        QVERIFY(c.reached());
        QCOMPARE(c.destination(), kTarget);
        QCOMPARE(c.errorMessage(), QString());
        QVERIFY(c.elapsedMs() >= 0);

        QTRY_COMPARE_WITH_TIMEOUT(c.pendingLookups(), 0, 3000);
        QCOMPARE(model->placedCount(), routers);
        const QHash<QString, FakePlace> table = citiesFor(routers);
        for (int row = 0; row < routers; ++row) {
            const QModelIndex i = model->index(row);
            QCOMPARE(model->data(i, HopListModel::TtlRole).toInt(), row + 1);
            const FakePlace expected = table.value(model->data(i, HopListModel::AddressRole).toString());
            QCOMPARE(model->data(i, HopListModel::HasLocationRole).toBool(), true);
            QCOMPARE(model->data(i, HopListModel::LatitudeRole).toDouble(), expected.latitude);
            QCOMPARE(model->data(i, HopListModel::LongitudeRole).toDouble(), expected.longitude);
        }
        // The destination is not in the table: listed with the reason, not placed.
        const QModelIndex last = model->index(routers);
        QCOMPARE(model->data(last, HopListModel::HasLocationRole).toBool(), false);
        QVERIFY(!model->data(last, HopListModel::ReasonRole).toString().isEmpty());
        // No source configured: the trace starts at the first placed hop.
        QVERIFY(c.hasSource());
        QCOMPARE(c.sourceLatitude(), table.value(QStringLiteral("62.115.0.1")).latitude);
        QVERIFY2(c.sourceText().startsWith(QStringLiteral("Start: estimated from hop 1, ")),
                 qPrintable(c.sourceText()));
        // One lookup per distinct router (the destination is a documentation address, which
        // the special-range step answers before any provider).
        QCOMPARE(f.tableProvider->lookups, routers);
    }

    void failingLookupDegradesOneHop()
    {
        SimulatedNetwork net;
        net.paths.insert(kTarget, chain(4));
        QHash<QString, FakePlace> table = citiesFor(4);
        table[QStringLiteral("62.115.2.1")].fail = true;
        Fixture f(net, table);
        QSignalSpy finished(f.controller.get(), &TraceController::finished);
        QVERIFY(f.controller->start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f.controller->pendingLookups(), 0, 3000);
        HopListModel *model = f.controller->model();
        QCOMPARE(model->placedCount(), 3);
        QCOMPARE(model->data(model->index(2), HopListModel::HasLocationRole).toBool(), false);
        QVERIFY(model->data(model->index(2), HopListModel::ReasonRole)
                    .toString()
                    .contains(QStringLiteral("garbage")));
        QCOMPARE(model->data(model->index(3), HopListModel::HasLocationRole).toBool(), true);
    }

    void configuredSourceWins()
    {
        SimulatedNetwork net;
        net.paths.insert(kTarget, chain(2));
        Fixture f(net, citiesFor(2));
        f.settings->setSourceLocation(QStringLiteral("60.17,24.94"));
        // The controller reads the source when it gets its service.
        f.controller->setGeoService(nullptr);
        f.controller->setGeoService(f.geo.get());
        QVERIFY(f.controller->hasSource());
        QSignalSpy finished(f.controller.get(), &TraceController::finished);
        QVERIFY(f.controller->start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f.controller->pendingLookups(), 0, 3000);
        QCOMPARE(f.controller->sourceLatitude(), 60.17);
        QCOMPARE(f.controller->sourceLongitude(), 24.94);
        QCOMPARE(f.controller->sourceText(), QStringLiteral("Start: configured 60.17, 24.94"));
    }

    void stopIgnoresLateResults()
    {
        SimulatedNetwork net;
        SimPath filtered = chain(3, 40.0);
        filtered.destinationAnswers = false;
        net.paths.insert(kTarget, filtered);
        Fixture f(net);
        f.settings->setProbeTimeoutSec(5);
        TraceController &c = *f.controller;
        QSignalSpy finished(&c, &TraceController::finished);
        QVERIFY(c.start());
        QTRY_VERIFY_WITH_TIMEOUT(c.model()->rowCount() >= 1, 3000);
        c.stop();
        QVERIFY(!c.running());
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        const QString before = c.model()->toText();
        QTest::qWait(300);
        QCOMPARE(c.model()->toText(), before);
        QCOMPARE(finished.size(), 1);
    }

    void restartWhileRunningStartsAfresh()
    {
        SimulatedNetwork net;
        SimPath slow = chain(4, 30.0);
        slow.destinationAnswers = false;
        net.paths.insert(kTarget, slow);
        net.paths.insert(QStringLiteral("203.0.113.10"), chain(2));
        Fixture f(net);
        f.settings->setProbeTimeoutSec(5);
        TraceController &c = *f.controller;
        QVERIFY(c.start());
        QTRY_VERIFY_WITH_TIMEOUT(c.model()->rowCount() >= 1, 3000);
        c.setHost(QStringLiteral("203.0.113.10"));
        QSignalSpy finished(&c, &TraceController::finished);
        QVERIFY(c.start());
        QCOMPARE(c.model()->rowCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!c.running() && c.reached(), 5000);
        QCOMPARE(c.model()->rowCount(), 3);
        QCOMPARE(c.model()->data(c.model()->index(0), HopListModel::AddressRole).toString(),
                 QStringLiteral("62.115.0.1"));
        QCOMPARE(c.destination(), QStringLiteral("203.0.113.10"));
    }

    void invalidHostIsRefused_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("empty") << QString();
        QTest::newRow("blank") << QStringLiteral("   ");
        QTest::newRow("bad characters") << QStringLiteral("exa mple..org/");
    }
    void invalidHostIsRefused()
    {
        QFETCH(QString, host);
        SimulatedNetwork net;
        Fixture f(net);
        f.controller->setHost(host);
        QSignalSpy error(f.controller.get(), &TraceController::errorMessageChanged);
        QVERIFY(!f.controller->start());
        QVERIFY(!f.controller->running());
        QCOMPARE(error.size(), 1);
        QVERIFY(!f.controller->errorMessage().isEmpty());
        QVERIFY(f.settings->recentHosts().isEmpty());
    }

    void propertiesNotifyOnlyOnChange()
    {
        SimulatedNetwork net;
        Fixture f(net);
        TraceController &c = *f.controller;
        QSignalSpy method(&c, &TraceController::methodChanged);
        QSignalSpy family(&c, &TraceController::familyChanged);
        c.setMethod(TraceController::Udp);
        QCOMPARE(method.size(), 0);
        c.setMethod(*TraceController::methodFromString(QStringLiteral("ICMP")));
        QCOMPARE(method.size(), 1);
        QCOMPARE(c.method(), TraceController::Icmp);
        QVERIFY(!TraceController::methodFromString(QStringLiteral("bogus")));
        c.setMethod(TraceController::Method(42)); // what a bad QML assignment would send
        QCOMPARE(c.method(), TraceController::Icmp);
        c.setFamily(TraceController::IPv6);
        c.setFamily(TraceController::IPv6);
        c.setFamily(TraceController::Family(5));
        QCOMPARE(family.size(), 1);
        QCOMPARE(c.family(), TraceController::IPv6);
    }

    // RFC 6761 names fail at once, a refused input leaves no stale progress, Esc says stopped.
    void phasesAndReservedNames()
    {
        SimulatedNetwork net;
        net.paths.insert(kTarget, chain(3));
        Fixture f(net);
        TraceController &c = *f.controller;
        QCOMPARE(c.phase(), TraceController::Idle);
        QVERIFY(c.start());
        QCOMPARE(c.phase(), TraceController::Resolving);
        QTRY_COMPARE_WITH_TIMEOUT(c.phase(), TraceController::Reached, 5000);
        c.setHost(QStringLiteral("printer.Invalid."));
        QVERIFY(!c.start());
        QCOMPARE(c.phase(), TraceController::Idle);
        QVERIFY2(c.errorMessage().contains(QLatin1String("RFC 6761")), qPrintable(c.errorMessage()));
        QVERIFY(!f.settings->recentHosts().contains(QStringLiteral("printer.Invalid.")));
        net.paths.insert(QStringLiteral("203.0.113.10"), chain(8));
        c.setHost(QStringLiteral("203.0.113.10"));
        QVERIFY(c.start());
        c.stop();
        QCOMPARE(c.phase(), TraceController::Stopped);
    }

    void recentHostsPersist()
    {
        QTemporaryDir dir;
        const QString ini = dir.filePath(QStringLiteral("tracemap.ini"));
        SimulatedNetwork net;
        net.paths.insert(kTarget, chain(1));
        net.paths.insert(QStringLiteral("203.0.113.10"), chain(1));
        {
            AppSettings settings(ini);
            TraceController c(&settings, nullptr, std::make_unique<SimulatedFactory>(net));
            QSignalSpy recent(&c, &TraceController::recentHostsChanged);
            for (const QString &host : {kTarget, QStringLiteral("203.0.113.10"), kTarget}) {
                c.setHost(host);
                QVERIFY(c.start());
                QTRY_VERIFY_WITH_TIMEOUT(!c.running(), 5000);
            }
            QCOMPARE(recent.size(), 3);
        }
        AppSettings reopened(ini);
        QCOMPARE(reopened.recentHosts(), (QStringList{kTarget, QStringLiteral("203.0.113.10")}));
    }

    void manyTracesInARow()
    {
        SimulatedNetwork net;
        net.paths.insert(kTarget, chain(6));
        Fixture f(net, citiesFor(6));
        TraceController &c = *f.controller;
        for (int i = 0; i < 25; ++i) {
            QSignalSpy finished(&c, &TraceController::finished);
            QVERIFY(c.start());
            QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(c.pendingLookups(), 0, 3000);
            QCOMPARE(c.model()->rowCount(), 7);
            QCOMPARE(c.model()->placedCount(), 6);
        }
        QCOMPARE(c.tracesCompleted(), 25);
    }

    // File → Open of what `tracemap-cli trace --json` printed: the hops show at once and are
    // located here (source from the first public hop, the speed-of-light check), nothing is
    // probed, and saving writes a new trace file with the places but no time or host of ours.
    void opensAndLocatesAPlainTrace()
    {
        const int routers = 4;
        SimulatedNetwork traced;
        traced.paths.insert(kTarget, chain(routers));
        TraceResult measured;
        {
            Fixture elsewhere(traced);
            QSignalSpy finished(elsewhere.controller.get(), &TraceController::finished);
            QVERIFY(elsewhere.controller->start());
            QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
            measured = elsewhere.controller->currentDocument().trace;
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("plain.json"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(traceToJson(measured)).toJson());
        out.close();

        SimulatedNetwork silent; // no answer from anywhere: a probe would find nothing
        SimPath filtered = chain(1);
        filtered.destinationAnswers = false;
        silent.paths.insert(QStringLiteral("198.51.100.7"), filtered);
        Fixture f(silent, citiesFor(routers));
        DocumentController documents(f.controller.get(), f.settings.get());
        // A trace of ours still running is stopped first and ends as ours (History keeps it
        // with its own start time).
        f.settings->setProbeTimeoutSec(30);
        f.controller->setHost(QStringLiteral("198.51.100.7"));
        QVERIFY(f.controller->start());
        bool stoppedAsOurs = false;
        connect(f.controller.get(), &TraceController::finished, this,
                [&] { stoppedAsOurs = f.controller->currentDocument().meta.startedAt.isValid(); });
        QSignalSpy reported(&documents, &DocumentController::reported);
        QVERIFY2(documents.open(path), qPrintable(documents.errorMessage()));
        QVERIFY(stoppedAsOurs);
        disconnect(f.controller.get(), &TraceController::finished, this, nullptr);
        QCOMPARE(reported.size(), 1);
        const QString message = reported.at(0).at(0).toString();
        QCOMPARE(message,
                 QStringLiteral("plain.json has no places (trace --json): locating its 5 hops here."));
        TraceController &c = *f.controller;
        QVERIFY(!c.showingDocument());
        QVERIFY(!c.running());
        QCOMPARE(c.host(), kTarget);
        QCOMPARE(c.phase(), TraceController::Reached);
        QCOMPARE(c.model()->rowCount(), routers + 1);
        QTRY_COMPARE_WITH_TIMEOUT(c.pendingLookups(), 0, 3000);
        QCOMPARE(c.model()->placedCount(), routers);
        QCOMPARE(f.tableProvider->lookups, routers);
        QVERIFY2(c.sourceText().startsWith(QStringLiteral("Start: estimated from hop 1, ")),
                 qPrintable(c.sourceText()));
        QCOMPARE(documents.currentPath(), QString()); // Save asks for a name: never over the input

        const TraceFile saved = c.currentDocument();
        QCOMPARE(saved.places.size(), routers + 1); // the destination's "documentation address" too
        QVERIFY(!saved.meta.startedAt.isValid());
        QVERIFY(saved.meta.vantageHost.isEmpty());
        QVERIFY(saved.meta.vantageLatitude.has_value());

        // A trace started afterwards is this machine's again.
        silent.paths.insert(kTarget, chain(1));
        QSignalSpy finished(&c, &TraceController::finished);
        QVERIFY(c.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QVERIFY(!c.currentDocument().meta.vantageHost.isEmpty());
    }

    void shutdownMidTraceIsBounded()
    {
        SimulatedNetwork net;
        SimPath filtered = chain(2);
        filtered.destinationAnswers = false;
        net.paths.insert(kTarget, filtered);
        Fixture f(net);
        f.settings->setProbeTimeoutSec(30);
        QVERIFY(f.controller->start());
        QTest::qWait(50);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(f.controller->shutdown(1000));
        QCOMPARE_LE(clock.elapsed(), 1000);
        QVERIFY(!f.controller->running());
    }
};

QTEST_MAIN(TestTraceController)
#include "tst_tracecontroller.moc"
