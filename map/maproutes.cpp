// Further routes on the map (other vantage points, the other side of a comparison, the path
// before a change), the marks drawn over the main route's markers (loss, highlight,
// convergence) and the route legend. Part of MapRenderer; kept apart from the main route's
// drawing so each stays readable.

#include "maprenderer.h"
#include "mapstyle.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace tracemap {

using namespace mapstyle;

namespace {

constexpr double RouteDotRadius = 4.5;
constexpr double RouteLegendRightMargin = 58.0; // clear of the zoom buttons in the live view
const QColor HighlightColor(0xff, 0x8c, 0x00);
const QColor LossColor(0xd0, 0x1c, 0x1c);

QColor withOpacity(QColor color, double opacity)
{
    color.setAlphaF(float(std::clamp(color.alphaF() * opacity, 0.0, 1.0)));
    return color;
}

QGeoCoordinate coordinateOf(double latitude, double longitude)
{
    return QGeoCoordinate(WebMercator::clampLatitude(latitude), WebMercator::wrapLongitude(longitude));
}

// Item pixels of a coordinate in every visible copy of the world.
QList<QPointF> pixelsOf(const MapViewport &viewport, double latitude, double longitude, double margin)
{
    QList<QPointF> pixels;
    const QPointF world = WebMercator::coordinateToWorldPixel(
        WebMercator::clampLatitude(latitude), WebMercator::wrapLongitude(longitude), viewport.zoom());
    for (double shift : viewport.visibleCopies(world.x(), world.x(), margin))
        pixels.append(viewport.worldPixelToPixel(world + QPointF(shift, 0)));
    return pixels;
}

QList<MapHop> placedByTtl(const QList<MapHop> &hops)
{
    QList<MapHop> placed;
    for (const MapHop &hop : hops) {
        if (MapRenderer::isPlaced(hop))
            placed.append(hop);
    }
    std::stable_sort(placed.begin(), placed.end(),
                     [](const MapHop &a, const MapHop &b) { return a.ttl < b.ttl; });
    return placed;
}

struct LegendRow
{
    QString text;
    QColor color;
    bool dashed = false;
    bool failed = false;
};

QList<LegendRow> legendRows(const MapScene &scene)
{
    QList<LegendRow> rows;
    const bool anyShown = std::any_of(scene.routes.cbegin(), scene.routes.cend(),
                                      [](const MapRoute &route) { return route.visible; });
    if (!anyShown)
        return rows;
    // The main route is listed once it has hops: routes opened from a file before this machine
    // traced anything would otherwise list a "This machine" that the map does not show.
    if (!scene.hops.isEmpty())
        rows.append({scene.mainRouteName.isEmpty() ? QStringLiteral("This route") : scene.mainRouteName,
                     scene.mainRouteColor.isValid() ? scene.mainRouteColor : RouteColor});
    for (const MapRoute &route : scene.routes) {
        if (!route.visible)
            continue;
        const QColor color = route.color.isValid() ? route.color : RouteColor;
        rows.append({route.failed ? route.name + QStringLiteral(" (failed)") : route.name,
                     route.failed ? QColor(0x9a, 0xa0, 0xa6) : withOpacity(color, route.opacity),
                     route.dashed, route.failed});
    }
    return rows;
}

// Where a route's converged hop is marked: a small white diamond with a dark outline.
void paintConvergenceMark(QPainter &painter, QPointF at)
{
    QPolygonF diamond;
    diamond << at + QPointF(0, -5) << at + QPointF(5, 0) << at + QPointF(0, 5) << at + QPointF(-5, 0);
    painter.setPen(QPen(InkColor, 1.4));
    painter.setBrush(Qt::white);
    painter.drawPolygon(diamond);
}

// A route's arcs as one line (halo once, then the colour, per visible copy of the world)
// instead of one stroke per arc: 100 routes of 16 hops were ~6,000 strokes a frame.
void strokeRoute(QPainter &painter, const MapViewport &viewport, const QList<QGeoCoordinate> &stops,
                 const QPen &halo, const QPen &line)
{
    const double world = viewport.worldSize();
    QPainterPath path;
    bool started = false;
    double minX = 0, maxX = 0;
    for (qsizetype i = 1; i < stops.size(); ++i) {
        const QList<QPointF> points = MapRenderer::arcWorldPixels(viewport, stops[i - 1], stops[i]);
        if (points.isEmpty())
            continue;
        // Each arc starts in its own copy of the world; move it to where the last one ended so
        // the route stays one continuous line.
        const double shift =
            started ? std::round((path.currentPosition().x() - points.first().x()) / world) * world : 0.0;
        for (qsizetype p = 0; p < points.size(); ++p) {
            const QPointF point = points[p] + QPointF(shift, 0.0);
            if (!started) {
                path.moveTo(point);
                minX = maxX = point.x();
                started = true;
            } else {
                path.lineTo(point);
            }
            minX = std::min(minX, point.x());
            maxX = std::max(maxX, point.x());
        }
    }
    if (!started)
        return;
    painter.setBrush(Qt::NoBrush);
    for (double copy : viewport.visibleCopies(minX, maxX, 8.0)) {
        const QPainterPath moved = path.translated(viewport.worldPixelToPixel(QPointF(copy, 0.0)));
        painter.strokePath(moved, halo);
        painter.strokePath(moved, line);
    }
}

} // namespace

QColor MapRenderer::routePaletteColor(int index)
{
    // Blues, purples, browns and greys: apart from each other and from the green-yellow-red of
    // the RTT scale that fills the main route's markers.
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0x94, 0x67, 0xbd),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf),
                                     QColor(0x8c, 0x56, 0x4b), QColor(0x39, 0x3b, 0x79),
                                     QColor(0x7f, 0x7f, 0x7f), QColor(0xad, 0x49, 0x4a)};
    constexpr int size = int(sizeof(palette) / sizeof(palette[0]));
    return palette[((index % size) + size) % size];
}

QSet<QString> MapRenderer::convergedAddresses(const MapScene &scene)
{
    QHash<QString, int> routesSeen;
    auto count = [&routesSeen](const QList<MapHop> &hops) {
        QSet<QString> addresses;
        for (const MapHop &hop : hops) {
            if (!hop.address.isEmpty())
                addresses.insert(hop.address);
        }
        for (const QString &address : std::as_const(addresses))
            ++routesSeen[address];
    };
    count(scene.hops);
    for (const MapRoute &route : scene.routes) {
        if (route.visible && !route.failed)
            count(route.hops);
    }
    QSet<QString> converged;
    for (auto it = routesSeen.cbegin(); it != routesSeen.cend(); ++it) {
        if (it.value() >= 2)
            converged.insert(it.key());
    }
    return converged;
}

void MapRenderer::paintRoutes(QPainter &painter, const MapViewport &viewport, const QList<MapRoute> &routes,
                              const QSet<QString> &converged)
{
    for (const MapRoute &route : routes) {
        if (!route.visible || route.failed)
            continue;
        const QColor color = withOpacity(route.color.isValid() ? route.color : RouteColor, route.opacity);
        // Bevel joins: a round join is a curve at every point of every arc, and the stroker's
        // time went there; at the hops, where the route turns, the dots cover the join.
        const QPen halo(withOpacity(QColor(255, 255, 255, 190), route.opacity), 4.5, Qt::SolidLine,
                        Qt::RoundCap, Qt::BevelJoin);
        QPen line(color, 2.0, route.dashed ? Qt::CustomDashLine : Qt::SolidLine, Qt::RoundCap, Qt::BevelJoin);
        if (route.dashed)
            line.setDashPattern({4.0, 3.0});
        const QList<MapHop> placed = placedByTtl(route.hops);
        QList<QGeoCoordinate> stops;
        if (route.hasSource)
            stops.append(coordinateOf(route.sourceLatitude, route.sourceLongitude));
        for (const MapHop &hop : placed)
            stops.append(coordinateOf(hop.latitude, hop.longitude));
        strokeRoute(painter, viewport, stops, halo, line);

        if (route.hasSource) {
            for (const QPointF &p : pixelsOf(viewport, route.sourceLatitude, route.sourceLongitude, 10)) {
                painter.setPen(QPen(withOpacity(Qt::white, route.opacity), 2.0));
                painter.setBrush(color);
                painter.drawRect(QRectF(p - QPointF(5, 5), QSizeF(10, 10)));
            }
        }
        for (const MapHop &hop : placed) {
            for (const QPointF &p : pixelsOf(viewport, hop.latitude, hop.longitude, 10)) {
                if (hop.highlighted) {
                    painter.setPen(QPen(HighlightColor, 3.0));
                    painter.setBrush(Qt::NoBrush);
                    painter.drawEllipse(p, RouteDotRadius + 4, RouteDotRadius + 4);
                }
                painter.setPen(QPen(withOpacity(Qt::white, route.opacity), 1.5));
                painter.setBrush(color);
                painter.drawEllipse(p, RouteDotRadius, RouteDotRadius);
                if (converged.contains(hop.address))
                    paintConvergenceMark(painter, p + QPointF(RouteDotRadius + 3, -RouteDotRadius - 3));
            }
        }
    }
}

QList<QRectF> MapRenderer::routeMarkRects(const MapViewport &viewport, const MapScene &scene)
{
    QList<QRectF> rects;
    for (const MapRoute &route : scene.routes) {
        if (!route.visible || route.failed)
            continue;
        if (route.hasSource) {
            for (const QPointF &p : pixelsOf(viewport, route.sourceLatitude, route.sourceLongitude, 10))
                rects.append(QRectF(p - QPointF(6, 6), QSizeF(12, 12)));
        }
        // With room for a highlight ring and a convergence mark.
        const double r = RouteDotRadius + 5;
        for (const MapHop &hop : placedByTtl(route.hops)) {
            for (const QPointF &p : pixelsOf(viewport, hop.latitude, hop.longitude, 10))
                rects.append(QRectF(p - QPointF(r, r), QSizeF(2 * r, 2 * r)));
        }
    }
    return rects;
}

void MapRenderer::paintHopMarks(QPainter &painter, const MapViewport &viewport, const MapScene &scene,
                                const QSet<QString> &converged)
{
    QHash<int, const MapHop *> hopByRow;
    for (const MapHop &hop : scene.hops)
        hopByRow.insert(hop.row, &hop);
    for (const MarkerPlacement &marker : placeMarkers(viewport, scene)) {
        const MapHop *hop = hopByRow.value(marker.row);
        if (!hop)
            continue;
        const QPointF p = marker.position;
        const double r = marker.radius;
        if (hop->highlighted) {
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(HighlightColor, 3.0));
            painter.drawEllipse(p, r + 3.5, r + 3.5);
        }
        if (hop->lossPct > 0) {
            // A red arc around the marker, its length the loss share (at least a visible tick).
            const double share = std::clamp(hop->lossPct / 100.0, 0.04, 1.0);
            const QRectF ring(p - QPointF(r + 2, r + 2), QSizeF(2 * r + 4, 2 * r + 4));
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(LossColor, 3.0, Qt::SolidLine, Qt::FlatCap));
            painter.drawArc(ring, 90 * 16, -int(std::lround(share * 360.0 * 16)));
        }
        if (converged.contains(hop->address))
            paintConvergenceMark(painter, p + QPointF(r * 0.8, -r * 0.8));
    }
}

QRectF MapRenderer::routeLegendRect(const MapViewport &viewport, const MapScene &scene)
{
    const QList<LegendRow> rows = legendRows(scene);
    if (rows.isEmpty() || viewport.size().width() < 400 || viewport.size().height() < 200)
        return {};
    const QFontMetricsF metrics(uiFont(11));
    double textWidth = 0;
    for (const LegendRow &row : rows)
        textWidth = std::max(textWidth, metrics.horizontalAdvance(row.text));
    const double rowHeight = metrics.height() + 4;
    const double maxRows = std::floor((viewport.size().height() * 0.5 - 16) / rowHeight);
    const double shown = std::min<double>(double(rows.size()), std::max(1.0, maxRows));
    const QSizeF size(std::min(textWidth, 260.0) + 46, shown * rowHeight + 12);
    return QRectF(QPointF(viewport.size().width() - RouteLegendRightMargin - size.width(), 10), size);
}

void MapRenderer::paintRouteLegend(QPainter &painter, const MapViewport &viewport, const MapScene &scene)
{
    const QRectF box = routeLegendRect(viewport, scene);
    if (!box.isValid())
        return;
    const QList<LegendRow> rows = legendRows(scene);
    const QFont font = uiFont(11);
    const QFontMetricsF metrics(font);
    const double rowHeight = metrics.height() + 4;
    painter.setPen(QPen(QColor(0, 0, 0, 40), 1));
    painter.setBrush(QColor(255, 255, 255, 225));
    painter.drawRoundedRect(box, 5, 5);
    painter.setFont(font);
    const int shown = int((box.height() - 12) / rowHeight);
    for (int i = 0; i < rows.size() && i < shown; ++i) {
        const LegendRow &row = rows[i];
        const double y = box.top() + 6 + i * rowHeight + rowHeight / 2;
        QPen swatch(row.color, 3.0, row.dashed ? Qt::CustomDashLine : Qt::SolidLine, Qt::FlatCap);
        if (row.dashed)
            swatch.setDashPattern({2.0, 1.5});
        painter.setPen(swatch);
        painter.drawLine(QPointF(box.left() + 10, y), QPointF(box.left() + 32, y));
        painter.setPen(row.failed ? QColor(0x6b, 0x72, 0x7a) : InkColor);
        const bool more = i == shown - 1 && rows.size() > shown;
        const QString text = more ? QStringLiteral("… and %1 more").arg(rows.size() - shown + 1) : row.text;
        painter.drawText(QRectF(box.left() + 40, y - rowHeight / 2, box.width() - 46, rowHeight),
                         Qt::AlignVCenter | Qt::AlignLeft,
                         metrics.elidedText(text, Qt::ElideRight, box.width() - 46));
    }
}

} // namespace tracemap
