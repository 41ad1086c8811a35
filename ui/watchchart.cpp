#include "watchchart.h"

#include "notifying.h"
#include "watchcontroller.h"
#include "watchstats.h"

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace tracemap {

namespace {

constexpr qint64 kYoungSpanMs = 30 * 1000;
constexpr double kLeft = 58, kRight = 10, kTop = 8, kBottom = 20;
const QColor kLossColor(0xd3, 0x2f, 0x2f);

// One pixel column of a series: the extremes of the replies that fall in it, and whether a
// probe was lost there.
struct Column
{
    int x = -1;
    float minMs = 0, maxMs = 0;
    bool firstIsMin = true;
    bool any = false;
    bool lost = false;
};

// Walks a series' points in [from, to] in time order: per-minute aggregates for the part that
// is no longer kept sample by sample, then the samples. visit(timeMs, rttMs < 0 = lost).
template<typename Visit> void forEachPoint(const RttSeries &series, qint64 from, qint64 to, Visit visit)
{
    const std::deque<RttSeries::Sample> &samples = series.samples();
    const qint64 firstSample = samples.empty() ? to + 1 : samples.front().timeMs;
    for (const RttSeries::Bucket &b : series.minutes()) {
        if (b.startMs >= firstSample || b.startMs > to)
            break;
        if (b.startMs < from)
            continue;
        if (b.summary.received > 0)
            visit(b.startMs, float(b.summary.avgMs()));
        if (b.summary.sent > b.summary.received)
            visit(b.startMs, -1.0f);
    }
    auto it = std::lower_bound(samples.begin(), samples.end(), from,
                               [](const RttSeries::Sample &s, qint64 t) { return s.timeMs < t; });
    for (; it != samples.end() && it->timeMs <= to; ++it)
        visit(it->timeMs, it->rttMs);
}

// The columns of one series, left to right.
QList<Column> columnsOf(const RttSeries &series, const WatchChartView &view, const QRectF &plot)
{
    QList<Column> columns;
    const double span = double(std::max<qint64>(1, view.toMs - view.fromMs));
    forEachPoint(series, view.fromMs, view.toMs, [&](qint64 t, float rtt) {
        const int x = int(plot.left() + (double(t - view.fromMs) / span) * plot.width());
        if (columns.isEmpty() || columns.constLast().x != x)
            columns.append(Column{x});
        Column &c = columns.last();
        if (rtt < 0) {
            c.lost = true;
            return;
        }
        if (!c.any) {
            c.minMs = c.maxMs = rtt;
            c.any = true;
        } else if (rtt < c.minMs) {
            c.minMs = rtt;
            c.firstIsMin = false;
        } else if (rtt > c.maxMs) {
            c.maxMs = rtt;
        }
    });
    return columns;
}

// An ARGB image written pixel by pixel (clipped to its size): lines and boxes in one colour.
struct Raster
{
    explicit Raster(const QSize &size)
        : image(size, QImage::Format_ARGB32_Premultiplied), width(size.width()), height(size.height()),
          stride(int(image.bytesPerLine() / 4)), bits(reinterpret_cast<QRgb *>(image.bits()))
    {
        image.fill(Qt::transparent);
    }
    void set(int x, int y, QRgb rgb)
    {
        if (x >= 0 && x < width && y >= 0 && y < height)
            bits[y * stride + x] = rgb;
    }
    void fill(int x, int y, int w, int h, QRgb rgb)
    {
        for (int row = y; row < y + h; ++row) {
            for (int col = x; col < x + w; ++col)
                set(col, row, rgb);
        }
    }
    // A one-pixel line: one pixel per step along its longer axis.
    void line(int x0, int y0, int x1, int y1, QRgb rgb)
    {
        const int steps = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
        if (steps == 0) {
            set(x0, y0, rgb);
            return;
        }
        for (int i = 0; i <= steps; ++i)
            set(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps, rgb);
    }

    QImage image;
    int width, height, stride;
    QRgb *bits;
};

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

void paintWatchChart(QPainter *painter, const QSizeF &size, const WatchStats &stats,
                     const WatchChartView &view)
{
    const QRectF plot = watchChartPlotArea(size);
    painter->fillRect(QRectF(QPointF(0, 0), size), view.background);
    QColor grid = view.text;
    grid.setAlphaF(0.15f);
    QColor dim = view.text;
    dim.setAlphaF(0.7f);
    QFont font = painter->font();
    font.setPixelSize(10);
    painter->setFont(font);

    QList<QList<Column>> all;
    float top = 0;
    for (int ttl : view.ttls) {
        const RttSeries *series = stats.series(ttl);
        all << (series ? columnsOf(*series, view, plot) : QList<Column>());
        for (const Column &c : all.constLast()) {
            if (c.any)
                top = std::max(top, c.maxMs);
        }
    }
    const double yStep = niceCeil(top * 1.1 / 4); // four round steps up the RTT axis
    const double yMax = 4 * yStep;
    auto yOf = [&](double ms) {
        return plot.bottom() - ms / yMax * plot.height();
    };

    // Focus period under everything.
    if (view.focusToMs > view.focusFromMs && view.toMs > view.fromMs) {
        const double span = double(view.toMs - view.fromMs);
        const double x0 = plot.left() + double(view.focusFromMs - view.fromMs) / span * plot.width();
        const double x1 = plot.left() + double(view.focusToMs - view.fromMs) / span * plot.width();
        QColor band(0x1f, 0x77, 0xb4);
        band.setAlphaF(0.12f);
        painter->fillRect(QRectF(QPointF(std::max(x0, plot.left()), plot.top()),
                                 QPointF(std::min(x1, plot.right()), plot.bottom())),
                          band);
    }
    // RTT axis: four steps.
    for (int i = 0; i <= 4; ++i) {
        const double ms = yStep * i;
        const double y = yOf(ms);
        painter->setPen(QPen(grid, 1));
        painter->drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter->setPen(dim);
        painter->drawText(QRectF(0, y - 7, kLeft - 4, 14), Qt::AlignRight | Qt::AlignVCenter,
                          QStringLiteral("%1 ms").arg(ms, 0, 'g', 3));
    }
    // Time axis: five labels.
    if (view.toMs > view.fromMs) {
        const bool seconds = view.toMs - view.fromMs < 6LL * 3600 * 1000;
        for (int i = 0; i <= 4; ++i) {
            const double x = plot.left() + plot.width() * i / 4;
            const qint64 t = view.fromMs + (view.toMs - view.fromMs) * i / 4;
            const QString label = QDateTime::fromMSecsSinceEpoch(t).toString(
                seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("MM-dd HH:mm"));
            const Qt::Alignment align = i == 0 ? Qt::AlignLeft : i == 4 ? Qt::AlignRight : Qt::AlignHCenter;
            const double w = 80;
            const double left = i == 0 ? x : i == 4 ? x - w : x - w / 2;
            painter->drawText(QRectF(left, plot.bottom() + 3, w, kBottom - 3), align | Qt::AlignTop, label);
        }
    }
    painter->setPen(QPen(grid, 1));
    painter->drawRect(plot);

    // Series, rasterised straight into an image of the plot: per pixel column a line from the
    // previous column's last value to this one's first, and a vertical run over its extremes;
    // a lost probe breaks the line and marks the column at the top. QPainter's line drawing
    // costs about 20 ns a pixel here and a dense hour of 30 hops sets some 450 000 pixels;
    // writing them costs about 1 ns each (bench/chart_bench).
    Raster layer(QSize(int(plot.width()), int(plot.height())));
    const int left = int(plot.left());
    const auto rowOf = [&](double ms) {
        return std::clamp(int((1.0 - ms / yMax) * (layer.height - 1) + 0.5), 0, layer.height - 1);
    };
    for (qsizetype s = 0; s < all.size(); ++s) {
        const QRgb rgb = watchChartColor(int(s)).rgba();
        int previousX = -1, previousRow = -1; // -1: the line is broken
        for (const Column &c : all.at(s)) {
            const int x = c.x - left;
            if (c.lost) {
                layer.fill(x, 0, 2, 6, kLossColor.rgba());
                previousX = -1;
            }
            if (!c.any)
                continue;
            const int first = rowOf(c.firstIsMin ? c.minMs : c.maxMs);
            const int last = rowOf(c.firstIsMin ? c.maxMs : c.minMs);
            if (previousX >= 0)
                layer.line(previousX, previousRow, x, first, rgb);
            layer.line(x, first, x, last, rgb);
            previousX = x;
            previousRow = last;
        }
    }
    painter->drawImage(QPointF(left, plot.top()), layer.image);
    if (view.ttls.isEmpty() || top <= 0) {
        painter->setPen(dim);
        painter->drawText(plot, Qt::AlignCenter, QObject::tr("No replies in this window yet"));
    }
}

WatchChart::WatchChart(QQuickItem *parent) : QQuickPaintedItem(parent)
{
    setOpaquePainting(true);
}

void WatchChart::setController(WatchController *controller)
{
    if (m_controller == controller)
        return;
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    if (controller) {
        connect(controller, &WatchController::viewChanged, this, [this] { update(); });
        connect(controller, &WatchController::focusChanged, this, [this] { update(); });
    }
    emit controllerChanged();
    update();
}

void WatchChart::setTtls(const QList<int> &ttls)
{
    if (setAndNotify(this, m_ttls, ttls, &WatchChart::ttlsChanged))
        update();
}

void WatchChart::setTextColor(const QColor &color)
{
    if (setAndNotify(this, m_text, color, &WatchChart::textColorChanged))
        update();
}

void WatchChart::setBackgroundColor(const QColor &color)
{
    if (setAndNotify(this, m_background, color, &WatchChart::backgroundColorChanged))
        update();
}

QList<int> WatchChart::drawnTtls() const
{
    if (!m_ttls.isEmpty() || !m_controller || m_controller->model()->count() == 0)
        return m_ttls;
    const WatchHopModel *model = m_controller->model();
    return {model->rows().constLast().summary.ttl};
}

WatchChartView WatchChart::view() const
{
    WatchChartView v;
    v.background = m_background;
    v.text = m_text;
    if (!m_controller)
        return v;
    v.fromMs = qint64(m_controller->windowStartMs());
    v.toMs = qint64(m_controller->latestRoundMs());
    // A young watch is drawn over at least 30 s (and at most the window), so its line grows
    // from the left without being squeezed into the first pixels of a 10-minute axis.
    const qint64 span = WatchController::windowSpanMs(m_controller->timeWindow());
    const qint64 shown = std::max<qint64>(kYoungSpanMs, v.toMs - v.fromMs);
    v.toMs = v.fromMs + (span > 0 ? std::min(span, shown) : shown);
    if (v.toMs <= v.fromMs)
        v.toMs = v.fromMs + 1000;
    v.ttls = drawnTtls();
    if (m_controller->hasFocus()) {
        v.focusFromMs = qint64(m_controller->focusStartMs());
        v.focusToMs = qint64(m_controller->focusEndMs());
    }
    return v;
}

double WatchChart::timeAt(double x) const
{
    const WatchChartView v = view();
    const QRectF plot = watchChartPlotArea(size());
    const double f = std::clamp((x - plot.left()) / plot.width(), 0.0, 1.0);
    return double(v.fromMs) + f * double(v.toMs - v.fromMs);
}

double WatchChart::xAt(double timeMs) const
{
    const WatchChartView v = view();
    const QRectF plot = watchChartPlotArea(size());
    return plot.left() +
           (timeMs - double(v.fromMs)) / double(std::max<qint64>(1, v.toMs - v.fromMs)) * plot.width();
}

QColor WatchChart::colorOf(int ttl) const
{
    const qsizetype i = drawnTtls().indexOf(ttl);
    return i < 0 ? QColor(Qt::transparent) : watchChartColor(int(i));
}

void WatchChart::paint(QPainter *painter)
{
    const WatchStats *stats = m_controller ? m_controller->stats() : nullptr;
    if (!stats) {
        WatchStats empty;
        paintWatchChart(painter, size(), empty, view());
        return;
    }
    paintWatchChart(painter, size(), *stats, view());
}

WatchSparkline::WatchSparkline(QQuickItem *parent) : QQuickPaintedItem(parent) {}

void WatchSparkline::setValues(const QList<qreal> &values)
{
    if (setAndNotify(this, m_values, values, &WatchSparkline::valuesChanged))
        update();
}

void WatchSparkline::setColor(const QColor &color)
{
    if (setAndNotify(this, m_color, color, &WatchSparkline::colorChanged))
        update();
}

void WatchSparkline::paint(QPainter *painter)
{
    if (m_values.isEmpty() || width() < 4 || height() < 4)
        return;
    qreal top = 0;
    for (qreal v : m_values)
        top = std::max(top, v);
    const qreal step = width() / std::max<qsizetype>(1, kSparklineSamples - 1);
    // Right-aligned: the newest sample is at the right edge whatever the count.
    const qreal x0 = width() - step * qreal(m_values.size() - 1);
    const qreal h = height() - 2;
    painter->setRenderHint(QPainter::Antialiasing, true);
    QPainterPath path;
    bool open = false;
    for (qsizetype i = 0; i < m_values.size(); ++i) {
        const qreal x = x0 + step * qreal(i);
        const qreal v = m_values.at(i);
        if (v < 0) {
            painter->fillRect(QRectF(x - 1, 0, 2, height()), kLossColor);
            open = false;
            continue;
        }
        const qreal y = 1 + h - (top > 0 ? v / top * h : h / 2);
        if (open)
            path.lineTo(x, y);
        else
            path.moveTo(x, y);
        open = true;
    }
    painter->setPen(QPen(m_color, 1.2));
    painter->drawPath(path);
}

} // namespace tracemap
