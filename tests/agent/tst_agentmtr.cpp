// tracemap-agent's GET /mtr over real HTTP, the built binary on 127.0.0.1: parameter
// validation (400 naming the parameter), the [limits] mtr keys, the probe limits (429),
// the destination policy (403), the document against `tracemap-cli watch --json`, the
// NDJSON stream (one line per round, then the document), the agent's configured place (first
// stream line and document, as /traceroute) and a watch cancelled when the caller hangs up.
// Only loopback is probed.
#include "agentprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

QJsonObject jsonOf(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QStringList sortedKeys(const QJsonObject &o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

} // namespace

class tst_AgentMtr : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    HttpClient m_http;
    std::unique_ptr<AgentProcess> m_shared;

    QString configFile(const QString &name, const QByteArray &ini) { return writeFile(m_dir, name, ini); }
    AgentProcess *shared()
    {
        if (!m_shared) {
            m_shared = std::make_unique<AgentProcess>();
            QString error;
            if (!m_shared->start({}, &error)) {
                qWarning("%s", qPrintable(error));
                m_shared.reset();
            }
        }
        return m_shared.get();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("TRACEMAP_AGENT").isEmpty())
            QSKIP("TRACEMAP_AGENT is not set (ctest sets it to the built tracemap-agent)");
        QVERIFY(m_dir.isValid());
    }

    void badParameters_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("parameter");
        auto row = [](const char *name, const char *query, const char *parameter) {
            QTest::newRow(name) << QString::fromUtf8(query) << QString::fromUtf8(parameter);
        };
        row("without dest", "/mtr?cycles=2", "dest");
        row("cycles zero", "/mtr?dest=127.0.0.1&cycles=0", "cycles");
        row("cycles above max_mtr_cycles", "/mtr?dest=127.0.0.1&cycles=101", "cycles");
        row("cycles not a number", "/mtr?dest=127.0.0.1&cycles=many", "cycles");
        row("interval below min_mtr_interval", "/mtr?dest=127.0.0.1&interval=0.5", "interval");
        row("interval above max_mtr_interval", "/mtr?dest=127.0.0.1&interval=61", "interval");
        row("interval nan", "/mtr?dest=127.0.0.1&interval=nan", "interval");
        row("watch longer than max_request_time", "/mtr?dest=127.0.0.1&cycles=100&interval=60", "cycles");
        row("trace option checked too", "/mtr?dest=127.0.0.1&max_ttl=65", "max_ttl");
        row("count is a ping parameter", "/mtr?dest=127.0.0.1&count=3", "count");
        row("duplicate cycles", "/mtr?dest=127.0.0.1&cycles=2&cycles=3", "cycles");
        row("bad stream", "/mtr?dest=127.0.0.1&stream=maybe", "stream");
    }

    void badParameters()
    {
        QFETCH(QString, query);
        QFETCH(QString, parameter);
        AgentProcess *agent = shared();
        QVERIFY(agent);
        const HttpAnswer a = m_http.get(agent->url(query));
        QCOMPARE(a.status, 400);
        const QJsonObject body = jsonOf(a.body);
        QVERIFY2(!body.value("error").toString().isEmpty(), a.body.constData());
        QCOMPARE(body.value("parameter").toString(), parameter);
    }

    void configuredBounds_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("status");
        QTest::newRow("cycles at the configured max") << "/mtr?dest=127.0.0.1&cycles=3&interval=0.2" << 200;
        QTest::newRow("cycles beyond the configured max")
            << "/mtr?dest=127.0.0.1&cycles=4&interval=0.2" << 400;
        QTest::newRow("interval below the configured min")
            << "/mtr?dest=127.0.0.1&cycles=2&interval=0.1" << 400;
        QTest::newRow("interval above the configured max")
            << "/mtr?dest=127.0.0.1&cycles=2&interval=2.5" << 400;
    }

    void configuredBounds()
    {
        QFETCH(QString, query);
        QFETCH(int, status);
        AgentProcess agent;
        QString error;
        const QByteArray ini = "[limits]\nmax_mtr_cycles=3\nmin_mtr_interval=0.2\nmax_mtr_interval=2\n";
        QVERIFY2(agent.start({"--config", configFile("bounds.conf", ini)}, &error), qPrintable(error));
        QCOMPARE(m_http.get(agent.url(query)).status, status);
    }

    void badConfig_data()
    {
        QTest::addColumn<QByteArray>("ini");
        QTest::newRow("min above max") << QByteArray("[limits]\nmin_mtr_interval=5\nmax_mtr_interval=2\n");
        QTest::newRow("cycles zero") << QByteArray("[limits]\nmax_mtr_cycles=0\n");
        QTest::newRow("interval below the watch minimum") << QByteArray("[limits]\nmin_mtr_interval=0.01\n");
    }

    void badConfig()
    {
        QFETCH(QByteArray, ini);
        AgentProcess agent;
        QString error;
        QVERIFY(!agent.start({"--config", configFile("bad.conf", ini)}, &error));
        QVERIFY2(error.contains("mtr"), qPrintable(error));
    }

    void deniedDestination_data()
    {
        QTest::addColumn<QByteArray>("ini");
        QTest::addColumn<QString>("query");
        QTest::newRow("denied literal")
            << QByteArray("[destinations]\ndeny=127.0.0.0/8\n") << "/mtr?cycles=1&dest=127.0.0.1";
        QTest::newRow("name resolving into a denied prefix")
            << QByteArray("[destinations]\ndeny=127.0.0.0/8, ::1/128\n") << "/mtr?cycles=1&dest=localhost";
        QTest::newRow("denied prefix")
            << QByteArray("[destinations]\ndeny=192.0.2.0/24\n") << "/mtr?cycles=1&dest=192.0.2.1";
        QTest::newRow("outside the allow list")
            << QByteArray("[destinations]\nallow=198.18.0.0/15\n") << "/mtr?cycles=1&dest=127.0.0.1";
        QTest::newRow("port not allowed") << QByteArray("[destinations]\nallowed_ports=33434-33534\n")
                                          << "/mtr?cycles=1&dest=127.0.0.1&method=tcp&port=22";
    }

    void deniedDestination()
    {
        QFETCH(QByteArray, ini);
        QFETCH(QString, query);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", configFile("deny.conf", ini)}, &error), qPrintable(error));
        const HttpAnswer a = m_http.get(agent.url(query));
        QCOMPARE(a.status, 403);
        QVERIFY2(!jsonOf(a.body).value("error").toString().isEmpty(), a.body.constData());
    }

    void countsAgainstProbeLimits()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", configFile("limits.conf", "[limits]\nmax_probes_per_client=1\n"
                                                                    "min_mtr_interval=0.2\n")},
                             &error),
                 qPrintable(error));
        // A watch of about 2 s holds the only slot: a trace and another watch are refused.
        QNetworkReply *watch = m_http.send(agent.url("/mtr?dest=127.0.0.1&cycles=5&interval=0.5"));
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 1);
        QCOMPARE(m_http.get(agent.url("/traceroute?dest=127.0.0.1")).status, 429);
        QCOMPARE(m_http.get(agent.url("/mtr?dest=127.0.0.1&cycles=1")).status, 429);
        QTRY_VERIFY_WITH_TIMEOUT(watch->isFinished(), 15000);
        QCOMPARE(HttpClient::collect(watch).status, 200);
        QCOMPARE(m_http.get(agent.url("/mtr?dest=127.0.0.1&cycles=1")).status, 200);
    }

    void documentMatchesCliWatch()
    {
        AgentProcess *agent = shared();
        QVERIFY(agent);
        const HttpAnswer a = m_http.get(agent->url("/mtr?dest=127.0.0.1&cycles=2&interval=1"));
        QCOMPARE(a.status, 200);
        const QJsonObject fromAgent = jsonOf(a.body);
        QProcess cli;
        cli.start(qEnvironmentVariable("TRACEMAP_CLI"),
                  {"watch", "127.0.0.1", "--json", "--cycles", "2", "--interval", "1"});
        QVERIFY(cli.waitForFinished(30000));
        const QJsonObject fromCli = jsonOf(cli.readAllStandardOutput());
        QVERIFY(!fromCli.isEmpty());
        QCOMPARE(sortedKeys(fromAgent), sortedKeys(fromCli));
        for (const char *key : {"target", "dest", "method", "interval", "cycles", "end_reason"})
            QCOMPARE(fromAgent.value(key), fromCli.value(key));
        QCOMPARE(fromAgent.value("cycles").toInt(), 2);
        QCOMPARE(fromAgent.value("end_reason").toString(), fromCli.value("end_reason").toString());
        const QJsonArray hops = fromAgent.value("hops").toArray();
        QCOMPARE(hops.size(), fromCli.value("hops").toArray().size());
        QVERIFY(!hops.isEmpty());
        const QJsonObject last = hops.last().toObject();
        QCOMPARE(sortedKeys(last), sortedKeys(fromCli.value("hops").toArray().last().toObject()));
        QCOMPARE(last.value("sent").toInt(), 2);
        QCOMPARE(last.value("received").toInt(), 2);
        QCOMPARE(last.value("responders").toArray().first().toObject().value("address").toString(),
                 QStringLiteral("127.0.0.1"));
    }

    void streamSendsRoundsThenDocument()
    {
        AgentProcess *agent = shared();
        QVERIFY(agent);
        const HttpAnswer a =
            m_http.get(agent->url("/mtr?dest=localhost&family=4&cycles=3&interval=1&stream=1"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.headers.value("content-type"), QByteArray("application/x-ndjson"));
        const QList<QByteArray> lines = a.body.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        for (int i = 0; i < 3; ++i) {
            const QJsonObject line = jsonOf(lines.at(i));
            QCOMPARE(line.value("event").toString(), QStringLiteral("round"));
            QCOMPARE(line.value("round").toInt(), i + 1);
            QVERIFY(!line.value("hops").toArray().isEmpty());
        }
        const QJsonObject last = jsonOf(lines.last());
        QCOMPARE(last.value("event").toString(), QStringLiteral("mtr"));
        const QJsonObject document = last.value("mtr").toObject();
        QCOMPARE(document.value("target").toString(), QStringLiteral("localhost"));
        QCOMPARE(document.value("cycles").toInt(), 3);
    }

    // The agent's configured place travels with /mtr exactly as with /traceroute: the first line
    // of a stream and a `vantage` object in the document; without one, nothing at all.
    void reportsConfiguredPlace_data()
    {
        QTest::addColumn<QByteArray>("ini");
        QTest::addColumn<QString>("name"); // empty: no place reported
        QTest::newRow("configured -> in the document and the first stream line")
            << QByteArray("[vantage]\nname=Frankfurt office\nlocation=50.11, 8.68\n") << "Frankfurt office";
        QTest::newRow("not configured -> absent") << QByteArray("[limits]\nmax_probes=8\n") << "";
    }

    void reportsConfiguredPlace()
    {
        QFETCH(QByteArray, ini);
        QFETCH(QString, name);
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({"--config", configFile("place.conf", ini)}, &error), qPrintable(error));
        const HttpAnswer streamed = m_http.get(agent.url("/mtr?dest=127.0.0.1&cycles=2&interval=1&stream=1"));
        QCOMPARE(streamed.status, 200);
        const QList<QByteArray> lines = streamed.body.trimmed().split('\n');
        const HttpAnswer plain = m_http.get(agent.url("/mtr?dest=127.0.0.1&cycles=1"));
        QCOMPARE(plain.status, 200);
        const QJsonObject last = jsonOf(lines.last());
        QCOMPARE(last.value("event").toString(), QStringLiteral("mtr"));
        const QJsonObject streamedDocument = last.value("mtr").toObject();
        const QJsonObject plainDocument = jsonOf(plain.body);
        QCOMPARE(plainDocument.value("cycles").toInt(), 1);
        if (name.isEmpty()) {
            QCOMPARE(lines.size(), 3); // two rounds, the document
            QCOMPARE(jsonOf(lines.first()).value("event").toString(), QStringLiteral("round"));
            QVERIFY(!streamed.body.contains("\"vantage\""));
            QVERIFY(!plain.body.contains("\"vantage\""));
            return;
        }
        QCOMPARE(lines.size(), 4); // the place, two rounds, the document
        const QJsonObject first = jsonOf(lines.first());
        QCOMPARE(first.value("event").toString(), QStringLiteral("vantage"));
        QCOMPARE(jsonOf(lines.at(1)).value("event").toString(), QStringLiteral("round"));
        for (const QJsonObject &vantage :
             {first.value("vantage").toObject(), streamedDocument.value("vantage").toObject(),
              plainDocument.value("vantage").toObject()}) {
            QCOMPARE(vantage.value("name").toString(), name);
            QCOMPARE(vantage.value("latitude").toDouble(), 50.11);
            QCOMPARE(vantage.value("longitude").toDouble(), 8.68);
            QCOMPARE(vantage.value("source").toString(), QStringLiteral("configured"));
        }
    }

    void hangUpCancelsTheWatch()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        QNetworkReply *watch = m_http.send(agent.url("/mtr?dest=127.0.0.1&cycles=100&interval=1"));
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 1);
        watch->abort();
        watch->deleteLater();
        // The slot comes back long before the 100 rounds would have ended.
        QTRY_COMPARE_WITH_TIMEOUT(
            jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 0, 10000);
    }

    void sigtermEndsTheWatch()
    {
        AgentProcess agent;
        QString error;
        QVERIFY2(agent.start({}, &error), qPrintable(error));
        QNetworkReply *watch = m_http.send(agent.url("/mtr?dest=127.0.0.1&cycles=100&interval=1"));
        QTRY_COMPARE(jsonOf(m_http.get(agent.url("/health")).body).value("active_probes").toInt(), 1);
        agent.process()->terminate(); // SIGTERM
        QTRY_VERIFY_WITH_TIMEOUT(watch->isFinished(), 5000);
        QCOMPARE(HttpClient::collect(watch).status, 503);
        QVERIFY(agent.process()->waitForFinished(5000));
        QCOMPARE(agent.process()->exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.process()->exitCode(), 0);
    }

    void cleanupTestCase() { m_shared.reset(); }
};

QTEST_MAIN(tst_AgentMtr)
#include "tst_agentmtr.moc"
