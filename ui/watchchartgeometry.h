// The watch chart's pure geometry and rasteriser: which pixels the RTT lines and loss marks of
// the chosen hops take in the plot area, computed from the statistics and a view (time span,
// paused stretches), without a clock or a painter. WatchChart (watchchart.h) and
// bench/chart_bench draw through it; tst_watchchart checks its runs.
//
// Contract: a series is split into runs (connected polylines). A run ends at a lost probe (no
// reply: nothing was measured there, so nothing is drawn across it), at a minute aggregate
// without replies, and across a paused stretch of the watch: consecutive points with a pause
// between them are never joined. Loss is marked per pixel column. Pixel columns are anchored
// to absolute time (column k holds the times t with floor(t * width / span) == k), so a sliding
// window shifts whole columns: the leftmost column holds its whole time slice (up to one
// column's time before fromMs), and the newest instant (toMs itself) is drawn in the last.
// Cost: each run keeps only the extremes per pixel column; with a WatchChartColumns kept
// between updates, an update walks only the points that changed.
#pragma once

#include <QColor>
#include <QImage>
#include <QList>
#include <QPolygon>
#include <QRectF>

#include <deque>
#include <limits>
#include <map>

namespace tracemap {

class WatchStats;

// A stretch of the watch without rounds (Pause ... Resume), ms since the epoch.
struct WatchPause
{
    qint64 fromMs = 0;
    qint64 toMs = 0; // still paused: the largest qint64
    friend bool operator==(const WatchPause &, const WatchPause &) = default;
};

struct WatchChartView
{
    qint64 fromMs = 0; // the time span shown
    qint64 toMs = 0;
    QList<int> ttls;        // the hops drawn, in legend order
    qint64 focusFromMs = 0; // shaded when focusToMs > focusFromMs
    qint64 focusToMs = 0;
    QList<WatchPause> pauses; // oldest first, not overlapping
    QColor background = Qt::white;
    QColor text = Qt::black;
};

// One hop's line in plot pixels (x right from the plot's left edge, y down from its top).
struct WatchChartSeries
{
    QList<QPolygon> runs;   // connected stretches, left to right
    QList<int> lossColumns; // x of the columns with a lost probe, ascending, each once
    friend bool operator==(const WatchChartSeries &, const WatchChartSeries &) = default;
};

struct WatchChartGeometry
{
    double yStep = 1; // the RTT axis has four steps of yStep ms; its top is 4 * yStep
    bool anyReply = false;
    QList<WatchChartSeries> series; // in the order of view.ttls
    friend bool operator==(const WatchChartGeometry &, const WatchChartGeometry &) = default;
};

// Each drawn series' per-column extremes and run breaks, kept between updates so that an
// update walks only what changed: the newest rounds, the samples just folded into a minute
// aggregate, the stretch after a pause that changed. Valid while the span (toMs - fromMs) and
// the plot width stay the same and the window does not move back; anything else (another
// span or width, statistics reset) starts over. A geometry computed with it equals the one
// computed without (tst_watchchart checks that row by row).
class WatchChartColumns
{
public:
    void clear() { *this = WatchChartColumns(); }

    // The replies of one run that fall in one pixel column (absolute, see above): their
    // extremes, in the order met.
    struct Segment
    {
        qint64 column = 0;
        float minMs = 0, maxMs = 0;
        bool firstIsMin = true;
        bool startsRun = false; // not joined to the previous segment
    };
    struct Series
    {
        const void *source = nullptr; // the RttSeries walked
        int sent = 0;                 // its probes then
        qint64 firstSampleMs = kNever;
        qint64 firstMinuteMs = kNever;
        bool hasLast = false; // lastMs: the newest point walked
        qint64 lastMs = 0;
        std::deque<Segment> segments;
        std::deque<qint64> lossColumns;
    };
    static constexpr qint64 kNever = std::numeric_limits<qint64>::max();

    qint64 spanMs = 0;
    int width = 0;
    qint64 firstColumn = 0;
    qint64 toMs = 0;
    QList<WatchPause> pauses;
    std::map<int, Series> series; // by TTL
};

// The plot area inside an item of this size (left of it the RTT axis, below it the times).
QRectF watchChartPlotArea(const QSizeF &size);
// Colour of the i-th series.
QColor watchChartColor(int index);

// Where the time axis's labels go along a plot plotWidth px wide, each label labelWidth px
// wide: left edges from the plot's left, the first label flush left at the span's start, the
// last flush right at its end, the others centred on their instants, evenly spaced. As many as
// fit (at most five) with gap px between neighbours; one label, the newest, when even two do
// not fit. fractions: each label's instant, 0 = fromMs, 1 = toMs.
struct WatchChartTimeLabel
{
    double left = 0;
    double fraction = 0;
    friend bool operator==(const WatchChartTimeLabel &, const WatchChartTimeLabel &) = default;
};
QList<WatchChartTimeLabel> watchChartTimeLabels(double plotWidth, double labelWidth, double gap);

// The lines of view.ttls in a plot of plotSize pixels. columns: kept by the caller between
// updates (null: everything is walked).
WatchChartGeometry watchChartGeometry(const QSize &plotSize, const WatchStats &stats,
                                      const WatchChartView &view, WatchChartColumns *columns = nullptr);

// The plot area as an opaque image: background, focus band, grid, the series and the loss
// marks, written pixel by pixel (no QPainter: its line and fill paths cost 10-20 times more
// per pixel and hand large fills to a thread pool). Into *image, reused when it has the
// size already (no allocation and no fresh pages per update).
void renderWatchChartPlot(QImage *image, const QSize &plotSize, const WatchChartGeometry &geometry,
                          const WatchChartView &view);

} // namespace tracemap
