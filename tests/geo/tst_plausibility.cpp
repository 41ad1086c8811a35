// The speed-of-light bound: haversine distances against known city pairs, the bound formula,
// and verdicts for plausible, implausible and uncheckable candidates.
#include "plausibility.h"

#include <QTest>

using namespace tracemap;

namespace {
GeoPlace place(double lat, double lon, const char *city = "", const char *cc = "")
{
    GeoPlace p;
    p.latitude = lat;
    p.longitude = lon;
    p.city = QString::fromLatin1(city);
    p.countryCode = QString::fromLatin1(cc);
    return p;
}
} // namespace

class TestPlausibility : public QObject
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
        QTest::addColumn<double>("toleranceKm");
        QTest::newRow("same point") << 50.11 << 8.68 << 50.11 << 8.68 << 0.0 << 0.001;
        QTest::newRow("London-Paris") << 51.5074 << -0.1278 << 48.8566 << 2.3522 << 343.5 << 3.0;
        QTest::newRow("New York-London") << 40.7128 << -74.0060 << 51.5074 << -0.1278 << 5570.0 << 15.0;
        QTest::newRow("Washington-Ashburn") << 38.9072 << -77.0369 << 39.0438 << -77.4874 << 41.5 << 2.0;
        QTest::newRow("Washington-Nashua") << 38.9072 << -77.0369 << 42.7654 << -71.4676 << 635.0 << 5.0;
        QTest::newRow("across the date line") << 0.0 << 179.5 << 0.0 << -179.5 << 111.2 << 0.5;
        QTest::newRow("antipodes") << 0.0 << 0.0 << 0.0 << 180.0 << 20015.1 << 1.0;
        QTest::newRow("pole to pole") << 90.0 << 0.0 << -90.0 << 0.0 << 20015.1 << 1.0;
    }
    void distance()
    {
        QFETCH(double, lat1);
        QFETCH(double, lon1);
        QFETCH(double, lat2);
        QFETCH(double, lon2);
        QFETCH(double, km);
        QFETCH(double, toleranceKm);
        const double d = greatCircleKm(lat1, lon1, lat2, lon2);
        QVERIFY2(std::abs(d - km) <= toleranceKm, qPrintable(QString::number(d)));
        QCOMPARE(greatCircleKm(lat2, lon2, lat1, lon1), d); // symmetric
    }

    void bound()
    {
        QCOMPARE(maxPlausibleKm(0), kMetroSlackKm);
        QCOMPARE(maxPlausibleKm(10), 10 * 100 * 1.1 + kMetroSlackKm);
        QCOMPARE(maxPlausibleKm(-1), kMetroSlackKm); // unknown RTT never shrinks the bound below slack
    }

    void verdict_data()
    {
        QTest::addColumn<GeoPlace>("candidate");
        QTest::addColumn<double>("rttMs");
        QTest::addColumn<bool>("sourceKnown");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("sentencePart");
        const int unknown = int(PlausibilityVerdict::Kind::Unknown);
        const int ok = int(PlausibilityVerdict::Kind::Plausible);
        const int bad = int(PlausibilityVerdict::Kind::Implausible);
        // Source: Washington, DC.
        QTest::newRow("Ashburn at 1 ms") << place(39.0438, -77.4874, "Ashburn", "US") << 1.0 << true << ok
                                         << "Ashburn, US is 42 km from the source";
        QTest::newRow("Nashua at 1 ms")
            << place(42.7654, -71.4676, "Nashua", "US") << 1.0 << true << bad
            << "Nashua, US is 635 km from the source; 1.0 ms allows at most 160 km";
        QTest::newRow("Nashua at 6 ms") << place(42.7654, -71.4676, "Nashua", "US") << 6.0 << true << ok
                                        << "within the 6.0 ms RTT bound of 710 km";
        QTest::newRow("Frankfurt at 80 ms")
            << place(50.11, 8.68, "Frankfurt", "DE") << 80.0 << true << ok << "";
        QTest::newRow("Frankfurt at 30 ms") << place(50.11, 8.68, "Frankfurt", "DE") << 30.0 << true << bad
                                            << "30.0 ms allows at most 3350 km";
        QTest::newRow("RTT unknown") << place(50.11, 8.68) << -1.0 << true << unknown << "RTT unknown";
        QTest::newRow("source unknown")
            << place(50.11, 8.68) << 5.0 << false << unknown << "source location unknown";
        QTest::newRow("no coordinates") << GeoPlace() << 5.0 << true << unknown << "no coordinates";
    }
    void verdict()
    {
        QFETCH(GeoPlace, candidate);
        QFETCH(double, rttMs);
        QFETCH(bool, sourceKnown);
        QFETCH(int, kind);
        QFETCH(QString, sentencePart);
        const SourceLocation source = sourceKnown ? SourceLocation{38.9072, -77.0369} : SourceLocation{};
        const PlausibilityVerdict v = checkPlausibility(candidate, source, rttMs);
        QCOMPARE(int(v.kind), kind);
        QVERIFY2(v.sentence.contains(sentencePart), qPrintable(v.sentence));
        if (kind != int(PlausibilityVerdict::Kind::Unknown)) {
            QVERIFY(v.distanceKm >= 0);
            QCOMPARE(v.boundKm, maxPlausibleKm(rttMs));
        }
    }

    void describe()
    {
        QCOMPARE(describePlace(place(1, 2, "Ashburn", "US")), QStringLiteral("Ashburn, US"));
        QCOMPARE(describePlace(place(1, 2, "", "US")), QStringLiteral("US"));
        QCOMPARE(describePlace(place(1.234, 2.345)), QStringLiteral("1.23, 2.35"));
    }
};

QTEST_GUILESS_MAIN(TestPlausibility)
#include "tst_plausibility.moc"
