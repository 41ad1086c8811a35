// Globalping: the creation body, the measurement documents read into routes (traceroute and mtr,
// probes with their city and coordinates, failed probes), rate-limit headers, and the client
// against a loopback server playing the API: polling about 500 ms after each answer until the
// status is final, the optional Bearer token, 401, 429 with Retry-After, a measurement that never
// finishes (deadline, with the routes that arrived), a truncated answer. Nothing leaves 127.0.0.1.
#include "globalping.h"
#include "globalpingclient.h"
#include "globalpingdocs.h"
#include "loopbackhttpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

QByteArray readData(const QString &name)
{
    QFile f(qEnvironmentVariable("TRACEMAP_TEST_DATA") + QStringLiteral("/globalping/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read test data %s", qPrintable(f.fileName()));
    return f.readAll();
}

QByteArray inProgress()
{
    return tracemap::test::globalpingStillRunning(readData(QStringLiteral("traceroute-finished.json")));
}

const QByteArray kCreated = R"({"id":"gpTrace0001","probesCount":3})";
const QByteArray kBadToken = R"({"error":{"type":"unauthorized","message":"Invalid token."}})";
const QByteArray kValidation =
    R"({"error":{"type":"validation_error","message":"Parameter validation failed.","params":{"target":"bad"}}})";

QString replyKinds(const Hop &hop)
{
    QStringList kinds;
    for (const ProbeReply &r : hop.replies)
        kinds << (r.answered() ? QStringLiteral("%1@%2").arg(r.responder.toString()).arg(r.rttMs)
                               : QStringLiteral("*"));
    return kinds.join(QLatin1Char(' '));
}

} // namespace

Q_DECLARE_METATYPE(tracemap::GlobalpingClient::Error)

class tst_Globalping : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;

    std::unique_ptr<GlobalpingClient> client(const LoopbackHttpServer &server)
    {
        auto c = std::make_unique<GlobalpingClient>(&m_network);
        c->setBaseUrl(server.url());
        c->setRequestTimeoutMs(2000);
        c->setOverallTimeoutMs(8000);
        return c;
    }

private Q_SLOTS:
    void initTestCase() { registerVantageTypes(); }

    void creationBody()
    {
        GlobalpingSpec spec;
        spec.target = QStringLiteral("www.example.net");
        spec.locations = {QStringLiteral("Germany")};
        spec.limit = 2;
        spec.protocol = QStringLiteral("TCP");
        spec.port = 443;
        QCOMPARE(validate(spec), QString());
        QJsonObject body = globalpingCreationBody(spec);
        QCOMPARE(body.value(QStringLiteral("type")).toString(), QStringLiteral("traceroute"));
        QCOMPARE(body.value(QStringLiteral("target")).toString(), QStringLiteral("www.example.net"));
        QCOMPARE(body.value(QStringLiteral("limit")).toInt(), 2);
        QCOMPARE(
            body.value(QStringLiteral("locations")).toArray().at(0).toObject().value(QStringLiteral("magic")),
            QJsonValue(QStringLiteral("Germany")));
        const QJsonObject options = body.value(QStringLiteral("measurementOptions")).toObject();
        QCOMPARE(options.value(QStringLiteral("protocol")).toString(), QStringLiteral("TCP"));
        QCOMPARE(options.value(QStringLiteral("port")).toInt(), 443);
        QVERIFY(!options.contains(QStringLiteral("packets"))); // traceroute has none

        // Several locations: per-location limits and no global one (the API refuses both).
        spec.type = QStringLiteral("mtr");
        spec.locations = {QStringLiteral("Tokyo"), QStringLiteral("AS64500")};
        spec.limit = 3;
        spec.packets = 5;
        body = globalpingCreationBody(spec);
        QVERIFY(!body.contains(QStringLiteral("limit")));
        QCOMPARE(body.value(QStringLiteral("locations")).toArray().size(), 2);
        QCOMPARE(body.value(QStringLiteral("locations"))
                     .toArray()
                     .at(1)
                     .toObject()
                     .value(QStringLiteral("limit"))
                     .toInt(),
                 2);
        QCOMPARE(body.value(QStringLiteral("measurementOptions"))
                     .toObject()
                     .value(QStringLiteral("packets"))
                     .toInt(),
                 5);

        spec.type = QStringLiteral("ping");
        QVERIFY(!validate(spec).isEmpty());
        spec.type = QStringLiteral("traceroute");
        spec.limit = 0;
        QVERIFY(!validate(spec).isEmpty());
    }

    void tracerouteDocument()
    {
        const GlobalpingParseOutcome outcome =
            parseGlobalpingMeasurement(readData(QStringLiteral("traceroute-finished.json")));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const GlobalpingMeasurement &m = outcome.measurement;
        QCOMPARE(m.id, QStringLiteral("gpTrace0001"));
        QVERIFY(!m.inProgress());
        QCOMPARE(m.routes.size(), 3);

        const VantageTrace &fra = m.routes.at(0);
        QVERIFY(fra.vantage.kind == VantageKind::Globalping);
        QCOMPARE(fra.vantage.city, QStringLiteral("Frankfurt"));
        QCOMPARE(fra.vantage.country, QStringLiteral("DE"));
        QCOMPARE(fra.vantage.asn, 64500);
        QCOMPARE(fra.vantage.latitude, 50.1109);
        QCOMPARE(fra.vantage.longitude, 8.6821);
        QCOMPARE(fra.vantage.name, QStringLiteral("Globalping Frankfurt, DE (AS64500)"));
        QCOMPARE(fra.trace.target, QStringLiteral("www.example.net"));
        QCOMPARE(fra.trace.destination, QHostAddress(QStringLiteral("192.0.2.10")));
        QCOMPARE(fra.trace.hops.size(), 4);
        QCOMPARE(replyKinds(fra.trace.hops.at(0)), QStringLiteral("10.0.0.1@0.412 10.0.0.1@0.389"));
        QCOMPARE(replyKinds(fra.trace.hops.at(1)), QStringLiteral("* *")); // silent hop: both probes lost
        QCOMPARE(replyKinds(fra.trace.hops.at(2)), QStringLiteral("203.0.113.5@3.1 *"));
        QVERIFY(fra.trace.hops.at(3).replies.at(0).kind == ReplyKind::EchoReply);
        QVERIFY(fra.trace.reached);
        QVERIFY(!fra.failed);
        QCOMPARE(fra.notes.size(), 2); // names the API resolved, for hops 3 and 4
        QCOMPARE(fra.notes.at(0).hostnames, QStringList{QStringLiteral("ae1.fra1.example.net")});

        const VantageTrace &gru = m.routes.at(1);
        QCOMPARE(gru.vantage.latitude, -23.5505);
        QVERIFY(!gru.trace.reached);

        const VantageTrace &tyo = m.routes.at(2);
        QVERIFY(tyo.failed);
        QCOMPARE(tyo.failure,
                 QStringLiteral("Globalping Tokyo, JP (AS64502): traceroute: unknown host www.example.net"));
        QVERIFY(tyo.trace.hops.isEmpty());
    }

    void mtrDocument()
    {
        const GlobalpingParseOutcome outcome =
            parseGlobalpingMeasurement(readData(QStringLiteral("mtr-finished.json")));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const VantageTrace &route = outcome.measurement.routes.at(0);
        QVERIFY(route.trace.method == ProbeMethod::Udp);
        QCOMPARE(route.trace.hops.size(), 3);
        const Hop &lossy = route.trace.hops.at(1);
        QCOMPARE(lossy.probesSent, 3); // stats.total
        QCOMPARE(lossy.stats().received, 1);
        QCOMPARE(replyKinds(lossy), QStringLiteral("203.0.113.90@5 * *"));
        QVERIFY(route.trace.reached);
        QVERIFY(route.trace.hops.at(2).replies.at(0).kind == ReplyKind::Unreachable); // UDP: port unreachable
        QCOMPARE(route.notes.at(0).hostnames, QStringList{QStringLiteral("gw.example.lan")});
    }

    // Garbage a server could send (found by fuzz_vantage): numbers beyond int, a billion probes
    // a hop, more hops than a TTL can count. Nothing undefined, nothing unbounded.
    void garbageIsBounded_data()
    {
        QTest::addColumn<QString>("path"); // what is replaced in the mtr fixture's first result
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("asn beyond int") << "probe.asn" << QJsonValue(6.45e83);
        QTest::newRow("a billion probes a hop") << "hop.stats.total" << QJsonValue(1e9);
        QTest::newRow("negative probes") << "hop.stats.total" << QJsonValue(-5);
        QTest::newRow("300 hops") << "hops" << QJsonValue(300);
    }
    void garbageIsBounded()
    {
        QFETCH(QString, path);
        QFETCH(QJsonValue, value);
        QJsonObject doc = QJsonDocument::fromJson(readData(QStringLiteral("mtr-finished.json"))).object();
        QJsonArray results = doc.value(QStringLiteral("results")).toArray();
        QJsonObject entry = results.at(0).toObject();
        QJsonObject result = entry.value(QStringLiteral("result")).toObject();
        QJsonArray hops = result.value(QStringLiteral("hops")).toArray();
        if (path == QLatin1String("probe.asn")) {
            QJsonObject probe = entry.value(QStringLiteral("probe")).toObject();
            probe.insert(QStringLiteral("asn"), value);
            entry.insert(QStringLiteral("probe"), probe);
        } else if (path == QLatin1String("hop.stats.total")) {
            QJsonObject hop = hops.at(0).toObject();
            QJsonObject stats = hop.value(QStringLiteral("stats")).toObject();
            stats.insert(QStringLiteral("total"), value);
            hop.insert(QStringLiteral("stats"), stats);
            hops.replace(0, hop);
        } else {
            const QJsonValue first = hops.at(0);
            while (hops.size() < value.toInt())
                hops.append(first);
        }
        result.insert(QStringLiteral("hops"), hops);
        entry.insert(QStringLiteral("result"), result);
        results.replace(0, entry);
        doc.insert(QStringLiteral("results"), results);
        const GlobalpingParseOutcome outcome = parseGlobalpingMeasurement(QJsonDocument(doc).toJson());
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const VantageTrace &route = outcome.measurement.routes.at(0);
        QVERIFY(route.trace.hops.size() <= 255);
        for (const Hop &hop : route.trace.hops)
            QVERIFY2(hop.probesSent >= 0 && hop.probesSent <= 64,
                     qPrintable(QString::number(hop.probesSent)));
        if (path == QLatin1String("probe.asn"))
            QCOMPARE(route.vantage.asn, 0);
        if (path == QLatin1String("hops"))
            QVERIFY2(route.failed && route.failure.contains(QLatin1String("more than 255 hops")),
                     qPrintable(route.failure));
    }

    void damagedDocuments_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("truncated") << readData(QStringLiteral("traceroute-finished.json")).left(300)
                                   << "JSON";
        QTest::newRow("not a measurement") << QByteArray("{\"foo\":1}") << "not a Globalping measurement";
        QTest::newRow("ping")
            << QByteArray("{\"id\":\"x\",\"type\":\"ping\",\"status\":\"finished\",\"results\":[]}")
            << "ping";
    }

    void damagedDocuments()
    {
        QFETCH(QByteArray, document);
        QFETCH(QString, mentions);
        const GlobalpingParseOutcome outcome = parseGlobalpingMeasurement(document);
        QVERIFY(!outcome.ok());
        QVERIFY2(outcome.message.contains(mentions), qPrintable(outcome.message));
    }

    void rateLimitHeaders()
    {
        const QDateTime now = QDateTime::fromSecsSinceEpoch(1'700'000'000, Qt::UTC);
        RateLimitInfo info = parseRateLimit(
            {{"X-RateLimit-Limit", "250"}, {"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "1200"}},
            now);
        QCOMPARE(info.limit, 250);
        QCOMPARE(info.remaining, 0);
        QCOMPARE(info.waitSeconds(60), 1200);
        info = parseRateLimit({{"retry-after", "7"}, {"X-RateLimit-Reset", "1200"}}, now);
        QCOMPARE(info.waitSeconds(60), 7);
        info = parseRateLimit({{"Retry-After", now.addSecs(30).toString(Qt::RFC2822Date).toLatin1()}}, now);
        QCOMPARE(info.waitSeconds(60), 30);
        QCOMPARE(parseRateLimit({}, now).waitSeconds(60), 60);
        QCOMPARE(retryAfterSeconds("soon", now), -1);
    }

    void createAndPoll()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        int polls = 0;
        server.route(QStringLiteral("/v1/measurements"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(kCreated, 202);
        });
        server.route(
            QStringLiteral("/v1/measurements/gpTrace0001"), [&](const LoopbackHttpServer::Request &) {
                return LoopbackHttpServer::json(
                    ++polls < 3 ? inProgress() : readData(QStringLiteral("traceroute-finished.json")));
            });
        auto c = client(server);
        c->setToken("gp-secret-token-123");
        QSignalSpy progress(c.get(), &GlobalpingClient::progress);
        QSignalSpy finished(c.get(), &GlobalpingClient::finished);
        GlobalpingSpec spec;
        spec.target = QStringLiteral("www.example.net");
        spec.locations = {QStringLiteral("Europe")};
        spec.limit = 3;
        c->start(spec);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 8000);
        QCOMPARE(finished.at(0).at(0).value<GlobalpingClient::Error>(), GlobalpingClient::Error::None);
        QCOMPARE(progress.size(), 3);
        QCOMPARE(c->measurement().routes.size(), 3);
        // The first answers already carried the probe that had finished.
        const auto first = progress.at(0).at(0).value<GlobalpingMeasurement>();
        QVERIFY(first.inProgress());
        QCOMPARE(first.routes.at(0).trace.hops.size(), 4);

        const QList<LoopbackHttpServer::Request> log = server.requests();
        QCOMPARE(log.size(), 4);
        QCOMPARE(log.at(0).method, QByteArray("POST"));
        const QJsonObject body = QJsonDocument::fromJson(log.at(0).body).object();
        QCOMPARE(body.value(QStringLiteral("target")).toString(), QStringLiteral("www.example.net"));
        QCOMPARE(log.at(0).header("content-type"), QByteArray("application/json"));
        for (const auto &r : log) {
            QCOMPARE(r.header("authorization"), QByteArray("Bearer gp-secret-token-123"));
            QVERIFY(r.header("user-agent").startsWith("tracemap/"));
        }
        // About 500 ms after each answer: never two polls closer than 400 ms where they arrive.
        for (int i = 2; i < log.size(); ++i)
            QVERIFY2(log.at(i).receivedMs - log.at(i - 1).receivedMs >= 400,
                     qPrintable(QString::number(log.at(i).receivedMs - log.at(i - 1).receivedMs)));
    }

    void withoutToken()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/v1/measurements/gpMtr0001"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(readData(QStringLiteral("mtr-finished.json")));
        });
        auto c = client(server);
        QSignalSpy finished(c.get(), &GlobalpingClient::finished);
        c->fetch(QStringLiteral("gpMtr0001"));
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).value<GlobalpingClient::Error>(), GlobalpingClient::Error::None);
        QVERIFY(server.requests().at(0).header("authorization").isEmpty());
    }

    void failures_data()
    {
        QTest::addColumn<LoopbackHttpServer::Response>("create");
        QTest::addColumn<GlobalpingClient::Error>("error");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("401") << LoopbackHttpServer::json(kBadToken, 401) << GlobalpingClient::Error::BadToken
                             << "token is wrong";
        QTest::newRow("400") << LoopbackHttpServer::json(kValidation, 400) << GlobalpingClient::Error::Api
                             << "Parameter validation failed";
        QTest::newRow("not json") << LoopbackHttpServer::text("<html>gateway</html>", 202)
                                  << GlobalpingClient::Error::BadAnswer << "did not say";
        LoopbackHttpServer::Response never;
        never.neverAnswer = true;
        QTest::newRow("no answer") << never << GlobalpingClient::Error::Timeout << "did not finish in time";
        LoopbackHttpServer::Response cut = LoopbackHttpServer::json(kCreated, 202);
        cut.contentLength = 500;
        cut.closeAfter = true;
        QTest::newRow("truncated") << cut << GlobalpingClient::Error::Network << "Globalping";
        LoopbackHttpServer::Response limited = LoopbackHttpServer::json("{}", 429);
        limited.header("Retry-After", "3600");
        QTest::newRow("429 beyond the deadline") << limited << GlobalpingClient::Error::RateLimited << "429";
    }

    void failures()
    {
        QFETCH(LoopbackHttpServer::Response, create);
        QFETCH(GlobalpingClient::Error, error);
        QFETCH(QString, mentions);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/v1/measurements"),
                     [create](const LoopbackHttpServer::Request &) { return create; });
        auto c = client(server);
        c->setOverallTimeoutMs(1500);
        c->setToken("gp-secret-token-123");
        QSignalSpy finished(c.get(), &GlobalpingClient::finished);
        GlobalpingSpec spec;
        spec.target = QStringLiteral("192.0.2.10");
        c->start(spec);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.at(0).at(0).value<GlobalpingClient::Error>(), error);
        const QString message = finished.at(0).at(1).toString();
        QVERIFY2(message.contains(mentions), qPrintable(message));
        QVERIFY(!message.contains(QLatin1String("gp-secret-token-123")));
    }

    void waitsForRetryAfter()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        int posts = 0;
        server.route(QStringLiteral("/v1/measurements"), [&](const LoopbackHttpServer::Request &) {
            if (++posts == 1)
                return LoopbackHttpServer::json(R"({"error":{"message":"Too many requests."}})", 429)
                    .header("Retry-After", "1")
                    .header("X-RateLimit-Remaining", "0");
            return LoopbackHttpServer::json(kCreated, 202);
        });
        server.route(QStringLiteral("/v1/measurements/gpTrace0001"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(readData(QStringLiteral("traceroute-finished.json")));
        });
        auto c = client(server);
        QSignalSpy waiting(c.get(), &GlobalpingClient::waiting);
        QSignalSpy finished(c.get(), &GlobalpingClient::finished);
        GlobalpingSpec spec;
        spec.target = QStringLiteral("192.0.2.10");
        c->start(spec);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 6000);
        QCOMPARE(finished.at(0).at(0).value<GlobalpingClient::Error>(), GlobalpingClient::Error::None);
        QCOMPARE(waiting.size(), 1);
        QVERIFY(waiting.at(0).at(0).toString().contains(QLatin1String("Retry-After")));
        QCOMPARE(waiting.at(0).at(1).toInt(), 1);
        const auto log = server.requests();
        QVERIFY(log.at(1).receivedMs - log.at(0).receivedMs >= 900); // it waited where the server can see
    }

    void neverFinishes()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/v1/measurements/gpTrace0001"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(inProgress());
        });
        auto c = client(server);
        c->setOverallTimeoutMs(1800);
        QSignalSpy finished(c.get(), &GlobalpingClient::finished);
        c->fetch(QStringLiteral("gpTrace0001"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 6000);
        QCOMPARE(finished.at(0).at(0).value<GlobalpingClient::Error>(), GlobalpingClient::Error::Timeout);
        // What arrived stays: the probe that finished and the two still running.
        QCOMPARE(c->measurement().routes.size(), 3);
        QVERIFY(finished.at(0).at(1).toString().contains(QLatin1String("3 routes arrived")));
        QVERIFY(server.requestCount() <= 5); // about one poll per 500 ms, not a busy loop
    }
};

QTEST_GUILESS_MAIN(tst_Globalping)
#include "tst_globalping.moc"
