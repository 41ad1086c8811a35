// A watch: the same trace repeated in rounds, each round's probes fed into WatchStats and
// PathChangeDetector.
//
// Contract: a WatchSession lives in the caller's thread and drives rounds as trace jobs on
// an EngineThread (queued calls and signals); many sessions and traces share one engine.
// Rounds of one session never overlap: a round starts every interval, or as soon as the
// previous one ended when it took longer. Every round uses one Paris flow (TraceRequest::
// flowId, chosen once), probes the address the first round resolved (no DNS per round),
// stops at the destination, and covers TTLs up to the destination's last TTL + 1; a round
// that does not reach the destination with that shorter range makes the next round probe
// the whole requested range again (the destination moved farther away). The watch clock
// (injectable) only stamps rounds; the statistics never read a clock themselves.
#pragma once

#include "enginethread.h"
#include "watchtypes.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>

namespace tracemap {

class WatchSession : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>; // ms since the epoch

    WatchSession(EngineThread *engine, const WatchRequest &request, QObject *parent = nullptr);
    ~WatchSession() override;

    void setClock(Clock clock) { m_clock = std::move(clock); }
    void setStatsLimits(const WatchStatsLimits &limits) { m_stats = WatchStats(limits); }

    // Validates the request; a bad one ends the watch at once with Failed.
    void start();
    // Cancels the running round (its answered probes still count); finished(Stopped) follows.
    void stop();
    bool isRunning() const { return m_snapshotBase.endReason == WatchEndReason::Running && m_started; }
    // Pausing lets the round in flight finish (it counts) and starts no further one until
    // resume(), which starts a round at once and keeps the flow, the resolved address and
    // the statistics. The paused stretch is simply a time without samples.
    void pause();
    void resume();
    bool isPaused() const { return m_paused; }
    // Forgets the statistics and path changes so far (as mtr's reset key); the watch goes on.
    void resetStatistics();
    // For benches at accelerated time (bench/watch_desktop_bench): records a round the engine
    // did not run, stamped startedMs, as a finished round is recorded, and emits
    // roundFinished. Only while paused with no round in flight (false otherwise): the
    // engine's own rounds and injected ones never interleave.
    bool injectRound(const TraceResult &result, qint64 startedMs);

    const WatchRequest &request() const { return m_request; }
    const WatchStats &stats() const { return m_stats; }
    const PathChangeDetector &pathChanges() const { return m_paths; }
    int rounds() const { return m_rounds; }
    quint16 flowId() const { return m_flowId; }
    // The report of the watch so far (whole-watch statistics).
    WatchSnapshot snapshot() const;

signals:
    // The first round resolved the target: destination, source and method are known.
    void started(const tracemap::TraceResult &context);
    void roundFinished(const tracemap::WatchRound &round);
    void finished(tracemap::WatchEndReason reason, const QString &message);

private:
    void startRound();
    void onTraceStarted(quint64 id, const TraceResult &initial);
    void onTraceFinished(quint64 id, const TraceResult &result);
    void record(const TraceResult &result, qint64 startedMs);
    void recordAndAnnounce(const TraceResult &result, qint64 startedMs); // record + roundFinished
    void scheduleNext();
    void finish(WatchEndReason reason, const QString &message);

    EngineThread *m_engine;
    WatchRequest m_request;
    WatchStats m_stats;
    PathChangeDetector m_paths;
    WatchSnapshot m_snapshotBase; // request, context, times, end reason
    Clock m_clock;
    QTimer m_roundTimer;
    QTimer m_stopDeadline;
    QElapsedTimer m_monotonic;
    qint64 m_anchorMs = 0; // monotonic time of round 1; round k is due at anchor + (k-1) × interval
    quint64 m_job = 0;
    qint64 m_roundStartedMs = 0;
    int m_rounds = 0;
    int m_roundMaxTtl = 0;
    int m_destinationTtl = 0; // where the destination answered last; 0: not yet
    quint16 m_flowId = 0;
    bool m_started = false;
    bool m_stopping = false;
    bool m_paused = false;
    QString m_address; // the resolved destination, probed from round 2 on
};

} // namespace tracemap
