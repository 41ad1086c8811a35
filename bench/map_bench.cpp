// Map item benchmark: frame time while panning (vector basemap; raster tiles cached in memory)
// and the time from a model row insert to the frame that shows its marker.
//
//   map_bench [--frames N] [--width W] [--height H]
//
// Runs under -platform offscreen (QT_QPA_PLATFORM=offscreen) with the software scene graph, so
// the numbers include painting the whole item and uploading it, as a machine without a GPU would.
// Tiles come from a loopback server (tests/common/loopbackhttpserver.h); nothing leaves the host.

#include "loopbackhttpserver.h"
#include "mapview.h"
#include "tileloader.h"

#include <QAbstractListModel>
#include <QBuffer>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QQuickWindow>
#include <QRandomGenerator>
#include <QSGRendererInterface>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace tracemap;

namespace {

class HopModel : public QAbstractListModel
{
public:
    struct Hop
    {
        int ttl;
        double latitude, longitude, rtt;
    };
    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(hops.size());
    }
    QVariant data(const QModelIndex &index, int role) const override
    {
        const Hop &h = hops.at(index.row());
        switch (role) {
        case Qt::UserRole + 1:
            return h.ttl;
        case Qt::UserRole + 2:
            return h.latitude;
        case Qt::UserRole + 3:
            return h.longitude;
        case Qt::UserRole + 4:
            return true;
        case Qt::UserRole + 5:
            return h.rtt;
        }
        return {};
    }
    QHash<int, QByteArray> roleNames() const override
    {
        return {{Qt::UserRole + 1, "ttl"},
                {Qt::UserRole + 2, "latitude"},
                {Qt::UserRole + 3, "longitude"},
                {Qt::UserRole + 4, "hasLocation"},
                {Qt::UserRole + 5, "avgRttMs"}};
    }
    void append(const Hop &hop)
    {
        beginInsertRows({}, int(hops.size()), int(hops.size()));
        hops.append(hop);
        endInsertRows();
    }
    QList<Hop> hops;
};

// Runs the event loop until `done` or the timeout; never nested in library code, only here.
bool spinUntil(const std::function<bool()> &done, int timeoutMs = 10000)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

struct Stats
{
    double mean, p50, p95, max;
};

Stats stats(QList<double> samples)
{
    std::sort(samples.begin(), samples.end());
    double sum = 0;
    for (double s : samples)
        sum += s;
    auto at = [&](double q) {
        return samples[std::min<qsizetype>(samples.size() - 1, qsizetype(q * samples.size()))];
    };
    return {sum / samples.size(), at(0.5), at(0.95), samples.last()};
}

void print(const char *what, const Stats &s)
{
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", what, s.mean, s.p50, s.p95, s.max);
}

// Time from a change to the frame that shows it. A local event loop is fine in a benchmark's
// main (never in library code); it sleeps instead of spinning, so the numbers are the item's.
double timeToFrame(QQuickWindow &window, const std::function<void()> &change)
{
    QEventLoop loop;
    const auto connection = QObject::connect(&window, &QQuickWindow::frameSwapped, &loop, &QEventLoop::quit,
                                             Qt::QueuedConnection);
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    change();
    loop.exec();
    const double ms = clock.nsecsElapsed() / 1e6;
    QObject::disconnect(connection);
    return ms;
}

QByteArray tilePng(int seed)
{
    // Something like a map tile: flat areas and some detail, so decoding costs what it would.
    QImage image(256, 256, QImage::Format_RGB32);
    image.fill(QColor(0xf2, 0xef, 0xe9));
    QRandomGenerator random(seed);
    for (int i = 0; i < 400; ++i) {
        const int x = random.bounded(256), y = random.bounded(256);
        image.setPixel(x, y, qRgb(random.bounded(200), random.bounded(200), random.bounded(200)));
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("frames"), QStringLiteral("Frames per panning run."),
                      QStringLiteral("N"), QStringLiteral("200")});
    parser.addOption({QStringLiteral("width"), QStringLiteral("Window width."), QStringLiteral("W"),
                      QStringLiteral("1280")});
    parser.addOption({QStringLiteral("height"), QStringLiteral("Window height."), QStringLiteral("H"),
                      QStringLiteral("800")});
    parser.process(app);
    const int frames = std::max(10, parser.value(QStringLiteral("frames")).toInt());
    const QSize size(parser.value(QStringLiteral("width")).toInt(),
                     parser.value(QStringLiteral("height")).toInt());

    test::LoopbackHttpServer server;
    if (!server.listen())
        return 1;
    QList<QByteArray> tiles;
    for (int i = 0; i < 16; ++i)
        tiles.append(tilePng(i));
    server.setDefaultHandler([&](const test::LoopbackHttpServer::Request &request) {
        test::LoopbackHttpServer::Response r;
        r.body = tiles[qHash(request.path) % tiles.size()];
        r.header("Content-Type", "image/png").header("Cache-Control", "max-age=604800");
        return r;
    });
    QTemporaryDir cache;

    QQuickWindow window;
    window.resize(size);
    HopModel model;
    auto *map = new MapView(window.contentItem());
    map->setSize(size);
    map->setTileCacheDirectory(cache.path());
    map->setTileUrlTemplate(server.url().toString() + QStringLiteral("/{z}/{x}/{y}.png"));
    map->setTilesEnabled(false);
    map->setModel(&model);
    window.show();
    spinUntil([&] { return window.isExposed(); });

    std::printf("map_bench: %dx%d, %d frames per run, software scene graph, offscreen\n\n", size.width(),
                size.height(), frames);
    std::printf("| measurement | mean ms | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|\n");

    // A 30-hop route across the world, so arcs and markers are part of every frame.
    for (int i = 0; i < 30; ++i)
        model.append({i + 1, 50.0 - i * 2.5, -120.0 + i * 9.0, 5.0 + i * 10.0});

    auto pan = [&](double zoom, double latitude) {
        map->setZoom(zoom);
        map->setCenterLatitude(latitude);
        map->setCenterLongitude(0);
        const double degreesPerPixel = 360.0 / WebMercator::worldSize(zoom);
        QList<double> times;
        for (int i = 1; i <= frames; ++i) {
            // Back and forth over 400 px in 20 px steps, as a drag would (never the same spot twice in a
            // row).
            const int phase = (i % 40) < 20 ? (i % 20) : 20 - (i % 20);
            const double longitude = (phase * 20.0 - 200.0) * degreesPerPixel;
            times.append(timeToFrame(window, [&] { map->setCenterLongitude(longitude); }));
        }
        return stats(times);
    };

    // Warm-up: first frame renders basemap tiles into the cache.
    pan(4.0, 45.0);
    print("pan, basemap, zoom 4", pan(4.0, 45.0));
    print("pan, basemap, zoom 6.5", pan(6.5, 45.0));

    // Raster tiles, all in memory: load the area first.
    map->setTilesEnabled(true);
    map->setZoom(5);
    map->setCenterLatitude(45);
    for (double lon = -30; lon <= 30; lon += 5) {
        map->setCenterLongitude(lon);
        spinUntil([&] { return map->tilesSettled(); });
    }
    pan(5.0, 45.0);
    print("pan, raster tiles cached, zoom 5", pan(5.0, 45.0));

    // Insert to marker on screen.
    map->setTilesEnabled(false);
    map->setZoom(3);
    map->setCenterLatitude(30);
    map->setCenterLongitude(0);
    timeToFrame(window, [] {});
    QList<double> latencies;
    for (int i = 0; i < 30; ++i) {
        latencies.append(timeToFrame(window, [&] {
            model.append({31 + i, 40.0 - i, -20.0 + i * 1.5, 30.0 + i});
        }));
        QCoreApplication::processEvents();
    }
    print("row insert -> frame with its marker", stats(latencies));
    // Paint cost alone (the same renderer the export uses).
    QList<double> paints;
    for (int i = 0; i < 50; ++i) {
        QElapsedTimer clock;
        clock.start();
        const QImage image = map->renderImage(size);
        paints.append(clock.nsecsElapsed() / 1e6);
    }
    print("renderImage (export path), basemap", stats(paints));
    std::printf("\ntile requests sent to the loopback server: %d (max %d connections open at once)\n",
                server.requestCount(), server.maxOpenConnections());
    return 0;
}
