// The renderer's populated-place layer: labels of the basemap's places (GeoNames), laid out by
// the pure PlaceLabels::place around what the route and the overlays already occupy.
#include "maprenderer.h"
#include "mapstyle.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace tracemap {

using namespace mapstyle;

namespace {

// Room kept between a place label and the route's markers, so a name never touches a hop.
constexpr double MarkerClearance = 3.0;
constexpr double SourceRadius = 9.0; // as paintMarkers draws it

} // namespace

QImage MapRenderer::placeSprite(const QString &text, bool capital, double dpr)
{
    const QString key = QStringLiteral("%1|%2|%3").arg(capital ? 1 : 0).arg(dpr).arg(text);
    QMutexLocker lock(&m_cacheMutex);
    if (const QImage *cached = m_placeSprites.object(key))
        return *cached;
    const QFont font = PlaceLabels::font();
    const QFontMetricsF metrics(font);
    const double halo = PlaceLabels::Halo;
    const QSizeF box(metrics.horizontalAdvance(text) + 2 * halo, metrics.height() + 2 * halo);
    QImage sprite(QSize(int(std::ceil(box.width() * dpr)) + 2, int(std::ceil(box.height() * dpr)) + 2),
                  QImage::Format_ARGB32_Premultiplied);
    sprite.setDevicePixelRatio(dpr);
    sprite.fill(Qt::transparent);
    QPainter p(&sprite);
    p.setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    path.addText(QPointF(halo, halo + metrics.ascent()), font, text);
    p.setPen(QPen(PlaceHaloColor, 2 * halo + 0.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    p.setPen(Qt::NoPen);
    p.setBrush(capital ? CapitalTextColor : PlaceTextColor);
    p.drawPath(path);
    p.end();
    m_placeSprites.insert(key, new QImage(sprite));
    return sprite;
}

QList<QRectF> MapRenderer::placeLabelObstacles(const MapViewport &viewport, const MapScene &scene)
{
    QList<QRectF> obstacles;
    auto addCircle = [&](QPointF centre, double radius) {
        const QPointF r(radius, radius);
        obstacles.append(QRectF(centre - r, centre + r));
    };
    if (scene.hasSource) {
        const QPointF world = WebMercator::coordinateToWorldPixel(
            scene.sourceLatitude, WebMercator::wrapLongitude(scene.sourceLongitude), viewport.zoom());
        for (double shift : viewport.visibleCopies(world.x(), world.x(), 16.0))
            addCircle(viewport.worldPixelToPixel(world + QPointF(shift, 0)), SourceRadius + MarkerClearance);
    }
    for (const MarkerPlacement &marker : placeMarkers(viewport, scene))
        addCircle(marker.position, marker.radius + MarkerClearance);
    for (const HopLabelPlacement &label : placeHopLabels(viewport, scene))
        obstacles.append(label.box);
    obstacles.append(routeMarkRects(viewport, scene));
    if (const QRectF legend = legendRect(viewport, scene); scene.showLegend && legend.isValid())
        obstacles.append(legend);
    if (const QRectF legend = routeLegendRect(viewport, scene); legend.isValid())
        obstacles.append(legend);
    if (const QRectF bar = scaleBarRect(viewport, scene); scene.showScaleBar && bar.isValid())
        obstacles.append(bar);
    if (const QRectF attribution = attributionRect(viewport, scene); attribution.isValid())
        obstacles.append(attribution);
    return obstacles;
}

QList<PlaceLabel> MapRenderer::placeLabels(const MapViewport &viewport, const MapScene &scene) const
{
    return PlaceLabels::place(viewport, m_basemap->places(), placeLabelObstacles(viewport, scene));
}

void MapRenderer::paintPlaces(QPainter &painter, const MapViewport &viewport, const MapScene &scene)
{
    // Laid out again only when the view or what the labels avoid moved: a repaint for a colour,
    // a hover or a loss mark keeps the placement.
    const QList<QRectF> obstacles = placeLabelObstacles(viewport, scene);
    QList<PlaceLabel> labels;
    {
        QMutexLocker lock(&m_cacheMutex);
        labels = m_placeLabels.labels(viewport, m_basemap->places(), obstacles);
    }
    if (labels.isEmpty())
        return;
    const QList<BasemapPlace> &places = m_basemap->places();
    const double dpr = painter.device() ? painter.device()->devicePixelRatioF() : 1.0;
    painter.save();
    for (const PlaceLabel &label : labels) {
        const bool capital = places[label.place].rank == BasemapPlace::Rank::NationalCapital;
        // A capital is a ring with a dot in it, other places a plain dot.
        painter.setPen(QPen(PlaceHaloColor, 1.2));
        painter.setBrush(PlaceDotColor);
        painter.drawEllipse(label.dot, PlaceLabels::DotRadius, PlaceLabels::DotRadius);
        if (capital) {
            painter.setPen(Qt::NoPen);
            painter.setBrush(PlaceHaloColor);
            painter.drawEllipse(label.dot, 1.0, 1.0);
        }
        // The text with its halo, from a sprite drawn once per name: stroking a text path per
        // label per frame made every pan frame cost ~100 ms with a few hundred labels.
        painter.drawImage(label.box.topLeft(), placeSprite(label.text, capital, dpr));
    }
    painter.restore();
}

} // namespace tracemap
