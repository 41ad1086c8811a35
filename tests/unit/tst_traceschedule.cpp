// TraceSchedule, the pure trace algorithm, stepped through time by hand: which probes go
// out when, how long each is waited for, where the path ends and when the trace is done.
// A model network (schedulemodel.h) answers each probe after its hop's RTT; nothing here
// reads a clock.
#include "schedulemodel.h"
#include "traceschedule.h"

#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

Run simulate(const Model &model, const TraceRequest &r)
{
    TraceSchedule s(r, kDestination);
    return runSchedule(s, model);
}

TraceRequest request()
{
    return modelRequest();
}

} // namespace

class tst_TraceSchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void trace_data()
    {
        QTest::addColumn<Model>("model");
        QTest::addColumn<TraceRequest>("request");
        QTest::addColumn<QStringList>("sends");
        QTest::addColumn<qint64>("doneAtNs");
        QTest::addColumn<QStringList>("hops");

        const TraceRequest plain = request();
        // A window of 24 holds TTLs 1-8; each answer lets one more probe out. The
        // destination answers TTL 7 at 7 ms, which drops TTL 8 and everything after it.
        QTest::newRow("plain chain of 6")
            << chain(6) << plain
            << QStringList{"0:1.1-8.3",        "1:9.1,9.2,9.3",    "2:10.1,10.2,10.3", "3:11.1,11.2,11.3",
                           "4:12.1,12.2,12.3", "5:13.1,13.2,13.3", "6:14.1,14.2,14.3"}
            << 7 * kMs << chainHops(6, true);

        Model silentMid = chain(6);
        silentMid.hops[2].address.clear();
        // NEAR: TTL 4 answered in 4 ms, so TTL 3 is waited for 10 × 4 = 40 ms, not 1 s.
        QStringList silentHops = chainHops(6, true);
        silentHops[2] = QStringLiteral("3:*");
        QTest::newRow("silent router at ttl 3, near cut")
            << silentMid << plain << QStringList{"0:1.1-8.3",        "1:9.1,9.2,9.3",    "2:10.1,10.2,10.3",
                                                 "4:11.1,11.2,11.3", "5:12.1,12.2,12.3", "6:13.1,13.2,13.3"}
            << 40 * kMs << silentHops;

        Model lossy = chain(3);
        lossy.hops[1].lostQueries = {2};
        // HERE: TTL 2 answered in 2 ms, so its lost second probe is waited for 3 × 2 = 6 ms
        // (NEAR would allow 10 × 3 ms).
        QTest::newRow("one lost probe at ttl 2, here cut")
            << lossy << plain << QStringList{"0:1.1-8.3", "1:9.1,9.2,9.3", "2:10.1,10.2", "3:10.3,11.1,11.2"}
            << 6 * kMs << chainHops(3, true);

        Model filtered = chain(4);
        filtered.destinationRttMs = 0;
        // Routers 1-4 answer, nothing beyond: TTLs 5-8 (sent at 0) and 9 (sent at 1 ms)
        // wait the full second; the gap of 5 closes when TTL 9 expires.
        QStringList filteredHops = chainHops(4, false);
        for (int ttl = 5; ttl <= 9; ++ttl)
            filteredHops.append(QStringLiteral("%1:*").arg(ttl));
        QTest::newRow("filtered destination, gap 5")
            << filtered << plain << QStringList{"0:1.1-8.3",        "1:9.1,9.2,9.3",    "2:10.1,10.2,10.3",
                                                "3:11.1,11.2,11.3", "4:12.1,12.2,12.3", "1000:13.1-16.3"}
            << 1001 * kMs << filteredHops;
        TraceRequest gap2 = plain;
        gap2.maxGap = 2;
        QTest::newRow("filtered destination, gap 2")
            << filtered << gap2
            << QStringList{"0:1.1-8.3", "1:9.1,9.2,9.3", "2:10.1,10.2,10.3", "3:11.1,11.2,11.3",
                           "4:12.1,12.2,12.3"}
            << 1000 * kMs << filteredHops.mid(0, 6);

        Model unreachable = chain(5);
        unreachable.hops[3].unreachable = true;
        // !H from TTL 4 at 4 ms ends the path there.
        QTest::newRow("unreachable at ttl 4")
            << unreachable << plain
            << QStringList{"0:1.1-8.3", "1:9.1,9.2,9.3", "2:10.1,10.2,10.3", "3:11.1,11.2,11.3"} << 4 * kMs
            << chainHops(4, false);

        TraceRequest one = plain;
        one.maxInFlight = 1;
        // A window of one: each probe leaves when the previous one is answered.
        QTest::newRow("window of 1") << chain(1) << one
                                     << QStringList{"0:1.1", "1:1.2", "2:1.3", "3:2.1", "5:2.2", "7:2.3"}
                                     << 9 * kMs << chainHops(1, true);

        TraceRequest short3 = plain;
        short3.maxTtl = 3;
        Model filtered1 = chain(1);
        filtered1.destinationRttMs = 0;
        // The max TTL ends the trace before the gap could.
        QTest::newRow("max ttl 3, filtered") << filtered1 << short3 << QStringList{"0:1.1-3.3"} << 1000 * kMs
                                             << QStringList{"1:198.18.1.1", "2:*", "3:*"};

        TraceRequest from3 = plain;
        from3.firstTtl = 3;
        from3.queries = 1;
        QTest::newRow("first ttl 3, one query")
            << chain(4) << from3 << QStringList{"0:3.1-26.1", "3:27.1", "4:28.1"} << 5 * kMs
            << QStringList{"3:198.18.3.1", "4:198.18.4.1", "5:203.0.113.9"};
    }

    void trace()
    {
        QFETCH(Model, model);
        QFETCH(TraceRequest, request);
        QFETCH(QStringList, sends);
        QFETCH(qint64, doneAtNs);
        QFETCH(QStringList, hops);

        const Run run = simulate(model, request);
        QCOMPARE(run.sends, sends);
        QCOMPARE(run.doneAtNs, doneAtNs);
        QCOMPARE(run.hops, hops);
        QCOMPARE_LE(run.maxInFlight, request.maxInFlight);
    }

    // Every answer and every silence is reported at its instant, by TTL; nothing beyond
    // where the trace ends.
    void updatesAsTheyHappen()
    {
        Model filtered = chain(1);
        filtered.destinationRttMs = 0;
        TraceRequest r = request();
        r.maxGap = 2;
        r.maxInFlight = 9;
        const Run run = simulate(filtered, r);
        QCOMPARE(run.updates, (QStringList{"1:1", "1:1", "1:1", "1000:2", "1000:3"}));
        QCOMPARE(run.doneAtNs, 1000 * kMs);
    }

    void lateAnswersAreIgnored()
    {
        TraceRequest r = request();
        r.maxTtl = 1;
        r.queries = 1;
        TraceSchedule s(r, kDestination);
        const std::optional<PlannedProbe> p = s.nextProbe();
        QVERIFY(p);
        QCOMPARE(*p, (PlannedProbe{0, 1, 1}));
        s.onSent(0, *p, 0);
        QVERIFY(!s.nextProbe()); // max TTL 1, one query: all out
        QCOMPARE(s.nextWakeup(), std::optional<qint64>(1000 * kMs));
        QVERIFY(s.onWakeup(999 * kMs).isEmpty()); // not yet
        const QList<Hop> silent = s.onWakeup(1000 * kMs);
        QCOMPARE(silent.size(), 1);
        QVERIFY(!silent.first().anyAnswer());
        QCOMPARE(s.takeReleased(), QList<quint16>{0});
        QVERIFY(s.isDone());
        ProbeEvent late;
        late.seq = 0;
        late.responder = QHostAddress(QStringLiteral("198.18.1.1"));
        late.kind = ReplyKind::TimeExceeded;
        QVERIFY(!s.onReply(1001 * kMs, late));
        QVERIFY(s.takeReleased().isEmpty());
        QCOMPARE(s.resultHops(true).size(), 1);
    }

    void adaptiveDeadlines_data()
    {
        QTest::addColumn<double>("hereRttMs");  // answer already seen at the probe's TTL; < 0 none
        QTest::addColumn<double>("laterRttMs"); // answer of a later TTL; < 0 none
        QTest::addColumn<qint64>("deadlineNs"); // for a probe sent at 10 ms, timeout 1 s

        QTest::newRow("nothing seen: the timeout") << -1.0 << -1.0 << 1010 * kMs;
        QTest::newRow("here 3 x 5 ms") << 5.0 << -1.0 << 25 * kMs;
        QTest::newRow("near 10 x 4 ms") << -1.0 << 4.0 << 50 * kMs;
        QTest::newRow("the shorter of here and near") << 20.0 << 4.0 << 50 * kMs;
        QTest::newRow("never below 2 ms") << 0.1 << 0.1 << 12 * kMs;
        QTest::newRow("never beyond the timeout") << 500.0 << 200.0 << 1010 * kMs;
    }

    void adaptiveDeadlines()
    {
        QFETCH(double, hereRttMs);
        QFETCH(double, laterRttMs);
        QFETCH(qint64, deadlineNs);

        TraceRequest r = request();
        r.firstTtl = 1;
        r.maxTtl = 2;
        r.queries = 2;
        TraceSchedule s(r, kDestination);
        // TTL 1 query 1 and TTL 2 query 1 answer (or not); TTL 1 query 2 is the probe.
        const qint64 sentAt = 10 * kMs;
        QList<PlannedProbe> sent;
        while (const std::optional<PlannedProbe> p = s.nextProbe()) {
            s.onSent(sentAt, *p, 0);
            sent.append(*p);
        }
        QCOMPARE(sent.size(), 4);
        auto answer = [&](const PlannedProbe &p, double rttMs) {
            ProbeEvent e;
            e.seq = p.seq;
            e.responder = QHostAddress(QStringLiteral("198.18.0.%1").arg(p.ttl));
            e.kind = ReplyKind::TimeExceeded;
            QVERIFY(s.onReply(sentAt + qint64(rttMs * kMs), e));
        };
        if (hereRttMs >= 0)
            answer(sent.at(0), hereRttMs);
        if (laterRttMs >= 0)
            answer(sent.at(2), laterRttMs);
        QCOMPARE(s.deadlineOf(sent.at(1).seq), std::optional<qint64>(deadlineNs));
    }

    void rtt_data()
    {
        QTest::addColumn<qint64>("sentRealNs");
        QTest::addColumn<qint64>("receivedRealNs");
        QTest::addColumn<double>("rttMs"); // sent at monotonic 100 ms, now 107.5 ms

        const qint64 wall = 1700000000LL * 1000000000LL;
        QTest::newRow("kernel stamps") << wall << wall + 4 * kMs << 4.0;
        QTest::newRow("no receive stamp: monotonic") << wall << qint64(0) << 7.5;
        QTest::newRow("wall clock stepped back: monotonic") << wall << wall - kMs << 7.5;
        QTest::newRow("wall clock leapt: monotonic") << wall << wall + 7200000 * kMs << 7.5;
    }

    void rtt()
    {
        QFETCH(qint64, sentRealNs);
        QFETCH(qint64, receivedRealNs);
        QFETCH(double, rttMs);
        QCOMPARE(probeRttMs(sentRealNs, 100 * kMs, receivedRealNs, 107500000), rttMs);
    }

    void reply_data()
    {
        QTest::addColumn<QString>("responder");
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("fromDestination");

        QTest::newRow("router") << "198.18.1.1" << int(ReplyKind::TimeExceeded) << false;
        QTest::newRow("destination port unreachable") << "203.0.113.9" << int(ReplyKind::Unreachable) << true;
        QTest::newRow("destination echo reply") << "203.0.113.9" << int(ReplyKind::EchoReply) << true;
        // Reassembly timeout from the destination's own address is not an arrival.
        QTest::newRow("destination time exceeded") << "203.0.113.9" << int(ReplyKind::TimeExceeded) << false;
    }

    void reply()
    {
        QFETCH(QString, responder);
        QFETCH(int, kind);
        QFETCH(bool, fromDestination);
        ProbeEvent e;
        e.responder = QHostAddress(responder);
        e.kind = ReplyKind(kind);
        e.icmpType = 3;
        e.icmpCode = 3;
        const ProbeReply r = replyFromEvent(e, 2, 1.5, kDestination);
        QCOMPARE(r.query, 2);
        QCOMPARE(r.rttMs, 1.5);
        QCOMPARE(r.responder, e.responder);
        QCOMPARE(r.icmpType, 3);
        QCOMPARE(r.fromDestination, fromDestination);
    }

    // Cut short, the result keeps only hops with something measured; the seqs still on
    // the wire are handed back for release.
    void abandonMidTrace()
    {
        TraceRequest r = request();
        r.queries = 1;
        r.maxInFlight = 3;
        TraceSchedule s(r, kDestination, 500);
        QList<PlannedProbe> sent;
        while (const std::optional<PlannedProbe> p = s.nextProbe()) {
            s.onSent(0, *p, 0);
            sent.append(*p);
        }
        QCOMPARE(sent.size(), 3);
        QCOMPARE(sent.first().seq, quint16(500));
        ProbeEvent e;
        e.seq = 501;
        e.responder = QHostAddress(QStringLiteral("198.18.2.1"));
        e.kind = ReplyKind::TimeExceeded;
        QVERIFY(s.onReply(2 * kMs, e));
        QCOMPARE(s.takeReleased(), QList<quint16>{501});
        QList<quint16> abandoned = s.abandon();
        std::sort(abandoned.begin(), abandoned.end());
        QCOMPARE(abandoned, (QList<quint16>{500, 502}));
        QCOMPARE(s.inFlightCount(), 0);
        QVERIFY(!s.nextWakeup());
        const QList<Hop> hops = s.resultHops(false);
        QCOMPARE(hops.size(), 1);
        QCOMPARE(hops.first().ttl, 2);
        QCOMPARE(s.nextSeq(), quint16(503)); // a next round would continue here
    }
};

QTEST_MAIN(tst_TraceSchedule)
#include "tst_traceschedule.moc"
