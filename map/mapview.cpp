#include "mapview.h"

#include "mapframing.h"
#include "maplogging.h"
#include "notifying.h"
#include "tileloader.h"

#include <QMetaEnum>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

bool changed(double a, double b)
{
    return !(a == b) && !(std::isnan(a) && std::isnan(b));
}

constexpr double MinViewZoom = 1.0;
constexpr double MaxViewZoom = 19.0;
constexpr double FitPadding = 56.0;
// Following a trace: refit only when a place falls this close to an edge, or when the route
// would now fill the view much better, so the view does not jump on every hop.
constexpr double FollowMargin = 24.0;
constexpr double FollowZoomSlack = 1.5;

} // namespace

MapView::MapView(QQuickItem *parent)
    : QQuickPaintedItem(parent), m_tiles(new TileLoader(this)), m_renderer(std::make_unique<MapRenderer>())
{
    setAcceptedMouseButtons(Qt::LeftButton);
    setAcceptHoverEvents(true);
    setAcceptTouchEvents(true);
    setActiveFocusOnTab(true);
    setAntialiasing(true);
    setOpaquePainting(true);
    connect(m_tiles, &TileLoader::tileReady, this, [this] { update(); });
    connect(m_tiles, &TileLoader::statusChanged, this, &MapView::updateTileState);
    connect(m_tiles, &TileLoader::pendingCountChanged, this, &MapView::updateTileState);
    updateTileState();
}

MapView::~MapView() = default;

void MapView::setModel(QAbstractItemModel *model)
{
    if (model == m_model)
        return;
    for (const auto &connection : std::as_const(m_modelConnections))
        disconnect(connection);
    m_modelConnections.clear();
    m_model = model;
    if (model) {
        // Each change is read synchronously and repaints in the very next frame: no timers.
        m_modelConnections = {
            connect(model, &QAbstractItemModel::rowsInserted, this,
                    [this](const QModelIndex &parent, int first, int last) {
                        if (parent.isValid())
                            return;
                        for (int row = first; row <= last; ++row)
                            m_hops.insert(row, m_reader.readRow(row));
                        for (int row = last + 1; row < m_hops.size(); ++row)
                            m_hops[row].row = row;
                        hopsChanged();
                    }),
            connect(model, &QAbstractItemModel::dataChanged, this,
                    [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                        if (topLeft.parent().isValid())
                            return;
                        // A watch rewrites every row each round: repaint only for what shows.
                        bool shown = false;
                        for (int row = topLeft.row(); row <= bottomRight.row() && row < m_hops.size();
                             ++row) {
                            MapHop hop = m_reader.readRow(row);
                            shown = shown || !MapRenderer::drawnAlike(hop, m_hops[row]);
                            m_hops[row] = std::move(hop);
                        }
                        if (shown)
                            hopsChanged();
                    }),
            connect(model, &QAbstractItemModel::rowsRemoved, this, &MapView::reloadAll),
            connect(model, &QAbstractItemModel::rowsMoved, this, &MapView::reloadAll),
            connect(model, &QAbstractItemModel::modelReset, this, &MapView::reloadAll),
            connect(model, &QAbstractItemModel::layoutChanged, this, &MapView::reloadAll),
            connect(model, &QObject::destroyed, this,
                    [this] {
                        m_hops.clear();
                        hopsChanged();
                    }),
        };
    }
    reloadAll();
    emit modelChanged();
}

void MapView::reloadAll()
{
    m_reader.setModel(m_model);
    QList<MapHop> hops = m_reader.readAll();
    const bool alike = MapRenderer::drawnAlike(hops, m_hops);
    m_hops = std::move(hops);
    if (!alike)
        hopsChanged();
}

void MapView::hopsChanged()
{
    if (m_currentIndex >= m_hops.size())
        setCurrentIndex(-1);
    if (m_followRoute)
        frame(true);
    m_input.refreshHover();
    if (m_hoveredIndex >= m_hops.size())
        setHovered(-1, {});
    update();
}

void MapView::setCenterLatitude(double latitude)
{
    setCenter(latitude, m_centerLongitude);
}

void MapView::setCenterLongitude(double longitude)
{
    setCenter(m_centerLatitude, longitude);
}

void MapView::setCenter(double latitude, double longitude)
{
    if (!std::isfinite(latitude) || !std::isfinite(longitude))
        return;
    latitude = WebMercator::clampLatitude(latitude);
    longitude = WebMercator::wrapLongitude(longitude);
    const bool latitudeChanged = changed(latitude, m_centerLatitude);
    const bool longitudeChanged = changed(longitude, m_centerLongitude);
    m_centerLatitude = latitude;
    m_centerLongitude = longitude;
    if (latitudeChanged)
        emit centerLatitudeChanged();
    if (longitudeChanged)
        emit centerLongitudeChanged();
    if (latitudeChanged || longitudeChanged)
        viewportChanged();
}

void MapView::setZoom(double zoom)
{
    if (!std::isfinite(zoom))
        return;
    zoom = std::clamp(zoom, MinViewZoom, MaxViewZoom);
    if (setAndNotify(this, m_zoom, zoom, &MapView::zoomChanged))
        viewportChanged();
}

QString MapView::tileUrlTemplate() const
{
    return m_tiles->urlTemplate();
}

void MapView::setTileUrlTemplate(const QString &urlTemplate)
{
    if (urlTemplate == m_tiles->urlTemplate())
        return;
    m_tiles->setUrlTemplate(urlTemplate);
    emit tileUrlTemplateChanged();
    viewportChanged();
}

void MapView::setTilesEnabled(bool enabled)
{
    if (!setAndNotify(this, m_tilesEnabled, enabled, &MapView::tilesEnabledChanged))
        return;
    if (!enabled)
        m_tiles->request({});
    updateTileState();
    viewportChanged();
}

bool MapView::networkEnabled() const
{
    return m_tiles->networkEnabled();
}

void MapView::setNetworkEnabled(bool enabled)
{
    if (enabled == m_tiles->networkEnabled())
        return;
    m_tiles->setNetworkEnabled(enabled);
    emit networkEnabledChanged();
    updateTileState();
    viewportChanged();
}

QString MapView::tileCacheDirectory() const
{
    return m_tileCacheDirectory;
}

void MapView::setTileCacheDirectory(const QString &directory)
{
    if (directory == m_tileCacheDirectory)
        return;
    m_tileCacheDirectory = directory;
    m_tiles->setCacheDirectory(directory);
    emit tileCacheDirectoryChanged();
    viewportChanged();
}

QString MapView::tileStatus() const
{
    return m_tileStatus;
}

bool MapView::tilesSettled() const
{
    return m_tilesSettled;
}

void MapView::updateTileState()
{
    // The QML-facing name is the loader's Q_ENUM key in lower case ("off", "ok", "loading", "failing").
    const QString status =
        m_tilesEnabled ? QString::fromLatin1(
                             QMetaEnum::fromType<TileLoader::Status>().valueToKey(int(m_tiles->status())))
                             .toLower()
                       : QStringLiteral("off");
    setAndNotify(this, m_tileStatus, status, &MapView::tileStatusChanged);
    const bool settled = !m_tilesEnabled || !m_tiles->networkEnabled() || m_tiles->pendingCount() == 0;
    setAndNotify(this, m_tilesSettled, settled, &MapView::tilesSettledChanged);
    const bool failing = m_tilesEnabled && m_tiles->status() == TileLoader::Status::Failing;
    const QString problem = failing ? tr("Map tiles unavailable: %1. Showing the offline basemap.")
                                          .arg(TileLoader::describe(m_tiles->lastFailure()).isEmpty()
                                                   ? tr("they failed to load")
                                                   : TileLoader::describe(m_tiles->lastFailure()))
                                    : QString();
    if (problem != m_tileProblem) {
        m_tileProblem = problem;
        emit tileProblemChanged();
    }
    const QString credit =
        m_tilesEnabled && !failing ? MapRenderer::tileAttribution() : MapRenderer::basemapAttribution();
    if (credit != m_attribution) {
        m_attribution = credit;
        emit attributionChanged();
    }
}

void MapView::setHasSource(bool hasSource)
{
    setAndRepaint(this, m_hasSource, hasSource, &MapView::hasSourceChanged);
}

void MapView::setSourceLatitude(double latitude)
{
    setAndRepaint(this, m_sourceLatitude, latitude, &MapView::sourceLatitudeChanged);
}

void MapView::setSourceLongitude(double longitude)
{
    setAndRepaint(this, m_sourceLongitude, longitude, &MapView::sourceLongitudeChanged);
}

void MapView::setCurrentIndex(int row)
{
    row = std::max(-1, row);
    setAndRepaint(this, m_currentIndex, row, &MapView::currentIndexChanged);
}

QString MapView::attribution() const
{
    return m_attribution;
}

void MapView::setExtraAttributions(const QStringList &attributions)
{
    setAndRepaint(this, m_extraAttributions, attributions, &MapView::extraAttributionsChanged);
}

void MapView::setLegendVisible(bool visible)
{
    setAndRepaint(this, m_legendVisible, visible, &MapView::legendVisibleChanged);
}

MapViewport MapView::viewport() const
{
    return MapViewport(m_centerLatitude, m_centerLongitude, m_zoom, size());
}

MapScene MapView::scene(bool compactAttribution) const
{
    MapScene scene;
    scene.hops = m_hops;
    scene.hasSource = m_hasSource && std::isfinite(m_sourceLatitude) && std::isfinite(m_sourceLongitude);
    scene.sourceLatitude = m_sourceLatitude;
    scene.sourceLongitude = m_sourceLongitude;
    scene.currentIndex = m_currentIndex;
    scene.hoveredIndex = m_hoveredIndex;
    scene.attribution = attribution();
    scene.extraAttributions = m_extraAttributions;
    scene.showLegend = m_legendVisible;
    scene.showLabels = m_labelsVisible;
    scene.compactAttribution = compactAttribution;
    scene.routes = m_routeSetList.routes();
    scene.mainRouteName = m_routeSetList.mainRouteName();
    return scene;
}

void MapView::viewportChanged()
{
    requestTiles();
    // Markers moved (wheel, keys, fitRoute): what is under a still pointer may have changed.
    m_input.refreshHover();
    update();
}

void MapView::requestTiles()
{
    if (!m_tilesEnabled || size().isEmpty())
        return;
    const MapViewport view = viewport();
    QList<TileId> wanted;
    for (const PlacedTile &placed : view.visibleTiles(WebMercator::tileZoomFor(m_zoom), 1)) {
        if (!wanted.contains(placed.tile))
            wanted.append(placed.tile);
    }
    m_tiles->request(wanted);
}

void MapView::paint(QPainter *painter)
{
    // Further routes come from the renderer's route layer, moved while the user drags.
    m_renderer->paint(*painter, viewport(), scene(true), m_tilesEnabled ? m_tiles : nullptr,
                      m_input.dragging() ? MapRenderer::RouteCache::Panning : MapRenderer::RouteCache::Still);
}

QRectF MapView::attributionArea() const
{
    return MapRenderer::attributionRect(viewport(), scene(true));
}

QString MapView::attributionText() const
{
    QString text;
    MapRenderer::attributionRect(viewport(), scene(), &text);
    return text;
}

void MapView::geometryChange(const QRectF &newGeometry, const QRectF &oldGeometry)
{
    QQuickPaintedItem::geometryChange(newGeometry, oldGeometry);
    if (newGeometry.size() == oldGeometry.size())
        return;
    if ((m_fitPending || m_followRoute) && !newGeometry.size().isEmpty()) {
        m_fitPending = false;
        frame(false);
    }
    viewportChanged();
}

void MapView::fitRoute()
{
    setFollowRoute(true);
    frame(false);
}

void MapView::frame(bool onlyWhenNeeded)
{
    const QList<GeoPoint> points = routePoints(scene());
    if (points.isEmpty())
        return;
    if (size().isEmpty()) {
        m_fitPending = true;
        return;
    }
    // A single place (or one city): close, but not street level. The compiled-in basemap has
    // country-level detail only, so without tiles stop where it still shows the surroundings.
    const std::optional<MapFrame> fit = frameRoute(points, size(), FitPadding, m_tilesEnabled ? 12.0 : 5.0);
    if (!fit)
        return;
    if (onlyWhenNeeded && viewShowsAll(viewport(), points, FollowMargin) &&
        fit->zoom < m_zoom + FollowZoomSlack)
        return;
    setZoom(fit->zoom);
    setCenter(fit->centerLatitude, fit->centerLongitude);
}

void MapView::userMoved()
{
    setFollowRoute(false);
}

void MapView::setFollowRoute(bool follow)
{
    setAndNotify(this, m_followRoute, follow, &MapView::followRouteChanged);
}

void MapView::setLabelsVisible(bool visible)
{
    setAndRepaint(this, m_labelsVisible, visible, &MapView::labelsVisibleChanged);
}

int MapView::markerAt(QPointF pixel) const
{
    return MapRenderer::markerAt(viewport(), scene(), pixel);
}

QPointF MapView::coordinateToPixel(double latitude, double longitude) const
{
    return viewport().coordinateToPixel(latitude, longitude);
}

QPointF MapView::pixelToCoordinate(QPointF pixel) const
{
    const GeoPoint point = viewport().pixelToCoordinate(pixel);
    return {point.latitude, point.longitude};
}

void MapView::zoomAround(QPointF pixel, double newZoom)
{
    newZoom = std::clamp(newZoom, MinViewZoom, MaxViewZoom);
    if (!changed(newZoom, m_zoom))
        return;
    const MapViewport before = viewport();
    const QPointF worldBefore = before.pixelToWorldPixel(pixel);
    const QPointF worldAfter = worldBefore * std::exp2(newZoom - m_zoom);
    const QPointF centerWorld = worldAfter - (pixel - QPointF(width() / 2.0, height() / 2.0));
    const GeoPoint center = WebMercator::worldPixelToCoordinate(centerWorld, newZoom);
    setZoom(newZoom);
    setCenter(center.latitude, center.longitude);
}

void MapView::panBy(QPointF pixels)
{
    const MapViewport view = viewport();
    const GeoPoint center = WebMercator::worldPixelToCoordinate(view.centerWorldPixel() + pixels, m_zoom);
    setCenter(center.latitude, center.longitude);
}

void MapView::updateHover(QPointF pixel)
{
    const MapViewport view = viewport();
    const MapScene current = scene();
    const int row = MapRenderer::markerAt(view, current, pixel);
    QPointF position;
    if (row >= 0) {
        for (const MarkerPlacement &marker : MapRenderer::placeMarkers(view, current)) {
            const QPointF d = marker.position - pixel;
            if (marker.row == row && QPointF::dotProduct(d, d) <= (marker.radius + 3) * (marker.radius + 3))
                position = marker.position;
        }
    }
    setHovered(row, position);
}

void MapView::setHovered(int row, QPointF position)
{
    const bool rowChanged = row != m_hoveredIndex;
    const bool positionChanged = position != m_hoveredPosition;
    m_hoveredIndex = row;
    m_hoveredPosition = position;
    if (positionChanged)
        emit hoveredPositionChanged();
    if (rowChanged) {
        emit hoveredIndexChanged();
        update();
    }
}

void MapView::mousePressEvent(QMouseEvent *event)
{
    m_input.mousePress(event);
}

void MapView::mouseMoveEvent(QMouseEvent *event)
{
    m_input.mouseMove(event);
}

void MapView::mouseReleaseEvent(QMouseEvent *event)
{
    const bool dragged = m_input.dragging();
    m_input.mouseRelease(event);
    if (dragged)
        update(); // the pan settled: the route layer is drawn exactly where the view stopped
}

void MapView::wheelEvent(QWheelEvent *event)
{
    m_input.wheel(event);
}

void MapView::keyPressEvent(QKeyEvent *event)
{
    if (!m_input.key(event))
        QQuickPaintedItem::keyPressEvent(event);
}

void MapView::hoverMoveEvent(QHoverEvent *event)
{
    m_input.hoverMove(event);
    QQuickPaintedItem::hoverMoveEvent(event);
}

void MapView::hoverLeaveEvent(QHoverEvent *event)
{
    m_input.hoverLeave();
    QQuickPaintedItem::hoverLeaveEvent(event);
}

void MapView::touchEvent(QTouchEvent *event)
{
    m_input.touch(event);
}

bool MapView::event(QEvent *event)
{
    return m_input.nativeGesture(event) || QQuickPaintedItem::event(event);
}

} // namespace tracemap
