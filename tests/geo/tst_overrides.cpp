// User overrides: CSV coordinates and RFC 8805 geofeeds, comments and blank lines, IPv4 and
// IPv6 prefixes, longest-prefix match, and malformed lines reported with file:line while the
// rest of the file still loads.
#include "overrides.h"

#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

class TestOverrides : public QObject
{
    Q_OBJECT
private slots:
    void parseAndMatch_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("expectedLabel"); // empty = no match
        QTest::addColumn<int>("entries");
        QTest::addColumn<int>("problems");

        const QString csv = QStringLiteral("# office networks\n"
                                           "\n"
                                           "10.0.0.0/8,52.52,13.405,Berlin HQ\n"
                                           "10.1.0.0/16,48.137,11.575,Munich branch\n"
                                           "10.1.2.3,50.11,8.68,Frankfurt box\n"
                                           "fd00::/8,51.5,-0.12,London lab\n");
        QTest::newRow("csv /8") << csv << "10.200.0.1"
                                << "Berlin HQ" << 4 << 0;
        QTest::newRow("csv longest prefix /16") << csv << "10.1.9.9"
                                                << "Munich branch" << 4 << 0;
        QTest::newRow("csv host beats /16") << csv << "10.1.2.3"
                                            << "Frankfurt box" << 4 << 0;
        QTest::newRow("csv ipv6") << csv << "fd12::1"
                                  << "London lab" << 4 << 0;
        QTest::newRow("csv mapped ipv4") << csv << "::ffff:10.1.2.3"
                                         << "Frankfurt box" << 4 << 0;
        QTest::newRow("csv no match") << csv << "192.168.1.1"
                                      << "" << 4 << 0;

        const QString geofeed = QStringLiteral("# RFC 8805 geofeed\r\n"
                                               "192.0.2.0/24,US,US-VA,Ashburn,20147\r\n"
                                               "2001:db8:1::/48,DE,DE-HE,Frankfurt am Main,\r\n"
                                               "198.51.100.0/24,JP,,,\r\n");
        QTest::newRow("geofeed v4") << geofeed << "192.0.2.7"
                                    << "Ashburn, US-VA, US" << 3 << 0;
        QTest::newRow("geofeed v6") << geofeed << "2001:db8:1:2::1"
                                    << "Frankfurt am Main, DE-HE, DE" << 3 << 0;
        QTest::newRow("geofeed country only") << geofeed << "198.51.100.1"
                                              << "JP" << 3 << 0;

        const QString broken = QStringLiteral("10.0.0.0/8,52.52,13.405,good one\n"
                                              "not-a-prefix,1,2,x\n"
                                              "10.2.0.0/33,1,2,bad length\n"
                                              "10.3.0.0/16,95,13,latitude out of range\n"
                                              "10.4.0.0/16,45,200,longitude out of range\n"
                                              "10.5.0.0/16,45\n"
                                              "10.6.0.0/16,Germany,,Berlin,\n"
                                              "10.7.0.0/16\n"
                                              "10.8.0.0/16,,,,\n"
                                              "10.9.0.0/16,\"48.1\",\"11.5\",\"Munich, Bavaria\"\n");
        QTest::newRow("malformed lines skipped") << broken << "10.9.1.1"
                                                 << "Munich, Bavaria" << 2 << 8;
    }

    void parseAndMatch()
    {
        QFETCH(QString, text);
        QFETCH(QString, address);
        QFETCH(QString, expectedLabel);
        QFETCH(int, entries);
        QFETCH(int, problems);
        OverrideTable table;
        QStringList found;
        table.loadText(text, QStringLiteral("test.csv"), &found);
        QCOMPARE(table.size(), entries);
        QCOMPARE(found.size(), problems);
        const OverrideEntry *e = table.match(QHostAddress(address));
        if (expectedLabel.isEmpty()) {
            QVERIFY(!e);
            return;
        }
        QVERIFY(e);
        QCOMPARE(e->label, expectedLabel);
    }

    void problemsNameFileAndLine()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("overrides.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# header\n10.0.0.0/8,1,2,a\n\n300.1.2.3/8,1,2,b\n10.1.0.0/16,1,x,c\n192.0.2.0/24,USA,,x,\n");
        f.close();
        OverrideTable table;
        QStringList problems;
        QVERIFY(table.loadFile(path, &problems));
        QCOMPARE(table.size(), 1);
        QCOMPARE(problems.size(), 3);
        QVERIFY2(problems.at(0).startsWith(path + QStringLiteral(":4: ")), qPrintable(problems.at(0)));
        QVERIFY2(problems.at(0).contains(QStringLiteral("300.1.2.3/8")), qPrintable(problems.at(0)));
        QVERIFY2(problems.at(1).startsWith(path + QStringLiteral(":5: ")), qPrintable(problems.at(1)));
        QVERIFY2(problems.at(2).startsWith(path + QStringLiteral(":6: ")), qPrintable(problems.at(2)));
        QVERIFY(problems.at(2).contains(QStringLiteral("country code")));
        QCOMPARE(table.entries().first().origin, path + QStringLiteral(":2"));
    }

    void csvEntriesCarryCoordinatesGeofeedsNeedGeocoding()
    {
        OverrideTable table;
        table.loadText(QStringLiteral("10.0.0.0/8,52.52,13.405,Berlin\n192.0.2.0/24,us,US-VA,Ashburn,\n"),
                       QStringLiteral("x"), nullptr);
        QCOMPARE(table.size(), 2);
        const OverrideEntry &csv = table.entries().at(0);
        QVERIFY(!csv.needsGeocoding());
        QCOMPARE(csv.place.latitude, 52.52);
        QCOMPARE(csv.place.longitude, 13.405);
        const OverrideEntry &feed = table.entries().at(1);
        QVERIFY(feed.geofeed);
        QVERIFY(feed.needsGeocoding());
        QCOMPARE(feed.place.countryCode, QStringLiteral("US"));
        QCOMPARE(feed.place.city, QStringLiteral("Ashburn"));
        table.setCoordinates(1, 39.04, -77.49, 25);
        QVERIFY(!table.entries().at(1).needsGeocoding());
    }

    void laterEqualPrefixWins()
    {
        OverrideTable table;
        table.loadText(QStringLiteral("10.0.0.0/8,1,1,first\n"), QStringLiteral("a"), nullptr);
        table.loadText(QStringLiteral("10.0.0.0/8,2,2,second\n"), QStringLiteral("b"), nullptr);
        QCOMPARE(table.match(QHostAddress(QStringLiteral("10.1.1.1")))->label, QStringLiteral("second"));
    }

    void unreadableFileIsReported()
    {
        OverrideTable table;
        QStringList problems;
        QVERIFY(!table.loadFile(QStringLiteral("/nonexistent/overrides.csv"), &problems));
        QCOMPARE(problems.size(), 1);
        QVERIFY(problems.first().startsWith(QStringLiteral("/nonexistent/overrides.csv: cannot read")));
    }
};

QTEST_GUILESS_MAIN(TestOverrides)
#include "tst_overrides.moc"
