// The engine (TraceSchedule driven by its jobs) against simulated networks on a stepped
// fake clock: ordering, adaptive waits, the max-gap stop, the in-flight window,
// cancellation and concurrent traces. No assertion depends on how fast this machine is:
// times are the fake clock's, exact to the nanosecond.
#include "enginethread.h"
#include "fakeclock.h"
#include "simulatednetwork.h"
#include "traceengine.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace tracemap;
using namespace tracemap::test;

namespace {

QHostAddress addr(const char *text)
{
    return QHostAddress(QString::fromLatin1(text));
}

SimPath chain(int routers, double rttStepMs = 1.0)
{
    SimPath p;
    for (int i = 1; i <= routers; ++i)
        p.routers.append(
            {addr(qPrintable(QStringLiteral("198.18.%1.1").arg(i))), rttStepMs * i, false, false});
    p.destinationRttMs = rttStepMs * (routers + 1);
    return p;
}

TraceRequest request(const char *target)
{
    TraceRequest r;
    r.target = QString::fromLatin1(target);
    r.timeoutSec = 1.0;
    return r;
}

TraceResult lastResult(const QSignalSpy &spy)
{
    return spy.last().at(1).value<TraceResult>();
}

constexpr qint64 kMs = FakeClock::kMs;
// Far beyond any trace here: runUntil() gives up (and the test fails) rather than hang.
constexpr qint64 kLimitNs = 120000 * kMs;

// A simulated network and an engine on one fake clock.
struct Rig
{
    std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
    SimulatedNetwork net;
    std::unique_ptr<TraceEngine> engine;

    Rig() { net.clock = clock; }
    TraceEngine &start()
    {
        engine = std::make_unique<TraceEngine>(std::make_unique<SimulatedFactory>(net), clock);
        return *engine;
    }
    bool runUntil(const std::function<bool()> &done) { return clock->runUntil(done, kLimitNs); }
    qint64 nowMs() const { return clock->nowNs() / kMs; }
};

// Steps the clock inside the engine's thread (its alarms and the simulated answers belong
// to it) until `done()` holds in this thread.
bool runEngineThreadUntil(EngineThread &thread, FakeClock &clock, const std::function<bool()> &done)
{
    for (int idle = 0; idle < 1000;) {
        QCoreApplication::processEvents();
        if (done())
            return true;
        bool fired = false;
        QMetaObject::invokeMethod(
            thread.engine(), [&] { fired = clock.step(kLimitNs); }, Qt::BlockingQueuedConnection);
        idle = fired ? 0 : idle + 1; // nothing due: the engine is still busy with posted work
    }
    return done();
}

} // namespace

class tst_TraceEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { registerTraceTypes(); }

    void path_data()
    {
        QTest::addColumn<SimPath>("path");
        QTest::addColumn<int>("maxGap");
        QTest::addColumn<int>("expectedHops");
        QTest::addColumn<bool>("reached");
        QTest::addColumn<QList<int>>("silentTtls");
        QTest::addColumn<int>("finishedAtMs"); // on the fake clock, from the start

        // The destination (TTL 7, 7 ms) answers the first window's probes.
        QTest::newRow("plain chain of 6") << chain(6) << 5 << 7 << true << QList<int>{} << 7;
        SimPath silentMid = chain(6);
        silentMid.routers[2].silent = true;
        // A silent router mid-path is cut short by the later hops' answers (NEAR), not
        // waited for the full timeout.
        // NEAR: 10 × the 4 ms of TTL 4 = 40 ms instead of the 1 s timeout.
        QTest::newRow("silent router at ttl 3") << silentMid << 5 << 7 << true << QList<int>{3} << 40;
        SimPath filtered = chain(4);
        filtered.destinationAnswers = false;
        // Routers 1-4 answer; TTLs 5-9 are silent; the trace stops after the gap of 5. TTLs
        // 5-8 left at 0 ms in the first window, TTL 9 at 1 ms when TTL 1's answers freed
        // room: nothing answers beyond them, so each waits the full 1 s timeout.
        QTest::newRow("filtered destination")
            << filtered << 5 << 9 << false << QList<int>{5, 6, 7, 8, 9} << 1001;
        QTest::newRow("filtered destination, gap 2")
            << filtered << 2 << 6 << false << QList<int>{5, 6} << 1000;
        SimPath unreachable = chain(5);
        unreachable.routers[3].unreachable = true;
        // A router answering "host unreachable" ends the path there (!H).
        QTest::newRow("unreachable at ttl 4") << unreachable << 5 << 4 << false << QList<int>{} << 4;
    }

    void path()
    {
        QFETCH(SimPath, path);
        QFETCH(int, maxGap);
        QFETCH(int, expectedHops);
        QFETCH(bool, reached);
        QFETCH(QList<int>, silentTtls);
        QFETCH(int, finishedAtMs);

        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), path);
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        TraceRequest r = request("203.0.113.9");
        r.maxGap = maxGap;
        engine.startTrace(1, r);
        QVERIFY(rig.runUntil([&] { return !finished.isEmpty(); }));
        QCOMPARE(rig.clock->nowNs(), finishedAtMs * kMs);

        const TraceResult result = lastResult(finished);
        QCOMPARE(int(result.error), int(TraceError::None));
        QCOMPARE(result.reached, reached);
        QCOMPARE(result.hops.size(), expectedHops);
        for (int i = 0; i < result.hops.size(); ++i) {
            const Hop &hop = result.hops.at(i);
            QCOMPARE(hop.ttl, i + 1);
            QVERIFY(hop.complete);
            QCOMPARE(hop.replies.size(), r.queries);
            if (silentTtls.contains(hop.ttl)) {
                QVERIFY2(!hop.anyAnswer(),
                         qPrintable(QStringLiteral("ttl %1 should be silent").arg(hop.ttl)));
                continue;
            }
            const QHostAddress expected =
                hop.ttl <= path.routers.size() ? path.routers.at(hop.ttl - 1).address : addr("203.0.113.9");
            QCOMPARE(hop.responders(), QList<QHostAddress>{expected});
            for (const ProbeReply &reply : hop.replies)
                QVERIFY(reply.rttMs >= 0);
        }
    }

    void hopsAreReportedAsTheyArrive()
    {
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(3, 20.0));
        TraceEngine &engine = rig.start();
        QSignalSpy hops(&engine, &TraceEngine::hopUpdated);
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        engine.startTrace(7, request("203.0.113.9"));
        // The first router answers after 20 ms: it is reported then, long before the trace
        // ends when the destination answers at 80 ms.
        QVERIFY(rig.runUntil([&] { return !hops.isEmpty(); }));
        QCOMPARE(rig.nowMs(), 20);
        QCOMPARE(hops.first().at(0).value<quint64>(), quint64(7));
        QCOMPARE(hops.first().at(1).value<Hop>().ttl, 1);
        QVERIFY(finished.isEmpty());
        QVERIFY(rig.runUntil([&] { return !finished.isEmpty(); }));
        QCOMPARE(rig.nowMs(), 80);
        // Every reply produced an update; the last update of a hop equals its final state.
        QCOMPARE(hops.size(), 4 * 3);
        const TraceResult result = lastResult(finished);
        for (const Hop &h : result.hops) {
            Hop last;
            for (const auto &args : hops) {
                const Hop u = args.at(1).value<Hop>();
                if (u.ttl == h.ttl)
                    last = u;
            }
            QCOMPARE(last, h);
        }
    }

    void windowIsBounded_data()
    {
        QTest::addColumn<int>("maxInFlight");
        QTest::newRow("1 probe") << 1;
        QTest::newRow("5 probes") << 5;
        QTest::newRow("48 probes") << 48;
    }

    void windowIsBounded()
    {
        QFETCH(int, maxInFlight);
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(10, 0.5));
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        TraceRequest r = request("203.0.113.9");
        r.maxInFlight = maxInFlight;
        engine.startTrace(1, r);
        QVERIFY(rig.runUntil([&] { return !finished.isEmpty(); }));
        QVERIFY(lastResult(finished).reached);
        QCOMPARE_LE(rig.net.stats->maxInFlight, maxInFlight);
        QCOMPARE(lastResult(finished).hops.size(), 11);
    }

    void cancelStopsAtOnce()
    {
        Rig rig;
        SimPath filtered = chain(2);
        filtered.destinationAnswers = false;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), filtered);
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        TraceRequest r = request("203.0.113.9");
        r.timeoutSec = 30;
        engine.startTrace(1, r);
        rig.clock->runUntil([] { return false; }, 50 * kMs); // everything due in the first 50 ms
        rig.clock->advanceTo(50 * kMs);
        QVERIFY(finished.isEmpty()); // probes of TTL 3 and beyond wait up to 30 s
        // The trace ends inside cancel(): no time passes and no event has to run.
        engine.cancel(1);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(rig.nowMs(), 50);
        const TraceResult result = lastResult(finished);
        QCOMPARE(int(result.error), int(TraceError::Cancelled));
        QCOMPARE(engine.activeJobs(), 0);
        // Nothing of the trace is left waiting on the clock once the job is gone.
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QCOMPARE(rig.clock->pending(), 0);
    }

    void concurrentTracesKeepTheirOwnHops()
    {
        Rig rig;
        for (int i = 1; i <= 20; ++i) {
            SimPath p;
            for (int h = 1; h <= 1 + i % 7; ++h)
                p.routers.append({addr(qPrintable(QStringLiteral("198.18.%1.%2").arg(i).arg(h))), 0.2 * h});
            rig.net.paths.insert(QStringLiteral("203.0.113.%1").arg(i), p);
        }
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        for (int i = 1; i <= 20; ++i)
            engine.startTrace(quint64(i), request(qPrintable(QStringLiteral("203.0.113.%1").arg(i))));
        QVERIFY(rig.runUntil([&] { return finished.size() == 20; }));
        // Each destination answers after its own 5 ms: the traces ran side by side.
        QCOMPARE(rig.nowMs(), 5);
        for (const auto &args : finished) {
            const int i = int(args.at(0).value<quint64>());
            const TraceResult r = args.at(1).value<TraceResult>();
            QCOMPARE(r.destination, addr(qPrintable(QStringLiteral("203.0.113.%1").arg(i))));
            QVERIFY(r.reached);
            QCOMPARE(r.hops.size(), 1 + i % 7 + 1);
            for (const Hop &h : r.hops) {
                if (h.ttl <= 1 + i % 7)
                    QCOMPARE(h.responders().value(0),
                             addr(qPrintable(QStringLiteral("198.18.%1.%2").arg(i).arg(h.ttl))));
            }
        }
    }

    // A Paris trace's flow id reaches its transport (as the UDP/TCP source port and, for ICMP,
    // the echo id); classic traces and pings keep choosing their own.
    void flowIdReachesTheTransport_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<bool>("classic");
        QTest::addColumn<int>("flowId");
        QTest::addColumn<int>("expectedFlowId");
        QTest::addColumn<int>("expectedIcmpId"); // -1: any non-zero id

        const int udp = int(ProbeMethod::Udp), icmp = int(ProbeMethod::Icmp), tcp = int(ProbeMethod::Tcp);
        QTest::newRow("paris udp, flow 40001") << udp << false << 40001 << 40001 << 0;
        QTest::newRow("paris tcp, flow 40002") << tcp << false << 40002 << 40002 << 0;
        QTest::newRow("paris icmp: flow is the echo id") << icmp << false << 40003 << 40003 << 40003;
        QTest::newRow("paris udp, no flow") << udp << false << 0 << 0 << 0;
        QTest::newRow("paris icmp, no flow: random echo id") << icmp << false << 0 << 0 << -1;
        QTest::newRow("classic udp ignores the flow") << udp << true << 40004 << 0 << 0;
        QTest::newRow("classic icmp ignores the flow") << icmp << true << 40005 << 0 << -1;
    }
    void flowIdReachesTheTransport()
    {
        QFETCH(int, method);
        QFETCH(bool, classic);
        QFETCH(int, flowId);
        QFETCH(int, expectedFlowId);
        QFETCH(int, expectedIcmpId);
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(2));
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        TraceRequest r = request("203.0.113.9");
        r.method = ProbeMethod(method);
        r.flow = classic ? FlowMode::Classic : FlowMode::Paris;
        r.flowId = quint16(flowId);
        engine.startTrace(1, r);
        QVERIFY(rig.runUntil([&] { return !finished.isEmpty(); }));
        QVERIFY(lastResult(finished).reached);
        QCOMPARE(rig.net.stats->configs.size(), 1);
        const TransportConfig &c = rig.net.stats->configs.first();
        QCOMPARE(int(c.flowId), expectedFlowId);
        if (expectedIcmpId < 0)
            QVERIFY(c.icmpId != 0);
        else
            QCOMPARE(int(c.icmpId), expectedIcmpId);
    }

    // Two live ICMP traces never share an echo id, even when both ask for the same flow: a
    // router quoting only the echo header would make their answers indistinguishable. Once
    // the first is done, a later trace (the next round of a watch) gets the flow again.
    void echoIdOfAFlowIsNotShared()
    {
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(2));
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        TraceRequest r = request("203.0.113.9");
        r.method = ProbeMethod::Icmp;
        r.flowId = 40010;
        engine.startTrace(1, r);
        engine.startTrace(2, r);
        QVERIFY(rig.runUntil([&] { return finished.size() == 2; }));
        engine.startTrace(3, r);
        QVERIFY(rig.runUntil([&] { return finished.size() == 3; }));
        const QList<TransportConfig> &configs = rig.net.stats->configs;
        QCOMPARE(configs.size(), 3);
        QCOMPARE(int(configs.at(0).icmpId), 40010);
        QVERIFY(configs.at(1).icmpId != 0);
        QVERIFY(configs.at(1).icmpId != 40010);
        QCOMPARE(int(configs.at(2).icmpId), 40010);
    }

    void badRequestsFail_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("maxTtl");
        QTest::addColumn<int>("queries");
        QTest::addColumn<double>("timeout");
        QTest::addColumn<int>("family");
        QTest::addColumn<int>("error");
        const int invalid = int(TraceError::InvalidRequest);
        QTest::newRow("empty host") << QString() << 30 << 3 << 1.0 << 0 << invalid;
        QTest::newRow("host with space") << QStringLiteral("a b") << 30 << 3 << 1.0 << 0 << invalid;
        QTest::newRow("bad ipv4 literal") << QStringLiteral("1.2.3.999") << 30 << 3 << 1.0 << 0 << invalid;
        QTest::newRow("max ttl 0") << QStringLiteral("203.0.113.9") << 0 << 3 << 1.0 << 0 << invalid;
        QTest::newRow("max ttl 256") << QStringLiteral("203.0.113.9") << 256 << 3 << 1.0 << 0 << invalid;
        QTest::newRow("queries 11") << QStringLiteral("203.0.113.9") << 30 << 11 << 1.0 << 0 << invalid;
        QTest::newRow("timeout too short")
            << QStringLiteral("203.0.113.9") << 30 << 3 << 0.05 << 0 << invalid;
        QTest::newRow("ipv6 only for ipv4 literal")
            << QStringLiteral("203.0.113.9") << 30 << 3 << 1.0 << int(AddressFamily::IPv6)
            << int(TraceError::NoAddressForFamily);
        QTest::newRow("ipv4 only for ipv6 literal")
            << QStringLiteral("2001:db8::1") << 30 << 3 << 1.0 << int(AddressFamily::IPv4)
            << int(TraceError::NoAddressForFamily);
        // "::" is IPv6: it must not become the IPv4 0.0.0.0 on its way to the transport.
        QTest::newRow("ipv4 only for :: literal")
            << QStringLiteral("::") << 30 << 3 << 1.0 << int(AddressFamily::IPv4)
            << int(TraceError::NoAddressForFamily);
    }

    void mappedTargetIsTracedAsIPv4()
    {
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(2));
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        TraceRequest r = request("::ffff:203.0.113.9");
        r.family = AddressFamily::IPv4;
        engine.startTrace(1, r);
        QVERIFY(rig.runUntil([&] { return !finished.isEmpty(); }));
        const TraceResult result = lastResult(finished);
        QCOMPARE(int(result.error), int(TraceError::None));
        QCOMPARE(result.destination, addr("203.0.113.9"));
        QVERIFY(result.reached);
    }

    void badRequestsFail()
    {
        QFETCH(QString, target);
        QFETCH(int, maxTtl);
        QFETCH(int, queries);
        QFETCH(double, timeout);
        QFETCH(int, family);
        QFETCH(int, error);
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(2));
        TraceEngine &engine = rig.start();
        QSignalSpy finished(&engine, &TraceEngine::traceFinished);
        TraceRequest r;
        r.target = target;
        r.maxTtl = maxTtl;
        r.queries = queries;
        r.timeoutSec = timeout;
        r.family = AddressFamily(family);
        engine.startTrace(1, r);
        QVERIFY(rig.runUntil([&] { return !finished.isEmpty(); }));
        QCOMPARE(rig.nowMs(), 0); // refused before anything is sent or waited for
        const TraceResult result = lastResult(finished);
        QCOMPARE(int(result.error), error);
        QVERIFY(!result.errorMessage.isEmpty());
        QVERIFY(result.hops.isEmpty());
    }

    void pingCountsReplies()
    {
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(2));
        TraceEngine &engine = rig.start();
        QSignalSpy replies(&engine, &TraceEngine::pingReply);
        QSignalSpy finished(&engine, &TraceEngine::pingFinished);
        PingRequest r;
        r.target = QStringLiteral("203.0.113.9");
        r.count = 4;
        r.intervalSec = 0.02;
        r.timeoutSec = 0.5;
        engine.startPing(3, r);
        QVERIFY(rig.runUntil([&] { return !finished.isEmpty(); }));
        // Attempts leave every 20 ms; the last one (at 60 ms) is answered after 3 ms.
        QCOMPARE(rig.nowMs(), 63);
        QCOMPARE(replies.size(), 4);
        const PingResult result = finished.last().at(1).value<PingResult>();
        QCOMPARE(result.replies.size(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(result.replies.at(i).query, i + 1);
            QVERIFY(result.replies.at(i).fromDestination);
            QCOMPARE(result.replies.at(i).rttMs, 3.0);
        }
        QCOMPARE(result.stats().received, 4);
        QCOMPARE(result.stats().lossPercent, 0.0);
    }

    void engineThreadDeliversAcrossThreads()
    {
        Rig rig;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), chain(3));
        EngineThread thread(std::make_unique<SimulatedFactory>(rig.net), rig.clock);
        // Signals cross into this thread queued, as they do for the UI.
        QObject receiver;
        QList<Hop> hops;
        QList<TraceResult> finished;
        QThread *receivedOn = nullptr;
        connect(thread.engine(), &TraceEngine::hopUpdated, &receiver,
                [&](quint64, const Hop &h) { hops.append(h); });
        connect(thread.engine(), &TraceEngine::traceFinished, &receiver,
                [&](quint64 id, const TraceResult &r) {
                    QCOMPARE(id, quint64(1));
                    receivedOn = QThread::currentThread();
                    finished.append(r);
                });
        const quint64 id = thread.startTrace(request("203.0.113.9"));
        QCOMPARE(id, quint64(1));
        QVERIFY(runEngineThreadUntil(thread, *rig.clock, [&] { return finished.size() == 1; }));
        QCOMPARE(rig.nowMs(), 4);
        QCOMPARE(receivedOn, QThread::currentThread());
        QVERIFY(finished.first().reached);
        QCOMPARE(hops.size(), 4 * 3);
        // Shutdown is bounded and never needs terminate(): it waits for nothing on the
        // engine's clock, which does not move.
        QVERIFY(thread.shutdown(1000));
        QCOMPARE(rig.nowMs(), 4);
    }

    void shutdownMidTraceIsQuick()
    {
        Rig rig;
        SimPath filtered = chain(2);
        filtered.destinationAnswers = false;
        rig.net.paths.insert(QStringLiteral("203.0.113.9"), filtered);
        EngineThread thread(std::make_unique<SimulatedFactory>(rig.net), rig.clock);
        QList<Hop> hops;
        QObject receiver;
        connect(thread.engine(), &TraceEngine::hopUpdated, &receiver,
                [&](quint64, const Hop &h) { hops.append(h); });
        TraceRequest r = request("203.0.113.9");
        r.timeoutSec = 30;
        thread.startTrace(r);
        // Mid trace: TTL 1 has answered, later TTLs' probes wait up to 30 s.
        QVERIFY(runEngineThreadUntil(thread, *rig.clock, [&] { return !hops.isEmpty(); }));
        QCOMPARE(rig.nowMs(), 1);
        // The trace is cancelled and the thread stops without any probe timing out: the
        // engine's clock stands still throughout.
        QVERIFY(thread.shutdown(1000));
        QCOMPARE(rig.nowMs(), 1);
    }
};

QTEST_MAIN(tst_TraceEngine)
#include "tst_traceengine.moc"
