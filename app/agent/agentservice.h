// Runs the probes the HTTP front end hands over (pings, traces, and /mtr watches: a
// WatchSession on the same engine thread, in agentwatch.cpp): resolves the destination (the agent's own
// bounded resolver, capped per client and in total, failures cached), checks every resolved
// address and the port against the destination policy, drives the engine (in its own
// thread, through EngineThread's queued calls) and publishes the JSON answer into the job.
// Lives in the Qt main thread; submit() and abandon() are reached through queued invocations.
#pragma once

#include "agentconfig.h"
#include "agentjob.h"
#include "enginethread.h"
#include "probelimiter.h"
#include "resolver.h"
#include "watchsession.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

namespace tracemap::agent {

class AgentService : public QObject
{
    Q_OBJECT
public:
    AgentService(const Config &config, EngineThread *engine, ProbeLimiter *limiter, Resolver *resolver,
                 QObject *parent = nullptr);
    ~AgentService() override;

    // Main thread only.
    void submit(const ProbeJobPtr &job);
    // The caller hung up: stop its look-up or probe now and free its slot.
    void abandon(const ProbeJobPtr &job);
    // New look-up limits and failure-cache lifetime (SIGHUP).
    void reconfigure(const Config &config);
    // Cancels every probe; they end with 503 (the caller waits for ProbeLimiter::active() == 0).
    void shutdown();
    // Answers 503 for whatever still runs (when the engine did not stop in time).
    void abortAll();
    int runningJobs() const { return int(m_jobs.size() + m_resolving.size() + m_watches.size()); }

private:
    struct Running
    {
        ProbeJobPtr job;
        TraceResult traceContext; // from traceStarted, target = the caller's name
        QSet<int> streamedTtls;
        QDeadlineTimer deadline; // max_request_time
        bool timedOut = false;
    };
    // A /mtr watch; the session is owned here (deleted once it reported finished).
    struct RunningWatch
    {
        enum class Stop { No, TimedOut, HungUp, ShuttingDown };
        ProbeJobPtr job;
        WatchSession *session = nullptr;
        QDeadlineTimer deadline; // max_request_time
        Stop stop = Stop::No;
    };
    struct Resolving
    {
        ProbeJobPtr job;
        quint64 lookupId = 0;
        QDeadlineTimer deadline;
    };

    void resolved(const ProbeJobPtr &job, const ResolveResult &result);
    void endLookup(QHash<quint64, Resolving>::iterator it);
    void start(const ProbeJobPtr &job, const QHostAddress &destination);
    void fail(const ProbeJobPtr &job, int status, const QString &message, const QString &parameter = {});
    // Answers a probe that ended with an error (time limit, shutdown, engine error); `what` is
    // "trace" or "ping".
    void failProbe(const Running &running, TraceError error, const QString &message, const QString &what);
    // Takes finished probe `id` off the running list: its job when it succeeded; null when it
    // was dropped already or failed (then answered here with the error).
    ProbeJobPtr takeSucceeded(quint64 id, TraceError error, const QString &message, const QString &what);
    void finishJob(const ProbeJobPtr &job);
    // A streamed answer begins: phase Streaming, and the `vantage` line first when the agent
    // has a place (the same for /traceroute and /mtr). Once per job.
    void openStream(ProbeJob &job);
    // 200 with the document (plus the agent's `vantage` object when it has a place); streamed as
    // {"event": event, event: document} after the lines.
    void answer(const ProbeJobPtr &job, const QString &event, const QJsonObject &document);

    friend class tracemap::EngineThread; // connectTraceProgress() reaches these handlers
    void onTraceStarted(quint64 id, const tracemap::TraceResult &initial);
    void onHopUpdated(quint64 id, const tracemap::Hop &hop);
    void onTraceFinished(quint64 id, const tracemap::TraceResult &result);
    void onPingFinished(quint64 id, const tracemap::PingResult &result);

    // agentwatch.cpp
    void startWatch(const ProbeJobPtr &job, const QHostAddress &destination);
    void stopWatch(RunningWatch &watch, RunningWatch::Stop why);
    void sweepWatches();
    void onWatchRound(WatchSession *session, const tracemap::WatchRound &round);
    void onWatchFinished(WatchSession *session, tracemap::WatchEndReason reason, const QString &message);

    EngineThread *m_engine;
    ProbeLimiter *m_limiter;
    Resolver *m_resolver;
    ProbeLimiter m_lookups; // look-ups in flight, per client and in total
    FailureCache m_failures;
    int m_dnsTimeoutMs;
    QElapsedTimer m_clock;
    QHash<quint64, Running> m_jobs;
    QHash<quint64, Resolving> m_resolving; // by resolver id
    QHash<WatchSession *, RunningWatch> m_watches;
    // One timer for every deadline (a timer per request would pile up under load).
    QTimer m_sweep;
    void sweep();
    bool m_shuttingDown = false;
};

// The object as one compact JSON line (NDJSON).
QByteArray jsonLine(const QJsonObject &object);
// {"error": message, "parameter": parameter} (parameter omitted when empty), newline-terminated.
QByteArray errorBody(const QString &message, const QString &parameter = {});

} // namespace tracemap::agent
