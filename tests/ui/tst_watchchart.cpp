// The watch chart's pure geometry (ui/watchchartgeometry.h) on scripted rounds with a stepped
// clock: a line is never drawn across a paused stretch or a lost probe, loss is marked, and
// minute aggregates join unless none of their probes was answered. The plot is one pixel per
// second wide, so runs are compared in seconds. The columns kept between updates give, update
// after update, exactly the geometry computed afresh.
#include "watchchartgeometry.h"
#include "watchstats.h"

#include <QTest>

#include <limits>

using namespace tracemap;

namespace {

constexpr qint64 kOpen = std::numeric_limits<qint64>::max();
const QHostAddress kHop(QStringLiteral("192.0.2.1"));

using Runs = QList<QPair<int, int>>; // first and last x of each run
using Pauses = QList<WatchPause>;

// Rounds at the given seconds; lostAt: seconds whose probe was lost.
WatchStats rounds(const QList<int> &seconds, const QList<int> &lostAt, const WatchStatsLimits &limits = {})
{
    WatchStats stats(limits);
    for (int s : seconds)
        stats.addProbe(1, qint64(s) * 1000, kHop, lostAt.contains(s) ? -1.0 : 10.0);
    return stats;
}

QList<int> range(int from, int to)
{
    QList<int> out;
    for (int s = from; s <= to; ++s)
        out << s;
    return out;
}

WatchChartGeometry geometryOf(const WatchStats &stats, int seconds, const Pauses &pauses)
{
    WatchChartView view;
    view.fromMs = 0;
    view.toMs = qint64(seconds) * 1000;
    view.ttls = {1};
    view.pauses = pauses;
    return watchChartGeometry(QSize(seconds, 101), stats, view);
}

Runs runsOf(const WatchChartSeries &series)
{
    Runs out;
    for (const QPolygon &run : series.runs)
        out << qMakePair(run.first().x(), run.last().x());
    return out;
}

// A scripted watch for the columns kept between updates: rounds at 137 ms past each second
// (so column edges and rounds do not line up), three hops, one update a round.
struct Script
{
    int rounds = 400;
    qint64 spanMs = 120 * 1000; // 0: everything since the first round (the span grows)
    int width = 50;
    QList<int> lost;         // rounds without a reply at hop 2
    Pauses pauses;           // in round numbers * 1000; open until the watch reaches toMs
    int pausesShownFrom = 0; // the view lists the pauses from this round on
    int fullResolutionS = 0; // > 0: older samples fold into minutes
    int changeAt = -1;       // the round from which `change` applies
    QByteArray change;       // span, width, focus, hops
};

} // namespace

Q_DECLARE_METATYPE(Script)

class TestWatchChart : public QObject
{
    Q_OBJECT
private slots:
    void runsBreakAtPausesAndLoss_data()
    {
        QTest::addColumn<QList<int>>("seconds");
        QTest::addColumn<QList<int>>("lost");
        QTest::addColumn<Pauses>("pauses");
        QTest::addColumn<Runs>("runs");
        QTest::addColumn<QList<int>>("lossColumns");

        QTest::newRow("steady: one line")
            << range(0, 19) << QList<int>() << Pauses() << Runs{{0, 19}} << QList<int>();
        QTest::newRow("paused from 9.5 s to 60 s: a gap")
            << range(0, 9) + range(60, 69) << QList<int>() << Pauses{{9500, 60000}} << Runs{{0, 9}, {60, 69}}
            << QList<int>();
        QTest::newRow("two pauses") << range(0, 4) + range(20, 24) + range(40, 44) << QList<int>()
                                    << Pauses{{4200, 20000}, {24100, 40000}}
                                    << Runs{{0, 4}, {20, 24}, {40, 44}} << QList<int>();
        QTest::newRow("paused and resumed between two rounds: still a break")
            << range(0, 19) << QList<int>() << Pauses{{9200, 9800}} << Runs{{0, 9}, {10, 19}} << QList<int>();
        QTest::newRow("a pause before the first round drawn changes nothing")
            << range(10, 19) << QList<int>() << Pauses{{2000, 10000}} << Runs{{10, 19}} << QList<int>();
        QTest::newRow("still paused")
            << range(0, 9) << QList<int>() << Pauses{{9500, kOpen}} << Runs{{0, 9}} << QList<int>();
        QTest::newRow("a lost probe is not bridged")
            << range(0, 19) << QList<int>{5} << Pauses() << Runs{{0, 4}, {6, 19}} << QList<int>{5};
        QTest::newRow("three lost in a row") << range(0, 19) << QList<int>{7, 8, 9} << Pauses()
                                             << Runs{{0, 6}, {10, 19}} << QList<int>{7, 8, 9};
        QTest::newRow("loss then a pause")
            << range(0, 9) + range(30, 39) << QList<int>{3} << Pauses{{9900, 30000}}
            << Runs{{0, 2}, {4, 9}, {30, 39}} << QList<int>{3};
    }
    void runsBreakAtPausesAndLoss()
    {
        QFETCH(QList<int>, seconds);
        QFETCH(QList<int>, lost);
        QFETCH(Pauses, pauses);
        QFETCH(Runs, runs);
        QFETCH(QList<int>, lossColumns);
        const WatchChartGeometry g = geometryOf(rounds(seconds, lost), 80, pauses);
        QCOMPARE(g.series.size(), 1);
        QCOMPARE(runsOf(g.series.first()), runs);
        QCOMPARE(g.series.first().lossColumns, lossColumns);
        // No segment of any run spans a pause: its points on both sides would be joined.
        for (const QPolygon &run : g.series.first().runs) {
            for (const WatchPause &p : pauses) {
                const bool before = run.first().x() * 1000 <= p.fromMs;
                const bool after = run.last().x() * 1000 >= p.toMs;
                QVERIFY2(!(before && after), "a run crosses a pause");
            }
            // 10 ms on an axis of four 5 ms steps: the middle row of 101.
            for (const QPoint &point : run)
                QCOMPARE(point.y(), 50);
        }
        QCOMPARE(g.yStep, 5.0);
    }

    void minuteAggregatesJoinUnlessNothingAnswered()
    {
        // Ten minutes, the last two kept sample by sample; minute 0 lost one probe (a loss
        // mark, the line goes on), minute 2 lost every probe (a break).
        WatchStatsLimits limits;
        limits.fullResolutionMs = 120 * 1000;
        const WatchStats stats = rounds(range(0, 599), QList<int>{30} + range(120, 179), limits);
        QVERIFY(!stats.series(1)->minutes().empty());
        const WatchChartGeometry g = geometryOf(stats, 600, {});
        const WatchChartSeries &s = g.series.first();
        QCOMPARE(runsOf(s), (Runs{{0, 60}, {180, 599}}));
        QCOMPARE(s.lossColumns, (QList<int>{0, 120}));
        QCOMPARE(s.runs.first().size(), 2); // the averages of minutes 0 and 1
    }

    void extremesPerColumnKeepSpikes()
    {
        // Ten rounds a pixel: a 40 ms spike among 10 ms replies still reaches its row.
        WatchStats stats;
        for (int i = 0; i < 100; ++i)
            stats.addProbe(1, qint64(i) * 100, kHop, i == 55 ? 40.0 : 10.0);
        WatchChartView view;
        view.toMs = 10000;
        view.ttls = {1};
        const WatchChartGeometry g = watchChartGeometry(QSize(10, 101), stats, view);
        QCOMPARE(g.series.first().runs.size(), 1);
        int top = 100;
        for (const QPoint &p : g.series.first().runs.first())
            top = std::min(top, p.y());
        QCOMPARE(g.yStep, 20.0);             // 40 ms * 1.1 / 4 rounds up to 20
        QCOMPARE(top, int(0.5 * 100 + 0.5)); // 40 of 80 ms
    }

    void keptColumnsEqualAFreshWalk_data()
    {
        QTest::addColumn<Script>("script");
        Script s;
        QTest::newRow("sliding window: 2 min over 50 px") << s;
        Script narrow = s;
        narrow.spanMs = 60 * 1000;
        narrow.width = 290; // several columns a round, most of them empty
        QTest::newRow("sliding window: columns narrower than a round") << narrow;
        Script young = s;
        young.spanMs = 30 * 1000;
        young.rounds = 60;
        QTest::newRow("sliding window: 30 s, one column a round") << young;
        Script paused = s;
        paused.pauses = {{150 * 1000 + 500, 210 * 1000}, {300 * 1000 + 400, 300 * 1000 + 600}};
        QTest::newRow("pause gap: open while paused, closed on resume") << paused;
        Script late = paused;
        late.pausesShownFrom = 250;
        QTest::newRow("pause gap: the pauses listed after the rounds were drawn") << late;
        Script lost = s;
        for (int r = 0; r < lost.rounds; r += 7)
            lost.lost << r;
        lost.lost << range(100, 140);
        QTest::newRow("lost probes: every 7th and 40 in a row") << lost;
        Script folded = s;
        folded.spanMs = 10 * 60 * 1000;
        folded.width = 120;
        folded.rounds = 900;
        folded.fullResolutionS = 120;
        folded.lost = range(30, 89) + range(400, 405);
        QTest::newRow("samples folding into minutes") << folded;
        const auto changedAt200 = [&](const QByteArray &change) {
            Script c = s;
            c.changeAt = 200;
            c.change = change;
            return c;
        };
        QTest::newRow("span change") << changedAt200("span");
        Script all = s;
        all.spanMs = 0;
        QTest::newRow("span change: all, growing every round") << all;
        QTest::newRow("width change") << changedAt200("width");
        QTest::newRow("focus change") << changedAt200("focus");
        QTest::newRow("hops chosen change") << changedAt200("hops");
    }
    void keptColumnsEqualAFreshWalk()
    {
        QFETCH(Script, script);
        WatchStatsLimits limits;
        if (script.fullResolutionS > 0)
            limits.fullResolutionMs = qint64(script.fullResolutionS) * 1000;
        WatchStats stats(limits);
        WatchChartColumns kept;
        int walkedOnce = 0;
        for (int round = 0; round < script.rounds; ++round) {
            const qint64 now = qint64(round) * 1000 + 137;
            Pauses pauses;
            for (const WatchPause &p : script.pauses) {
                if (p.fromMs < now)
                    pauses << WatchPause{p.fromMs, now < p.toMs ? kOpen : p.toMs};
            }
            if (!pauses.isEmpty() && pauses.constLast().toMs == kOpen)
                continue; // no rounds while paused
            WatchChartView view;
            if (round >= script.pausesShownFrom)
                view.pauses = pauses;
            for (int hop = 1; hop <= 3; ++hop) {
                const bool lost = hop == 2 && script.lost.contains(round);
                stats.addProbe(hop, now, kHop, lost ? -1.0 : 5.0 * hop + (round * 7 % 11) * 0.5);
            }
            const bool changed = script.changeAt >= 0 && round >= script.changeAt;
            const qint64 span = script.spanMs > 0
                                    ? script.spanMs * (changed && script.change == "span" ? 3 : 1)
                                    : std::max<qint64>(1000, now - 137);
            int width = script.width;
            if (changed && script.change == "width")
                width = script.width + 1 + round % 3; // another width on every update
            view.toMs = now;
            view.fromMs = now - span;
            view.ttls =
                changed && script.change == "hops" && round % 2 == 0 ? QList<int>{2} : QList<int>{1, 2, 3};
            if (changed && script.change == "focus") {
                view.focusFromMs = now - span / 2;
                view.focusToMs = now - span / 4;
            }
            const QSize size(width, 101);
            const WatchChartGeometry incremental = watchChartGeometry(size, stats, view, &kept);
            const WatchChartGeometry fresh = watchChartGeometry(size, stats, view);
            QVERIFY2(incremental == fresh, qPrintable(QStringLiteral("round %1").arg(round)));
            if (!fresh.series.at(0).runs.isEmpty())
                ++walkedOnce;
        }
        QVERIFY(walkedOnce > 0); // the rows draw something
        QVERIFY(!kept.series.empty());
    }

    // The time axis's labels: as many as fit (at most five), never touching, inside the plot,
    // the first at the span's start and the last at its end.
    void timeLabelsFitTheWidth_data()
    {
        QTest::addColumn<double>("plotWidth");
        QTest::addColumn<int>("count");
        QTest::newRow("wide chart: five") << 600.0 << 5;
        QTest::newRow("five need 4 x (1.5 x 55 + 10)") << 370.0 << 5;
        QTest::newRow("just under that: four") << 369.0 << 4;
        QTest::newRow("narrow column (240 px): three") << 240.0 << 3;
        QTest::newRow("two: both ends") << 130.0 << 2;
        QTest::newRow("too narrow for two: the newest") << 100.0 << 1;
    }
    void timeLabelsFitTheWidth()
    {
        QFETCH(double, plotWidth);
        QFETCH(int, count);
        constexpr double labelWidth = 55, gap = 10;
        const QList<WatchChartTimeLabel> labels = watchChartTimeLabels(plotWidth, labelWidth, gap);
        QCOMPARE(labels.size(), count);
        QCOMPARE(labels.constLast().fraction, 1.0);
        QCOMPARE(labels.constLast().left, plotWidth - labelWidth);
        if (count > 1) {
            QCOMPARE(labels.constFirst().left, 0.0);
            QCOMPARE(labels.constFirst().fraction, 0.0);
        }
        for (int i = 1; i < labels.size(); ++i)
            QVERIFY2(labels.at(i).left >= labels.at(i - 1).left + labelWidth + gap - 1e-9,
                     qPrintable(QStringLiteral("label %1 at %2").arg(i).arg(labels.at(i).left)));
    }

    void renderedPlotHasAGapAtThePause()
    {
        const WatchStats stats = rounds(range(0, 9) + range(60, 69), {});
        WatchChartView view;
        view.toMs = 80 * 1000;
        view.ttls = {1};
        view.pauses = {{9500, 60000}};
        const QSize size(80, 101);
        QImage image;
        renderWatchChartPlot(&image, size, watchChartGeometry(size, stats, view), view);
        const QRgb line = watchChartColor(0).rgb();
        QCOMPARE(image.pixel(5, 50), line);
        QCOMPARE(image.pixel(65, 50), line);
        for (int x = 10; x < 60; ++x)
            QVERIFY2(image.pixel(x, 50) != line, qPrintable(QStringLiteral("x %1").arg(x)));
    }
};

QTEST_MAIN(TestWatchChart)
#include "tst_watchchart.moc"
