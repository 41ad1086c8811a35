// Text and JSON documents built from results: traceroute-style lines, null for silence,
// several responders per hop, unreachable marks and statistics.
#include "resultformat.h"

#include <QJsonArray>
#include <QTest>

using namespace tracemap;

namespace {

ProbeReply answered(int query, const char *address, double rtt, ReplyKind kind = ReplyKind::TimeExceeded,
                    int type = 11, int code = 0, bool fromDestination = false)
{
    ProbeReply r;
    r.query = query;
    r.responder = QHostAddress(QString::fromLatin1(address));
    r.rttMs = rtt;
    r.kind = kind;
    r.icmpType = type;
    r.icmpCode = code;
    r.fromDestination = fromDestination;
    return r;
}

ProbeReply silent(int query)
{
    ProbeReply r;
    r.query = query;
    return r;
}

Hop hop(int ttl, const QList<ProbeReply> &replies)
{
    Hop h;
    h.ttl = ttl;
    h.replies = replies;
    h.probesSent = int(replies.size());
    h.complete = true;
    return h;
}

} // namespace

class tst_ResultFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hopLine_data()
    {
        QTest::addColumn<Hop>("hop");
        QTest::addColumn<QString>("line");
        QTest::newRow("three answers")
            << hop(3, {answered(1, "198.18.2.1", 0.1234), answered(2, "198.18.2.1", 1.5),
                       answered(3, "198.18.2.1", 12.0004)})
            << QStringLiteral(" 3  198.18.2.1  0.123 ms  1.500 ms  12.000 ms");
        QTest::newRow("silent hop") << hop(7, {silent(1), silent(2), silent(3)})
                                    << QStringLiteral(" 7  * * *");
        QTest::newRow("one lost") << hop(2, {answered(1, "198.18.1.1", 0.2), silent(2),
                                             answered(3, "198.18.1.1", 0.3)})
                                  << QStringLiteral(" 2  198.18.1.1  0.200 ms *  0.300 ms");
        QTest::newRow("load balanced")
            << hop(4,
                   {answered(1, "198.18.3.1", 1), answered(2, "198.18.9.1", 2), answered(3, "198.18.9.1", 3)})
            << QStringLiteral(" 4  198.18.3.1  1.000 ms 198.18.9.1  2.000 ms  3.000 ms");
        QTest::newRow("host unreachable")
            << hop(5, {answered(1, "198.18.4.1", 0.5, ReplyKind::Unreachable, 3, 1)})
            << QStringLiteral(" 5  198.18.4.1  0.500 ms !H");
        QTest::newRow("port unreachable from destination is no mark")
            << hop(6, {answered(1, "198.18.10.1", 0.5, ReplyKind::Unreachable, 3, 3, true)})
            << QStringLiteral(" 6  198.18.10.1  0.500 ms");
        QTest::newRow("ipv6 admin prohibited")
            << hop(12, {answered(1, "2001:db8::1", 0.5, ReplyKind::Unreachable, 1, 1)})
            << QStringLiteral("12  2001:db8::1  0.500 ms !X");
    }

    void hopLine()
    {
        QFETCH(Hop, hop);
        QFETCH(QString, line);
        QCOMPARE(formatHopLine(hop), line);
    }

    void hopJsonHasNullsForSilence()
    {
        TraceResult context;
        context.target = QStringLiteral("example.test");
        context.destination = QHostAddress(QStringLiteral("198.18.10.1"));
        context.source = QHostAddress(QStringLiteral("198.18.0.2"));
        const QJsonObject doc = hopToJson(context, hop(2, {answered(1, "198.18.1.1", 0.0015), silent(2)}));
        QCOMPARE(doc.value("ttl").toInt(), 2);
        QCOMPARE(doc.value("target").toString(), QStringLiteral("example.test"));
        QCOMPARE(doc.value("dest").toString(), QStringLiteral("198.18.10.1"));
        QCOMPARE(doc.value("source").toString(), QStringLiteral("198.18.0.2"));
        const QJsonArray pings = doc.value("ping_time").toArray();
        QCOMPARE(pings.size(), 2);
        QCOMPARE(pings.at(0).toObject().value("time").toDouble(), 0.002); // µs precision
        QCOMPARE(pings.at(0).toObject().value("type").toInt(), 11);
        QVERIFY(pings.at(1).toObject().value("address").isNull());
        QVERIFY(pings.at(1).toObject().value("time").isNull());
        QVERIFY(pings.at(1).toObject().value("type").isNull());
        QVERIFY(pings.at(1).toObject().value("code").isNull());
        QCOMPARE(pings.at(1).toObject().value("reply").toString(), QStringLiteral("none"));
        const QJsonObject stats = doc.value("stats").toObject();
        QCOMPARE(stats.value("sent").toInt(), 2);
        QCOMPARE(stats.value("received").toInt(), 1);
        QCOMPARE(stats.value("loss").toDouble(), 50.0);
    }

    // The closing line of a text trace: "reached A in 1 hop", "in 7 hops", or why it stopped.
    void summary_data()
    {
        QTest::addColumn<int>("hops");
        QTest::addColumn<bool>("reached");
        QTest::addColumn<QString>("summary");
        QTest::newRow("one hop") << 1 << true << "reached 198.18.10.1 in 1 hop, 0.25 s";
        QTest::newRow("seven hops") << 7 << true << "reached 198.18.10.1 in 7 hops, 0.25 s";
        QTest::newRow("not reached") << 30 << false << "did not reach 198.18.10.1 in 30 hops, 0.25 s";
    }
    void summary()
    {
        QFETCH(int, hops);
        QFETCH(bool, reached);
        QFETCH(QString, summary);
        TraceResult result;
        result.destination = QHostAddress(QStringLiteral("198.18.10.1"));
        result.reached = reached;
        result.elapsedMs = 250;
        for (int ttl = 1; ttl <= hops; ++ttl)
            result.hops.append(hop(ttl, {silent(1)}));
        QCOMPARE(formatTraceSummary(result), summary);
    }

    void stats_data()
    {
        QTest::addColumn<QList<double>>("rtts"); // < 0: lost
        QTest::addColumn<double>("loss");
        QTest::addColumn<double>("best");
        QTest::addColumn<double>("avg");
        QTest::addColumn<double>("worst");
        QTest::addColumn<double>("stddev");
        QTest::newRow("all lost") << QList<double>{-1, -1} << 100.0 << -1.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("one of four lost")
            << QList<double>{1, 2, -1, 3} << 25.0 << 1.0 << 2.0 << 3.0 << 0.816497;
        QTest::newRow("single") << QList<double>{4} << 0.0 << 4.0 << 4.0 << 4.0 << 0.0;
    }

    void stats()
    {
        QFETCH(QList<double>, rtts);
        QFETCH(double, loss);
        QFETCH(double, best);
        QFETCH(double, avg);
        QFETCH(double, worst);
        QFETCH(double, stddev);
        QList<ProbeReply> replies;
        for (int i = 0; i < rtts.size(); ++i)
            replies << (rtts.at(i) < 0 ? silent(i + 1) : answered(i + 1, "198.18.1.1", rtts.at(i)));
        const RttStats s = computeStats(replies);
        QCOMPARE(s.sent, int(rtts.size()));
        QCOMPARE(s.lossPercent, loss);
        QCOMPARE(s.bestMs, best);
        QCOMPARE(s.avgMs, avg);
        QCOMPARE(s.worstMs, worst);
        QVERIFY(qAbs(s.stddevMs - stddev) < 1e-5);
    }
};

QTEST_APPLESS_MAIN(tst_ResultFormat)
#include "tst_resultformat.moc"
