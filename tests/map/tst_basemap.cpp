// The compiled-in Natural Earth basemap: it decodes, its rings are cut at the antimeridian (no
// edge crosses the map), it paints land and sea where they are, and damaged files are refused.
// Its populated places: every national capital and the larger cities, with known coordinates,
// ranks and zooms; damaged place files are refused with the line named.

#include "basemap.h"

#include <QFile>
#include <QImage>
#include <QTest>

#include <algorithm>
#include <cmath>

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
    void builtInPlaces();
    void knownPlaces_data();
    void knownPlaces();
    void damagedPlaces_data();
    void damagedPlaces();
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

void TestBasemap::builtInPlaces()
{
    const QList<BasemapPlace> &places = Basemap::builtIn()->places();
    // Places of 100,000 inhabitants or more (about 4,100 in GeoNames) plus every capital.
    QVERIFY2(places.size() > 4000 && places.size() < 5000, qPrintable(QString::number(places.size())));
    int capitals = 0, worldView = 0;
    for (const BasemapPlace &place : places) {
        QVERIFY(!place.name.isEmpty());
        QVERIFY(std::abs(place.latitude) <= 90.0 && std::abs(place.longitude) <= 180.0);
        if (place.rank == BasemapPlace::Rank::NationalCapital) {
            ++capitals;
            // Offered at every zoom, except the smallest (Vaduz, Monaco) which go by spacing.
            if (place.population >= 50000)
                QCOMPARE(place.minZoom, 0);
        } else {
            QVERIFY2(place.population >= 100000, qPrintable(place.name));
            if (place.minZoom <= 2) {
                // Besides the capitals, a world view offers only some of the largest cities.
                ++worldView;
                QVERIFY2(place.population >= 600000, qPrintable(place.name));
            }
        }
    }
    QVERIFY(capitals > 200 && capitals < 260);
    QVERIFY2(worldView >= 10 && worldView <= 60, qPrintable(QString::number(worldView)));
}

void TestBasemap::knownPlaces_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<double>("latitude");
    QTest::addColumn<double>("longitude");
    QTest::addColumn<int>("rank");
    QTest::addColumn<int>("maxMinZoom"); // offered at this zoom at the latest
    QTest::newRow("Paris") << "Paris" << 48.853 << 2.349 << 0 << 0;
    QTest::newRow("Tokyo") << "Tokyo" << 35.690 << 139.692 << 0 << 0;
    QTest::newRow("Washington") << "Washington, D.C." << 38.895 << -77.036 << 0 << 0;
    QTest::newRow("Suva, west of 180") << "Suva" << -18.142 << 178.441 << 0 << 0;
    QTest::newRow("Shanghai, an admin capital") << "Shanghai" << 31.222 << 121.458 << 1 << 3;
    QTest::newRow("New York City") << "New York City" << 40.714 << -74.006 << 2 << 3;
    QTest::newRow("Lyon") << "Lyon" << 45.748 << 4.847 << 1 << 8;
}

void TestBasemap::knownPlaces()
{
    QFETCH(QString, name);
    QFETCH(double, latitude);
    QFETCH(double, longitude);
    QFETCH(int, rank);
    QFETCH(int, maxMinZoom);
    const QList<BasemapPlace> &places = Basemap::builtIn()->places();
    const auto it = std::find_if(places.cbegin(), places.cend(), [&](const BasemapPlace &p) {
        return p.name == name && int(p.rank) == rank;
    });
    QVERIFY(it != places.cend());
    QVERIFY(std::abs(it->latitude - latitude) < 0.01);
    QVERIFY(std::abs(it->longitude - longitude) < 0.01);
    QVERIFY(it->population >= (rank == 0 ? 10000 : 100000));
    QVERIFY2(it->minZoom <= maxMinZoom, qPrintable(QString::number(it->minZoom)));
}

void TestBasemap::damagedPlaces_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("line");
    QTest::newRow("too few fields") << QByteArray("# header\nParis\t48.8\t2.3\n") << "line 2";
    QTest::newRow("latitude out of range") << QByteArray("Paris\t148.8\t2.3\t2000000\t0\t0\n") << "line 1";
    QTest::newRow("not a number") << QByteArray("Paris\t48.8\teast\t2000000\t0\t0\n") << "line 1";
    QTest::newRow("unknown rank") << QByteArray("Paris\t48.8\t2.3\t2000000\t7\t0\n") << "line 1";
    QTest::newRow("absurd zoom") << QByteArray("Paris\t48.8\t2.3\t2000000\t0\t99\n") << "line 1";
    QTest::newRow("no name") << QByteArray("\t48.8\t2.3\t2000000\t0\t0\n") << "line 1";
    QTest::newRow("binary") << QByteArray("TMBM\x01\x02\x00\x00") << "line 1";
}

void TestBasemap::damagedPlaces()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, line);
    QString error;
    QVERIFY(Basemap::placesFromData(data, &error).isEmpty());
    QVERIFY2(error.contains(line), qPrintable(error));
    // A good line decodes.
    const QList<BasemapPlace> good =
        Basemap::placesFromData(QByteArray("# comment\nParis\t48.853\t2.349\t2138551\t0\t0\n"), &error);
    QCOMPARE(good.size(), 1);
    QCOMPARE(good[0].name, QStringLiteral("Paris"));
    QCOMPARE(good[0].rank, BasemapPlace::Rank::NationalCapital);
    QCOMPARE(good[0].population, 2138551);
}

QTEST_APPLESS_MAIN(TestBasemap)
#include "tst_basemap.moc"
