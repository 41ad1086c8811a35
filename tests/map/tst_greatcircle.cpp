// Great-circle arcs: interpolation against independently computed (spherical) distances and
// midpoints, and the split at the antimeridian.

#include "greatcircle.h"

#include <QTest>

using namespace tracemap;

namespace {
QGeoCoordinate city(const QString &name)
{
    static const QHash<QString, QGeoCoordinate> cities{
        {QStringLiteral("london"), {51.5074, -0.1278}},
        {QStringLiteral("new york"), {40.7128, -74.0060}},
        {QStringLiteral("tokyo"), {35.6762, 139.6503}},
        {QStringLiteral("san francisco"), {37.7749, -122.4194}},
        {QStringLiteral("auckland"), {-36.8485, 174.7633}},
        {QStringLiteral("santiago"), {-33.4489, -70.6693}},
        {QStringLiteral("sydney"), {-33.8688, 151.2093}},
        {QStringLiteral("singapore"), {1.3521, 103.8198}},
    };
    return cities.value(name);
}
} // namespace

class TestGreatCircle : public QObject
{
    Q_OBJECT

private slots:
    void interpolate_data();
    void interpolate();
    void antimeridian_data();
    void antimeridian();
    void unwrapped();
    void degenerate();
};

void TestGreatCircle::interpolate_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<double>("distanceKm");
    QTest::addColumn<double>("midLatitude");
    QTest::addColumn<double>("midLongitude");
    // Spherical haversine / midpoint formulas, Earth radius 6371.0072 km (as Qt Positioning).
    QTest::newRow("london -> new york") << "london"
                                        << "new york" << 5570.228 << 52.36844 << -41.29031;
    QTest::newRow("tokyo -> san francisco") << "tokyo"
                                            << "san francisco" << 8274.624 << 48.64978 << -172.28408;
    QTest::newRow("auckland -> santiago") << "auckland"
                                          << "santiago" << 9670.049 << -52.47419 << -126.09007;
    QTest::newRow("sydney -> auckland") << "sydney"
                                        << "auckland" << 2155.901 << -35.93574 << 162.76584;
    QTest::newRow("london -> singapore") << "london"
                                         << "singapore" << 10847.857 << 37.71797 << 68.41024;
}

void TestGreatCircle::interpolate()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(double, distanceKm);
    QFETCH(double, midLatitude);
    QFETCH(double, midLongitude);

    QVERIFY(std::abs(GreatCircle::distanceKm(city(from), city(to)) - distanceKm) < 1.0);
    const double stepKm = 50.0;
    const GeoPolyline line = GreatCircle::interpolate(city(from), city(to), stepKm);
    QCOMPARE(line.first(), city(from));
    QCOMPARE(line.last(), city(to));
    QCOMPARE(line.size(), int(std::ceil(distanceKm / stepKm)) + 1);
    double walked = 0;
    for (qsizetype i = 1; i < line.size(); ++i) {
        const double piece = GreatCircle::distanceKm(line[i - 1], line[i]);
        QVERIFY2(piece <= stepKm + 0.01, qPrintable(QString::number(piece)));
        walked += piece;
    }
    // The points lie on the great circle: walking them is the great-circle distance.
    QVERIFY2(std::abs(walked - distanceKm) < 1.0, qPrintable(QString::number(walked)));
    // The midpoint is passed within half a step.
    const QGeoCoordinate mid(midLatitude, midLongitude);
    double nearest = 1e9;
    for (const QGeoCoordinate &p : line)
        nearest = std::min(nearest, GreatCircle::distanceKm(p, mid));
    QVERIFY2(nearest <= stepKm / 2 + 0.5, qPrintable(QString::number(nearest)));
}

void TestGreatCircle::antimeridian_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<int>("parts");
    QTest::addColumn<double>("crossingLatitude");
    // Latitude of the great circle at 180° from the closed-form equation of the circle.
    QTest::newRow("tokyo -> san francisco") << "tokyo"
                                            << "san francisco" << 2 << 48.20171;
    QTest::newRow("san francisco -> tokyo") << "san francisco"
                                            << "tokyo" << 2 << 48.20171;
    QTest::newRow("auckland -> santiago") << "auckland"
                                          << "santiago" << 2 << -40.15943;
    QTest::newRow("london -> new york") << "london"
                                        << "new york" << 1 << 0.0;
    QTest::newRow("sydney -> auckland") << "sydney"
                                        << "auckland" << 1 << 0.0;
}

void TestGreatCircle::antimeridian()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(int, parts);
    QFETCH(double, crossingLatitude);

    const QList<GeoPolyline> arc = GreatCircle::arc(city(from), city(to), 100.0);
    QCOMPARE(arc.size(), parts);
    QCOMPARE(arc.first().first(), city(from));
    QCOMPARE(arc.last().last(), city(to));
    for (const GeoPolyline &part : arc) {
        QVERIFY(part.size() >= 2);
        // No segment jumps across the map.
        for (qsizetype i = 1; i < part.size(); ++i)
            QVERIFY2(
                std::abs(part[i].longitude() - part[i - 1].longitude()) < 180.0,
                qPrintable(QStringLiteral("%1 -> %2").arg(part[i - 1].longitude()).arg(part[i].longitude())));
    }
    if (parts == 2) {
        const QGeoCoordinate end = arc[0].last();
        const QGeoCoordinate start = arc[1].first();
        QCOMPARE(std::abs(end.longitude()), 180.0);
        QCOMPARE(start.longitude(), -end.longitude());
        QCOMPARE(start.latitude(), end.latitude());
        QVERIFY2(std::abs(end.latitude() - crossingLatitude) < 0.05,
                 qPrintable(QString::number(end.latitude())));
    }
}

void TestGreatCircle::unwrapped()
{
    const GeoPolyline line =
        GreatCircle::interpolate(city(QStringLiteral("tokyo")), city(QStringLiteral("san francisco")));
    const QList<QPointF> points = GreatCircle::unwrapped(line);
    QCOMPARE(points.size(), line.size());
    QCOMPARE(points.first().x(), 139.6503);
    QVERIFY(std::abs(points.last().x() - (360.0 - 122.4194)) < 1e-9);
    for (qsizetype i = 1; i < points.size(); ++i)
        QVERIFY(points[i].x() > points[i - 1].x());
}

void TestGreatCircle::degenerate()
{
    QVERIFY(GreatCircle::interpolate(QGeoCoordinate(), city(QStringLiteral("tokyo"))).isEmpty());
    const GeoPolyline same =
        GreatCircle::interpolate(city(QStringLiteral("tokyo")), city(QStringLiteral("tokyo")));
    QCOMPARE(same.size(), 2);
    QCOMPARE(GreatCircle::splitAtAntimeridian({}).size(), 0);
    // Nearly antipodal points stay bounded.
    const GeoPolyline far = GreatCircle::interpolate({0, 0}, {0.1, 179.9}, 1.0);
    QVERIFY(far.size() <= 2049);
}

QTEST_APPLESS_MAIN(TestGreatCircle)
#include "tst_greatcircle.moc"
