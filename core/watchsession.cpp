#include "watchsession.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>

namespace tracemap {

namespace {

Q_LOGGING_CATEGORY(lcWatch, "tracemap.watch.session", QtWarningMsg)

// A cancelled round normally reports back at once; this bounds the wait if it does not.
constexpr int kStopDeadlineMs = 2000;
// Later rounds probe this many TTLs beyond the destination's, so a destination that moved
// one hop farther is still reached in the same round.
constexpr int kTtlMargin = 1;

} // namespace

WatchSession::WatchSession(EngineThread *engine, const WatchRequest &request, QObject *parent)
    : QObject(parent), m_engine(engine), m_request(request),
      m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    registerWatchTypes();
    m_snapshotBase.request = request;
    m_roundTimer.setSingleShot(true);
    m_roundTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_roundTimer, &QTimer::timeout, this, &WatchSession::startRound);
    m_stopDeadline.setSingleShot(true);
    connect(&m_stopDeadline, &QTimer::timeout, this, [this] {
        qCWarning(lcWatch) << "round" << m_rounds << "did not report its cancellation in time";
        m_job = 0;
        finish(WatchEndReason::Stopped, {});
    });
    TraceEngine *e = engine->engine();
    connect(e, &TraceEngine::traceStarted, this, &WatchSession::onTraceStarted);
    connect(e, &TraceEngine::traceFinished, this, &WatchSession::onTraceFinished);
}

WatchSession::~WatchSession()
{
    if (m_job)
        m_engine->cancel(m_job);
}

void WatchSession::start()
{
    if (m_started)
        return;
    m_started = true;
    m_snapshotBase.startedAtMs = m_clock();
    if (const QString e = validate(m_request); !e.isEmpty()) {
        QTimer::singleShot(0, this, [this, e] { finish(WatchEndReason::Failed, e); });
        return;
    }
    if (m_request.trace.flow == FlowMode::Paris && m_request.trace.flowId == 0) {
        // From the range Linux picks ephemeral ports from.
        m_flowId = quint16(QRandomGenerator::global()->bounded(32768, 61000));
    } else {
        m_flowId = m_request.trace.flowId;
    }
    m_roundMaxTtl = m_request.trace.maxTtl;
    m_monotonic.start();
    m_anchorMs = 0;
    startRound();
}

void WatchSession::stop()
{
    if (!m_started || m_snapshotBase.endReason != WatchEndReason::Running || m_stopping)
        return;
    m_stopping = true;
    m_roundTimer.stop();
    if (!m_job) {
        finish(WatchEndReason::Stopped, {});
        return;
    }
    m_engine->cancel(m_job);
    m_stopDeadline.start(kStopDeadlineMs);
}

void WatchSession::pause()
{
    if (!isRunning() || m_stopping || m_paused)
        return;
    m_paused = true;
    m_roundTimer.stop();
}

void WatchSession::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    if (!isRunning() || m_stopping || m_job)
        return; // the round in flight schedules the next one when it ends
    // The rhythm restarts now: round k+1 is due at once, the following ones every interval.
    m_anchorMs = m_monotonic.elapsed() - qint64(m_rounds) * qint64(m_request.intervalSec * 1000);
    startRound();
}

void WatchSession::resetStatistics()
{
    m_stats.reset();
    m_paths.reset();
    if (m_destinationTtl > 0)
        m_stats.setPathLength(m_destinationTtl);
}

bool WatchSession::injectRound(const TraceResult &result, qint64 startedMs)
{
    if (!m_paused || m_job != 0 || m_snapshotBase.endReason != WatchEndReason::Running)
        return false;
    ++m_rounds;
    recordAndAnnounce(result, startedMs);
    return true;
}

void WatchSession::recordAndAnnounce(const TraceResult &result, qint64 startedMs)
{
    record(result, startedMs);
    WatchRound round;
    round.index = m_rounds;
    round.startedMs = startedMs;
    round.result = result;
    round.result.target = m_request.trace.target;
    Q_EMIT roundFinished(round);
}

void WatchSession::startRound()
{
    if (m_stopping || m_paused || m_snapshotBase.endReason != WatchEndReason::Running)
        return;
    TraceRequest r = m_request.trace;
    r.flowId = m_flowId;
    if (!m_address.isEmpty())
        r.target = m_address;
    r.maxTtl = std::max(m_roundMaxTtl, r.firstTtl);
    ++m_rounds;
    m_roundStartedMs = m_clock();
    m_job = m_engine->startTrace(r);
    qCDebug(lcWatch) << "round" << m_rounds << "job" << m_job << "max ttl" << r.maxTtl;
}

void WatchSession::onTraceStarted(quint64 id, const TraceResult &initial)
{
    if (id != m_job || !m_address.isEmpty())
        return;
    m_address = initial.destination.toString();
    m_snapshotBase.context = initial;
    m_snapshotBase.context.target = m_request.trace.target;
    m_snapshotBase.context.request = m_request.trace;
    Q_EMIT started(m_snapshotBase.context);
}

void WatchSession::onTraceFinished(quint64 id, const TraceResult &result)
{
    if (id != m_job || id == 0)
        return;
    m_job = 0;
    m_stopDeadline.stop();
    if (result.error != TraceError::None && result.error != TraceError::Cancelled) {
        finish(WatchEndReason::Failed, result.errorMessage);
        return;
    }
    recordAndAnnounce(result, m_roundStartedMs);
    if (m_stopping || result.error == TraceError::Cancelled) {
        finish(WatchEndReason::Stopped, {});
        return;
    }
    if (m_request.cycles > 0 && m_rounds >= m_request.cycles) {
        finish(WatchEndReason::Completed, {});
        return;
    }
    if (!m_paused)
        scheduleNext();
}

void WatchSession::record(const TraceResult &result, qint64 startedMs)
{
    for (const Hop &h : result.hops)
        m_stats.addHop(startedMs, h);
    if (result.error == TraceError::Cancelled)
        return; // a cut-short round says nothing about the path's length or changes
    m_paths.addRound(startedMs, result);
    if (result.reached && !result.hops.isEmpty()) {
        m_destinationTtl = result.hops.last().ttl;
        m_roundMaxTtl = std::min(m_request.trace.maxTtl, m_destinationTtl + kTtlMargin);
        m_stats.setPathLength(m_destinationTtl);
    } else {
        // Not reached: probe the whole range next time, in case the destination moved away.
        m_roundMaxTtl = m_request.trace.maxTtl;
        if (m_destinationTtl == 0 && !result.hops.isEmpty())
            m_stats.setPathLength(result.hops.last().ttl);
    }
}

void WatchSession::scheduleNext()
{
    const qint64 intervalMs = qint64(m_request.intervalSec * 1000);
    const qint64 now = m_monotonic.elapsed();
    qint64 due = m_anchorMs + qint64(m_rounds) * intervalMs;
    if (due < now - intervalMs) {
        // More than a round behind (slow rounds): start now and keep the rhythm from here.
        m_anchorMs = now - qint64(m_rounds) * intervalMs;
        due = now;
    }
    m_roundTimer.start(int(std::max<qint64>(0, due - now)));
}

void WatchSession::finish(WatchEndReason reason, const QString &message)
{
    if (m_snapshotBase.endReason != WatchEndReason::Running)
        return;
    m_roundTimer.stop();
    m_stopDeadline.stop();
    m_snapshotBase.endReason = reason;
    m_snapshotBase.errorMessage = message;
    m_snapshotBase.endedAtMs = m_clock();
    if (reason == WatchEndReason::Failed)
        qCDebug(lcWatch) << "watch failed:" << message;
    Q_EMIT finished(reason, message);
}

WatchSnapshot WatchSession::snapshot() const
{
    WatchSnapshot s = m_snapshotBase;
    if (s.context.target.isEmpty())
        s.context.target = m_request.trace.target;
    s.rounds = m_rounds;
    s.hops = m_stats.total();
    s.pathChanges = m_paths.changes();
    for (int ttl : m_paths.ttls()) {
        if (m_paths.loadBalanced(ttl))
            s.loadBalancedTtls.append(ttl);
    }
    return s;
}

} // namespace tracemap
