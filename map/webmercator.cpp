#include "webmercator.h"

#include <QtMath>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace WebMercator {

double clampLatitude(double latitude)
{
    return std::clamp(latitude, -MaxLatitude, MaxLatitude);
}

double wrapLongitude(double longitude)
{
    if (!std::isfinite(longitude))
        return 0.0;
    double wrapped = std::fmod(longitude + 180.0, 360.0);
    if (wrapped < 0)
        wrapped += 360.0;
    return wrapped - 180.0;
}

double worldSize(double zoom)
{
    return TileSize * std::exp2(zoom);
}

QPointF coordinateToNormalized(double latitude, double longitude)
{
    const double x = (longitude + 180.0) / 360.0;
    const double sinLatitude = std::sin(qDegreesToRadians(clampLatitude(latitude)));
    const double y = 0.5 - std::log((1.0 + sinLatitude) / (1.0 - sinLatitude)) / (4.0 * M_PI);
    return {x, std::clamp(y, 0.0, 1.0)};
}

GeoPoint normalizedToCoordinate(QPointF normalized)
{
    const double longitude = normalized.x() * 360.0 - 180.0;
    const double latitude = qRadiansToDegrees(std::atan(std::sinh(M_PI * (1.0 - 2.0 * normalized.y()))));
    return {clampLatitude(latitude), longitude};
}

QPointF coordinateToWorldPixel(double latitude, double longitude, double zoom)
{
    return coordinateToNormalized(latitude, longitude) * worldSize(zoom);
}

GeoPoint worldPixelToCoordinate(QPointF worldPixel, double zoom)
{
    return normalizedToCoordinate(worldPixel / worldSize(zoom));
}

TileId tileForCoordinate(double latitude, double longitude, int zoom)
{
    const int count = 1 << zoom;
    const QPointF normalized = coordinateToNormalized(latitude, wrapLongitude(longitude));
    const int x = std::clamp(int(std::floor(normalized.x() * count)), 0, count - 1);
    const int y = std::clamp(int(std::floor(normalized.y() * count)), 0, count - 1);
    return {zoom, x, y};
}

GeoPoint tileTopLeft(const TileId &tile)
{
    const double count = double(1 << tile.zoom);
    return normalizedToCoordinate({tile.x / count, tile.y / count});
}

int tileZoomFor(double zoom)
{
    return std::clamp(int(std::lround(zoom)), int(MinZoom), int(MaxZoom));
}

} // namespace WebMercator

MapViewport::MapViewport(double centerLatitude, double centerLongitude, double zoom, QSizeF size)
    : m_centerLatitude(WebMercator::clampLatitude(centerLatitude)),
      m_centerLongitude(WebMercator::wrapLongitude(centerLongitude)),
      m_zoom(std::clamp(zoom, WebMercator::MinZoom, WebMercator::MaxZoom)), m_size(size)
{}

QPointF MapViewport::centerWorldPixel() const
{
    return WebMercator::coordinateToWorldPixel(m_centerLatitude, m_centerLongitude, m_zoom);
}

QPointF MapViewport::worldPixelToPixel(QPointF worldPixel) const
{
    return worldPixel - centerWorldPixel() + QPointF(m_size.width() / 2.0, m_size.height() / 2.0);
}

QPointF MapViewport::pixelToWorldPixel(QPointF pixel) const
{
    return pixel - QPointF(m_size.width() / 2.0, m_size.height() / 2.0) + centerWorldPixel();
}

QPointF MapViewport::coordinateToPixel(double latitude, double longitude) const
{
    const double world = worldSize();
    const QPointF center = centerWorldPixel();
    QPointF point =
        WebMercator::coordinateToWorldPixel(latitude, WebMercator::wrapLongitude(longitude), m_zoom);
    // Pick the copy of the world nearest the centre.
    point.rx() -= std::round((point.x() - center.x()) / world) * world;
    return worldPixelToPixel(point);
}

GeoPoint MapViewport::pixelToCoordinate(QPointF pixel) const
{
    GeoPoint point = WebMercator::worldPixelToCoordinate(pixelToWorldPixel(pixel), m_zoom);
    point.longitude = WebMercator::wrapLongitude(point.longitude);
    return point;
}

QList<double> MapViewport::visibleCopies(double minWorldX, double maxWorldX, double marginPixels) const
{
    const double world = worldSize();
    const double left = centerWorldPixel().x() - m_size.width() / 2.0 - marginPixels;
    const double right = left + m_size.width() + 2.0 * marginPixels;
    QList<double> shifts;
    // Smallest k with maxWorldX + k * world >= left, then every k while the span starts left of right.
    for (double k = std::ceil((left - maxWorldX) / world); minWorldX + k * world <= right; k += 1.0) {
        shifts.append(k * world);
        if (shifts.size() > 64) // a degenerate (tiny) world; never loop for long
            break;
    }
    return shifts;
}

QList<PlacedTile> MapViewport::visibleTiles(int tileZoom, int marginTiles) const
{
    QList<PlacedTile> tiles;
    if (m_size.isEmpty())
        return tiles;
    const int count = 1 << tileZoom;
    const double scale = std::exp2(m_zoom - tileZoom);
    const double tileSize = WebMercator::TileSize * scale; // on screen
    const QPointF topLeftWorld = pixelToWorldPixel({0, 0});
    const double firstX = std::floor(topLeftWorld.x() / tileSize) - marginTiles;
    const double lastX = std::floor((topLeftWorld.x() + m_size.width()) / tileSize) + marginTiles;
    const double firstY = std::max(0.0, std::floor(topLeftWorld.y() / tileSize) - marginTiles);
    const double lastY = std::min(double(count - 1),
                                  std::floor((topLeftWorld.y() + m_size.height()) / tileSize) + marginTiles);
    if (lastX - firstX > 4096 || lastY - firstY > 4096)
        return tiles;
    const QPointF center(m_size.width() / 2.0, m_size.height() / 2.0);
    for (double ty = firstY; ty <= lastY; ty += 1.0) {
        for (double tx = firstX; tx <= lastX; tx += 1.0) {
            const int wrappedX = int(((qint64(tx) % count) + count) % count);
            const QPointF origin = worldPixelToPixel({tx * tileSize, ty * tileSize});
            tiles.append({{tileZoom, wrappedX, int(ty)}, QRectF(origin, QSizeF(tileSize, tileSize))});
        }
    }
    std::stable_sort(tiles.begin(), tiles.end(), [&](const PlacedTile &a, const PlacedTile &b) {
        const QPointF da = a.target.center() - center;
        const QPointF db = b.target.center() - center;
        return QPointF::dotProduct(da, da) < QPointF::dotProduct(db, db);
    });
    return tiles;
}

double MapViewport::kilometresPerPixel() const
{
    constexpr double EarthCircumferenceKm = 40075.016686;
    return EarthCircumferenceKm * std::cos(qDegreesToRadians(m_centerLatitude)) / worldSize();
}

} // namespace tracemap
