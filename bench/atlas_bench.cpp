// Vantage-point benchmark: a RIPE Atlas measurement of N probes (default 100) with 16 hops of 3
// answers each, opened the way the desktop app opens it (VantageController::openFile: parse,
// one route per probe, every hop located through one GeoService with the probe's start per
// query, the map's routes built), then the map drawn with all N routes visible (MapRenderer::
// paint of the controller's scene as the live item paints it while dragged, 10 px a frame), and
// the memory added.
//
//   atlas_bench [--probes N] [--db FILE]... [--write FILE] [--frames N] [--pace MS] [--only
//   cached|direct|bare]
//     --pace: start a frame every MS milliseconds (16.7: a 60 Hz display, the drag then moving
//             600 px/s) instead of back to back (a drag as fast as frames can be drawn)
//     --db: MMDB files to locate with; without one, an overrides file (written next to the
//           document) places every router as real paths run, so that all routes are drawn
//     --write: keep the generated document, e.g. to time `tracemap-cli atlas show`, and its
//              overrides as FILE.places.csv (`tracemap --offline --geo-overrides FILE.places.csv FILE`)
//     --only: one run of pan frames alone (e.g. under perf); by default the live item's (cached)
//             run comes first, measured alone for memory as the app has one renderer
//
// Offline only: no reverse DNS, no AS lookups, no online provider; nothing leaves the machine.

#include "geodistance.h"
#include "geoservice.h"
#include "maprenderer.h"
#include "vantagecontroller.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <malloc.h>

using namespace tracemap;

namespace {

qint64 rssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() >= 2 && parts[0] == "VmRSS:")
            return parts[1].toLongLong();
    }
    return 0;
}

// Where the routers of one first octet (one probe's access network) sit: fixed per octet, so the
// document's round-trip times and the overrides agree in every run.
QGeoCoordinate regionCentre(int octet)
{
    QRandomGenerator rng(1000 + octet);
    const double latitude = -40.0 + rng.bounded(100.0);
    return {latitude, -160.0 + rng.bounded(320.0)};
}

const QGeoCoordinate CoreCentre(50.0, 8.0); // the shared core routers, spread 4 degrees around

// A results download in the current firmware's shape; routers are shared between probes the way
// real paths converge near the target. Round-trip times are what light in fibre allows
// (~100 km per ms of RTT): a probe's core and target hops answer no sooner than the distance
// from its region to the core (plus the spreads) takes, so the speed-of-light check keeps every
// router where the overrides put it, as on a real path.
QByteArray measurement(int probes)
{
    QRandomGenerator rng(15);
    auto address = [&](int pool) {
        return QStringLiteral("%1.%2.%3.%4")
            .arg(pool)
            .arg(rng.bounded(256))
            .arg(rng.bounded(256))
            .arg(1 + rng.bounded(254));
    };
    QList<QString> core;
    for (int i = 0; i < 40; ++i)
        core << address(62 + i % 18); // 62-79: apart from the access networks' 80-119
    QJsonArray results;
    for (int p = 0; p < probes; ++p) {
        QJsonArray hops;
        const int accessOctet = 80 + p % 40;
        const double coreFloorMs = (greatCircleKm(regionCentre(accessOctet), CoreCentre) + 1200.0) / 100.0;
        for (int ttl = 1; ttl <= 16; ++ttl) {
            const QString from = ttl == 16  ? QStringLiteral("193.0.14.129")
                                 : ttl > 10 ? core.at(rng.bounded(int(core.size())))
                                            : address(accessOctet);
            QJsonArray replies;
            for (int q = 0; q < 3; ++q) {
                if (rng.bounded(20) == 0)
                    replies.append(QJsonObject{{QStringLiteral("x"), QStringLiteral("*")}});
                else
                    replies.append(
                        QJsonObject{{QStringLiteral("from"), from},
                                    {QStringLiteral("rtt"),
                                     (ttl > 10 ? coreFloorMs : 1.0) + ttl * 3.1 + rng.bounded(100) / 37.0},
                                    {QStringLiteral("size"), 28},
                                    {QStringLiteral("ttl"), 255 - ttl}});
            }
            hops.append(QJsonObject{{QStringLiteral("hop"), ttl}, {QStringLiteral("result"), replies}});
        }
        results.append(QJsonObject{{QStringLiteral("fw"), 5080},
                                   {QStringLiteral("af"), 4},
                                   {QStringLiteral("dst_addr"), QStringLiteral("193.0.14.129")},
                                   {QStringLiteral("dst_name"), QStringLiteral("k.root-servers.net")},
                                   {QStringLiteral("from"), address(90)},
                                   {QStringLiteral("src_addr"), QStringLiteral("192.168.1.10")},
                                   {QStringLiteral("msm_id"), 5001},
                                   {QStringLiteral("prb_id"), 1000 + p},
                                   {QStringLiteral("proto"), QStringLiteral("ICMP")},
                                   {QStringLiteral("paris_id"), 1 + p % 16},
                                   {QStringLiteral("timestamp"), 1700000000 + p},
                                   {QStringLiteral("endtime"), 1700000010 + p},
                                   {QStringLiteral("type"), QStringLiteral("traceroute")},
                                   {QStringLiteral("result"), hops}});
    }
    return QJsonDocument(results).toJson(QJsonDocument::Compact);
}

// Every router of the document placed the way real paths look: a probe's first hops around its
// own region (one region per first octet, anywhere on Earth), the core routers it meets near the
// target in Europe, the target in Amsterdam. The user's word: no RTT check refuses any of them.
QString writeOverrides(const QByteArray &document, const QString &path)
{
    QSet<QString> addresses;
    for (const QJsonValue &result : QJsonDocument::fromJson(document).array()) {
        for (const QJsonValue &h : result.toObject().value(QLatin1String("result")).toArray()) {
            for (const QJsonValue &r : h.toObject().value(QLatin1String("result")).toArray())
                addresses.insert(r.toObject().value(QLatin1String("from")).toString());
        }
    }
    addresses.remove(QString());
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return {};
    QRandomGenerator rng(7);
    QStringList sorted(addresses.cbegin(), addresses.cend());
    sorted.sort(); // the same spread for the same address in every run
    for (const QString &a : std::as_const(sorted)) {
        const int octet = a.section(QLatin1Char('.'), 0, 0).toInt();
        double lat = 52.37, lon = 4.90, spread = 0.0; // the target
        if (octet >= 62 && octet < 80) {
            lat = CoreCentre.latitude();
            lon = CoreCentre.longitude();
            spread = 4.0; // core routers near the target
        } else if (octet != 193) {
            const QGeoCoordinate centre = regionCentre(octet);
            lat = centre.latitude();
            lon = centre.longitude();
            spread = 2.0;
        }
        out.write(QStringLiteral("%1/32,%2,%3,bench\n")
                      .arg(a)
                      .arg(lat + (rng.bounded(2.0) - 1.0) * spread, 0, 'f', 3)
                      .arg(lon + (rng.bounded(2.0) - 1.0) * spread, 0, 'f', 3)
                      .toUtf8());
    }
    return path;
}

} // namespace

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv); // the renderer draws text
    int probes = 100;
    int frames = 60;
    double paceMs = 0; // 0: frames back to back; 16.7: as a 60 Hz display asks for them
    GeoSettings settings;
    settings.offline = true;
    settings.reverseDns = false;
    settings.asLookups = false;
    settings.cachePath = QStringLiteral("-");
    QString writeTo;
    QString only; // cached, direct or bare: that run alone
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args.at(i) == QLatin1String("--probes"))
            probes = std::max(1, args.at(i + 1).toInt());
        else if (args.at(i) == QLatin1String("--db"))
            settings.databasePaths << args.at(i + 1);
        else if (args.at(i) == QLatin1String("--write"))
            writeTo = args.at(i + 1);
        else if (args.at(i) == QLatin1String("--frames"))
            frames = std::max(1, args.at(i + 1).toInt());
        else if (args.at(i) == QLatin1String("--pace"))
            paceMs = std::max(0.0, args.at(i + 1).toDouble());
        else if (args.at(i) == QLatin1String("--only"))
            only = args.at(i + 1);
    }
    if (!only.isEmpty() &&
        !QStringList{QStringLiteral("cached"), QStringLiteral("direct"), QStringLiteral("bare")}.contains(
            only)) {
        std::fprintf(stderr, "atlas_bench: --only takes cached, direct or bare, not %s\n", qPrintable(only));
        return 2;
    }
    QTemporaryDir dir;
    const QByteArray document = measurement(probes);
    const QString path = writeTo.isEmpty() ? dir.filePath(QStringLiteral("atlas.json")) : writeTo;
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(document) != document.size()) {
        std::fprintf(stderr, "atlas_bench: cannot write %s\n", qPrintable(path));
        return 1;
    }
    out.close();
    if (settings.databasePaths.isEmpty())
        settings.overridePaths << writeOverrides(document, writeTo.isEmpty()
                                                               ? dir.filePath(QStringLiteral("places.csv"))
                                                               : writeTo + QStringLiteral(".places.csv"));

    GeoService service(settings);
    service.warnings(); // the chain is set up before the clock starts, as in the running app
    const qint64 rssBefore = rssKb();

    QElapsedTimer timer;
    timer.start();
    VantageController vantage(&service);
    QEventLoop loop;
    QObject::connect(&vantage, &VantageController::settled, &loop, &QEventLoop::quit);
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    if (!vantage.openFile(path)) {
        std::fprintf(stderr, "atlas_bench: %s\n", qPrintable(vantage.statusMessage()));
        return 1;
    }
    loop.exec();
    const double openMs = timer.nsecsElapsed() / 1e6;
    if (!vantage.isSettled()) {
        std::fprintf(stderr, "atlas_bench: routes not located within 120 s\n");
        return 1;
    }
    int placed = 0, hops = 0;
    for (const MapRoute &r : vantage.routes()->routes()) {
        for (const MapHop &h : r.hops) {
            ++hops;
            placed += h.hasLocation;
        }
    }
    const qint64 rssLocated = rssKb();

    // Pan frames as the live item paints them while the user drags: one renderer and one image
    // kept across frames, the view moved by whole pixels (a mouse drag moves it by whole pixels),
    // 10 px a frame so the route layer's margin is left (and the layer drawn again) every ~25
    // frames. `cache` Off draws every route every frame (exports; the cost of one layer drawing).
    const MapScene scene = vantage.scene();
    const QSize size(1280, 800);
    const QVariantMap f = vantage.frame(size.width(), size.height());
    const double lat = f.value(QStringLiteral("centerLatitude"), 25.0).toDouble();
    const double lon = f.value(QStringLiteral("centerLongitude"), 0.0).toDouble();
    const double zoom = f.value(QStringLiteral("zoom"), 1.5).toDouble();
    const QPointF start = MapViewport(lat, lon, zoom, size).centerWorldPixel();
    struct Run
    {
        QList<double> ms; // sorted
        double cpuMs = 0; // CPU of the whole process (the raster engine's helper threads too)
        int layerRenders = 0;
        int basemapRenders = 0;
        int layerPrefetches = 0; // drawn ahead on a worker while dragged
    };
    const auto panFrames = [&](const MapScene &drawn, MapRenderer::RouteCache cache) {
        MapRenderer renderer;
        QImage image(size, QImage::Format_ARGB32_Premultiplied);
        const auto frame = [&](int i) {
            const GeoPoint c = WebMercator::worldPixelToCoordinate(start + QPointF(i * 10.0, 0.0), zoom);
            QPainter painter(&image);
            renderer.paint(painter, MapViewport(c.latitude, c.longitude, zoom, size), drawn, nullptr, cache);
        };
        frame(-1); // basemap tiles cached, the route layer drawn: the drag starts from a still view
        Run run;
        const int before = renderer.routeLayerRenders();
        const int basemapBefore = renderer.basemapLayerRenders();
        const int prefetchesBefore = renderer.routeLayerPrefetches();
        const std::clock_t cpuStart = std::clock();
        QElapsedTimer paced;
        paced.start();
        for (int i = 0; i < frames; ++i) {
            if (paceMs > 0) // the next frame no sooner than a display of that rate would ask for it
                QThread::usleep(qMax<qint64>(0, qint64(i * paceMs * 1000.0) - paced.nsecsElapsed() / 1000));
            timer.restart();
            frame(i);
            run.ms << timer.nsecsElapsed() / 1e6;
        }
        run.cpuMs = double(std::clock() - cpuStart) * 1000.0 / CLOCKS_PER_SEC / frames;
        run.layerRenders = renderer.routeLayerRenders() - before;
        run.basemapRenders = renderer.basemapLayerRenders() - basemapBefore;
        run.layerPrefetches = renderer.routeLayerPrefetches() - prefetchesBefore;
        std::sort(run.ms.begin(), run.ms.end());
        return run;
    };
    // The live item's run first and alone in its memory figure: the app has one renderer. The
    // other two runs are for comparison (the renderer of each is gone when its run ends, but the
    // allocator may keep what they freed: shown with and without malloc_trim).
    MapScene bare = scene;
    bare.routes.clear();
    const bool all = only.isEmpty();
    Run cached, direct, bareRun;
    if (all || only == QLatin1String("cached"))
        cached = panFrames(scene, MapRenderer::RouteCache::Panning);
    const qint64 rssLive = rssKb();
    if (all || only == QLatin1String("direct"))
        direct = panFrames(scene, MapRenderer::RouteCache::Off);
    if (all || only == QLatin1String("bare"))
        bareRun = panFrames(bare, MapRenderer::RouteCache::Panning);
    const qint64 rssAfter = rssKb();
    malloc_trim(0);
    const qint64 rssTrimmed = rssKb();

    std::printf("atlas_bench: %d probes, %lld bytes of results, %d hops drawn (%d placed; %s)\n", probes,
                qlonglong(document.size()), hops, placed,
                settings.databasePaths.isEmpty() ? "every router placed by an overrides file"
                                                 : qPrintable(settings.databasePaths.join(QLatin1Char(','))));
    std::printf("  open -> all routes located: %8.1f ms (%d routes in the map's route set)\n", openMs,
                vantage.routes()->count());
    const auto row = [](const char *what, const Run &run) {
        if (run.ms.isEmpty())
            return;
        // The 95th percentile and the frames over a 60 Hz frame's 16 ms: the drag's hitches,
        // which the median hides.
        const qsizetype p95 = std::min<qsizetype>(run.ms.size() - 1, qsizetype(0.95 * run.ms.size()));
        const auto over = std::count_if(run.ms.cbegin(), run.ms.cend(), [](double ms) { return ms > 16.0; });
        std::printf("  %-36s median %6.1f ms, p95 %6.1f ms, worst %6.1f ms, %d over 16 ms, CPU %6.1f ms a "
                    "frame\n",
                    what, run.ms.at(run.ms.size() / 2), run.ms.at(p95), run.ms.last(), int(over), run.cpuMs);
    };
    std::printf("  pan frames (%d frames %dx%d, 10 px each, %s, %d routes):\n", frames, size.width(),
                size.height(),
                paceMs > 0 ? qPrintable(QStringLiteral("one every %1 ms").arg(paceMs)) : "back to back",
                vantage.routes()->count());
    row("routes from the route layer:", cached);
    if (!cached.ms.isEmpty())
        std::printf(
            "    (route layer drawn %d times and %d times ahead on a worker, basemap layer %d times in %d "
            "frames)\n",
            cached.layerRenders, cached.layerPrefetches, cached.basemapRenders, frames);
    row("routes drawn every frame:", direct);
    row("no route:", bareRun);
    const auto mb = [&](qint64 kb) {
        return (kb - rssBefore) / 1024.0;
    };
    std::printf("  memory added (RSS):          %8.1f MB located, %.1f MB after the live item's frames%s\n",
                mb(rssLocated), mb(rssLive), all || only == QLatin1String("cached") ? "" : " (not run)");
    std::printf("                               %8.1f MB after all runs, %.1f MB after malloc_trim\n",
                mb(rssAfter), mb(rssTrimmed));
    return 0;
}
