// AgentTraceClient (geo/agentclient.h) against a fake agent on 127.0.0.1: an agent is a server
// like any other, so a hop or a trace document it sends that cannot be drawn as a route (a TTL
// outside 1..255, TTLs not rising, an impossible RTT) ends the trace as BadAnswer with one line,
// before any such hop reaches the map. Plus agentHopProblem()'s own rows.
#include "agentclient.h"
#include "loopbackhttpserver.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

QByteArray hopJson(const QByteArray &ttl, const QByteArray &time = "2.0")
{
    return R"({"ttl":)" + ttl + R"(,"ping_time":[{"address":"62.0.0.5","time":)" + time +
           R"(,"reply":"time-exceeded"}]})";
}

QByteArray hopLine(const QByteArray &hop)
{
    return "{\"event\":\"hop\",\"hop\":" + hop + "}\n";
}

QByteArray traceLine(const QList<QByteArray> &hops)
{
    QByteArray list;
    for (const QByteArray &h : hops)
        list += (list.isEmpty() ? "" : ",") + h;
    return R"({"event":"trace","trace":{"target":"192.0.2.200","reached":false,"ping_time":[)" + list +
           "]}}\n";
}

} // namespace

class tst_AgentClient : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<AgentTraceClient::Error>(); }

    void answers_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("error");
        QTest::addColumn<int>("hops"); // hop signals before the end
        QTest::addColumn<QString>("says");
        const QByteArray h1 = hopJson("1"), h2 = hopJson("2");
        QTest::newRow("good") << hopLine(h1) + hopLine(h2) + traceLine({h1, h2})
                              << int(AgentTraceClient::Error::None) << 2 << QString();
        QTest::newRow("hop TTL 0") << hopLine(h1) + hopLine(hopJson("0"))
                                   << int(AgentTraceClient::Error::BadAnswer) << 1 << "TTL 0";
        QTest::newRow("hop TTL 1000")
            << hopLine(hopJson("1000")) << int(AgentTraceClient::Error::BadAnswer) << 0 << "TTL 1000";
        QTest::newRow("negative RTT")
            << hopLine(hopJson("1", "-5")) << int(AgentTraceClient::Error::BadAnswer) << 0 << "RTT of -5";
        QTest::newRow("RTT of a day")
            << hopLine(hopJson("1", "86400000")) << int(AgentTraceClient::Error::BadAnswer) << 0 << "RTT";
        QTest::newRow("trace TTLs going back")
            << hopLine(h1) + hopLine(h2) + traceLine({h2, h1}) << int(AgentTraceClient::Error::BadAnswer) << 2
            << "TTL 1 after TTL 2";
        QTest::newRow("trace TTL repeated")
            << traceLine({h1, h1}) << int(AgentTraceClient::Error::BadAnswer) << 0 << "rising";
    }
    void answers()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, error);
        QFETCH(int, hops);
        QFETCH(QString, says);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/traceroute"),
                     [&](const LoopbackHttpServer::Request &) { return LoopbackHttpServer::text(body); });
        QNetworkAccessManager network;
        AgentTraceClient client(&network);
        client.setTimeoutMs(10000);
        QSignalSpy hopSpy(&client, &AgentTraceClient::hop);
        QSignalSpy finished(&client, &AgentTraceClient::finished);
        client.start(server.url(), QStringLiteral("192.0.2.200"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(int(finished.at(0).at(0).value<AgentTraceClient::Error>()), error);
        QCOMPARE(hopSpy.size(), hops);
        const QString message = finished.at(0).at(1).toString();
        QVERIFY2(message.contains(says) && !message.contains(QLatin1Char('\n')), qPrintable(message));
        if (error == int(AgentTraceClient::Error::None))
            QCOMPARE(traceFromJson(client.document()).hops.size(), 2);
        else
            QVERIFY(client.document().isEmpty());
    }

    void hopProblems_data()
    {
        QTest::addColumn<int>("ttl");
        QTest::addColumn<double>("rtt");
        QTest::addColumn<bool>("fine");
        QTest::newRow("first hop") << 1 << 2.5 << true;
        QTest::newRow("last TTL") << 255 << 300.0 << true;
        QTest::newRow("no answer") << 7 << -1.0 << true;
        QTest::newRow("zero RTT") << 3 << 0.0 << true;
        QTest::newRow("TTL 0") << 0 << 1.0 << false;
        QTest::newRow("TTL 256") << 256 << 1.0 << false;
        QTest::newRow("negative TTL") << -3 << 1.0 << false;
        QTest::newRow("negative RTT") << 2 << -0.5 << false;
        QTest::newRow("infinite RTT") << 2 << qInf() << false;
        QTest::newRow("NaN RTT") << 2 << qQNaN() << false;
    }
    void hopProblems()
    {
        QFETCH(int, ttl);
        QFETCH(double, rtt);
        QFETCH(bool, fine);
        Hop hop;
        hop.ttl = ttl;
        ProbeReply reply;
        reply.rttMs = rtt;
        hop.replies = {reply};
        QCOMPARE(agentHopProblem(hop).isEmpty(), fine);
    }
};

QTEST_MAIN(tst_AgentClient)
#include "tst_agentclient.moc"
