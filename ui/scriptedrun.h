// The desktop app's scripted mode (--trace, --export-image, --save, --repeat, --quit-when-done): runs
// the traces, waits (on signals, with deadlines) for the hops' places and, when tiles are on,
// for the tiles in view, then renders the image from the hop model through MapRenderer, on its
// own viewport: the window is not involved (it may not even be shown). See docs/desktop.md.
#pragma once

#include "mapframing.h"
#include "maprenderer.h"

#include <QObject>
#include <QPointer>
#include <QSize>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

class QQuickWindow;

namespace tracemap {

class AppSettings;
class DocumentController;
class TileLoader;
class TraceController;

struct ScriptedRunOptions
{
    QString openPath;    // a trace file (or vantage results) shown instead of tracing (--open)
    QString reportPath;  // empty = no PDF report (--export-report)
    QString comparePath; // with openPath: compared with it before the exports (--compare)
    QString savePath;    // empty = no trace file saved (--save)
    QString exportPath;  // empty = no image
    QSize exportSize;    // invalid = kDefaultExportSize
    std::optional<double> centerLatitude, centerLongitude, zoom; // unset = fit the route
    bool quitWhenDone = false;
    int repeat = 1;         // traces in a row (soak test)
    QString windowShotPath; // also save a screenshot of the whole window (needs one)
};

// Resident set size of this process in kB (0 when /proc is unavailable): the --repeat soak
// line, and bench/gui_bench.
qint64 residentMemoryKb();

class ScriptedRun : public QObject
{
public:
    enum ExitCode { ExitOk = 0, ExitFailure = 1 };
    static constexpr QSize kDefaultExportSize{1280, 800};

    // settings: tiles (URL, offline). window: only for --window-shot; may be null.
    ScriptedRun(const ScriptedRunOptions &options, TraceController *controller, const AppSettings *settings,
                QQuickWindow *window = nullptr);
    ~ScriptedRun() override;
    void start();
    // For --compare (not owned; must outlive the run).
    void setDocuments(DocumentController *documents) { m_documents = documents; }

    // The viewport the image is rendered with: the given centre and zoom, else the route framed.
    static MapViewport exportViewport(const ScriptedRunOptions &options, const MapScene &scene);
    // The hop model and the source, as the map draws them, and a comparison's other trace.
    MapScene scene() const;

private:
    void startOne();
    void onTraceFinished(bool reached);
    void waitForPlaces();
    void waitForTiles();
    // Goes on with `next` once `pending()` is 0, re-read whenever `sender` emits `changed`; at
    // the deadline it goes on anyway, after printing `lateText` (%1: what is still pending).
    template<typename Sender, typename Signal>
    void waitUntilNone(Sender *sender, Signal changed, std::function<int()> pending, int deadlineMs,
                       const QString &lateText, void (ScriptedRun::*next)());
    void finish();
    void done(int code);

    ScriptedRunOptions m_options;
    TraceController *m_controller;
    DocumentController *m_documents = nullptr;
    const AppSettings *m_settings;
    QPointer<QQuickWindow> m_window;
    std::unique_ptr<TileLoader> m_tiles; // null when offline
    QTimer m_deadline;
    QMetaObject::Connection m_waiting;
    int m_completed = 0;
    bool m_allReached = true;
    bool m_finished = false;
};

} // namespace tracemap
