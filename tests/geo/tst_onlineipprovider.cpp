// The online IP provider against a loopback server that answers like ip-api.com (and like a few
// similar services), and like a broken one: garbage, HTTP 429/500, empty and 10 MB bodies,
// answers that never come, rate-limit headers. Each lookup gets exactly one clear answer;
// destroying the provider with lookups pending is safe. Nothing here leaves 127.0.0.1: the
// addresses looked up are only ever sent to the loopback server.
#include "geoservice.h"
#include "httpfetch.h"
#include "loopbackhttpserver.h"
#include "onlineipprovider.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

const QByteArray googleDns = R"({"status":"success","country":"United States","countryCode":"US",
    "region":"VA","regionName":"Virginia","city":"Ashburn","zip":"20149","lat":39.03,"lon":-77.5,
    "timezone":"America/New_York","isp":"Google LLC","org":"Google Public DNS","as":"AS15169 Google LLC",
    "query":"8.8.8.8"})";

struct Answers
{
    QList<GeoAnswer> list;
    GeoProvider::Callback callback()
    {
        return [this](const GeoAnswer &answer) {
            list.append(answer);
        };
    }
};

GeoQuery queryFor(const char *address)
{
    GeoQuery query;
    query.address = QHostAddress(QString::fromLatin1(address));
    return query;
}

LoopbackHttpServer::Response respond(const QByteArray &body, int status = 200)
{
    return LoopbackHttpServer::json(body, status);
}

} // namespace

Q_DECLARE_METATYPE(tracemap::GeoStatus)
Q_DECLARE_METATYPE(LoopbackHttpServer::Response)

class tst_OnlineIpProvider : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;

    std::unique_ptr<OnlineIpProvider> provider(const LoopbackHttpServer &server, int timeoutMs = 3000,
                                               const QString &path = QStringLiteral("/json/{ip}"))
    {
        return std::make_unique<OnlineIpProvider>(&m_network, QUrl(server.url().toString() + path),
                                                  timeoutMs);
    }

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<GeoStatus>("status");
        QTest::addColumn<double>("latitude"); // NaN = none expected
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("countryCode");
        QTest::addColumn<QString>("text"); // substring of the reason (and error, when failed)

        const double none = qQNaN();
        auto row = [](const char *name, const QByteArray &body, GeoStatus status, double latitude,
                      const char *city, const char *cc, const char *text) {
            QTest::newRow(name) << body << status << latitude << QString::fromUtf8(city)
                                << QString::fromUtf8(cc) << QString::fromUtf8(text);
        };
        row("ip-api success", googleDns, GeoStatus::Located, 39.03, "Ashburn", "US", "Ashburn");
        row("ip-api fail: private range", R"({"status":"fail","message":"private range","query":"10.0.0.1"})",
            GeoStatus::Unlocatable, none, "", "", "private range");
        row("ip-api fail without message", R"({"status":"fail"})", GeoStatus::Unlocatable, none, "", "",
            "no reason given");
        row("coordinates as strings", R"({"status":"success","lat":"48.85","lon":"2.35","city":"Paris"})",
            GeoStatus::Located, 48.85, "Paris", "", "Paris");
        row("no city, country only",
            R"({"status":"success","lat":51,"lon":9,"countryCode":"de","country":"Germany"})",
            GeoStatus::Located, 51.0, "", "DE", "DE");
        row("fields of wrong types",
            R"({"status":"success","lat":1,"lon":2,"city":["x"],"countryCode":{"a":1}})", GeoStatus::Located,
            1.0, "", "", "");
        row("ipapi.co shape",
            R"({"ip":"1.1.1.1","city":"Sydney","region":"New South Wales","country":"AU","country_name":"Australia",
                "country_code":"AU","latitude":-33.86,"longitude":151.2})",
            GeoStatus::Located, -33.86, "Sydney", "AU", "Sydney");
        row("ipapi.co error", R"({"ip":"10.0.0.1","error":true,"reason":"Reserved IP Address"})",
            GeoStatus::Unlocatable, none, "", "", "Reserved IP Address");
        row("ipwho.is failure", R"({"success":false,"message":"Invalid IP address"})", GeoStatus::Unlocatable,
            none, "", "", "Invalid IP address");
        row("ipinfo.io loc", R"({"ip":"1.1.1.1","city":"Brisbane","country":"AU","loc":"-27.48,153.04"})",
            GeoStatus::Located, -27.48, "Brisbane", "AU", "Brisbane");
        row("ipinfo.io bogon", R"({"ip":"10.0.0.1","bogon":true})", GeoStatus::Unlocatable, none, "", "",
            "bogon");
        row("zero zero", R"({"status":"success","lat":0,"lon":0})", GeoStatus::Unlocatable, none, "", "",
            "does not know");
        row("latitude missing", R"({"status":"success","lon":2,"city":"X"})", GeoStatus::Failed, none, "", "",
            "no usable coordinates");
        row("latitude out of range", R"({"status":"success","lat":95,"lon":2})", GeoStatus::Failed, none, "",
            "", "no usable coordinates");
        row("unrelated object", R"({"hello":"world"})", GeoStatus::Failed, none, "", "",
            "no usable coordinates");
        row("empty body", "", GeoStatus::Failed, none, "", "", "empty answer");
        row("not JSON", "<html>rate limited</html>", GeoStatus::Failed, none, "", "", "not JSON");
        row("truncated JSON", R"({"status":"success","lat":)", GeoStatus::Failed, none, "", "", "not JSON");
        row("a list", "[" + googleDns + "]", GeoStatus::Failed, none, "", "", "not a JSON object");
    }

    void parse()
    {
        QFETCH(QByteArray, body);
        QFETCH(GeoStatus, status);
        QFETCH(double, latitude);
        QFETCH(QString, city);
        QFETCH(QString, countryCode);
        QFETCH(QString, text);
        const GeoAnswer answer = OnlineIpProvider::parseAnswer(body, QStringLiteral("ip-api.example"));
        QCOMPARE(geoStatusName(answer.status), geoStatusName(status));
        QCOMPARE(answer.provider, QStringLiteral("ip-api"));
        QCOMPARE(answer.providerDetail, QStringLiteral("ip-api.example"));
        if (qIsNaN(latitude)) {
            QVERIFY(!answer.place.hasCoordinates());
        } else {
            QVERIFY(answer.place.hasCoordinates());
            QCOMPARE(answer.place.latitude, latitude);
        }
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.place.countryCode, countryCode);
        QVERIFY2(answer.reason.contains(text), qPrintable(answer.reason));
        QVERIFY(!answer.reason.isEmpty());
        QCOMPARE(answer.error.isEmpty(), status != GeoStatus::Failed);
        if (status == GeoStatus::Located)
            QVERIFY(answer.confidence > 0 && answer.confidence <= 1);
    }

    void locatesThroughTheService()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) { return respond(googleDns); });
        auto ip = provider(server, 3000, QStringLiteral("/json/{ip}?fields=status,message,lat,lon,city"));
        QCOMPARE(ip->id(), QStringLiteral("ip-api"));
        Answers answers;
        ip->lookup(queryFor("8.8.8.8"), answers.callback());
        ip->lookup(queryFor("2001:4860:4860::8888"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 2);
        const GeoAnswer answer = answers.list.first();
        QCOMPARE(geoStatusName(answer.status), QStringLiteral("located"));
        QCOMPARE(answer.place.city, QStringLiteral("Ashburn"));
        QCOMPARE(answer.place.region, QStringLiteral("Virginia"));
        QCOMPARE(answer.place.countryCode, QStringLiteral("US"));
        QCOMPARE(answer.place.country, QStringLiteral("United States"));
        QCOMPARE(answer.place.longitude, -77.5);
        QCOMPARE(answer.providerDetail, QStringLiteral("127.0.0.1"));

        QStringList paths;
        for (const auto &request : server.requests()) {
            paths << request.path;
            QVERIFY(request.header("User-Agent").startsWith("tracemap/"));
            QCOMPARE(request.query.queryItemValue("fields"), QStringLiteral("status,message,lat,lon,city"));
        }
        paths.sort();
        QCOMPARE(paths, QStringList({"/json/2001:4860:4860::8888", "/json/8.8.8.8"}));
    }

    void templateWithoutPlaceholderAppendsTheAddress()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        auto ip = provider(server, 3000, QStringLiteral("/geo"));
        QCOMPARE(ip->urlFor(QHostAddress(QStringLiteral("1.1.1.1"))).path(), QStringLiteral("/geo/1.1.1.1"));
        auto inQuery = provider(server, 3000, QStringLiteral("/lookup?ip={ip}&key=k+1"));
        const QUrl url = inQuery->urlFor(QHostAddress(QStringLiteral("2001:db8::1")));
        QCOMPARE(url.path(), QStringLiteral("/lookup"));
        QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("ip")), QStringLiteral("2001:db8::1"));
        QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("key")), QStringLiteral("k+1"));
        auto mapped = provider(server, 3000, QStringLiteral("/json/{ip}"));
        QCOMPARE(mapped->urlFor(QHostAddress(QStringLiteral("::ffff:1.2.3.4"))).path(),
                 QStringLiteral("/json/1.2.3.4"));
    }

    // Special-purpose addresses never leave the machine, whatever the chain does before.
    void specialAddressesAreNeverSent_data()
    {
        QTest::addColumn<QString>("address");
        QTest::newRow("private 10/8") << "10.1.2.3";
        QTest::newRow("private 192.168/16") << "192.168.1.1";
        QTest::newRow("CGNAT") << "100.64.0.1";
        QTest::newRow("loopback") << "127.0.0.1";
        QTest::newRow("link-local v6") << "fe80::1";
        QTest::newRow("unique local v6") << "fd00::1";
        QTest::newRow("documentation") << "203.0.113.9";
        QTest::newRow("IPv4-mapped private") << "::ffff:192.168.0.1";
    }

    void specialAddressesAreNeverSent()
    {
        QFETCH(QString, address);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) { return respond(googleDns); });
        auto ip = provider(server);
        Answers answers;
        GeoQuery query;
        query.address = QHostAddress(address);
        ip->lookup(query, answers.callback());
        QCOMPARE(answers.list.size(), 1);
        QCOMPARE(geoStatusName(answers.list.first().status), QStringLiteral("unlocatable"));
        QVERIFY2(answers.list.first().reason.contains("Not sent"), qPrintable(answers.list.first().reason));
        QTest::qWait(50);
        QCOMPARE(server.requestCount(), 0);
    }

    void onlyHttpUrlsAreFetched()
    {
        OnlineIpProvider ip(&m_network, QUrl(QStringLiteral("file:///etc/{ip}")), 1000);
        Answers answers;
        ip.lookup(queryFor("8.8.8.8"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        QCOMPARE(geoStatusName(answers.list.first().status), QStringLiteral("failed"));
        QVERIFY2(answers.list.first().error.contains("not an http or https URL"),
                 qPrintable(answers.list.first().error));
    }

    void followsAFewRedirectsOnly()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        const QByteArray loop = server.url(QStringLiteral("/loop")).toEncoded();
        server.route("/json/8.8.8.8", [loop](const LoopbackHttpServer::Request &) {
            return respond("", 302).header("Location", loop);
        });
        server.route("/loop", [loop](const LoopbackHttpServer::Request &) {
            return respond("", 302).header("Location", loop);
        });
        auto ip = provider(server);
        Answers answers;
        ip->lookup(queryFor("8.8.8.8"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        QCOMPARE(geoStatusName(answers.list.first().status), QStringLiteral("failed"));
        QVERIFY(server.requestCount() <= 1 + HttpFetch::kMaxRedirects);
    }

    void invalidAddressFails()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        auto ip = provider(server);
        Answers answers;
        ip->lookup(GeoQuery(), answers.callback());
        QCOMPARE(answers.list.size(), 1);
        QCOMPARE(geoStatusName(answers.list.first().status), QStringLiteral("failed"));
        QVERIFY(!answers.list.first().error.isEmpty());
    }

    void brokenServers_data()
    {
        QTest::addColumn<LoopbackHttpServer::Response>("response");
        QTest::addColumn<GeoStatus>("status");
        QTest::addColumn<QString>("error");

        using Response = LoopbackHttpServer::Response;
        QTest::newRow("HTTP 500") << respond("oops", 500) << GeoStatus::Failed << "HTTP 500";
        QTest::newRow("HTTP 403") << respond(R"({"status":"fail"})", 403) << GeoStatus::Failed << "HTTP 403";
        QTest::newRow("empty body") << respond("") << GeoStatus::Failed << "empty answer";
        QTest::newRow("garbage") << respond("\x01\x02garbage\xff") << GeoStatus::Failed << "not JSON";
        {
            Response r;
            r.raw = "HTTP/1.1 banana\r\n\r\n";
            r.closeAfter = true;
            QTest::newRow("malformed status line") << r << GeoStatus::Failed << "";
        }
        {
            Response r = respond(googleDns);
            r.contentLength = 50000;
            r.closeAfter = true;
            QTest::newRow("connection closed mid-body") << r << GeoStatus::Failed << "";
        }
        QTest::newRow("10 MB body") << respond("{" + QByteArray(10 * 1024 * 1024, ' ') + "}")
                                    << GeoStatus::Failed << "larger than";
        {
            Response r = respond("{" + QByteArray(10 * 1024 * 1024, ' ') + "}");
            r.chunkSize = 100000;
            QTest::newRow("10 MB chunked body") << r << GeoStatus::Failed << "larger than";
        }
        {
            Response r;
            r.neverAnswer = true;
            QTest::newRow("never answers") << r << GeoStatus::TimedOut << "within 400 ms";
        }
        {
            Response r = respond(googleDns);
            r.chunkSize = 2;
            r.chunkIntervalMs = 50;
            QTest::newRow("drips") << r << GeoStatus::TimedOut << "within 400 ms";
        }
    }

    void brokenServers()
    {
        QFETCH(LoopbackHttpServer::Response, response);
        QFETCH(GeoStatus, status);
        QFETCH(QString, error);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([response](const LoopbackHttpServer::Request &) { return response; });
        auto ip = provider(server, 400);
        Answers answers;
        QElapsedTimer clock;
        clock.start();
        ip->lookup(queryFor("8.8.8.8"), answers.callback());
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 1, 5000);
        QVERIFY2(clock.elapsed() < 2500, qPrintable(QString::number(clock.elapsed())));
        const GeoAnswer answer = answers.list.first();
        QCOMPARE(geoStatusName(answer.status), geoStatusName(status));
        QVERIFY(!answer.error.isEmpty());
        QVERIFY2(answer.error.contains(error), qPrintable(answer.error));
        QTest::qWait(150);
        QCOMPARE(answers.list.size(), 1);
    }

    // X-Rl: 0 means this was the last request of the window: the answer is used, and nothing is
    // asked until X-Ttl seconds have passed.
    void lastRequestOfTheWindowStopsFurtherOnes()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) {
            return respond(googleDns).header("X-Rl", "0").header("X-Ttl", "2");
        });
        auto ip = provider(server);
        Answers answers;
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("rate limit reached; no requests for 2 s"));
        ip->lookup(queryFor("8.8.8.8"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        QCOMPARE(geoStatusName(answers.list.first().status), QStringLiteral("located"));
        QVERIFY(ip->rateLimitedForMs() > 1000);

        ip->lookup(queryFor("1.1.1.1"), answers.callback());
        QCOMPARE(answers.list.size(), 2); // at once
        QCOMPARE(geoStatusName(answers.list.at(1).status), QStringLiteral("failed"));
        QCOMPARE(answers.list.at(1).error, QStringLiteral("rate limited by 127.0.0.1, retry in 2 s"));
        QCOMPARE(server.requestCount(), 1);

        QTRY_VERIFY_WITH_TIMEOUT(ip->rateLimitedForMs() == 0, 3000);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("rate limit reached; no requests for 2 s"));
        ip->lookup(queryFor("1.1.1.1"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 3);
        QCOMPARE(server.requestCount(), 2);
    }

    void http429StopsRequestsUntilTheWindowResets()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) {
            return respond("Too Many Requests", 429).header("X-Rl", "0").header("X-Ttl", "7").delayed(100);
        });
        auto ip = provider(server);
        ip->setMaxInFlight(1);
        Answers answers;
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("rate limit reached; no requests for 7 s"));
        ip->lookup(queryFor("8.8.8.8"), answers.callback());
        ip->lookup(queryFor("8.8.4.4"), answers.callback()); // queued behind the first
        QTRY_COMPARE(answers.list.size(), 2);
        for (const GeoAnswer &answer : std::as_const(answers.list)) {
            QCOMPARE(geoStatusName(answer.status), QStringLiteral("failed"));
            QVERIFY2(answer.error.contains(QRegularExpression("rate limited by 127.0.0.1, retry in [67] s")),
                     qPrintable(answer.error));
        }
        QCOMPARE(server.requestCount(), 1);
        ip->lookup(queryFor("9.9.9.9"), answers.callback());
        QCOMPARE(answers.list.size(), 3);
        QCOMPARE(server.requestCount(), 1);
    }

    // Polite concurrency: at most two requests at once, however many lookups are asked for.
    void atMostTwoRequestsInFlight()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler(
            [](const LoopbackHttpServer::Request &) { return respond(googleDns).delayed(50); });
        auto ip = provider(server);
        Answers answers;
        for (int i = 1; i <= 12; ++i)
            ip->lookup(queryFor(QByteArray("8.8.8." + QByteArray::number(i)).constData()),
                       answers.callback());
        QCOMPARE(ip->pendingCount(), 12);
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 12, 10000);
        QCOMPARE(server.requestCount(), 12);
        QVERIFY2(server.maxOpenConnections() <= 2, qPrintable(QString::number(server.maxOpenConnections())));
        QCOMPARE(ip->pendingCount(), 0);
    }

    void sameAddressIsAskedOnce()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler(
            [](const LoopbackHttpServer::Request &) { return respond(googleDns).delayed(100); });
        auto ip = provider(server);
        Answers answers;
        ip->lookup(queryFor("8.8.8.8"), answers.callback());
        ip->lookup(queryFor("8.8.8.8"), answers.callback());
        ip->lookup(queryFor("::ffff:8.8.8.8"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 3);
        QCOMPARE(server.requestCount(), 1);
    }

    void fullQueueFailsFast()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r;
            r.neverAnswer = true;
            return r;
        });
        auto ip = provider(server, 300);
        ip->setMaxInFlight(1);
        ip->setMaxQueued(2);
        Answers answers;
        for (int i = 1; i <= 5; ++i)
            ip->lookup(queryFor(QByteArray("8.8.8." + QByteArray::number(i)).constData()),
                       answers.callback());
        QCOMPARE(answers.list.size(), 2);
        for (const GeoAnswer &answer : std::as_const(answers.list))
            QVERIFY2(answer.error.contains("too many lookups"), qPrintable(answer.error));
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 5, 5000);
        for (qsizetype i = 2; i < 5; ++i)
            QCOMPARE(geoStatusName(answers.list.at(i).status), QStringLiteral("timed_out"));
    }

    // A late answer after the deadline must not produce a second callback.
    void neverCallsBackTwice()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler(
            [](const LoopbackHttpServer::Request &) { return respond(googleDns).delayed(300); });
        auto ip = provider(server, 100);
        int calls = 0;
        ip->lookup(queryFor("8.8.8.8"), [&calls](const GeoAnswer &answer) {
            ++calls;
            QCOMPARE(geoStatusName(answer.status), QStringLiteral("timed_out"));
        });
        QTRY_COMPARE(calls, 1);
        QTest::qWait(500);
        QCOMPARE(calls, 1);
    }

    void cancelAllDropsCallbacks()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler(
            [](const LoopbackHttpServer::Request &) { return respond(googleDns).delayed(150); });
        auto ip = provider(server);
        int calls = 0;
        for (const char *address : {"8.8.8.8", "8.8.4.4", "1.1.1.1"})
            ip->lookup(queryFor(address), [&calls](const GeoAnswer &) { ++calls; });
        QTRY_COMPARE(server.requestCount(), 2);
        ip->cancelAll();
        QCOMPARE(ip->pendingCount(), 0);
        QTest::qWait(400);
        QCOMPARE(calls, 0);
        QCOMPARE(server.requestCount(), 2);
        // Still usable afterwards.
        ip->lookup(queryFor("8.8.8.8"), [&calls](const GeoAnswer &) { ++calls; });
        QTRY_COMPARE(calls, 1);
    }

    void destroyedWithLookupsPending()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler(
            [](const LoopbackHttpServer::Request &) { return respond(googleDns).delayed(150); });
        auto ip = provider(server);
        int calls = 0;
        for (const char *address : {"8.8.8.8", "8.8.4.4", "1.1.1.1"})
            ip->lookup(queryFor(address), [&calls](const GeoAnswer &) { ++calls; });
        QTRY_COMPARE(server.requestCount(), 2);
        ip.reset();
        QTest::qWait(400);
        QCOMPARE(calls, 0);
    }

    // Online services are opt-in: the default GeoService chain asks the IP service and
    // Nominatim only with onlineLookups on and offline off. Reverse DNS and AS lookups are off
    // here so that nothing but the loopback server could be asked.
    void serviceAsksOnlyWhenOptedIn_data()
    {
        QTest::addColumn<bool>("online");
        QTest::addColumn<bool>("offline");
        QTest::addColumn<bool>("asked");
        QTest::newRow("default: not opted in") << false << false << false;
        QTest::newRow("opted in") << true << false << true;
        QTest::newRow("opted in but offline") << true << true << false;
        QTest::newRow("offline") << false << true << false;
    }

    void serviceAsksOnlyWhenOptedIn()
    {
        QFETCH(bool, online);
        QFETCH(bool, offline);
        QFETCH(bool, asked);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/json/8.8.8.8", [](const LoopbackHttpServer::Request &) { return respond(googleDns); });
        server.route("/search", [](const LoopbackHttpServer::Request &) {
            return respond(
                R"([{"lat":"47.3769","lon":"8.5417","address":{"city":"Zurich","country_code":"ch"}}])");
        });
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // A geofeed city no built-in dictionary knows: only Nominatim can place it.
        const QString geofeed = dir.filePath(QStringLiteral("geofeed.csv"));
        QFile file(geofeed);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("9.9.9.0/24,CH,CH-ZH,Qwxyzville Unlikely,\n");
        file.close();

        GeoSettings settings;
        settings.onlineLookups = online;
        settings.offline = offline;
        settings.reverseDns = false;
        settings.asLookups = false;
        settings.cachePath = QStringLiteral("-");
        settings.databasePaths = {dir.filePath(QStringLiteral("none.mmdb"))}; // no offline answer
        settings.overridePaths = {geofeed};
        settings.ipProviderUrl = QUrl(server.url().toString() + QStringLiteral("/json/{ip}"));
        settings.nominatimUrl = server.url();
        settings.lookupTimeoutMs = 2000;
        GeoService service(settings, &m_network);
        QSignalSpy located(&service, &GeoService::located);
        for (const char *address : {"8.8.8.8", "9.9.9.9"}) {
            GeoQuery query = queryFor(address);
            query.hostnameKnown = true;
            service.locate(query);
        }
        QTRY_COMPARE_WITH_TIMEOUT(located.size(), 2, 10000);
        QHash<QString, GeoResult> results;
        for (const QList<QVariant> &arguments : std::as_const(located)) {
            const GeoResult result = arguments.at(0).value<GeoResult>();
            results.insert(result.address.toString(), result);
        }
        const GeoResult google = results.value(QStringLiteral("8.8.8.8"));
        const GeoResult quad9 = results.value(QStringLiteral("9.9.9.9"));
        if (asked) {
            QCOMPARE(google.provider, QStringLiteral("ip-api"));
            QCOMPARE(google.place.city, QStringLiteral("Ashburn"));
            QCOMPARE(quad9.provider, QStringLiteral("override"));
            QCOMPARE(quad9.place.latitude, 47.3769);
            QCOMPARE(server.requestCount(QStringLiteral("/json/8.8.8.8")), 1);
            QCOMPARE(server.requestCount(QStringLiteral("/search")), 1);
            QVERIFY(service.attributions().contains(
                QStringLiteral("Place names © OpenStreetMap contributors, ODbL 1.0")));
        } else {
            QVERIFY(google.provider != QLatin1String("ip-api"));
            QVERIFY(!quad9.place.hasCoordinates() || quad9.provider != QLatin1String("override"));
            QCOMPARE(server.requestCount(), 0);
        }
    }

    void callbackMayDestroyTheProvider()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) { return respond(googleDns); });
        auto ip = provider(server);
        int calls = 0;
        ip->lookup(queryFor("8.8.8.8"), [&](const GeoAnswer &) {
            ++calls;
            ip.reset();
        });
        ip->lookup(queryFor("1.1.1.1"), [&](const GeoAnswer &) { ++calls; });
        QTRY_VERIFY(!ip);
        QTest::qWait(100);
        QCOMPARE(calls, 1);
    }
};

QTEST_GUILESS_MAIN(tst_OnlineIpProvider)
#include "tst_onlineipprovider.moc"
