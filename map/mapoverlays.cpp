// The renderer's overlays, drawn over the map: the RTT legend (in a corner free of markers),
// the scale bar and the attribution line, and where each of them goes.
#include "maprenderer.h"
#include "mapstyle.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace tracemap {

using namespace mapstyle;

namespace {

// Room kept under the legend and scale bar for a long attribution line.
double bottomInset(const MapViewport &viewport, const MapScene &scene)
{
    const QRectF attribution = MapRenderer::attributionRect(viewport, scene);
    return attribution.isValid() && attribution.left() < 300 ? attribution.height() : 0.0;
}

} // namespace

QRectF MapRenderer::legendRect(const MapViewport &viewport, const MapScene &scene)
{
    const double inset = bottomInset(viewport, scene);
    const QSizeF view = viewport.size();
    if (view.width() < 400 || view.height() < 300 + inset)
        return {};
    const double rowHeight = QFontMetricsF(uiFont(11)).height() + 4;
    const QSizeF size(196, rowHeight * 2 + 22);
    // Bottom-left above the scale bar, else top-left, else bottom-right above the attribution:
    // the first corner where no marker would sit under the legend; none when all are taken.
    const QRectF attribution = attributionRect(viewport, scene);
    const double rightBottom = attribution.isValid() ? attribution.top() - 8 : view.height() - 10;
    const QList<QRectF> corners{
        QRectF(QPointF(10, view.height() - inset - 48 - size.height()), size),
        QRectF(QPointF(10, 10), size),
        QRectF(QPointF(view.width() - 10 - size.width(), rightBottom - size.height()), size),
    };
    const QList<MarkerPlacement> markers = placeMarkers(viewport, scene);
    for (const QRectF &corner : corners) {
        const QRectF guard = corner.adjusted(-3, -3, 3, 3);
        const bool free = std::none_of(markers.cbegin(), markers.cend(), [&](const MarkerPlacement &m) {
            const QPointF r(m.radius, m.radius);
            return guard.intersects(QRectF(m.position - r, m.position + r));
        });
        if (free)
            return corner;
    }
    return {};
}

void MapRenderer::paintLegend(QPainter &painter, const QRectF &box)
{
    const QFont font = uiFont(11);
    const QFontMetricsF metrics(font);
    const double width = box.width(), rowHeight = metrics.height() + 4;
    painter.setPen(QPen(QColor(0, 0, 0, 40), 1));
    painter.setBrush(QColor(255, 255, 255, 225));
    painter.drawRoundedRect(box, 5, 5);
    painter.setFont(font);

    // RTT scale: a gradient with ticks at the colour anchors.
    const double barLeft = box.left() + 40, barWidth = width - 50;
    const QRectF bar(barLeft, box.top() + 9, barWidth, 8);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 10; ++i)
        gradient.setColorAt(i / 10.0, rttColor(20.0 * std::pow(10.0, i / 10.0)));
    painter.setPen(InkColor);
    painter.drawText(QRectF(box.left() + 8, bar.top() - 4, 32, 16), Qt::AlignVCenter | Qt::AlignLeft,
                     QStringLiteral("RTT"));
    painter.setPen(QPen(QColor(0, 0, 0, 60), 0.8));
    painter.setBrush(gradient);
    painter.drawRoundedRect(bar, 3, 3);
    painter.setPen(QColor(0x45, 0x50, 0x5c));
    const struct
    {
        double t;
        const char *text;
        Qt::Alignment align;
    } ticks[] = {{0.0, "20", Qt::AlignLeft}, {0.5, "63", Qt::AlignHCenter}, {1.0, "200 ms", Qt::AlignRight}};
    for (const auto &tick : ticks) {
        const double x = bar.left() + tick.t * bar.width();
        const double w = 60;
        const double left = tick.align == Qt::AlignLeft    ? x
                            : tick.align == Qt::AlignRight ? x - w
                                                           : x - w / 2;
        painter.drawText(QRectF(left, bar.bottom() + 1, w, rowHeight), tick.align | Qt::AlignTop,
                         QString::fromLatin1(tick.text));
    }
    // Dashed: hops between without a place.
    const double y = box.bottom() - rowHeight / 2 - 4;
    QPen dashed(RouteColor, 2.2, Qt::CustomDashLine, Qt::FlatCap);
    dashed.setDashPattern({3.0, 2.5});
    painter.setPen(dashed);
    painter.drawLine(QPointF(box.left() + 10, y), QPointF(box.left() + 34, y));
    painter.setPen(InkColor);
    painter.drawText(QRectF(barLeft, y - rowHeight / 2, barWidth + 6, rowHeight),
                     Qt::AlignVCenter | Qt::AlignLeft, QStringLiteral("hops without a place"));
}

namespace {

struct ScaleBar
{
    QRectF back; // the box; invalid when there is no scale bar
    double length = 0.0;
    QString text;
};

ScaleBar scaleBarLayout(const MapViewport &viewport, const MapScene &scene)
{
    if (viewport.size().width() < 200 || viewport.size().height() < 80)
        return {};
    const double kmPerPixel = viewport.kilometresPerPixel();
    if (!(kmPerPixel > 0))
        return {};
    // The longest "nice" length (1, 2, 5 x 10^n) that fits in 110 px.
    const double maxKm = 110.0 * kmPerPixel;
    const double magnitude = std::pow(10.0, std::floor(std::log10(maxKm)));
    double niceKm = magnitude;
    for (double step : {5.0, 2.0, 1.0}) {
        if (step * magnitude <= maxKm) {
            niceKm = step * magnitude;
            break;
        }
    }
    ScaleBar bar;
    bar.length = niceKm / kmPerPixel;
    bar.text =
        niceKm >= 1.0 ? QStringLiteral("%1 km").arg(niceKm) : QStringLiteral("%1 m").arg(niceKm * 1000.0);
    const double bottom = viewport.size().height() - bottomInset(viewport, scene) - 12;
    bar.back = QRectF(10, bottom - 22,
                      bar.length + 16 + QFontMetricsF(uiFont(11)).horizontalAdvance(bar.text) + 8, 26);
    return bar;
}

} // namespace

QRectF MapRenderer::scaleBarRect(const MapViewport &viewport, const MapScene &scene)
{
    return scaleBarLayout(viewport, scene).back;
}

void MapRenderer::paintScaleBar(QPainter &painter, const MapViewport &viewport, const MapScene &scene)
{
    const ScaleBar bar = scaleBarLayout(viewport, scene);
    if (!bar.back.isValid())
        return;
    painter.setFont(uiFont(11));
    const QRectF &back = bar.back;
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(255, 255, 255, 200));
    painter.drawRoundedRect(back, 4, 4);
    const double left = back.left() + 8, y = back.bottom() - 10, length = bar.length;
    painter.setPen(QPen(InkColor, 1.6, Qt::SolidLine, Qt::FlatCap));
    painter.drawLine(QPointF(left, y), QPointF(left + length, y));
    painter.drawLine(QPointF(left, y - 6), QPointF(left, y));
    painter.drawLine(QPointF(left + length, y - 6), QPointF(left + length, y));
    painter.drawText(QRectF(left + length + 6, back.top(), 200, back.height() - 2),
                     Qt::AlignVCenter | Qt::AlignLeft, bar.text);
}

QRectF MapRenderer::attributionRect(const MapViewport &viewport, const MapScene &scene, QString *text)
{
    QStringList parts;
    if (!scene.attribution.isEmpty())
        parts.append(scene.attribution);
    parts.append(scene.extraAttributions);
    if (parts.isEmpty())
        return {};
    const QString joined = parts.join(QStringLiteral(" | "));
    if (text)
        *text = joined;
    const QFontMetricsF metrics(uiFont(11));
    const double available = std::max(40.0, viewport.size().width() - 12);
    QRectF textRect;
    if (scene.compactAttribution) {
        // One line, so a short view is not covered; the tile credit comes first and stays whole
        // (the view shows the full text as a tooltip).
        const QString line = metrics.elidedText(joined, Qt::ElideRight, available);
        if (text)
            *text = line;
        textRect = QRectF(0, 0, metrics.horizontalAdvance(line), metrics.height());
    } else {
        // Exports: never elided (the tile licence requires the credit to be visible), wrapped.
        textRect =
            metrics.boundingRect(QRectF(0, 0, available, 1e4), Qt::TextWordWrap | Qt::AlignRight, joined);
    }
    const double width = std::min(std::ceil(textRect.width()), available) + 12;
    const double height = textRect.height() + 6;
    return QRectF(viewport.size().width() - width, viewport.size().height() - height, width, height);
}

void MapRenderer::paintAttribution(QPainter &painter, const MapViewport &viewport, const MapScene &scene)
{
    QString text;
    const QRectF box = attributionRect(viewport, scene, &text);
    if (!box.isValid())
        return;
    const QFont font = uiFont(11);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(255, 255, 255, 215));
    painter.drawRect(box);
    painter.setFont(font);
    painter.setPen(QColor(0x33, 0x3b, 0x45));
    painter.drawText(box.adjusted(6, 3, -6, -3), Qt::AlignVCenter | Qt::AlignRight | Qt::TextWordWrap, text);
}

} // namespace tracemap
