// tracemap: the desktop window. Creates the settings, the geolocation service and the
// trace controller, hands them to Main.qml as required properties, and runs scripted
// traces and image exports for the command line (see docs/desktop.md).
#include "appsettings.h"
#include "desktopargs.h"
#include "geoservice.h"
#include "tracecontroller.h"

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
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sys/resource.h>

using namespace tracemap;
using namespace tracemap::desktop;

namespace {

void errLine(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stderr);
    fflush(stderr);
}

void outLine(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    fflush(stdout);
}

// Resident set size of this process in kB (0 when /proc is unavailable).
qint64 residentKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

QString percentileText(QList<double> samples)
{
    if (samples.isEmpty())
        return QStringLiteral("n=0");
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        return samples.at(std::min<qsizetype>(samples.size() - 1, qsizetype(q * samples.size())));
    };
    return QStringLiteral("n=%1 median=%2 p95=%3 max=%4")
        .arg(samples.size())
        .arg(at(0.5), 0, 'f', 2)
        .arg(at(0.95), 0, 'f', 2)
        .arg(samples.last(), 0, 'f', 2);
}

// Timings for bench/gui_bench.py (--bench-report): first frame, model change -> frame
// showing it, frame times while panning. Printed on stdout as "bench KEY VALUE" lines.
class BenchProbe : public QObject
{
public:
    BenchProbe(QQuickWindow *window, TraceController *controller, const QElapsedTimer &sinceStart)
        : m_window(window), m_controller(controller), m_sinceStart(sinceStart)
    {
        connect(window, &QQuickWindow::frameSwapped, this, &BenchProbe::onFrameSwapped, Qt::DirectConnection);
        HopListModel *model = controller->model();
        // A marker is due when a row gains a place (or a placed row is inserted).
        connect(model, &HopListModel::placedCountChanged, this, [this, model] {
            if (model->placedCount() > m_lastPlaced)
                armMarkerTimer();
            m_lastPlaced = model->placedCount();
        });
    }

    void startPanning(int durationMs, std::function<void()> done)
    {
        m_panDone = std::move(done);
        m_panFrames.clear();
        m_panning = true;
        m_panTimer.start();
        m_panDurationMs = durationMs;
        m_window->update();
        panStep();
    }

    QString markerSummary() const { return percentileText(m_markerMs); }

private:
    void armMarkerTimer()
    {
        const QMutexLocker lock(&m_mutex);
        if (!m_markerPending) {
            m_markerPending = true;
            m_markerTimer.start();
        }
    }
    void onFrameSwapped() // render thread (threaded loop) or GUI thread (basic loop)
    {
        {
            const QMutexLocker lock(&m_mutex);
            if (m_markerPending) {
                m_markerMs << m_markerTimer.nsecsElapsed() / 1e6;
                m_markerPending = false;
            }
        }
        if (!m_firstFrameSeen.exchange(true)) {
            // CPU time too: wall time depends on what else the machine is doing.
            rusage usage{};
            getrusage(RUSAGE_SELF, &usage);
            const double cpuMs = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
                                 (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
            outLine(QStringLiteral("bench first_frame_ms %1 cpu_ms %2")
                        .arg(m_sinceStart.nsecsElapsed() / 1e6, 0, 'f', 1)
                        .arg(cpuMs, 0, 'f', 1));
        }
        if (m_panning)
            QMetaObject::invokeMethod(
                this, [this] { panStep(); }, Qt::QueuedConnection);
    }
    void panStep()
    {
        if (!m_panning)
            return;
        const qint64 now = m_panTimer.nsecsElapsed();
        if (m_lastPanNs > 0)
            m_panFrames << (now - m_lastPanNs) / 1e6;
        m_lastPanNs = now;
        if (now / 1000000 >= m_panDurationMs) {
            m_panning = false;
            outLine(QStringLiteral("bench pan_frame_ms %1").arg(percentileText(m_panFrames)));
            if (m_panDone)
                m_panDone();
            return;
        }
        QQuickItem *map = m_window->findChild<QQuickItem *>(QStringLiteral("mapPane"));
        if (map) {
            // One pan step: a fraction of the view per frame, as a drag would.
            const double t = now / 1e9;
            QMetaObject::invokeMethod(map, "panBy", Q_ARG(QVariant, 12.0 * std::cos(t)),
                                      Q_ARG(QVariant, 6.0));
        }
    }

    QQuickWindow *m_window;
    TraceController *m_controller;
    const QElapsedTimer &m_sinceStart;
    std::atomic<bool> m_firstFrameSeen{false};
    QMutex m_mutex;
    bool m_markerPending = false;
    QElapsedTimer m_markerTimer;
    QList<double> m_markerMs;
    int m_lastPlaced = 0;
    std::atomic<bool> m_panning{false};
    QElapsedTimer m_panTimer;
    qint64 m_lastPanNs = 0;
    int m_panDurationMs = 0;
    QList<double> m_panFrames;
    std::function<void()> m_panDone;
};

// --trace / --export-image / --repeat: runs the traces, waits for their places, frames the
// map and writes the image, then quits (with --quit-when-done) with the exit code.
class ScriptedRun : public QObject
{
public:
    ScriptedRun(const DesktopOptions &options, QQuickWindow *window, TraceController *controller,
                BenchProbe *bench)
        : m_options(options), m_window(window), m_controller(controller), m_bench(bench)
    {
        connect(controller, &TraceController::finished, this, &ScriptedRun::onTraceFinished);
        m_watchdog.setSingleShot(true);
        connect(&m_watchdog, &QTimer::timeout, this, [this] {
            errLine(
                QStringLiteral("tracemap: gave up: no result after %1 s").arg(m_watchdog.interval() / 1000));
            done(kExitFailure);
        });
        m_poll.setInterval(50);
        connect(&m_poll, &QTimer::timeout, this, &ScriptedRun::pollSettled);
    }

    void start()
    {
        // The layout is known once a frame has been shown.
        if (m_options.exportSize.isValid())
            connect(m_window, &QQuickWindow::frameSwapped, this, &ScriptedRun::resizeForExport,
                    Qt::ConnectionType(Qt::QueuedConnection | Qt::SingleShotConnection));
        startOne();
    }

private:
    QQuickItem *mapPane() const { return m_window->findChild<QQuickItem *>(QStringLiteral("mapPane")); }

    // The map pane gets exactly the requested size, so "fit route" frames what is exported.
    void resizeForExport()
    {
        QQuickItem *map = mapPane();
        if (!map)
            return;
        const QSize chrome(m_window->width() - int(map->width()), m_window->height() - int(map->height()));
        const QSize size = m_options.exportSize + chrome;
        m_window->setProperty("width", size.width());
        m_window->setProperty("height", size.height());
    }

    void startOne()
    {
        m_watchdog.start(120000);
        if (!m_controller->start()) {
            errLine(QStringLiteral("tracemap: %1").arg(m_controller->errorMessage()));
            done(kExitFailure);
        }
    }

    void onTraceFinished(bool reached)
    {
        ++m_completed;
        m_allReached = m_allReached && reached;
        if (m_options.repeat > 1 || m_options.benchReport) {
            outLine(QStringLiteral("trace %1/%2 hops=%3 reached=%4 elapsed_ms=%5 rss_kb=%6")
                        .arg(m_completed)
                        .arg(m_options.repeat)
                        .arg(m_controller->model()->rowCount())
                        .arg(reached ? 1 : 0)
                        .arg(m_controller->elapsedMs())
                        .arg(residentKb()));
        }
        if (!reached && !m_controller->errorMessage().isEmpty())
            errLine(
                QStringLiteral("tracemap: %1: %2").arg(m_controller->host(), m_controller->errorMessage()));
        if (m_completed < m_options.repeat) {
            QTimer::singleShot(0, this, [this] { startOne(); });
            return;
        }
        m_watchdog.start(30000);
        m_settleTimer.start();
        m_poll.start();
    }

    // Places of the hops arrive after the trace; tiles (when on) after that.
    void pollSettled()
    {
        QQuickItem *map = mapPane();
        const bool lookupsDone = m_controller->pendingLookups() == 0;
        const QVariant tilesSettled = map ? map->property("tilesSettled") : QVariant();
        const bool tilesDone = !tilesSettled.isValid() || tilesSettled.toBool();
        const qint64 waited = m_settleTimer.elapsed();
        if (!((lookupsDone && tilesDone) || waited > 15000))
            return;
        if (!lookupsDone)
            errLine(QStringLiteral("tracemap: %1 place lookups still pending; exporting without them")
                        .arg(m_controller->pendingLookups()));
        m_poll.stop();
        frameMap();
    }

    // Centre and zoom (or fit the route) for the image, from the map's size right now.
    void applyView()
    {
        QQuickItem *map = mapPane();
        if (!map)
            return;
        if (!m_options.zoom) {
            QMetaObject::invokeMethod(map, "fitRoute");
            return;
        }
        // --zoom is the image's zoom; the map renders exports of another size than its own
        // with the zoom scaled by the size ratio, so undo that here.
        double zoom = *m_options.zoom;
        const QSizeF item = map->size();
        if (m_options.exportSize.isValid() && !item.isEmpty())
            zoom -= std::log2(std::min(m_options.exportSize.width() / item.width(),
                                       m_options.exportSize.height() / item.height()));
        QMetaObject::invokeMethod(map, "setView", Q_ARG(QVariant, *m_options.centerLatitude),
                                  Q_ARG(QVariant, *m_options.centerLongitude), Q_ARG(QVariant, zoom));
    }

    void frameMap()
    {
        applyView();
        // Let one frame show the framed map (for people watching), then write the image.
        QTimer::singleShot(100, this, [this] { finish(); });
    }

    void finish()
    {
        int code = m_allReached ? kExitOk : kExitFailure;
        if (!m_options.exportPath.isEmpty()) {
            // Again, in the same step as the export: the window may have been resized since
            // (its first frame can come after a quick trace on a loaded machine).
            applyView();
            QVariant error;
            const QSize size = m_options.exportSize.isValid() ? m_options.exportSize : QSize(0, 0);
            QMetaObject::invokeMethod(m_window, "exportImage", Q_RETURN_ARG(QVariant, error),
                                      Q_ARG(QVariant, m_options.exportPath), Q_ARG(QVariant, size.width()),
                                      Q_ARG(QVariant, size.height()));
            if (!error.toString().isEmpty()) {
                errLine(QStringLiteral("tracemap: cannot export the image: %1").arg(error.toString()));
                code = kExitFailure;
            }
        }
        if (!m_options.windowShotPath.isEmpty() && !m_window->grabWindow().save(m_options.windowShotPath)) {
            errLine(QStringLiteral("tracemap: cannot write %1").arg(m_options.windowShotPath));
            code = kExitFailure;
        }
        if (m_bench) {
            outLine(QStringLiteral("bench marker_ms %1").arg(m_bench->markerSummary()));
            outLine(QStringLiteral("bench rss_kb %1").arg(residentKb()));
            m_bench->startPanning(3000, [this, code] { done(code); });
            return;
        }
        done(code);
    }

    void done(int code)
    {
        m_watchdog.stop();
        m_poll.stop();
        if (m_options.quitWhenDone)
            QCoreApplication::exit(code);
    }

    DesktopOptions m_options;
    QQuickWindow *m_window;
    TraceController *m_controller;
    BenchProbe *m_bench;
    QTimer m_watchdog;
    QTimer m_poll;
    QElapsedTimer m_settleTimer;
    int m_completed = 0;
    bool m_allReached = true;
};

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("tracemap"));
    QGuiApplication::setApplicationName(QStringLiteral("tracemap"));
    QGuiApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("tracemap"));

    const ParseOutcome parsed = parseDesktopArguments(QGuiApplication::arguments());
    if (!parsed.error.isEmpty()) {
        errLine(QStringLiteral("tracemap: %1 (see tracemap --help)").arg(parsed.error));
        return kExitUsage;
    }
    if (parsed.helpShown) {
        fputs(qPrintable(desktopHelpText()), stdout);
        return kExitOk;
    }
    if (parsed.versionShown) {
        outLine(QStringLiteral("tracemap " TRACEMAP_VERSION));
        return kExitOk;
    }
    const DesktopOptions &options = parsed.options;

    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    // The window's content is QPainter-painted (the map) or simple controls, so Qt Quick's
    // software renderer costs no speed and avoids the GL stack: under Xvfb or in a VM (Mesa
    // llvmpipe) that is about 90 MB instead of 220 MB resident, and no GPU driver issues.
    // QT_QUICK_BACKEND (e.g. "rhi") still picks another renderer.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND"))
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);

    // Scripted runs neither read nor change the user's settings.
    std::unique_ptr<AppSettings> settings =
        options.scripted ? AppSettings::inMemory() : std::make_unique<AppSettings>();
    if (options.offline)
        settings->setOffline(true);
    if (!options.overridePaths.isEmpty())
        settings->setOverridePaths(options.overridePaths);
    if (!options.databasePaths.isEmpty())
        settings->setDatabasePaths(options.databasePaths);
    if (options.timeoutSec)
        settings->setProbeTimeoutSec(*options.timeoutSec);
    if (options.sourceLocation)
        settings->setSourceLocation(*options.sourceLocation);

    const auto makeGeoSettings = [&] {
        GeoSettings geoSettings = settings->geoSettings();
        if (options.scripted)
            geoSettings.cachePath = QStringLiteral("-"); // every scripted run decides afresh
        return geoSettings;
    };
    const auto stage = [&](const char *name) {
        if (options.benchReport)
            outLine(QStringLiteral("bench startup_%1_ms %2")
                        .arg(QLatin1String(name))
                        .arg(sinceStart.nsecsElapsed() / 1e6, 0, 'f', 1));
    };
    stage("app");
    std::unique_ptr<GeoService> geo = std::make_unique<GeoService>(makeGeoSettings());
    stage("geo");
    TraceController controller(settings.get(), geo.get());
    controller.setHost(options.host);
    if (options.method)
        controller.setMethod(*options.method);
    controller.setFamily(options.family);
    if (options.maxTtl > 0)
        controller.setMaxTtl(options.maxTtl);
    // New geolocation settings take effect with a new service; the old one goes after the
    // controller has let go of it.
    QObject::connect(settings.get(), &AppSettings::geoSettingsChanged, &controller, [&] {
        auto replacement = std::make_unique<GeoService>(makeGeoSettings());
        controller.setGeoService(replacement.get());
        geo = std::move(replacement);
    });
    // Closing the window mid-trace: the engine thread stops within a bounded time.
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &controller, [&] { controller.shutdown(800); });

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/"));
    engine.setInitialProperties({{QStringLiteral("controller"), QVariant::fromValue(&controller)},
                                 {QStringLiteral("settings"), QVariant::fromValue(settings.get())},
                                 {QStringLiteral("scripted"), options.scripted}});
    engine.load(QUrl(QStringLiteral("qrc:/Tracemap/App/Main.qml")));
    stage("qml");
    if (engine.rootObjects().isEmpty()) {
        errLine(QStringLiteral("tracemap: the window could not be created"));
        return kExitFailure;
    }
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        errLine(QStringLiteral("tracemap: Main.qml is not a window"));
        return kExitFailure;
    }

    std::unique_ptr<BenchProbe> bench;
    if (options.benchReport)
        bench = std::make_unique<BenchProbe>(window, &controller, sinceStart);
    std::unique_ptr<ScriptedRun> scripted;
    if (options.scripted) {
        scripted = std::make_unique<ScriptedRun>(options, window, &controller, bench.get());
        QTimer::singleShot(0, scripted.get(), [&] { scripted->start(); });
    } else if (!options.host.isEmpty()) {
        QTimer::singleShot(0, &controller, [&] { controller.start(); });
    }
    const int code = QGuiApplication::exec();
    controller.shutdown(800);
    return code;
}
