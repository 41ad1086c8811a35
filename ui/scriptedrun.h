// The desktop app's scripted mode (--trace, --export-image, --repeat, --quit-when-done): runs
// the traces, waits for their places (and tiles), frames the map, writes the image, then quits
// with the exit code. See docs/desktop.md.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QSize>
#include <QString>
#include <QTimer>

#include <optional>

class QQuickItem;
class QQuickWindow;

namespace tracemap {

class BenchProbe;
class TraceController;

struct ScriptedRunOptions
{
    QString exportPath;                                          // empty = no image
    QSize exportSize;                                            // invalid = the map's size on screen
    std::optional<double> centerLatitude, centerLongitude, zoom; // unset = fit the route
    bool quitWhenDone = false;
    int repeat = 1; // traces in a row (soak test, benchmark)
    bool benchReport = false;
    QString windowShotPath; // also save a screenshot of the whole window
};

class ScriptedRun : public QObject
{
public:
    enum ExitCode { ExitOk = 0, ExitFailure = 1 };

    ScriptedRun(const ScriptedRunOptions &options, QQuickWindow *window, TraceController *controller,
                BenchProbe *bench);
    void start();

private:
    QQuickItem *mapPane() const;
    void resizeForExport();
    void startOne();
    void onTraceFinished(bool reached);
    void pollSettled();
    void applyView();
    void frameMap();
    void finish();
    void done(int code);

    ScriptedRunOptions m_options;
    QQuickWindow *m_window;
    TraceController *m_controller;
    BenchProbe *m_bench;
    QTimer m_watchdog;
    QTimer m_poll;
    QElapsedTimer m_settleTimer;
    int m_completed = 0;
    bool m_allReached = true;
};

} // namespace tracemap
