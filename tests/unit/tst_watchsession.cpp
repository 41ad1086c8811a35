// The watch driver against a simulated network whose paths the test changes between rounds:
// cycles, one flow and one resolved address across rounds, stopping at the destination,
// extending the TTL range, path changes, stop(), bad requests, and several watches on one
// engine.
#include "enginethread.h"
#include "simulatednetwork.h"
#include "watchsession.h"

#include <QSignalSpy>
#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

QHostAddress addr(const QString &text)
{
    return QHostAddress(text);
}

SimPath chain(int routers, int subnet = 0)
{
    SimPath p;
    for (int i = 1; i <= routers; ++i)
        p.routers.append({addr(QStringLiteral("198.18.%1.%2").arg(i).arg(subnet + 1)), 1.0, false, false});
    p.destinationRttMs = 2.0;
    return p;
}

WatchRequest watchOf(const char *target, int cycles)
{
    WatchRequest w;
    w.trace.target = QString::fromLatin1(target);
    w.trace.timeoutSec = 0.5;
    w.intervalSec = 0.1;
    w.cycles = cycles;
    return w;
}

} // namespace

class tst_WatchSession : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<SharedSimPaths> m_paths;
    std::unique_ptr<EngineThread> m_engine;
    QList<TraceRequest> m_requests; // every round's request, as the engine saw it

private Q_SLOTS:
    void initTestCase() { registerWatchTypes(); }
    void init()
    {
        m_paths = std::make_shared<SharedSimPaths>();
        m_engine = std::make_unique<EngineThread>(std::make_unique<ChangingSimFactory>(m_paths));
        m_requests.clear();
        connect(m_engine->engine(), &TraceEngine::traceStarted, this,
                [this](quint64, const TraceResult &r) { m_requests << r.request; });
    }
    void cleanup()
    {
        m_engine->shutdown(2000);
        m_engine.reset();
    }

    void cycles_data()
    {
        QTest::addColumn<int>("routers");
        QTest::addColumn<int>("cycles");
        QTest::addColumn<int>("queries");

        QTest::newRow("3 rounds over 4 routers") << 4 << 3 << 1;
        QTest::newRow("5 rounds, 2 probes a hop") << 2 << 5 << 2;
        QTest::newRow("1 round") << 6 << 1 << 1;
    }
    void cycles()
    {
        QFETCH(int, routers);
        QFETCH(int, cycles);
        QFETCH(int, queries);
        m_paths->set(QStringLiteral("198.19.10.1"), chain(routers));
        WatchRequest w = watchOf("198.19.10.1", cycles);
        w.trace.queries = queries;
        WatchSession watch(m_engine.get(), w);
        QSignalSpy rounds(&watch, &WatchSession::roundFinished);
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(toString(finished.first().at(0).value<WatchEndReason>()),
                 toString(WatchEndReason::Completed));
        QCOMPARE(rounds.size(), cycles);
        for (int i = 0; i < cycles; ++i)
            QCOMPARE(rounds.at(i).at(0).value<WatchRound>().index, i + 1);
        const WatchSnapshot s = watch.snapshot();
        QCOMPARE(s.rounds, cycles);
        QCOMPARE(toString(s.endReason), toString(WatchEndReason::Completed));
        QCOMPARE(s.hops.size(), routers + 1); // stops at the destination
        for (const HopSummary &h : s.hops) {
            QCOMPARE(h.stats.sent, cycles * queries);
            QCOMPARE(h.stats.received, cycles * queries);
            QVERIFY(!h.rateLimited);
        }
        QCOMPARE(s.hops.last().responders.first().address, addr(QStringLiteral("198.19.10.1")));
        QVERIFY(s.pathChanges.isEmpty());
    }

    // Rounds injected at accelerated time (the benches' way): refused unless paused with no
    // round in flight, then recorded and announced as the engine's rounds are.
    void injectedRoundsWhilePaused()
    {
        m_paths->set(QStringLiteral("198.19.10.1"), chain(2));
        WatchSession watch(m_engine.get(), watchOf("198.19.10.1", 0));
        QSignalSpy rounds(&watch, &WatchSession::roundFinished);
        watch.start();
        QTRY_COMPARE_WITH_TIMEOUT(rounds.size(), 1, 10000);
        const TraceResult first = rounds.first().at(0).value<WatchRound>().result;
        QVERIFY(!watch.injectRound(first, 5000)); // running: the engine's rounds only
        watch.pause();
        QTRY_VERIFY_WITH_TIMEOUT(watch.injectRound(first, 5000), 5000);
        const int counted = watch.rounds();
        QVERIFY(watch.injectRound(first, 6000));
        QCOMPARE(watch.rounds(), counted + 1);
        const WatchRound last = rounds.last().at(0).value<WatchRound>();
        QCOMPARE(last.index, counted + 1);
        QCOMPARE(last.startedMs, 6000);
        QCOMPARE(watch.stats().series(3)->samples().back().timeMs, 6000);
        QCOMPARE(watch.stats().series(3)->total().sent, counted + 1);
        watch.stop();
        QVERIFY(!watch.injectRound(first, 7000));
    }

    // One flow id for every round, the address resolved once, and later rounds probing
    // only up to one TTL beyond the destination.
    void oneFlowAcrossRounds()
    {
        m_paths->set(QStringLiteral("198.19.10.1"), chain(3));
        WatchSession watch(m_engine.get(), watchOf("198.19.10.1", 4));
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(m_requests.size(), 4);
        QVERIFY(watch.flowId() != 0);
        for (const TraceRequest &r : std::as_const(m_requests))
            QCOMPARE(r.flowId, watch.flowId());
        QCOMPARE(m_requests.first().maxTtl, 30);
        QCOMPARE(m_requests.last().maxTtl, 5); // destination at TTL 4, plus one
    }

    // A per-flow load balancer before TTL 2: every round of a Paris watch is one flow, so
    // TTL 2 has one responder and no change; classic probes spread over both branches,
    // which is a load-balanced hop, not a change either.
    void perFlowBalancer_data()
    {
        QTest::addColumn<bool>("classic");
        QTest::addColumn<int>("flowId");
        QTest::addColumn<int>("responders");

        QTest::newRow("paris, the watch's own flow") << false << 0 << 1;
        QTest::newRow("paris, flow 40001") << false << 40001 << 1;
        QTest::newRow("paris, flow 40002") << false << 40002 << 1;
        QTest::newRow("classic") << true << 0 << 2;
    }
    void perFlowBalancer()
    {
        QFETCH(bool, classic);
        QFETCH(int, flowId);
        QFETCH(int, responders);
        SimPath p = chain(3);
        p.routers[1].perFlow = {addr(QStringLiteral("198.18.2.1")), addr(QStringLiteral("198.18.2.2"))};
        m_paths->set(QStringLiteral("198.19.10.1"), p);
        WatchRequest w = watchOf("198.19.10.1", 12);
        w.trace.flow = classic ? FlowMode::Classic : FlowMode::Paris;
        w.trace.flowId = quint16(flowId);
        // Three probes a round: classic rounds then mostly see both branches at once, which
        // is what tells a balanced hop from a change (one probe a round alternates at random).
        w.trace.queries = 3;
        WatchSession watch(m_engine.get(), w);
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        const QList<TransportConfig> &configs = m_paths->stats->configs;
        QCOMPARE(configs.size(), 12);
        for (const TransportConfig &c : configs)
            QCOMPARE(c.flowId, classic ? quint16(0) : watch.flowId());
        const WatchSnapshot s = watch.snapshot();
        QCOMPARE(s.hops.at(1).responders.size(), responders);
        QVERIFY(s.pathChanges.isEmpty());
        QCOMPARE(s.loadBalancedTtls, classic ? QList<int>{2} : QList<int>{});
    }

    // The destination moves two hops farther: the shortened round misses it, the next one
    // probes the whole range again and finds it; TTL 4 now answers from a router.
    void destinationMovesFarther()
    {
        const QString dest = QStringLiteral("198.19.10.1");
        m_paths->set(dest, chain(3));
        WatchSession watch(m_engine.get(), watchOf("198.19.10.1", 8));
        connect(&watch, &WatchSession::roundFinished, this, [&](const WatchRound &r) {
            if (r.index == 2)
                m_paths->set(dest, chain(5));
        });
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(m_requests.at(2).maxTtl, 5); // round 3: the old range, destination not reached
        QCOMPARE(m_requests.at(3).maxTtl, 30);
        QCOMPARE(m_requests.at(7).maxTtl, 7);
        const WatchSnapshot s = watch.snapshot();
        QCOMPARE(s.hops.size(), 6);
        QCOMPARE(s.hops.last().responders.first().address, addr(dest));
        // TTL 4 went from the destination to a router: a path change, reported once held.
        QCOMPARE(s.pathChanges.size(), 1);
        QCOMPARE(s.pathChanges.first().ttl, 4);
        QCOMPARE(s.pathChanges.first().from, addr(dest));
        QCOMPARE(s.pathChanges.first().to, addr(QStringLiteral("198.18.4.1")));
        QCOMPARE(s.pathChanges.first().round, 3);
    }

    void routeChangeIsReported()
    {
        const QString dest = QStringLiteral("198.19.10.1");
        m_paths->set(dest, chain(4));
        WatchSession watch(m_engine.get(), watchOf("198.19.10.1", 7));
        connect(&watch, &WatchSession::roundFinished, this, [&](const WatchRound &r) {
            if (r.index == 3) {
                SimPath moved = chain(4);
                moved.routers[1].address = addr(QStringLiteral("198.18.2.77"));
                m_paths->set(dest, moved);
            }
        });
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        const WatchSnapshot s = watch.snapshot();
        QCOMPARE(s.pathChanges.size(), 1);
        QCOMPARE(s.pathChanges.first().ttl, 2);
        QCOMPARE(s.pathChanges.first().round, 4);
        QCOMPARE(s.hops.at(1).responders.size(), 2);
        QCOMPARE(s.hops.at(1).responders.first().address, addr(QStringLiteral("198.18.2.77")));
    }

    void stopMidWatch()
    {
        m_paths->set(QStringLiteral("198.19.10.1"), chain(3));
        WatchSession watch(m_engine.get(), watchOf("198.19.10.1", 0));
        QSignalSpy rounds(&watch, &WatchSession::roundFinished);
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_VERIFY_WITH_TIMEOUT(rounds.size() >= 2, 10000);
        watch.stop();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(toString(finished.first().at(0).value<WatchEndReason>()), toString(WatchEndReason::Stopped));
        const WatchSnapshot s = watch.snapshot();
        QCOMPARE(toString(s.endReason), toString(WatchEndReason::Stopped));
        QVERIFY(s.endedAtMs >= s.startedAtMs);
        QVERIFY(s.hops.first().stats.sent >= 2);
        QVERIFY(!watch.isRunning());
    }

    void badRequest_data()
    {
        QTest::addColumn<double>("interval");
        QTest::addColumn<int>("cycles");
        QTest::addColumn<QString>("message");

        QTest::newRow("interval too short") << 0.05 << 1 << "interval must be 0.1-3600 seconds, got 0.05";
        QTest::newRow("interval too long") << 3601.0 << 1 << "interval must be 0.1-3600 seconds, got 3601";
        QTest::newRow("negative cycles")
            << 1.0 << -1 << "cycles must be 0 (until stopped) to 1000000, got -1";
    }
    void badRequest()
    {
        QFETCH(double, interval);
        QFETCH(int, cycles);
        QFETCH(QString, message);
        WatchRequest w = watchOf("198.19.10.1", cycles);
        w.intervalSec = interval;
        WatchSession watch(m_engine.get(), w);
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(toString(finished.first().at(0).value<WatchEndReason>()), toString(WatchEndReason::Failed));
        QCOMPARE(finished.first().at(1).toString(), message);
        QCOMPARE(m_requests.size(), 0);
    }

    // A round that cannot run (no path to the target) ends the watch with its message.
    void failedRound()
    {
        WatchSession watch(m_engine.get(), watchOf("198.19.99.1", 3));
        QSignalSpy finished(&watch, &WatchSession::finished);
        watch.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(toString(finished.first().at(0).value<WatchEndReason>()), toString(WatchEndReason::Failed));
        QCOMPARE(finished.first().at(1).toString(), QStringLiteral("no simulated path"));
    }

    void severalWatchesOnOneEngine()
    {
        m_paths->set(QStringLiteral("198.19.10.1"), chain(2));
        m_paths->set(QStringLiteral("198.19.10.2"), chain(5, 1));
        WatchSession a(m_engine.get(), watchOf("198.19.10.1", 4));
        WatchSession b(m_engine.get(), watchOf("198.19.10.2", 3));
        QSignalSpy aDone(&a, &WatchSession::finished);
        QSignalSpy bDone(&b, &WatchSession::finished);
        a.start();
        b.start();
        QTRY_COMPARE_WITH_TIMEOUT(aDone.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bDone.size(), 1, 10000);
        QCOMPARE(a.snapshot().hops.size(), 3);
        QCOMPARE(b.snapshot().hops.size(), 6);
        QCOMPARE(a.snapshot().hops.first().stats.sent, 4);
        QCOMPARE(b.snapshot().hops.first().stats.sent, 3);
    }
};

QTEST_GUILESS_MAIN(tst_WatchSession)
#include "tst_watchsession.moc"
