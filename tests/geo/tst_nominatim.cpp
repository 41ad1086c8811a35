// The Nominatim client against a loopback server that answers like Nominatim, and like a
// broken one: odd address shapes (the original tool crashed on one), error bodies, HTTP
// 429/500, empty, non-JSON and 10 MB bodies, answers that never come. Also the usage policy:
// never more than one request a second to a server (measured where the requests arrive),
// identical requests sent once, every answer cached in memory and on disk.
// Nothing here leaves 127.0.0.1.
#include "loopbackhttpserver.h"
#include "nominatim.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

const QByteArray frankfurtSearch = R"([{"place_id":1,"lat":"50.1106444","lon":"8.6820917",
    "category":"boundary","type":"administrative","name":"Frankfurt am Main",
    "display_name":"Frankfurt am Main, Hessen, Deutschland",
    "boundingbox":["50.0155","50.2271","8.4727","8.8004"],
    "address":{"city":"Frankfurt am Main","state":"Hessen","country":"Deutschland","country_code":"de"}}])";

const QByteArray ashburnReverse = R"({"place_id":2,"lat":"39.0437","lon":"-77.4875",
    "display_name":"Ashburn, Loudoun County, Virginia, United States",
    "address":{"town":"Ashburn","county":"Loudoun County","state":"Virginia",
    "country":"United States","country_code":"us"}})";

// Collects the answers of one client; counts calls so "exactly once" can be checked.
struct Answers
{
    QList<NominatimAnswer> list;
    NominatimClient::Callback callback()
    {
        return [this](const NominatimAnswer &answer) {
            list.append(answer);
        };
    }
};

LoopbackHttpServer::Response respond(const QByteArray &body, int status = 200)
{
    return LoopbackHttpServer::json(body, status);
}

} // namespace

Q_DECLARE_METATYPE(tracemap::LookupStatus)
Q_DECLARE_METATYPE(tracemap::NominatimClient::Endpoint)
Q_DECLARE_METATYPE(LoopbackHttpServer::Response)

class tst_Nominatim : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_network;

    std::unique_ptr<NominatimClient> client(const LoopbackHttpServer &server, const QString &cachePath = {},
                                            int timeoutMs = 3000)
    {
        return std::make_unique<NominatimClient>(&m_network, server.url(), cachePath, timeoutMs);
    }

private Q_SLOTS:
    void identity()
    {
        QCOMPARE(NominatimClient::attribution(),
                 QStringLiteral("Place names © OpenStreetMap contributors, ODbL 1.0"));
        const QByteArray agent = NominatimClient::userAgent();
        QVERIFY2(agent.startsWith("tracemap/" TRACEMAP_VERSION " "), agent.constData());
        QVERIFY(agent.contains("https://github.com/tracemap/tracemap"));
    }

    // Every shape an answer may take, read without a server.
    void parse_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<NominatimClient::Endpoint>("endpoint");
        QTest::addColumn<LookupStatus>("status");
        QTest::addColumn<double>("latitude"); // NaN = no coordinates expected
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("countryCode");
        QTest::addColumn<QString>("error"); // substring of the error; empty = none expected

        const auto S = NominatimClient::Endpoint::Search;
        const auto R = NominatimClient::Endpoint::Reverse;
        const double none = qQNaN();
        auto row = [](const char *name, const QByteArray &body, NominatimClient::Endpoint endpoint,
                      LookupStatus status, double latitude, const char *city, const char *cc,
                      const char *error) {
            QTest::newRow(name) << body << endpoint << status << latitude << QString::fromUtf8(city)
                                << QString::fromUtf8(cc) << QString::fromUtf8(error);
        };
        row("search: normal jsonv2", frankfurtSearch, S, LookupStatus::Resolved, 50.1106444,
            "Frankfurt am Main", "DE", "");
        row("search: coordinates as numbers", R"([{"lat":48.85,"lon":2.35,"address":{"city":"Paris"}}])", S,
            LookupStatus::Resolved, 48.85, "Paris", "", "");
        row("search: town, not city", R"([{"lat":"39.04","lon":"-77.48","address":{"town":"Ashburn"}}])", S,
            LookupStatus::Resolved, 39.04, "Ashburn", "", "");
        row("search: village",
            R"([{"lat":"1","lon":"2","address":{"village":"Hallstatt","country_code":"at"}}])", S,
            LookupStatus::Resolved, 1.0, "Hallstatt", "AT", "");
        row("search: municipality", R"([{"lat":"1","lon":"2","address":{"municipality":"Gemeinde"}}])", S,
            LookupStatus::Resolved, 1.0, "Gemeinde", "", "");
        row("search: hamlet", R"([{"lat":"1","lon":"2","address":{"hamlet":"Weiler"}}])", S,
            LookupStatus::Resolved, 1.0, "Weiler", "", "");
        row("search: no address at all", R"([{"lat":"1","lon":"2","display_name":"Somewhere"}])", S,
            LookupStatus::Resolved, 1.0, "", "", "");
        row("search: address only has a country", R"([{"lat":"1","lon":"2","address":{"country":"Nauru"}}])",
            S, LookupStatus::Resolved, 1.0, "", "", "");
        row("search: address is a list", R"([{"lat":"1","lon":"2","address":["Frankfurt","DE"]}])", S,
            LookupStatus::Resolved, 1.0, "", "", "");
        row("search: address is a string", R"([{"lat":"1","lon":"2","address":"Frankfurt"}])", S,
            LookupStatus::Resolved, 1.0, "", "", "");
        row("search: address fields of wrong types",
            R"([{"lat":"1","lon":"2","address":{"city":["x"],"town":{"a":1},"village":null,"country_code":7}}])",
            S, LookupStatus::Resolved, 1.0, "", "", "");
        row("search: three-letter country code",
            R"([{"lat":"1","lon":"2","address":{"country_code":"deu"}}])", S, LookupStatus::Resolved, 1.0, "",
            "", "");
        row("search: first entry not an object", R"([null, 5, {"lat":"3","lon":"4","address":{"city":"C"}}])",
            S, LookupStatus::Resolved, 3.0, "C", "", "");
        row("search: nothing found", "[]", S, LookupStatus::NotFound, none, "", "", "no place");
        row("search: list of numbers", "[1,2,3]", S, LookupStatus::Failed, none, "", "", "without places");
        row("search: latitude missing", R"([{"lon":"2","address":{"city":"X"}}])", S, LookupStatus::Failed,
            none, "", "", "no usable coordinates");
        row("search: latitude not a number", R"([{"lat":"north","lon":"2"}])", S, LookupStatus::Failed, none,
            "", "", "no usable coordinates");
        row("search: latitude out of range", R"([{"lat":"91","lon":"2"}])", S, LookupStatus::Failed, none, "",
            "", "no usable coordinates");
        row("search: coordinates null", R"([{"lat":null,"lon":null}])", S, LookupStatus::Failed, none, "", "",
            "no usable coordinates");
        row("search: error string", R"({"error":"Internal error"})", S, LookupStatus::Failed, none, "", "",
            "Internal error");
        row("search: error object", R"({"error":{"code":400,"message":"Parameter 'q' missing"}})", S,
            LookupStatus::Failed, none, "", "", "Parameter 'q' missing");
        row("empty body", "", S, LookupStatus::Failed, none, "", "", "empty answer");
        row("whitespace body", " \r\n ", R, LookupStatus::Failed, none, "", "", "empty answer");
        row("HTML instead of JSON", "<html><body>Bad Gateway</body></html>", S, LookupStatus::Failed, none,
            "", "", "not JSON");
        row("truncated JSON", R"([{"lat":"50.1","lon":)", S, LookupStatus::Failed, none, "", "", "not JSON");
        row("JSON string", R"("hello")", S, LookupStatus::Failed, none, "", "", "");
        row("reverse: normal jsonv2", ashburnReverse, R, LookupStatus::Resolved, 39.0437, "Ashburn", "US",
            "");
        row("reverse: unable to geocode", R"({"error":"Unable to geocode"})", R, LookupStatus::NotFound, none,
            "", "", "no place there");
        row("reverse: no coordinates in answer", R"({"display_name":"Atlantic Ocean"})", R,
            LookupStatus::Resolved, 10.0, "", "", "");
        row("reverse: empty object", "{}", R, LookupStatus::NotFound, none, "", "", "names no place");
        row("reverse: only a state", R"({"lat":"1","lon":"2","address":{"state":"Bavaria"}})", R,
            LookupStatus::Resolved, 1.0, "", "", "");
        row("reverse: list instead of object", "[" + ashburnReverse + "]", R, LookupStatus::Resolved, 39.0437,
            "Ashburn", "US", "");
    }

    void parse()
    {
        QFETCH(QByteArray, body);
        QFETCH(NominatimClient::Endpoint, endpoint);
        QFETCH(LookupStatus, status);
        QFETCH(double, latitude);
        QFETCH(QString, city);
        QFETCH(QString, countryCode);
        QFETCH(QString, error);

        // For /reverse the client passes the asked coordinates as the fallback.
        const NominatimAnswer answer = NominatimClient::parseAnswer(body, endpoint, 10.0, 20.0);
        QCOMPARE(lookupStatusName(answer.status), lookupStatusName(status));
        if (qIsNaN(latitude)) {
            QVERIFY(!answer.place.hasCoordinates());
        } else {
            QVERIFY(answer.place.hasCoordinates());
            QCOMPARE(answer.place.latitude, latitude);
        }
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.place.countryCode, countryCode);
        if (status == LookupStatus::Resolved)
            QVERIFY2(answer.error.isEmpty(), qPrintable(answer.error));
        else
            QVERIFY(!answer.error.isEmpty());
        QVERIFY2(answer.error.contains(error), qPrintable(answer.error));
    }

    void boundingBoxGivesAccuracy()
    {
        const NominatimAnswer answer =
            NominatimClient::parseAnswer(frankfurtSearch, NominatimClient::Endpoint::Search);
        // Frankfurt's box is about 23 km by 24 km: half its diagonal is about 16 km.
        QVERIFY2(answer.place.accuracyKm > 10 && answer.place.accuracyKm < 25,
                 qPrintable(QString::number(answer.place.accuracyKm)));
        QCOMPARE(answer.place.region, QStringLiteral("Hessen"));
        QCOMPARE(answer.place.displayName, QStringLiteral("Frankfurt am Main, Hessen, Deutschland"));
    }

    void searchSendsWhatThePolicyAsks()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) { return respond(frankfurtSearch); });
        auto nominatim = client(server);
        Answers answers;
        nominatim->search(QStringLiteral("Frankfurt am Main + Offenbach & more"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        const NominatimAnswer answer = answers.list.first();
        QCOMPARE(lookupStatusName(answer.status), QStringLiteral("resolved"));
        QVERIFY(!answer.fromCache);
        QCOMPARE(answer.place.city, QStringLiteral("Frankfurt am Main"));
        QCOMPARE(answer.place.countryCode, QStringLiteral("DE"));

        QCOMPARE(server.requestCount(), 1);
        const auto request = server.requests().first();
        QCOMPARE(request.method, QByteArray("GET"));
        QCOMPARE(request.path, QStringLiteral("/search"));
        QCOMPARE(request.query.queryItemValue("q", QUrl::FullyDecoded),
                 QStringLiteral("Frankfurt am Main + Offenbach & more"));
        QCOMPARE(request.query.queryItemValue("format"), QStringLiteral("jsonv2"));
        QCOMPARE(request.query.queryItemValue("limit"), QStringLiteral("1"));
        QCOMPARE(request.header("User-Agent"), NominatimClient::userAgent());
    }

    void serverWithPathPrefix()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/nominatim/reverse",
                     [](const LoopbackHttpServer::Request &) { return respond(ashburnReverse); });
        NominatimClient nominatim(&m_network, server.url(QStringLiteral("/nominatim/")), QString(), 3000);
        Answers answers;
        nominatim.reverse(39.04372, -77.48749, 10, answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        QCOMPARE(lookupStatusName(answers.list.first().status), QStringLiteral("resolved"));
        QCOMPARE(answers.list.first().place.city, QStringLiteral("Ashburn"));
        const auto request = server.requests().first();
        QCOMPARE(request.query.queryItemValue("lat"), QStringLiteral("39.04372"));
        QCOMPARE(request.query.queryItemValue("lon"), QStringLiteral("-77.48749"));
        QCOMPARE(request.query.queryItemValue("zoom"), QStringLiteral("10"));
        QCOMPARE(request.query.queryItemValue("format"), QStringLiteral("jsonv2"));
    }

    void invalidInputIsRefusedAtOnce_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("longitude");
        QTest::addColumn<int>("zoom");
        QTest::newRow("empty place name") << QString() << 0.0 << 0.0 << -1;
        QTest::newRow("blank place name") << QStringLiteral("  \t ") << 0.0 << 0.0 << -1;
        QTest::newRow("place name of 501 characters") << QString(501, QLatin1Char('a')) << 0.0 << 0.0 << -1;
        QTest::newRow("latitude 91") << QString() << 91.0 << 0.0 << 10;
        QTest::newRow("longitude -181") << QString() << 0.0 << -181.0 << 10;
        QTest::newRow("latitude NaN") << QString() << qQNaN() << 0.0 << 10;
        QTest::newRow("zoom 19") << QString() << 0.0 << 0.0 << 19;
    }

    void invalidInputIsRefusedAtOnce()
    {
        QFETCH(QString, query);
        QFETCH(double, latitude);
        QFETCH(double, longitude);
        QFETCH(int, zoom);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        auto nominatim = client(server);
        Answers answers;
        if (zoom < 0)
            nominatim->search(query, answers.callback());
        else
            nominatim->reverse(latitude, longitude, zoom, answers.callback());
        QCOMPARE(answers.list.size(), 1); // synchronously
        QCOMPARE(lookupStatusName(answers.list.first().status), QStringLiteral("failed"));
        QVERIFY(!answers.list.first().error.isEmpty());
        QTest::qWait(50);
        QCOMPARE(server.requestCount(), 0);
    }

    // Whatever the server does, one clear answer comes back, within the deadline.
    void brokenServers_data()
    {
        QTest::addColumn<LoopbackHttpServer::Response>("response");
        QTest::addColumn<LookupStatus>("status");
        QTest::addColumn<QString>("error");

        using Response = LoopbackHttpServer::Response;
        QTest::newRow("HTTP 500") << respond("oops", 500) << LookupStatus::Failed << "HTTP 500";
        QTest::newRow("HTTP 400 with error object")
            << respond(R"({"error":{"code":400,"message":"Nothing to search for."}})", 400)
            << LookupStatus::Failed << "Nothing to search for.";
        QTest::newRow("HTTP 429") << respond("slow down", 429).header("Retry-After", "1")
                                  << LookupStatus::Failed << "HTTP 429";
        QTest::newRow("HTTP 503") << respond("", 503).header("Retry-After", "1") << LookupStatus::Failed
                                  << "HTTP 503";
        QTest::newRow("empty body") << respond("") << LookupStatus::Failed << "empty answer";
        QTest::newRow("not JSON") << respond("<html>hello</html>") << LookupStatus::Failed << "not JSON";
        {
            Response r;
            r.raw = "this is not HTTP at all\r\n\r\n";
            r.closeAfter = true;
            QTest::newRow("not HTTP") << r << LookupStatus::Failed << "";
        }
        {
            Response r = respond(frankfurtSearch);
            r.contentLength = 100000; // announces more than it sends, then hangs up
            r.closeAfter = true;
            QTest::newRow("connection closed mid-body") << r << LookupStatus::Failed << "";
        }
        {
            Response r = respond(QByteArray(10 * 1024 * 1024, ' ') + "[]");
            QTest::newRow("10 MB body") << r << LookupStatus::Failed << "larger than";
        }
        {
            Response r = respond("[" + QByteArray(10 * 1024 * 1024, ' ') + "]");
            r.chunkSize = 64 * 1024; // no Content-Length to warn us
            QTest::newRow("10 MB chunked body") << r << LookupStatus::Failed << "larger than";
        }
        {
            Response r;
            r.neverAnswer = true;
            QTest::newRow("never answers") << r << LookupStatus::TimedOut << "within 500 ms";
        }
        {
            Response r = respond(frankfurtSearch);
            r.chunkSize = 1;
            r.chunkIntervalMs = 100; // a byte every 100 ms: never idle, never done
            QTest::newRow("drips one byte at a time") << r << LookupStatus::TimedOut << "within 500 ms";
        }
    }

    void brokenServers()
    {
        QFETCH(LoopbackHttpServer::Response, response);
        QFETCH(LookupStatus, status);
        QFETCH(QString, error);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.setDefaultHandler([response](const LoopbackHttpServer::Request &) { return response; });
        auto nominatim = client(server, QString(), 500);
        Answers answers;
        QElapsedTimer clock;
        clock.start();
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 1, 5000);
        QVERIFY2(clock.elapsed() < 2500, qPrintable(QString::number(clock.elapsed())));
        const NominatimAnswer answer = answers.list.first();
        QCOMPARE(lookupStatusName(answer.status), lookupStatusName(status));
        QVERIFY2(answer.error.contains(error), qPrintable(answer.error));
        QVERIFY(!answer.error.isEmpty());
        QTest::qWait(100);
        QCOMPARE(answers.list.size(), 1); // never a second call
    }

    // 429/503: that request fails, and the server is left alone for its Retry-After: queued and
    // new lookups fail at once instead of piling up, then lookups work again.
    void backsOffAfter429()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        bool limited = true;
        server.route("/search", [&limited](const LoopbackHttpServer::Request &) {
            if (limited)
                return respond(R"({"error":"Too many requests"})", 429).header("Retry-After", "2");
            return respond(frankfurtSearch);
        });
        auto nominatim = client(server);
        Answers first, queued, later;
        nominatim->search(QStringLiteral("one"), first.callback());
        nominatim->search(QStringLiteral("two"), queued.callback());
        QTRY_COMPARE(first.list.size(), 1);
        QCOMPARE(lookupStatusName(first.list.first().status), QStringLiteral("failed"));
        QVERIFY2(first.list.first().error.contains("backing off for 2 s"),
                 qPrintable(first.list.first().error));
        QCOMPARE(queued.list.size(), 1);
        QVERIFY2(queued.list.first().error.contains("asked to slow down"),
                 qPrintable(queued.list.first().error));

        limited = false;
        nominatim->search(QStringLiteral("three"), later.callback());
        QCOMPARE(later.list.size(), 1); // at once
        QCOMPARE(lookupStatusName(later.list.first().status), QStringLiteral("failed"));
        QCOMPARE(server.requestCount(), 1);

        // Another client of the same server is held back too: the limit is program-wide.
        auto other = client(server);
        Answers fromOther;
        other->search(QStringLiteral("four"), fromOther.callback());
        QCOMPARE(fromOther.list.size(), 1);
        QCOMPARE(server.requestCount(), 1);

        QTest::qWait(2100);
        Answers recovered;
        nominatim->search(QStringLiteral("five"), recovered.callback());
        QTRY_COMPARE(recovered.list.size(), 1);
        QCOMPARE(lookupStatusName(recovered.list.first().status), QStringLiteral("resolved"));
        QCOMPARE(server.requestCount(), 2);
    }

    void retryAfterMayBeADate()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) {
            const QByteArray date = QLocale::c()
                                        .toString(QDateTime::currentDateTimeUtc().addSecs(3),
                                                  QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                                        .toLatin1();
            return respond("", 503).header("Retry-After", date);
        });
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression("answered HTTP 503; leaving it alone for [23] s"));
        auto nominatim = client(server);
        Answers answers;
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        QVERIFY2(answers.list.first().error.contains(QRegularExpression("backing off for [23] s")),
                 qPrintable(answers.list.first().error));
    }

    // The policy: at most one request a second, program-wide. Twenty distinct lookups at once
    // from two clients of the same server; the server notes when each request arrives.
    void neverMoreThanOneRequestPerSecond()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &r) {
            const QByteArray name = r.query.queryItemValue("q").toUtf8();
            return respond(R"([{"lat":"1.5","lon":"2.5","address":{"city":")" + name + R"("}}])");
        });
        auto first = client(server);
        auto second = client(server);
        Answers answers;
        for (int i = 0; i < 20; ++i)
            (i % 2 ? first : second)->search(QStringLiteral("place %1").arg(i), answers.callback());
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 20, 40000);
        for (const NominatimAnswer &answer : std::as_const(answers.list))
            QCOMPARE(lookupStatusName(answer.status), QStringLiteral("resolved"));

        const auto requests = server.requests();
        QCOMPARE(requests.size(), 20);
        qint64 shortest = std::numeric_limits<qint64>::max();
        for (qsizetype i = 1; i < requests.size(); ++i)
            shortest = std::min(shortest, requests.at(i).receivedMs - requests.at(i - 1).receivedMs);
        qInfo("shortest gap between two requests at the server: %lld ms", shortest);
        QVERIFY2(shortest >= 1000, qPrintable(QString::number(shortest)));
        // ...and not absurdly slow either: 19 gaps of about 1.1 s.
        QVERIFY(requests.last().receivedMs - requests.first().receivedMs < 19 * 1500);
    }

    // A slow server: the next request waits for the previous answer, plus a second, so the
    // server never has two of ours at once nor two arriving within a second.
    void nextRequestWaitsForTheAnswer()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) {
            return respond(frankfurtSearch).delayed(700);
        });
        auto first = client(server);
        auto second = client(server);
        Answers answers;
        first->search(QStringLiteral("one"), answers.callback());
        second->search(QStringLiteral("two"), answers.callback());
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 2, 10000);
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 2);
        const qint64 gap = requests.at(1).receivedMs - requests.at(0).receivedMs;
        QVERIFY2(gap >= 1700, qPrintable(QString::number(gap)));
    }

    void identicalRequestsAreSentOnce()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) {
            return respond(frankfurtSearch).delayed(200);
        });
        auto nominatim = client(server);
        Answers answers;
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        nominatim->search(QStringLiteral("frankfurt"), answers.callback());
        nominatim->search(QStringLiteral("  Frankfurt  "), answers.callback());
        QCOMPARE(nominatim->pendingCount(), 1);
        QTRY_COMPARE(answers.list.size(), 3);
        for (const NominatimAnswer &answer : std::as_const(answers.list))
            QCOMPARE(answer.place.city, QStringLiteral("Frankfurt am Main"));
        QCOMPARE(server.requestCount(), 1);
    }

    // Places and "no such place" are cached, in memory and on disk: a new client (a restarted
    // program) answers from the file without asking the server.
    void answersAreCached()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString cachePath = dir.filePath(QStringLiteral("sub/nominatim.sqlite"));
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &r) {
            return respond(r.query.queryItemValue("q") == QLatin1String("Nowhere") ? "[]" : frankfurtSearch);
        });
        server.route("/reverse", [](const LoopbackHttpServer::Request &) { return respond(ashburnReverse); });

        {
            auto nominatim = client(server, cachePath);
            QVERIFY(nominatim->hasPersistentCache());
            Answers answers;
            nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
            nominatim->search(QStringLiteral("Nowhere"), answers.callback());
            nominatim->reverse(39.0437, -77.4875, 10, answers.callback());
            QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 3, 10000);
            QCOMPARE(server.requestCount(), 3);

            answers.list.clear();
            nominatim->search(QStringLiteral("frankfurt "), answers.callback());
            nominatim->search(QStringLiteral("Nowhere"), answers.callback());
            nominatim->reverse(39.0437, -77.4875, 10, answers.callback());
            QCOMPARE(answers.list.size(), 3); // synchronously, from memory
            for (const NominatimAnswer &answer : std::as_const(answers.list))
                QVERIFY(answer.fromCache);
            QCOMPARE(lookupStatusName(answers.list.at(1).status), QStringLiteral("not_found"));
            QCOMPARE(server.requestCount(), 3);
        }

        auto restarted = client(server, cachePath);
        Answers answers;
        restarted->search(QStringLiteral("Frankfurt"), answers.callback());
        restarted->search(QStringLiteral("Nowhere"), answers.callback());
        restarted->reverse(39.0437, -77.4875, 10, answers.callback());
        QCOMPARE(answers.list.size(), 3);
        const NominatimAnswer frankfurt = answers.list.at(0);
        QVERIFY(frankfurt.fromCache);
        QCOMPARE(lookupStatusName(frankfurt.status), QStringLiteral("resolved"));
        QCOMPARE(frankfurt.place.latitude, 50.1106444);
        QCOMPARE(frankfurt.place.longitude, 8.6820917);
        QCOMPARE(frankfurt.place.city, QStringLiteral("Frankfurt am Main"));
        QCOMPARE(frankfurt.place.countryCode, QStringLiteral("DE"));
        QVERIFY(frankfurt.place.accuracyKm > 0);
        QCOMPARE(lookupStatusName(answers.list.at(1).status), QStringLiteral("not_found"));
        QVERIFY(!answers.list.at(1).place.hasCoordinates()); // NULL in SQLite, not 0,0
        QCOMPARE(answers.list.at(2).place.city, QStringLiteral("Ashburn"));
        QCOMPARE(server.requestCount(), 3);
    }

    // How cheap a cached answer is (numbers in docs/benchmarks.md): from memory, and from the
    // SQLite file by a freshly started client.
    void cachedAnswersCost()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString cachePath = dir.filePath(QStringLiteral("nominatim.sqlite"));
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) { return respond(frankfurtSearch); });
        auto nominatim = client(server, cachePath);
        Answers answers;
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);

        int hits = 0;
        auto count = [&hits](const NominatimAnswer &answer) {
            hits += answer.fromCache ? 1 : 0;
        };
        const int memoryRounds = 100000;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < memoryRounds; ++i)
            nominatim->search(QStringLiteral("Frankfurt"), count);
        const qint64 memoryNs = clock.nsecsElapsed();
        QCOMPARE(hits, memoryRounds);

        const int restarts = 200;
        hits = 0;
        clock.restart();
        for (int i = 0; i < restarts; ++i) {
            NominatimClient restarted(&m_network, server.url(), cachePath, 3000);
            restarted.search(QStringLiteral("Frankfurt"), count);
        }
        const qint64 diskNs = clock.nsecsElapsed();
        QCOMPARE(hits, restarts);
        QCOMPARE(server.requestCount(), 1);
        qInfo("memory hit: %.2f us (%.0f per second); new client + SQLite hit: %.0f us",
              memoryNs / 1000.0 / memoryRounds, memoryRounds * 1e9 / memoryNs, diskNs / 1000.0 / restarts);
    }

    void failuresAreNotCached()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) { return respond("boom", 500); });
        auto nominatim = client(server);
        Answers answers;
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 2, 5000);
        QVERIFY(!answers.list.at(1).fromCache);
        QCOMPARE(server.requestCount(), 2);
    }

    void corruptCacheFileIsSetAside()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString cachePath = dir.filePath(QStringLiteral("nominatim.sqlite"));
        QFile garbage(cachePath);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(8192, '\x5a'));
        garbage.close();

        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) { return respond(frankfurtSearch); });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("Nominatim cache .* is corrupt"));
        {
            auto nominatim = client(server, cachePath);
            QVERIFY(nominatim->hasPersistentCache());
            // The one recovery policy (base/sqlitestore.h): set aside with the time it happened.
            QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("nominatim.sqlite.corrupt-*")}).size(), 1);
            Answers answers;
            nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
            QTRY_COMPARE(answers.list.size(), 1);
        }
        auto restarted = client(server, cachePath);
        Answers answers;
        restarted->search(QStringLiteral("Frankfurt"), answers.callback());
        QCOMPARE(answers.list.size(), 1);
        QVERIFY(answers.list.first().fromCache);
    }

    void unusableCachePathFallsBackToMemory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // A directory where the file should be: SQLite cannot open it.
        const QString cachePath = dir.filePath(QStringLiteral("isadir"));
        QVERIFY(QDir().mkpath(cachePath));
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) { return respond(frankfurtSearch); });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("Nominatim cache .* is unusable"));
        auto nominatim = client(server, cachePath);
        QVERIFY(!nominatim->hasPersistentCache());
        Answers answers;
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        QTRY_COMPARE(answers.list.size(), 1);
        nominatim->search(QStringLiteral("Frankfurt"), answers.callback());
        QCOMPARE(answers.list.size(), 2);
        QVERIFY(answers.list.at(1).fromCache);
    }

    // At one request a second a queue grows slowly: past the cap, lookups fail at once.
    void fullQueueFailsFast()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r;
            r.neverAnswer = true;
            return r;
        });
        auto nominatim = client(server, QString(), 1000);
        nominatim->setMaxQueued(3);
        Answers answers;
        for (int i = 0; i < 5; ++i)
            nominatim->search(QStringLiteral("place %1").arg(i), answers.callback());
        QCOMPARE(answers.list.size(), 2);
        for (const NominatimAnswer &answer : std::as_const(answers.list)) {
            QCOMPARE(lookupStatusName(answer.status), QStringLiteral("failed"));
            QVERIFY2(answer.error.contains("too many"), qPrintable(answer.error));
        }
        QCOMPARE(nominatim->pendingCount(), 3);
        // The three accepted ones time out one after another (1 s each, a slot apart).
        QTRY_COMPARE_WITH_TIMEOUT(answers.list.size(), 5, 10000);
        for (qsizetype i = 2; i < 5; ++i)
            QCOMPARE(lookupStatusName(answers.list.at(i).status), QStringLiteral("timed_out"));
        QCOMPARE(nominatim->pendingCount(), 0);
    }

    void cancelAllDropsCallbacks()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) {
            return respond(frankfurtSearch).delayed(200);
        });
        auto nominatim = client(server);
        Answers answers;
        nominatim->search(QStringLiteral("a"), answers.callback());
        nominatim->search(QStringLiteral("b"), answers.callback());
        QTRY_COMPARE(server.requestCount(), 1);
        nominatim->cancelAll();
        QCOMPARE(nominatim->pendingCount(), 0);
        QTest::qWait(1500);
        QCOMPARE(answers.list.size(), 0);
        QCOMPARE(server.requestCount(), 1); // "b" was never sent
    }

    void destroyedWithLookupsPending()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) {
            return respond(frankfurtSearch).delayed(200);
        });
        auto nominatim = client(server);
        int calls = 0;
        nominatim->search(QStringLiteral("a"), [&calls](const NominatimAnswer &) { ++calls; });
        nominatim->search(QStringLiteral("b"), [&calls](const NominatimAnswer &) { ++calls; });
        QTRY_COMPARE(server.requestCount(), 1);
        nominatim.reset();
        QTest::qWait(400); // the answer arrives for a client that is gone
        QCOMPARE(calls, 0);
    }

    void callbackMayDestroyTheClient()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/search", [](const LoopbackHttpServer::Request &) { return respond(frankfurtSearch); });
        auto nominatim = client(server);
        int calls = 0;
        nominatim->search(QStringLiteral("a"), [&](const NominatimAnswer &) {
            ++calls;
            nominatim.reset();
        });
        nominatim->search(QStringLiteral("a"), [&](const NominatimAnswer &) { ++calls; });
        QTRY_VERIFY(!nominatim);
        QTest::qWait(50);
        QCOMPARE(calls, 1);
    }
};

QTEST_GUILESS_MAIN(tst_Nominatim)
#include "tst_nominatim.moc"
