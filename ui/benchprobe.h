// --bench-report instrumentation of the desktop window (see bench/gui_bench.sh): first frame,
// model change -> the frame showing it, frame times while panning. Printed on stdout as
// "bench KEY VALUE" lines.
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QMutex>
#include <QObject>

#include <atomic>
#include <functional>

class QQuickWindow;

namespace tracemap {

class TraceController;

class BenchProbe : public QObject
{
public:
    BenchProbe(QQuickWindow *window, TraceController *controller, const QElapsedTimer &sinceStart);

    // Pans the map a little every frame for durationMs, prints the frame times, then calls done.
    void startPanning(int durationMs, std::function<void()> done);
    QString markerSummary() const;

private:
    void armMarkerTimer();
    void onFrameSwapped(); // render thread (threaded loop) or GUI thread (basic loop)
    void panStep();

    QQuickWindow *m_window;
    const QElapsedTimer &m_sinceStart;
    std::atomic<bool> m_firstFrameSeen{false};
    mutable QMutex m_mutex;
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

} // namespace tracemap
