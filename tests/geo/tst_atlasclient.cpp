// The RIPE Atlas client against a loopback server playing the v2 API: results of several firmware
// versions placed where their probes are (GeoJSON, longitude first; a probe without coordinates
// stays unplaced), start/stop/probe_ids, a one-off traceroute created with the key in the
// Authorization header and polled until it stops, 401/403 ("the key is wrong"), 429 with
// Retry-After (waited out and said), slow and truncated answers, a measurement that never
// finishes (deadline, partial results kept). Also the pure request builders. Nothing leaves 127.0.0.1.
#include "atlasapi.h"
#include "atlasclient.h"
#include "loopbackhttpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

QByteArray firmwareResults()
{
    QFile f(qEnvironmentVariable("TRACEMAP_TEST_DATA") + QStringLiteral("/atlas/traceroute-firmwares.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    return f.readAll();
}

// The first `n` results of the firmware file.
QByteArray firstResults(int n)
{
    const QJsonArray all = QJsonDocument::fromJson(firmwareResults()).array();
    QJsonArray some;
    for (int i = 0; i < n && i < all.size(); ++i)
        some.append(all.at(i));
    return QJsonDocument(some).toJson(QJsonDocument::Compact);
}

// Probe 1001 and 1003 have coordinates; the others never reported any (geometry null).
LoopbackHttpServer::Response probe(const LoopbackHttpServer::Request &request)
{
    const qint64 id = request.path.section(QLatin1Char('/'), 4, 4).toLongLong();
    if (id == 1001)
        return LoopbackHttpServer::json(R"({"id":1001,"asn_v4":64500,"country_code":"DE","description":"home",
            "geometry":{"type":"Point","coordinates":[8.6821,50.1109]},"status":{"id":1,"name":"Connected"}})");
    if (id == 1003)
        return LoopbackHttpServer::json(R"({"id":1003,"asn_v4":64501,"country_code":"br",
            "geometry":{"type":"Point","coordinates":[-46.6333,-23.5505]}})");
    if (id == 1004)
        return LoopbackHttpServer::json(R"({"detail":"Not found."})", 404);
    return LoopbackHttpServer::json(
        QStringLiteral(R"({"id":%1,"asn_v4":null,"country_code":"NL","geometry":null})").arg(id).toUtf8());
}

const QByteArray kBadKey =
    R"({"error":{"status":403,"code":104,"detail":"The provided API key does not exist","title":"Forbidden"}})";
const QByteArray kBadRequest =
    R"({"error":{"status":400,"code":102,"detail":"Invalid input","title":"Bad Request",
    "errors":[{"source":{"pointer":"/definitions/0/target"},"detail":"Invalid target"}]}})";

} // namespace

Q_DECLARE_METATYPE(tracemap::AtlasClient::Error)

class tst_AtlasClient : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;

    std::unique_ptr<AtlasClient> client(const LoopbackHttpServer &server)
    {
        auto c = std::make_unique<AtlasClient>(&m_network);
        c->setBaseUrl(server.url());
        c->setRequestTimeoutMs(2000);
        c->setOverallTimeoutMs(8000);
        c->setPollIntervalMs(200);
        return c;
    }

    static AtlasTraceSpec spec()
    {
        AtlasTraceSpec s;
        s.target = QStringLiteral("www.example.net");
        s.probes.type = AtlasProbeSelection::Type::Country;
        s.probes.value = QStringLiteral("de");
        s.probes.requested = 3;
        return s;
    }

private Q_SLOTS:
    void initTestCase() { registerVantageTypes(); }

    void requests()
    {
        const QUrl base(QStringLiteral("https://mirror.example/atlas/"));
        const QUrl results = atlasResultsUrl(base, 5001, 1700000000, 1700003600, {1001, 1002});
        QCOMPARE(results.path(), QStringLiteral("/atlas/api/v2/measurements/5001/results/"));
        const QUrlQuery query(results);
        QCOMPARE(query.queryItemValue(QStringLiteral("start")), QStringLiteral("1700000000"));
        QCOMPARE(query.queryItemValue(QStringLiteral("stop")), QStringLiteral("1700003600"));
        QCOMPARE(query.queryItemValue(QStringLiteral("probe_ids")), QStringLiteral("1001,1002"));
        QCOMPARE(atlasProbeUrl(base, 7).path(), QStringLiteral("/atlas/api/v2/probes/7/"));

        AtlasTraceSpec s = spec();
        QCOMPARE(validate(s), QString());
        const QJsonObject body = atlasCreationBody(s);
        QVERIFY(body.value(QStringLiteral("is_oneoff")).toBool());
        const QJsonObject definition = body.value(QStringLiteral("definitions")).toArray().at(0).toObject();
        QCOMPARE(definition.value(QStringLiteral("type")).toString(), QStringLiteral("traceroute"));
        QCOMPARE(definition.value(QStringLiteral("target")).toString(), QStringLiteral("www.example.net"));
        QCOMPARE(definition.value(QStringLiteral("af")).toInt(), 4);
        const QJsonObject probes = body.value(QStringLiteral("probes")).toArray().at(0).toObject();
        QCOMPARE(probes.value(QStringLiteral("type")).toString(), QStringLiteral("country"));
        QCOMPARE(probes.value(QStringLiteral("value")).toString(), QStringLiteral("DE"));
        QCOMPARE(probes.value(QStringLiteral("requested")).toInt(), 3);
        QCOMPARE(atlasExpectedCredits(s), 180); // 3 probes × 60

        s.probes.type = AtlasProbeSelection::Type::Asn;
        s.probes.value = QStringLiteral("AS64500");
        QCOMPARE(validate(s), QString());
        QCOMPARE(atlasCreationBody(s)
                     .value(QStringLiteral("probes"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("value"))
                     .toString(),
                 QStringLiteral("64500"));
        s.probes.type = AtlasProbeSelection::Type::Area;
        s.probes.value = QStringLiteral("Mars");
        QVERIFY(validate(s).contains(QLatin1String("North-Central")));
        s.probes.type = AtlasProbeSelection::Type::Country;
        s.probes.value = QStringLiteral("DEU");
        QVERIFY(!validate(s).isEmpty());
    }

    void probeDocuments()
    {
        VantagePoint p;
        QString error;
        QVERIFY(parseAtlasProbe(R"({"id":9,"country_code":"jp","asn_v4":null,"asn_v6":64509,
            "geometry":{"type":"Point","coordinates":[139.69,35.69]}})",
                                &p, &error));
        QCOMPARE(p.latitude, 35.69); // GeoJSON: longitude first
        QCOMPARE(p.longitude, 139.69);
        QCOMPARE(p.country, QStringLiteral("JP"));
        QCOMPARE(p.asn, 64509);
        QVERIFY(parseAtlasProbe(R"({"id":10,"geometry":null})", &p, &error));
        QVERIFY(!p.hasLocation());
        QVERIFY(!parseAtlasProbe("[]", &p, &error));
        QVERIFY(atlasErrorMessage(401, {}).contains(QLatin1String("key is wrong")));
        QVERIFY(atlasErrorMessage(403, kBadKey).contains(QLatin1String("key is wrong")));
        QCOMPARE(atlasErrorMessage(400, kBadRequest),
                 QStringLiteral("RIPE Atlas answered HTTP 400: Invalid input: Invalid target"));
    }

    // One name per probe selection type, read back exactly: the API's field, the CLI's option
    // and the desktop dialog's choice.
    void selectionNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("type"); // -1: not a selection type
        QTest::newRow("country") << "country" << int(AtlasProbeSelection::Type::Country);
        QTest::newRow("asn") << "asn" << int(AtlasProbeSelection::Type::Asn);
        QTest::newRow("area") << "area" << int(AtlasProbeSelection::Type::Area);
        QTest::newRow("upper case") << "Country" << -1;
        QTest::newRow("unknown") << "probes" << -1;
        QTest::newRow("empty") << "" << -1;
    }
    void selectionNames()
    {
        QFETCH(QString, name);
        QFETCH(int, type);
        const std::optional<AtlasProbeSelection::Type> read = atlasSelectionFromName(name);
        QCOMPARE(read ? int(*read) : -1, type);
        if (read)
            QCOMPARE(atlasSelectionName(*read), name);
    }

    void fetchResultsWithPlaces()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(
            QStringLiteral("/api/v2/measurements/5001/results/"),
            [](const LoopbackHttpServer::Request &) { return LoopbackHttpServer::json(firstResults(4)); });
        server.setDefaultHandler(probe);
        auto c = client(server);
        QSignalSpy arrived(c.get(), &AtlasClient::routesArrived);
        QSignalSpy finished(c.get(), &AtlasClient::finished);
        c->fetchResults(5001, 1700000000, -1, {1001, 1002, 1003, 1004});
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.at(0).at(0).value<AtlasClient::Error>(), AtlasClient::Error::None);
        const QList<VantageTrace> routes = c->routes();
        QCOMPARE(routes.size(), 4);
        QCOMPARE(arrived.size(), 1);
        QCOMPARE(routes.at(0).vantage.latitude, 50.1109);
        QCOMPARE(routes.at(0).vantage.longitude, 8.6821);
        QCOMPARE(routes.at(0).vantage.country, QStringLiteral("DE"));
        QCOMPARE(routes.at(0).vantage.publicAddress,
                 QHostAddress(QStringLiteral("198.51.100.200"))); // from the result
        QVERIFY(!routes.at(1).vantage.hasLocation());             // geometry null
        QCOMPARE(routes.at(1).vantage.country, QStringLiteral("NL"));
        QCOMPARE(routes.at(2).vantage.country, QStringLiteral("BR"));
        QVERIFY(!routes.at(3).vantage.hasLocation()); // 404: no place, not a failure
        QCOMPARE(routes.at(3).vantage.id, QStringLiteral("atlas:1004"));
        const auto log = server.requests();
        QCOMPARE(log.size(), 5); // results + one request per probe
        const QUrlQuery query(log.at(0).query);
        QCOMPARE(query.queryItemValue(QStringLiteral("start")), QStringLiteral("1700000000"));
        QVERIFY(!query.hasQueryItem(QStringLiteral("stop")));
        QCOMPARE(query.queryItemValue(QStringLiteral("probe_ids")), QStringLiteral("1001,1002,1003,1004"));
        QVERIFY(log.at(0).header("authorization").isEmpty()); // public results need no key
    }

    void createAndPoll()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        int statusPolls = 0;
        server.route(QStringLiteral("/api/v2/measurements/"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"measurements":[5009]})", 201);
        });
        server.route(QStringLiteral("/api/v2/measurements/5009/"), [&](const LoopbackHttpServer::Request &) {
            ++statusPolls;
            return LoopbackHttpServer::json(
                statusPolls < 3
                    ? R"({"id":5009,"status":{"id":2,"name":"Ongoing"},"probes_requested":3,"participant_count":3})"
                    : R"({"id":5009,"status":{"id":4,"name":"Stopped"},"probes_requested":3,"participant_count":3})");
        });
        // Results arrive one probe at a time.
        server.route(QStringLiteral("/api/v2/measurements/5009/results/"),
                     [&](const LoopbackHttpServer::Request &) {
                         return LoopbackHttpServer::json(firstResults(statusPolls));
                     });
        server.setDefaultHandler(probe);
        auto c = client(server);
        c->setKey("0123abcd-secret-key");
        QSignalSpy created(c.get(), &AtlasClient::created);
        QSignalSpy arrived(c.get(), &AtlasClient::routesArrived);
        QSignalSpy finished(c.get(), &AtlasClient::finished);
        c->createTrace(spec());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 6000);
        QCOMPARE(finished.at(0).at(0).value<AtlasClient::Error>(), AtlasClient::Error::None);
        QCOMPARE(created.at(0).at(0).toLongLong(), 5009);
        QCOMPARE(c->routes().size(), 3);
        QCOMPARE(arrived.size(), 3); // partial results reported as they came
        const auto log = server.requests();
        QCOMPARE(log.at(0).method, QByteArray("POST"));
        QCOMPARE(log.at(0).header("authorization"), QByteArray("Key 0123abcd-secret-key"));
        const QJsonObject body = QJsonDocument::fromJson(log.at(0).body).object();
        QVERIFY(body.value(QStringLiteral("is_oneoff")).toBool());
        for (const auto &r : log)
            QVERIFY(!r.target.contains("secret")); // the key never goes into a URL
    }

    void failures_data()
    {
        QTest::addColumn<LoopbackHttpServer::Response>("answer");
        QTest::addColumn<AtlasClient::Error>("error");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("401") << LoopbackHttpServer::json(R"({"detail":"x"})", 401)
                             << AtlasClient::Error::BadKey << "key is wrong";
        QTest::newRow("403") << LoopbackHttpServer::json(kBadKey, 403) << AtlasClient::Error::BadKey
                             << "key is wrong";
        QTest::newRow("400") << LoopbackHttpServer::json(kBadRequest, 400) << AtlasClient::Error::Api
                             << "Invalid target";
        QTest::newRow("slow") << LoopbackHttpServer::json(R"({"measurements":[1]})", 201).delayed(4000)
                              << AtlasClient::Error::Timeout << "did not answer in time";
        LoopbackHttpServer::Response cut = LoopbackHttpServer::json(R"({"measurements":[1]})", 201);
        cut.contentLength = 4000;
        cut.closeAfter = true;
        QTest::newRow("truncated") << cut << AtlasClient::Error::Network << "RIPE Atlas";
        QTest::newRow("html") << LoopbackHttpServer::text("<html>maintenance</html>", 201)
                              << AtlasClient::Error::BadAnswer << "did not say";
    }

    void failures()
    {
        QFETCH(LoopbackHttpServer::Response, answer);
        QFETCH(AtlasClient::Error, error);
        QFETCH(QString, mentions);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/api/v2/measurements/"),
                     [answer](const LoopbackHttpServer::Request &) { return answer; });
        auto c = client(server);
        c->setOverallTimeoutMs(1500);
        c->setKey("0123abcd-secret-key");
        QSignalSpy finished(c.get(), &AtlasClient::finished);
        c->createTrace(spec());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QCOMPARE(finished.at(0).at(0).value<AtlasClient::Error>(), error);
        const QString message = finished.at(0).at(1).toString();
        QVERIFY2(message.contains(mentions), qPrintable(message));
        QVERIFY(!message.contains(QLatin1String("secret")));
    }

    void createNeedsKey()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        auto c = client(server);
        QSignalSpy finished(c.get(), &AtlasClient::finished);
        c->createTrace(spec());
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).value<AtlasClient::Error>(), AtlasClient::Error::InvalidRequest);
        QCOMPARE(server.requestCount(), 0); // nothing spent without a key
    }

    void waitsForRetryAfter()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        int asked = 0;
        server.route(QStringLiteral("/api/v2/measurements/5001/results/"),
                     [&](const LoopbackHttpServer::Request &) {
                         if (++asked == 1)
                             return LoopbackHttpServer::json(
                                        R"({"error":{"status":429,"title":"Too Many Requests"}})", 429)
                                 .header("Retry-After", "1");
                         return LoopbackHttpServer::json(firstResults(2));
                     });
        server.setDefaultHandler(probe);
        auto c = client(server);
        QSignalSpy waiting(c.get(), &AtlasClient::waiting);
        QSignalSpy finished(c.get(), &AtlasClient::finished);
        c->fetchResults(5001);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 6000);
        QCOMPARE(finished.at(0).at(0).value<AtlasClient::Error>(), AtlasClient::Error::None);
        QCOMPARE(c->routes().size(), 2);
        QCOMPARE(waiting.size(), 1);
        QVERIFY(waiting.at(0).at(0).toString().contains(QLatin1String("waiting 1 s")));
        const auto log = server.requests();
        QVERIFY(log.at(1).receivedMs - log.at(0).receivedMs >= 900);
    }

    void neverFinishes()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/api/v2/measurements/"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"measurements":[5010]})", 201);
        });
        server.route(QStringLiteral("/api/v2/measurements/5010/"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(
                R"({"id":5010,"status":{"id":2,"name":"Ongoing"},"participant_count":null})");
        });
        server.route(
            QStringLiteral("/api/v2/measurements/5010/results/"),
            [](const LoopbackHttpServer::Request &) { return LoopbackHttpServer::json(firstResults(1)); });
        server.setDefaultHandler(probe);
        auto c = client(server);
        c->setKey("0123abcd-secret-key");
        c->setOverallTimeoutMs(1500);
        QSignalSpy finished(c.get(), &AtlasClient::finished);
        c->createTrace(spec());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 6000);
        QCOMPARE(finished.at(0).at(0).value<AtlasClient::Error>(), AtlasClient::Error::Timeout);
        QCOMPARE(c->routes().size(), 1); // the partial result stays
        QVERIFY2(finished.at(0).at(1).toString().contains(QLatin1String("1 of 3 results")),
                 qPrintable(finished.at(0).at(1).toString()));
    }

    void damagedResults()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/api/v2/measurements/5001/results/"),
                     [](const LoopbackHttpServer::Request &) {
                         return LoopbackHttpServer::json(firstResults(3).left(200));
                     });
        auto c = client(server);
        QSignalSpy finished(c.get(), &AtlasClient::finished);
        c->fetchResults(5001);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(0).value<AtlasClient::Error>(), AtlasClient::Error::BadAnswer);
        QVERIFY(finished.at(0).at(1).toString().contains(QLatin1String("not valid JSON")));
    }
};

QTEST_GUILESS_MAIN(tst_AtlasClient)
#include "tst_atlasclient.moc"
