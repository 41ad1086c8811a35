#include "benchprobe.h"

#include "perfstats.h"
#include "tracecontroller.h"

#include <QQuickItem>
#include <QQuickWindow>

#include <cmath>
#include <cstdio>
#include <sys/resource.h>

namespace tracemap {

namespace {
void outLine(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    fflush(stdout);
}
} // namespace

BenchProbe::BenchProbe(QQuickWindow *window, TraceController *controller, const QElapsedTimer &sinceStart)
    : m_window(window), m_sinceStart(sinceStart)
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

void BenchProbe::startPanning(int durationMs, std::function<void()> done)
{
    m_panDone = std::move(done);
    m_panFrames.clear();
    m_panning = true;
    m_panTimer.start();
    m_panDurationMs = durationMs;
    m_window->update();
    panStep();
}

QString BenchProbe::markerSummary() const
{
    const QMutexLocker lock(&m_mutex);
    return percentileSummary(m_markerMs);
}

void BenchProbe::armMarkerTimer()
{
    const QMutexLocker lock(&m_mutex);
    if (!m_markerPending) {
        m_markerPending = true;
        m_markerTimer.start();
    }
}

void BenchProbe::onFrameSwapped()
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

void BenchProbe::panStep()
{
    if (!m_panning)
        return;
    const qint64 now = m_panTimer.nsecsElapsed();
    if (m_lastPanNs > 0)
        m_panFrames << (now - m_lastPanNs) / 1e6;
    m_lastPanNs = now;
    if (now / 1000000 >= m_panDurationMs) {
        m_panning = false;
        outLine(QStringLiteral("bench pan_frame_ms %1").arg(percentileSummary(m_panFrames)));
        if (m_panDone)
            m_panDone();
        return;
    }
    QQuickItem *map = m_window->findChild<QQuickItem *>(QStringLiteral("mapPane"));
    if (map) {
        // One pan step: a fraction of the view per frame, as a drag would.
        const double t = now / 1e9;
        QMetaObject::invokeMethod(map, "panBy", Q_ARG(QVariant, 12.0 * std::cos(t)), Q_ARG(QVariant, 6.0));
    }
}

} // namespace tracemap
