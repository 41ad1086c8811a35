#include "watchchartgeometry.h"

#include "watchstats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tracemap {

namespace {

constexpr double kLeft = 58, kRight = 10, kTop = 8, kBottom = 20;
const QColor kLossColor(0xd3, 0x2f, 0x2f);

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
    auto it = std::lower_bound(samples.begin(), samples.end(), from,
                               [](const RttSeries::Sample &s, qint64 t) { return s.timeMs < t; });
    for (; it != samples.end() && it->timeMs <= to; ++it)
        visit(it->timeMs, it->rttMs, it->rttMs < 0);
}

// The replies of one run that fall in one pixel column: their extremes, in the order met.
struct Segment
{
    int x = 0;
    float minMs = 0, maxMs = 0;
    bool firstIsMin = true;
    bool startsRun = false; // not joined to the previous segment
};

struct Points
{
    std::vector<Segment> segments;
    QList<int> lossColumns;
};

// Pass one over a series: its segments and loss columns. A run breaks at a point without a
// reply and between two points with a pause between them.
Points pointsOf(const RttSeries &series, const WatchChartView &view, int width)
{
    Points out;
    out.segments.reserve(size_t(width) * 2);
    const double scale = double(width) / double(std::max<qint64>(1, view.toMs - view.fromMs));
    qsizetype pause = 0;
    qint64 previousMs = std::numeric_limits<qint64>::min();
    bool broken = true;
    forEachPoint(series, view.fromMs, view.toMs, [&](qint64 t, float rtt, bool lost) {
        // Pauses that ended before the previous point cannot lie between it and this one.
        while (pause < view.pauses.size() && view.pauses.at(pause).toMs <= previousMs)
            ++pause;
        if (pause < view.pauses.size() && view.pauses.at(pause).fromMs < t)
            broken = true;
        previousMs = t;
        const int x = std::clamp(int(double(t - view.fromMs) * scale), 0, width - 1);
        if (lost && (out.lossColumns.isEmpty() || out.lossColumns.constLast() != x))
            out.lossColumns.append(x);
        if (rtt < 0) {
            broken = true;
            return;
        }
        if (broken || out.segments.back().x != x) {
            out.segments.push_back(Segment{x, rtt, rtt, true, broken});
            broken = false;
            return;
        }
        Segment &s = out.segments.back();
        if (rtt < s.minMs) {
            s.minMs = rtt;
            s.firstIsMin = false;
        } else if (rtt > s.maxMs) {
            s.maxMs = rtt;
        }
    });
    return out;
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

WatchChartGeometry watchChartGeometry(const QSize &plotSize, const WatchStats &stats,
                                      const WatchChartView &view)
{
    WatchChartGeometry out;
    const int width = std::max(1, plotSize.width()), height = std::max(1, plotSize.height());
    std::vector<Points> all;
    all.reserve(size_t(view.ttls.size()));
    float top = 0;
    for (int ttl : view.ttls) {
        const RttSeries *series = stats.series(ttl);
        all.push_back(series ? pointsOf(*series, view, width) : Points());
        for (const Segment &s : all.back().segments)
            top = std::max(top, s.maxMs);
    }
    out.anyReply = top > 0;
    out.yStep = niceCeil(top * 1.1 / 4); // four round steps up the RTT axis
    const double yMax = 4 * out.yStep;
    const auto rowOf = [&](float ms) {
        return std::clamp(int((1.0 - ms / yMax) * (height - 1) + 0.5), 0, height - 1);
    };
    for (Points &points : all) {
        WatchChartSeries series;
        series.lossColumns = std::move(points.lossColumns);
        for (size_t i = 0; i < points.segments.size(); ++i) {
            const Segment &s = points.segments[i];
            if (s.startsRun || series.runs.isEmpty()) {
                // Two points at most per segment up to the next run: one allocation a run.
                size_t end = i + 1;
                while (end < points.segments.size() && !points.segments[end].startsRun)
                    ++end;
                series.runs.append(QPolygon());
                series.runs.last().reserve(qsizetype(2 * (end - i)));
            }
            QPolygon &run = series.runs.last();
            const int first = rowOf(s.firstIsMin ? s.minMs : s.maxMs);
            const int last = rowOf(s.firstIsMin ? s.maxMs : s.minMs);
            run.append(QPoint(s.x, first));
            if (last != first)
                run.append(QPoint(s.x, last));
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
    // Grid: four steps up the RTT axis and the frame, blended over what is there.
    const auto gridRow = [&](int y) {
        if (y < 0 || y >= r.height)
            return;
        for (int x = 0; x < r.width; ++x)
            r.bits[y * r.stride + x] = over(grid, r.bits[y * r.stride + x]);
    };
    for (int i = 0; i <= 4; ++i)
        gridRow(int((1.0 - i / 4.0) * (r.height - 1) + 0.5));
    for (int y = 0; y < r.height; ++y) {
        r.bits[y * r.stride] = over(grid, r.bits[y * r.stride]);
        r.bits[y * r.stride + r.width - 1] = over(grid, r.bits[y * r.stride + r.width - 1]);
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
