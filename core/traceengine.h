// The probe engine: a plain QObject meant to live in a worker thread (see EngineThread).
// Callers talk to it with queued calls to its slots and get results through signals
// carrying value types. Any number of traces and pings may run at once; each has an id
// chosen by the caller. Each trace is a TraceSchedule (the pure algorithm) driven by a
// job that owns the transport and an alarm of the engine's clock.
#pragma once

#include "engineclock.h"
#include "probetransport.h"
#include "tracetypes.h"

#include <QHash>
#include <QObject>

#include <memory>

namespace tracemap {

class ProbeJob;
class TraceJob;
class PingJob;

class TraceEngine : public QObject
{
    Q_OBJECT
public:
    // Takes the transport factory (null: the system's sockets) and the clock every probe job
    // reads and sleeps on (null: the steady clock; tests pass a fake clock they step).
    explicit TraceEngine(std::unique_ptr<ProbeTransportFactory> factory = {},
                         std::shared_ptr<EngineClock> clock = {}, QObject *parent = nullptr);
    ~TraceEngine() override;

    int activeJobs() const;

public slots:
    void startTrace(quint64 id, const tracemap::TraceRequest &request);
    void startPing(quint64 id, const tracemap::PingRequest &request);
    // Stops a trace or ping at once; it finishes with TraceError::Cancelled.
    void cancel(quint64 id);
    void cancelAll();

signals:
    // The target is resolved and probing begins.
    void traceStarted(quint64 id, const tracemap::TraceResult &initial);
    // A hop changed: a probe of it was answered or timed out.
    void hopUpdated(quint64 id, const tracemap::Hop &hop);
    void traceFinished(quint64 id, const tracemap::TraceResult &result);

    void pingStarted(quint64 id, const tracemap::PingResult &initial);
    void pingReply(quint64 id, const tracemap::ProbeReply &reply);
    void pingFinished(quint64 id, const tracemap::PingResult &result);

private:
    friend class ProbeJob;
    friend class TraceJob;
    friend class PingJob;
    // `preferred` (a watch's flow) when no live trace holds it, else a free random id.
    quint16 allocateIcmpId(quint16 preferred = 0);
    void releaseIcmpId(quint16 id);
    void jobDone(quint64 id);
    // Starts a TraceJob or PingJob under `id` (ids are the caller's; a duplicate is ignored).
    template<typename Job, typename Request> void startJob(quint64 id, const Request &request);

    std::unique_ptr<ProbeTransportFactory> m_factory;
    std::shared_ptr<EngineClock> m_clock;
    QHash<quint64, QObject *> m_jobs;
    QSet<quint16> m_icmpIds;
};

// Validates a host name or address literal; returns an empty string when acceptable.
QString validateHost(const QString &host);
// Validates a request; returns an empty string when it is acceptable.
QString validate(const TraceRequest &request);
QString validate(const PingRequest &request);

} // namespace tracemap
