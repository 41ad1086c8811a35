#pragma once
// The compiled-in vector world (Natural Earth land and country borders, see
// resources/basemap/LICENSE.md), decoded from the compact file scripts/make-basemap.py writes,
// and drawn into tiles so it shares the raster tiles' code path. Alongside it, the populated
// places labelled on it (GeoNames, places.tsv from scripts/make-basemap-places.py), each with the
// zoom from which the map offers it.

#include "webmercator.h"

#include <QColor>
#include <QImage>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QString>

#include <memory>

class QPainter;

namespace tracemap {

struct BasemapStyle
{
    QColor ocean{0xc9, 0xdb, 0xe6};
    QColor land{0xf3, 0xf0, 0xe8};
    QColor coast{0x8f, 0xab, 0xbd};
    QColor border{0xb4, 0xab, 0x9c};
};

// A populated place of the basemap. Lower ranks are more important.
struct BasemapPlace
{
    enum class Rank : quint8 { NationalCapital = 0, AdminCapital = 1, Other = 2 };

    QString name;
    double latitude = 0.0;
    double longitude = 0.0;
    qint64 population = 0;
    Rank rank = Rank::Other;
    int minZoom = 0; // the map offers it from this zoom on
};

class Basemap
{
public:
    // Points are normalised Web-Mercator positions (x, y in [0, 1]).
    struct Shape
    {
        QList<QPointF> points;
        QRectF bounds;
    };
    struct Level
    {
        int scaleDenominator = 0; // 110 or 50 (million)
        QList<Shape> land;        // closed rings, filled even-odd (lakes are holes)
        QList<Shape> coasts;      // the rings' edges without the cuts at ±180° and the poles
        QList<Shape> borders;     // arcs shared by two countries
    };

    static constexpr const char *ResourcePath = ":/tracemap/basemap/world.tmb";
    static constexpr const char *PlacesResourcePath = ":/tracemap/basemap/places.tsv";

    // Decodes `data`; on failure returns null and sets `error`.
    static std::shared_ptr<const Basemap> fromData(const QByteArray &data, QString *error = nullptr);
    // Decodes places.tsv (tab-separated: name, latitude, longitude, population, rank, minZoom;
    // '#' lines are comments), in file order. On failure returns an empty list and sets `error`
    // to a one-line reason naming the line.
    static QList<BasemapPlace> placesFromData(const QByteArray &data, QString *error = nullptr);
    // The compiled-in world and its places (cached after the first call; never null: an empty
    // world, or no places, on error).
    static std::shared_ptr<const Basemap> builtIn();

    const QList<Level> &levels() const { return m_levels; }
    // 1:110m up to tile zoom 2, 1:50m above.
    const Level &levelFor(int tileZoom) const;
    bool isEmpty() const { return m_levels.isEmpty(); }
    const QList<BasemapPlace> &places() const { return m_places; }

    // Paints `tile` (ocean, land, coasts, borders) into `target` of `painter`.
    void paintTile(QPainter &painter, const TileId &tile, const QRectF &target,
                   const BasemapStyle &style = {}) const;
    QImage renderTile(const TileId &tile, const BasemapStyle &style = {}) const;

private:
    QList<Level> m_levels;
    QList<BasemapPlace> m_places;
};

} // namespace tracemap
