// WatchController against the simulated network (no packet leaves the process), on a stepped
// watch clock (each round is stamped one second after the previous one): statistics in the
// hop model, rate-limited loss, pause/resume/reset, a focus period changing the table's
// numbers, and the path-change list with the previous path in the controller's RouteSet.
#include "../unit/simulatednetwork.h"

#include "appsettings.h"
#include "enginethread.h"
#include "geoservice.h"
#include "routeset.h"
#include "tracecontroller.h"
#include "watchchartgeometry.h"
#include "watchcontroller.h"

#include <QSignalSpy>
#include <QTest>

#include <limits>

using namespace tracemap;
using namespace tracemap::test;

namespace {

const QString kTarget = QStringLiteral("203.0.113.9");
constexpr qint64 kEpochMs = 1'700'000'000'000;

SimPath chain(int routers, double rttMs = 2.0, int silentTtl = 0, int variant = 0)
{
    SimPath path;
    for (int i = 1; i <= routers; ++i)
        path.routers << SimHop{QHostAddress(QStringLiteral("62.115.%1.%2").arg(i).arg(1 + variant)), rttMs,
                               i == silentTtl};
    path.destinationRttMs = rttMs;
    return path;
}

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
    Fixture()
    {
        paths = std::make_shared<SharedSimPaths>();
        engine = std::make_unique<EngineThread>(std::make_unique<ChangingSimFactory>(paths));
        geo = std::make_unique<GeoService>(offlineGeoSettings(), std::vector<std::unique_ptr<GeoProvider>>());
        settings = AppSettings::inMemory();
        settings->setProbeTimeoutSec(0.5);
        watch = std::make_unique<WatchController>(settings.get(), engine.get(), geo.get());
        watch->setIntervalSec(0.1);
        // The stepped clock: round k is stamped kEpochMs + (k - 1) s.
        watch->setClock([this] { return now; });
        QObject::connect(watch.get(), &WatchController::roundsChanged, watch.get(), [this] {
            if (watch->rounds() > seenRounds)
                now += 1000;
            seenRounds = watch->rounds();
        });
    }
    ~Fixture()
    {
        watch.reset();
        engine->shutdown(2000);
    }
    bool start() { return watch->start(kTarget, TraceController::Udp, TraceController::AnyFamily); }
    QString cell(int row, WatchHopModel::Column column) const
    {
        WatchHopModel *m = watch->model();
        const int at = int(m->visibleColumns().indexOf(WatchHopModel::columnKey(column)));
        return at < 0 ? QString() : m->data(m->index(row, at), Qt::DisplayRole).toString();
    }
    QVariant role(int row, int role) const
    {
        return watch->model()->data(watch->model()->index(row, 0), role);
    }

    std::shared_ptr<SharedSimPaths> paths;
    std::unique_ptr<EngineThread> engine;
    std::unique_ptr<GeoService> geo;
    std::unique_ptr<AppSettings> settings;
    std::unique_ptr<WatchController> watch;
    qint64 now = kEpochMs;
    int seenRounds = 0;
};

} // namespace

class TestWatchController : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerTraceTypes(); }

    void statisticsInTheModel_data()
    {
        QTest::addColumn<int>("routers");
        QTest::addColumn<int>("cycles");
        QTest::addColumn<int>("silentTtl");
        QTest::newRow("3 routers, 4 rounds") << 3 << 4 << 0;
        QTest::newRow("5 routers, 2 rounds") << 5 << 2 << 0;
        QTest::newRow("hop 2 silent: rate limiting, not path loss") << 4 << 3 << 2;
    }
    void statisticsInTheModel()
    {
        QFETCH(int, routers);
        QFETCH(int, cycles);
        QFETCH(int, silentTtl);
        Fixture f;
        f.paths->set(kTarget, chain(routers, 2.0, silentTtl));
        f.watch->setCycles(cycles);
        f.settings->setWatchColumns({}); // the default set has Sent, Loss%, Avg
        f.watch->model()->setVisibleColumns(WatchHopModel::defaultColumns() << QStringLiteral("recv"));
        QSignalSpy finished(f.watch.get(), &WatchController::finished);
        QVERIFY(f.start());
        QCOMPARE(f.watch->state(), WatchController::Running);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        QCOMPARE(f.watch->state(), WatchController::Finished);
        QCOMPARE(f.watch->rounds(), cycles);
        QCOMPARE(f.watch->destination(), kTarget);
        QVERIFY(finished.at(0).at(0).toString().contains(QString::number(cycles)));

        WatchHopModel *m = f.watch->model();
        QCOMPARE(m->rowCount(), routers + 1);
        for (int row = 0; row <= routers; ++row) {
            const bool silent = row + 1 == silentTtl;
            QCOMPARE(f.role(row, WatchHopModel::TtlRole).toInt(), row + 1);
            QCOMPARE(f.cell(row, WatchHopModel::Sent), QString::number(cycles));
            QCOMPARE(f.cell(row, WatchHopModel::Recv), QString::number(silent ? 0 : cycles));
            QCOMPARE(f.role(row, WatchHopModel::LossPctRole).toDouble(), silent ? 100.0 : 0.0);
            QCOMPARE(f.cell(row, WatchHopModel::Loss),
                     silent ? QStringLiteral("100.0%") : QStringLiteral("0.0%"));
            // Loss where every later hop answered is the router's rate limit, not the path's.
            QCOMPARE(f.role(row, WatchHopModel::RateLimitedRole).toBool(), silent);
            if (!silent) {
                // The simulated reply comes no earlier than its RTT.
                QVERIFY(f.role(row, WatchHopModel::AvgRttMsRole).toDouble() >= 2.0);
                QCOMPARE(f.role(row, WatchHopModel::AddressRole).toString(),
                         row < routers ? QStringLiteral("62.115.%1.1").arg(row + 1) : kTarget);
                QCOMPARE(f.role(row, WatchHopModel::SparklineRole).value<QList<qreal>>().size(), cycles);
            }
        }
    }

    void refusesBadHosts_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("empty") << QString();
        QTest::newRow("spaces in a name") << QStringLiteral("bad host!");
    }
    void refusesBadHosts()
    {
        QFETCH(QString, host);
        Fixture f;
        QSignalSpy errors(f.watch.get(), &WatchController::errorMessageChanged);
        QVERIFY(!f.watch->start(host, TraceController::Udp, TraceController::AnyFamily));
        QCOMPARE(errors.size(), 1);
        QVERIFY(!f.watch->errorMessage().isEmpty());
        QCOMPARE(f.watch->state(), WatchController::Idle);
    }

    void pauseResumeAndReset()
    {
        Fixture f;
        f.paths->set(kTarget, chain(2));
        QVERIFY(f.start());
        QTRY_VERIFY_WITH_TIMEOUT(f.watch->rounds() >= 2, 10000);

        f.watch->pause();
        QCOMPARE(f.watch->state(), WatchController::Paused);
        QVERIFY(f.watch->active());
        const int atPause = f.watch->rounds();
        QTest::qWait(1000); // the round in flight (a few ms) ends; none follows
        const int paused = f.watch->rounds();
        QVERIFY(paused <= atPause + 1);
        QTest::qWait(500);
        QCOMPARE(f.watch->rounds(), paused);

        f.watch->resume();
        QCOMPARE(f.watch->state(), WatchController::Running);
        QTRY_VERIFY_WITH_TIMEOUT(f.watch->rounds() > paused + 1, 10000);

        // Reset while running: the statistics start over, the watch goes on.
        f.watch->reset();
        QCOMPARE(f.watch->state(), WatchController::Running);
        QCOMPARE(f.watch->rounds(), 0);
        QCOMPARE(f.watch->model()->rowCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(f.watch->rounds() >= 2, 10000);
        f.watch->pause();
        QTest::qWait(300);
        QCOMPARE(f.cell(0, WatchHopModel::Sent), QString::number(f.watch->rounds()));

        QSignalSpy finished(f.watch.get(), &WatchController::finished);
        f.watch->stop();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(f.watch->state(), WatchController::Finished);
        QVERIFY(f.watch->model()->rowCount() > 0); // what was measured stays shown
        f.watch->reset();
        QCOMPARE(f.watch->state(), WatchController::Idle);
        QCOMPARE(f.watch->model()->rowCount(), 0);
        QVERIFY(!f.watch->stats());
    }

    void chartLineBreaksAcrossAPause()
    {
        Fixture f;
        f.paths->set(kTarget, chain(2));
        QVERIFY(f.start());
        QTRY_VERIFY_WITH_TIMEOUT(f.watch->rounds() >= 3, 10000);
        f.watch->pause();
        QTest::qWait(500); // the round in flight ends
        const int before = f.watch->rounds();
        const qint64 lastBefore = qint64(f.watch->latestRoundMs());
        f.now += 60 * 1000; // a minute passes on the watch clock while paused
        f.watch->resume();
        QTRY_VERIFY_WITH_TIMEOUT(f.watch->rounds() >= before + 3, 10000);
        f.watch->pause();
        QTest::qWait(300);

        QCOMPARE(f.watch->pauses().size(), 2);
        const WatchPause pause = f.watch->pauses().first();
        QVERIFY(pause.fromMs >= lastBefore);
        QCOMPARE(pause.toMs, lastBefore + 1000 + 60 * 1000);
        // One pixel a second from the first round: the destination's line is two runs, the
        // first ending before the pause, the second starting after it.
        WatchChartView view;
        view.fromMs = kEpochMs;
        view.toMs = qint64(f.watch->latestRoundMs());
        view.ttls = {3};
        view.pauses = f.watch->pauses();
        const int width = int((view.toMs - view.fromMs) / 1000);
        const WatchChartGeometry g = watchChartGeometry(QSize(width, 100), *f.watch->stats(), view);
        const QList<QPolygon> runs = g.series.first().runs;
        QCOMPARE(runs.size(), 2);
        QCOMPARE(qint64(runs.at(0).last().x()), (lastBefore - kEpochMs) / 1000);
        QCOMPARE(qint64(runs.at(1).first().x()), (pause.toMs - kEpochMs) / 1000);

        // A reset forgets the pauses with the statistics; one still going on is kept.
        f.watch->reset();
        QCOMPARE(f.watch->pauses().size(), 1);
        QCOMPARE(f.watch->pauses().first().toMs, std::numeric_limits<qint64>::max());
    }

    void focusPeriodChangesTheTable()
    {
        Fixture f;
        f.paths->set(kTarget, chain(2, 4.0));
        // Rounds 1-3 see 4 ms everywhere, rounds 4-6 see 150 ms.
        QObject::connect(f.watch.get(), &WatchController::roundsChanged, f.watch.get(), [&] {
            if (f.watch->rounds() == 3)
                f.paths->set(kTarget, chain(2, 150.0));
        });
        f.watch->setCycles(6);
        QSignalSpy finished(f.watch.get(), &WatchController::finished);
        QVERIFY(f.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        const int dest = f.watch->model()->rowCount() - 1;
        QCOMPARE(dest, 2);
        QCOMPARE(f.cell(dest, WatchHopModel::Sent), QStringLiteral("6"));
        const double whole = f.role(dest, WatchHopModel::AvgRttMsRole).toDouble();
        QVERIFY2(whole > 75 && whole < 150, qPrintable(QString::number(whole)));

        QSignalSpy focus(f.watch.get(), &WatchController::focusChanged);
        f.watch->setFocusPeriod(double(kEpochMs), double(kEpochMs + 2000)); // rounds 1-3
        QCOMPARE(focus.size(), 1);
        QVERIFY(f.watch->hasFocus());
        QCOMPARE(f.cell(dest, WatchHopModel::Sent), QStringLiteral("3"));
        QVERIFY(f.role(dest, WatchHopModel::AvgRttMsRole).toDouble() < 75);

        f.watch->setFocusPeriod(double(kEpochMs + 5000), double(kEpochMs + 3000)); // rounds 4-6, reversed
        QCOMPARE(f.cell(dest, WatchHopModel::Sent), QStringLiteral("3"));
        QVERIFY(f.role(dest, WatchHopModel::AvgRttMsRole).toDouble() >= 150);

        f.watch->clearFocus();
        QVERIFY(!f.watch->hasFocus());
        QCOMPARE(f.cell(dest, WatchHopModel::Sent), QStringLiteral("6"));
        QCOMPARE(focus.size(), 3);
    }

    void pathChangeListAndPreviousRoute()
    {
        Fixture f;
        f.paths->set(kTarget, chain(3));
        // From round 4 on, hop 2 is another router.
        QObject::connect(f.watch.get(), &WatchController::roundsChanged, f.watch.get(), [&] {
            if (f.watch->rounds() == 3) {
                SimPath moved = chain(3);
                moved.routers[1].address = QHostAddress(QStringLiteral("62.115.2.9"));
                f.paths->set(kTarget, moved);
            }
        });
        f.watch->setCycles(8);
        QSignalSpy finished(f.watch.get(), &WatchController::finished);
        QVERIFY(f.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);

        const QVariantList changes = f.watch->pathChanges();
        QCOMPARE(changes.size(), 1);
        const QVariantMap change = changes.first().toMap();
        QCOMPARE(change.value(QStringLiteral("ttl")).toInt(), 2);
        QCOMPARE(change.value(QStringLiteral("from")).toString(), QStringLiteral("62.115.2.1"));
        QCOMPARE(change.value(QStringLiteral("to")).toString(), QStringLiteral("62.115.2.9"));
        QCOMPARE(change.value(QStringLiteral("timeMs")).toDouble(), double(kEpochMs + 3000)); // round 4

        // Unselected, the previous path stays on the map, faint and dashed.
        QCOMPARE(f.watch->routes()->count(), 1);
        const MapRoute before = f.watch->routes()->routes().first();
        QVERIFY(before.dashed);
        QVERIFY(before.opacity < 0.5);
        QCOMPARE(before.hops.size(), 4);
        QCOMPARE(before.hops.at(1).address, QStringLiteral("62.115.2.1"));

        f.watch->selectChange(0);
        QCOMPARE(f.watch->selectedChange(), 0);
        const QList<MapRoute> shown = f.watch->routes()->routes();
        QCOMPARE(shown.size(), 2);
        QCOMPARE(shown.at(0).hops.at(1).address, QStringLiteral("62.115.2.1"));
        QVERIFY(!shown.at(1).dashed);
        QCOMPARE(shown.at(1).hops.at(1).address, QStringLiteral("62.115.2.9"));
        // The changed hop is highlighted in the table and on the map.
        QCOMPARE(f.role(1, WatchHopModel::HighlightedRole).toBool(), true);
        QCOMPARE(f.role(0, WatchHopModel::HighlightedRole).toBool(), false);
        QCOMPARE(f.role(1, WatchHopModel::AddressRole).toString(), QStringLiteral("62.115.2.9"));

        f.watch->selectChange(-1);
        QCOMPARE(f.watch->routes()->count(), 1);
        QCOMPARE(f.role(1, WatchHopModel::HighlightedRole).toBool(), false);
    }

    void columnChooserKeepsItsChoiceInTheSettings()
    {
        Fixture f;
        WatchHopModel *m = f.watch->model();
        QCOMPARE(m->visibleColumns(), WatchHopModel::defaultColumns());
        const QStringList more = m->toggledColumns(QStringLiteral("jint"));
        QVERIFY(more.contains(QStringLiteral("jint")));
        f.settings->setWatchColumns(more);
        QVERIFY(m->visibleColumns().contains(QStringLiteral("jint")));
        QCOMPARE(m->columnCount(), int(WatchHopModel::defaultColumns().size()) + 1);
        f.settings->setWatchColumns(m->toggledColumns(QStringLiteral("place")));
        QVERIFY(!m->visibleColumns().contains(QStringLiteral("place")));
        QCOMPARE(m->headerData(0, Qt::Horizontal, Qt::DisplayRole).toString(), QStringLiteral("TTL"));
    }
};

QTEST_MAIN(TestWatchController)
#include "tst_watchcontroller.moc"
