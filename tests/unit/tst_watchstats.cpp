// Watch statistics with scripted RTT and loss patterns and a stepped clock: exact column
// values, windows over full-resolution and aggregated history, responders of a hop,
// rate-limited loss, and the memory bound after a simulated day.
#include "watchstats.h"

#include <QTest>

using namespace tracemap;

namespace {

constexpr double kLost = -1;

QHostAddress addr(const char *text)
{
    return QHostAddress(QString::fromLatin1(text));
}

// Values are compared to 1e-4 ms: samples are stored as floats.
void compareMs(double actual, double expected, const char *what)
{
    if (expected < 0) {
        QVERIFY2(actual < 0, qPrintable(QStringLiteral("%1: expected none, got %2").arg(what).arg(actual)));
        return;
    }
    QVERIFY2(std::abs(actual - expected) < 1e-4,
             qPrintable(QStringLiteral("%1: expected %2, got %3").arg(what).arg(expected).arg(actual)));
}

// Adds samples one a second from t = 0.
RttSeries feed(const QList<double> &rtts, const WatchStatsLimits &limits = {})
{
    RttSeries s(limits);
    for (qsizetype i = 0; i < rtts.size(); ++i)
        s.add(i * 1000, rtts.at(i));
    return s;
}

// The reference: the same samples summed one by one, no aggregation.
RttSummary sequential(const QList<double> &rtts, qsizetype from, qsizetype to)
{
    RttSeries s({qint64(1) << 50});
    for (qsizetype i = 0; i < rtts.size(); ++i)
        s.add(i * 1000, rtts.at(i));
    return s.window(from * 1000, to * 1000);
}

} // namespace

class tst_WatchStats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void columns_data()
    {
        QTest::addColumn<QList<double>>("rtts");
        QTest::addColumn<int>("sent");
        QTest::addColumn<int>("received");
        QTest::addColumn<double>("loss");
        QTest::addColumn<QList<double>>("expected"); // last best avg worst stddev gmean jitter javg jmax jint

        QTest::newRow("steady 10 ms") << QList<double>{10, 10, 10, 10} << 4 << 4 << 0.0
                                      << QList<double>{10, 10, 10, 10, 0, 10, 0, 0, 0, 0};
        // Jitter 1, 2, 4; J = 1/16, then + (2 - J)/16, then + (4 - J)/16. Stddev with n - 1:
        // squared deviations from 3.75 sum to 28.75, / 3. Gmean: 64^(1/4).
        QTest::newRow("doubling with one loss")
            << QList<double>{1, 2, 4, kLost, 8} << 5 << 4 << 20.0
            << QList<double>{8,       1, 3.75,          8, std::sqrt(28.75 / 3), std::sqrt(8.0), 4,
                             7.0 / 3, 4, 0.422119140625};
        QTest::newRow("all lost") << QList<double>{kLost, kLost, kLost} << 3 << 0 << 100.0
                                  << QList<double>{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
        QTest::newRow("single reply")
            << QList<double>{5} << 1 << 1 << 0.0 << QList<double>{5, 5, 5, 5, 0, 5, -1, -1, -1, -1};
        // Jitter compares consecutive replies, losses in between do not reset it.
        QTest::newRow("loss between replies")
            << QList<double>{kLost, 2, kLost, kLost, 6} << 5 << 2 << 60.0
            << QList<double>{6, 2, 4, 6, std::sqrt(8.0), std::sqrt(12.0), 4, 4, 4, 0.25};
        // Falling RTTs: jitter is an absolute difference.
        QTest::newRow("falling") << QList<double>{9, 6, 5} << 3 << 3 << 0.0
                                 << QList<double>{5,
                                                  5,
                                                  6.6666667,
                                                  9,
                                                  std::sqrt(13.0 / 3),
                                                  std::cbrt(270.0),
                                                  1,
                                                  2,
                                                  3,
                                                  3.0 / 16 + (1 - 3.0 / 16) / 16};
    }
    void columns()
    {
        QFETCH(QList<double>, rtts);
        QFETCH(int, sent);
        QFETCH(int, received);
        QFETCH(double, loss);
        QFETCH(QList<double>, expected);
        const RttSeries series = feed(rtts);
        const RttSummary s = series.total();
        QCOMPARE(s.sent, sent);
        QCOMPARE(s.received, received);
        QVERIFY(std::abs(s.lossPercent() - loss) < 1e-9);
        compareMs(s.lastMs, expected[0], "last");
        compareMs(s.bestMs, expected[1], "best");
        compareMs(s.avgMs(), expected[2], "avg");
        compareMs(s.worstMs, expected[3], "worst");
        compareMs(s.stddevMs(), expected[4], "stddev");
        compareMs(s.gmeanMs(), expected[5], "gmean");
        compareMs(s.jitterMs, expected[6], "jitter");
        compareMs(s.jitterAvgMs(), expected[7], "jitter avg");
        compareMs(s.jitterMaxMs, expected[8], "jitter max");
        compareMs(s.jitterInterarrivalMs, expected[9], "jitter interarrival");
        // The whole-watch window over full-resolution samples says the same.
        const RttSummary w = series.window(0, 1000 * 1000);
        QCOMPARE(w.sent, s.sent);
        QCOMPARE(w.received, s.received);
        compareMs(w.avgMs(), expected[2], "window avg");
        compareMs(w.jitterInterarrivalMs, expected[9], "window jint");
    }

    // Windows over aggregated history equal the sample-by-sample reference, to the
    // aggregates' granularity (windows here are whole minutes).
    void windows_data()
    {
        QTest::addColumn<qint64>("fullResolutionSec");
        QTest::addColumn<int>("minuteCapacity");
        QTest::addColumn<int>("fromSec");
        QTest::addColumn<int>("toSec");

        QTest::newRow("recent samples only") << qint64(3600) << 1440 << 6000 << 6600;
        QTest::newRow("one aggregated minute") << qint64(60) << 1440 << 60 << 120;
        QTest::newRow("aggregated minutes and recent samples") << qint64(90) << 1440 << 6960 << 7200;
        QTest::newRow("everything, mostly folded into hours") << qint64(10) << 30 << 0 << 7200;
        QTest::newRow("empty window") << qint64(60) << 1440 << 7000 << 7000;
    }
    void windows()
    {
        QFETCH(qint64, fullResolutionSec);
        QFETCH(int, minuteCapacity);
        QFETCH(int, fromSec);
        QFETCH(int, toSec);
        // Two hours of a 1 s round: a saw-tooth RTT with every seventh probe lost.
        QList<double> rtts;
        for (int i = 0; i < 7200; ++i)
            rtts << (i % 7 == 3 ? kLost : 10 + (i % 13) * 0.5);
        WatchStatsLimits limits;
        limits.fullResolutionMs = fullResolutionSec * 1000;
        limits.minuteCapacity = minuteCapacity;
        const RttSeries series = feed(rtts, limits);
        const RttSummary got = series.window(fromSec * 1000LL, toSec * 1000LL);
        const RttSummary want = sequential(rtts, fromSec, toSec);
        QCOMPARE(got.sent, want.sent);
        QCOMPARE(got.received, want.received);
        QCOMPARE(got.jitterCount, want.jitterCount);
        compareMs(got.avgMs(), want.avgMs(), "avg");
        compareMs(got.stddevMs(), want.stddevMs(), "stddev");
        compareMs(got.gmeanMs(), want.gmeanMs(), "gmean");
        compareMs(got.bestMs, want.bestMs, "best");
        compareMs(got.worstMs, want.worstMs, "worst");
        compareMs(got.lastMs, want.lastMs, "last");
        compareMs(got.jitterAvgMs(), want.jitterAvgMs(), "jitter avg");
        compareMs(got.jitterMaxMs, want.jitterMaxMs, "jitter max");
        compareMs(got.jitterInterarrivalMs, want.jitterInterarrivalMs, "jitter interarrival");
    }

    void responders()
    {
        WatchStats stats;
        stats.addProbe(3, 0, addr("198.18.3.1"), 1);
        stats.addProbe(3, 1000, addr("198.18.9.1"), 10);
        stats.addProbe(3, 2000, QHostAddress(), kLost);
        stats.addProbe(3, 3000, addr("198.18.3.1"), 3);
        const QList<HopSummary> hops = stats.total();
        QCOMPARE(hops.size(), 1);
        const HopSummary &h = hops.first();
        QCOMPARE(h.stats.sent, 4);
        QCOMPARE(h.stats.received, 3);
        QCOMPARE(h.responders.size(), 2);
        QCOMPARE(h.responders[0].address, addr("198.18.3.1"));
        QCOMPARE(h.responders[0].stats.received, 2);
        compareMs(h.responders[0].stats.avgMs(), 2, "first responder avg");
        compareMs(h.responders[0].stats.jitterMs, 2, "first responder's own jitter");
        compareMs(h.responders[0].sharePercent, 200.0 / 3, "share");
        QCOMPARE(h.responders[1].address, addr("198.18.9.1"));
        compareMs(h.responders[1].sharePercent, 100.0 / 3, "share");
        // The hop's jitter runs over all its replies: |10 - 1|, |3 - 10|.
        compareMs(h.stats.jitterMaxMs, 9, "hop jitter max");
        // A window holding only the second responder's reply.
        const QList<HopSummary> w = stats.window(1000, 3000);
        QCOMPARE(w.first().stats.sent, 2);
        QCOMPARE(w.first().responders.size(), 1);
        QCOMPARE(w.first().responders.first().address, addr("198.18.9.1"));
    }

    void rateLimited_data()
    {
        QTest::addColumn<QList<int>>("lostPerHop"); // of 10 probes per hop, TTL 1..n
        QTest::addColumn<QList<bool>>("rateLimited");

        QTest::newRow("clean path") << QList<int>{0, 0, 0} << QList<bool>{false, false, false};
        QTest::newRow("middle hop limits its ICMP")
            << QList<int>{0, 3, 0, 0} << QList<bool>{false, true, false, false};
        QTest::newRow("loss carries on to the destination")
            << QList<int>{0, 3, 3, 3} << QList<bool>{false, false, false, false};
        QTest::newRow("limited hop before real loss further on")
            << QList<int>{5, 0, 2, 2} << QList<bool>{true, false, false, false};
        QTest::newRow("silent router mid-path") << QList<int>{0, 10, 0} << QList<bool>{false, true, false};
        QTest::newRow("loss at the destination only")
            << QList<int>{0, 0, 4} << QList<bool>{false, false, false};
    }
    void rateLimited()
    {
        QFETCH(QList<int>, lostPerHop);
        QFETCH(QList<bool>, rateLimited);
        WatchStats stats;
        for (int round = 0; round < 10; ++round) {
            for (qsizetype i = 0; i < lostPerHop.size(); ++i) {
                const bool lost = round < lostPerHop.at(i);
                const QHostAddress who(QStringLiteral("198.18.%1.1").arg(i + 1));
                stats.addProbe(int(i + 1), round * 1000, lost ? QHostAddress() : who, lost ? kLost : 1.0 + i);
            }
        }
        const QList<HopSummary> hops = stats.total();
        QCOMPARE(hops.size(), lostPerHop.size());
        for (qsizetype i = 0; i < hops.size(); ++i)
            QVERIFY2(hops.at(i).rateLimited == rateLimited.at(i),
                     qPrintable(QStringLiteral("ttl %1").arg(i + 1)));
    }

    void pathLength()
    {
        WatchStats stats;
        for (int ttl = 1; ttl <= 5; ++ttl)
            stats.addProbe(ttl, 0, QHostAddress(QStringLiteral("198.18.%1.1").arg(ttl)), ttl);
        QCOMPARE(stats.total().size(), 5);
        stats.setPathLength(3); // the destination moved closer: TTLs 4-5 are history
        QCOMPARE(stats.total().size(), 3);
        QCOMPARE(stats.total().last().ttl, 3);
    }

    // A day at one round a second on 30 hops, with a stepped clock: the containers stay
    // within their limits and every probe is still counted somewhere.
    void memoryBoundAfterADay_data()
    {
        QTest::addColumn<int>("hours");
        QTest::addColumn<int>("hops");
        QTest::addColumn<bool>("smallLimits");

        QTest::newRow("24 h, 30 hops, default limits") << 24 << 30 << false;
        // Small limits push history through every tier, including the "earlier" fold.
        QTest::newRow("6 h, 2 hops, tiny tiers") << 6 << 2 << true;
    }
    void memoryBoundAfterADay()
    {
        QFETCH(int, hours);
        QFETCH(int, hops);
        QFETCH(bool, smallLimits);
        WatchStatsLimits limits;
        if (smallLimits) {
            limits.fullResolutionMs = 10 * 1000;
            limits.minuteCapacity = 5;
            limits.hourCapacity = 2;
        }
        WatchStats stats(limits);
        const qint64 seconds = qint64(hours) * 3600;
        QList<QHostAddress> who;
        for (int ttl = 1; ttl <= hops; ++ttl)
            who << QHostAddress(QStringLiteral("198.18.%1.1").arg(ttl));
        for (qint64 t = 0; t < seconds; ++t) {
            for (int ttl = 1; ttl <= hops; ++ttl) {
                const bool lost = (t + ttl) % 50 == 0;
                stats.addProbe(ttl, t * 1000, lost ? QHostAddress() : who.at(ttl - 1),
                               lost ? kLost : ttl + (t % 7) * 0.25);
            }
        }
        const int maxSamples = int(limits.fullResolutionMs / 1000) + 1;
        for (int ttl = 1; ttl <= hops; ++ttl) {
            const RttSeries *s = stats.series(ttl);
            QVERIFY(s);
            QCOMPARE(s->total().sent, int(seconds));
            QVERIFY(int(s->samples().size()) <= maxSamples);
            QVERIFY(int(s->minutes().size()) <= limits.minuteCapacity);
            QVERIFY(int(s->hours().size()) <= limits.hourCapacity);
            // Nothing is lost on the way through the tiers.
            int counted = s->earlier().sent + int(s->samples().size());
            for (const auto &b : s->minutes())
                counted += b.summary.sent;
            for (const auto &b : s->hours())
                counted += b.summary.sent;
            QCOMPARE(counted, int(seconds));
            const RttSeries *r = stats.series(ttl, QHostAddress(QStringLiteral("198.18.%1.1").arg(ttl)));
            QVERIFY(r);
            QVERIFY(int(r->samples().size()) <= maxSamples);
            QVERIFY(int(r->minutes().size()) <= limits.minuteCapacity);
        }
        if (smallLimits) {
            QVERIFY(stats.series(1)->earlier().sent > 0);
        } else {
            // 30 hops of a day: well under the CLI's 10 MB budget.
            qInfo("a day on %d hops: %lld bytes", hops, stats.approximateBytes());
            QVERIFY2(stats.approximateBytes() < 10 * 1024 * 1024,
                     qPrintable(QStringLiteral("%1 bytes").arg(stats.approximateBytes())));
        }
    }
};

QTEST_GUILESS_MAIN(tst_WatchStats)
#include "tst_watchstats.moc"
