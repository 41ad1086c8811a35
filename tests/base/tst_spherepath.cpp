// greatCirclePoints / splitAtAntimeridian: the one great-circle path of the map and the exports.
// Points lie on the circle (their steps add up to the great-circle distance and pass the
// independently computed midpoint), ends are kept exactly, degenerate ends stay bounded, and
// the split at ±180° leaves no segment that spans the map.
#include "geodistance.h"
#include "spherepath.h"

#include <QTest>

#include <cmath>

using namespace tracemap;

class TestSpherePath : public QObject
{
    Q_OBJECT
private slots:
    void points_data()
    {
        QTest::addColumn<QGeoCoordinate>("from");
        QTest::addColumn<QGeoCoordinate>("to");
        QTest::addColumn<QGeoCoordinate>("midpoint"); // spherical midpoint formula
        const QGeoCoordinate london(51.5074, -0.1278);
        QTest::newRow("london -> new york")
            << london << QGeoCoordinate(40.7128, -74.0060) << QGeoCoordinate(52.36844, -41.29031);
        QTest::newRow("london -> singapore")
            << london << QGeoCoordinate(1.3521, 103.8198) << QGeoCoordinate(37.71797, 68.41024);
        QTest::newRow("along the equator")
            << QGeoCoordinate(0, 10) << QGeoCoordinate(0, 20) << QGeoCoordinate(0, 15);
    }
    void points()
    {
        QFETCH(QGeoCoordinate, from);
        QFETCH(QGeoCoordinate, to);
        QFETCH(QGeoCoordinate, midpoint);
        const double stepKm = 50.0;
        const double totalKm = greatCircleKm(from, to);
        const GeoPolyline line = greatCirclePoints(from, to, stepKm);
        QCOMPARE(line.first(), from);
        QCOMPARE(line.last(), to);
        QCOMPARE(line.size(), int(std::ceil(totalKm / stepKm)) + 1);
        double walked = 0.0;
        double nearestToMid = 1e9;
        for (qsizetype i = 1; i < line.size(); ++i) {
            const double piece = greatCircleKm(line.at(i - 1), line.at(i));
            QVERIFY2(piece <= stepKm + 1e-6, qPrintable(QString::number(piece)));
            walked += piece;
            nearestToMid = std::min(nearestToMid, greatCircleKm(line.at(i), midpoint));
        }
        QVERIFY2(std::abs(walked - totalKm) < 0.01, qPrintable(QString::number(walked)));
        QVERIFY2(nearestToMid <= stepKm / 2 + 0.5, qPrintable(QString::number(nearestToMid)));
    }

    void degenerate()
    {
        QVERIFY(greatCirclePoints(QGeoCoordinate(), QGeoCoordinate(1, 1), 10).isEmpty());
        const QGeoCoordinate here(35.6762, 139.6503);
        QCOMPARE(greatCirclePoints(here, here, 10), (GeoPolyline{here, here}));
        // Antipodes have no single great circle: the two ends.
        QCOMPARE(greatCirclePoints(QGeoCoordinate(0, 0), QGeoCoordinate(0, 180), 10).size(), 2);
        // Nearly antipodal ends at a tiny step stay bounded (2048 pieces).
        QCOMPARE(greatCirclePoints(QGeoCoordinate(0, 0), QGeoCoordinate(0.1, 179.9), 1.0).size(), 2049);
    }

    void split_data()
    {
        QTest::addColumn<GeoPolyline>("line");
        QTest::addColumn<int>("parts");
        QTest::addColumn<double>("crossingLatitude");
        QTest::newRow("no crossing") << GeoPolyline{{0, 10}, {0, 20}} << 1 << 0.0;
        QTest::newRow("eastward crossing") << GeoPolyline{{10, 170}, {20, -170}} << 2 << 15.0;
        QTest::newRow("westward crossing") << GeoPolyline{{10, -170}, {20, 170}} << 2 << 15.0;
        QTest::newRow("starts on the antimeridian") << GeoPolyline{{0, 180}, {0, -170}} << 1 << 0.0;
        QTest::newRow("two crossings") << GeoPolyline{{0, 170}, {0, -170}, {0, 170}} << 3 << 0.0;
        QTest::newRow("one point") << GeoPolyline{{0, 170}} << 0 << 0.0;
        QTest::newRow("empty") << GeoPolyline{} << 0 << 0.0;
    }
    void split()
    {
        QFETCH(GeoPolyline, line);
        QFETCH(int, parts);
        QFETCH(double, crossingLatitude);
        const QList<GeoPolyline> split = splitAtAntimeridian(line);
        QCOMPARE(split.size(), parts);
        for (const GeoPolyline &part : split) {
            QVERIFY(part.size() >= 2);
            for (qsizetype i = 1; i < part.size(); ++i)
                QVERIFY(std::abs(part.at(i).longitude() - part.at(i - 1).longitude()) <= 180.0);
        }
        if (parts == 2) {
            QCOMPARE(std::abs(split.at(0).last().longitude()), 180.0);
            QCOMPARE(split.at(1).first().longitude(), -split.at(0).last().longitude());
            QCOMPARE(split.at(0).last().latitude(), crossingLatitude);
            QCOMPARE(split.at(1).first().latitude(), crossingLatitude);
        }
    }
};

QTEST_APPLESS_MAIN(TestSpherePath)
#include "tst_spherepath.moc"
