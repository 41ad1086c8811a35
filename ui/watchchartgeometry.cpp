#include "watchchartgeometry.h"

#include "watchstats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace tracemap {

namespace {

constexpr double kLeft = 58, kRight = 10, kTop = 8, kBottom = 20;
const QColor kLossColor(0xd3, 0x2f, 0x2f);

// The first of items (in time order) whose time is at least t.
template<typename T> auto firstFrom(const std::deque<T> &items, qint64 T::*time, qint64 t)
{
    return std::partition_point(items.begin(), items.end(), [&](const T &item) { return item.*time < t; });
}

// Walks a series' points in [from, to] in time order: per-minute aggregates for the part that
// is no longer kept sample by sample, then the samples. visit(timeMs, rttMs (< 0: no reply),
// lost): a minute with some replies is a point (its average) that also lost probes.
template<typename Visit> void forEachPoint(const RttSeries &series, qint64 from, qint64 to, Visit visit)
{
    const std::deque<RttSeries::Sample> &samples = series.samples();
    const qint64 firstSample = samples.empty() ? to + 1 : samples.front().timeMs;
    for (const RttSeries::Bucket &b : series.minutes()) {
        if (b.startMs >= firstSample || b.startMs > to)
            break;
        if (b.startMs < from || b.summary.sent == 0)
            continue;
        visit(b.startMs, b.summary.received > 0 ? float(b.summary.avgMs()) : -1.0f,
              b.summary.sent > b.summary.received);
    }
    auto it = firstFrom(samples, &RttSeries::Sample::timeMs, from);
    for (; it != samples.end() && it->timeMs <= to; ++it)
        visit(it->timeMs, it->rttMs, it->rttMs < 0);
}

using Segment = WatchChartColumns::Segment;
using ColumnCache = WatchChartColumns::Series;
constexpr qint64 kNever = WatchChartColumns::kNever;

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Pixel columns anchored to absolute time: column k holds [start(k), start(k + 1)).
struct Columns
{
    qint64 spanMs = 1;
    qint64 width = 1;
    qint64 of(qint64 t) const { return floorDiv(t * width, spanMs); }
    qint64 start(qint64 k) const { return -floorDiv(-k * spanMs, width); }
};

// The last point forEachPoint() visits in [from, before): its time and whether it had no
// reply (what the walk's state after it is).
struct LastPoint
{
    qint64 timeMs = 0;
    bool noReply = false;
};
std::optional<LastPoint> lastPointBefore(const RttSeries &series, qint64 from, qint64 before)
{
    const std::deque<RttSeries::Sample> &samples = series.samples();
    auto it = firstFrom(samples, &RttSeries::Sample::timeMs, before);
    if (it != samples.begin()) {
        --it;
        if (it->timeMs < from)
            return std::nullopt;
        return LastPoint{it->timeMs, it->rttMs < 0};
    }
    const qint64 limit = std::min(before, samples.empty() ? kNever : samples.front().timeMs);
    const std::deque<RttSeries::Bucket> &minutes = series.minutes();
    auto b = firstFrom(minutes, &RttSeries::Bucket::startMs, limit);
    while (b != minutes.begin()) {
        --b;
        if (b->startMs < from)
            break;
        if (b->summary.sent > 0)
            return LastPoint{b->startMs, b->summary.received == 0};
    }
    return std::nullopt;
}

// Where a series' cached columns stop being right: the newest point walked (a probe of the
// same time may have come since), the minute that samples were folded into, pauseDirtyMs
// (a pause that changed); kNever: nothing, qint64 min: everything.
qint64 dirtyFrom(const ColumnCache &cache, const RttSeries &series, qint64 pauseDirtyMs)
{
    constexpr qint64 kAll = std::numeric_limits<qint64>::min();
    const qint64 firstSample = series.samples().empty() ? kNever : series.samples().front().timeMs;
    const qint64 firstMinute = series.minutes().empty() ? kNever : series.minutes().front().startMs;
    if (cache.source != &series || series.total().sent < cache.sent || firstSample < cache.firstSampleMs ||
        (cache.firstMinuteMs != kNever && firstMinute != cache.firstMinuteMs))
        return kAll; // another series, a reset, or minutes folded into hours
    qint64 dirty = std::min(pauseDirtyMs, cache.hasLast ? cache.lastMs : kAll);
    if (firstSample != cache.firstSampleMs && cache.firstSampleMs != kNever) {
        // Samples from cache.firstSampleMs on were folded into minutes: from the minute that
        // holds the oldest of them.
        const std::deque<RttSeries::Bucket> &minutes = series.minutes();
        auto b = firstFrom(minutes, &RttSeries::Bucket::startMs, cache.firstSampleMs + 1);
        dirty = std::min(dirty, b == minutes.begin() ? cache.firstSampleMs : std::prev(b)->startMs);
    }
    return dirty;
}

// Brings one series' cached columns up to the window [firstColumn, toMs]: drops the columns
// that left it and those from the dirty time on, then walks the points from there. A run
// breaks at a point without a reply and between two points with a pause between them.
void updateColumns(ColumnCache *cache, const RttSeries &series, const Columns &columns, qint64 firstColumn,
                   qint64 toMs, const QList<WatchPause> &pauses, qint64 pauseDirtyMs)
{
    const qint64 windowStart = columns.start(firstColumn);
    const qint64 dirtyColumn =
        std::max(firstColumn, columns.of(std::max(windowStart, dirtyFrom(*cache, series, pauseDirtyMs))));
    const qint64 restart = columns.start(dirtyColumn);
    while (!cache->segments.empty() && cache->segments.front().column < firstColumn)
        cache->segments.pop_front();
    while (!cache->segments.empty() && cache->segments.back().column >= dirtyColumn)
        cache->segments.pop_back();
    while (!cache->lossColumns.empty() && cache->lossColumns.front() < firstColumn)
        cache->lossColumns.pop_front();
    while (!cache->lossColumns.empty() && cache->lossColumns.back() >= dirtyColumn)
        cache->lossColumns.pop_back();

    // The walk's state after the point before the restart.
    qint64 previousMs = std::numeric_limits<qint64>::min();
    bool broken = true;
    cache->hasLast = false;
    if (const std::optional<LastPoint> last = lastPointBefore(series, windowStart, restart)) {
        previousMs = last->timeMs;
        broken = last->noReply;
        cache->hasLast = true;
        cache->lastMs = last->timeMs;
    }
    qsizetype pause = 0;
    std::deque<Segment> &segments = cache->segments;
    forEachPoint(series, restart, toMs, [&](qint64 t, float rtt, bool lost) {
        // Pauses that ended before the previous point cannot lie between it and this one.
        while (pause < pauses.size() && pauses.at(pause).toMs <= previousMs)
            ++pause;
        if (pause < pauses.size() && pauses.at(pause).fromMs < t)
            broken = true;
        previousMs = t;
        const qint64 k = columns.of(t);
        if (lost && (cache->lossColumns.empty() || cache->lossColumns.back() != k))
            cache->lossColumns.push_back(k);
        if (rtt < 0) {
            broken = true;
            return;
        }
        if (broken || segments.empty() || segments.back().column != k) {
            segments.push_back(Segment{k, rtt, rtt, true, broken});
            broken = false;
            return;
        }
        Segment &s = segments.back();
        if (rtt < s.minMs) {
            s.minMs = rtt;
            s.firstIsMin = false;
        } else if (rtt > s.maxMs) {
            s.maxMs = rtt;
        }
    });
    if (previousMs != std::numeric_limits<qint64>::min()) {
        cache->hasLast = true;
        cache->lastMs = previousMs;
    }
    cache->source = &series;
    cache->sent = series.total().sent;
    cache->firstSampleMs = series.samples().empty() ? kNever : series.samples().front().timeMs;
    cache->firstMinuteMs = series.minutes().empty() ? kNever : series.minutes().front().startMs;
}

// The earliest start of a pause that is not the same in both lists (kNever: none).
qint64 firstChangedPause(const QList<WatchPause> &before, const QList<WatchPause> &now)
{
    for (qsizetype i = 0; i < std::max(before.size(), now.size()); ++i) {
        if (i >= before.size())
            return now.at(i).fromMs;
        if (i >= now.size())
            return before.at(i).fromMs;
        if (!(before.at(i) == now.at(i)))
            return std::min(before.at(i).fromMs, now.at(i).fromMs);
    }
    return kNever;
}

// 1, 2 or 5 times a power of ten, at least v.
double niceCeil(double v)
{
    if (v <= 0)
        return 1;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * p >= v)
            return m * p;
    }
    return 10 * p;
}

QRgb over(const QColor &top, QRgb below)
{
    const double a = top.alphaF();
    const auto mix = [a](int t, int b) {
        return int(std::lround(t * a + b * (1 - a)));
    };
    return qRgb(mix(top.red(), qRed(below)), mix(top.green(), qGreen(below)), mix(top.blue(), qBlue(below)));
}

// An opaque image written pixel by pixel, clipped to its size.
struct Raster
{
    Raster(QImage *into, const QSize &size, QRgb fill) : image(*into)
    {
        if (image.size() != size || image.format() != QImage::Format_RGB32)
            image = QImage(size, QImage::Format_RGB32);
        width = size.width();
        height = size.height();
        stride = int(image.bytesPerLine() / 4);
        bits = reinterpret_cast<QRgb *>(image.bits()); // detaches: the caller holds no copy
        image.fill(fill);
    }
    void set(int x, int y, QRgb rgb)
    {
        if (x >= 0 && x < width && y >= 0 && y < height)
            bits[y * stride + x] = rgb;
    }
    void fill(int x0, int y0, int w, int h, QRgb rgb)
    {
        for (int y = std::max(0, y0); y < std::min(height, y0 + h); ++y) {
            for (int x = std::max(0, x0); x < std::min(width, x0 + w); ++x)
                bits[y * stride + x] = rgb;
        }
    }
    void vertical(int x, int y0, int y1, QRgb rgb)
    {
        if (x < 0 || x >= width)
            return;
        for (int y = std::max(0, std::min(y0, y1)); y <= std::min(height - 1, std::max(y0, y1)); ++y)
            bits[y * stride + x] = rgb;
    }
    // A one-pixel line: one pixel per step along its longer axis, in 16.16 fixed point.
    void line(int x0, int y0, int x1, int y1, QRgb rgb)
    {
        if (x0 == x1) {
            vertical(x0, y0, y1, rgb);
            return;
        }
        const int steps = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
        const int dx = ((x1 - x0) * 65536) / steps, dy = ((y1 - y0) * 65536) / steps;
        int fx = x0 * 65536 + 32768, fy = y0 * 65536 + 32768;
        for (int i = 0; i <= steps; ++i, fx += dx, fy += dy)
            set(fx >> 16, fy >> 16, rgb);
    }

    QImage &image;
    int width = 0, height = 0, stride = 0;
    QRgb *bits = nullptr;
};

} // namespace

QRectF watchChartPlotArea(const QSizeF &size)
{
    return QRectF(kLeft, kTop, std::max(1.0, size.width() - kLeft - kRight),
                  std::max(1.0, size.height() - kTop - kBottom));
}

QColor watchChartColor(int index)
{
    // Categorical colours that stay apart on white (and from the loss red).
    static const QColor palette[] = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
        QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2),
        QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    constexpr int size = int(sizeof(palette) / sizeof(palette[0]));
    return palette[((index % size) + size) % size];
}

QList<WatchChartTimeLabel> watchChartTimeLabels(double plotWidth, double labelWidth, double gap)
{
    // n steps: the first label ends labelWidth in, the second starts labelWidth / 2 before its
    // instant, so the tightest pair is the first two (or, with one step, the two ends).
    const auto fits = [&](int steps) {
        const double spacing = plotWidth / steps;
        return steps == 1 ? plotWidth >= 2 * labelWidth + gap : spacing >= 1.5 * labelWidth + gap;
    };
    int steps = 4;
    while (steps > 0 && !fits(steps))
        --steps;
    if (steps == 0)
        return {{plotWidth - labelWidth, 1.0}};
    QList<WatchChartTimeLabel> labels;
    for (int i = 0; i <= steps; ++i) {
        const double fraction = double(i) / steps;
        const double x = plotWidth * fraction;
        labels.append({i == 0 ? 0.0 : i == steps ? x - labelWidth : x - labelWidth / 2, fraction});
    }
    return labels;
}

WatchChartGeometry watchChartGeometry(const QSize &plotSize, const WatchStats &stats,
                                      const WatchChartView &view, WatchChartColumns *columns)
{
    WatchChartGeometry out;
    const int width = std::max(1, plotSize.width()), height = std::max(1, plotSize.height());
    WatchChartColumns local;
    WatchChartColumns &cache = columns ? *columns : local;
    const Columns grid{std::max<qint64>(1, view.toMs - view.fromMs), width};
    const qint64 firstColumn = grid.of(view.fromMs);
    if (cache.spanMs != grid.spanMs || cache.width != width || firstColumn < cache.firstColumn ||
        view.toMs < cache.toMs)
        cache.clear();
    const qint64 pauseDirtyMs = firstChangedPause(cache.pauses, view.pauses);
    cache.spanMs = grid.spanMs;
    cache.width = width;
    cache.firstColumn = firstColumn;
    cache.toMs = view.toMs;
    cache.pauses = view.pauses;
    // Series no longer drawn are forgotten (a hop chosen again is walked anew).
    for (auto it = cache.series.begin(); it != cache.series.end();) {
        const RttSeries *series = view.ttls.contains(it->first) ? stats.series(it->first) : nullptr;
        it = series ? std::next(it) : cache.series.erase(it);
    }
    std::vector<const ColumnCache *> drawn;
    drawn.reserve(size_t(view.ttls.size()));
    float top = 0;
    for (int ttl : view.ttls) {
        const RttSeries *series = stats.series(ttl);
        if (!series) {
            drawn.push_back(nullptr);
            continue;
        }
        ColumnCache &c = cache.series[ttl];
        updateColumns(&c, *series, grid, firstColumn, view.toMs, view.pauses, pauseDirtyMs);
        drawn.push_back(&c);
        for (const Segment &s : c.segments)
            top = std::max(top, s.maxMs);
    }
    out.anyReply = top > 0;
    out.yStep = niceCeil(top * 1.1 / 4); // four round steps up the RTT axis
    const double yMax = 4 * out.yStep;
    const auto rowOf = [&](float ms) {
        return std::clamp(int((1.0 - ms / yMax) * (height - 1) + 0.5), 0, height - 1);
    };
    // The newest instant (toMs, one column past the span's last) is drawn in the last column.
    const auto xOf = [&](qint64 column) {
        return int(std::min<qint64>(column - firstColumn, width - 1));
    };
    for (const ColumnCache *c : drawn) {
        WatchChartSeries series;
        if (!c) {
            out.series.append(std::move(series));
            continue;
        }
        series.lossColumns.reserve(qsizetype(c->lossColumns.size()));
        for (qint64 k : c->lossColumns) {
            if (series.lossColumns.isEmpty() || series.lossColumns.constLast() != xOf(k))
                series.lossColumns.append(xOf(k));
        }
        const std::deque<Segment> &segments = c->segments;
        for (auto it = segments.begin(); it != segments.end(); ++it) {
            if (it->startsRun || series.runs.isEmpty()) {
                // Two points at most per segment up to the next run: one allocation a run.
                auto end = std::next(it);
                while (end != segments.end() && !end->startsRun)
                    ++end;
                series.runs.append(QPolygon());
                series.runs.last().reserve(qsizetype(2 * (end - it)));
            }
            QPolygon &run = series.runs.last();
            const int x = xOf(it->column);
            const int first = rowOf(it->firstIsMin ? it->minMs : it->maxMs);
            const int last = rowOf(it->firstIsMin ? it->maxMs : it->minMs);
            run.append(QPoint(x, first));
            if (last != first)
                run.append(QPoint(x, last));
        }
        out.series.append(std::move(series));
    }
    return out;
}

void renderWatchChartPlot(QImage *image, const QSize &plotSize, const WatchChartGeometry &geometry,
                          const WatchChartView &view)
{
    Raster r(image, plotSize.expandedTo(QSize(1, 1)), view.background.rgb());
    QColor grid = view.text;
    grid.setAlphaF(0.15f);
    // Focus period under everything.
    if (view.focusToMs > view.focusFromMs && view.toMs > view.fromMs) {
        const double scale = double(r.width) / double(view.toMs - view.fromMs);
        const int x0 = int(double(view.focusFromMs - view.fromMs) * scale);
        const int x1 = int(double(view.focusToMs - view.fromMs) * scale);
        QColor band(0x1f, 0x77, 0xb4);
        band.setAlphaF(0.12f);
        r.fill(x0, 0, x1 - x0 + 1, r.height, over(band, view.background.rgb()));
    }
    // Grid: four steps up the RTT axis and the frame, blended over what is there (the
    // background or the focus band: the last blend is remembered, not computed per pixel).
    QRgb below = r.bits[0] + 1, blended = 0;
    const auto gridOver = [&](QRgb *pixel) {
        if (*pixel != below) {
            below = *pixel;
            blended = over(grid, below);
        }
        *pixel = blended;
    };
    const auto gridRow = [&](int y) {
        if (y < 0 || y >= r.height)
            return;
        for (int x = 0; x < r.width; ++x)
            gridOver(&r.bits[y * r.stride + x]);
    };
    for (int i = 0; i <= 4; ++i)
        gridRow(int((1.0 - i / 4.0) * (r.height - 1) + 0.5));
    for (int y = 0; y < r.height; ++y) {
        gridOver(&r.bits[y * r.stride]);
        gridOver(&r.bits[y * r.stride + r.width - 1]);
    }
    // Series: per run a line from point to point (per column a vertical stretch over its
    // extremes and a line to the next column); loss marks along the top.
    const QRgb loss = kLossColor.rgb();
    for (qsizetype s = 0; s < geometry.series.size(); ++s) {
        const QRgb rgb = watchChartColor(int(s)).rgb();
        for (const QPolygon &run : geometry.series.at(s).runs) {
            r.set(run.at(0).x(), run.at(0).y(), rgb);
            for (qsizetype i = 1; i < run.size(); ++i)
                r.line(run.at(i - 1).x(), run.at(i - 1).y(), run.at(i).x(), run.at(i).y(), rgb);
        }
        for (int x : geometry.series.at(s).lossColumns)
            r.fill(x, 0, 2, 6, loss);
    }
}

} // namespace tracemap
