// Further routes on the map (maproutes.cpp, routeset.h): each drawn in its own colour under the
// main route, hidden and failed ones not drawn, faint ones faint, convergence by address, loss
// and highlight marks on the main route's markers, a route legend only when there are routes,
// and a RouteSet that notifies only on real change.

#include "maphops.h"
#include "maprenderer.h"
#include "routeset.h"

#include <QSignalSpy>
#include <QTest>

using namespace tracemap;

namespace {

const QSize ViewSize(1000, 700);

MapViewport europe()
{
    return MapViewport(48.0, 8.0, 5.0, QSizeF(ViewSize));
}

MapHop hop(int ttl, double latitude, double longitude, const QString &address)
{
    return maphops::placed(ttl, latitude, longitude, 10.0 * ttl, address, address);
}

MapRoute route(const QString &id, const QColor &color, QList<MapHop> hops)
{
    MapRoute r;
    r.id = id;
    r.name = id;
    r.color = color;
    r.hops = std::move(hops);
    return r;
}

// Pixels within `radius` of `at` close to `color` (each channel within 40).
int pixelsNear(const QImage &image, QPointF at, int radius, const QColor &color)
{
    int found = 0;
    for (int y = int(at.y()) - radius; y <= int(at.y()) + radius; ++y) {
        for (int x = int(at.x()) - radius; x <= int(at.x()) + radius; ++x) {
            if (!image.rect().contains(x, y))
                continue;
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - color.red()) < 40 && std::abs(c.green() - color.green()) < 40 &&
                std::abs(c.blue() - color.blue()) < 40)
                ++found;
        }
    }
    return found;
}

// The pixel of a coordinate in the viewport.
QPointF pixelOf(const MapViewport &viewport, double latitude, double longitude)
{
    return viewport.worldPixelToPixel(
        WebMercator::coordinateToWorldPixel(latitude, longitude, viewport.zoom()));
}

} // namespace

class TestMapRoutes : public QObject
{
    Q_OBJECT

private slots:
    void routeDrawnInItsColour_data()
    {
        QTest::addColumn<bool>("visible");
        QTest::addColumn<bool>("failed");
        QTest::addColumn<bool>("drawn");
        QTest::newRow("visible") << true << false << true;
        QTest::newRow("hidden") << false << false << false;
        QTest::newRow("failed") << true << true << false;
    }
    void routeDrawnInItsColour()
    {
        QFETCH(bool, visible);
        QFETCH(bool, failed);
        QFETCH(bool, drawn);
        const QColor purple = MapRenderer::routePaletteColor(1);
        MapScene scene;
        scene.showLegend = false;
        scene.showScaleBar = false;
        MapRoute other = route(QStringLiteral("Paris probe"), purple,
                               {hop(1, 48.85, 2.35, QStringLiteral("192.0.2.1")),
                                hop(2, 52.52, 13.40, QStringLiteral("192.0.2.2"))});
        other.visible = visible;
        other.failed = failed;
        scene.routes = {other};
        MapRenderer renderer(std::make_shared<Basemap>());
        const MapViewport viewport = europe();
        const QImage image = renderer.render(viewport, scene, nullptr);
        // The dot at Paris and the middle of the arc towards Berlin.
        const QPointF paris = pixelOf(viewport, 48.85, 2.35);
        const QPointF middle = (paris + pixelOf(viewport, 52.52, 13.40)) / 2.0;
        QCOMPARE(pixelsNear(image, paris, 3, purple) > 5, drawn);
        QCOMPARE(pixelsNear(image, middle, 6, purple) > 3, drawn);
        // The legend lists the route only when it is visible.
        QCOMPARE(MapRenderer::routeLegendRect(viewport, scene).isValid(), visible);
    }

    void faintRouteIsLighter()
    {
        const QColor blue = MapRenderer::routePaletteColor(0);
        MapScene scene;
        scene.showLegend = false;
        MapRoute before = route(QStringLiteral("before"), blue,
                                {hop(1, 48.85, 2.35, QStringLiteral("192.0.2.1")),
                                 hop(2, 52.52, 13.40, QStringLiteral("192.0.2.2"))});
        MapRenderer renderer(std::make_shared<Basemap>());
        const MapViewport viewport = europe();
        const QPointF paris = pixelOf(viewport, 48.85, 2.35);
        scene.routes = {before};
        const int strong = pixelsNear(renderer.render(viewport, scene, nullptr), paris, 3, blue);
        before.opacity = 0.3;
        scene.routes = {before};
        const int faint = pixelsNear(renderer.render(viewport, scene, nullptr), paris, 3, blue);
        QVERIFY(strong > 5);
        QCOMPARE(faint, 0); // blended with the basemap, no longer the route's full colour
    }

    void convergenceIsByAddressAcrossVisibleRoutes_data()
    {
        QTest::addColumn<bool>("otherVisible");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("both visible") << true << QStringList{QStringLiteral("198.51.100.9")};
        QTest::newRow("other hidden") << false << QStringList{};
    }
    void convergenceIsByAddressAcrossVisibleRoutes()
    {
        QFETCH(bool, otherVisible);
        QFETCH(QStringList, expected);
        MapScene scene;
        scene.hops = {hop(1, 50.1, 8.7, QStringLiteral("10.0.0.1")),
                      hop(2, 51.5, -0.1, QStringLiteral("198.51.100.9"))};
        MapRoute other = route(QStringLiteral("b"), Qt::blue,
                               {hop(1, 48.85, 2.35, QStringLiteral("10.9.9.9")),
                                hop(3, 51.5, -0.1, QStringLiteral("198.51.100.9"))});
        other.visible = otherVisible;
        scene.routes = {other};
        QStringList converged = MapRenderer::convergedAddresses(scene).values();
        converged.sort();
        QCOMPARE(converged, expected);
    }

    void lossAndHighlightMarksOnMainMarkers()
    {
        MapScene scene;
        scene.showLegend = false;
        MapHop lossy = hop(1, 48.85, 2.35, QStringLiteral("192.0.2.1"));
        lossy.lossPct = 50.0;
        MapHop changed = hop(2, 52.52, 13.40, QStringLiteral("192.0.2.2"));
        changed.highlighted = true;
        scene.hops = {lossy, changed};
        MapRenderer renderer(std::make_shared<Basemap>());
        const MapViewport viewport = europe();
        const QImage image = renderer.render(viewport, scene, nullptr);
        const QList<MarkerPlacement> markers = MapRenderer::placeMarkers(viewport, scene);
        QCOMPARE(markers.size(), 2);
        const double r = markers[0].radius;
        // The loss arc starts at 12 o'clock and runs clockwise over half the ring: red on the
        // right of the marker, none on its left.
        const QColor red(0xd0, 0x1c, 0x1c);
        const QPointF lossCentre = markers[0].position;
        QVERIFY(pixelsNear(image, lossCentre + QPointF(r + 2, 0), 2, red) > 0);
        QCOMPARE(pixelsNear(image, lossCentre - QPointF(r + 2, 0), 1, red), 0);
        const QColor orange(0xff, 0x8c, 0x00);
        QVERIFY(pixelsNear(image, markers[1].position + QPointF(0, r + 3.5), 2, orange) > 0);
        QCOMPARE(pixelsNear(image, lossCentre + QPointF(0, r + 3.5), 1, orange), 0);
    }

    // TRACEMAP_MAP_DUMP_DIR=/some/dir keeps a picture of three routes for a human to look at.
    void threeRoutesPicture()
    {
        MapScene scene;
        scene.hasSource = true;
        scene.sourceLatitude = 52.37;
        scene.sourceLongitude = 4.90;
        scene.hops = {hop(1, 50.11, 8.68, QStringLiteral("198.51.100.1")),
                      hop(2, 48.14, 11.58, QStringLiteral("198.51.100.9"))};
        scene.hops[0].lossPct = 25.0;
        scene.mainRouteName = QStringLiteral("This machine (Amsterdam)");
        MapRoute paris = route(QStringLiteral("Paris probe"), MapRenderer::routePaletteColor(0),
                               {hop(1, 48.85, 2.35, QStringLiteral("192.0.2.1")),
                                hop(2, 48.14, 11.58, QStringLiteral("198.51.100.9"))});
        paris.hasSource = true;
        paris.sourceLatitude = 48.85;
        paris.sourceLongitude = 2.35;
        MapRoute before = route(QStringLiteral("before 12:03"), MapRenderer::routePaletteColor(1),
                                {hop(1, 51.5, -0.12, QStringLiteral("203.0.113.1"))});
        before.opacity = 0.35;
        before.dashed = true;
        scene.routes = {paris, before};
        MapRenderer renderer(std::make_shared<Basemap>());
        const QImage image = renderer.render(europe(), scene, nullptr);
        QVERIFY(!image.isNull());
        QVERIFY(MapRenderer::routeLegendRect(europe(), scene).isValid());
        if (const QString dir = qEnvironmentVariable("TRACEMAP_MAP_DUMP_DIR"); !dir.isEmpty())
            QVERIFY(image.save(dir + QStringLiteral("/routes.png")));
    }

    void noRouteLegendWithoutRoutes()
    {
        MapScene scene;
        scene.hops = {hop(1, 48.85, 2.35, QStringLiteral("192.0.2.1"))};
        QVERIFY(!MapRenderer::routeLegendRect(europe(), scene).isValid());
    }

    // Routes opened before this machine traced anything: the legend lists them, not an empty
    // "This machine" row; once the main route has hops it gets its row (one more line).
    void routeLegendListsTheMainRouteOnlyWithHops()
    {
        MapScene scene;
        scene.mainRouteName = QStringLiteral("This machine");
        scene.routes = {route(QStringLiteral("Paris probe"), MapRenderer::routePaletteColor(0),
                              {hop(1, 48.85, 2.35, QStringLiteral("192.0.2.1"))})};
        const QRectF routesOnly = MapRenderer::routeLegendRect(europe(), scene);
        QVERIFY(routesOnly.isValid());
        scene.hops = {hop(1, 52.52, 13.40, QStringLiteral("198.51.100.1"))};
        const QRectF withMain = MapRenderer::routeLegendRect(europe(), scene);
        QVERIFY(withMain.height() > routesOnly.height());
    }

    void routeSetNotifiesOnlyOnChange()
    {
        RouteSet set;
        QSignalSpy spy(&set, &RouteSet::routesChanged);
        const QList<MapRoute> routes{
            route(QStringLiteral("a"), Qt::blue, {hop(1, 1, 1, QStringLiteral("192.0.2.1"))})};
        set.setRoutes(routes);
        QCOMPARE(spy.count(), 1);
        set.setRoutes(routes);
        QCOMPARE(spy.count(), 1);
        set.setRouteVisible(QStringLiteral("a"), true); // already visible
        QCOMPARE(spy.count(), 1);
        set.setRouteVisible(QStringLiteral("a"), false);
        QCOMPARE(spy.count(), 2);
        QCOMPARE(set.legend().value(0).toMap().value(QStringLiteral("visible")).toBool(), false);
        set.clear();
        QCOMPARE(spy.count(), 3);
        QCOMPARE(set.count(), 0);
    }
};

QTEST_MAIN(TestMapRoutes)
#include "tst_maproutes.moc"
