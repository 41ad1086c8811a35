// tracemap-agent under hostile input: random bytes, half requests, clients that never
// finish or trickle their headers. The agent must never crash, must close what it cannot
// use within its timeouts, and must keep serving a normal client promptly meanwhile.
// Everything happens on 127.0.0.1.
#include "agentprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

namespace {

// Opens a connection, writes bytes and keeps it open (never reads).
std::unique_ptr<QTcpSocket> openAndWrite(quint16 port, const QByteArray &bytes)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->setProxy(QNetworkProxy::NoProxy);
    socket->connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket->waitForConnected(3000))
        return socket;
    if (!bytes.isEmpty()) {
        socket->write(bytes);
        socket->waitForBytesWritten(1000);
    }
    return socket;
}

} // namespace

class tst_AgentRobustness : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HttpClient m_http;

    // A normal request must be answered promptly while the abuse goes on.
    void expectServedPromptly(AgentProcess &agent, int withinMs = 1000)
    {
        const HttpAnswer health = m_http.get(agent.url("/health"), {}, "GET", 5000);
        QCOMPARE(health.status, 200);
        QVERIFY2(health.elapsedMs < withinMs, qPrintable(QString::number(health.elapsedMs)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("TRACEMAP_AGENT").isEmpty())
            QSKIP("TRACEMAP_AGENT is not set (ctest sets it to the built tracemap-agent)");
        QVERIFY(m_dir.isValid());
    }

    void garbage_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QRandomGenerator random(20261127); // fixed seed: a failure can be replayed
        QByteArray noise(64 * 1024, Qt::Uninitialized);
        for (char &c : noise)
            c = char(random.bounded(256));
        QTest::newRow("random bytes") << noise;
        QTest::newRow("random bytes after a request line")
            << QByteArray("GET /health HTTP/1.1\r\n" + noise.left(4096));
        QTest::newRow("NUL bytes") << QByteArray(4096, '\0');
        QTest::newRow("half request line") << QByteArray("GET /heal");
        QTest::newRow("headers never end") << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n");
        QTest::newRow("bad version") << QByteArray("GET /health HTTP/9.9\r\nHost: x\r\n\r\n");
        QTest::newRow("HTTP/1.1 without Host") << QByteArray("GET /health HTTP/1.1\r\n\r\n");
        QTest::newRow("bad header line") << QByteArray("GET /health HTTP/1.1\r\nno colon here\r\n\r\n");
        QTest::newRow("negative content length")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");
        QTest::newRow("huge content length")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n");
        QTest::newRow("bad chunked body")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        QTest::newRow("pipelined garbage after a good request")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + noise.left(1024));
        QTest::newRow("percent garbage in query")
            << QByteArray("GET /ping?dest=%ZZ%00%ff&count=%%%% HTTP/1.1\r\nHost: x\r\n\r\n");
        QTest::newRow("bare LF line ends") << QByteArray("GET /health HTTP/1.1\nHost: x\n\n");
    }

    void garbage()
    {
        QFETCH(QByteArray, bytes);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        // Several connections send the garbage and stay open.
        std::vector<std::unique_ptr<QTcpSocket>> abusers;
        for (int i = 0; i < 5; ++i)
            abusers.push_back(openAndWrite(agent.port(), bytes));
        expectServedPromptly(agent);
        // The same garbage, read to the end, gets an answer or a close, never a hang.
        rawExchange(agent.port(), bytes, 2000);
        expectServedPromptly(agent);
        QCOMPARE(agent.process()->state(), QProcess::Running);
    }

    void manySlowClients()
    {
        // 30 connections that never finish a request (below the per-client connection
        // limit of 32, so the normal client from the same address still gets in).
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        std::vector<std::unique_ptr<QTcpSocket>> slow;
        for (int i = 0; i < 30; ++i)
            slow.push_back(
                openAndWrite(agent.port(), i % 2 ? QByteArray("GET /health HTTP/1.1\r\nHo") : QByteArray()));
        for (int round = 0; round < 5; ++round)
            expectServedPromptly(agent);
        QCOMPARE(agent.process()->state(), QProcess::Running);
    }

    void idleClientsAreClosed()
    {
        const QString config = writeFile(m_dir, QStringLiteral("idle.conf"), "[limits]\nidle_timeout=1\n");
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", config}, &error), qPrintable(error));
        auto silent = openAndWrite(agent.port(), {});
        auto half = openAndWrite(agent.port(), "GET /health HTTP/1.1\r\n");
        QVERIFY(silent->state() == QAbstractSocket::ConnectedState);
        QTRY_VERIFY_WITH_TIMEOUT(silent->state() == QAbstractSocket::UnconnectedState &&
                                     half->state() == QAbstractSocket::UnconnectedState,
                                 5000);
    }

    void tricklingHeadersTimeOut()
    {
        // One byte every 300 ms never trips the 1 s idle timeout, but the whole request
        // head is held to header_timeout: the agent answers 408 when the head completes.
        const QString config =
            writeFile(m_dir, QStringLiteral("trickle.conf"), "[limits]\nidle_timeout=1\nheader_timeout=1\n");
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", config}, &error), qPrintable(error));
        auto socket = openAndWrite(agent.port(), {});
        const QByteArray request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        QByteArray answer;
        for (const char c : request) {
            socket->write(&c, 1);
            socket->waitForBytesWritten(500);
            QTest::qWait(60);
            if (socket->state() != QAbstractSocket::ConnectedState)
                break;
        }
        QTRY_VERIFY_WITH_TIMEOUT((answer += socket->readAll()).contains("\r\n\r\n") ||
                                     socket->state() != QAbstractSocket::ConnectedState,
                                 5000);
        answer += socket->readAll();
        QCOMPARE(statusOfRaw(answer), 408);
        expectServedPromptly(agent);
    }

    void clientsVanishMidRequest()
    {
        // Clients that disconnect while their probe runs, or mid-stream: the probe still
        // ends, its slot is released and nothing crashes.
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        for (const char *path :
             {"/ping?dest=127.0.0.1&count=3&interval=0.2", "/traceroute?dest=127.0.0.1&stream=1"}) {
            QNetworkReply *reply = m_http.send(agent.url(QString::fromLatin1(path)));
            QTest::qWait(50);
            reply->abort();
            reply->deleteLater();
        }
        QTRY_COMPARE_WITH_TIMEOUT(QJsonDocument::fromJson(m_http.get(agent.url("/health")).body)
                                      .object()
                                      .value("active_probes")
                                      .toInt(),
                                  0, 5000);
        QCOMPARE(agent.process()->state(), QProcess::Running);
    }

    void connectionFlood()
    {
        // Beyond the per-client connection limit new connections are refused by the
        // library; the agent stays up and serves again once they go.
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        std::vector<std::unique_ptr<QTcpSocket>> flood;
        for (int i = 0; i < 60; ++i)
            flood.push_back(openAndWrite(agent.port(), {}));
        QTest::qWait(200);
        flood.clear();
        QTRY_VERIFY_WITH_TIMEOUT(m_http.get(agent.url("/health"), {}, "GET", 2000).status == 200, 5000);
        QCOMPARE(agent.process()->state(), QProcess::Running);
    }
};

QTEST_GUILESS_MAIN(tst_AgentRobustness)
#include "tst_agentrobustness.moc"
