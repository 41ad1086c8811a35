#include "agentservice.h"

#include "agentlog.h"
#include "destinationpolicy.h"
#include "resultformat.h"

#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

namespace tracemap::agent {

namespace {

constexpr int kFailureCacheEntries = 4096;

bool matchesFamily(const QHostAddress &a, AddressFamily family)
{
    switch (family) {
    case AddressFamily::IPv4:
        return a.protocol() == QAbstractSocket::IPv4Protocol;
    case AddressFamily::IPv6:
        return a.protocol() == QAbstractSocket::IPv6Protocol;
    case AddressFamily::Any:
        break;
    }
    return true;
}

// Status for an engine error (the engine validated and resolved on its own).
int statusFor(TraceError error)
{
    switch (error) {
    case TraceError::InvalidRequest:
    case TraceError::ResolveFailed:
    case TraceError::NoAddressForFamily:
    case TraceError::SocketError: // the destination could not be sent to: the caller's choice
        return 400;
    case TraceError::Cancelled:
        return 503;
    case TraceError::PermissionDenied:
    case TraceError::None:
        break;
    }
    return 500;
}

// Where the agent is, for the trace documents: configured name and place, or nothing at all.
QJsonObject vantageJson(const AgentVantage &v)
{
    if (!v.hasLocation())
        return {};
    return QJsonObject{{QStringLiteral("name"), v.name.isEmpty() ? QHostInfo::localHostName() : v.name},
                       {QStringLiteral("latitude"), v.latitude},
                       {QStringLiteral("longitude"), v.longitude},
                       {QStringLiteral("source"), QStringLiteral("configured")}};
}

} // namespace

QByteArray jsonLine(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QByteArray errorBody(const QString &message, const QString &parameter)
{
    QJsonObject o{{QStringLiteral("error"), message}};
    if (!parameter.isEmpty())
        o.insert(QStringLiteral("parameter"), parameter);
    return jsonLine(o);
}

AgentService::AgentService(const Config &config, EngineThread *engine, ProbeLimiter *limiter,
                           Resolver *resolver, QObject *parent)
    : QObject(parent), m_engine(engine), m_limiter(limiter), m_resolver(resolver),
      m_lookups(config.maxLookups, config.maxLookupsPerClient),
      m_failures(qint64(config.dnsFailureCacheSec) * 1000, kFailureCacheEntries),
      m_dnsTimeoutMs(config.dnsTimeoutMs)
{
    m_clock.start();
    engine->connectTraceProgress(this);
    // Queued to this thread too, like the trace's progress.
    connect(engine->engine(), &TraceEngine::pingFinished, this, &AgentService::onPingFinished);
    m_sweep.setInterval(250);
    connect(&m_sweep, &QTimer::timeout, this, &AgentService::sweep);
}

AgentService::~AgentService() = default;

void AgentService::reconfigure(const Config &config)
{
    m_lookups.setLimits(config.maxLookups, config.maxLookupsPerClient);
    m_failures.setTtl(qint64(config.dnsFailureCacheSec) * 1000);
    m_dnsTimeoutMs = config.dnsTimeoutMs;
}

void AgentService::submit(const ProbeJobPtr &job)
{
    if (m_shuttingDown) {
        fail(job, 503, QStringLiteral("the agent is shutting down"));
        return;
    }
    bool abandoned = false;
    {
        std::lock_guard lock(job->mutex);
        abandoned = job->abandoned;
    }
    if (abandoned) { // hung up before it got here
        fail(job, 499, QStringLiteral("the client closed the connection"));
        return;
    }
    // Resolve here rather than in the engine: every address must pass the destination
    // policy BEFORE the first probe leaves, and the engine is then given the literal.
    QHostAddress literal;
    if (literal.setAddress(job->dest)) {
        resolved(job, ResolveResult{ResolveResult::Error::None, {}, {literal}});
        return;
    }
    if (const ResolveResult *cached = m_failures.find(job->dest, m_clock.elapsed())) {
        resolved(job, *cached);
        return;
    }
    // A bounded number of look-ups per client and in total: names that never answer must
    // not take the resolver from everyone else.
    switch (m_lookups.tryAcquire(job->client)) {
    case ProbeLimiter::Refusal::Total:
        fail(job, 429, QStringLiteral("too many name look-ups in flight; retry later, or give an address"),
             QStringLiteral("dest"));
        return;
    case ProbeLimiter::Refusal::PerClient:
        fail(job, 429,
             QStringLiteral("too many name look-ups in flight for %1; retry later, or give an address")
                 .arg(job->client),
             QStringLiteral("dest"));
        return;
    case ProbeLimiter::Refusal::None:
        break;
    }
    const AddressFamily family = job->kind == ProbeJob::Kind::Ping ? job->ping.family : job->trace.family;
    const Resolver::Family f = family == AddressFamily::IPv4   ? Resolver::Family::IPv4
                               : family == AddressFamily::IPv6 ? Resolver::Family::IPv6
                                                               : Resolver::Family::Any;
    // The resolver calls back in its own thread: hop to this one.
    QPointer<AgentService> self(this);
    const quint64 id = m_resolver->lookup(job->dest, f, [self, job](const ResolveResult &result) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, job, result] {
                if (!self)
                    return;
                for (auto it = self->m_resolving.begin(); it != self->m_resolving.end(); ++it) {
                    if (it->job == job) {
                        self->endLookup(it);
                        if (result.error != ResolveResult::Error::None &&
                            result.error != ResolveResult::Error::Cancelled)
                            self->m_failures.add(job->dest, result, self->m_clock.elapsed());
                        self->resolved(job, result);
                        return;
                    }
                }
            },
            Qt::QueuedConnection);
    });
    m_resolving.insert(id, Resolving{job, id, QDeadlineTimer(m_dnsTimeoutMs)});
    if (!m_sweep.isActive())
        m_sweep.start();
}

void AgentService::endLookup(QHash<quint64, Resolving>::iterator it)
{
    m_resolver->cancel(it->lookupId);
    m_lookups.release(it->job->client);
    m_resolving.erase(it);
}

void AgentService::abandon(const ProbeJobPtr &job)
{
    for (auto it = m_resolving.begin(); it != m_resolving.end(); ++it) {
        if (it->job == job) {
            endLookup(it);
            fail(job, 499, QStringLiteral("the client closed the connection"));
            return;
        }
    }
    for (auto it = m_jobs.begin(); it != m_jobs.end(); ++it) {
        if (it->job == job && !it->timedOut) {
            it->timedOut = true; // answered as a time-out nobody will read
            m_engine->cancel(it.key());
            return;
        }
    }
    for (RunningWatch &watch : m_watches) {
        if (watch.job == job) {
            stopWatch(watch, RunningWatch::Stop::HungUp);
            return;
        }
    }
}

void AgentService::sweep()
{
    QList<quint64> expired;
    for (auto it = m_resolving.cbegin(); it != m_resolving.cend(); ++it) {
        if (it->deadline.hasExpired())
            expired.append(it.key());
    }
    for (const quint64 key : expired) {
        const auto it = m_resolving.find(key);
        const ProbeJobPtr job = it->job;
        m_failures.add(job->dest,
                       ResolveResult{ResolveResult::Error::NoAnswer,
                                     QStringLiteral("no answer from the DNS servers"),
                                     {}},
                       m_clock.elapsed());
        endLookup(it);
        fail(job, 504,
             QStringLiteral("cannot resolve '%1': no answer within %2 s")
                 .arg(job->dest)
                 .arg(m_dnsTimeoutMs / 1000.0),
             QStringLiteral("dest"));
    }
    for (auto it = m_jobs.begin(); it != m_jobs.end(); ++it) {
        if (!it->timedOut && it->deadline.hasExpired()) {
            it->timedOut = true;
            m_engine->cancel(it.key()); // ends in a Cancelled result, answered 504
            continue;
        }
        // The caller hung up (noticed by the HTTP side): stop probing for nobody.
        bool abandoned = false;
        {
            std::lock_guard lock(it->job->mutex);
            abandoned = it->job->abandoned;
        }
        if (abandoned && !it->timedOut) {
            it->timedOut = true;
            m_engine->cancel(it.key());
        }
    }
    sweepWatches();
    if (m_jobs.isEmpty() && m_resolving.isEmpty() && m_watches.isEmpty())
        m_sweep.stop();
}

void AgentService::resolved(const ProbeJobPtr &job, const ResolveResult &result)
{
    if (m_shuttingDown) {
        fail(job, 503, QStringLiteral("the agent is shutting down"));
        return;
    }
    if (result.error != ResolveResult::Error::None) {
        const bool noAnswer = result.error == ResolveResult::Error::NoAnswer;
        fail(job, noAnswer ? 504 : 400,
             QStringLiteral("cannot resolve '%1': %2").arg(job->dest, result.message),
             QStringLiteral("dest"));
        return;
    }
    const AddressFamily family = job->kind == ProbeJob::Kind::Ping ? job->ping.family : job->trace.family;
    QList<QHostAddress> candidates;
    for (const QHostAddress &a : result.addresses) {
        const QHostAddress n = unmappedAddress(a);
        if (matchesFamily(n, family) && !candidates.contains(n))
            candidates.append(n);
    }
    if (candidates.isEmpty()) {
        fail(job, 400,
             QStringLiteral("'%1' has no %2 address")
                 .arg(job->dest,
                      family == AddressFamily::IPv6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4")),
             QStringLiteral("dest"));
        return;
    }
    // A name is refused if ANY of its addresses is refused: which one a later lookup
    // returns first is not ours to choose.
    for (const QHostAddress &a : candidates) {
        if (const QString refusal = destinationRefusal(*job->config, a); !refusal.isEmpty()) {
            fail(job, 403, refusal, QStringLiteral("dest"));
            return;
        }
    }
    start(job, candidates.first());
}

void AgentService::start(const ProbeJobPtr &job, const QHostAddress &destination)
{
    if (job->kind == ProbeJob::Kind::Mtr) {
        startWatch(job, destination);
        return;
    }
    quint64 id = 0;
    if (job->kind == ProbeJob::Kind::Ping) {
        PingRequest request = job->ping;
        request.target = destination.toString();
        id = m_engine->startPing(request);
    } else {
        TraceRequest request = job->trace;
        request.target = destination.toString();
        id = m_engine->startTrace(request);
    }
    m_jobs.insert(
        id, Running{job, {}, {}, QDeadlineTimer(qint64(job->config->limits.maxRequestSec) * 1000), false});
    if (!m_sweep.isActive())
        m_sweep.start();
}

void AgentService::fail(const ProbeJobPtr &job, int status, const QString &message, const QString &parameter)
{
    const QByteArray body = errorBody(message, parameter);
    job->publish([&] {
        if (job->phase == ProbeJob::Phase::Streaming) {
            QJsonObject o{{QStringLiteral("event"), QStringLiteral("error")},
                          {QStringLiteral("status"), status},
                          {QStringLiteral("error"), message}};
            job->streamData += jsonLine(o);
        } else {
            job->status = status;
            job->body = body;
        }
        job->phase = ProbeJob::Phase::Done;
    });
    finishJob(job);
}

void AgentService::finishJob(const ProbeJobPtr &job)
{
    m_limiter->release(job->client);
}

void AgentService::onTraceStarted(quint64 id, const TraceResult &initial)
{
    auto it = m_jobs.find(id);
    if (it == m_jobs.end())
        return;
    it->traceContext = initial;
    it->traceContext.target = it->job->dest;
    if (it->job->stream)
        openStream(*it->job);
}

void AgentService::openStream(ProbeJob &job)
{
    // The agent's place first, so a client starts the route there before the first hop or round.
    const QJsonObject vantage = vantageJson(job.config->vantage);
    job.publish([&] {
        if (job.phase != ProbeJob::Phase::Pending)
            return; // opened already (or answered)
        job.phase = ProbeJob::Phase::Streaming;
        if (!vantage.isEmpty())
            job.streamData += jsonLine(
                {{QStringLiteral("event"), QStringLiteral("vantage")}, {QStringLiteral("vantage"), vantage}});
    });
}

void AgentService::onHopUpdated(quint64 id, const Hop &hop)
{
    auto it = m_jobs.find(id);
    if (it == m_jobs.end() || !it->job->stream || !hop.complete || it->streamedTtls.contains(hop.ttl))
        return;
    it->streamedTtls.insert(hop.ttl);
    const QByteArray line = jsonLine({{QStringLiteral("event"), QStringLiteral("hop")},
                                      {QStringLiteral("hop"), hopToJson(it->traceContext, hop)}});
    ProbeJob *job = it->job.get();
    job->publish([&] { job->streamData += line; });
}

void AgentService::failProbe(const Running &running, TraceError error, const QString &message,
                             const QString &what)
{
    if (running.timedOut)
        fail(running.job, 504,
             QStringLiteral("the %1 did not finish within the agent's limit of %2 s")
                 .arg(what)
                 .arg(running.job->config->limits.maxRequestSec));
    else if (error == TraceError::Cancelled)
        fail(running.job, 503, QStringLiteral("the agent is shutting down"));
    else
        fail(running.job, statusFor(error), message,
             statusFor(error) == 400 ? QStringLiteral("dest") : QString());
}

ProbeJobPtr AgentService::takeSucceeded(quint64 id, TraceError error, const QString &message,
                                        const QString &what)
{
    const Running running = m_jobs.take(id);
    if (!running.job || error == TraceError::None)
        return running.job;
    failProbe(running, error, message, what);
    return {};
}

void AgentService::onTraceFinished(quint64 id, const TraceResult &finished)
{
    const ProbeJobPtr job = takeSucceeded(id, finished.error, finished.errorMessage, QStringLiteral("trace"));
    if (!job)
        return;
    TraceResult result = finished;
    result.target = job->dest; // the engine was given the resolved literal
    answer(job, QStringLiteral("trace"), traceToJson(result));
}

void AgentService::answer(const ProbeJobPtr &job, const QString &event, const QJsonObject &given)
{
    QJsonObject document = given;
    if (const QJsonObject vantage = vantageJson(job->config->vantage); !vantage.isEmpty())
        document.insert(QStringLiteral("vantage"), vantage);
    job->publish([&] {
        if (job->phase == ProbeJob::Phase::Streaming)
            job->streamData += jsonLine({{QStringLiteral("event"), event}, {event, document}});
        else
            job->body = jsonLine(document);
        job->status = 200;
        job->phase = ProbeJob::Phase::Done;
    });
    finishJob(job);
}

void AgentService::onPingFinished(quint64 id, const PingResult &finished)
{
    const ProbeJobPtr job = takeSucceeded(id, finished.error, finished.errorMessage, QStringLiteral("ping"));
    if (!job)
        return;
    PingResult result = finished;
    result.target = job->dest;
    const QByteArray body = jsonLine(pingToJson(result));
    job->publish([&] {
        job->body = body;
        job->status = 200;
        job->phase = ProbeJob::Phase::Done;
    });
    finishJob(job);
}

void AgentService::shutdown()
{
    m_shuttingDown = true;
    // Stuck look-ups end now: nothing waits for the DNS.
    while (!m_resolving.isEmpty()) {
        const ProbeJobPtr job = m_resolving.begin()->job;
        endLookup(m_resolving.begin());
        fail(job, 503, QStringLiteral("the agent is shutting down"));
    }
    for (auto it = m_jobs.cbegin(); it != m_jobs.cend(); ++it)
        m_engine->cancel(it.key());
    for (RunningWatch &watch : m_watches)
        stopWatch(watch, RunningWatch::Stop::ShuttingDown);
}

void AgentService::abortAll()
{
    const QList<Running> running = m_jobs.values();
    m_jobs.clear();
    for (const Running &r : running)
        fail(r.job, 503, QStringLiteral("the agent is shutting down"));
    const QList<RunningWatch> watches = m_watches.values();
    m_watches.clear();
    for (const RunningWatch &w : watches) {
        w.session->disconnect(this);
        w.session->deleteLater();
        fail(w.job, 503, QStringLiteral("the agent is shutting down"));
    }
}

} // namespace tracemap::agent
