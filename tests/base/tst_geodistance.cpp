// greatCircleKm: the one distance on the sphere (haversine, R = 6371 km), against reference
// values computed independently with the same radius.
#include "geodistance.h"

#include <QTest>

#include <cmath>

using namespace tracemap;

class TestGeoDistance : public QObject
{
    Q_OBJECT
private slots:
    void distance_data()
    {
        QTest::addColumn<double>("lat1");
        QTest::addColumn<double>("lon1");
        QTest::addColumn<double>("lat2");
        QTest::addColumn<double>("lon2");
        QTest::addColumn<double>("km");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("same point") << 52.52 << 13.40 << 52.52 << 13.40 << 0.0 << 1e-9;
        QTest::newRow("one degree along the equator") << 0.0 << 0.0 << 0.0 << 1.0 << 111.195 << 0.001;
        QTest::newRow("one degree along a meridian") << 10.0 << 20.0 << 11.0 << 20.0 << 111.195 << 0.001;
        QTest::newRow("Berlin - Paris") << 52.52 << 13.40 << 48.85 << 2.35 << 877.5 << 1.0;
        QTest::newRow("across the antimeridian") << 0.0 << 179.5 << 0.0 << -179.5 << 111.195 << 0.001;
        QTest::newRow("antipodes (clamped)") << 0.0 << 0.0 << 0.0 << 180.0 << 20015.087 << 0.01;
        QTest::newRow("pole to pole") << 90.0 << 0.0 << -90.0 << 0.0 << 20015.087 << 0.01;
    }
    void distance()
    {
        QFETCH(double, lat1);
        QFETCH(double, lon1);
        QFETCH(double, lat2);
        QFETCH(double, lon2);
        QFETCH(double, km);
        QFETCH(double, tolerance);
        const double d = greatCircleKm(lat1, lon1, lat2, lon2);
        QVERIFY2(std::abs(d - km) <= tolerance, qPrintable(QString::number(d, 'f', 4)));
        // Symmetric, and the same through the coordinate type.
        QCOMPARE(greatCircleKm(lat2, lon2, lat1, lon1), d);
        QCOMPARE(greatCircleKm(QGeoCoordinate(lat1, lon1), QGeoCoordinate(lat2, lon2)), d);
    }

    void unknownCoordinatesGiveNaN()
    {
        QVERIFY(std::isnan(greatCircleKm(qQNaN(), 0.0, 1.0, 1.0)));
        QVERIFY(std::isnan(greatCircleKm(QGeoCoordinate(), QGeoCoordinate(1.0, 1.0))));
    }
};

QTEST_APPLESS_MAIN(TestGeoDistance)
#include "tst_geodistance.moc"
