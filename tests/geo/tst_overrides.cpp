// User overrides: CSV coordinates and RFC 8805 geofeeds, comments and blank lines, IPv4 and
// IPv6 prefixes, longest-prefix match, and malformed lines reported with file:line while the
// rest of the file still loads; a million-line file loads in bounded memory.
#include "overrides.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

// A field of /proc/self/status in kB ("VmRSS", "VmHWM"), or -1.
qint64 statusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QRegularExpression re(QStringLiteral("^%1:\\s+(\\d+) kB").arg(QLatin1String(field)),
                                QRegularExpression::MultilineOption);
    const auto m = re.match(QString::fromLatin1(f.readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

} // namespace

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
        QCOMPARE(table.entry(0).origin, path + QStringLiteral(":2"));
    }

    void csvEntriesCarryCoordinatesGeofeedsNeedGeocoding()
    {
        OverrideTable table;
        table.loadText(QStringLiteral("10.0.0.0/8,52.52,13.405,Berlin\n192.0.2.0/24,us,US-VA,Ashburn,\n"),
                       QStringLiteral("x"), nullptr);
        QCOMPARE(table.size(), 2);
        const OverrideEntry &csv = table.entry(0);
        QVERIFY(!csv.needsGeocoding());
        QCOMPARE(csv.place.latitude, 52.52);
        QCOMPARE(csv.place.longitude, 13.405);
        const OverrideEntry &feed = table.entry(1);
        QVERIFY(feed.geofeed);
        QVERIFY(feed.needsGeocoding());
        QCOMPARE(feed.place.countryCode, QStringLiteral("US"));
        QCOMPARE(feed.place.city, QStringLiteral("Ashburn"));
        table.setCoordinates(1, 39.04, -77.49, 25);
        QVERIFY(!table.entry(1).needsGeocoding());
    }

    void laterEqualPrefixWins()
    {
        OverrideTable table;
        table.loadText(QStringLiteral("10.0.0.0/8,1,1,first\n"), QStringLiteral("a"), nullptr);
        table.loadText(QStringLiteral("10.0.0.0/8,2,2,second\n"), QStringLiteral("b"), nullptr);
        QCOMPARE(table.match(QHostAddress(QStringLiteral("10.1.1.1")))->label, QStringLiteral("second"));
    }

    // 1 000 000 lines (about 42 MB): the table holds at most about twice the file, and the
    // peak while loading stays within three times it (was 671 MB, 16 times). Measured with
    // the kernel's peak-RSS counter, reset just before the load.
    void millionLinesInBoundedMemory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("big.csv"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray chunk;
            for (int i = 0; i < 1000000; ++i) {
                const int a = i >> 16, b = (i >> 8) & 0xff, c = i & 0xff;
                if (i % 2)
                    chunk += QByteArray("10.") + QByteArray::number(a) + '.' + QByteArray::number(b) + '.' +
                             QByteArray::number(c) + "/32,52.5200,13.4050,Office " + QByteArray::number(i) +
                             '\n';
                else
                    chunk += QByteArray("2001:db8:") + QByteArray::number(a, 16) + ':' +
                             QByteArray::number(i & 0xffff, 16) + "::/64,DE,DE-BE,Berlin,10115\n";
                if (chunk.size() > (1 << 20)) {
                    f.write(chunk);
                    chunk.clear();
                }
            }
            f.write(chunk);
        }
        const qint64 fileKb = QFileInfo(path).size() / 1024;
        QVERIFY(fileKb > 30 * 1024);
        QFile clear(QStringLiteral("/proc/self/clear_refs"));
        if (!clear.open(QIODevice::WriteOnly) || clear.write("5") != 1)
            QSKIP("cannot reset the peak RSS counter (/proc/self/clear_refs)");
        clear.close();
        const qint64 before = statusKb("VmRSS");
        OverrideTable table;
        QStringList problems;
        QVERIFY(table.loadFile(path, &problems));
        const qint64 peak = statusKb("VmHWM");
        const qint64 held = statusKb("VmRSS");
        QCOMPARE(table.size(), 1000000);
        QVERIFY(problems.isEmpty());
        qInfo("file %lld kB; held %lld kB, peak %lld kB above the start", fileKb, held - before,
              peak - before);
        QVERIFY2(held - before <= 2 * fileKb, qPrintable(QString::number(held - before)));
        QVERIFY2(peak - before <= 3 * fileKb, qPrintable(QString::number(peak - before)));
        QCOMPARE(table.match(QHostAddress(QStringLiteral("10.0.1.1")))->label, QStringLiteral("Office 257"));
        QCOMPARE(table.match(QHostAddress(QStringLiteral("2001:db8:0:2::5")))->place.city,
                 QStringLiteral("Berlin"));
    }

    void problemsAreCappedPerFile()
    {
        QString text;
        for (int i = 0; i < 1000; ++i)
            text += QStringLiteral("garbage line %1\n").arg(i);
        OverrideTable table;
        QStringList problems;
        table.loadText(text, QStringLiteral("junk"), &problems);
        QCOMPARE(problems.size(), 101);
        QCOMPARE(problems.last(), QStringLiteral("junk: 900 more problems not listed"));
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
