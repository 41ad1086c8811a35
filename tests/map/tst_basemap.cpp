// The compiled-in Natural Earth basemap: it decodes, its rings are cut at the antimeridian (no
// edge crosses the map), it paints land and sea where they are, and damaged files are refused.

#include "basemap.h"

#include <QFile>
#include <QImage>
#include <QTest>

using namespace tracemap;

class TestBasemap : public QObject
{
    Q_OBJECT

private slots:
    void builtInWorld();
    void nothingCrossesTheMap();
    void paintsLandAndSea_data();
    void paintsLandAndSea();
    void damagedFiles_data();
    void damagedFiles();
};

void TestBasemap::builtInWorld()
{
    const auto world = Basemap::builtIn();
    QVERIFY(world);
    QCOMPARE(world->levels().size(), 2);
    QCOMPARE(world->levels()[0].scaleDenominator, 110);
    QCOMPARE(world->levels()[1].scaleDenominator, 50);
    QCOMPARE(world->levelFor(2).scaleDenominator, 110);
    QCOMPARE(world->levelFor(3).scaleDenominator, 50);
    for (const Basemap::Level &level : world->levels()) {
        QVERIFY(level.land.size() > 100);
        QVERIFY(level.borders.size() > 300);
        QVERIFY(level.coasts.size() >= level.land.size() / 2);
        for (const Basemap::Shape &ring : level.land) {
            QVERIFY(ring.points.size() >= 3);
            QVERIFY(ring.bounds.left() >= 0.0 && ring.bounds.right() <= 1.0);
            QVERIFY(ring.bounds.top() >= 0.0 && ring.bounds.bottom() <= 1.0);
        }
    }
    QVERIFY(Basemap::builtIn() == world); // decoded once
}

void TestBasemap::nothingCrossesTheMap()
{
    // world-atlas is spherical: Russia, Fiji and Antarctica cross 180°. After the cut no edge of
    // a ring, coast or border may run across half the world.
    for (const Basemap::Level &level : Basemap::builtIn()->levels()) {
        for (const QList<Basemap::Shape> *shapes : {&level.land, &level.coasts, &level.borders}) {
            for (const Basemap::Shape &shape : *shapes) {
                for (qsizetype i = 1; i < shape.points.size(); ++i) {
                    const QPointF a = shape.points[i - 1], b = shape.points[i];
                    // Antarctica is closed along the pole (the map's bottom edge): allowed.
                    if (a.y() > 1.0 - 1e-9 && b.y() > 1.0 - 1e-9)
                        continue;
                    QVERIFY2(std::abs(b.x() - a.x()) < 0.5, qPrintable(QStringLiteral("1:%1m edge %2 -> %3")
                                                                           .arg(level.scaleDenominator)
                                                                           .arg(shape.points[i - 1].x())
                                                                           .arg(shape.points[i].x())));
                }
            }
        }
    }
}

void TestBasemap::paintsLandAndSea_data()
{
    QTest::addColumn<double>("latitude");
    QTest::addColumn<double>("longitude");
    QTest::addColumn<int>("zoom");
    QTest::addColumn<bool>("land");
    QTest::newRow("sahara z2") << 23.0 << 10.0 << 2 << true;
    QTest::newRow("mid atlantic z2") << 30.0 << -40.0 << 2 << false;
    QTest::newRow("siberia z4") << 62.0 << 100.0 << 4 << true;
    QTest::newRow("chukotka east of 180 z4") << 66.0 << -175.0 << 4 << true;
    QTest::newRow("bering sea z4") << 57.0 << -178.0 << 4 << false;
    QTest::newRow("gulf of bothnia z6") << 63.0 << 20.5 << 6 << false;
    QTest::newRow("caspian sea z5 (a hole in the land)") << 42.0 << 50.5 << 5 << false;
    QTest::newRow("bavaria z9") << 48.5 << 11.5 << 9 << true;
    QTest::newRow("antarctica z1") << -80.0 << 0.0 << 1 << true;
}

void TestBasemap::paintsLandAndSea()
{
    QFETCH(double, latitude);
    QFETCH(double, longitude);
    QFETCH(int, zoom);
    QFETCH(bool, land);
    const TileId tile = WebMercator::tileForCoordinate(latitude, longitude, zoom);
    const QImage image = Basemap::builtIn()->renderTile(tile);
    QCOMPARE(image.size(), QSize(256, 256));
    const QPointF world = WebMercator::coordinateToWorldPixel(latitude, longitude, zoom);
    const QPoint pixel(int(world.x()) - tile.x * 256, int(world.y()) - tile.y * 256);
    const BasemapStyle style;
    QCOMPARE(image.pixelColor(pixel), land ? style.land : style.ocean);
}

void TestBasemap::damagedFiles_data()
{
    QFile file(QString::fromLatin1(Basemap::ResourcePath));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray good = file.readAll();
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not a basemap") << QByteArray("PK\x03\x04 a zip file");
    QTest::newRow("future version") << QByteArray("TMBM\x09\x01");
    QTest::newRow("truncated") << good.left(good.size() / 3);
    QByteArray huge =
        good.left(6) + QByteArray(1, char(50)) + QByteArray(32, 0) + QByteArray("\xff\xff\xff\xff\x0f");
    QTest::newRow("absurd arc count") << huge;
}

void TestBasemap::damagedFiles()
{
    QFETCH(QByteArray, data);
    QString error;
    QVERIFY(!Basemap::fromData(data, &error));
    QVERIFY(!error.isEmpty());
}

QTEST_APPLESS_MAIN(TestBasemap)
#include "tst_basemap.moc"
