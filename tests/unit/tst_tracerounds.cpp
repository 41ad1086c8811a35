// TraceRounds, the schedule repeated round after round over one flow (watch mode), stepped
// through time by hand on the model network of schedulemodel.h: the TTL range each round
// probes, when each round is done, whether it reached, and sequence numbers that never
// repeat across rounds.
#include "schedulemodel.h"
#include "tracerounds.h"

#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

// Rounds start every 10 s here; each is done long before the next.
constexpr qint64 kRoundPeriodNs = 10000 * kMs;

Model filteredChain(int routers)
{
    Model m = chain(routers);
    m.destinationRttMs = 0;
    return m;
}

} // namespace

class tst_TraceRounds : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rounds_data()
    {
        QTest::addColumn<QList<Model>>("models"); // the network during each round
        QTest::addColumn<QList<int>>("maxTtls");  // what each round probes up to
        QTest::addColumn<QList<int>>("doneAfterMs");
        QTest::addColumn<QList<bool>>("reached");

        // Once the destination answered at TTL 7, rounds stop there: 21 probes, no window
        // of probes beyond the destination.
        QTest::newRow("destination found, then kept")
            << QList<Model>{chain(6), chain(6), chain(6)} << QList<int>{30, 7, 7} << QList<int>{7, 7, 7}
            << QList<bool>{true, true, true};
        // The path grows by two routers: the round limited to 7 ends without the destination,
        // so the next probes the full range again and finds it at 9.
        // (TTL 9 leaves at 1 ms, when TTL 1's answers free room in the window of 24, and is
        // answered 9 ms later).
        QTest::newRow("path grows") << QList<Model>{chain(6), chain(8), chain(8), chain(8)}
                                    << QList<int>{30, 7, 30, 9} << QList<int>{7, 7, 10, 10}
                                    << QList<bool>{true, false, true, true};
        QTest::newRow("path shrinks") << QList<Model>{chain(6), chain(3), chain(3)} << QList<int>{30, 7, 4}
                                      << QList<int>{7, 4, 4} << QList<bool>{true, true, true};
        // Never reached: every round probes the full range and ends at the gap (TTLs 3-7
        // silent, all sent at the round's start, so done after the 1 s timeout).
        QTest::newRow("filtered destination")
            << QList<Model>{filteredChain(2), filteredChain(2)} << QList<int>{30, 30}
            << QList<int>{1000, 1000} << QList<bool>{false, false};
    }

    void rounds()
    {
        QFETCH(QList<Model>, models);
        QFETCH(QList<int>, maxTtls);
        QFETCH(QList<int>, doneAfterMs);
        QFETCH(QList<bool>, reached);

        TraceRounds rounds(modelRequest(), kDestination);
        QCOMPARE(rounds.round(), 0);
        QVERIFY(!rounds.current());
        int nextSeq = 0;
        for (int i = 0; i < models.size(); ++i) {
            const qint64 start = (i + 1) * kRoundPeriodNs;
            QVERIFY(rounds.startRound(start).isEmpty()); // the previous round was done
            QCOMPARE(rounds.round(), i + 1);
            QCOMPARE(rounds.roundStartedAtNs(), start);
            QCOMPARE(rounds.roundMaxTtl(), maxTtls.at(i));
            const Run run = runSchedule(*rounds.current(), models.at(i), start);
            QCOMPARE(run.doneAtNs, start + doneAfterMs.at(i) * kMs);
            // The window's first burst covers the round's range (up to the window of 24).
            const int firstBurstTtl = std::min(maxTtls.at(i), 8);
            QVERIFY2(run.sends.first().startsWith(
                         QStringLiteral("%1:1.1-%2.3").arg(fmtMs(start)).arg(firstBurstTtl)),
                     qPrintable(run.sends.first()));
            bool anyReached = false;
            for (const Hop &h : rounds.current()->resultHops(true))
                anyReached = anyReached || h.reachedDestination();
            QCOMPARE(anyReached, reached.at(i));
            // Sequence numbers continue across rounds: a late answer to an earlier round
            // can never pass for one of this round's probes.
            QCOMPARE(int(run.seqs.first()), nextSeq);
            for (int k = 1; k < run.seqs.size(); ++k)
                QCOMPARE(int(run.seqs.at(k)), nextSeq + k);
            nextSeq += int(run.seqs.size());
        }
    }

    void lateAnswerOfAnEarlierRoundIsIgnored()
    {
        TraceRounds rounds(modelRequest(), kDestination);
        rounds.startRound(0);
        const Run first = runSchedule(*rounds.current(), chain(2), 0);
        QVERIFY(first.doneAtNs > 0);
        rounds.startRound(kRoundPeriodNs);
        ProbeEvent late;
        late.seq = first.seqs.first();
        late.responder = QHostAddress(QStringLiteral("198.18.1.1"));
        late.kind = ReplyKind::TimeExceeded;
        QVERIFY(!rounds.current()->onReply(kRoundPeriodNs + kMs, late));
        QVERIFY(rounds.current()->takeReleased().isEmpty());
    }

    // A round cut short (the next one starts before it is done) hands back its probes and
    // teaches nothing about the path.
    void roundCutShort()
    {
        TraceRounds rounds(modelRequest(), kDestination);
        rounds.startRound(0);
        runSchedule(*rounds.current(), chain(6), 0);
        QVERIFY(!rounds.destinationTtl()); // learnt when the next round starts
        rounds.startRound(kRoundPeriodNs);
        QCOMPARE(rounds.destinationTtl(), std::optional<int>(7));
        QList<quint16> sent;
        while (const std::optional<PlannedProbe> p = rounds.current()->nextProbe()) {
            rounds.current()->onSent(kRoundPeriodNs, *p, 0);
            sent.append(p->seq);
        }
        QCOMPARE(sent.size(), 21); // TTLs 1-7, 3 queries each
        QList<quint16> handedBack = rounds.startRound(kRoundPeriodNs + 5 * kMs);
        std::sort(handedBack.begin(), handedBack.end());
        QCOMPARE(handedBack, sent);
        QCOMPARE(rounds.destinationTtl(), std::optional<int>(7));
        QCOMPARE(rounds.roundMaxTtl(), 7);
        QCOMPARE(rounds.current()->nextProbe()->seq, quint16(sent.last() + 1));
    }
};

QTEST_MAIN(tst_TraceRounds)
#include "tst_tracerounds.moc"
