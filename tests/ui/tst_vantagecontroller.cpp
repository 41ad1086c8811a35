// VantageController: routes from other vantage points on the desktop map. Saved RIPE Atlas and
// Globalping documents open as one coloured route each; every route's hops go through one
// GeoService with the route's own start (so the same router is judged from each vantage's
// place); routes are shown and hidden one by one; the hop table's model follows the selection;
// a RIPE Atlas fetch that fails (401, a loopback fake) marks only its own route failed, and a
// 429 is waited out and said. Measurements created from the app against loopback fakes: a RIPE
// Atlas one-off is priced and sent only after a yes (a no sends nothing), streams its routes in,
// and says 401, 429 and a measurement that never finishes; a Globalping measurement is polled
// until final, its probes' places start their routes. An agent's route starts at its configured
// place, else its public address as this chain places it, else the estimate from its first hop.
#include "../geo/tst_tracefile_fixture.h"
#include "geoservice.h"
#include "globalpingdocs.h"
#include "hoplistmodel.h"
#include "loopbackhttpserver.h"
#include "resultformat.h"
#include "secretstore.h"
#include "vantagecontroller.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

QString dataPath(const QString &name)
{
    return qEnvironmentVariable("TRACEMAP_TEST_DATA") + QLatin1Char('/') + name;
}

QByteArray readData(const QString &name)
{
    QFile f(dataPath(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The first `count` results of the firmware collection, as a results download.
QByteArray atlasResults(int count)
{
    const QJsonArray all =
        QJsonDocument::fromJson(readData(QStringLiteral("atlas/traceroute-firmwares.json"))).array();
    QJsonArray some;
    for (int i = 0; i < count && i < all.size(); ++i)
        some.append(all.at(i));
    return QJsonDocument(some).toJson(QJsonDocument::Compact);
}

// Answers from a table at once ("lat,lon" by address), and rejects nothing itself: the RTT check
// of the service decides with each query's start.
class TableProvider final : public GeoProvider
{
public:
    explicit TableProvider(QHash<QString, QPair<double, double>> table) : m_table(std::move(table)) {}
    QString id() const override { return QStringLiteral("table"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        GeoAnswer answer;
        const auto it = m_table.constFind(query.address.toString());
        if (it == m_table.cend()) {
            answer.status = GeoStatus::Unlocatable;
            answer.reason = QStringLiteral("unknown");
        } else {
            answer.status = GeoStatus::Located;
            answer.place.latitude = it->first;
            answer.place.longitude = it->second;
            answer.confidence = 0.8;
        }
        done(answer);
    }

private:
    QHash<QString, QPair<double, double>> m_table;
};

std::unique_ptr<GeoService> tableService(QHash<QString, QPair<double, double>> table)
{
    GeoSettings settings;
    settings.offline = true;
    settings.reverseDns = false;
    settings.asLookups = false;
    settings.cachePath = QStringLiteral("-");
    std::vector<std::unique_ptr<GeoProvider>> chain;
    chain.push_back(std::make_unique<TableProvider>(std::move(table)));
    return std::make_unique<GeoService>(settings, std::move(chain));
}

Hop hop(int ttl, const char *address, double rttMs)
{
    Hop h;
    h.ttl = ttl;
    ProbeReply r;
    r.query = 1;
    r.responder = QHostAddress(QString::fromLatin1(address));
    r.rttMs = rttMs;
    r.kind = ReplyKind::TimeExceeded;
    h.replies = {r};
    h.probesSent = 1;
    h.complete = true;
    return h;
}

VantageTrace routeFrom(const QString &name, double lat, double lon, QList<Hop> hops)
{
    VantageTrace v;
    v.vantage.kind = VantageKind::RipeAtlas;
    v.vantage.id = name;
    v.vantage.name = name;
    v.vantage.city = name;
    v.vantage.latitude = lat;
    v.vantage.longitude = lon;
    v.trace.target = QStringLiteral("192.0.2.200");
    v.trace.hops = std::move(hops);
    return v;
}

// A fake agent's /traceroute stream: `vantageLine` (may be empty), one hop (62.0.0.5 at TTL 1),
// then the document with `inDocument` appended to its keys.
void serveAgentTrace(LoopbackHttpServer &server, const QByteArray &vantageLine, const QByteArray &inDocument)
{
    const QByteArray hop1 =
        R"({"ttl":1,"ping_time":[{"address":"62.0.0.5","time":2.0,"reply":"time-exceeded"}]})";
    const QByteArray body = vantageLine + "{\"event\":\"hop\",\"hop\":" + hop1 +
                            "}\n{\"event\":\"trace\",\"trace\":{\"target\":\"192.0.2.200\"," +
                            "\"reached\":false,\"ping_time\":[" + hop1 + "]" + inDocument + "}}\n";
    server.route(QStringLiteral("/traceroute"),
                 [body](const LoopbackHttpServer::Request &) { return LoopbackHttpServer::text(body); });
}

const MapHop *mapHop(const MapRoute &route, int ttl)
{
    for (const MapHop &h : route.hops) {
        if (h.ttl == ttl)
            return &h;
    }
    return nullptr;
}

// A RIPE Atlas API for one-offs: POST /api/v2/measurements/ (answered `create`, after `tooMany`
// 429s with Retry-After 1), then the measurement's status (Stopped from poll `stopAt` on; never
// when 0) and its results (poll n: the first min(n, `results`) results).
struct FakeAtlas
{
    LoopbackHttpServer server;
    LoopbackHttpServer::Response create = LoopbackHttpServer::json(R"({"measurements":[5009]})", 201);
    int tooMany = 0;
    int stopAt = 3;
    int results = 3;
    int polls = 0;

    bool start()
    {
        if (!server.listen())
            return false;
        server.route(QStringLiteral("/api/v2/measurements/"), [this](const LoopbackHttpServer::Request &) {
            if (tooMany > 0) {
                --tooMany;
                return LoopbackHttpServer::json(R"({"error":{"status":429,"title":"Too Many Requests"}})",
                                                429)
                    .header("Retry-After", "1");
            }
            return create;
        });
        server.route(
            QStringLiteral("/api/v2/measurements/5009/"), [this](const LoopbackHttpServer::Request &) {
                ++polls;
                const bool stopped = stopAt > 0 && polls >= stopAt;
                return LoopbackHttpServer::json(
                    stopped ? R"({"id":5009,"status":{"id":4,"name":"Stopped"},"participant_count":3})"
                            : R"({"id":5009,"status":{"id":2,"name":"Ongoing"},"participant_count":3})");
            });
        server.route(QStringLiteral("/api/v2/measurements/5009/results/"),
                     [this](const LoopbackHttpServer::Request &) {
                         return LoopbackHttpServer::json(atlasResults(std::min(polls, results)));
                     });
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) { // probes: place unknown
            return LoopbackHttpServer::json(R"({"detail":"Not found."})", 404);
        });
        return true;
    }
    int posts() const
    {
        int n = 0;
        for (const auto &r : server.requests())
            n += r.method == "POST" ? 1 : 0;
        return n;
    }
};

// A controller that talks to loopback fakes, with a secret store of its own.
struct Remote
{
    QTemporaryDir dir;
    SecretStore secrets{dir.filePath(QStringLiteral("secrets.json")), SecretStore::Backend::FileOnly};
    QNetworkAccessManager network;
    VantageController c{nullptr};
    Remote()
    {
        c.setNetwork(&network);
        c.setSecretStore(&secrets);
    }
};

VantageController::RemoteTimings quickTimings(int overallMs)
{
    VantageController::RemoteTimings t;
    t.requestMs = 2000;
    t.atlasOverallMs = overallMs;
    t.atlasPollMs = 150;
    t.globalpingOverallMs = overallMs;
    return t;
}

QByteArray globalpingDocument(bool inProgress)
{
    const QByteArray finished = readData(QStringLiteral("globalping/traceroute-finished.json"));
    return inProgress ? tracemap::test::globalpingStillRunning(finished) : finished;
}

} // namespace

class TestVantageController : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        registerTraceTypes();
        registerGeoTypes();
        registerVantageTypes();
    }

    void documents_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("routes");
        QTest::addColumn<QString>("firstName");
        QTest::newRow("atlas firmwares")
            << "atlas/traceroute-firmwares.json" << 16 << "RIPE Atlas probe 1001";
        QTest::newRow("globalping traceroute") << "globalping/traceroute-finished.json" << -1 << "";
        QTest::newRow("globalping mtr") << "globalping/mtr-finished.json" << -1 << "";
    }

    void documents()
    {
        QFETCH(QString, file);
        QFETCH(int, routes);
        QFETCH(QString, firstName);
        QString error;
        const QList<VantageTrace> expected = readVantageDocument(readData(file), &error);
        QVERIFY2(!expected.isEmpty(), qPrintable(error));
        if (routes >= 0)
            QCOMPARE(int(expected.size()), routes);
        QVERIFY(VantageController::isVantageFile(dataPath(file)));

        VantageController c(nullptr);
        QSignalSpy changed(c.routes(), &RouteSet::routesChanged);
        QVERIFY(c.openFile(QUrl::fromLocalFile(dataPath(file)).toString())); // a file: URL, as QML gives
        QCOMPARE(c.count(), int(expected.size()));
        QTRY_COMPARE(c.routes()->count(), int(expected.size()));
        const QList<MapRoute> drawn = c.routes()->routes();
        for (int i = 0; i < drawn.size(); ++i) {
            QCOMPARE(drawn.at(i).color, MapRenderer::routePaletteColor(i));
            QVERIFY(drawn.at(i).name.startsWith(expected.at(i).vantage.name));
            QCOMPARE(drawn.at(i).hops.size(), expected.at(i).trace.hops.size());
            QCOMPARE(drawn.at(i).failed, expected.at(i).failed);
        }
        if (!firstName.isEmpty())
            QCOMPARE(c.route(0).vantage.name, firstName);
        QCOMPARE(c.routeList().size(), c.count());
    }

    void refusesOtherDocuments_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("broken trace file")
            << QByteArray(R"({"format":"tracemap-trace","hops":[]})") << "neither";
        // What File → Open… takes is named as such.
        QTest::newRow("trace file") << serializeTraceFile(fixture::sample()) << "File → Open";
        QTest::newRow("trace --json")
            << QJsonDocument(traceToJson(fixture::sample().trace)).toJson() << "File → Open";
        QTest::newRow("not json") << QByteArray("hello") << "neither";
        QTest::newRow("empty array") << QByteArray("[]") << "neither";
        QTest::newRow("damaged atlas")
            << QByteArray(R"([{"prb_id":1,"msm_id":2,"type":"traceroute","fw":5080,"result":"x"}])") << "";
    }

    void refusesOtherDocuments()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("doc.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        VantageController c(nullptr);
        QSignalSpy status(&c, &VantageController::statusMessageChanged);
        QVERIFY(!c.openFile(path));
        QCOMPARE(c.count(), 0);
        QCOMPARE(status.size(), 1);
        QVERIFY2(c.statusMessage().contains(mentions), qPrintable(c.statusMessage()));
        QVERIFY(c.statusMessage().contains(path));
        QVERIFY(!c.openFile(dir.filePath(QStringLiteral("missing.json"))));
        QVERIFY(c.statusMessage().startsWith(QLatin1String("Cannot read")));
    }

    // One router, 2 ms from Frankfurt, seen from a probe in Frankfurt and one in Sydney: the same
    // service judges it from each route's own start, so it is placed on the first route only.
    void eachRouteHasItsOwnStart()
    {
        auto geo = tableService({{QStringLiteral("62.0.0.5"), {50.11, 8.68}},      // Frankfurt
                                 {QStringLiteral("62.0.0.9"), {-33.87, 151.21}}}); // Sydney
        VantageController c(geo.get());
        c.addRoutes({routeFrom(QStringLiteral("Frankfurt"), 50.1, 8.7, {hop(1, "62.0.0.5", 2.0)}),
                     routeFrom(QStringLiteral("Sydney"), -33.9, 151.2,
                               {hop(1, "62.0.0.9", 1.0), hop(2, "62.0.0.5", 2.0)})});
        QTRY_VERIFY(c.isSettled());
        QTRY_COMPARE(c.routes()->count(), 2);
        const QList<MapRoute> drawn = c.routes()->routes();
        QVERIFY(drawn.at(0).hasSource);
        QCOMPARE(drawn.at(0).sourceLatitude, 50.1); // the vantage's place is the route's start
        QCOMPARE(drawn.at(1).sourceLatitude, -33.9);
        QVERIFY(mapHop(drawn.at(0), 1) && mapHop(drawn.at(0), 1)->hasLocation);
        QVERIFY(mapHop(drawn.at(1), 1) && mapHop(drawn.at(1), 1)->hasLocation);
        // 2 ms cannot cover Sydney-Frankfurt: refused on the Sydney route only.
        QVERIFY(mapHop(drawn.at(1), 2));
        QVERIFY(!mapHop(drawn.at(1), 2)->hasLocation);
        QCOMPARE(c.pendingLookups(), 0);
    }

    // A new geolocation service (settings changed, database installed) locates every route again:
    // settled() comes again once they are, even when the new service answers at once, so the view
    // frames the routes where they are now.
    void newServiceSettlesAgain()
    {
        auto first = tableService({});
        auto second = tableService({{QStringLiteral("62.0.0.5"), {50.11, 8.68}}});
        VantageController c(first.get());
        QSignalSpy settled(&c, &VantageController::settled);
        c.addRoutes({routeFrom(QStringLiteral("Frankfurt"), 50.1, 8.7, {hop(1, "62.0.0.5", 2.0)})});
        QTRY_COMPARE(settled.size(), 1);
        QTRY_COMPARE(c.routes()->count(), 1);
        QVERIFY(!mapHop(c.routes()->routes().at(0), 1)->hasLocation);
        c.setGeoService(second.get());
        QTRY_COMPARE(settled.size(), 2);
        QVERIFY(mapHop(c.routes()->routes().at(0), 1)->hasLocation);
        QTest::qWait(50);
        QCOMPARE(settled.size(), 2); // once per change
    }

    void showHideAndSelect()
    {
        VantageController c(nullptr);
        QVERIFY(c.openFile(dataPath(QStringLiteral("atlas/traceroute-firmwares.json"))));
        QTRY_COMPARE(c.routes()->count(), 16);
        QSignalSpy listChanged(&c, &VantageController::routesChanged);
        c.setRouteVisible(2, false);
        QCOMPARE(listChanged.size(), 1);
        QCOMPARE(c.routes()->routes().at(2).visible, false);
        QCOMPARE(c.routes()->routes().at(1).visible, true);
        QCOMPARE(c.routeList().at(2).toMap().value(QStringLiteral("visible")).toBool(), false);
        c.setRouteVisible(2, false); // no change, no signal
        QCOMPARE(listChanged.size(), 1);
        // Hidden from the map's own legend: the controller's list follows.
        c.routes()->setRouteVisible(c.routes()->routes().at(3).id, false);
        QCOMPARE(c.routeList().at(3).toMap().value(QStringLiteral("visible")).toBool(), false);

        QCOMPARE(c.selectedModel(), nullptr); // "this machine"
        QSignalSpy selected(&c, &VantageController::selectedIndexChanged);
        c.setSelectedIndex(4);
        QCOMPARE(selected.size(), 1);
        QVERIFY(c.selectedModel());
        QCOMPARE(c.selectedModel()->rowCount(), int(c.route(4).trace.hops.size()));
        QCOMPARE(c.selectedModel()->hopAt(0).ttl, c.route(4).trace.hops.first().ttl);
        c.setSelectedIndex(99); // out of range: back to this machine
        QCOMPARE(c.selectedModel(), nullptr);
        c.clear();
        QCOMPARE(c.count(), 0);
        QCOMPARE(c.routes()->count(), 0);
    }

    // A fetch answered 401 marks its own route failed ("the key is wrong"); the routes opened
    // before stay as they were.
    void failedFetchLeavesOthers()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/api/v2/measurements/5001/results/"),
                     [](const LoopbackHttpServer::Request &) {
                         return LoopbackHttpServer::json(
                             R"({"detail":"Authentication credentials were not provided."})", 401);
                     });
        QNetworkAccessManager network;
        VantageController c(nullptr);
        c.setNetwork(&network);
        c.setAtlasUrl(server.url());
        QVERIFY(c.openFile(dataPath(QStringLiteral("atlas/traceroute-firmwares.json"))));
        QTRY_COMPARE(c.routes()->count(), 16);
        const QList<MapRoute> before = c.routes()->routes();
        c.fetchAtlas(5001);
        QCOMPARE(c.count(), 17);
        QCOMPARE(c.state(16), VantageController::Loading);
        QTRY_COMPARE_WITH_TIMEOUT(c.state(16), VantageController::Failed, 10000);
        QVERIFY2(c.reason(16).contains(QLatin1String("key is wrong")), qPrintable(c.reason(16)));
        QTRY_COMPARE(c.routes()->count(), 17);
        const QList<MapRoute> after = c.routes()->routes();
        QVERIFY(after.at(16).failed);
        QCOMPARE(after.mid(0, 16), before.mid(0, 16));
        for (int i = 0; i < 16; ++i)
            QCOMPARE(c.state(i), VantageController::Done);
        QVERIFY(c.isSettled());
        QVERIFY(server.requestCount(QStringLiteral("/api/v2/measurements/5001/results/")) >= 1);
    }

    void waitsOutRateLimit()
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
                         return LoopbackHttpServer::json(atlasResults(3));
                     });
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"detail":"Not found."})", 404); // probes: place unknown
        });
        QNetworkAccessManager network;
        VantageController c(nullptr);
        c.setNetwork(&network);
        c.setAtlasUrl(server.url());
        QSignalSpy status(&c, &VantageController::statusMessageChanged);
        c.fetchAtlas(5001);
        QTRY_VERIFY_WITH_TIMEOUT(c.statusMessage().contains(QLatin1String("waiting 1 s")), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(c.state(0), VantageController::Done, 10000);
        QCOMPARE(c.count(), 4); // the measurement's own row and its three routes
        QCOMPARE(c.route(1).vantage.name, QStringLiteral("RIPE Atlas probe 1001"));
        QTRY_COMPARE(c.routes()->count(), 4);
        QCOMPARE(asked, 2);
    }

    // An agent streams hop by hop: the route is there (streaming) before the trace document,
    // then done; a wrong token fails that agent's route only. The token never goes into a URL.
    void agentStreamsItsRoute_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("hops");
        QTest::newRow("right token") << QByteArray("good-token") << int(VantageController::Done) << 2;
        QTest::newRow("wrong token") << QByteArray("bad-token") << int(VantageController::Failed) << 0;
    }

    void agentStreamsItsRoute()
    {
        QFETCH(QByteArray, token);
        QFETCH(int, state);
        QFETCH(int, hops);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        const QByteArray hop1 =
            R"({"ttl":1,"ping_time":[{"address":"62.0.0.5","time":2.0,"reply":"time-exceeded"}]})";
        const QByteArray hop2 =
            R"({"ttl":2,"ping_time":[{"address":"62.0.0.9","time":9.0,"reply":"time-exceeded"}]})";
        server.route(QStringLiteral("/traceroute"), [&](const LoopbackHttpServer::Request &r) {
            if (r.header("authorization") != "Bearer good-token")
                return LoopbackHttpServer::json(R"({"error":"bad token"})", 401);
            return LoopbackHttpServer::text(
                "{\"event\":\"hop\",\"hop\":" + hop1 + "}\n{\"event\":\"hop\",\"hop\":" + hop2 +
                "}\n{\"event\":\"trace\",\"trace\":{\"target\":\"192.0.2.200\"," +
                "\"reached\":false,\"ping_time\":[" + hop1 + "," + hop2 + "]}}\n");
        });
        QNetworkAccessManager network;
        VantageController c(nullptr);
        c.setNetwork(&network);
        QVERIFY(c.openFile(dataPath(QStringLiteral("atlas/traceroute-firmwares.json"))));
        c.traceViaAgent(server.url().toString(), QStringLiteral("192.0.2.200"), QString::fromLatin1(token));
        QCOMPARE(c.count(), 17);
        QCOMPARE(c.state(16), VantageController::Streaming);
        QTRY_COMPARE_WITH_TIMEOUT(int(c.state(16)), state, 10000);
        QCOMPARE(int(c.route(16).trace.hops.size()), hops);
        QVERIFY(c.route(16).vantage.kind == VantageKind::Agent);
        if (state == VantageController::Failed)
            QVERIFY2(c.reason(16).contains(QLatin1String("401")) ||
                         c.reason(16).contains(QLatin1String("token")),
                     qPrintable(c.reason(16)));
        QVERIFY(!c.reason(16).contains(QString::fromLatin1(token)));
        for (int i = 0; i < 16; ++i)
            QCOMPARE(c.state(i), VantageController::Done);
        QTRY_COMPARE(c.routes()->count(), 17);
        QCOMPARE(c.routes()->routes().at(16).failed, state == VantageController::Failed);
        for (const auto &r : server.requests())
            QVERIFY(!r.target.contains(token));
    }

    // A one-off spends credits: it is priced from the kept key, created only after a yes, and its
    // routes show as they arrive while the measurement's own row still waits.
    void atlasOneOff_data()
    {
        QTest::addColumn<bool>("confirm");
        QTest::addColumn<int>("createStatus");
        QTest::addColumn<int>("tooMany");
        QTest::addColumn<int>("stopAt");
        QTest::addColumn<int>("state");    // of the measurement's row; -1: no row
        QTest::addColumn<int>("routes");   // routes that arrived
        QTest::addColumn<QString>("says"); // in the row's reason or the status line
        QTest::newRow("confirmed") << true << 201 << 0 << 3 << int(VantageController::Done) << 3
                                   << "3 routes";
        QTest::newRow("cancelled") << false << 201 << 0 << 3 << -1 << 0 << "Nothing was created";
        QTest::newRow("key refused") << true << 401 << 0 << 3 << int(VantageController::Failed) << 0
                                     << "refused the API key";
        QTest::newRow("rate limited")
            << true << 201 << 1 << 3 << int(VantageController::Done) << 3 << "waiting 1 s";
        // Two of the three probes answer; the measurement never ends.
        QTest::newRow("never finishes") << true << 201 << 0 << 0 << int(VantageController::Failed) << 2
                                        << "not complete in time; 2 of 3 results arrived";
    }

    void atlasOneOff()
    {
        QFETCH(bool, confirm);
        QFETCH(int, createStatus);
        QFETCH(int, tooMany);
        QFETCH(int, stopAt);
        QFETCH(int, state);
        QFETCH(int, routes);
        QFETCH(QString, says);
        FakeAtlas atlas;
        QVERIFY(atlas.start());
        if (createStatus != 201)
            atlas.create = LoopbackHttpServer::json(R"({"detail":"Invalid API key."})", createStatus);
        atlas.tooMany = tooMany;
        atlas.stopAt = stopAt;
        atlas.results = routes;
        Remote remote;
        VantageController &c = remote.c;
        c.setAtlasUrl(atlas.server.url());
        c.setRemoteTimings(quickTimings(stopAt == 0 ? 1500 : 10000));
        c.setAtlasKey(QStringLiteral("0123abcd-secret-key"));
        QTRY_COMPARE(c.statusMessage(), QStringLiteral("RIPE Atlas key saved"));
        QStringList said;
        connect(&c, &VantageController::statusMessageChanged, this, [&] { said << c.statusMessage(); });
        // Partial results: routes seen while the measurement's row is still loading.
        int seenWhileLoading = 0;
        connect(&c, &VantageController::routesChanged, this, [&] {
            if (c.count() > 1 && c.state(0) == VantageController::Loading)
                seenWhileLoading = std::max(seenWhileLoading, c.count() - 1);
        });

        QSignalSpy pending(&c, &VantageController::pendingCreationChanged);
        c.requestAtlasTrace(QStringLiteral("www.example.net"), 3, QStringLiteral("country"),
                            QStringLiteral("de"));
        QTRY_COMPARE(pending.size(), 1);
        const QVariantMap price = c.pendingCreation();
        QCOMPARE(price.value(QStringLiteral("credits")).toInt(), 180); // 3 probes x 60
        QVERIFY(price.value(QStringLiteral("text")).toString().contains(QLatin1String("180 credits")));
        QCOMPARE(atlas.server.requestCount(), 0); // pricing asks nothing
        QCOMPARE(c.count(), 0);
        if (!confirm) {
            c.cancelCreation();
            QVERIFY(c.pendingCreation().isEmpty());
            QTest::qWait(300);
            QCOMPARE(atlas.server.requestCount(), 0);
            QCOMPARE(c.count(), 0);
            QVERIFY2(c.statusMessage().contains(says), qPrintable(c.statusMessage()));
            c.confirmCreation(); // nothing left to confirm
            QCOMPARE(c.count(), 0);
            return;
        }
        c.confirmCreation();
        QVERIFY(c.pendingCreation().isEmpty());
        QCOMPARE(c.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(int(c.state(0)), state, 10000);
        QCOMPARE(c.count(), 1 + routes);
        const QString reason = c.reason(0);
        QVERIFY2(reason.contains(says) || said.join(QLatin1Char('|')).contains(says),
                 qPrintable(reason + QLatin1String(" / ") + said.join(QLatin1Char('|'))));
        QVERIFY(!reason.contains(QLatin1String("secret")));
        QCOMPARE(atlas.posts(), 1 + tooMany); // a 429 is asked again, once
        const auto log = atlas.server.requests();
        const auto post =
            std::find_if(log.cbegin(), log.cend(), [](const auto &r) { return r.method == "POST"; });
        QCOMPARE(post->header("authorization"), QByteArray("Key 0123abcd-secret-key"));
        QCOMPARE(QJsonDocument::fromJson(post->body).object().value(QStringLiteral("is_oneoff")).toBool(),
                 true);
        for (const auto &r : log)
            QVERIFY(!r.target.contains("secret"));
        for (int i = 1; i <= routes; ++i)
            QCOMPARE(c.state(i), VantageController::Done); // the measurement's failure is its own
        if (routes > 1)
            QVERIFY2(seenWhileLoading >= 1, "no route was shown before the measurement was over");
        QTRY_COMPARE(c.routes()->count(), 1 + routes);
    }

    void atlasOneOffNeedsKeyAndValidRequest_data()
    {
        QTest::addColumn<bool>("keepKey");
        QTest::addColumn<QString>("selection");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("says");
        QTest::newRow("no key") << false << "country"
                                << "DE"
                                << "API key";
        QTest::newRow("bad country") << true << "country"
                                     << "Germany"
                                     << "country code";
        QTest::newRow("bad area") << true << "area"
                                  << "Moon"
                                  << "not an area";
        QTest::newRow("bad selection") << true << "city"
                                       << "Berlin"
                                       << "country, asn or area";
    }

    void atlasOneOffNeedsKeyAndValidRequest()
    {
        QFETCH(bool, keepKey);
        QFETCH(QString, selection);
        QFETCH(QString, value);
        QFETCH(QString, says);
        FakeAtlas atlas;
        QVERIFY(atlas.start());
        Remote remote;
        VantageController &c = remote.c;
        c.setAtlasUrl(atlas.server.url());
        if (keepKey) {
            c.setAtlasKey(QStringLiteral("k"));
            QTRY_COMPARE(c.statusMessage(), QStringLiteral("RIPE Atlas key saved"));
        }
        c.requestAtlasTrace(QStringLiteral("www.example.net"), 2, selection, value);
        QTRY_VERIFY2(c.statusMessage().contains(says), qPrintable(c.statusMessage()));
        QVERIFY(c.pendingCreation().isEmpty());
        QCOMPARE(atlas.server.requestCount(), 0);
    }

    // Globalping: polled until the status is final; each probe's place starts its route; a
    // probe still running shows what it has while the measurement's row waits.
    void globalping_data()
    {
        QTest::addColumn<int>("createStatus");
        QTest::addColumn<int>("tooMany");
        QTest::addColumn<bool>("finishes");
        QTest::addColumn<QString>("token");
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("says");
        QTest::newRow("anonymous") << 202 << 0 << true << "" << int(VantageController::Done) << "3 routes";
        QTest::newRow("with token") << 202 << 0 << true << "gp-secret" << int(VantageController::Done)
                                    << "3 routes";
        QTest::newRow("token refused")
            << 401 << 0 << true << "gp-secret" << int(VantageController::Failed) << "refused the token";
        QTest::newRow("rate limited")
            << 202 << 1 << true << "" << int(VantageController::Done) << "waiting 1 s";
        QTest::newRow("never finishes")
            << 202 << 0 << false << "" << int(VantageController::Failed) << "did not finish in time";
    }

    void globalping()
    {
        QFETCH(int, createStatus);
        QFETCH(int, tooMany);
        QFETCH(bool, finishes);
        QFETCH(QString, token);
        QFETCH(int, state);
        QFETCH(QString, says);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        int polls = 0;
        server.route(QStringLiteral("/v1/measurements"), [&](const LoopbackHttpServer::Request &) {
            if (tooMany > 0) {
                --tooMany;
                return LoopbackHttpServer::json(R"({"error":{"type":"too_many_requests","message":"x"}})",
                                                429)
                    .header("Retry-After", "1");
            }
            if (createStatus != 202)
                return LoopbackHttpServer::json(
                    R"({"error":{"type":"unauthorized","message":"Invalid token."}})", createStatus);
            return LoopbackHttpServer::json(R"({"id":"gpTrace0001","probesCount":3})", 202);
        });
        server.route(QStringLiteral("/v1/measurements/gpTrace0001"),
                     [&](const LoopbackHttpServer::Request &) {
                         ++polls;
                         return LoopbackHttpServer::json(globalpingDocument(!finishes || polls < 3));
                     });
        Remote remote;
        VantageController &c = remote.c;
        c.setGlobalpingUrl(server.url());
        c.setRemoteTimings(quickTimings(finishes ? 10000 : 2000));
        QStringList said;
        connect(&c, &VantageController::statusMessageChanged, this, [&] { said << c.statusMessage(); });
        bool streamedWhileLoading = false;
        connect(&c, &VantageController::routesChanged, this, [&] {
            if (c.count() > 2 && c.state(0) == VantageController::Loading &&
                c.state(2) == VantageController::Streaming)
                streamedWhileLoading = true;
        });
        c.createGlobalping(QStringLiteral("www.example.net"), QStringLiteral("Germany"), 3, false, token);
        QCOMPARE(c.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(int(c.state(0)), state, 10000);
        QVERIFY2(c.reason(0).contains(says) || said.join(QLatin1Char('|')).contains(says),
                 qPrintable(c.reason(0) + QLatin1String(" / ") + said.join(QLatin1Char('|'))));

        const auto log = server.requests();
        const auto post =
            std::find_if(log.cbegin(), log.cend(), [](const auto &r) { return r.method == "POST"; });
        QVERIFY(post != log.cend());
        const QJsonObject body = QJsonDocument::fromJson(post->body).object();
        QCOMPARE(body.value(QStringLiteral("type")).toString(), QStringLiteral("traceroute"));
        QCOMPARE(body.value(QStringLiteral("limit")).toInt(), 3);
        QCOMPARE(
            body.value(QStringLiteral("locations")).toArray().at(0).toObject().value(QStringLiteral("magic")),
            QJsonValue(QStringLiteral("Germany")));
        QCOMPARE(post->header("authorization"),
                 token.isEmpty() ? QByteArray() : QByteArray("Bearer ") + token.toUtf8());
        for (const auto &r : log)
            QVERIFY(!r.target.contains("secret"));
        if (createStatus != 202) {
            QCOMPARE(c.count(), 1);
            QCOMPARE(polls, 0);
            return;
        }
        // One route per probe; the failed probe (Tokyo) is failed alone.
        QCOMPARE(c.count(), 4);
        QVERIFY(streamedWhileLoading);
        QCOMPARE(c.state(1), VantageController::Done);
        QCOMPARE(c.state(2), VantageController::Done);
        QCOMPARE(c.state(3), VantageController::Failed);
        if (finishes)
            QCOMPARE(polls, 3); // stops asking once the status is final
        QTRY_COMPARE(c.routes()->count(), 4);
        const MapRoute frankfurt = c.routes()->routes().at(1);
        QVERIFY(frankfurt.hasSource); // the probe's place is the route's start
        QCOMPARE(frankfurt.sourceLatitude, 50.1109);
        QCOMPARE(frankfurt.sourceLongitude, 8.6821);
        QVERIFY(frankfurt.name.contains(QLatin1String("Frankfurt")));
    }

    // "Remove all" stops the measurements still running: no route comes back, no poll follows.
    void clearStopsRunningMeasurements()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/v1/measurements"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"id":"gpTrace0001","probesCount":3})", 202);
        });
        server.route(QStringLiteral("/v1/measurements/gpTrace0001"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(globalpingDocument(true));
        });
        Remote remote;
        VantageController &c = remote.c;
        c.setGlobalpingUrl(server.url());
        c.setRemoteTimings(quickTimings(20000));
        c.createGlobalping(QStringLiteral("www.example.net"), QString(), 3, false, QString());
        QTRY_COMPARE_WITH_TIMEOUT(c.count(), 4, 5000); // the row and three probes, still running
        c.clear();
        QCOMPARE(c.count(), 0);
        QTest::qWait(100);
        const int asked = server.requestCount();
        QTest::qWait(1200); // more than two poll intervals
        QCOMPARE(server.requestCount(), asked);
        QCOMPARE(c.count(), 0);
    }

    // An agent that knows its place (its config) reports it: the route starts there and the
    // legend names it, whether the place comes as the stream's first line or in the document.
    void agentRouteStartsAtItsPlace_data()
    {
        QTest::addColumn<QByteArray>("vantageLine");
        QTest::addColumn<QByteArray>("inDocument");
        QTest::addColumn<bool>("placed");
        const QByteArray place =
            R"({"name":"Frankfurt office","latitude":50.11,"longitude":8.68,"source":"configured"})";
        QTest::newRow("stream line") << QByteArray("{\"event\":\"vantage\",\"vantage\":" + place + "}\n")
                                     << QByteArray() << true;
        QTest::newRow("document only") << QByteArray() << QByteArray(",\"vantage\":" + place) << true;
        QTest::newRow("no place") << QByteArray() << QByteArray() << false;
        QTest::newRow("out of range")
            << QByteArray(R"({"event":"vantage","vantage":{"name":"x","latitude":91,"longitude":8}})"
                          "\n")
            << QByteArray() << false;
    }

    void agentRouteStartsAtItsPlace()
    {
        QFETCH(QByteArray, vantageLine);
        QFETCH(QByteArray, inDocument);
        QFETCH(bool, placed);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        serveAgentTrace(server, vantageLine, inDocument);
        auto geo = tableService({{QStringLiteral("62.0.0.5"), {50.12, 8.69}}});
        QNetworkAccessManager network;
        VantageController c(geo.get());
        c.setNetwork(&network);
        c.traceViaAgent(server.url().toString(), QStringLiteral("192.0.2.200"), QString());
        QTRY_COMPARE_WITH_TIMEOUT(c.state(0), VantageController::Done, 10000);
        QTRY_VERIFY(c.isSettled());
        QCOMPARE(c.route(0).vantage.hasLocation(), placed);
        QTRY_COMPARE(c.routes()->count(), 1);
        const MapRoute route = c.routes()->routes().at(0);
        QVERIFY(route.hasSource);
        if (placed) {
            QCOMPARE(route.sourceLatitude, 50.11); // the agent's place, not its first hop's
            QCOMPARE(route.sourceLongitude, 8.68);
            QVERIFY2(route.name.contains(QLatin1String("Frankfurt office")), qPrintable(route.name));
        } else {
            QCOMPARE(route.sourceLatitude, 50.12); // estimated from the first public responder
        }
    }

    // Without a configured place, the agent's own address starts its route when it is public and
    // the chain places it; a private (or unplaced) address keeps the estimate from the first public
    // router. The loopback fake's address is replaced through the controller's seam: the public
    // address is only data in the chain's table, never contacted.
    void agentStartFromItsAddress_data()
    {
        QTest::addColumn<QByteArray>("vantageLine");
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("start");
        QTest::addColumn<double>("sourceLatitude");
        QTest::addColumn<QString>("note");
        const QByteArray place =
            R"({"event":"vantage","vantage":{"name":"Frankfurt office","latitude":50.11,"longitude":8.68,)"
            R"("source":"configured"}})"
            "\n";
        QTest::newRow("configured wins over a placed address")
            << place << "81.2.69.160"
            << "configured" << 50.11 << "configured on the agent";
        QTest::newRow("public address placed -> address")
            << QByteArray() << "81.2.69.160"
            << "address" << 51.51 << "located by its address 81.2.69.160 (table, coordinates)";
        QTest::newRow("public address unplaced -> estimated")
            << QByteArray() << "81.2.69.161"
            << "estimated" << 50.12 << "estimated from hop 1";
        QTest::newRow("private address -> estimated") << QByteArray() << "10.1.2.3"
                                                      << "estimated" << 50.12 << "estimated from hop 1";
        QTest::newRow("loopback as connected -> estimated") << QByteArray() << ""
                                                            << "estimated" << 50.12 << "estimated from hop 1";
    }

    void agentStartFromItsAddress()
    {
        QFETCH(QByteArray, vantageLine);
        QFETCH(QString, address);
        QFETCH(QString, start);
        QFETCH(double, sourceLatitude);
        QFETCH(QString, note);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        serveAgentTrace(server, vantageLine, QByteArray());
        // 10.1.2.3 is in the table too: it is never asked about, so it never places the start.
        auto geo = tableService({{QStringLiteral("62.0.0.5"), {50.12, 8.69}},
                                 {QStringLiteral("81.2.69.160"), {51.51, -0.13}},
                                 {QStringLiteral("10.1.2.3"), {40.0, -74.0}}});
        QNetworkAccessManager network;
        VantageController c(geo.get());
        c.setNetwork(&network);
        QList<QUrl> asked;
        c.setAgentAddressLookup([&](const QUrl &agent) {
            asked << agent;
            return QHostAddress(address); // empty: the URL's own host, 127.0.0.1
        });
        c.traceViaAgent(server.url().toString(), QStringLiteral("192.0.2.200"), QString());
        QTRY_COMPARE_WITH_TIMEOUT(c.state(0), VantageController::Done, 10000);
        QTRY_VERIFY(c.isSettled());
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.first().port(), server.url().port());
        const QVariantMap listed = c.routeList().at(0).toMap();
        QCOMPARE(listed.value(QStringLiteral("start")).toString(), start);
        QVERIFY2(listed.value(QStringLiteral("startNote")).toString().startsWith(note),
                 qPrintable(listed.value(QStringLiteral("startNote")).toString()));
        QVERIFY2(c.statusMessage().contains(note), qPrintable(c.statusMessage()));
        QTRY_COMPARE(c.routes()->count(), 1);
        const MapRoute route = c.routes()->routes().at(0);
        QVERIFY(route.hasSource);
        QCOMPARE(route.sourceLatitude, sourceLatitude); // the RTT check of every hop starts here
        QCOMPARE(geo->result(QHostAddress(QStringLiteral("10.1.2.3"))).status, GeoStatus::Pending);
        QCOMPARE(geo->result(QHostAddress(QStringLiteral("127.0.0.1"))).status, GeoStatus::Pending);
    }

    // A new geolocation service (other settings) asks about the agent's address again: an address
    // the first chain could not place starts the route once the new one places it.
    void agentStartFollowsANewService()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        serveAgentTrace(server, QByteArray(), QByteArray());
        auto first = tableService({{QStringLiteral("62.0.0.5"), {50.12, 8.69}}});
        auto second = tableService(
            {{QStringLiteral("62.0.0.5"), {50.12, 8.69}}, {QStringLiteral("81.2.69.160"), {51.51, -0.13}}});
        QNetworkAccessManager network;
        VantageController c(first.get());
        c.setNetwork(&network);
        c.setAgentAddressLookup([](const QUrl &) { return QHostAddress(QStringLiteral("81.2.69.160")); });
        c.traceViaAgent(server.url().toString(), QStringLiteral("192.0.2.200"), QString());
        QTRY_COMPARE_WITH_TIMEOUT(c.state(0), VantageController::Done, 10000);
        QTRY_VERIFY(c.isSettled());
        QCOMPARE(c.routeList().at(0).toMap().value(QStringLiteral("start")).toString(),
                 QStringLiteral("estimated"));
        QSignalSpy settled(&c, &VantageController::settled);
        c.setGeoService(second.get());
        QTRY_VERIFY(settled.size() > 0 && c.isSettled());
        QCOMPARE(c.routeList().at(0).toMap().value(QStringLiteral("start")).toString(),
                 QStringLiteral("address"));
        QTRY_COMPARE(c.routes()->routes().at(0).sourceLatitude, 51.51);
    }

    // --offline: nothing leaves the machine. RIPE Atlas, Globalping and an agent elsewhere are
    // refused with one line naming the server; no request is made (a regression would be sent
    // to a closed loopback port, never out).
    void offlineContactsOnlyThisMachine()
    {
        class CountingNetwork : public QNetworkAccessManager
        {
        public:
            QStringList hosts;

        protected:
            QNetworkReply *createRequest(Operation op, const QNetworkRequest &request,
                                         QIODevice *data) override
            {
                hosts << request.url().host();
                QNetworkRequest contained(request);
                contained.setUrl(QUrl(QStringLiteral("http://127.0.0.1:9/")));
                return QNetworkAccessManager::createRequest(op, contained, data);
            }
        };
        CountingNetwork network;
        const std::unique_ptr<GeoService> geo = tableService({}); // offline
        VantageController c(geo.get());
        c.setNetwork(&network);
        c.fetchAtlas(5);
        QVERIFY2(c.statusMessage().contains(QLatin1String("atlas.ripe.net")) &&
                     c.statusMessage().contains(QLatin1String("offline")),
                 qPrintable(c.statusMessage()));
        c.requestAtlasTrace(QStringLiteral("192.0.2.1"), 3, QStringLiteral("country"), QStringLiteral("DE"));
        QVERIFY(c.pendingCreation().isEmpty());
        QVERIFY2(c.statusMessage().contains(QLatin1String("atlas.ripe.net")), qPrintable(c.statusMessage()));
        c.createGlobalping(QStringLiteral("192.0.2.1"), QStringLiteral("Germany"), 1, false, {});
        QVERIFY2(c.statusMessage().contains(QLatin1String("api.globalping.io")),
                 qPrintable(c.statusMessage()));
        c.traceViaAgent(QStringLiteral("http://192.0.2.9:8080/"), QStringLiteral("192.0.2.1"), {});
        QVERIFY2(c.statusMessage().contains(QLatin1String("192.0.2.9")), qPrintable(c.statusMessage()));
        QCOMPARE(c.count(), 0);
        QTest::qWait(100);
        QVERIFY2(network.hosts.isEmpty(), qPrintable(network.hosts.join(QLatin1Char(' '))));
    }

    void refusesBadMeasurementId()
    {
        VantageController c(nullptr);
        c.fetchAtlas(0);
        QCOMPARE(c.count(), 0);
        QVERIFY(!c.statusMessage().isEmpty());
    }
};

QTEST_MAIN(TestVantageController)
#include "tst_vantagecontroller.moc"
