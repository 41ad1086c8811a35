// The route layer (map/routelayer.h) as the live item uses it through MapRenderer::paint: drawn
// again when routes, visibility, convergence, zoom, size or device scale change, reused while
// the view only pans, and a frame from the reused layer is the same picture, pixel for pixel, as
// a frame drawn from scratch at the same view (across the antimeridian and at a device scale of
// 2 too); while dragged, the layer drawn ahead on a worker gives those same pixels, a stale one is
// never shown, and the renderer may go while the worker draws. The worker's timing decides no
// verdict: tests wait for it (MapRenderer::waitForRouteLayerPrefetch) or hold either way.

#include "layerframes.h"
#include "maphops.h"
#include "maprenderer.h"
#include "routelayer.h"

#include <QPainter>
#include <QTest>

using namespace tracemap;
using namespace tracemap::layerframes;

namespace {

using Cache = MapRenderer::RouteCache;

const QSize ViewSize(900, 600);

MapHop hop(int ttl, double latitude, double longitude, const QString &address)
{
    return maphops::placed(ttl, latitude, longitude, 10.0 * ttl, address);
}

MapRoute route(int index, double latitude, double longitude, QList<MapHop> hops)
{
    MapRoute r;
    r.id = QStringLiteral("probe-%1").arg(index);
    r.name = r.id;
    r.color = MapRenderer::routePaletteColor(index);
    r.hasSource = true;
    r.sourceLatitude = latitude;
    r.sourceLongitude = longitude;
    r.hops = std::move(hops);
    return r;
}

// Routes from every continent, one of them across the Pacific (and the antimeridian), one
// dashed, one faint, one with a highlighted hop; two meet at 198.51.100.9.
MapScene scene()
{
    MapScene s;
    s.showLegend = false;
    s.hasSource = true;
    s.sourceLatitude = 52.37;
    s.sourceLongitude = 4.90;
    s.hops = {hop(1, 50.11, 8.68, QStringLiteral("192.0.2.1")),
              hop(2, 40.71, -74.0, QStringLiteral("192.0.2.2"))};
    s.routes = {
        route(0, 35.68, 139.69,
              {hop(1, 37.77, -122.42, QStringLiteral("198.51.100.1")),
               hop(2, 40.71, -74.0, QStringLiteral("198.51.100.9"))}),
        route(1, -33.87, 151.21,
              {hop(1, 1.35, 103.82, QStringLiteral("198.51.100.2")),
               hop(2, 50.11, 8.68, QStringLiteral("198.51.100.9"))}),
        route(2, -23.55, -46.63, {hop(1, 38.72, -9.14, QStringLiteral("198.51.100.3"))}),
        route(3, 64.15, -21.94, {hop(1, 51.51, -0.13, QStringLiteral("198.51.100.4"))}),
        route(4, -1.29, 36.82, {hop(1, 30.04, 31.24, QStringLiteral("198.51.100.5"))}),
    };
    s.routes[2].dashed = true;
    s.routes[3].opacity = 0.35;
    s.routes[4].hops[0].highlighted = true;
    return s;
}

MapViewport view(double latitude = 30.0, double longitude = 170.0, double zoom = 2.5, QSize size = ViewSize)
{
    return MapViewport(latitude, longitude, zoom, QSizeF(size));
}

// The frame a new renderer draws for a still view: what every cached frame must equal.
QImage freshFrame(const MapViewport &viewport, const MapScene &scene, double dpr = 1.0)
{
    MapRenderer fresh(std::make_shared<Basemap>());
    return frame(fresh, viewport, scene, Cache::Still, dpr);
}

} // namespace

class TestRouteLayer : public QObject
{
    Q_OBJECT

private slots:
    void redrawnOnlyWhenItMust_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<Cache>("cache");
        QTest::addColumn<bool>("redrawn");
        QTest::addColumn<bool>("exact"); // the frame equals one drawn from scratch
        QTest::newRow("pure pan, still") << QStringLiteral("pan 40,-25") << Cache::Still << false << true;
        QTest::newRow("pure pan, dragging") << QStringLiteral("pan 200,0") << Cache::Panning << false << true;
        QTest::newRow("sub-pixel pan, dragging")
            << QStringLiteral("pan 30.5,0") << Cache::Panning << false << false;
        QTest::newRow("sub-pixel pan, still") << QStringLiteral("pan 30.5,0") << Cache::Still << true << true;
        QTest::newRow("pan off centre, still") << QStringLiteral("pan 200,0") << Cache::Still << true << true;
        QTest::newRow("pan out of the margin")
            << QStringLiteral("pan 300,0") << Cache::Panning << true << true;
        QTest::newRow("route moved") << QStringLiteral("route moved") << Cache::Still << true << true;
        QTest::newRow("route added") << QStringLiteral("route added") << Cache::Still << true << true;
        QTest::newRow("route hidden") << QStringLiteral("route hidden") << Cache::Still << true << true;
        QTest::newRow("route failed") << QStringLiteral("route failed") << Cache::Still << true << true;
        QTest::newRow("colour changed") << QStringLiteral("colour changed") << Cache::Still << true << true;
        QTest::newRow("main route converges")
            << QStringLiteral("main converges") << Cache::Still << true << true;
        QTest::newRow("main route grows") << QStringLiteral("main grows") << Cache::Still << false << true;
        QTest::newRow("hop selected") << QStringLiteral("selected") << Cache::Still << false << true;
        QTest::newRow("zoom changed") << QStringLiteral("zoom") << Cache::Still << true << true;
        QTest::newRow("size changed") << QStringLiteral("size") << Cache::Still << true << true;
        QTest::newRow("device scale changed") << QStringLiteral("dpr") << Cache::Still << true << true;
    }
    void redrawnOnlyWhenItMust()
    {
        QFETCH(QString, change);
        QFETCH(Cache, cache);
        QFETCH(bool, redrawn);
        QFETCH(bool, exact);
        MapScene s = scene();
        MapViewport v = view();
        double dpr = 1.0;
        MapRenderer renderer(std::make_shared<Basemap>());
        frame(renderer, v, s, Cache::Still);
        QCOMPARE(renderer.routeLayerRenders(), 1);

        if (change.startsWith(QLatin1String("pan "))) {
            const QStringList xy = change.mid(4).split(QLatin1Char(','));
            v = panned(v, QPointF(xy[0].toDouble(), xy[1].toDouble()));
        } else if (change == QLatin1String("route moved")) {
            s.routes[1].hops[0].latitude += 3.0;
        } else if (change == QLatin1String("route added")) {
            s.routes.append(route(5, 19.43, -99.13, {hop(1, 29.76, -95.37, QStringLiteral("198.51.100.6"))}));
        } else if (change == QLatin1String("route hidden")) {
            s.routes[0].visible = false;
        } else if (change == QLatin1String("route failed")) {
            s.routes[2].failed = true;
        } else if (change == QLatin1String("colour changed")) {
            s.routes[3].color = MapRenderer::routePaletteColor(6);
        } else if (change == QLatin1String("main converges")) {
            s.hops.append(hop(3, 1.35, 103.82, QStringLiteral("198.51.100.2")));
        } else if (change == QLatin1String("main grows")) {
            s.hops.append(hop(3, 34.05, -118.24, QStringLiteral("192.0.2.3")));
        } else if (change == QLatin1String("selected")) {
            s.currentIndex = 1;
        } else if (change == QLatin1String("zoom")) {
            v = view(30.0, 170.0, 3.0);
        } else if (change == QLatin1String("size")) {
            v = view(30.0, 170.0, 2.5, QSize(800, 600));
        } else if (change == QLatin1String("dpr")) {
            dpr = 2.0;
        }
        const QImage cached = frame(renderer, v, s, cache, dpr);
        QCOMPARE(renderer.routeLayerRenders(), redrawn ? 2 : 1);

        QCOMPARE(differing(cached, freshFrame(v, s, dpr)) == 0, exact);
    }

    // A dragged view shows the reused layer, not a new drawing, and the picture is the same as
    // one drawn from scratch at the view where the drag stopped.
    void reusedFrameEqualsFreshFrame_data()
    {
        QTest::addColumn<double>("longitude");
        QTest::addColumn<QPointF>("drag");
        QTest::addColumn<double>("dpr");
        QTest::newRow("east") << 10.0 << QPointF(37, 0) << 1.0;
        QTest::newRow("south-west") << 10.0 << QPointF(-120, 95) << 1.0;
        QTest::newRow("across the antimeridian, east") << 175.0 << QPointF(150, -20) << 1.0;
        QTest::newRow("across the antimeridian, west") << -178.0 << QPointF(-240, 0) << 1.0;
        QTest::newRow("device scale 2") << 170.0 << QPointF(60, 33) << 2.0;
        QTest::newRow("device scale 1.5") << 170.0 << QPointF(-64, 20) << 1.5;
    }
    void reusedFrameEqualsFreshFrame()
    {
        QFETCH(double, longitude);
        QFETCH(QPointF, drag);
        QFETCH(double, dpr);
        const MapScene s = scene();
        const MapViewport start = view(30.0, longitude);
        MapRenderer dragged(std::make_shared<Basemap>());
        frame(dragged, start, s, Cache::Still, dpr);
        // The drag in steps, as mouse moves come, each whole pixels from the start.
        QImage cached;
        for (int step = 1; step <= 4; ++step)
            cached = frame(dragged, panned(start, drag * step / 4.0), s, Cache::Panning, dpr);
        QCOMPARE(dragged.routeLayerRenders(), 1);

        const MapViewport end = panned(start, drag);
        const QImage reference = freshFrame(end, s, dpr);
        QCOMPARE(differing(cached, reference), 0);
        // Released where it stopped: the same picture. A drag further than an eighth of the
        // margin had the layer drawn ahead on a worker (half a margin along the drag): once that
        // is done, the release takes it, or keeps the current one, instead of drawing again.
        const double eighth = RouteLayer::MarginPixels / dpr / 8;
        const bool drawnAhead = std::abs(drag.x()) > eighth || std::abs(drag.y()) > eighth;
        QCOMPARE(dragged.routeLayerPrefetches() > 0, drawnAhead);
        dragged.waitForRouteLayerPrefetch();
        QCOMPARE(differing(frame(dragged, end, s, Cache::Still, dpr), reference), 0);
        QCOMPARE(dragged.routeLayerRenders(), 1);
    }

    // A long drag (60 frames, as atlas_bench's) that leaves the margin again and again: every
    // frame is the same picture as one drawn from scratch, whether the image drawn ahead is done
    // when the view leaves the margin (waited for before each frame: adopted, never drawn here)
    // or not (the frame waits for it, or draws the layer itself): the verdict is the same either way.
    void drawnAheadFramesEqualFreshFrames_data()
    {
        QTest::addColumn<double>("longitude");
        QTest::addColumn<QPointF>("step");
        QTest::addColumn<double>("dpr");
        QTest::addColumn<bool>("waitEachFrame");
        QTest::newRow("east, worker done") << 10.0 << QPointF(10, 0) << 1.0 << true;
        QTest::newRow("east, as it comes") << 10.0 << QPointF(10, 0) << 1.0 << false;
        QTest::newRow("diagonal, worker done") << -60.0 << QPointF(-9, 7) << 1.0 << true;
        QTest::newRow("across the antimeridian, as it comes") << 160.0 << QPointF(13, -3) << 1.0 << false;
        QTest::newRow("device scale 2, worker done") << 170.0 << QPointF(-6, 4) << 2.0 << true;
        QTest::newRow("device scale 1.5, as it comes") << 170.0 << QPointF(8, 2) << 1.5 << false;
    }
    void drawnAheadFramesEqualFreshFrames()
    {
        QFETCH(double, longitude);
        QFETCH(QPointF, step);
        QFETCH(double, dpr);
        QFETCH(bool, waitEachFrame);
        const MapScene s = scene();
        MapRenderer dragged(std::make_shared<Basemap>());
        constexpr int Frames = 60;
        for (int i = 0; i <= Frames; ++i) { // still at first, as a drag starts
            if (waitEachFrame)
                dragged.waitForRouteLayerPrefetch();
            const MapViewport v = panned(view(20.0, longitude), step * i);
            const QImage cached = frame(dragged, v, s, i == 0 ? Cache::Still : Cache::Panning, dpr);
            QVERIFY2(differing(cached, freshFrame(v, s, dpr)) == 0,
                     qPrintable(QStringLiteral("frame %1").arg(i)));
        }
        // 600 px: the margin was left more than once, and each time the next image was drawn ahead.
        QVERIFY(dragged.routeLayerPrefetches() >= 2);
        if (waitEachFrame)
            QCOMPARE(dragged.routeLayerRenders(), 1);
    }

    // An image drawn ahead that what the layer shows has since made stale (or another zoom or
    // size) is never shown: the worker is waited for, so the stale image is done and at hand
    // (and nearer the view's centre than the current one at 150 px), and every frame after the
    // change, dragged on out of the margin, is the new picture.
    void staleDrawnAheadNeverShown_data()
    {
        QTest::addColumn<QString>("change");
        QTest::newRow("route moved") << QStringLiteral("route moved");
        QTest::newRow("route hidden") << QStringLiteral("route hidden");
        QTest::newRow("main route converges") << QStringLiteral("main converges");
        QTest::newRow("cleared, then other routes") << QStringLiteral("cleared");
        QTest::newRow("zoom changed") << QStringLiteral("zoom");
        QTest::newRow("size changed") << QStringLiteral("size");
    }
    void staleDrawnAheadNeverShown()
    {
        QFETCH(QString, change);
        MapScene s = scene();
        MapViewport start = view(20.0, 10.0);
        MapRenderer dragged(std::make_shared<Basemap>());
        frame(dragged, start, s, Cache::Still);
        frame(dragged, panned(start, QPointF(150, 0)), s, Cache::Panning); // drawn ahead from here
        QCOMPARE(dragged.routeLayerPrefetches(), 1);
        dragged.waitForRouteLayerPrefetch();

        if (change == QLatin1String("route moved")) {
            s.routes[1].hops[0].latitude += 3.0;
        } else if (change == QLatin1String("route hidden")) {
            s.routes[0].visible = false;
        } else if (change == QLatin1String("main converges")) {
            s.hops.append(hop(3, 1.35, 103.82, QStringLiteral("198.51.100.2")));
        } else if (change == QLatin1String("cleared")) {
            MapScene none = s;
            none.routes.clear();
            frame(dragged, panned(start, QPointF(120, 0)), none, Cache::Panning);
            s.routes.removeFirst();
        } else if (change == QLatin1String("zoom")) {
            start = view(20.0, 10.0, 2.75);
        } else if (change == QLatin1String("size")) {
            start = view(20.0, 10.0, 2.5, QSize(880, 600));
        }
        // Back to 100 px (the change draws the layer there), then past where the stale image is
        // centred (278 px: it would be nearer the view's centre than the current one), then on.
        QList<int> xs = {100, 150};
        for (int x = 170; x <= 700; x += 20)
            xs.append(x);
        for (int x : std::as_const(xs)) {
            dragged.waitForRouteLayerPrefetch();
            const MapViewport v = panned(start, QPointF(x, 0));
            const QImage cached = frame(dragged, v, s, Cache::Panning);
            QVERIFY2(differing(cached, freshFrame(v, s)) == 0, qPrintable(QStringLiteral("at %1 px").arg(x)));
        }
    }

    // The renderer (and the scene it was given) may go while the worker still draws: the worker
    // draws its own copy, and the renderer waits for it. Run under ASan or valgrind to see more
    // than "no crash"; either timing (worker done or not) must be safe.
    void destroyedWhileDrawingAhead_data()
    {
        QTest::addColumn<bool>("clearFirst");
        QTest::newRow("drawing ahead") << false;
        QTest::newRow("cleared while drawing ahead") << true;
    }
    void destroyedWhileDrawingAhead()
    {
        QFETCH(bool, clearFirst);
        const MapViewport start = view(20.0, 10.0);
        auto renderer = std::make_unique<MapRenderer>(std::make_shared<Basemap>());
        {
            MapScene s = scene();
            frame(*renderer, start, s, Cache::Still);
            frame(*renderer, panned(start, QPointF(-150, 40)), s, Cache::Panning);
            // The caller's scene changes and goes at once: the worker's copy is its own.
            s.routes[0].hops[0].address = QStringLiteral("203.0.113.1");
            s.routes.clear();
            if (clearFirst)
                frame(*renderer, panned(start, QPointF(-160, 40)), s, Cache::Panning);
        }
        QCOMPARE(renderer->routeLayerPrefetches(), 1);
        renderer.reset();
        QVERIFY(!renderer);
    }

    // An image drawn ahead that is done but not yet nearer the view's centre is kept for later;
    // clearing the layer then (the routes gone) drops it safely, and the routes coming back are
    // drawn afresh.
    void clearedWhileADoneImageWaits()
    {
        const MapScene s = scene();
        const MapViewport start = view(20.0, 10.0);
        MapRenderer dragged(std::make_shared<Basemap>());
        frame(dragged, start, s, Cache::Still);
        frame(dragged, panned(start, QPointF(40, 0)), s, Cache::Panning); // drawn ahead from here
        QCOMPARE(dragged.routeLayerPrefetches(), 1);
        dragged.waitForRouteLayerPrefetch();
        frame(dragged, panned(start, QPointF(41, 0)), s, Cache::Panning); // done, kept: not nearer yet
        MapScene none = s;
        none.routes.clear();
        frame(dragged, panned(start, QPointF(42, 0)), none, Cache::Panning);
        const MapViewport v = panned(start, QPointF(43, 0));
        QCOMPARE(differing(frame(dragged, v, s, Cache::Panning), freshFrame(v, s)), 0);
        QCOMPARE(dragged.routeLayerRenders(), 2);
    }

    // Exports draw the routes straight onto the image; the live item composes them from the
    // layer. The two differ only by the rounding of 8-bit compositing (a layer of translucent
    // strokes laid on the map, instead of each stroke on the map): at most 2 per channel.
    void layerMatchesDirectDrawing()
    {
        const MapScene s = scene();
        const MapViewport v = view();
        MapRenderer live(std::make_shared<Basemap>());
        MapRenderer exporting(std::make_shared<Basemap>());
        const QImage layered = frame(live, v, s, Cache::Still);
        const QImage direct = frame(exporting, v, s, Cache::Off);
        QCOMPARE(exporting.routeLayerRenders(), 0);
        // The routes are there at all: thousands of pixels differ from the map without them.
        MapScene bare = s;
        bare.routes.clear();
        QVERIFY(differing(layered, frame(exporting, v, bare, Cache::Off), 8) > 5000);
        QCOMPARE(differing(layered, direct, 2), 0);
    }

    void noRoutesNoLayer()
    {
        MapScene s = scene();
        s.routes.clear();
        MapRenderer renderer(std::make_shared<Basemap>());
        frame(renderer, view(), s, Cache::Still);
        QCOMPARE(renderer.routeLayerRenders(), 0);
    }
};

QTEST_MAIN(TestRouteLayer)
#include "tst_routelayer.moc"
