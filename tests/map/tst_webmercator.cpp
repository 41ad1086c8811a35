// Web-Mercator maths: coordinate <-> world pixel <-> tile <-> view pixel, with the expected
// values computed independently (the slippy-map formulas in Python).

#include "webmercator.h"

#include <QSet>
#include <QTest>

using namespace tracemap;

class TestWebMercator : public QObject
{
    Q_OBJECT

private slots:
    void coordinateToTile_data();
    void coordinateToTile();
    void roundTrip_data();
    void roundTrip();
    void clampAndWrap_data();
    void clampAndWrap();
    void tileIdValueType();
    void viewportPixels_data();
    void viewportPixels();
    void visibleTilesWrap();
    void visibleCopies();
};

void TestWebMercator::coordinateToTile_data()
{
    QTest::addColumn<double>("latitude");
    QTest::addColumn<double>("longitude");
    QTest::addColumn<int>("zoom");
    QTest::addColumn<int>("tileX");
    QTest::addColumn<int>("tileY");
    QTest::addColumn<double>("worldX");
    QTest::addColumn<double>("worldY");

    QTest::newRow("null island z0") << 0.0 << 0.0 << 0 << 0 << 0 << 128.0 << 128.0;
    QTest::newRow("london z1") << 51.5074 << -0.1278 << 1 << 0 << 0 << 255.81824 << 170.25306757919657;
    QTest::newRow("london z10") << 51.5074 << -0.1278 << 10 << 511 << 340 << 130978.93888
                                << 87169.57060054864;
    QTest::newRow("new york z5") << 40.7128 << -74.0060 << 5 << 9 << 12 << 2411.9523555555556
                                 << 3080.034699329607;
    QTest::newRow("sydney z10") << -33.8688 << 151.2093 << 10 << 942 << 614 << 241179.25205333333
                                << 157310.58316640943;
    QTest::newRow("tokyo z18") << 35.6762 << 139.6503 << 18 << 232762 << 103231 << 59587134.75072
                               << 26427150.45796305;
    QTest::newRow("antimeridian east")
        << 10.0 << 179.99 << 5 << 31 << 15 << 8191.772444444445 << 3867.2802780357947;
    QTest::newRow("antimeridian west")
        << -10.0 << -179.99 << 5 << 0 << 16 << 0.2275555555553486 << 4324.719721964206;
    QTest::newRow("north pole clamps z1") << 89.9 << 10.0 << 1 << 1 << 0 << 270.22222222222223 << 0.0;
}

void TestWebMercator::coordinateToTile()
{
    QFETCH(double, latitude);
    QFETCH(double, longitude);
    QFETCH(int, zoom);
    QFETCH(int, tileX);
    QFETCH(int, tileY);
    QFETCH(double, worldX);
    QFETCH(double, worldY);

    const TileId tile = WebMercator::tileForCoordinate(latitude, longitude, zoom);
    QCOMPARE(tile, (TileId{zoom, tileX, tileY}));
    QVERIFY(tile.isValid());
    const QPointF world = WebMercator::coordinateToWorldPixel(latitude, longitude, zoom);
    // 1e-6 relative: a micrometre at zoom 18.
    QVERIFY2(std::abs(world.x() - worldX) <= 1e-6 * std::max(1.0, worldX),
             qPrintable(QString::number(world.x(), 'f', 6)));
    QVERIFY2(std::abs(world.y() - worldY) <= 1e-6 * std::max(1.0, worldY),
             qPrintable(QString::number(world.y(), 'f', 6)));

    // The tile's corner is north-west of the coordinate, the next tile's corner south-east.
    const GeoPoint corner = WebMercator::tileTopLeft(tile);
    QVERIFY(corner.latitude >= WebMercator::clampLatitude(latitude));
    QVERIFY(corner.longitude <= longitude);
    const GeoPoint next = WebMercator::tileTopLeft({zoom, tileX + 1, tileY + 1});
    QVERIFY(next.latitude < WebMercator::clampLatitude(latitude) || latitude >= WebMercator::MaxLatitude);
    QVERIFY(next.longitude > longitude);
}

void TestWebMercator::roundTrip_data()
{
    QTest::addColumn<double>("latitude");
    QTest::addColumn<double>("longitude");
    QTest::addColumn<double>("zoom");
    QTest::newRow("london z0") << 51.5074 << -0.1278 << 0.0;
    QTest::newRow("sao paulo z5.5") << -23.5505 << -46.6333 << 5.5;
    QTest::newRow("reykjavik z10") << 64.1466 << -21.9426 << 10.0;
    QTest::newRow("mcmurdo z18") << -77.8419 << 166.6863 << 18.0;
    QTest::newRow("edge north z1") << 85.0 << 179.0 << 1.0;
}

void TestWebMercator::roundTrip()
{
    QFETCH(double, latitude);
    QFETCH(double, longitude);
    QFETCH(double, zoom);
    const QPointF world = WebMercator::coordinateToWorldPixel(latitude, longitude, zoom);
    const GeoPoint back = WebMercator::worldPixelToCoordinate(world, zoom);
    QVERIFY(std::abs(back.latitude - latitude) < 1e-9);
    QVERIFY(std::abs(back.longitude - longitude) < 1e-9);
}

void TestWebMercator::clampAndWrap_data()
{
    QTest::addColumn<double>("input");
    QTest::addColumn<double>("wrapped");
    QTest::newRow("inside") << 12.5 << 12.5;
    QTest::newRow("east edge") << 180.0 << -180.0;
    QTest::newRow("past east") << 190.0 << -170.0;
    QTest::newRow("past west") << -190.0 << 170.0;
    QTest::newRow("two turns") << 725.0 << 5.0;
    QTest::newRow("nan") << qQNaN() << 0.0;
}

void TestWebMercator::clampAndWrap()
{
    QFETCH(double, input);
    QFETCH(double, wrapped);
    QCOMPARE(WebMercator::wrapLongitude(input), wrapped);
    QCOMPARE(WebMercator::clampLatitude(90.0), WebMercator::MaxLatitude);
    QCOMPARE(WebMercator::clampLatitude(-90.0), -WebMercator::MaxLatitude);
    QCOMPARE(WebMercator::clampLatitude(45.0), 45.0);
}

void TestWebMercator::tileIdValueType()
{
    const TileId a{3, 4, 5}, b{3, 4, 5}, c{3, 5, 4};
    QCOMPARE(a, b);
    QVERIFY(a != c);
    QCOMPARE(qHash(a), qHash(b));
    QSet<TileId> set{a, b, c};
    QCOMPARE(set.size(), 2);
    QCOMPARE(a.parent(), (TileId{2, 2, 2}));
    QVERIFY(!(TileId{2, 4, 0}).isValid());
    QVERIFY(!(TileId{2, 0, -1}).isValid());
}

void TestWebMercator::viewportPixels_data()
{
    QTest::addColumn<double>("centerLatitude");
    QTest::addColumn<double>("centerLongitude");
    QTest::addColumn<double>("zoom");
    QTest::addColumn<double>("latitude");
    QTest::addColumn<double>("longitude");
    QTest::addColumn<QPointF>("pixel");
    // A 800x600 view: the centre is (400, 300).
    QTest::newRow("centre z3") << 20.0 << 30.0 << 3.0 << 20.0 << 30.0 << QPointF(400, 300);
    // One degree of longitude at zoom 10 is 262144 / 360 pixels.
    QTest::newRow("east of centre z10")
        << 0.0 << 0.0 << 10.0 << 0.0 << 0.5 << QPointF(400 + 0.5 * 262144 / 360.0, 300);
    // Centre at 179: a point at -179 is 2 degrees east, not 358 west.
    QTest::newRow("antimeridian east")
        << 0.0 << 179.0 << 4.0 << 0.0 << -179.0 << QPointF(400 + 2.0 * 4096 / 360.0, 300);
    QTest::newRow("antimeridian west")
        << 0.0 << -179.0 << 4.0 << 0.0 << 179.0 << QPointF(400 - 2.0 * 4096 / 360.0, 300);
}

void TestWebMercator::viewportPixels()
{
    QFETCH(double, centerLatitude);
    QFETCH(double, centerLongitude);
    QFETCH(double, zoom);
    QFETCH(double, latitude);
    QFETCH(double, longitude);
    QFETCH(QPointF, pixel);
    const MapViewport view(centerLatitude, centerLongitude, zoom, QSizeF(800, 600));
    const QPointF got = view.coordinateToPixel(latitude, longitude);
    QVERIFY2((got - pixel).manhattanLength() < 1e-6,
             qPrintable(QStringLiteral("%1,%2").arg(got.x()).arg(got.y())));
    const GeoPoint back = view.pixelToCoordinate(got);
    QVERIFY(std::abs(back.latitude - latitude) < 1e-9);
    QVERIFY(std::abs(WebMercator::wrapLongitude(back.longitude) - WebMercator::wrapLongitude(longitude)) <
            1e-9);
}

void TestWebMercator::visibleTilesWrap()
{
    // At the antimeridian the view needs tiles from both ends of the row.
    const MapViewport view(0.0, 180.0, 3.0, QSizeF(600, 400));
    const QList<PlacedTile> tiles = view.visibleTiles(3);
    QSet<int> columns;
    for (const PlacedTile &t : tiles) {
        QVERIFY(t.tile.isValid());
        columns.insert(t.tile.x);
        QVERIFY(t.target.intersects(QRectF(0, 0, 600, 400)));
    }
    QVERIFY(columns.contains(0));
    QVERIFY(columns.contains(7));
    // Nearest the centre first.
    const QPointF c(300, 200);
    QVERIFY((tiles.first().target.center() - c).manhattanLength() <=
            (tiles.last().target.center() - c).manhattanLength());
    // The margin adds a ring of tiles.
    QVERIFY(view.visibleTiles(3, 1).size() > tiles.size());
    // Fractional zoom: tiles are scaled.
    const MapViewport scaled(0.0, 0.0, 3.5, QSizeF(600, 400));
    QCOMPARE(scaled.visibleTiles(3).first().target.width(), 256.0 * std::exp2(0.5));
    QCOMPARE(WebMercator::tileZoomFor(3.4), 3);
    QCOMPARE(WebMercator::tileZoomFor(3.6), 4);
    QCOMPARE(WebMercator::tileZoomFor(25.0), 19);
}

void TestWebMercator::visibleCopies()
{
    // World 512 px wide (zoom 1) in a 1400 px view: three copies are visible.
    const MapViewport wide(0.0, 0.0, 1.0, QSizeF(1400, 400));
    QCOMPARE(wide.visibleCopies(256, 256).size(), 3);
    // Zoomed in: one copy, the one nearest the view.
    const MapViewport near(0.0, 175.0, 6.0, QSizeF(800, 600));
    const double world = near.worldSize();
    const double x = WebMercator::coordinateToWorldPixel(0.0, -178.0, 6.0).x();
    const QList<double> shifts = near.visibleCopies(x, x);
    QCOMPARE(shifts.size(), 1);
    QCOMPARE(shifts.first(), world);
}

QTEST_APPLESS_MAIN(TestWebMercator)
#include "tst_webmercator.moc"
