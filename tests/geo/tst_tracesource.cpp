// Where a trace starts, as the user sets it and as the status line says it
// (geo/tracelocator.h: parseSourceLocationSetting, describeTraceSource).
#include "tracelocator.h"

#include <QTest>

using namespace tracemap;

class TestTraceSource : public QObject
{
    Q_OBJECT

private slots:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<bool>("automatic");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("longitude");
        QTest::newRow("auto") << "auto" << true << true << 0.0 << 0.0;
        QTest::newRow("AUTO, spaces") << "  Auto " << true << true << 0.0 << 0.0;
        QTest::newRow("empty is auto") << "" << true << true << 0.0 << 0.0;
        QTest::newRow("coordinates") << "50.11,8.68" << true << false << 50.11 << 8.68;
        QTest::newRow("coordinates with spaces") << " -33.87 , 151.21 " << true << false << -33.87 << 151.21;
        QTest::newRow("edges") << "90,-180" << true << false << 90.0 << -180.0;
        QTest::newRow("latitude too big") << "91,8" << false << false << 0.0 << 0.0;
        QTest::newRow("longitude too big") << "50,181" << false << false << 0.0 << 0.0;
        QTest::newRow("one number") << "50.11" << false << false << 0.0 << 0.0;
        QTest::newRow("three numbers") << "1,2,3" << false << false << 0.0 << 0.0;
        QTest::newRow("words") << "frankfurt" << false << false << 0.0 << 0.0;
        QTest::newRow("nan") << "nan,8" << false << false << 0.0 << 0.0;
        QTest::newRow("infinity") << "inf,8" << false << false << 0.0 << 0.0;
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(bool, automatic);
        QFETCH(double, latitude);
        QFETCH(double, longitude);
        QString error;
        const std::optional<SourceLocationSetting> setting = parseSourceLocationSetting(text, &error);
        QCOMPARE(setting.has_value(), ok);
        if (!ok) {
            QVERIFY2(error.contains("neither 'auto' nor LAT,LON"), qPrintable(error));
            QVERIFY(!error.contains('\n'));
            return;
        }
        QVERIFY(error.isEmpty());
        QCOMPARE(setting->automatic, automatic);
        if (!automatic) {
            QVERIFY(setting->configured.isValid());
            QCOMPARE(setting->configured.latitude, latitude);
            QCOMPARE(setting->configured.longitude, longitude);
        }
    }

    void describe_data()
    {
        QTest::addColumn<int>("ttl");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<QString>("city");
        QTest::addColumn<double>("rtt");
        QTest::addColumn<QString>("text");
        QTest::newRow("configured") << 0 << 50.11 << "" << -1.0 << "Start: configured 50.11, 8.68";
        QTest::newRow("estimated") << 3 << 50.11 << "Frankfurt" << 2.08
                                   << "Start: estimated from hop 3, Frankfurt (2.1 ms)";
        QTest::newRow("estimated, no rtt")
            << 2 << 50.11 << "Frankfurt" << -1.0 << "Start: estimated from hop 2, Frankfurt";
        QTest::newRow("estimated, no city")
            << 4 << 50.11 << "" << 1.0 << "Start: estimated from hop 4, 50.11, 8.68 (1.0 ms)";
        QTest::newRow("unknown") << -1 << qQNaN() << "" << -1.0
                                 << "Start: unknown — speed-of-light check off";
        QTest::newRow("no coordinates")
            << 3 << qQNaN() << "Frankfurt" << 2.0 << "Start: unknown — speed-of-light check off";
    }

    void describe()
    {
        QFETCH(int, ttl);
        QFETCH(double, latitude);
        QFETCH(QString, city);
        QFETCH(double, rtt);
        QFETCH(QString, text);
        const SourceLocation source{latitude, qIsNaN(latitude) ? qQNaN() : 8.68};
        GeoPlace place;
        place.latitude = source.latitude;
        place.longitude = source.longitude;
        place.city = city;
        QCOMPARE(describeTraceSource(ttl, source, place, rtt), text);
    }
};

QTEST_GUILESS_MAIN(TestTraceSource)
#include "tst_tracesource.moc"
