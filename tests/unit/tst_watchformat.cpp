// The watch documents from a hand-built snapshot: JSON nulls for values that do not exist
// yet, path changes, CSV rows per hop and responder with RFC 4180 quoting, and the report's
// rate-limit mark and extra-responder lines.
#include "watchformat.h"

#include <QJsonArray>
#include <QTest>

using namespace tracemap;

namespace {

QHostAddress addr(const char *text)
{
    return QHostAddress(QString::fromLatin1(text));
}

// TTL 1 answers twice; TTL 2 answers once and loses once while TTL 3 loses nothing (rate
// limiting); TTL 3 has two responders; TTL 4 is a silent router (rate limited at 100 %);
// the destination is TTL 5.
WatchSnapshot snapshot()
{
    WatchStats stats;
    stats.addProbe(1, 0, addr("198.18.0.1"), 1);
    stats.addProbe(1, 1000, addr("198.18.0.1"), 2);
    stats.addProbe(2, 0, addr("198.18.1.1"), 5);
    stats.addProbe(2, 1000, QHostAddress(), -1);
    stats.addProbe(3, 0, addr("198.18.2.1"), 7);
    stats.addProbe(3, 1000, addr("198.18.2.9"), 9);
    stats.addProbe(4, 0, QHostAddress(), -1);
    stats.addProbe(4, 1000, QHostAddress(), -1);
    stats.addProbe(5, 0, addr("198.19.10.1"), 10);
    stats.addProbe(5, 1000, addr("198.19.10.1"), 12);
    WatchSnapshot s;
    s.context.target = QStringLiteral("odd,\"name\"");
    s.context.destination = addr("198.19.10.1");
    s.context.source = addr("198.18.0.2");
    s.context.method = ProbeMethod::Udp;
    s.request.intervalSec = 0.5;
    s.rounds = 2;
    s.startedAtMs = 0;
    s.endedAtMs = 1500;
    s.endReason = WatchEndReason::Stopped;
    s.hops = stats.total();
    s.pathChanges = {{1000, 3000, 2, 3, addr("198.18.2.1"), addr("198.18.2.9")}};
    return s;
}

QJsonObject hop(const QJsonObject &doc, int ttl)
{
    for (const QJsonValue &h : doc.value(QStringLiteral("hops")).toArray()) {
        if (h[QStringLiteral("ttl")].toInt() == ttl)
            return h.toObject();
    }
    return {};
}

} // namespace

class tst_WatchFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonValues_data()
    {
        QTest::addColumn<int>("ttl");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("expected");

        QTest::newRow("two replies: avg") << 1 << "avg" << QJsonValue(1.5);
        QTest::newRow("two replies: jitter") << 1 << "jitter" << QJsonValue(1.0);
        QTest::newRow("two replies: interarrival") << 1 << "jitter_interarrival" << QJsonValue(0.063);
        QTest::newRow("one reply: no jitter yet") << 2 << "jitter" << QJsonValue(QJsonValue::Null);
        QTest::newRow("one reply: stddev 0") << 2 << "stddev" << QJsonValue(0.0);
        QTest::newRow("half lost") << 2 << "loss_pct" << QJsonValue(50.0);
        QTest::newRow("limited: later hops lose nothing") << 2 << "rate_limited" << QJsonValue(true);
        QTest::newRow("silent hop: no RTT") << 4 << "best" << QJsonValue(QJsonValue::Null);
        QTest::newRow("silent hop: no gmean") << 4 << "gmean" << QJsonValue(QJsonValue::Null);
        QTest::newRow("silent hop: limited too") << 4 << "rate_limited" << QJsonValue(true);
        QTest::newRow("destination: not limited") << 5 << "rate_limited" << QJsonValue(false);
    }
    void jsonValues()
    {
        QFETCH(int, ttl);
        QFETCH(QString, key);
        QFETCH(QJsonValue, expected);
        const QJsonObject h = hop(watchToJson(snapshot()), ttl);
        QVERIFY(h.contains(key));
        QCOMPARE(h.value(key), expected);
    }

    void jsonDocument()
    {
        const QJsonObject doc = watchToJson(snapshot());
        QCOMPARE(doc.value("end_reason").toString(), QStringLiteral("stopped"));
        QCOMPARE(doc.value("started_at").toString(), QStringLiteral("1970-01-01T00:00:00.000Z"));
        QCOMPARE(doc.value("ended_at").toString(), QStringLiteral("1970-01-01T00:00:01.500Z"));
        QCOMPARE(doc.value("interval").toDouble(), 0.5);
        QCOMPARE(doc.value("cycles").toInt(), 2);
        const QJsonArray changes = doc.value("path_changes").toArray();
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().toObject(), (QJsonObject{{"time", "1970-01-01T00:00:01.000Z"},
                                                          {"ttl", 3},
                                                          {"from", "198.18.2.1"},
                                                          {"to", "198.18.2.9"}}));
        const QJsonArray responders = hop(doc, 3).value("responders").toArray();
        QCOMPARE(responders.size(), 2);
        QCOMPARE(responders[0].toObject().value("share").toDouble(), 50.0);
    }

    void csv()
    {
        const QString text = watchToCsv(snapshot());
        QVERIFY(text.endsWith(QStringLiteral("\r\n")));
        const QStringList lines = text.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        // header, ttl 1, ttl 2, ttl 3 twice (two responders), ttl 4 (nobody), ttl 5
        QCOMPARE(lines.size(), 7);
        const QString prefix = QStringLiteral("\"odd,\"\"name\"\"\",198.19.10.1,");
        QCOMPARE(lines[1].left(prefix.size()), prefix);
        QVERIFY2(lines[3].startsWith(prefix + "3,198.18.2.1,50,2,1,0,7,"), qPrintable(lines[3]));
        QVERIFY2(lines[4].startsWith(prefix + "3,198.18.2.9,50,2,1,0,9,"), qPrintable(lines[4]));
        QVERIFY2(lines[5].startsWith(prefix + "4,,,2,0,100,,"), qPrintable(lines[5]));
        QVERIFY2(lines[2].endsWith(QStringLiteral(",true")), qPrintable(lines[2]));
    }

    void report()
    {
        const QString text = formatWatchReport(snapshot());
        QVERIFY2(text.contains(QStringLiteral("50.0%*")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("ICMP rate limiting")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("|  ` 198.18.2.9 (50.0% of replies)")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("path change 1970-01-01T00:00:01.000Z: ttl 3 198.18.2.1 -> "
                                              "198.18.2.9 (round 2)")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(" 4.|-- ???")), qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(tst_WatchFormat)
#include "tst_watchformat.moc"
