// The live map's basemap layer (ocean and tiles kept as a PannedLayer, see map/pannedlayer.h) as
// MapRenderer::paint uses it: drawn again when the zoom, the size, the device scale or the tiles
// in memory change and when the view leaves the margin, reused while the view only pans; a frame
// from the reused layer is the same picture, pixel for pixel, as one drawn straight onto the view
// (across the antimeridian and at device scales of 1.5 and 2 too). Place labels, drawn over it,
// are laid out again only when the view or what they avoid moved, and the kept layout is the one
// a fresh layout gives.

#include "layerframes.h"
#include "maphops.h"
#include "maprenderer.h"
#include "placelabelcache.h"
#include "tileloader.h"

#include <QDir>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using namespace tracemap::layerframes;

namespace {

using Cache = MapRenderer::RouteCache;

const QSize ViewSize(900, 600);

MapHop hop(int ttl, double latitude, double longitude, double rttMs)
{
    return maphops::placed(ttl, latitude, longitude, rttMs, QStringLiteral("192.0.2.%1").arg(ttl));
}

MapScene scene()
{
    MapScene s;
    s.hasSource = true;
    s.sourceLatitude = 52.37;
    s.sourceLongitude = 4.90;
    s.hops = {hop(1, 50.11, 8.68, 5.0), hop(2, 40.71, -74.0, 80.0), hop(3, 35.68, 139.69, 250.0)};
    return s;
}

} // namespace

class TestBasemapLayer : public QObject
{
    Q_OBJECT

private slots:
    void reusedWhilePanning_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<Cache>("cache");
        QTest::addColumn<double>("dpr");
        QTest::addColumn<double>("longitude"); // the view's centre
        QTest::addColumn<bool>("redrawn");
        QTest::addColumn<bool>("exact"); // the frame equals one drawn straight onto the view
        QTest::newRow("pan, still") << QStringLiteral("pan 40,-25") << Cache::Still << 1.0 << 10.0 << false
                                    << true;
        QTest::newRow("pan, dragging")
            << QStringLiteral("pan 200,0") << Cache::Panning << 1.0 << 10.0 << false << true;
        QTest::newRow("pan across the antimeridian")
            << QStringLiteral("pan 120,30") << Cache::Panning << 1.0 << 175.0 << false << true;
        QTest::newRow("pan, device scale 2")
            << QStringLiteral("pan 60,-20") << Cache::Panning << 2.0 << 175.0 << false << true;
        QTest::newRow("pan, device scale 1.5")
            << QStringLiteral("pan 60,-20") << Cache::Panning << 1.5 << -178.0 << false << true;
        QTest::newRow("sub-pixel pan, still")
            << QStringLiteral("pan 30.5,0") << Cache::Still << 1.0 << 10.0 << true << true;
        QTest::newRow("pan out of the margin")
            << QStringLiteral("pan 300,0") << Cache::Panning << 1.0 << 10.0 << true << true;
        QTest::newRow("zoom changed")
            << QStringLiteral("zoom") << Cache::Still << 1.0 << 10.0 << true << true;
        QTest::newRow("size changed")
            << QStringLiteral("size") << Cache::Still << 1.0 << 10.0 << true << true;
        QTest::newRow("device scale changed")
            << QStringLiteral("dpr") << Cache::Still << 1.0 << 10.0 << true << true;
        QTest::newRow("hop recoloured")
            << QStringLiteral("colour") << Cache::Still << 1.0 << 10.0 << false << true;
        QTest::newRow("tile arrived")
            << QStringLiteral("tile") << Cache::Still << 1.0 << 10.0 << true << true;
    }
    void reusedWhilePanning()
    {
        QFETCH(QString, change);
        QFETCH(Cache, cache);
        QFETCH(double, dpr);
        QFETCH(double, longitude);
        QFETCH(bool, redrawn);
        QFETCH(bool, exact);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TileLoader tiles;
        tiles.setNetworkEnabled(false); // tiles come from the test's own folder only
        tiles.setCacheDirectory(dir.path());
        MapScene s = scene();
        MapViewport v(30.0, longitude, 2.5, QSizeF(ViewSize));
        MapRenderer renderer(std::make_shared<Basemap>());
        frame(renderer, v, s, Cache::Still, dpr, &tiles);
        QCOMPARE(renderer.basemapLayerRenders(), 1);

        if (change.startsWith(QLatin1String("pan "))) {
            const QStringList xy = change.mid(4).split(QLatin1Char(','));
            v = panned(v, QPointF(xy[0].toDouble(), xy[1].toDouble()));
        } else if (change == QLatin1String("zoom")) {
            v = MapViewport(30.0, longitude, 3.0, QSizeF(ViewSize));
        } else if (change == QLatin1String("size")) {
            v = MapViewport(30.0, longitude, 2.5, QSizeF(800, 600));
        } else if (change == QLatin1String("dpr")) {
            dpr = 2.0;
        } else if (change == QLatin1String("colour")) {
            s.hops[1].avgRttMs = 5.0;
        } else if (change == QLatin1String("tile")) {
            // A red tile where the view is: on disk, read into memory by the next request.
            const PlacedTile placed = v.visibleTiles(WebMercator::tileZoomFor(v.zoom())).first();
            const QString path = QStringLiteral("%1/%2/%3/%4.png")
                                     .arg(tiles.templateCacheDirectory())
                                     .arg(placed.tile.zoom)
                                     .arg(placed.tile.x)
                                     .arg(placed.tile.y);
            QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
            QImage red(256, 256, QImage::Format_RGB32);
            red.fill(Qt::red);
            QVERIFY(red.save(path));
            tiles.request({placed.tile});
            QVERIFY(!tiles.tile(placed.tile).isNull());
        }
        const QImage cached = frame(renderer, v, s, cache, dpr, &tiles);
        QCOMPARE(renderer.basemapLayerRenders(), redrawn ? 2 : 1);

        MapRenderer fresh(std::make_shared<Basemap>());
        const QImage reference = frame(fresh, v, s, Cache::Off, dpr, &tiles);
        QCOMPARE(differing(cached, reference) == 0, exact);
    }

    // A repaint that moves nothing the place labels avoid keeps their placement; one that moves a
    // marker or the view lays them out again.
    void placeLabelsLaidOutOnlyWhenTheirInputsChange_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<bool>("laidOut");
        QTest::newRow("nothing") << QString() << false;
        QTest::newRow("marker recoloured") << QStringLiteral("colour") << false;
        QTest::newRow("loss mark") << QStringLiteral("loss") << false;
        QTest::newRow("marker moved") << QStringLiteral("moved") << true;
        QTest::newRow("hop added") << QStringLiteral("added") << true;
        QTest::newRow("view panned") << QStringLiteral("pan") << true;
    }
    void placeLabelsLaidOutOnlyWhenTheirInputsChange()
    {
        QFETCH(QString, change);
        QFETCH(bool, laidOut);
        MapScene s = scene();
        MapViewport v(45.0, 0.0, 4.0, QSizeF(ViewSize));
        MapRenderer renderer(Basemap::builtIn());
        frame(renderer, v, s, Cache::Still);
        QCOMPARE(renderer.placeLabelLayouts(), 1);
        QVERIFY(!renderer.placeLabels(v, s).isEmpty()); // the test has labels to keep

        if (change == QLatin1String("colour"))
            s.hops[0].avgRttMs = 150.0;
        else if (change == QLatin1String("loss"))
            s.hops[0].lossPct = 30.0;
        else if (change == QLatin1String("moved"))
            s.hops[0].latitude = 48.86;
        else if (change == QLatin1String("added"))
            s.hops.append(hop(4, 41.9, 12.5, 30.0));
        else if (change == QLatin1String("pan"))
            v = panned(v, QPointF(15, 0));
        frame(renderer, v, s, Cache::Still);
        QCOMPARE(renderer.paints(), 2);
        QCOMPARE(renderer.placeLabelLayouts(), laidOut ? 2 : 1);
    }

    // What the cache hands out is what a fresh layout gives for the same inputs.
    void cachedPlacementEqualsFreshPlacement()
    {
        const QList<BasemapPlace> &places = Basemap::builtIn()->places();
        const MapViewport v(45.0, 0.0, 4.0, QSizeF(ViewSize));
        QList<QRectF> obstacles{QRectF(400, 250, 60, 40)};
        const auto same = [](const QList<PlaceLabel> &a, const QList<PlaceLabel> &b) {
            return a.size() == b.size() &&
                   std::equal(a.cbegin(), a.cend(), b.cbegin(), [](const auto &x, const auto &y) {
                       return x.place == y.place && x.text == y.text && x.dot == y.dot && x.box == y.box;
                   });
        };
        PlaceLabelCache cache;
        const QList<PlaceLabel> first = cache.labels(v, places, obstacles);
        QVERIFY(!first.isEmpty());
        QVERIFY(same(first, PlaceLabels::place(v, places, obstacles)));
        QVERIFY(same(cache.labels(v, places, obstacles), first));
        QCOMPARE(cache.layouts(), 1);

        obstacles.append(QRectF(100, 100, 300, 200)); // covers labels that were placed
        const QList<PlaceLabel> second = cache.labels(v, places, obstacles);
        QCOMPARE(cache.layouts(), 2);
        QVERIFY(!same(second, first));
        QVERIFY(same(second, PlaceLabels::place(v, places, obstacles)));

        const MapViewport zoomed(45.0, 0.0, 4.5, QSizeF(ViewSize));
        QVERIFY(same(cache.labels(zoomed, places, obstacles), PlaceLabels::place(zoomed, places, obstacles)));
        QCOMPARE(cache.layouts(), 3);
    }
};

QTEST_MAIN(TestBasemapLayer)
#include "tst_basemaplayer.moc"
