#include "scriptedrun.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "documentexport.h"
#include "tileloader.h"
#include "tracecontroller.h"
#include "tracefile.h"

#include <QCoreApplication>
#include <QFile>
#include <QQuickWindow>

#include <cstdio>

namespace tracemap {

namespace {

constexpr int kTraceDeadlineMs = 120000;
constexpr int kPlacesDeadlineMs = 15000;
constexpr int kTilesDeadlineMs = 30000;
constexpr double kFitPadding = 56.0;

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

qint64 residentMemoryKb()
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

ScriptedRun::ScriptedRun(const ScriptedRunOptions &options, TraceController *controller,
                         const AppSettings *settings, QQuickWindow *window)
    : m_options(options), m_controller(controller), m_settings(settings), m_window(window)
{
    if (!m_options.exportSize.isValid())
        m_options.exportSize = kDefaultExportSize;
    connect(controller, &TraceController::finished, this, &ScriptedRun::onTraceFinished);
    m_deadline.setSingleShot(true);
    if (!settings->offline()) {
        m_tiles = std::make_unique<TileLoader>();
        m_tiles->setUrlTemplate(settings->tileUrl());
    }
}

ScriptedRun::~ScriptedRun() = default;

void ScriptedRun::start()
{
    if (m_options.openPath.isEmpty()) {
        startOne();
        return;
    }
    // A saved trace: shown as it was saved, nothing probed or located; then the exports. Through
    // the document controller when there is one, so the window frames it as File > Open does.
    const TraceFileReadResult read = readTraceFile(m_options.openPath);
    if (!read.ok()) {
        errLine(QStringLiteral("tracemap: cannot open %1: %2").arg(m_options.openPath, read.message));
        done(ExitFailure);
        return;
    }
    if (m_documents)
        m_documents->show(read.file, m_options.openPath);
    else
        m_controller->loadDocument(read.file);
    if (!m_options.comparePath.isEmpty() &&
        (!m_documents || !m_documents->compareWithFile(m_options.comparePath))) {
        errLine(
            QStringLiteral("tracemap: %1")
                .arg(m_documents ? m_documents->errorMessage() : QStringLiteral("nothing to compare with")));
        done(ExitFailure);
        return;
    }
    waitForTiles();
}

void ScriptedRun::startOne()
{
    m_deadline.disconnect();
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        errLine(QStringLiteral("tracemap: gave up: no result after %1 s").arg(kTraceDeadlineMs / 1000));
        done(ExitFailure);
    });
    m_deadline.start(kTraceDeadlineMs);
    if (!m_controller->start()) {
        errLine(QStringLiteral("tracemap: %1").arg(m_controller->errorMessage()));
        done(ExitFailure);
    }
}

void ScriptedRun::onTraceFinished(bool reached)
{
    if (m_finished)
        return;
    ++m_completed;
    m_allReached = m_allReached && reached;
    if (m_options.repeat > 1) {
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
    waitForPlaces();
}

template<typename Sender, typename Signal>
void ScriptedRun::waitUntilNone(Sender *sender, Signal changed, std::function<int()> pending, int deadlineMs,
                                const QString &lateText, void (ScriptedRun::*next)())
{
    if (pending() == 0) {
        (this->*next)();
        return;
    }
    m_waiting = connect(sender, changed, this, [this, pending, next] {
        if (pending() == 0)
            (this->*next)();
    });
    connect(&m_deadline, &QTimer::timeout, this, [this, pending, next, lateText] {
        errLine(lateText.arg(pending()));
        (this->*next)();
    });
    m_deadline.start(deadlineMs);
}

// Places of the hops arrive after the trace: wait for the last one, or the deadline.
void ScriptedRun::waitForPlaces()
{
    m_deadline.disconnect();
    disconnect(m_waiting);
    waitUntilNone(
        m_controller, &TraceController::pendingLookupsChanged,
        [this] { return m_controller->pendingLookups(); }, kPlacesDeadlineMs,
        QStringLiteral("tracemap: %1 place lookups still pending; exporting without them"),
        &ScriptedRun::waitForTiles);
}

// With tiles on, the tiles under the image are fetched (or read from the disk cache) first.
void ScriptedRun::waitForTiles()
{
    m_deadline.disconnect();
    m_deadline.stop();
    disconnect(m_waiting);
    if (!m_tiles || (m_options.exportPath.isEmpty() && m_options.reportPath.isEmpty())) {
        finish();
        return;
    }
    const MapViewport view = exportViewport(m_options, scene());
    QList<TileId> wanted;
    for (const PlacedTile &placed : view.visibleTiles(WebMercator::tileZoomFor(view.zoom()))) {
        if (!wanted.contains(placed.tile))
            wanted.append(placed.tile);
    }
    m_tiles->request(wanted);
    waitUntilNone(
        m_tiles.get(), &TileLoader::pendingCountChanged, [this] { return m_tiles->pendingCount(); },
        kTilesDeadlineMs, QStringLiteral("tracemap: %1 map tiles still loading; drawing the basemap there"),
        &ScriptedRun::finish);
}

MapScene ScriptedRun::scene() const
{
    MapScene scene = DocumentExport::sceneOf(*m_controller, m_settings->offline());
    if (m_documents) { // --compare: the other trace too, as the window draws it
        scene.routes = m_documents->routes()->routes();
        scene.mainRouteName = m_documents->routes()->mainRouteName();
    }
    return scene;
}

MapViewport ScriptedRun::exportViewport(const ScriptedRunOptions &options, const MapScene &scene)
{
    const QSizeF size(options.exportSize.isValid() ? options.exportSize : kDefaultExportSize);
    if (options.zoom && options.centerLatitude && options.centerLongitude)
        return MapViewport(*options.centerLatitude, *options.centerLongitude, *options.zoom, size);
    const bool tiles = scene.attribution == MapRenderer::tileAttribution();
    if (const std::optional<MapFrame> fit =
            frameRoute(routePoints(scene), size, kFitPadding, tiles ? 12.0 : 5.0))
        return MapViewport(fit->centerLatitude, fit->centerLongitude, fit->zoom, size);
    return MapViewport(25.0, 0.0, 1.5, size); // nothing placed: the world
}

void ScriptedRun::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    disconnect(m_waiting);
    int code = m_allReached ? ExitOk : ExitFailure;
    if (!m_options.exportPath.isEmpty()) {
        const MapScene current = scene();
        MapRenderer renderer;
        const QImage image = renderer.render(exportViewport(m_options, current), current, m_tiles.get());
        const QString error = MapRenderer::writePng(image, m_options.exportPath);
        if (!error.isEmpty()) {
            errLine(QStringLiteral("tracemap: cannot export the image: %1").arg(error));
            code = ExitFailure;
        }
    }
    if (!m_options.savePath.isEmpty()) {
        QString error;
        if (!writeFileAtomically(m_options.savePath, serializeTraceFile(m_controller->currentDocument()),
                                 &error)) {
            errLine(QStringLiteral("tracemap: cannot save the trace file: %1").arg(error));
            code = ExitFailure;
        }
    }
    if (!m_options.reportPath.isEmpty()) {
        const QString error = DocumentExport::writeReport(
            m_options.reportPath, m_controller->currentDocument(), scene(), m_tiles.get());
        if (!error.isEmpty()) {
            errLine(QStringLiteral("tracemap: cannot write the report: %1").arg(error));
            code = ExitFailure;
        }
    }
    if (!m_options.windowShotPath.isEmpty() &&
        (!m_window || !m_window->grabWindow().save(m_options.windowShotPath))) {
        errLine(QStringLiteral("tracemap: cannot write %1").arg(m_options.windowShotPath));
        code = ExitFailure;
    }
    done(code);
}

void ScriptedRun::done(int code)
{
    m_finished = true;
    m_deadline.stop();
    disconnect(m_waiting);
    if (m_options.quitWhenDone)
        QCoreApplication::exit(code);
}

} // namespace tracemap
