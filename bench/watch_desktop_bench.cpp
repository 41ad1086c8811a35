// The desktop app's memory over a simulated day of watching: the real window (Main.qml with
// the watch table, chart pane and map) over a real WatchController, started as the Watch
// button does against a simulated 30-hop path (no packet leaves the process). After the first
// round the session is paused and HOURS × 3,600 one-second rounds are fed through its session
// (WatchSession::injectRound: the real statistics, path changes, table model and chart) on a
// stepped clock; the event loop runs (bindings, frames) every simulated minute. At the end
// the chart is drawn over the whole watch and the window grabbed. Offscreen, no network.
//
//   watch_desktop_bench [HOURS=24] [HOPS=30]
//   (cmake --build BUILD --target watch_desktop_bench; QT_QPA_PLATFORM=offscreen)
//
// Prints one JSON line: rounds, CPU and wall seconds, VmRSS (/proc/self/status) after the
// first round and at the end, their difference, and the statistics' container bytes.
#include "../tests/unit/simulatednetwork.h"

#include "appsettings.h"
#include "geoservice.h"
#include "tracecontroller.h"
#include "watchchart.h"
#include "watchcontroller.h"
#include "watchsession.h"

#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSGRendererInterface>

#include <cstdio>
#include <ctime>

using namespace tracemap;
using namespace tracemap::test;

namespace {

const QString kTarget = QStringLiteral("62.115.200.1");
constexpr qint64 kEpochMs = 1'700'000'000'000;

long long vmRssBytes()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return 0;
}

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// Runs the event loop until done() or the deadline (ms); false on the deadline.
template<typename Done> bool waitFor(Done done, int deadlineMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > deadlineMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    const int hours = app.arguments().value(1, QStringLiteral("24")).toInt();
    const int hops = app.arguments().value(2, QStringLiteral("30")).toInt();
    if (hours < 1 || hours > 24 * 30 || hops < 2 || hops > 64) {
        std::fprintf(stderr, "usage: watch_desktop_bench [HOURS 1-720] [HOPS 2-64]\n");
        return 2;
    }
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software); // as the app does
    registerTraceTypes();

    SimulatedNetwork net;
    SimPath path;
    for (int i = 0; i < hops - 1; ++i)
        path.routers << SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i)), 1.0};
    path.destinationRttMs = 1.0;
    net.paths.insert(kTarget, path);
    GeoSettings geoSettings;
    geoSettings.offline = true;
    geoSettings.reverseDns = false;
    geoSettings.asLookups = false;
    geoSettings.cachePath = QStringLiteral("-");
    GeoService geo(geoSettings, {});
    std::unique_ptr<AppSettings> settings = AppSettings::inMemory();
    settings->setOffline(true);
    TraceController controller(settings.get(), &geo, std::make_unique<SimulatedFactory>(net));
    controller.setHost(kTarget);
    controller.setMethod(TraceController::Udp);
    WatchController watch(settings.get(), controller.engineThread(), &geo);
    qint64 now = kEpochMs;
    watch.setClock([&now] { return now; });

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/"));
    engine.setInitialProperties({{QStringLiteral("controller"), QVariant::fromValue(&controller)},
                                 {QStringLiteral("watch"), QVariant::fromValue(&watch)},
                                 {QStringLiteral("settings"), QVariant::fromValue(settings.get())}});
    engine.load(QUrl(QStringLiteral("qrc:/Tracemap/App/Main.qml")));
    auto *window = engine.rootObjects().isEmpty()
                       ? nullptr
                       : qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        std::fprintf(stderr, "watch_desktop_bench: the window could not be created\n");
        return 1;
    }
    // The first round through the engine, as the Watch button starts it; then paused.
    TraceResult first;
    QMetaObject::invokeMethod(window, "startWatch");
    if (!watch.session() || !window->property("watchMode").toBool()) {
        std::fprintf(stderr, "watch_desktop_bench: the watch did not start: %s\n",
                     qPrintable(watch.errorMessage()));
        return 1;
    }
    QObject::connect(watch.session(), &WatchSession::roundFinished, &app, [&first](const WatchRound &round) {
        if (first.hops.isEmpty())
            first = round.result;
    });
    if (!waitFor([&] { return watch.rounds() >= 1; }, 30000) || first.hops.size() != hops) {
        std::fprintf(stderr, "watch_desktop_bench: no first round of %d hops\n", hops);
        return 1;
    }
    // Paused in the session only: the controller would record a pause, and the chart rightly
    // joins nothing across one.
    watch.session()->pause();
    auto *chart = window->findChild<WatchChart *>();
    if (!chart) {
        std::fprintf(stderr, "watch_desktop_bench: no chart item\n");
        return 1;
    }
    waitFor([] { return false; }, 500); // the window settles: first frames, layouts
    const long long rssBefore = vmRssBytes();
    const double cpuBefore = cpuSeconds();
    QElapsedTimer wall;
    wall.start();

    // Rounds as watch_bench feeds them: 2.7 % loss spread over hops and time, one hop behind
    // a per-packet balancer (two responders alternating), RTTs with jitter.
    const QHostAddress balancedA(QStringLiteral("198.18.200.1"));
    const QHostAddress balancedB(QStringLiteral("198.18.200.2"));
    TraceResult round = first;
    const qint64 rounds = qint64(hours) * 3600;
    for (qint64 t = 1; t < rounds; ++t) {
        now = kEpochMs + t * 1000;
        for (qsizetype i = 0; i < round.hops.size(); ++i) {
            Hop &h = round.hops[i];
            for (qsizetype q = 0; q < h.replies.size(); ++q) {
                ProbeReply &r = h.replies[q];
                r = first.hops.at(i).replies.at(q);
                if ((t * 7 + h.ttl + q) % 37 == 0) {
                    r = ProbeReply{};
                    r.query = int(q) + 1;
                    continue;
                }
                if (h.ttl == hops / 2)
                    r.responder = (t % 2) ? balancedA : balancedB;
                r.rttMs = 5.0 + 2.5 * h.ttl + double((t * 13 + h.ttl * 7) % 50) / 10.0;
            }
        }
        if (!watch.session()->injectRound(round, now)) {
            std::fprintf(stderr, "watch_desktop_bench: round %lld refused\n", (long long)t);
            return 1;
        }
        if (t % 60 == 0) // once a simulated minute: bindings, frames
            QCoreApplication::processEvents();
    }
    // The whole day in the chart, drawn.
    watch.setTimeWindow(WatchController::All);
    waitFor([] { return false; }, 300);
    const QImage shot = window->grabWindow();
    const double cpu = cpuSeconds() - cpuBefore;
    const long long rssAfter = vmRssBytes();
    const WatchStats *stats = watch.stats();
    std::printf("{\"hours\": %d, \"hops\": %d, \"rounds\": %d, \"cpu_s\": %.2f, \"wall_s\": %.2f, "
                "\"rss_before\": %lld, \"rss_after\": %lld, \"rss_added\": %lld, \"container_bytes\": %lld, "
                "\"table_rows\": %d, \"chart\": \"%dx%d\", \"window_shot\": \"%dx%d\"}\n",
                hours, hops, watch.rounds(), cpu, double(wall.elapsed()) / 1000, rssBefore, rssAfter,
                rssAfter - rssBefore, stats ? (long long)stats->approximateBytes() : 0LL,
                watch.model()->count(), int(chart->width()), int(chart->height()), shot.width(),
                shot.height());
    if (qEnvironmentVariableIsSet("WATCH_BENCH_SHOT"))
        shot.save(qEnvironmentVariable("WATCH_BENCH_SHOT"));
    watch.stop();
    controller.shutdown(2000);
    return 0;
}
