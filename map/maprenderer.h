#pragma once
// Paints the map on any QPainter (Marble-style): the live item and the image export share this
// code path. Layers: tiles (raster from the TileLoader's memory, else a parent tile, else the
// vector basemap), populated-place labels (only where no raster tile is drawn), great-circle
// arcs, accuracy circles, the source, hop markers, then the legend, scale bar and attribution.

#include "basemap.h"
#include "placelabelcache.h"
#include "placelabels.h"
#include "webmercator.h"

#include <QCache>
#include <QColor>
#include <QGeoCoordinate>
#include <QImage>
#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

class QPainter;

namespace tracemap {

class PannedLayer;
class RouteLayer;
class TileLoader;

struct MapHop
{
    int row = -1;
    int ttl = 0;
    double latitude = 0.0;
    double longitude = 0.0;
    bool hasLocation = false;
    double accuracyKm = -1.0;
    double avgRttMs = -1.0;
    QString label;            // place, or the address when unplaced (drawn when the scene shows labels)
    QString address;          // the responder (convergence between routes is by address)
    double lossPct = -1;      // > 0: a loss mark on the marker (watch mode); < 0: unknown
    bool highlighted = false; // drawn with a highlight ring (e.g. the part that differs)
};

// A further route drawn under the main one: another vantage point, the other side of a
// comparison, the path before a change. Drawn in one colour; hops as small dots.
struct MapRoute
{
    QString id;           // stable key (show/hide, legend)
    QString name;         // legend text: the vantage's name and place, "before 12:03", ...
    QColor color;         // invalid: the main route's colour
    double opacity = 1.0; // 0.3-0.4 reads as "faint" (the previous path)
    bool dashed = false;
    bool visible = true;
    bool failed = false; // listed in the legend as failed; nothing drawn
    bool hasSource = false;
    double sourceLatitude = 0.0;
    double sourceLongitude = 0.0;
    QList<MapHop> hops; // row is unused; ttl orders them
};

struct MapScene
{
    QList<MapHop> hops; // model order
    bool hasSource = false;
    double sourceLatitude = 0.0;
    double sourceLongitude = 0.0;
    int currentIndex = -1; // model row
    int hoveredIndex = -1; // model row
    QString attribution;
    QStringList extraAttributions;
    bool showLegend = true;
    bool showScaleBar = true;
    bool showLabels = false; // hop labels beside the markers
    // One attribution line, elided after the tile credit (the live view, which shows the whole
    // text as a tooltip); otherwise (exports) it wraps.
    bool compactAttribution = false;
    // Further routes, drawn under the main route in this order. When any is listed, a route
    // legend names each (and the main route as `mainRouteName`, in `mainRouteColor`).
    QList<MapRoute> routes;
    QString mainRouteName;
    QColor mainRouteColor; // invalid: the default route colour
    // Mark hops whose address appears in two or more visible routes (the main one included).
    bool markConvergence = true;
};

// A hop's label beside its marker (item pixels).
struct HopLabelPlacement
{
    int row = -1;
    QString text;
    QRectF box;
};

// Where a hop's marker is drawn (item pixels), for painting and hit testing alike.
struct MarkerPlacement
{
    int row = -1;
    int ttl = 0;
    QPointF position;
    double radius = 0.0;
};

class MapRenderer
{
public:
    explicit MapRenderer(std::shared_ptr<const Basemap> basemap = Basemap::builtIn());
    ~MapRenderer();

    // How the basemap (ocean and tiles) and the further routes are drawn: straight onto the
    // painter (exports, any thread), or from layers kept across frames (the live item's render
    // thread; see pannedlayer.h): `Panning` while the user drags the view, `Still` otherwise.
    enum class RouteCache { Off, Still, Panning };

    static constexpr double MarkerRadius = 11.0;
    static constexpr double AccuracyCircleMinKm = 50.0;

    // `tiles` may be null (vector basemap only). Reads the loader's memory, never the network.
    void paint(QPainter &painter, const MapViewport &viewport, const MapScene &scene, const TileLoader *tiles,
               RouteCache routeCache = RouteCache::Off);
    // How many times the route layer, the basemap layer and the place labels were drawn or laid
    // out, and paint() called (tests and benchmarks).
    int routeLayerRenders() const;
    // How many times the route layer was drawn ahead on a worker while dragged, and (tests) a
    // wait until the one being drawn, if any, is done.
    int routeLayerPrefetches() const;
    void waitForRouteLayerPrefetch() const;
    int basemapLayerRenders() const;
    int placeLabelLayouts() const;
    int paints() const { return m_paints.load(); }

    // A white image of the viewport's size with the map painted on it (exports, the clipboard).
    // Null when the size is empty or over 16384 pixels a side.
    QImage render(const MapViewport &viewport, const MapScene &scene, const TileLoader *tiles);
    // Writes a PNG through a temporary file renamed into place. Empty on success, else why not
    // (a missing folder is named as such).
    static QString writePng(const QImage &image, const QString &path);
    // What the attribution line credits: the raster tiles, or the compiled-in basemap alone.
    static QString tileAttribution();
    static QString basemapAttribution();

    // Markers in drawing order (the last is on top). Hops at the same place fan out around it.
    static QList<MarkerPlacement> placeMarkers(const MapViewport &viewport, const MapScene &scene);
    // Hop labels (when the scene shows them): right of each marker when there is room, else
    // left, else none; a label never covers another label or another marker.
    static QList<HopLabelPlacement> placeHopLabels(const MapViewport &viewport, const MapScene &scene);
    // Topmost marker under `point`, or -1.
    static int markerAt(const MapViewport &viewport, const MapScene &scene, QPointF point);

    // Where the legend goes: the first corner (bottom-left, top-left, bottom-right) with no
    // marker under it; empty when every corner is taken or the view is too small for it.
    static QRectF legendRect(const MapViewport &viewport, const MapScene &scene);
    // The attribution box (bottom-right) and, when `text` is given, the text drawn in it.
    static QRectF attributionRect(const MapViewport &viewport, const MapScene &scene,
                                  QString *text = nullptr);

    // The scale bar's box; empty when the view is too small for one.
    static QRectF scaleBarRect(const MapViewport &viewport, const MapScene &scene);

    // What place labels must keep clear of: the source, hop markers and their labels, further
    // routes' dots, legends, scale bar and attribution, as the scene shows them.
    static QList<QRectF> placeLabelObstacles(const MapViewport &viewport, const MapScene &scene);
    // The basemap's place labels for this view (drawn only where no raster tile is).
    QList<PlaceLabel> placeLabels(const MapViewport &viewport, const MapScene &scene) const;

    // Green below 20 ms, through yellow, to red above 200 ms; grey when unknown (< 0).
    static QColor rttColor(double rttMs);

    // A hop with a usable place (finite, in range).
    static bool isPlaced(const MapHop &hop);
    // Whether the map draws `a` and `b` alike: the same place, number, label, marker colour (RTT
    // colours to 8 bits a channel, as painted), loss arc and highlight. A watch round that only
    // moved a hop's average RTT by a fraction of a colour step is no reason to repaint.
    static bool drawnAlike(const MapHop &a, const MapHop &b);
    static bool drawnAlike(const QList<MapHop> &a, const QList<MapHop> &b);
    // Addresses seen in two or more visible routes of the scene (the main route counts as one).
    static QSet<QString> convergedAddresses(const MapScene &scene);
    // The route legend (top-right): one row per visible route, main route first; empty when no
    // further route is visible or the view is too small.
    static QRectF routeLegendRect(const MapViewport &viewport, const MapScene &scene);
    // Where the further routes' sources and hop dots are drawn (with their marks' room).
    static QList<QRectF> routeMarkRects(const MapViewport &viewport, const MapScene &scene);
    // The colour of the route at `index` of a palette chosen to stay apart on the map and from
    // the RTT colours of the main route's markers.
    static QColor routePaletteColor(int index);
    // The arc's points in unwrapped world pixels at the viewport's zoom, from `from`'s copy of the
    // world, one every ~6 screen pixels (2 to 64 pieces); empty under half a kilometre.
    static QList<QPointF> arcWorldPixels(const MapViewport &viewport, const QGeoCoordinate &from,
                                         const QGeoCoordinate &to);

private:
    // Ocean and tiles, straight or from the basemap layer. True when a raster tile shows.
    bool paintBasemap(QPainter &painter, const MapViewport &viewport, const TileLoader *tiles,
                      RouteCache cache);
    // True when at least one raster tile (or a scaled parent) was drawn; with no painter, when
    // one would be.
    bool paintTiles(QPainter *painter, const MapViewport &viewport, const TileLoader *tiles);
    void paintPlaces(QPainter &painter, const MapViewport &viewport, const MapScene &scene);
    // A place name with its halo, drawn once and kept (names repeat on every frame).
    QImage placeSprite(const QString &text, bool capital, double dpr);
    void paintRoute(QPainter &painter, const MapViewport &viewport, const MapScene &scene);
    // maproutes.cpp: further routes, convergence and loss marks, the route legend. paintRoutes
    // reads nothing but its arguments: the route layer draws ahead with it on a worker thread.
    static void paintRoutes(QPainter &painter, const MapViewport &viewport, const QList<MapRoute> &routes,
                            const QSet<QString> &converged);
    void paintHopMarks(QPainter &painter, const MapViewport &viewport, const MapScene &scene,
                       const QSet<QString> &converged);
    void paintRouteLegend(QPainter &painter, const MapViewport &viewport, const MapScene &scene);
    // One great-circle arc, wrapped across the visible copies of the world.
    static void strokeArc(QPainter &painter, const MapViewport &viewport, const QGeoCoordinate &from,
                          const QGeoCoordinate &to, const QList<QPen> &pens);
    void paintMarkers(QPainter &painter, const MapViewport &viewport, const MapScene &scene);
    void paintLabels(QPainter &painter, const MapViewport &viewport, const MapScene &scene);
    void paintLegend(QPainter &painter, const QRectF &box);
    void paintScaleBar(QPainter &painter, const MapViewport &viewport, const MapScene &scene);
    void paintAttribution(QPainter &painter, const MapViewport &viewport, const MapScene &scene);
    QImage basemapTile(const TileId &tile);

    std::shared_ptr<const Basemap> m_basemap;
    BasemapStyle m_style;
    mutable QMutex m_cacheMutex; // the live item paints on the render thread, exports on the GUI thread
    QCache<TileId, QImage> m_basemapTiles{96};
    QCache<QString, QImage> m_placeSprites{4096};
    // The live item's layers (render thread): ocean and tiles, then the further routes.
    std::unique_ptr<PannedLayer> m_basemapLayer;
    const TileLoader *m_layerTiles = nullptr;
    quint64 m_layerTileRevision = 0;
    std::unique_ptr<RouteLayer> m_routeLayer;
    PlaceLabelCache m_placeLabels; // under m_cacheMutex: exports use it from the GUI thread
    std::atomic<int> m_paints = 0;
};

} // namespace tracemap
