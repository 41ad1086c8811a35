// GUI benchmark: the real window (Main.qml, MapView, hop table) in-process, tracing a
// simulated 30-hop path (no packet leaves the process) with every router placed by a
// scripted geolocation chain. Prints "bench KEY VALUE" lines:
//   first_frame_ms   window creation -> first frame on screen (in-process part of start-up)
//   marker_ms        a hop gaining its place in the model -> the next frame (percentiles)
//   rss_kb_after_1   resident memory after one 30-hop trace
//   rss_kb_after_N   ... after N traces in the same window (every 50 on the way)
//   pan_frame_ms     frame intervals while the map pans every frame for 3 s
// Build: cmake --build BUILD --target gui_bench; run under xvfb-run -a (or -platform offscreen).
// Usage: gui_bench [TRACES]   (default 200)
#include "../tests/unit/simulatednetwork.h"

#include "appsettings.h"
#include "geoservice.h"
#include "perfstats.h"
#include "scriptedrun.h"
#include "tracecontroller.h"
#include "watchcontroller.h"

#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QMutex>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace tracemap;
using namespace tracemap::test;

namespace {

constexpr int kRouters = 29; // + the destination = 30 hops
const QString kTarget = QStringLiteral("62.115.200.1");

QString routerAddress(int index)
{
    return QStringLiteral("62.115.%1.1").arg(index);
}

// Hop i sits i × 200 km east of Frankfurt along 50° N; its RTT (5 + 5 i ms) allows that.
void hopPlace(int index, double *latitude, double *longitude)
{
    *latitude = 50.11;
    *longitude = 8.68 + index * 200.0 / 71.5;
}

class PathProvider final : public GeoProvider
{
public:
    QString id() const override { return QStringLiteral("bench"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        GeoAnswer answer;
        answer.provider = id();
        answer.status = GeoStatus::Unlocatable;
        for (int i = 0; i <= kRouters; ++i) {
            const QString address = i == kRouters ? kTarget : routerAddress(i);
            if (query.address == QHostAddress(address)) {
                answer.status = GeoStatus::Located;
                hopPlace(i, &answer.place.latitude, &answer.place.longitude);
                answer.place.city = QStringLiteral("Hop %1").arg(i + 1);
                answer.confidence = 0.9;
                answer.reason = QStringLiteral("bench table");
            }
        }
        done(answer);
    }
};

void out(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    const int traces = std::max(1, app.arguments().value(1, QStringLiteral("200")).toInt());
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND"))
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software); // as the app does
    registerTraceTypes();

    SimulatedNetwork net;
    SimPath path;
    for (int i = 0; i < kRouters; ++i)
        path.routers << SimHop{QHostAddress(routerAddress(i)), 5.0 + 5.0 * i};
    path.destinationRttMs = 5.0 + 5.0 * kRouters;
    net.paths.insert(kTarget, path);

    GeoSettings geoSettings;
    geoSettings.offline = true;
    geoSettings.reverseDns = false;
    geoSettings.asLookups = false;
    geoSettings.cachePath = QStringLiteral("-");
    std::vector<std::unique_ptr<GeoProvider>> chain;
    chain.push_back(std::make_unique<PathProvider>());
    GeoService geo(geoSettings, std::move(chain));
    std::unique_ptr<AppSettings> settings = AppSettings::inMemory();
    settings->setOffline(true);
    TraceController controller(settings.get(), &geo, std::make_unique<SimulatedFactory>(net));
    controller.setHost(kTarget);
    controller.setMethod(TraceController::Udp);
    WatchController watch(settings.get(), controller.engineThread(), &geo);

    QElapsedTimer sinceCreate;
    sinceCreate.start();
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/"));
    engine.setInitialProperties({{QStringLiteral("controller"), QVariant::fromValue(&controller)},
                                 {QStringLiteral("watch"), QVariant::fromValue(&watch)},
                                 {QStringLiteral("settings"), QVariant::fromValue(settings.get())}});
    engine.load(QUrl(QStringLiteral("qrc:/Tracemap/App/Main.qml")));
    auto *window = engine.rootObjects().isEmpty()
                       ? nullptr
                       : qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return 1;
    QQuickItem *map = window->findChild<QQuickItem *>(QStringLiteral("mapPane"));

    // Marker latency: a row gains its place -> the next frame shown.
    QMutex mutex;
    QElapsedTimer markerClock;
    bool markerPending = false;
    QList<double> markerMs;
    bool firstFrame = true;
    bool panning = false;
    QList<double> panFrames;
    QElapsedTimer panClock;
    qint64 lastPanNs = 0;
    int lastPlaced = 0;
    QObject::connect(controller.model(), &HopListModel::placedCountChanged, &app, [&] {
        const int placed = controller.model()->placedCount();
        if (placed > lastPlaced) {
            const QMutexLocker lock(&mutex);
            if (!markerPending) {
                markerPending = true;
                markerClock.start();
            }
        }
        lastPlaced = placed;
    });
    std::function<void()> panStep;
    QObject::connect(
        window, &QQuickWindow::frameSwapped, &app,
        [&] {
            {
                const QMutexLocker lock(&mutex);
                if (markerPending) {
                    markerMs << markerClock.nsecsElapsed() / 1e6;
                    markerPending = false;
                }
            }
            if (firstFrame) {
                firstFrame = false;
                out(QStringLiteral("bench first_frame_ms %1")
                        .arg(sinceCreate.nsecsElapsed() / 1e6, 0, 'f', 1));
            }
            if (panning)
                QTimer::singleShot(0, &app, panStep);
        },
        Qt::DirectConnection);

    int completed = 0;
    QObject::connect(&controller, &TraceController::finished, &app, [&](bool reached) {
        ++completed;
        if (!reached || controller.model()->rowCount() != kRouters + 1) {
            out(QStringLiteral("bench error trace %1: reached=%2 rows=%3")
                    .arg(completed)
                    .arg(reached)
                    .arg(controller.model()->rowCount()));
            QCoreApplication::exit(1);
            return;
        }
        if (completed == 1) {
            out(QStringLiteral("bench marker_ms %1").arg(percentileSummary(markerMs)));
            out(QStringLiteral("bench rss_kb_after_1 %1").arg(residentMemoryKb()));
        }
        if (completed % 50 == 0 || completed == traces)
            out(QStringLiteral("bench rss_kb_after_%1 %2").arg(completed).arg(residentMemoryKb()));
        if (completed < traces) {
            QTimer::singleShot(0, &controller, [&] { controller.start(); });
            return;
        }
        out(QStringLiteral("bench marker_ms_all_traces %1").arg(percentileSummary(markerMs)));
        // Pan the map one step per frame for 3 s, as a drag would.
        panClock.start();
        panning = true;
        panStep = [&] {
            const qint64 now = panClock.nsecsElapsed();
            if (lastPanNs > 0)
                panFrames << (now - lastPanNs) / 1e6;
            lastPanNs = now;
            if (now > 3'000'000'000LL) {
                panning = false;
                out(QStringLiteral("bench pan_frame_ms %1").arg(percentileSummary(panFrames)));
                QCoreApplication::exit(0);
                return;
            }
            QMetaObject::invokeMethod(map, "panBy", Q_ARG(QVariant, 14.0),
                                      Q_ARG(QVariant, 4.0 * std::sin(now / 3e8)));
        };
        QMetaObject::invokeMethod(map, "fitRoute");
        panStep();
    });
    QTimer::singleShot(200, &controller, [&] { controller.start(); });
    QTimer::singleShot(traces * 1000 + 60000, &app, [] {
        out(QStringLiteral("bench error timeout"));
        QCoreApplication::exit(1);
    });
    const int code = QGuiApplication::exec();
    controller.shutdown(1000);
    return code;
}
