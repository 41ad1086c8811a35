// The tile loader against a tile server on loopback: User-Agent, disk cache across restarts,
// expiry and conditional re-fetch, at most two requests/connections, only wanted tiles, bad
// answers with back-off, timeouts, and the offline switch.

#include "loopbackhttpserver.h"
#include "tileloader.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using Server = test::LoopbackHttpServer;

namespace {

QByteArray png(QColor colour = QColor(0x40, 0x80, 0xc0))
{
    QImage image(256, 256, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

Server::Response tileResponse(const QByteArray &cacheControl = "max-age=604800")
{
    Server::Response r;
    r.body = png();
    r.header("Content-Type", "image/png");
    if (!cacheControl.isEmpty())
        r.header("Cache-Control", cacheControl);
    return r;
}

QList<TileId> row(int zoom, int y, int count)
{
    QList<TileId> tiles;
    for (int x = 0; x < count; ++x)
        tiles.append({zoom, x, y});
    return tiles;
}

} // namespace

class TestTileLoader : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void userAgentAndDiskCache();
    void expiry_data();
    void expiry();
    void atMostTwoInFlight();
    void onlyWantedTiles();
    void badAnswers_data();
    void badAnswers();
    void backoffIsNotATightLoop();
    void timeouts_data();
    void timeouts();
    void offlineSendsNothing();
    void urlTemplate();

private:
    std::unique_ptr<Server> m_server;
    std::unique_ptr<QTemporaryDir> m_cache;
    std::unique_ptr<TileLoader> newLoader(const QString &path = QStringLiteral("/{z}/{x}/{y}.png"))
    {
        auto loader = std::make_unique<TileLoader>();
        loader->setCacheDirectory(m_cache->path());
        loader->setUrlTemplate(m_server->url().toString() + path);
        return loader;
    }
};

void TestTileLoader::init()
{
    m_server = std::make_unique<Server>();
    QVERIFY(m_server->listen());
    m_cache = std::make_unique<QTemporaryDir>();
    QVERIFY(m_cache->isValid());
}

void TestTileLoader::cleanup()
{
    m_server.reset();
    m_cache.reset();
}

void TestTileLoader::userAgentAndDiskCache()
{
    m_server->setDefaultHandler([](const Server::Request &) { return tileResponse(); });
    const QList<TileId> tiles = row(3, 2, 3);
    {
        auto loader = newLoader();
        QSignalSpy ready(loader.get(), &TileLoader::tileReady);
        loader->request(tiles);
        QCOMPARE(loader->status(), TileLoader::Status::Loading);
        QTRY_COMPARE(ready.count(), 3);
        QCOMPARE(loader->pendingCount(), 0);
        QCOMPARE(loader->status(), TileLoader::Status::Ok);
        QCOMPARE(m_server->requestCount(), 3);
        for (const auto &request : m_server->requests()) {
            QCOMPARE(request.header("User-Agent"),
                     QByteArray("tracemap/" TRACEMAP_VERSION " (+https://github.com/tracemap/tracemap)"));
            QVERIFY(request.header("Cache-Control").isEmpty()); // never no-cache
            QVERIFY(request.header("If-None-Match").isEmpty());
        }
        for (const TileId &tile : tiles) {
            QVERIFY(!loader->tile(tile).isNull());
            const QString base = QStringLiteral("%1/%2/%3/%4")
                                     .arg(loader->templateCacheDirectory())
                                     .arg(tile.zoom)
                                     .arg(tile.x)
                                     .arg(tile.y);
            QVERIFY(QFileInfo::exists(base + QStringLiteral(".png")));
            QVERIFY(QFileInfo::exists(base + QStringLiteral(".meta")));
        }
        QVERIFY(loader->templateCacheDirectory().startsWith(m_cache->path()));
        // Asked again: served from memory.
        loader->request(tiles);
        QCOMPARE(loader->pendingCount(), 0);
        QCOMPARE(m_server->requestCount(), 3);
    }
    // A restart: served from disk, synchronously, without a request.
    auto restarted = newLoader();
    restarted->request(tiles);
    for (const TileId &tile : tiles)
        QVERIFY(!restarted->tile(tile).isNull());
    QCOMPARE(restarted->pendingCount(), 0);
    QTest::qWait(100);
    QCOMPARE(m_server->requestCount(), 3);
    // Another template has its own cache directory.
    auto other = newLoader(QStringLiteral("/other/{z}/{x}/{y}.png"));
    QVERIFY(other->templateCacheDirectory() != restarted->templateCacheDirectory());
    other->request(tiles);
    QTRY_COMPARE(m_server->requestCount(), 6);
}

void TestTileLoader::expiry_data()
{
    QTest::addColumn<QByteArray>("cacheControl");
    QTest::addColumn<QByteArray>("expires");
    QTest::addColumn<qint64>("minimumFreshness");
    QTest::addColumn<bool>("refetched");
    QTest::newRow("max-age fresh") << QByteArray("public, max-age=3600") << QByteArray() << qint64(0)
                                   << false;
    QTest::newRow("max-age expired") << QByteArray("max-age=0") << QByteArray() << qint64(0) << true;
    QTest::newRow("expires in the past")
        << QByteArray() << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << qint64(0) << true;
    QTest::newRow("expires next year")
        << QByteArray() << QDateTime::currentDateTimeUtc().addYears(1).toString(Qt::RFC2822Date).toLatin1()
        << qint64(0) << false;
    QTest::newRow("no headers, no floor") << QByteArray() << QByteArray() << qint64(0) << true;
    QTest::newRow("floor of 7 days") << QByteArray("max-age=0") << QByteArray() << qint64(7 * 24 * 3600)
                                     << false;
}

void TestTileLoader::expiry()
{
    QFETCH(QByteArray, cacheControl);
    QFETCH(QByteArray, expires);
    QFETCH(qint64, minimumFreshness);
    QFETCH(bool, refetched);

    int served = 0;
    m_server->setDefaultHandler([&](const Server::Request &request) {
        if (request.header("If-None-Match") == "\"v1\"") {
            Server::Response notModified;
            notModified.status = 304;
            notModified.header("Cache-Control", "max-age=3600");
            return notModified;
        }
        ++served;
        Server::Response r = tileResponse(cacheControl);
        r.header("ETag", "\"v1\"").header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
        if (!expires.isEmpty())
            r.header("Expires", expires);
        return r;
    });
    const QList<TileId> tiles{{4, 8, 5}};
    {
        auto loader = newLoader();
        loader->setMinimumFreshness(minimumFreshness);
        loader->request(tiles);
        QTRY_COMPARE(loader->pendingCount(), 0);
        QCOMPARE(served, 1);
    }
    auto restarted = newLoader();
    restarted->setMinimumFreshness(minimumFreshness);
    restarted->request(tiles);
    // The cached tile is shown at once, stale or not.
    QVERIFY(!restarted->tile(tiles[0]).isNull());
    QCOMPARE(restarted->pendingCount(), refetched ? 1 : 0);
    QTRY_COMPARE(restarted->pendingCount(), 0);
    QCOMPARE(m_server->requestCount(), refetched ? 2 : 1);
    QCOMPARE(served, 1); // a re-fetch is conditional and answered 304
    if (refetched) {
        const auto request = m_server->requests().last();
        QCOMPARE(request.header("If-None-Match"), QByteArray("\"v1\""));
        QCOMPARE(request.header("If-Modified-Since"), QByteArray("Wed, 21 Oct 2015 07:28:00 GMT"));
        QVERIFY(!restarted->tile(tiles[0]).isNull());
        // The 304's max-age made it fresh again, on disk too.
        auto third = newLoader();
        third->setMinimumFreshness(0);
        third->request(tiles);
        QCOMPARE(third->pendingCount(), 0);
    }
    // Stale tiles are re-validated once a session, not on every request.
    restarted->request(tiles);
    QCOMPARE(restarted->pendingCount(), 0);
}

void TestTileLoader::atMostTwoInFlight()
{
    m_server->setDefaultHandler([](const Server::Request &) { return tileResponse().delayed(60); });
    auto loader = newLoader();
    int mostInFlight = 0;
    connect(loader.get(), &TileLoader::pendingCountChanged, this,
            [&] { mostInFlight = std::max(mostInFlight, loader->inFlightCount()); });
    QSignalSpy ready(loader.get(), &TileLoader::tileReady);
    loader->request(row(4, 3, 12));
    mostInFlight = std::max(mostInFlight, loader->inFlightCount());
    QCOMPARE(loader->inFlightCount(), 2);
    QCOMPARE(loader->queuedCount(), 10);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 12, 10000);
    QCOMPARE(mostInFlight, 2);
    QVERIFY2(m_server->maxOpenConnections() <= 2,
             qPrintable(QString::number(m_server->maxOpenConnections())));
    QCOMPARE(m_server->requestCount(), 12);
    // Nearest-first order is kept: requests arrive in the order asked.
    QCOMPARE(m_server->requests().first().path, QStringLiteral("/4/0/3.png"));
    QCOMPARE(m_server->requests().last().path, QStringLiteral("/4/11/3.png"));
    // setMaxInFlight cannot raise the limit.
    loader->setMaxInFlight(6);
    QCOMPARE(loader->maxInFlight(), 2);
}

void TestTileLoader::onlyWantedTiles()
{
    m_server->setDefaultHandler([](const Server::Request &) { return tileResponse().delayed(150); });
    auto loader = newLoader();
    loader->request(row(5, 10, 10));
    QCOMPARE(loader->inFlightCount(), 2);
    // The view moved on: the 8 queued tiles are dropped, the 2 in flight finish (and are cached).
    const QList<TileId> now = row(5, 20, 2);
    loader->request(now);
    QCOMPARE(loader->queuedCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(loader->pendingCount(), 0, 5000);
    QCOMPARE(m_server->requestCount(), 4);
    QVERIFY(!loader->tile({5, 0, 10}).isNull());
    QVERIFY(!loader->tile(now[1]).isNull());
    QVERIFY(loader->tile({5, 5, 10}).isNull());
    // Invalid ids are ignored.
    loader->request({{2, 9, 0}, {-1, 0, 0}, {3, 0, 8}});
    QCOMPARE(loader->pendingCount(), 0);
}

void TestTileLoader::badAnswers_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<TileLoader::TileError>("error");
    const QByteArray good = png();
    QTest::newRow("bad png") << 200 << QByteArray("\x89PNG\r\n\x1a\nthis is not a png") << QByteArray()
                             << TileLoader::TileError::BadImage;
    QTest::newRow("truncated png") << 200 << good.left(good.size() / 2) << QByteArray()
                                   << TileLoader::TileError::BadImage;
    QTest::newRow("html page") << 200 << QByteArray("<html><body>blocked</body></html>") << QByteArray()
                               << TileLoader::TileError::BadImage;
    QTest::newRow("404") << 404 << QByteArray("no such tile") << QByteArray()
                         << TileLoader::TileError::HttpStatus;
    QTest::newRow("500") << 500 << QByteArray("oops") << QByteArray() << TileLoader::TileError::HttpStatus;
    QTest::newRow("429") << 429 << QByteArray() << QByteArray() << TileLoader::TileError::HttpStatus;
    QTest::newRow("huge body") << 200 << QByteArray(3 * 1024 * 1024, 'x') << QByteArray()
                               << TileLoader::TileError::TooLarge;
    QTest::newRow("garbage status line")
        << 0 << QByteArray() << QByteArray("SPDY/9 banana\r\n\r\n") << TileLoader::TileError::Network;
}

void TestTileLoader::badAnswers()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, raw);
    QFETCH(TileLoader::TileError, error);
    m_server->setDefaultHandler([&](const Server::Request &) {
        Server::Response r;
        r.status = status;
        r.body = body;
        r.raw = raw;
        r.closeAfter = !raw.isEmpty();
        if (status == 429)
            r.header("Retry-After", "1");
        return r;
    });
    auto loader = newLoader();
    QSignalSpy failed(loader.get(), &TileLoader::tileFailed);
    const TileId tile{6, 33, 21};
    loader->request({tile});
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
    QVERIFY(loader->hasFailed(tile));
    QCOMPARE(loader->lastError(tile), error);
    QVERIFY(loader->tile(tile).isNull());
    QCOMPARE(loader->status(), TileLoader::Status::Failing);
    // Nothing was cached.
    QVERIFY(!QFileInfo::exists(QStringLiteral("%1/6/33/21.png").arg(loader->templateCacheDirectory())));
    QCOMPARE(loader->requestsSent(), 1);
    // (A broken connection may make the QNAM re-send an idempotent request itself, at most 3 times.)
    QVERIFY(m_server->requestCount() >= 1 && m_server->requestCount() <= 4);
    const int seen = m_server->requestCount();
    // Asked again at once: back-off, no request.
    loader->request({tile});
    QCOMPARE(loader->pendingCount(), 0);
    QTest::qWait(100);
    QCOMPARE(loader->requestsSent(), 1);
    QCOMPARE(m_server->requestCount(), seen);
}

void TestTileLoader::backoffIsNotATightLoop()
{
    m_server->setDefaultHandler([](const Server::Request &) { return Server::text("busy", 503); });
    auto loader = newLoader();
    loader->setRetryBackoff(200, 10000);
    const TileId tile{2, 1, 1};
    loader->request({tile});
    // Retries come by themselves while the tile is wanted, 200, 400, 800 ms apart ...
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requestCount(), 3, 3000);
    QTest::qWait(1000);
    // ... so about 1.6 s in there have been at most 4 requests, each later gap longer.
    QVERIFY2(m_server->requestCount() <= 4, qPrintable(QString::number(m_server->requestCount())));
    const auto requests = m_server->requests();
    for (qsizetype i = 2; i < requests.size(); ++i)
        QVERIFY(requests[i].receivedMs - requests[i - 1].receivedMs >
                requests[i - 1].receivedMs - requests[i - 2].receivedMs);
    QVERIFY(requests[1].receivedMs - requests[0].receivedMs >= 190);
    // Not wanted any more: no more retries.
    loader->request({});
    const int sent = m_server->requestCount();
    QTest::qWait(1000);
    QCOMPARE(m_server->requestCount(), sent);
}

void TestTileLoader::timeouts_data()
{
    QTest::addColumn<bool>("neverAnswer");
    QTest::addColumn<int>("chunkIntervalMs");
    QTest::newRow("silent server") << true << 0;
    QTest::newRow("trickling body") << false << 100;
}

void TestTileLoader::timeouts()
{
    QFETCH(bool, neverAnswer);
    QFETCH(int, chunkIntervalMs);
    m_server->setDefaultHandler([&](const Server::Request &) {
        Server::Response r = tileResponse();
        r.neverAnswer = neverAnswer;
        r.chunkSize = 64; // a 256x256 PNG in 64-byte chunks every 100 ms: many seconds
        r.chunkIntervalMs = chunkIntervalMs;
        return r;
    });
    auto loader = newLoader();
    loader->setTimeout(400);
    QSignalSpy failed(loader.get(), &TileLoader::tileFailed);
    QElapsedTimer clock;
    clock.start();
    loader->request({{1, 0, 0}});
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 3000);
    QVERIFY2(clock.elapsed() < 2500, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(loader->lastError({1, 0, 0}), TileLoader::TileError::Timeout);
    QCOMPARE(loader->pendingCount(), 0);
}

void TestTileLoader::offlineSendsNothing()
{
    m_server->setDefaultHandler([](const Server::Request &) { return tileResponse(); });
    // Put one tile in the cache first.
    {
        auto loader = newLoader();
        loader->request({{3, 4, 3}});
        QTRY_COMPARE(loader->pendingCount(), 0);
    }
    m_server->clearLog();
    m_server->resetConnectionStats();
    auto loader = newLoader();
    loader->setNetworkEnabled(false);
    QCOMPARE(loader->status(), TileLoader::Status::Off);
    loader->request(row(3, 3, 8));
    QCOMPARE(loader->pendingCount(), 0);
    QVERIFY(!loader->tile({3, 4, 3}).isNull()); // the disk cache still serves
    QVERIFY(loader->tile({3, 5, 3}).isNull());
    QTest::qWait(200);
    QCOMPARE(m_server->requestCount(), 0);
    QCOMPARE(m_server->connectionsAccepted(), 0);
    // Switched on again: the wanted tiles are fetched.
    loader->setNetworkEnabled(true);
    QTRY_COMPARE(m_server->requestCount(), 7);
    QTRY_COMPARE(loader->pendingCount(), 0);
    // Switched off mid-flight: requests are abandoned, nothing more goes out.
    m_server->setDefaultHandler([](const Server::Request &) { return tileResponse().delayed(300); });
    loader->request(row(3, 6, 8));
    QCOMPARE(loader->inFlightCount(), 2);
    loader->setNetworkEnabled(false);
    QCOMPARE(loader->pendingCount(), 0);
    QTest::qWait(400);
    // The two abandoned requests may or may not have reached the server; nothing else did.
    QVERIFY(m_server->requestCount() <= 9);
    QCOMPARE(loader->requestsSent(), 9);
}

void TestTileLoader::urlTemplate()
{
    m_server->setDefaultHandler([](const Server::Request &) { return tileResponse(); });
    auto loader = newLoader(QStringLiteral("/{s}/tiles/{z}/{x}/{y}.png?style=plain"));
    loader->request({{7, 1, 2}, {7, 2, 2}, {7, 3, 2}});
    QTRY_COMPARE(m_server->requestCount(), 3);
    QStringList paths;
    for (const auto &r : m_server->requests())
        paths.append(r.path);
    paths.sort();
    QCOMPARE(paths, (QStringList{QStringLiteral("/a/tiles/7/1/2.png"), QStringLiteral("/b/tiles/7/2/2.png"),
                                 QStringLiteral("/c/tiles/7/3/2.png")}));
    QCOMPARE(m_server->requests().first().query.queryItemValue(QStringLiteral("style")),
             QStringLiteral("plain"));
    QCOMPARE(QString::fromLatin1(TileLoader::DefaultUrlTemplate),
             QStringLiteral("https://tile.openstreetmap.org/{z}/{x}/{y}.png"));
}

QTEST_GUILESS_MAIN(TestTileLoader)
#include "tst_tileloader.moc"
