// The watch chart's pure geometry (ui/watchchartgeometry.h) on scripted rounds with a stepped
// clock: a line is never drawn across a paused stretch or a lost probe, loss is marked, and
// minute aggregates join unless none of their probes was answered. The plot is one pixel per
// second wide, so runs are compared in seconds.
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

} // namespace

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
