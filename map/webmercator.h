#pragma once
// Web-Mercator (EPSG:3857) maths as used by slippy-map tiles: coordinates, "world pixels" at a
// fractional zoom (the world is 256 * 2^zoom pixels wide), tiles and the pixels of a view.

#include <QHashFunctions>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QSizeF>

#include <tuple>

namespace tracemap {

// A tile of the pyramid. x and y are wrapped into [0, 2^zoom) by the helpers below.
struct TileId
{
    int zoom = 0;
    int x = 0;
    int y = 0;

    friend bool operator==(const TileId &a, const TileId &b) = default;
    friend bool operator<(const TileId &a, const TileId &b)
    {
        return std::tie(a.zoom, a.x, a.y) < std::tie(b.zoom, b.x, b.y);
    }
    bool isValid() const
    {
        return zoom >= 0 && zoom <= 30 && x >= 0 && y >= 0 && x < (1 << zoom) && y < (1 << zoom);
    }
    TileId parent() const { return {zoom - 1, x / 2, y / 2}; }
};

inline size_t qHash(const TileId &tile, size_t seed = 0)
{
    return qHashMulti(seed, tile.zoom, tile.x, tile.y);
}

struct GeoPoint
{
    double latitude = 0.0;
    double longitude = 0.0;
};

namespace WebMercator {

constexpr double MaxLatitude = 85.0511287798066; // atan(sinh(pi)): the square world's edge
constexpr int TileSize = 256;
constexpr double MinZoom = 0.0;
constexpr double MaxZoom = 19.0;

double clampLatitude(double latitude);
// Into [-180, 180).
double wrapLongitude(double longitude);
// 256 * 2^zoom.
double worldSize(double zoom);

// Normalised world position: x, y in [0, 1], (0, 0) at 180°W / 85.05°N.
QPointF coordinateToNormalized(double latitude, double longitude);
GeoPoint normalizedToCoordinate(QPointF normalized);

QPointF coordinateToWorldPixel(double latitude, double longitude, double zoom);
GeoPoint worldPixelToCoordinate(QPointF worldPixel, double zoom);

TileId tileForCoordinate(double latitude, double longitude, int zoom);
// North-west corner of a tile.
GeoPoint tileTopLeft(const TileId &tile);
// The integer zoom whose tiles are drawn at a fractional zoom (scaled by 0.71 .. 1.41).
int tileZoomFor(double zoom);

} // namespace WebMercator

// One placement of a tile in a view; the same tile may appear more than once when the world
// repeats horizontally.
struct PlacedTile
{
    TileId tile;
    QRectF target; // view pixels
};

// What a view shows: a centre, a fractional zoom and a size in pixels. The world repeats
// horizontally, so a coordinate has many pixel positions; the helpers return the copy nearest
// the centre of the view.
class MapViewport
{
public:
    MapViewport() = default;
    MapViewport(double centerLatitude, double centerLongitude, double zoom, QSizeF size);

    double centerLatitude() const { return m_centerLatitude; }
    double centerLongitude() const { return m_centerLongitude; }
    double zoom() const { return m_zoom; }
    QSizeF size() const { return m_size; }
    double worldSize() const { return WebMercator::worldSize(m_zoom); }
    // World pixel (unwrapped) of the view's centre.
    QPointF centerWorldPixel() const;

    QPointF coordinateToPixel(double latitude, double longitude) const;
    // View pixel of an (unwrapped) world pixel, without choosing a copy.
    QPointF worldPixelToPixel(QPointF worldPixel) const;
    QPointF pixelToWorldPixel(QPointF pixel) const;
    GeoPoint pixelToCoordinate(QPointF pixel) const;
    // Horizontal shifts (multiples of the world width) at which something spanning
    // [minWorldX, maxWorldX] is visible in the view.
    QList<double> visibleCopies(double minWorldX, double maxWorldX, double marginPixels = 0.0) const;

    // Tiles of `tileZoom` covering the view plus `marginTiles` on each side, nearest the centre
    // first; ids are wrapped, targets are where they are drawn.
    QList<PlacedTile> visibleTiles(int tileZoom, int marginTiles = 0) const;

    // Kilometres per view pixel at the view's centre latitude.
    double kilometresPerPixel() const;

private:
    double m_centerLatitude = 0.0;
    double m_centerLongitude = 0.0;
    double m_zoom = 1.0;
    QSizeF m_size;
};

} // namespace tracemap
