#include "maprenderer.h"
#include "greatcircle.h"
#include "mapstyle.h"
#include "pannedlayer.h"
#include "routelayer.h"
#include "tileloader.h"

#include <QDir>
#include <QFileInfo>
#include <QFont>
#include <QFontMetricsF>
#include <QImageWriter>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>
#include <QtMath>

#include <algorithm>
#include <cmath>

namespace tracemap {

using namespace mapstyle;

namespace {

constexpr double EarthCircumferenceKm = 40075.016686;

// Placed hops by TTL (model order breaks ties).
QList<MapHop> placedHops(const MapScene &scene)
{
    QList<MapHop> placed;
    for (const MapHop &hop : scene.hops) {
        if (MapRenderer::isPlaced(hop))
            placed.append(hop);
    }
    std::stable_sort(placed.begin(), placed.end(),
                     [](const MapHop &a, const MapHop &b) { return a.ttl < b.ttl; });
    return placed;
}

QPointF unwrappedWorldPixel(double latitude, double unwrappedLongitude, double worldSize)
{
    const QPointF normalized = WebMercator::coordinateToNormalized(latitude, 0.0);
    return {(unwrappedLongitude + 180.0) / 360.0 * worldSize, normalized.y() * worldSize};
}

QRect pixelAligned(const QRectF &rect)
{
    const QPoint topLeft(qRound(rect.left()), qRound(rect.top()));
    const QPoint bottomRight(qRound(rect.right()), qRound(rect.bottom()));
    return QRect(topLeft, bottomRight - QPoint(1, 1));
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

} // namespace

MapRenderer::MapRenderer(std::shared_ptr<const Basemap> basemap)
    : m_basemap(std::move(basemap)), m_basemapLayer(std::make_unique<PannedLayer>(true)),
      m_routeLayer(std::make_unique<RouteLayer>())
{
    if (!m_basemap)
        m_basemap = std::make_shared<Basemap>();
}

MapRenderer::~MapRenderer() = default;

int MapRenderer::routeLayerRenders() const
{
    return m_routeLayer->renders();
}

int MapRenderer::routeLayerPrefetches() const
{
    return m_routeLayer->prefetches();
}

void MapRenderer::waitForRouteLayerPrefetch() const
{
    m_routeLayer->waitForPrefetch();
}

int MapRenderer::basemapLayerRenders() const
{
    return m_basemapLayer->renders();
}

int MapRenderer::placeLabelLayouts() const
{
    QMutexLocker lock(&m_cacheMutex);
    return m_placeLabels.layouts();
}

bool MapRenderer::isPlaced(const MapHop &hop)
{
    return hop.hasLocation && std::isfinite(hop.latitude) && std::isfinite(hop.longitude) &&
           std::abs(hop.latitude) <= 90.0 && std::abs(hop.longitude) <= 360.0;
}

bool MapRenderer::drawnAlike(const MapHop &a, const MapHop &b)
{
    const auto same = [](double x, double y) {
        return x == y || (std::isnan(x) && std::isnan(y));
    };
    // The loss arc's length as drawArc gets it (1/16 degree), or none.
    const auto lossArc = [](double lossPct) {
        return lossPct > 0 ? std::lround(std::clamp(lossPct / 100.0, 0.04, 1.0) * 360.0 * 16) : -1L;
    };
    return a.row == b.row && a.ttl == b.ttl && a.hasLocation == b.hasLocation &&
           same(a.latitude, b.latitude) && same(a.longitude, b.longitude) &&
           same(a.accuracyKm, b.accuracyKm) && rttColor(a.avgRttMs).rgba() == rttColor(b.avgRttMs).rgba() &&
           a.label == b.label && a.address == b.address && lossArc(a.lossPct) == lossArc(b.lossPct) &&
           a.highlighted == b.highlighted;
}

bool MapRenderer::drawnAlike(const QList<MapHop> &a, const QList<MapHop> &b)
{
    return a.size() == b.size() &&
           std::equal(a.cbegin(), a.cend(), b.cbegin(),
                      [](const MapHop &x, const MapHop &y) { return drawnAlike(x, y); });
}

QColor MapRenderer::rttColor(double rttMs)
{
    if (!(rttMs >= 0.0))
        return UnknownRttColor;
    const QColor green(0x2e, 0xa0, 0x4f), yellow(0xe8, 0xb3, 0x0b), red(0xd7, 0x38, 0x2f);
    // Log scale: 20 ms -> 0, 200 ms -> 1, yellow halfway (~63 ms).
    const double t = std::clamp(std::log10(std::max(rttMs, 1.0) / 20.0), 0.0, 1.0);
    return t < 0.5 ? mix(green, yellow, t * 2.0) : mix(yellow, red, (t - 0.5) * 2.0);
}

QImage MapRenderer::render(const MapViewport &viewport, const MapScene &scene, const TileLoader *tiles)
{
    const QSize size = viewport.size().toSize();
    if (size.isEmpty() || size.width() > 16384 || size.height() > 16384)
        return {};
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    paint(painter, viewport, scene, tiles);
    return image;
}

QString MapRenderer::writePng(const QImage &image, const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral("No file name was given for the image.");
    if (image.isNull())
        return QStringLiteral("The map could not be rendered.");
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        return QStringLiteral("The folder %1 does not exist.")
            .arg(QDir::toNativeSeparators(info.absolutePath()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("Could not write %1: %2.")
            .arg(QDir::toNativeSeparators(path), file.errorString());
    QImageWriter writer(&file, "png");
    if (!writer.write(image)) {
        file.cancelWriting();
        return QStringLiteral("Could not write %1: %2.")
            .arg(QDir::toNativeSeparators(path), writer.errorString());
    }
    if (!file.commit())
        return QStringLiteral("Could not write %1: %2.")
            .arg(QDir::toNativeSeparators(path), file.errorString());
    return {};
}

QString MapRenderer::tileAttribution()
{
    return QStringLiteral("© OpenStreetMap contributors");
}

QString MapRenderer::basemapAttribution()
{
    // The basemap's place labels are GeoNames' (CC BY 4.0): Natural Earth's populated places are
    // on no npm package (see resources/basemap/LICENSE.md).
    return QStringLiteral("Basemap: Natural Earth (public domain), places: GeoNames (CC BY 4.0)");
}

void MapRenderer::paint(QPainter &painter, const MapViewport &viewport, const MapScene &scene,
                        const TileLoader *tiles, RouteCache routeCache)
{
    ++m_paints;
    painter.save();
    const bool raster = paintBasemap(painter, viewport, tiles, routeCache);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    // Credit only what is drawn: without a single raster tile (offline, failing server) the
    // picture is the basemap's alone, and the basemap names its places (raster tiles have theirs).
    MapScene credited = scene;
    if (!raster && scene.attribution == tileAttribution())
        credited.attribution = basemapAttribution();
    if (!raster)
        paintPlaces(painter, viewport, credited);
    const QSet<QString> converged = scene.markConvergence ? convergedAddresses(scene) : QSet<QString>();
    if (routeCache == RouteCache::Off) {
        paintRoutes(painter, viewport, scene.routes, converged);
    } else {
        RouteLayer::Content content{{}, converged};
        for (const MapRoute &route : scene.routes) {
            if (route.visible && !route.failed)
                content.routes.append(route);
        }
        m_routeLayer->paint(
            painter, viewport, content, routeCache == RouteCache::Panning,
            [](QPainter &layer, const MapViewport &layerViewport, const RouteLayer::Content &drawn) {
                paintRoutes(layer, layerViewport, drawn.routes, drawn.converged);
            });
    }
    paintRoute(painter, viewport, scene);
    paintMarkers(painter, viewport, scene);
    paintHopMarks(painter, viewport, scene, converged);
    if (scene.showLabels)
        paintLabels(painter, viewport, scene);
    if (const QRectF legend = legendRect(viewport, credited); scene.showLegend && legend.isValid())
        paintLegend(painter, legend);
    paintRouteLegend(painter, viewport, credited);
    if (scene.showScaleBar)
        paintScaleBar(painter, viewport, credited);
    paintAttribution(painter, viewport, credited);
    painter.restore();
}

QImage MapRenderer::basemapTile(const TileId &tile)
{
    QMutexLocker lock(&m_cacheMutex);
    if (const QImage *cached = m_basemapTiles.object(tile))
        return *cached;
    auto *image = new QImage(m_basemap->renderTile(tile, m_style));
    const QImage copy = *image;
    m_basemapTiles.insert(tile, image);
    return copy;
}

bool MapRenderer::paintBasemap(QPainter &painter, const MapViewport &viewport, const TileLoader *tiles,
                               RouteCache cache)
{
    const auto draw = [&](QPainter &target, const MapViewport &view) {
        target.fillRect(QRectF(QPointF(0, 0), view.size()), m_style.ocean);
        return paintTiles(&target, view, tiles);
    };
    if (cache == RouteCache::Off)
        return draw(painter, viewport);
    // The live item: ocean and tiles from the basemap layer, drawn again when other tiles came
    // into the loader's memory. Big fills and blits go to the raster engine's thread pool (any
    // span over ~96 lines), and handing them over cost more than drawing them on a pan frame.
    const quint64 revision = tiles ? tiles->revision() : 0;
    const bool changed = tiles != m_layerTiles || revision != m_layerTileRevision;
    m_layerTiles = tiles;
    m_layerTileRevision = revision;
    m_basemapLayer->paint(
        painter, viewport, changed, cache == RouteCache::Panning,
        [&](QPainter &layer, const MapViewport &layerViewport) { draw(layer, layerViewport); });
    return paintTiles(nullptr, viewport, tiles); // what the view itself shows, for the credit
}

bool MapRenderer::paintTiles(QPainter *painter, const MapViewport &viewport, const TileLoader *tiles)
{
    bool raster = false;
    const int tileZoom = WebMercator::tileZoomFor(viewport.zoom());
    const bool scaled = std::abs(viewport.zoom() - tileZoom) > 1e-3;
    if (painter)
        painter->setRenderHint(QPainter::SmoothPixmapTransform, scaled);
    for (const PlacedTile &placed : viewport.visibleTiles(tileZoom)) {
        const QRect target = pixelAligned(placed.target);
        if (tiles) {
            if (const QImage image = tiles->tile(placed.tile); !image.isNull()) {
                if (!painter)
                    return true;
                painter->drawImage(target, image);
                raster = true;
                continue;
            }
            // Meanwhile, a lower zoom's tile scaled up (Marble does the same).
            bool drawn = false;
            TileId parent = placed.tile;
            for (int up = 1; up <= 6 && parent.zoom > 0 && !drawn; ++up) {
                parent = parent.parent();
                const QImage image = tiles->tile(parent);
                if (image.isNull())
                    continue;
                if (!painter)
                    return true;
                const double part = image.width() / double(1 << up);
                const QRectF source((placed.tile.x - (parent.x << up)) * part,
                                    (placed.tile.y - (parent.y << up)) * part, part, part);
                painter->setRenderHint(QPainter::SmoothPixmapTransform, true);
                painter->drawImage(target, image, source);
                painter->setRenderHint(QPainter::SmoothPixmapTransform, scaled);
                drawn = true;
            }
            if (drawn) {
                raster = true;
                continue;
            }
        }
        if (painter)
            painter->drawImage(target, basemapTile(placed.tile));
    }
    return raster;
}

void MapRenderer::paintRoute(QPainter &painter, const MapViewport &viewport, const MapScene &scene)
{
    const QList<MapHop> placed = placedHops(scene);
    const double world = viewport.worldSize();
    const double kmPerWorldPixelAtEquator = EarthCircumferenceKm / world;

    // Accuracy circles first, under everything else.
    for (const MapHop &hop : placed) {
        if (hop.accuracyKm <= AccuracyCircleMinKm)
            continue;
        const double radius =
            hop.accuracyKm / (kmPerWorldPixelAtEquator * std::cos(qDegreesToRadians(hop.latitude)));
        if (radius < MarkerRadius ||
            radius > 8.0 * std::max(viewport.size().width(), viewport.size().height()))
            continue;
        const QPointF center = WebMercator::coordinateToWorldPixel(
            hop.latitude, WebMercator::wrapLongitude(hop.longitude), viewport.zoom());
        QColor fill = rttColor(hop.avgRttMs);
        QColor outline = fill.darker(130);
        fill.setAlpha(34);
        outline.setAlpha(150);
        painter.setPen(QPen(outline, 1.2, Qt::DashLine));
        painter.setBrush(fill);
        for (double shift : viewport.visibleCopies(center.x() - radius, center.x() + radius))
            painter.drawEllipse(viewport.worldPixelToPixel(center + QPointF(shift, 0)), radius, radius);
    }

    struct Stop
    {
        int ttl;
        QGeoCoordinate coordinate;
    };
    QList<Stop> stops;
    if (scene.hasSource) {
        int firstTtl = 1;
        for (const MapHop &hop : scene.hops)
            firstTtl = std::min(firstTtl, hop.ttl);
        stops.append({firstTtl - 1, QGeoCoordinate(WebMercator::clampLatitude(scene.sourceLatitude),
                                                   WebMercator::wrapLongitude(scene.sourceLongitude))});
    }
    for (const MapHop &hop : placed)
        stops.append({hop.ttl, QGeoCoordinate(WebMercator::clampLatitude(hop.latitude),
                                              WebMercator::wrapLongitude(hop.longitude))});

    painter.setBrush(Qt::NoBrush);
    const QColor color = scene.mainRouteColor.isValid() ? scene.mainRouteColor : RouteColor;
    const QPen halo(QColor(255, 255, 255, 210), 5.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    const QPen solid(color, 2.2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    QPen dashed(color, 2.2, Qt::CustomDashLine, Qt::FlatCap, Qt::RoundJoin);
    dashed.setDashPattern({3.0, 2.5});
    for (qsizetype i = 1; i < stops.size(); ++i) {
        const bool gap = stops[i].ttl > stops[i - 1].ttl + 1;
        strokeArc(painter, viewport, stops[i - 1].coordinate, stops[i].coordinate,
                  {halo, gap ? dashed : solid});
    }
}

QList<QPointF> MapRenderer::arcWorldPixels(const MapViewport &viewport, const QGeoCoordinate &from,
                                           const QGeoCoordinate &to)
{
    const double world = viewport.worldSize();
    const double distanceKm = GreatCircle::distanceKm(from, to);
    if (distanceKm < 0.5)
        return {};
    // One point every ~6 px on screen (2 to 64 pieces): enough for a smooth curve, and
    // stroking cost stays proportional to what is visible.
    const QPointF a = WebMercator::coordinateToWorldPixel(from.latitude(), from.longitude(), viewport.zoom());
    QPointF b = WebMercator::coordinateToWorldPixel(to.latitude(), to.longitude(), viewport.zoom());
    b.rx() -= std::round((b.x() - a.x()) / world) * world;
    const double pieces = std::clamp(std::hypot(b.x() - a.x(), b.y() - a.y()) / 6.0, 2.0, 64.0);
    const GeoPolyline line = GreatCircle::interpolate(from, to, std::max(distanceKm / pieces, 0.5));
    QList<QPointF> points = GreatCircle::unwrapped(line);
    for (QPointF &point : points)
        point = unwrappedWorldPixel(point.y(), point.x(), world);
    return points;
}

void MapRenderer::strokeArc(QPainter &painter, const MapViewport &viewport, const QGeoCoordinate &from,
                            const QGeoCoordinate &to, const QList<QPen> &pens)
{
    const QList<QPointF> points = arcWorldPixels(viewport, from, to);
    if (points.isEmpty())
        return;
    QPainterPath path;
    path.moveTo(points.first());
    double minX = points.first().x(), maxX = minX;
    for (qsizetype p = 1; p < points.size(); ++p) {
        path.lineTo(points[p]);
        minX = std::min(minX, points[p].x());
        maxX = std::max(maxX, points[p].x());
    }
    for (double shift : viewport.visibleCopies(minX, maxX, 8.0)) {
        const QPainterPath moved = path.translated(viewport.worldPixelToPixel(QPointF(shift, 0.0)));
        for (const QPen &pen : pens)
            painter.strokePath(moved, pen);
    }
}

QList<MarkerPlacement> MapRenderer::placeMarkers(const MapViewport &viewport, const MapScene &scene)
{
    QList<MarkerPlacement> markers;
    const QList<MapHop> placed = placedHops(scene);
    // Hops at the same place (same city from a database) fan out around it so each stays readable.
    QHash<QPair<qint64, qint64>, QList<int>> byPlace;
    for (qsizetype i = 0; i < placed.size(); ++i) {
        const auto key = qMakePair(qRound64(placed[i].latitude * 1e4),
                                   qRound64(WebMercator::wrapLongitude(placed[i].longitude) * 1e4));
        byPlace[key].append(int(i));
    }
    QList<QPointF> fanOffsets(placed.size());
    for (const QList<int> &group : std::as_const(byPlace)) {
        if (group.size() < 2)
            continue;
        const double ring = std::max(MarkerRadius * 1.2, MarkerRadius * group.size() / M_PI);
        for (qsizetype k = 0; k < group.size(); ++k) {
            const double angle = -M_PI / 2 + 2 * M_PI * k / group.size();
            fanOffsets[group[k]] = QPointF(std::cos(angle), std::sin(angle)) * ring;
        }
    }
    for (qsizetype i = 0; i < placed.size(); ++i) {
        const MapHop &hop = placed[i];
        const double radius = hop.row == scene.currentIndex ? MarkerRadius + 2.0 : MarkerRadius;
        const QPointF world = WebMercator::coordinateToWorldPixel(
            hop.latitude, WebMercator::wrapLongitude(hop.longitude), viewport.zoom());
        for (double shift : viewport.visibleCopies(world.x(), world.x(), radius + 24.0))
            markers.append({hop.row, hop.ttl,
                            viewport.worldPixelToPixel(world + QPointF(shift, 0)) + fanOffsets[i], radius});
    }
    // The selected and hovered hops are drawn last, on top.
    std::stable_partition(markers.begin(), markers.end(), [&](const MarkerPlacement &m) {
        return m.row != scene.currentIndex && m.row != scene.hoveredIndex;
    });
    return markers;
}

int MapRenderer::markerAt(const MapViewport &viewport, const MapScene &scene, QPointF point)
{
    const QList<MarkerPlacement> markers = placeMarkers(viewport, scene);
    for (auto it = markers.crbegin(); it != markers.crend(); ++it) {
        const QPointF d = it->position - point;
        if (QPointF::dotProduct(d, d) <= (it->radius + 3.0) * (it->radius + 3.0))
            return it->row;
    }
    return -1;
}

void MapRenderer::paintMarkers(QPainter &painter, const MapViewport &viewport, const MapScene &scene)
{
    // Source: a dark dot in a white ring.
    if (scene.hasSource) {
        const QPointF world = WebMercator::coordinateToWorldPixel(
            scene.sourceLatitude, WebMercator::wrapLongitude(scene.sourceLongitude), viewport.zoom());
        for (double shift : viewport.visibleCopies(world.x(), world.x(), 16.0)) {
            const QPointF p = viewport.worldPixelToPixel(world + QPointF(shift, 0));
            painter.setPen(QPen(InkColor, 1.5));
            painter.setBrush(Qt::white);
            painter.drawEllipse(p, 9.0, 9.0);
            painter.setPen(Qt::NoPen);
            painter.setBrush(InkColor);
            painter.drawEllipse(p, 5.0, 5.0);
        }
    }

    QHash<int, const MapHop *> hopByRow;
    for (const MapHop &hop : scene.hops)
        hopByRow.insert(hop.row, &hop);
    const QFont font = uiFont(11, true);
    const QFont smallFont = uiFont(9, true);
    for (const MarkerPlacement &marker : placeMarkers(viewport, scene)) {
        const MapHop *hop = hopByRow.value(marker.row);
        const QColor fill = rttColor(hop ? hop->avgRttMs : -1.0);
        const bool selected = marker.row == scene.currentIndex;
        const bool hovered = marker.row == scene.hoveredIndex;
        const QPointF p = marker.position;
        const double r = marker.radius;
        // Soft shadow for depth on busy tiles.
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0, 0, 0, 55));
        painter.drawEllipse(p + QPointF(0.0, 1.2), r + 1.0, r + 1.0);
        if (selected) {
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(Qt::white, 5.0));
            painter.drawEllipse(p, r + 4.0, r + 4.0);
            painter.setPen(QPen(SelectionColor, 3.0));
            painter.drawEllipse(p, r + 4.0, r + 4.0);
        }
        painter.setBrush(fill);
        painter.setPen(QPen(hovered ? SelectionColor : InkColor, hovered ? 2.5 : 1.5));
        painter.drawEllipse(p, r, r);
        // Dark digits on light fills (yellow), white on dark ones.
        const double luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF();
        painter.setPen(luminance > 0.6 ? InkColor : Qt::white);
        const QString label = QString::number(marker.ttl);
        painter.setFont(label.size() > 2 ? smallFont : font);
        painter.drawText(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r), Qt::AlignCenter, label);
    }
}

QList<HopLabelPlacement> MapRenderer::placeHopLabels(const MapViewport &viewport, const MapScene &scene)
{
    if (!scene.showLabels)
        return {};
    QHash<int, QString> labelByRow;
    for (const MapHop &hop : scene.hops)
        labelByRow.insert(hop.row, hop.label);
    const QList<MarkerPlacement> markers = placeMarkers(viewport, scene);
    QList<QRectF> taken;
    for (const MarkerPlacement &m : markers)
        taken.append(QRectF(m.position - QPointF(m.radius, m.radius), QSizeF(2 * m.radius, 2 * m.radius)));
    const QFontMetricsF metrics(uiFont(10, true));
    const QRectF bounds(QPointF(0, 0), viewport.size());
    QList<HopLabelPlacement> labels;
    for (const MarkerPlacement &m : markers) {
        const QString text = metrics.elidedText(labelByRow.value(m.row), Qt::ElideRight, 180);
        if (text.isEmpty())
            continue;
        const QSizeF size(metrics.horizontalAdvance(text) + 8, metrics.height() + 2);
        const double top = m.position.y() - size.height() / 2;
        for (const QRectF &box : {QRectF(QPointF(m.position.x() + m.radius + 3, top), size),
                                  QRectF(QPointF(m.position.x() - m.radius - 3 - size.width(), top), size)}) {
            const bool free =
                bounds.contains(box) && std::none_of(taken.cbegin(), taken.cend(),
                                                     [&](const QRectF &t) { return t.intersects(box); });
            if (!free)
                continue;
            taken.append(box);
            labels.append({m.row, text, box});
            break;
        }
    }
    return labels;
}

void MapRenderer::paintLabels(QPainter &painter, const MapViewport &viewport, const MapScene &scene)
{
    painter.setFont(uiFont(10, true));
    for (const HopLabelPlacement &label : placeHopLabels(viewport, scene)) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(255, 255, 255, 215));
        painter.drawRoundedRect(label.box, 3, 3);
        painter.setPen(InkColor);
        painter.drawText(label.box, Qt::AlignCenter, label.text);
    }
}

} // namespace tracemap
