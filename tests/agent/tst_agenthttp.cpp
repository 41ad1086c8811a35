// tracemap-agent over real HTTP: the built binary on 127.0.0.1 (a free port), driven by
// QNetworkAccessManager and raw sockets. Every refusal path, /health and /version, and
// pings and traces to 127.0.0.1 whose documents match `tracemap-cli --json`.
// Only loopback is probed; names used ("localhost") are in /etc/hosts.
#include "agentprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>

#include <csignal>

namespace {

const QByteArray kToken = "s3cret-token-for-tests-0123456789";

QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QJsonObject runCliJson(const QStringList &args)
{
    QProcess p;
    p.start(qEnvironmentVariable("TRACEMAP_CLI"), args);
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return jsonOf(p.readAllStandardOutput());
}

// Compares the structure (keys and value types, recursively; arrays by their first element).
QString shapeDifference(const QJsonValue &a, const QJsonValue &b, const QString &path)
{
    // null stands for an unanswered time: a number elsewhere is the same shape.
    if (a.isNull() || b.isNull())
        return {};
    if (a.type() != b.type())
        return QStringLiteral("%1: type %2 vs %3").arg(path).arg(a.type()).arg(b.type());
    if (a.isObject()) {
        const QJsonObject oa = a.toObject();
        const QJsonObject ob = b.toObject();
        if (oa.keys() != ob.keys())
            return QStringLiteral("%1: keys %2 vs %3")
                .arg(path, oa.keys().join(QLatin1Char(',')), ob.keys().join(QLatin1Char(',')));
        for (const QString &key : oa.keys()) {
            if (QString d = shapeDifference(oa.value(key), ob.value(key), path + QLatin1Char('.') + key);
                !d.isEmpty())
                return d;
        }
    } else if (a.isArray()) {
        const QJsonArray aa = a.toArray();
        const QJsonArray ab = b.toArray();
        if (aa.isEmpty() != ab.isEmpty())
            return QStringLiteral("%1: one array is empty").arg(path);
        if (!aa.isEmpty())
            return shapeDifference(aa.first(), ab.first(), path + QStringLiteral("[0]"));
    }
    return {};
}

} // namespace

class tst_AgentHttp : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HttpClient m_http;

    QString configFile(const QString &name, const QByteArray &ini) { return writeFile(m_dir, name, ini); }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("TRACEMAP_AGENT").isEmpty())
            QSKIP("TRACEMAP_AGENT is not set (ctest sets it to the built tracemap-agent)");
        QVERIFY(m_dir.isValid());
        writeFile(m_dir, QStringLiteral("token"), kToken + "\n");
        writeFile(m_dir, QStringLiteral("short-token"), "abc\n");
    }

    void refusesToStart_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("non-loopback without token")
            << QStringList{"--listen", "0.0.0.0:0"} << "without a token";
        QTest::newRow("IPv6 any without token") << QStringList{"--listen", "[::]:0"} << "without a token";
        QTest::newRow("bad listen") << QStringList{"--listen", "127.0.0.1"} << "bad --listen";
        QTest::newRow("hostname listen") << QStringList{"--listen", "example.org:80"} << "bad --listen";
        QTest::newRow("unknown argument") << QStringList{"--frobnicate"} << "unknown argument";
        QTest::newRow("missing token file")
            << QStringList{"--token-file", m_dir.filePath("nope")} << "cannot read token file";
        QTest::newRow("short token") << QStringList{"--token-file", m_dir.filePath("short-token")}
                                     << "at least 16 characters";
        QTest::newRow("config unknown key")
            << QStringList{"--config", configFile("typo.conf", "[limits]\nmax_probs=3\n")} << "unknown key";
        QTest::newRow("config bad prefix")
            << QStringList{"--config", configFile("prefix.conf", "[destinations]\ndeny=10.0.0.0/33\n")}
            << "bad prefix";
        QTest::newRow("config bad limit")
            << QStringList{"--config", configFile("limit.conf", "[limits]\nmax_probes=0\n")} << "max_probes";
        QTest::newRow("config bad location")
            << QStringList{"--config", configFile("where.conf", "[vantage]\nlocation=95,8.68\n")}
            << "vantage/location";
        QTest::newRow("config location without longitude")
            << QStringList{"--config", configFile("where2.conf", "[vantage]\nlocation=50.11\n")}
            << "vantage/location";
        QTest::newRow("config listen without token")
            << QStringList{"--config", configFile("listen.conf", "[server]\nlisten=0.0.0.0:5000\n")}
            << "without a token";
    }

    void refusesToStart()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess p;
        p.start(qEnvironmentVariable("TRACEMAP_AGENT"), args);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QVERIFY2(err.startsWith(QStringLiteral("tracemap-agent: ")), qPrintable(err));
        QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err));
        QVERIFY2(err.contains(message), qPrintable(err));
    }

    void nonLoopbackWithToken()
    {
        // With a token the agent may listen on every interface; requests still need it.
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--listen", "0.0.0.0:0", "--token-file", m_dir.filePath("token")}, &error),
                 qPrintable(error));
        QVERIFY(agent.stderrText().contains("(token required)"));
        QCOMPARE(m_http.get(agent.url("/health")).status, 401);
        QCOMPARE(m_http.get(agent.url("/health"), "Bearer " + kToken).status, 200);
    }

    void healthAndVersion()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        const HttpAnswer health = m_http.get(agent.url("/health"));
        QCOMPARE(health.status, 200);
        QCOMPARE(jsonOf(health.body).value("status").toString(), QStringLiteral("ok"));
        QVERIFY(jsonOf(health.body).contains("active_probes"));
        QCOMPARE(health.headers.value("content-type"), QByteArray("application/json"));
        const HttpAnswer version = m_http.get(agent.url("/version"));
        QCOMPARE(version.status, 200);
        QCOMPARE(jsonOf(version.body).value("name").toString(), QStringLiteral("tracemap-agent"));
        QCOMPARE(jsonOf(version.body).value("version").toString(), QStringLiteral(TRACEMAP_VERSION));
        // The access log names client, method, path, destination, status and duration.
        QTRY_VERIFY(agent.stderrText().contains(
            "access client=127.0.0.1 method=GET path=/version dest=- status=200"));
    }

    void unknownPathAndMethod_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("unknown path") << QByteArray("GET") << "/scan" << 404;
        QTest::newRow("root") << QByteArray("GET") << "/" << 404;
        QTest::newRow("POST ping") << QByteArray("POST") << "/ping?dest=127.0.0.1" << 405;
        QTest::newRow("DELETE traceroute") << QByteArray("DELETE") << "/traceroute?dest=127.0.0.1" << 405;
        QTest::newRow("PUT health") << QByteArray("PUT") << "/health" << 405;
        QTest::newRow("unknown method on unknown path") << QByteArray("BREW") << "/coffee" << 404;
    }

    void unknownPathAndMethod()
    {
        QFETCH(QByteArray, verb);
        QFETCH(QString, path);
        QFETCH(int, status);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        const HttpAnswer a = m_http.get(agent.url(path), {}, verb);
        QCOMPARE(a.status, status);
        QVERIFY(jsonOf(a.body).contains("error"));
        if (status == 405)
            QCOMPARE(a.headers.value("allow"), QByteArray("GET"));
    }

    void badParameters_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("parameter");
        auto row = [](const char *name, const char *query, const char *parameter) {
            QTest::newRow(name) << QString::fromUtf8(query) << QString::fromUtf8(parameter);
        };
        row("ping without dest", "/ping", "dest");
        row("trace without dest", "/traceroute?max_ttl=3", "dest");
        row("empty dest", "/ping?dest=", "dest");
        row("dest with space", "/ping?dest=a%20b", "dest");
        row("count zero", "/ping?dest=127.0.0.1&count=0", "count");
        row("count too big", "/ping?dest=127.0.0.1&count=101", "count");
        row("count not a number", "/ping?dest=127.0.0.1&count=five", "count");
        row("count fraction", "/ping?dest=127.0.0.1&count=1.5", "count");
        row("ttl too big", "/ping?dest=127.0.0.1&ttl=256", "ttl");
        row("interval too small", "/ping?dest=127.0.0.1&interval=0.001", "interval");
        row("ping longer than the limit", "/ping?dest=127.0.0.1&count=100&interval=60", "count");
        row("timeout zero", "/ping?dest=127.0.0.1&timeout=0", "timeout");
        row("timeout too long", "/traceroute?dest=127.0.0.1&timeout=11", "timeout");
        row("timeout nan", "/traceroute?dest=127.0.0.1&timeout=nan", "timeout");
        row("max_ttl too big", "/traceroute?dest=127.0.0.1&max_ttl=65", "max_ttl");
        row("first_ttl beyond max_ttl", "/traceroute?dest=127.0.0.1&max_ttl=3&first_ttl=4", "first_ttl");
        row("queries too many", "/traceroute?dest=127.0.0.1&queries=11", "queries");
        row("bad method", "/traceroute?dest=127.0.0.1&method=raw", "method");
        row("bad family", "/traceroute?dest=127.0.0.1&family=5", "family");
        row("port zero", "/traceroute?dest=127.0.0.1&port=0", "port");
        row("bad stream", "/traceroute?dest=127.0.0.1&stream=maybe", "stream");
        row("unknown parameter", "/traceroute?dest=127.0.0.1&hops=3", "hops");
        row("count on traceroute", "/traceroute?dest=127.0.0.1&count=3", "count");
        row("duplicate dest", "/ping?dest=127.0.0.1&dest=127.0.0.2", "dest");
        row("family without address", "/ping?dest=127.0.0.1&family=6", "dest");
    }

    void badParameters()
    {
        QFETCH(QString, query);
        QFETCH(QString, parameter);
        if (!m_shared) {
            m_shared = std::make_unique<AgentProcess>();
            QString error;
            QVERIFY2(m_shared->start({}, &error), qPrintable(error));
        }
        const HttpAnswer a = m_http.get(m_shared->url(query));
        QCOMPARE(a.status, 400);
        const QJsonObject body = jsonOf(a.body);
        QVERIFY2(!body.value("error").toString().isEmpty(), a.body.constData());
        QCOMPARE(body.value("parameter").toString(), parameter);
    }

    void token_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<int>("status");
        QTest::newRow("missing") << QByteArray() << 401;
        QTest::newRow("wrong token") << QByteArray("Bearer wrong-token-wrong-token-wrong") << 401;
        QTest::newRow("prefix of the token") << QByteArray("Bearer " + kToken.left(10)) << 401;
        QTest::newRow("token plus suffix") << QByteArray("Bearer " + kToken + "x") << 401;
        QTest::newRow("wrong scheme") << QByteArray("Basic " + kToken) << 401;
        QTest::newRow("right token") << QByteArray("Bearer " + kToken) << 200;
        QTest::newRow("scheme is case-insensitive") << QByteArray("bearer " + kToken) << 200;
    }

    void token()
    {
        QFETCH(QByteArray, authorization);
        QFETCH(int, status);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--token-file", m_dir.filePath("token")}, &error), qPrintable(error));
        for (const char *path : {"/health", "/ping?dest=127.0.0.1&count=1", "/nowhere"}) {
            const HttpAnswer a = m_http.get(agent.url(QString::fromLatin1(path)), authorization);
            const int expected = status == 401 ? 401 : (QByteArray(path) == "/nowhere" ? 404 : 200);
            QCOMPARE(a.status, expected);
            if (expected == 401)
                QVERIFY(a.headers.value("www-authenticate").startsWith("Bearer realm="));
        }
    }

    void oversized_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray end = " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        QTest::newRow("request line 9 KB") << QByteArray("GET /health?" + QByteArray(9000, 'a') + end) << 414;
        QTest::newRow("request line 64 KB")
            << QByteArray("GET /health?" + QByteArray(65536, 'a') + end) << 414;
        QTest::newRow("one header 9 KB")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(9000, 'b') + "\r\n\r\n")
            << 431;
        QTest::newRow("one header 1 MB")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(1 << 20, 'b') +
                          "\r\n\r\n")
            << 431;
        QTest::newRow("many headers") << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\n" +
                                                    QByteArray("X-M: c\r\n").repeated(3000) + "\r\n")
                                      << 431;
        QTest::newRow("body on GET")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello") << 413;
        QTest::newRow("chunked body on GET")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            << 413;
        QTest::newRow("just under the limit")
            << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nX-Ok: " + QByteArray(7000, 'c') +
                          "\r\nConnection: close\r\n\r\n")
            << 200;
    }

    void oversized()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        const QByteArray answer = rawExchange(agent.port(), request, 5000);
        QCOMPARE(statusOfRaw(answer), status);
        QCOMPARE(agent.process()->state(), QProcess::Running);
    }

    void tooManyConcurrent_data()
    {
        QTest::addColumn<QByteArray>("ini");
        QTest::addColumn<QString>("message");
        QTest::newRow("per client") << QByteArray("[limits]\nmax_probes_per_client=2\nretry_after=7\n")
                                    << "for 127.0.0.1";
        QTest::newRow("in total") << QByteArray(
                                         "[limits]\nmax_probes=2\nmax_probes_per_client=10\nretry_after=7\n")
                                  << "too many probes running (limit 2)";
    }

    void tooManyConcurrent()
    {
        QFETCH(QByteArray, ini);
        QFETCH(QString, message);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", configFile("limits.conf", ini)}, &error), qPrintable(error));
        // Two slow pings (about 1 s each) hold both slots; the third is refused at once.
        const QUrl slow = agent.url("/ping?dest=127.0.0.1&count=3&interval=0.5");
        QNetworkReply *first = m_http.send(slow);
        QNetworkReply *second = m_http.send(slow);
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 2);
        const HttpAnswer refused = m_http.get(agent.url("/ping?dest=127.0.0.1&count=1"));
        QCOMPARE(refused.status, 429);
        QCOMPARE(refused.headers.value("retry-after"), QByteArray("7"));
        QVERIFY2(jsonOf(refused.body).value("error").toString().contains(message), refused.body.constData());
        QTRY_VERIFY_WITH_TIMEOUT(first->isFinished() && second->isFinished(), 10000);
        QCOMPARE(HttpClient::collect(first).status, 200);
        QCOMPARE(HttpClient::collect(second).status, 200);
        // The slots are free again.
        QCOMPARE(m_http.get(agent.url("/ping?dest=127.0.0.1&count=1")).status, 200);
    }

    void deniedDestinations_data()
    {
        QTest::addColumn<QByteArray>("ini");
        QTest::addColumn<QString>("dest");
        QTest::addColumn<int>("status");
        const QByteArray denyLoopback = "[destinations]\ndeny=127.0.0.0/8, ::1/128\n";
        QTest::newRow("denied literal") << denyLoopback << "127.0.0.1" << 403;
        QTest::newRow("denied literal in prefix") << denyLoopback << "127.0.0.53" << 403;
        QTest::newRow("name resolving into a denied prefix") << denyLoopback << "localhost" << 403;
        QTest::newRow("IPv6 denied") << denyLoopback << "::1" << 403;
        QTest::newRow("outside the allow list")
            << QByteArray("[destinations]\nallow=198.18.0.0/15\n") << "127.0.0.1" << 403;
        QTest::newRow("inside the allow list")
            << QByteArray("[destinations]\nallow=127.0.0.0/8\n") << "127.0.0.1" << 200;
        QTest::newRow("deny wins over allow")
            << QByteArray("[destinations]\nallow=127.0.0.0/8\ndeny=127.0.0.1/32\n") << "127.0.0.1" << 403;
        QTest::newRow("multicast is never probed") << QByteArray() << "224.0.0.1" << 403;
        QTest::newRow("unspecified is never probed") << QByteArray() << "0.0.0.0" << 403;
    }

    void deniedDestinations()
    {
        QFETCH(QByteArray, ini);
        QFETCH(QString, dest);
        QFETCH(int, status);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", configFile("policy.conf", ini)}, &error), qPrintable(error));
        for (const QString &path :
             {QStringLiteral("/ping?count=1&dest="), QStringLiteral("/traceroute?max_ttl=2&dest=")}) {
            const HttpAnswer a = m_http.get(agent.url(path + dest));
            QCOMPARE(a.status, status);
            if (status == 403)
                QCOMPARE(jsonOf(a.body).value("parameter").toString(), QStringLiteral("dest"));
        }
    }

    void pingMatchesCli()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        const HttpAnswer a = m_http.get(agent.url("/ping?dest=127.0.0.1&count=2&interval=0.2"));
        QCOMPARE(a.status, 200);
        const QJsonObject fromAgent = jsonOf(a.body);
        const QJsonObject fromCli =
            runCliJson({"ping", "127.0.0.1", "--json", "--count", "2", "--interval", "0.2"});
        QVERIFY(!fromCli.isEmpty());
        const QString difference = shapeDifference(fromAgent, fromCli, QStringLiteral("ping"));
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        for (const char *key : {"target", "dest", "packets", "method", "ttl", "source"})
            QCOMPARE(fromAgent.value(key), fromCli.value(key));
        QCOMPARE(fromAgent.value("ping_time").toArray().size(), 2);
    }

    void traceMatchesCli_data()
    {
        QTest::addColumn<QString>("dest");
        QTest::addColumn<QStringList>("options");
        QTest::newRow("IPv4 literal") << "127.0.0.1" << QStringList{};
        QTest::newRow("name from /etc/hosts") << "localhost" << QStringList{};
        QTest::newRow("icmp") << "127.0.0.1" << QStringList{"method", "icmp"};
        QTest::newRow("one query") << "127.0.0.1" << QStringList{"queries", "1"};
    }

    void traceMatchesCli()
    {
        QFETCH(QString, dest);
        QFETCH(QStringList, options);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        QString query = QStringLiteral("/traceroute?dest=") + dest;
        QStringList cliArgs{"trace", dest, "--json"};
        for (qsizetype i = 0; i + 1 < options.size(); i += 2) {
            query += QStringLiteral("&%1=%2").arg(options[i], options[i + 1]);
            cliArgs += {QStringLiteral("--") + options[i], options[i + 1]};
        }
        const HttpAnswer a = m_http.get(agent.url(query));
        QCOMPARE(a.status, 200);
        const QJsonObject fromAgent = jsonOf(a.body);
        const QJsonObject fromCli = runCliJson(cliArgs);
        QVERIFY(!fromCli.isEmpty());
        const QString difference = shapeDifference(fromAgent, fromCli, QStringLiteral("trace"));
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        for (const char *key : {"target", "dest", "reached", "method", "packets", "ttl", "transport"})
            QCOMPARE(fromAgent.value(key), fromCli.value(key));
        const QJsonArray hops = fromAgent.value("ping_time").toArray();
        QCOMPARE(hops.size(), fromCli.value("ping_time").toArray().size());
        QCOMPARE(hops.first()
                     .toObject()
                     .value("ping_time")
                     .toArray()
                     .first()
                     .toObject()
                     .value("address")
                     .toString(),
                 QStringLiteral("127.0.0.1"));
    }

    void streamDeliversHopsThenDocument()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        const HttpAnswer a = m_http.get(agent.url("/traceroute?dest=127.0.0.1&stream=1"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.headers.value("content-type"), QByteArray("application/x-ndjson"));
        const QList<QByteArray> lines = a.body.trimmed().split('\n');
        QVERIFY2(lines.size() >= 2, a.body.constData());
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
            const QJsonObject line = jsonOf(lines.at(i));
            QCOMPARE(line.value("event").toString(), QStringLiteral("hop"));
            QVERIFY(line.value("hop").toObject().contains("ttl"));
        }
        const QJsonObject last = jsonOf(lines.last());
        QCOMPARE(last.value("event").toString(), QStringLiteral("trace"));
        QCOMPARE(last.value("trace").toObject().value("reached").toBool(), true);
        QCOMPARE(last.value("trace").toObject().value("target").toString(), QStringLiteral("127.0.0.1"));
    }

    // An agent with a place in its config reports it: first in the stream, and in the trace
    // document; without one it reports nothing (it has no geolocation data of its own).
    void streamReportsConfiguredPlace_data()
    {
        QTest::addColumn<QByteArray>("ini");
        QTest::addColumn<QString>("name"); // empty: no place reported
        QTest::newRow("configured") << QByteArray("[vantage]\nname=Frankfurt office\nlocation=50.11, 8.68\n")
                                    << "Frankfurt office";
        QTest::newRow("nothing configured") << QByteArray("[limits]\nmax_probes=8\n") << "";
    }

    void streamReportsConfiguredPlace()
    {
        QFETCH(QByteArray, ini);
        QFETCH(QString, name);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", configFile("place.conf", ini)}, &error), qPrintable(error));
        const HttpAnswer a = m_http.get(agent.url("/traceroute?dest=127.0.0.1&stream=1"));
        QCOMPARE(a.status, 200);
        const QList<QByteArray> lines = a.body.trimmed().split('\n');
        QVERIFY2(lines.size() >= 2, a.body.constData());
        const QJsonObject first = jsonOf(lines.first());
        const QJsonObject document = jsonOf(lines.last()).value("trace").toObject();
        if (name.isEmpty()) {
            QCOMPARE(first.value("event").toString(), QStringLiteral("hop"));
            QVERIFY(!document.contains("vantage"));
            QVERIFY(!a.body.contains("\"vantage\""));
            return;
        }
        QCOMPARE(first.value("event").toString(), QStringLiteral("vantage"));
        for (const QJsonObject &vantage :
             {first.value("vantage").toObject(), document.value("vantage").toObject()}) {
            QCOMPARE(vantage.value("name").toString(), name);
            QCOMPARE(vantage.value("latitude").toDouble(), 50.11);
            QCOMPARE(vantage.value("longitude").toDouble(), 8.68);
            QCOMPARE(vantage.value("source").toString(), QStringLiteral("configured"));
        }
        // The plain (not streamed) document carries it too.
        const HttpAnswer plain = m_http.get(agent.url("/traceroute?dest=127.0.0.1"));
        QCOMPARE(plain.status, 200);
        QCOMPARE(jsonOf(plain.body).value("vantage").toObject().value("name").toString(), name);
    }

    void streamRefusalKeepsStatus()
    {
        // A refused stream is a plain error answer, not a 200 stream with an error in it.
        AgentProcess agent;
        QString error;
        QVERIFY2(
            agent.start({"--config", configFile("deny.conf", "[destinations]\ndeny=127.0.0.0/8\n")}, &error),
            qPrintable(error));
        const HttpAnswer a = m_http.get(agent.url("/traceroute?dest=127.0.0.1&stream=1"));
        QCOMPARE(a.status, 403);
    }

    void gracefulShutdown()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        QNetworkReply *running = m_http.send(agent.url("/ping?dest=127.0.0.1&count=20&interval=1"));
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 1);
        QElapsedTimer timer;
        timer.start();
        ::kill(pid_t(agent.process()->processId()), SIGTERM);
        QTRY_VERIFY_WITH_TIMEOUT(running->isFinished(), 5000);
        QCOMPARE(HttpClient::collect(running).status, 503);
        QVERIFY(agent.process()->waitForFinished(5000));
        QCOMPARE(agent.process()->exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.process()->exitCode(), 0);
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    }

    // `timeout` (and a kill of the process group) delivers one SIGTERM twice within
    // microseconds; that is still one graceful shutdown, not "second signal: exit now".
    void duplicateSignalIsOneShutdown()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        QNetworkReply *running = m_http.send(agent.url("/ping?dest=127.0.0.1&count=20&interval=1"));
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 1);
        const auto pid = pid_t(agent.process()->processId());
        ::kill(pid, SIGTERM);
        ::kill(pid, SIGTERM);
        QTRY_VERIFY_WITH_TIMEOUT(running->isFinished(), 5000);
        QCOMPARE(HttpClient::collect(running).status, 503);
        QVERIFY(agent.process()->waitForFinished(5000));
        QCOMPARE(agent.process()->exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.process()->exitCode(), 0);
    }

    void cleanupTestCase() { m_shared.reset(); }

private:
    std::unique_ptr<AgentProcess> m_shared;
};

QTEST_GUILESS_MAIN(tst_AgentHttp)
#include "tst_agenthttp.moc"
