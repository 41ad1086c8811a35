#include "watchchart.h"

#include "notifying.h"
#include "watchcontroller.h"
#include "watchstats.h"

#include <QDateTime>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

namespace tracemap {

namespace {

// A property of a painted item: stored and announced on a real change, then redrawn.
template<typename Item, typename T, typename Signal>
void setAndRepaint(Item *item, T &field, const T &value, Signal signal)
{
    if (setAndNotify(item, field, value, signal))
        item->update();
}

constexpr qint64 kYoungSpanMs = 30 * 1000;
const QColor kLossColor(0xd3, 0x2f, 0x2f);

} // namespace

void paintWatchChart(QPainter *painter, const QSizeF &size, const WatchStats &stats,
                     const WatchChartView &view, WatchChartMemory *memory)
{
    const QRectF plot = watchChartPlotArea(size);
    const QSize plotPixels(int(plot.width()), int(plot.height()));
    const WatchChartGeometry geometry =
        watchChartGeometry(plotPixels, stats, view, memory ? &memory->columns : nullptr);
    // The margins around the plot, then the plot as one opaque image (a plain copy).
    const QRectF all(QPointF(0, 0), size);
    painter->fillRect(QRectF(all.topLeft(), QPointF(all.right(), plot.top())), view.background);
    painter->fillRect(QRectF(QPointF(0, plot.top()), QPointF(plot.left(), all.bottom())), view.background);
    painter->fillRect(QRectF(QPointF(plot.left() + plotPixels.width(), plot.top()), all.bottomRight()),
                      view.background);
    painter->fillRect(QRectF(QPointF(plot.left(), plot.top() + plotPixels.height()), all.bottomRight()),
                      view.background);
    QImage local;
    QImage *image = memory ? &memory->plot : &local;
    renderWatchChartPlot(image, plotPixels, geometry, view);
    painter->drawImage(plot.topLeft(), *image);

    QColor dim = view.text;
    dim.setAlphaF(0.7f);
    QFont font = painter->font();
    font.setPixelSize(10);
    painter->setFont(font);
    painter->setPen(dim);
    // RTT axis: four steps, beside the grid rows renderWatchChartPlot draws.
    for (int i = 0; i <= 4; ++i) {
        const double y = plot.top() + int((1.0 - i / 4.0) * (plotPixels.height() - 1) + 0.5);
        painter->drawText(QRectF(0, y - 7, plot.left() - 4, 14), Qt::AlignRight | Qt::AlignVCenter,
                          QStringLiteral("%1 ms").arg(geometry.yStep * i, 0, 'g', 3));
    }
    // Time axis: up to five labels, as many as fit the width without touching.
    if (view.toMs > view.fromMs) {
        const QString format = view.toMs - view.fromMs < 6LL * 3600 * 1000 ? QStringLiteral("HH:mm:ss")
                                                                           : QStringLiteral("MM-dd HH:mm");
        const double labelTop = plot.top() + plotPixels.height() + 3;
        const double labelWidth = QFontMetricsF(font).horizontalAdvance(
                                      QDateTime::fromMSecsSinceEpoch(view.toMs).toString(format)) +
                                  2;
        for (const WatchChartTimeLabel &label : watchChartTimeLabels(plot.width(), labelWidth, 10)) {
            const qint64 t = view.fromMs + qint64(double(view.toMs - view.fromMs) * label.fraction);
            painter->drawText(
                QRectF(plot.left() + label.left, labelTop, labelWidth, size.height() - labelTop),
                Qt::AlignHCenter | Qt::AlignTop, QDateTime::fromMSecsSinceEpoch(t).toString(format));
        }
    }
    if (view.ttls.isEmpty() || !geometry.anyReply)
        painter->drawText(plot, Qt::AlignCenter, QObject::tr("No replies in this window yet"));
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
    setAndRepaint(this, m_ttls, ttls, &WatchChart::ttlsChanged);
}

void WatchChart::setTextColor(const QColor &color)
{
    setAndRepaint(this, m_text, color, &WatchChart::textColorChanged);
}

void WatchChart::setBackgroundColor(const QColor &color)
{
    setAndRepaint(this, m_background, color, &WatchChart::backgroundColorChanged);
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
    v.pauses = m_controller->pauses();
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
    const int rounds = m_controller ? m_controller->rounds() : 0;
    if (!stats || rounds < m_paintedRounds)
        m_memory.columns.clear(); // other statistics than the columns were walked over
    m_paintedRounds = rounds;
    if (!stats) {
        WatchStats empty;
        paintWatchChart(painter, size(), empty, view(), &m_memory);
        return;
    }
    paintWatchChart(painter, size(), *stats, view(), &m_memory);
}

WatchSparkline::WatchSparkline(QQuickItem *parent) : QQuickPaintedItem(parent) {}

void WatchSparkline::setValues(const QList<qreal> &values)
{
    setAndRepaint(this, m_values, values, &WatchSparkline::valuesChanged);
}

void WatchSparkline::setColor(const QColor &color)
{
    setAndRepaint(this, m_color, color, &WatchSparkline::colorChanged);
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
