#include "mapview.h"
#include "maplogging.h"
#include "tileloader.h"

#include <QFileInfo>
#include <QImageWriter>
#include <QNativeGestureEvent>
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
constexpr double DragThreshold = 4.0;
constexpr double FitPadding = 56.0;

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
                            m_hops.insert(row, readRow(row));
                        for (int row = last + 1; row < m_hops.size(); ++row)
                            m_hops[row].row = row;
                        hopsChanged();
                    }),
            connect(model, &QAbstractItemModel::dataChanged, this,
                    [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                        if (topLeft.parent().isValid())
                            return;
                        for (int row = topLeft.row(); row <= bottomRight.row() && row < m_hops.size(); ++row)
                            m_hops[row] = readRow(row);
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

void MapView::readRoles()
{
    m_roles = {};
    if (!m_model)
        return;
    const QHash<int, QByteArray> names = m_model->roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it) {
        const QByteArray &name = it.value();
        if (name == "ttl")
            m_roles.ttl = it.key();
        else if (name == "latitude")
            m_roles.latitude = it.key();
        else if (name == "longitude")
            m_roles.longitude = it.key();
        else if (name == "hasLocation")
            m_roles.hasLocation = it.key();
        else if (name == "accuracyKm")
            m_roles.accuracyKm = it.key();
        else if (name == "avgRttMs")
            m_roles.avgRttMs = it.key();
    }
}

MapHop MapView::readRow(int row) const
{
    MapHop hop;
    hop.row = row;
    if (!m_model)
        return hop;
    const QModelIndex index = m_model->index(row, 0);
    auto number = [&](int role, double fallback) {
        if (role < 0)
            return fallback;
        bool ok = false;
        const double value = index.data(role).toDouble(&ok);
        return ok && std::isfinite(value) ? value : fallback;
    };
    hop.ttl = m_roles.ttl >= 0 ? index.data(m_roles.ttl).toInt() : row + 1;
    hop.latitude = number(m_roles.latitude, qQNaN());
    hop.longitude = number(m_roles.longitude, qQNaN());
    hop.hasLocation = m_roles.hasLocation >= 0 ? index.data(m_roles.hasLocation).toBool()
                                               : std::isfinite(hop.latitude) && std::isfinite(hop.longitude);
    hop.accuracyKm = number(m_roles.accuracyKm, -1.0);
    hop.avgRttMs = number(m_roles.avgRttMs, -1.0);
    return hop;
}

void MapView::reloadAll()
{
    readRoles();
    m_hops.clear();
    const int rows = m_model ? m_model->rowCount() : 0;
    m_hops.reserve(rows);
    for (int row = 0; row < rows; ++row)
        m_hops.append(readRow(row));
    hopsChanged();
}

void MapView::hopsChanged()
{
    if (m_currentIndex >= m_hops.size())
        setCurrentIndex(-1);
    if (m_pointerInside && !m_dragging)
        updateHover(m_hoverPointer);
    else if (m_hoveredIndex >= m_hops.size())
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
    if (!changed(zoom, m_zoom))
        return;
    m_zoom = zoom;
    emit zoomChanged();
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
    if (enabled == m_tilesEnabled)
        return;
    const QString before = attribution();
    m_tilesEnabled = enabled;
    emit tilesEnabledChanged();
    if (attribution() != before)
        emit attributionChanged();
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
    QString status;
    if (!m_tilesEnabled) {
        status = QStringLiteral("off");
    } else {
        switch (m_tiles->status()) {
        case TileLoader::Status::Off:
            status = QStringLiteral("off");
            break;
        case TileLoader::Status::Ok:
            status = QStringLiteral("ok");
            break;
        case TileLoader::Status::Loading:
            status = QStringLiteral("loading");
            break;
        case TileLoader::Status::Failing:
            status = QStringLiteral("failing");
            break;
        }
    }
    if (status != m_tileStatus) {
        m_tileStatus = status;
        emit tileStatusChanged();
    }
    const bool settled = !m_tilesEnabled || !m_tiles->networkEnabled() || m_tiles->pendingCount() == 0;
    if (settled != m_tilesSettled) {
        m_tilesSettled = settled;
        emit tilesSettledChanged();
    }
}

void MapView::setHasSource(bool hasSource)
{
    if (hasSource == m_hasSource)
        return;
    m_hasSource = hasSource;
    emit hasSourceChanged();
    update();
}

void MapView::setSourceLatitude(double latitude)
{
    if (!changed(latitude, m_sourceLatitude))
        return;
    m_sourceLatitude = latitude;
    emit sourceLatitudeChanged();
    update();
}

void MapView::setSourceLongitude(double longitude)
{
    if (!changed(longitude, m_sourceLongitude))
        return;
    m_sourceLongitude = longitude;
    emit sourceLongitudeChanged();
    update();
}

void MapView::setCurrentIndex(int row)
{
    row = std::max(-1, row);
    if (row == m_currentIndex)
        return;
    m_currentIndex = row;
    emit currentIndexChanged();
    update();
}

QString MapView::attribution() const
{
    return m_tilesEnabled ? QStringLiteral("© OpenStreetMap contributors")
                          : QStringLiteral("Basemap: Natural Earth (public domain)");
}

void MapView::setExtraAttributions(const QStringList &attributions)
{
    if (attributions == m_extraAttributions)
        return;
    m_extraAttributions = attributions;
    emit extraAttributionsChanged();
    update();
}

void MapView::setLegendVisible(bool visible)
{
    if (visible == m_legendVisible)
        return;
    m_legendVisible = visible;
    emit legendVisibleChanged();
    update();
}

MapViewport MapView::viewport() const
{
    return MapViewport(m_centerLatitude, m_centerLongitude, m_zoom, size());
}

MapScene MapView::scene() const
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
    return scene;
}

void MapView::viewportChanged()
{
    requestTiles();
    // Markers moved (wheel, keys, fitRoute): what is under a still pointer may have changed.
    if (m_pointerInside && !m_dragging)
        updateHover(m_hoverPointer);
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
    m_renderer->paint(*painter, viewport(), scene(), m_tilesEnabled ? m_tiles : nullptr);
}

void MapView::geometryChange(const QRectF &newGeometry, const QRectF &oldGeometry)
{
    QQuickPaintedItem::geometryChange(newGeometry, oldGeometry);
    if (newGeometry.size() == oldGeometry.size())
        return;
    if (m_fitPending && !newGeometry.size().isEmpty()) {
        m_fitPending = false;
        fitRoute();
    }
    viewportChanged();
}

void MapView::fitRoute()
{
    QList<GeoPoint> points;
    for (const MapHop &hop : std::as_const(m_hops)) {
        if (hop.hasLocation && std::isfinite(hop.latitude) && std::isfinite(hop.longitude))
            points.append(
                {WebMercator::clampLatitude(hop.latitude), WebMercator::wrapLongitude(hop.longitude)});
    }
    if (m_hasSource && std::isfinite(m_sourceLatitude) && std::isfinite(m_sourceLongitude))
        points.append(
            {WebMercator::clampLatitude(m_sourceLatitude), WebMercator::wrapLongitude(m_sourceLongitude)});
    if (points.isEmpty())
        return;
    if (size().isEmpty()) {
        m_fitPending = true;
        return;
    }
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
    const double availableWidth = std::max(32.0, width() - 2 * FitPadding);
    const double availableHeight = std::max(32.0, height() - 2 * FitPadding);
    // A single place (or one city): close, but not street level. The compiled-in basemap has
    // country-level detail only, so without tiles stop where it still shows the surroundings.
    double zoom = m_tilesEnabled ? 12.0 : 5.0;
    if (spanX > 1e-9)
        zoom = std::min(zoom, std::log2(availableWidth / (spanX * WebMercator::TileSize)));
    if (spanY > 1e-9)
        zoom = std::min(zoom, std::log2(availableHeight / (spanY * WebMercator::TileSize)));
    const GeoPoint center = WebMercator::normalizedToCoordinate({0.0, (top + bottom) / 2.0});
    setZoom(zoom);
    setCenter(center.latitude, west + spanLongitude / 2.0);
}

QPointF MapView::coordinateToPixel(double latitude, double longitude) const
{
    return viewport().coordinateToPixel(latitude, longitude);
}

MapViewport MapView::exportViewport(const QSize &size) const
{
    double zoom = m_zoom;
    if (!this->size().isEmpty() && !size.isEmpty())
        zoom += std::log2(std::min(size.width() / width(), size.height() / height()));
    return MapViewport(m_centerLatitude, m_centerLongitude, std::clamp(zoom, 0.0, MaxViewZoom), QSizeF(size));
}

QPointF MapView::coordinateToImagePixel(double latitude, double longitude, int width, int height) const
{
    const QSize size = width > 0 && height > 0 ? QSize(width, height) : this->size().toSize();
    return exportViewport(size).coordinateToPixel(latitude, longitude);
}

QPointF MapView::pixelToCoordinate(QPointF pixel) const
{
    const GeoPoint point = viewport().pixelToCoordinate(pixel);
    return {point.latitude, point.longitude};
}

QImage MapView::renderImage(const QSize &size) const
{
    if (size.isEmpty() || size.width() > 16384 || size.height() > 16384)
        return {};
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    m_renderer->paint(painter, exportViewport(size), scene(), m_tilesEnabled ? m_tiles : nullptr);
    return image;
}

QString MapView::exportImage(const QString &path, int width, int height) const
{
    if (path.isEmpty())
        return tr("No file name was given for the image.");
    if (width < 0 || height < 0 || width > 16384 || height > 16384)
        return tr("The image size %1x%2 is out of range (1 to 16384 pixels a side).").arg(width).arg(height);
    QSize size(width, height);
    if (width == 0 || height == 0)
        size = this->size().toSize();
    if (size.isEmpty())
        return tr("The map has no size yet; give the image a size.");
    const QImage image = renderImage(size);
    if (image.isNull())
        return tr("The map could not be rendered at %1x%2.").arg(size.width()).arg(size.height());
    QImageWriter writer(path, "png");
    if (!writer.write(image))
        return tr("Could not write %1: %2.").arg(path, writer.errorString());
    return {};
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

void MapView::mousePressEvent(QMouseEvent *event)
{
    forceActiveFocus(Qt::MouseFocusReason);
    m_pressed = true;
    m_dragging = false;
    m_pressPosition = event->position();
    m_pressCenterWorld = viewport().centerWorldPixel();
    event->accept();
}

void MapView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_pressed)
        return;
    const QPointF delta = event->position() - m_pressPosition;
    if (!m_dragging && delta.manhattanLength() < DragThreshold)
        return;
    if (!m_dragging) {
        m_dragging = true;
        setKeepMouseGrab(true);
        setHovered(-1, {});
    }
    const GeoPoint center = WebMercator::worldPixelToCoordinate(m_pressCenterWorld - delta, m_zoom);
    setCenter(center.latitude, center.longitude);
    event->accept();
}

void MapView::mouseReleaseEvent(QMouseEvent *event)
{
    const bool click = m_pressed && !m_dragging;
    m_pressed = false;
    m_dragging = false;
    setKeepMouseGrab(false);
    if (click) {
        const int row = MapRenderer::markerAt(viewport(), scene(), event->position());
        if (row >= 0) {
            setCurrentIndex(row);
            emit hopClicked(row);
        }
    }
    event->accept();
}

void MapView::wheelEvent(QWheelEvent *event)
{
    // A notch (120) zooms by half a level; trackpads send smaller deltas for smooth zooming.
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0) {
        event->ignore();
        return;
    }
    zoomAround(event->position(), m_zoom + steps * 0.5);
    event->accept();
}

void MapView::keyPressEvent(QKeyEvent *event)
{
    const QPointF center(width() / 2.0, height() / 2.0);
    const double step = std::max(40.0, std::min(width(), height()) / 4.0);
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomAround(center, m_zoom + 1.0);
        break;
    case Qt::Key_Minus:
        zoomAround(center, m_zoom - 1.0);
        break;
    case Qt::Key_Left:
        panBy({-step, 0});
        break;
    case Qt::Key_Right:
        panBy({step, 0});
        break;
    case Qt::Key_Up:
        panBy({0, -step});
        break;
    case Qt::Key_Down:
        panBy({0, step});
        break;
    default:
        QQuickPaintedItem::keyPressEvent(event);
        return;
    }
    event->accept();
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

void MapView::hoverMoveEvent(QHoverEvent *event)
{
    m_pointerInside = true;
    m_hoverPointer = event->position();
    if (!m_dragging)
        updateHover(event->position());
    QQuickPaintedItem::hoverMoveEvent(event);
}

void MapView::hoverLeaveEvent(QHoverEvent *event)
{
    m_pointerInside = false;
    setHovered(-1, {});
    QQuickPaintedItem::hoverLeaveEvent(event);
}

void MapView::touchEvent(QTouchEvent *event)
{
    const auto &points = event->points();
    if (points.size() != 2) {
        m_pinchStartDistance = 0.0;
        event->ignore(); // one finger: delivered again as a mouse drag
        return;
    }
    const QPointF a = points[0].position(), b = points[1].position();
    const double distance = std::hypot(a.x() - b.x(), a.y() - b.y());
    if (m_pinchStartDistance <= 0.0 || event->type() == QEvent::TouchBegin) {
        m_pinchStartDistance = std::max(1.0, distance);
        m_pinchStartZoom = m_zoom;
    } else {
        zoomAround((a + b) / 2.0,
                   m_pinchStartZoom + std::log2(std::max(1.0, distance) / m_pinchStartDistance));
    }
    if (event->type() == QEvent::TouchEnd || event->type() == QEvent::TouchCancel)
        m_pinchStartDistance = 0.0;
    event->accept();
}

bool MapView::event(QEvent *event)
{
    if (event->type() == QEvent::NativeGesture) {
        auto *gesture = static_cast<QNativeGestureEvent *>(event);
        if (gesture->gestureType() == Qt::ZoomNativeGesture) {
            zoomAround(gesture->position(), m_zoom + std::log2(std::max(0.1, 1.0 + gesture->value())));
            return true;
        }
    }
    return QQuickPaintedItem::event(event);
}

} // namespace tracemap
