// HttpFetch against a loopback server: every outcome (answer, HTTP error, refusal, deadline,
// body cap, announced length), tracemap's User-Agent unless the caller names another, and
// streaming to a sink.
#include "httpfetch.h"
#include "loopbackhttpserver.h"
#include "useragent.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace tracemap;
using tracemap::test::LoopbackHttpServer;

namespace {

using Outcome = HttpFetchResult::Outcome;

struct Done
{
    std::optional<HttpFetchResult> result;
    int calls = 0;
    HttpFetch::Done callback()
    {
        return [this](const HttpFetchResult &r) {
            result = r;
            ++calls;
        };
    }
};

} // namespace

class TestHttpFetch : public QObject
{
    Q_OBJECT
private slots:
    void outcomes_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("answered") << "ok" << int(Outcome::Answered) << 200 << QByteArray("hello");
        QTest::newRow("HTTP error is an answer")
            << "404" << int(Outcome::Answered) << 404 << QByteArray("gone");
        QTest::newRow("silent server hits the deadline")
            << "silent" << int(Outcome::TimedOut) << 0 << QByteArray();
        QTest::newRow("slow drip hits the deadline") << "drip" << int(Outcome::TimedOut) << 0 << QByteArray();
        QTest::newRow("body over the cap") << "big" << int(Outcome::TooLarge) << 0 << QByteArray();
        QTest::newRow("announced length over the cap")
            << "announced" << int(Outcome::TooLarge) << 0 << QByteArray();
        QTest::newRow("connection closed without answer")
            << "closed" << int(Outcome::NetworkError) << 0 << QByteArray();
    }
    void outcomes()
    {
        QFETCH(QString, kind);
        QFETCH(int, outcome);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/x", [kind](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r = LoopbackHttpServer::text("hello");
            if (kind == "404") {
                r = LoopbackHttpServer::text("gone", 404);
            } else if (kind == "silent") {
                r.neverAnswer = true;
            } else if (kind == "drip") {
                r.body = QByteArray(64, 'x');
                r.chunkSize = 1;
                r.chunkIntervalMs = 100;
            } else if (kind == "big") {
                r.body = QByteArray(4096, 'x');
                r.chunkSize = 512;
            } else if (kind == "announced") {
                r.contentLength = 1 << 20;
            } else if (kind == "closed") {
                r.raw = "garbage";
                r.closeAfter = true;
            }
            return r;
        });
        QNetworkAccessManager network;
        Done done;
        HttpFetch::start(&network, QNetworkRequest(server.url("/x")), 800, 1024, done.callback(), this);
        QCOMPARE(done.calls, 0); // never synchronous
        QTRY_COMPARE_WITH_TIMEOUT(done.calls, 1, 5000);
        QCOMPARE(int(done.result->outcome), outcome);
        QCOMPARE(done.result->httpStatus, status);
        QCOMPARE(done.result->body, body);
        QCOMPARE(done.result->error.isEmpty(), outcome == int(Outcome::Answered));
        QTest::qWait(50);
        QCOMPARE(done.calls, 1); // exactly once
    }

    void userAgent_data()
    {
        QTest::addColumn<QByteArray>("given");
        QTest::addColumn<QByteArray>("sent");
        QTest::newRow("default") << QByteArray() << tracemap::userAgent();
        QTest::newRow("caller's own") << QByteArray("tracemap/x (test)") << QByteArray("tracemap/x (test)");
    }
    void userAgent()
    {
        QFETCH(QByteArray, given);
        QFETCH(QByteArray, sent);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/x",
                     [](const LoopbackHttpServer::Request &) { return LoopbackHttpServer::text("ok"); });
        QNetworkAccessManager network;
        QNetworkRequest request(server.url("/x"));
        if (!given.isEmpty())
            request.setHeader(QNetworkRequest::UserAgentHeader, given);
        Done done;
        HttpFetch::start(&network, request, 2000, 1024, done.callback(), this);
        QTRY_COMPARE_WITH_TIMEOUT(done.calls, 1, 5000);
        QCOMPARE(server.requests().size(), 1);
        QCOMPARE(server.requests().first().header("User-Agent"), sent);
    }

    void refusesOtherSchemes()
    {
        QNetworkAccessManager network;
        Done done;
        HttpFetch::start(&network, QNetworkRequest(QUrl(QStringLiteral("file:///etc/passwd"))), 1000, 1024,
                         done.callback(), this);
        QCOMPARE(done.calls, 0);
        QTRY_COMPARE(done.calls, 1);
        QCOMPARE(done.result->outcome, Outcome::NetworkError);
        QVERIFY(done.result->body.isEmpty());
    }

    void streamsToASink_data()
    {
        QTest::addColumn<bool>("accept");
        QTest::addColumn<int>("outcome");
        QTest::newRow("sink keeps everything") << true << int(Outcome::Answered);
        QTest::newRow("sink refuses: aborted") << false << int(Outcome::NetworkError);
    }
    void streamsToASink()
    {
        QFETCH(bool, accept);
        QFETCH(int, outcome);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        const QByteArray payload(3000, 'p');
        server.route("/x", [payload](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r = LoopbackHttpServer::text(payload);
            r.chunkSize = 700;
            return r;
        });
        QNetworkAccessManager network;
        Done done;
        QByteArray stored;
        HttpFetch *fetch =
            HttpFetch::start(&network, QNetworkRequest(server.url("/x")), 3000, 4096, done.callback(), this);
        fetch->streamTo([&stored, accept](const QByteArray &chunk) {
            stored += chunk;
            return accept;
        });
        QTRY_COMPARE_WITH_TIMEOUT(done.calls, 1, 5000);
        QCOMPARE(int(done.result->outcome), outcome);
        QVERIFY(done.result->body.isEmpty()); // streamed, not buffered
        if (accept)
            QCOMPARE(stored, payload);
        else
            QVERIFY(!stored.isEmpty() && stored.size() <= payload.size());
    }

    void cancelNeverCalls()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route("/x", [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::text("late").delayed(100);
        });
        QNetworkAccessManager network;
        Done done;
        HttpFetch *fetch =
            HttpFetch::start(&network, QNetworkRequest(server.url("/x")), 2000, 1024, done.callback(), this);
        fetch->cancel();
        QTest::qWait(300);
        QCOMPARE(done.calls, 0);
    }
};

QTEST_MAIN(TestHttpFetch)
#include "tst_httpfetch.moc"
