#include "mapframing.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

QList<GeoPoint> routePoints(const MapScene &scene)
{
    QList<GeoPoint> points;
    const auto addHops = [&points](const QList<MapHop> &hops) {
        for (const MapHop &hop : hops) {
            if (hop.hasLocation && std::isfinite(hop.latitude) && std::isfinite(hop.longitude))
                points.append(
                    {WebMercator::clampLatitude(hop.latitude), WebMercator::wrapLongitude(hop.longitude)});
        }
    };
    addHops(scene.hops);
    // The further routes drawn (a comparison's other trace, other vantage points) are framed too.
    for (const MapRoute &route : scene.routes) {
        if (route.visible && !route.failed)
            addHops(route.hops);
    }
    if (scene.hasSource && std::isfinite(scene.sourceLatitude) && std::isfinite(scene.sourceLongitude))
        points.append({WebMercator::clampLatitude(scene.sourceLatitude),
                       WebMercator::wrapLongitude(scene.sourceLongitude)});
    return points;
}

std::optional<MapFrame> frameRoute(const QList<GeoPoint> &points, QSizeF size, double padding,
                                   double closestZoom)
{
    if (points.isEmpty() || size.isEmpty())
        return std::nullopt;
    // Longitudes: the shortest interval covering all points is the circle minus its widest gap.
    QList<double> longitudes;
    for (const GeoPoint &p : points)
        longitudes.append(p.longitude);
    std::sort(longitudes.begin(), longitudes.end());
    double widestGap = longitudes.first() + 360.0 - longitudes.last();
    double west = longitudes.first();
    for (qsizetype i = 1; i < longitudes.size(); ++i) {
        const double gap = longitudes[i] - longitudes[i - 1];
        if (gap > widestGap) {
            widestGap = gap;
            west = longitudes[i];
        }
    }
    const double spanLongitude = 360.0 - widestGap;
    double top = 1.0, bottom = 0.0;
    for (const GeoPoint &p : points) {
        const double y = WebMercator::coordinateToNormalized(p.latitude, 0.0).y();
        top = std::min(top, y);
        bottom = std::max(bottom, y);
    }
    const double spanX = spanLongitude / 360.0;
    const double spanY = bottom - top;
    const double availableWidth = std::max(32.0, size.width() - 2 * padding);
    const double availableHeight = std::max(32.0, size.height() - 2 * padding);
    double zoom = closestZoom;
    if (spanX > 1e-9)
        zoom = std::min(zoom, std::log2(availableWidth / (spanX * WebMercator::TileSize)));
    if (spanY > 1e-9)
        zoom = std::min(zoom, std::log2(availableHeight / (spanY * WebMercator::TileSize)));
    const GeoPoint center = WebMercator::normalizedToCoordinate({0.0, (top + bottom) / 2.0});
    return MapFrame{center.latitude, WebMercator::wrapLongitude(west + spanLongitude / 2.0), zoom};
}

bool viewShowsAll(const MapViewport &view, const QList<GeoPoint> &points, double margin)
{
    const QRectF inner = QRectF(QPointF(0, 0), view.size()).adjusted(margin, margin, -margin, -margin);
    return std::all_of(points.cbegin(), points.cend(), [&](const GeoPoint &p) {
        return inner.contains(view.coordinateToPixel(p.latitude, p.longitude));
    });
}

} // namespace tracemap
