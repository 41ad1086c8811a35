// tracemap-agent under the attacks of issue 10, one row each: slow clients spread over many
// loopback addresses (127.0.0.0/8 is all loopback), a DNS server on loopback that never
// answers, SIGTERM while look-ups are stuck, IPv4 embedded in IPv6, port limits, NUL bytes,
// signals, clients that hang up. Every row asserts the behaviour and that /health still
// answers (within a generous deadline; the 50 ms figure is measured by bench/agent_bench.sh).
// Nothing leaves loopback: the DNS server is a UDP socket on 127.0.0.1 that reads and drops.
#include "agentprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkDatagram>
#include <QUdpSocket>
#include <QUrlQuery>

#include <map>

#include <csignal>
#include <sys/stat.h>

namespace {

constexpr int kHealthDeadlineMs = 2000; // generous: CI machines are shared

// A socket from a chosen loopback source address, with some bytes sent and kept open.
std::unique_ptr<QTcpSocket> connectFrom(const QString &source, quint16 port, const QByteArray &bytes)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->setProxy(QNetworkProxy::NoProxy);
    socket->bind(QHostAddress(source), 0);
    socket->connectToHost(QStringLiteral("127.0.0.1"), port);
    if (socket->waitForConnected(3000) && !bytes.isEmpty()) {
        socket->write(bytes);
        socket->waitForBytesWritten(1000);
    }
    return socket;
}

// A DNS server that reads every query and never answers.
class BlackholeDns : public QObject
{
public:
    bool listen()
    {
        connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
            while (m_socket.hasPendingDatagrams()) {
                m_socket.receiveDatagram();
                ++m_queries;
            }
        });
        return m_socket.bind(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_socket.localPort(); }
    int queries() const { return m_queries; }

private:
    QUdpSocket m_socket;
    int m_queries = 0;
};

QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

} // namespace

class tst_AgentAttack : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HttpClient m_http;

    void healthStaysFast(AgentProcess &agent)
    {
        const HttpAnswer health = m_http.get(agent.url("/health"), {}, "GET", kHealthDeadlineMs + 1000);
        QCOMPARE(health.status, 200);
        QVERIFY2(health.elapsedMs < kHealthDeadlineMs, qPrintable(QString::number(health.elapsedMs)));
    }
    QString config(const QString &name, const QByteArray &ini) { return writeFile(m_dir, name, ini); }
    // One agent shared by the rows of a data-driven test (stopped in cleanupTestCase).
    AgentProcess *shared(const QString &name, const QStringList &args)
    {
        auto &slot = m_shared[name];
        if (!slot) {
            slot = std::make_unique<AgentProcess>();
            QString error;
            if (!slot->start(args, &error)) {
                qWarning("%s", qPrintable(error));
                slot.reset();
                return nullptr;
            }
        }
        return slot.get();
    }
    std::map<QString, std::unique_ptr<AgentProcess>> m_shared;

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("TRACEMAP_AGENT").isEmpty())
            QSKIP("TRACEMAP_AGENT is not set (ctest sets it to the built tracemap-agent)");
        QVERIFY(m_dir.isValid());
    }

    // 10 addresses x 12 connections trickling their heads: a burst is admitted, but once
    // their heads stall the budget closes the oldest (408), an address with too many stalled
    // heads gets 503 + Retry-After at once, the whole-head deadline closes the rest, and a
    // well-behaved client is served throughout.
    void slowClientsFromManyAddresses()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config",
                              config("slow.conf", "[limits]\nheader_timeout=5\nidle_timeout=30\n"
                                                  "max_pending_heads=40\nmax_pending_heads_per_client=8\n")},
                             &error),
                 qPrintable(error));
        std::vector<std::unique_ptr<QTcpSocket>> slow;
        for (int address = 2; address < 12; ++address) {
            for (int i = 0; i < 12; ++i)
                slow.push_back(connectFrom(QStringLiteral("127.0.0.%1").arg(address), agent.port(),
                                           "GET /health HTTP/1.1\r\nHo"));
        }
        healthStaysFast(agent);
        const auto closedWith408 = [&slow] {
            int n = 0;
            for (auto &s : slow) {
                if (s->state() == QAbstractSocket::UnconnectedState && statusOfRaw(s->peek(4096)) == 408)
                    ++n;
            }
            return n;
        };
        // The stalled-head budget (40) closes the 80 oldest well before the 5 s deadline.
        QTRY_VERIFY_WITH_TIMEOUT(closedWith408() >= 80, 3500);
        healthStaysFast(agent);
        // The newest address still has 12 stalled heads (budget 8): refused at once.
        auto refused = connectFrom(QStringLiteral("127.0.0.11"), agent.port(), {});
        QTRY_VERIFY_WITH_TIMEOUT(refused->state() == QAbstractSocket::UnconnectedState, 3000);
        const QByteArray answer = refused->readAll();
        QCOMPARE(statusOfRaw(answer), 503);
        QVERIFY2(answer.contains("Retry-After: "), answer.constData());
        // The whole-head deadline closes the rest.
        QTRY_VERIFY_WITH_TIMEOUT(closedWith408() == int(slow.size()), 7000);
        healthStaysFast(agent);
        QVERIFY(agent.stderrText().contains("refused="));
    }

    // Every slot busy with real work: a new connection is answered 503 with Retry-After and
    // closed, not left in the listen backlog.
    void connectionsOverTheLimitAreAnswered()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(
            agent.start({"--config", config("limit.conf", "[limits]\nmax_connections=4\nretry_after=9\n")},
                        &error),
            qPrintable(error));
        std::vector<std::unique_ptr<QTcpSocket>> busy;
        for (int i = 0; i < 4; ++i)
            busy.push_back(
                connectFrom(QStringLiteral("127.0.0.%1").arg(20 + i), agent.port(),
                            "GET /ping?dest=127.0.0.1&count=10&interval=0.5 HTTP/1.1\r\nHost: x\r\n\r\n"));
        QTest::qWait(300);
        auto over = connectFrom(QStringLiteral("127.0.0.41"), agent.port(), {});
        QTRY_VERIFY_WITH_TIMEOUT(over->state() == QAbstractSocket::UnconnectedState, 3000);
        const QByteArray answer = over->readAll();
        QCOMPARE(statusOfRaw(answer), 503);
        QVERIFY2(answer.contains("Retry-After: 9"), answer.constData());
        busy.clear(); // hanging up cancels their pings and frees the slots
        QTRY_VERIFY_WITH_TIMEOUT(m_http.get(agent.url("/health"), {}, "GET", 2000).status == 200, 5000);
    }

    // A DNS server that never answers: look-ups are capped per client (429), time out on
    // their own (504), are remembered (no second query), and names from /etc/hosts and
    // literals keep working meanwhile.
    void dnsBlackhole()
    {
        BlackholeDns dns;
        QVERIFY(dns.listen());
        AgentProcess agent;
        QString error;
        const QByteArray ini = "[dns]\nservers=127.0.0.1:" + QByteArray::number(dns.port()) +
                               "\ntimeout_ms=1500\nmax_lookups=4\nmax_lookups_per_client=2\n"
                               "[limits]\nmax_probes_per_client=10\n";
        QVERIFY2(agent.start({"--config", config("dns.conf", ini)}, &error), qPrintable(error));
        QList<QNetworkReply *> stuck;
        for (int i = 0; i < 4; ++i)
            stuck.append(m_http.send(agent.url(QStringLiteral("/ping?dest=stuck%1.tm.test&count=1").arg(i))));
        QTRY_VERIFY_WITH_TIMEOUT(
            std::count_if(stuck.begin(), stuck.end(), [](auto *r) { return r->isFinished(); }) >= 2, 1000);
        // Literals and /etc/hosts names are not held up by the stuck look-ups.
        healthStaysFast(agent);
        const HttpAnswer literal = m_http.get(agent.url("/ping?dest=127.0.0.1&count=1"), {}, "GET", 5000);
        QCOMPARE(literal.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(stuck.begin(), stuck.end(), [](auto *r) { return r->isFinished(); }), 5000);
        QList<int> statuses;
        for (QNetworkReply *r : stuck)
            statuses.append(HttpClient::collect(r).status);
        std::sort(statuses.begin(), statuses.end());
        QCOMPARE(statuses, (QList<int>{429, 429, 504, 504}));
        // Remembered: the same name fails at once, without a new query.
        const int queries = dns.queries();
        QVERIFY(queries > 0);
        const HttpAnswer again = m_http.get(agent.url("/ping?dest=stuck0.tm.test&count=1"), {}, "GET", 5000);
        QCOMPARE(again.status, 504);
        QVERIFY2(again.elapsedMs < 1000, qPrintable(QString::number(again.elapsedMs)));
        QCOMPARE(dns.queries(), queries);
        const HttpAnswer hosts =
            m_http.get(agent.url("/ping?dest=localhost&count=1&family=4"), {}, "GET", 5000);
        QCOMPARE(hosts.status, 200);
        healthStaysFast(agent);
    }

    // SIGTERM while look-ups hang: the agent ends within shutdown_grace_ms, not when the
    // DNS gives up, and every caller gets its 503.
    void sigtermDuringStuckLookups()
    {
        BlackholeDns dns;
        QVERIFY(dns.listen());
        AgentProcess agent;
        QString error;
        const QByteArray ini =
            "[server]\nshutdown_grace_ms=1000\n[dns]\nservers=127.0.0.1:" + QByteArray::number(dns.port()) +
            "\ntimeout_ms=60000\n";
        QVERIFY2(agent.start({"--config", config("term.conf", ini)}, &error), qPrintable(error));
        QNetworkReply *a = m_http.send(agent.url("/ping?dest=hang1.tm.test"));
        QNetworkReply *b = m_http.send(agent.url("/traceroute?dest=hang2.tm.test&stream=1"));
        QTRY_VERIFY_WITH_TIMEOUT(dns.queries() >= 2, 3000);
        QElapsedTimer timer;
        timer.start();
        ::kill(pid_t(agent.process()->processId()), SIGTERM);
        QVERIFY(agent.process()->waitForFinished(10000));
        QVERIFY2(timer.elapsed() < 1000 + 1500, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(agent.process()->exitCode(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(a->isFinished() && b->isFinished(), 3000);
        QCOMPARE(HttpClient::collect(a).status, 503);
        QCOMPARE(HttpClient::collect(b).status, 503);
    }

    void embeddedIPv4_data()
    {
        QTest::addColumn<QString>("dest");
        QTest::newRow("IPv4-compatible") << "::127.0.0.1";
        QTest::newRow("NAT64 64:ff9b::/96") << "64:ff9b::7f00:1";
        QTest::newRow("6to4 2002::/16") << "2002:7f00:1::";
        QTest::newRow("Teredo client (inverted)") << "2001:0:4136:e378:8000:63bf:80ff:fffe";
        QTest::newRow("IPv4-mapped") << "::ffff:127.0.0.1";
    }
    void embeddedIPv4()
    {
        QFETCH(QString, dest);
        AgentProcess *agent =
            shared("v4", {"--config", config("v4.conf", "[destinations]\ndeny=127.0.0.0/8\n")});
        QVERIFY(agent);
        QUrlQuery q;
        q.addQueryItem("dest", dest);
        q.addQueryItem("count", "1");
        const HttpAnswer a = m_http.get(agent->url("/ping?" + q.toString(QUrl::FullyEncoded)));
        QCOMPARE(a.status, 403);
        QVERIFY2(jsonOf(a.body).value("error").toString().contains("127.0.0.1"), a.body.constData());
        healthStaysFast(*agent);
    }

    // A non-loopback listener ([::] is dual-stack: reached here over IPv4) refuses the inside.
    void safeDefaultsOffLoopback_data()
    {
        QTest::addColumn<QString>("dest");
        QTest::newRow("loopback") << "127.0.0.1";
        QTest::newRow("IPv6 loopback") << "::1";
        QTest::newRow("localhost") << "localhost";
        QTest::newRow("private") << "10.1.2.3";
        QTest::newRow("CGNAT") << "100.64.0.1";
        QTest::newRow("link-local") << "169.254.1.1";
        QTest::newRow("unique-local") << "fd00::1";
        QTest::newRow("documentation") << "192.0.2.1";
        QTest::newRow("benchmarking") << "198.18.0.1";
        QTest::newRow("NAT64 of private") << "64:ff9b::a00:1";
    }
    void safeDefaultsOffLoopback()
    {
        QFETCH(QString, dest);
        const QByteArray token = "attack-test-token-0123456789";
        writeFile(m_dir, QStringLiteral("token"), token + "\n");
        QFile::setPermissions(m_dir.filePath("token"), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        AgentProcess *agent = shared("dual", {"--listen", "[::]:0", "--token-file", m_dir.filePath("token")});
        QVERIFY(agent);
        QVERIFY2(agent->stderrText().contains("listening on http://[::]:"), agent->stderrText().constData());
        QUrlQuery q;
        q.addQueryItem("dest", dest);
        const HttpAnswer a =
            m_http.get(agent->url("/ping?" + q.toString(QUrl::FullyEncoded)), "Bearer " + token);
        QCOMPARE(a.status, 403);
    }

    void ports_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("status");
        QTest::newRow("tcp to ssh refused") << "method=tcp&port=22" << 403;
        QTest::newRow("udp to 53 refused") << "method=udp&port=53" << 403;
        QTest::newRow("tcp to 6379 refused") << "method=tcp&port=6379" << 403;
        QTest::newRow("udp traceroute port allowed") << "method=udp&port=33434" << 200;
        QTest::newRow("default port allowed") << "method=udp" << 200;
        QTest::newRow("icmp has no port to limit") << "method=icmp&port=22" << 200;
    }
    void ports()
    {
        QFETCH(QString, query);
        QFETCH(int, status);
        AgentProcess *agent = shared("plain", {});
        QVERIFY(agent);
        const HttpAnswer a = m_http.get(agent->url("/ping?dest=127.0.0.1&count=1&timeout=0.5&" + query));
        QCOMPARE(a.status, status);
        if (status == 403)
            QCOMPARE(jsonOf(a.body).value("parameter").toString(), QString("port"));
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray end = " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        QTest::newRow("raw NUL in the query")
            << QByteArray("GET /ping?dest=127.0.0.1\0&count=1", 34) + end << 400;
        QTest::newRow("raw NUL in the path") << QByteArray("GET /health\0x", 13) + end << 400;
        QTest::newRow("%00 in the path") << "GET /health%00" + end << 400;
        QTest::newRow("%00 in a value") << "GET /ping?dest=127.0.0.1%00.x" + end << 400;
        QTest::newRow("empty segments are no parameters")
            << "GET /ping?dest=127.0.0.1&&&count=1&interval=0.2" + end << 200;
        QTest::newRow("link-local without a zone") << "GET /ping?dest=fe80::1&count=1" + end << 400;
        QTest::newRow("limited broadcast") << "GET /ping?dest=255.255.255.255&count=1" + end << 403;
    }
    void malformed()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        AgentProcess *agent = shared("plain", {});
        QVERIFY(agent);
        const QByteArray answer = rawExchange(agent->port(), request, 5000);
        QVERIFY2(statusOfRaw(answer) == status, answer.constData());
        const int bodyAt = int(answer.indexOf("\r\n\r\n"));
        if (status >= 400)
            QVERIFY2(!jsonOf(answer.mid(bodyAt + 4)).value("error").toString().isEmpty(), answer.constData());
        healthStaysFast(*agent);
    }

    // Rejected requests are logged once per client and interval, not once each.
    void rejectedRequestsLogOnce()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        for (int i = 0; i < 40; ++i)
            QCOMPARE(m_http.get(agent.url("/nope")).status, 404);
        QCOMPARE(m_http.get(agent.url("/health")).status, 200);
        QTRY_VERIFY(agent.stderrText().contains("path=/health"));
        QCOMPARE(agent.stderrText().count("status=404"), 1);
    }

    // A caller that hangs up: its probe (or its look-up) is cancelled at once, not at its end.
    void hangUpCancelsProbe_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("plain ping") << "/ping?dest=127.0.0.1&count=30&interval=0.5";
        QTest::newRow("stream request stuck in DNS") << "/traceroute?dest=hang.tm.test&stream=1";
    }
    void hangUpCancelsProbe()
    {
        QFETCH(QString, path);
        BlackholeDns dns;
        QVERIFY(dns.listen());
        AgentProcess agent;
        QString error;
        const QByteArray ini =
            "[dns]\nservers=127.0.0.1:" + QByteArray::number(dns.port()) + "\ntimeout_ms=60000\n";
        QVERIFY2(agent.start({"--config", config("hang.conf", ini)}, &error), qPrintable(error));
        QNetworkReply *reply = m_http.send(agent.url(path));
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 1);
        QTest::qWait(300);
        reply->abort();
        reply->deleteLater();
        QTRY_COMPARE_WITH_TIMEOUT(
            jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 0, 3000);
    }

    // SIGHUP reloads (the token here) without dropping a running request; the other
    // terminating signals end gracefully like SIGTERM.
    void sighupReloads()
    {
        const QString tokenPath =
            writeFile(m_dir, QStringLiteral("reload-token"), "first-token-0123456789\n");
        QFile::setPermissions(tokenPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--token-file", tokenPath}, &error), qPrintable(error));
        QNetworkReply *running = m_http.send(agent.url("/ping?dest=127.0.0.1&count=6&interval=0.2"), "GET",
                                             "Bearer first-token-0123456789");
        QTest::qWait(200);
        writeFile(m_dir, QStringLiteral("reload-token"), "second-token-0123456789\n");
        ::kill(pid_t(agent.process()->processId()), SIGHUP);
        QTRY_VERIFY(agent.stderrText().contains("configuration reloaded"));
        QCOMPARE(m_http.get(agent.url("/health"), "Bearer first-token-0123456789").status, 401);
        QCOMPARE(m_http.get(agent.url("/health"), "Bearer second-token-0123456789").status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(running->isFinished(), 5000);
        QCOMPARE(HttpClient::collect(running).status, 200);
        QCOMPARE(agent.process()->state(), QProcess::Running);
    }

    // SIGHUP re-reads the lists and limits too; a config that does not load keeps the old one.
    void sighupReloadsListsAndKeepsOldOnError()
    {
        const QString path = config("reload.conf", "[limits]\nmax_count=100\n");
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", path}, &error), qPrintable(error));
        QCOMPARE(m_http.get(agent.url("/ping?dest=127.0.0.1&count=1")).status, 200);
        config("reload.conf", "[destinations]\ndeny=127.0.0.0/8\n[limits]\nmax_count=3\n");
        ::kill(pid_t(agent.process()->processId()), SIGHUP);
        QTRY_VERIFY(agent.stderrText().contains("configuration reloaded"));
        QCOMPARE(m_http.get(agent.url("/ping?dest=127.0.0.1&count=1")).status, 403);
        QCOMPARE(m_http.get(agent.url("/ping?dest=::1&count=5")).status, 400); // max_count=3 now
        config("reload.conf", "[limits]\nmax_count=banana\n");
        ::kill(pid_t(agent.process()->processId()), SIGHUP);
        QTRY_VERIFY(agent.stderrText().contains("keeping the old configuration"));
        QCOMPARE(m_http.get(agent.url("/ping?dest=127.0.0.1&count=1")).status, 403);
        QCOMPARE(agent.process()->state(), QProcess::Running);
    }

    void signalsEndGracefully_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGUSR1") << int(SIGUSR1);
        QTest::newRow("SIGUSR2") << int(SIGUSR2);
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGQUIT") << int(SIGQUIT);
    }
    void signalsEndGracefully()
    {
        QFETCH(int, signal);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        QNetworkReply *running = m_http.send(agent.url("/ping?dest=127.0.0.1&count=20&interval=0.5"));
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 1);
        ::kill(pid_t(agent.process()->processId()), signal);
        QVERIFY(agent.process()->waitForFinished(6000));
        QCOMPARE(agent.process()->exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.process()->exitCode(), 0);
        QVERIFY(agent.stderrText().contains("shutting down"));
        // The running request got its answer (503), not a cut connection.
        QTRY_VERIFY_WITH_TIMEOUT(running->isFinished(), 3000);
        QCOMPARE(HttpClient::collect(running).status, 503);
    }

    void tokenFiles()
    {
        // Readable by others: used, with a warning.
        const QString open = writeFile(m_dir, QStringLiteral("open-token"), "open-token-0123456789\n");
        QFile::setPermissions(open,
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--token-file", open}, &error), qPrintable(error));
        QVERIFY2(agent.stderrText().contains("can be read by group or others"),
                 agent.stderrText().constData());
        // A FIFO: refused at once, start-up does not block on it.
        const QByteArray fifo = QFile::encodeName(m_dir.filePath("fifo-token"));
        QCOMPARE(::mkfifo(fifo.constData(), 0600), 0);
        QProcess p;
        QElapsedTimer timer;
        timer.start();
        p.start(qEnvironmentVariable("TRACEMAP_AGENT"), {"--token-file", QString::fromLocal8Bit(fifo)});
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("not a regular file"));
    }

    void cleanupTestCase() { m_shared.clear(); }
};

QTEST_GUILESS_MAIN(tst_AgentAttack)
#include "tst_agentattack.moc"
