#include "scriptedrun.h"

#include "benchprobe.h"
#include "perfstats.h"
#include "tracecontroller.h"

#include <QCoreApplication>
#include <QQuickItem>
#include <QQuickWindow>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tracemap {

namespace {
void errLine(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stderr);
}
void outLine(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    fflush(stdout);
}
} // namespace

ScriptedRun::ScriptedRun(const ScriptedRunOptions &options, QQuickWindow *window, TraceController *controller,
                         BenchProbe *bench)
    : m_options(options), m_window(window), m_controller(controller), m_bench(bench)
{
    connect(controller, &TraceController::finished, this, &ScriptedRun::onTraceFinished);
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        errLine(QStringLiteral("tracemap: gave up: no result after %1 s").arg(m_watchdog.interval() / 1000));
        done(ExitFailure);
    });
    m_poll.setInterval(50);
    connect(&m_poll, &QTimer::timeout, this, &ScriptedRun::pollSettled);
}

void ScriptedRun::start()
{
    // The layout is known once a frame has been shown.
    if (m_options.exportSize.isValid())
        connect(m_window, &QQuickWindow::frameSwapped, this, &ScriptedRun::resizeForExport,
                Qt::ConnectionType(Qt::QueuedConnection | Qt::SingleShotConnection));
    startOne();
}

QQuickItem *ScriptedRun::mapPane() const
{
    return m_window->findChild<QQuickItem *>(QStringLiteral("mapPane"));
}

// The map pane gets exactly the requested size, so "fit route" frames what is exported.
void ScriptedRun::resizeForExport()
{
    QQuickItem *map = mapPane();
    if (!map)
        return;
    const QSize chrome(m_window->width() - int(map->width()), m_window->height() - int(map->height()));
    const QSize size = m_options.exportSize + chrome;
    m_window->setProperty("width", size.width());
    m_window->setProperty("height", size.height());
}

void ScriptedRun::startOne()
{
    m_watchdog.start(120000);
    if (!m_controller->start()) {
        errLine(QStringLiteral("tracemap: %1").arg(m_controller->errorMessage()));
        done(ExitFailure);
    }
}

void ScriptedRun::onTraceFinished(bool reached)
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
                    .arg(residentMemoryKb()));
    }
    if (!reached && !m_controller->errorMessage().isEmpty())
        errLine(QStringLiteral("tracemap: %1: %2").arg(m_controller->host(), m_controller->errorMessage()));
    if (m_completed < m_options.repeat) {
        QTimer::singleShot(0, this, [this] { startOne(); });
        return;
    }
    m_watchdog.start(30000);
    m_settleTimer.start();
    m_poll.start();
}

// Places of the hops arrive after the trace; tiles (when on) after that.
void ScriptedRun::pollSettled()
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
void ScriptedRun::applyView()
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

void ScriptedRun::frameMap()
{
    applyView();
    // Let one frame show the framed map (for people watching), then write the image.
    QTimer::singleShot(100, this, [this] { finish(); });
}

void ScriptedRun::finish()
{
    int code = m_allReached ? ExitOk : ExitFailure;
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
            code = ExitFailure;
        }
    }
    if (!m_options.windowShotPath.isEmpty() && !m_window->grabWindow().save(m_options.windowShotPath)) {
        errLine(QStringLiteral("tracemap: cannot write %1").arg(m_options.windowShotPath));
        code = ExitFailure;
    }
    if (m_bench) {
        outLine(QStringLiteral("bench marker_ms %1").arg(m_bench->markerSummary()));
        outLine(QStringLiteral("bench rss_kb %1").arg(residentMemoryKb()));
        m_bench->startPanning(3000, [this, code] { done(code); });
        return;
    }
    done(code);
}

void ScriptedRun::done(int code)
{
    m_watchdog.stop();
    m_poll.stop();
    if (m_options.quitWhenDone)
        QCoreApplication::exit(code);
}

} // namespace tracemap
