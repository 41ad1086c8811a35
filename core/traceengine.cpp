#include "traceengine.h"

#include "address.h"
#include "logging.h"
#include "traceschedule.h"

#include <QHostInfo>
#include <QRandomGenerator>

#include <climits>

namespace tracemap {

namespace {

constexpr qint64 kNsPerSec = 1000000000;
constexpr qint64 kResolveTimeoutNs = 10 * kNsPerSec;
// Probes sent back to back before the event loop gets a turn.
constexpr int kSendBurst = 6;

QString familyName(AddressFamily f)
{
    return f == AddressFamily::IPv6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4");
}

bool matchesFamily(const QHostAddress &a, AddressFamily f)
{
    switch (f) {
    case AddressFamily::Any:
        return true;
    case AddressFamily::IPv4:
        return a.protocol() == QAbstractSocket::IPv4Protocol;
    case AddressFamily::IPv6:
        return a.protocol() == QAbstractSocket::IPv6Protocol;
    }
    return false;
}

} // namespace

// ------------------------------------------------------------------ ProbeJob

// What traces and pings share: asynchronous resolution of the target, choosing the
// method, opening the transport. Time comes only from the engine's clock.
class ProbeJob : public QObject
{
public:
    ProbeJob(TraceEngine *engine, quint64 id)
        : QObject(engine), m_engine(engine), m_id(id), m_clock(engine->m_clock.get()),
          m_resolveAlarm(m_clock->createAlarm([this] { onResolveTimeout(); }))
    {}
    ~ProbeJob() override
    {
        if (m_lookupId >= 0)
            QHostInfo::abortHostLookup(m_lookupId);
    }
    void cancel() { fail(TraceError::Cancelled, QStringLiteral("cancelled")); }

protected:
    struct Params
    {
        QString target;
        AddressFamily family;
        ProbeMethod method;
        quint16 port;
        FlowMode flow;
        quint16 flowId; // Paris only: the flow to keep across traces (0: a new one)
    };

    qint64 now() const { return m_clock->nowNs(); }

    // Fails from the event loop: the caller has not connected to the result yet.
    void failSoon(TraceError error, const QString &message)
    {
        QMetaObject::invokeMethod(
            this, [this, error, message] { fail(error, message); }, Qt::QueuedConnection);
    }

    // Starts with resolving `p.target`, or fails soon with `invalid` (a validation error).
    void begin(const QString &invalid, const Params &p)
    {
        if (!invalid.isEmpty())
            failSoon(TraceError::InvalidRequest, invalid);
        else
            resolve(p);
    }

    void resolve(const Params &p)
    {
        m_params = p;
        m_started = now();
        QHostAddress literal;
        if (literal.setAddress(p.target)) {
            QMetaObject::invokeMethod(
                this, [this, literal] { onAddresses({literal}, {}); }, Qt::QueuedConnection);
            return;
        }
        m_lookupId = QHostInfo::lookupHost(p.target, this, [this](const QHostInfo &info) {
            m_lookupId = -1;
            m_resolveAlarm->disarm();
            onAddresses(info.addresses(),
                        info.error() == QHostInfo::NoError ? QString() : info.errorString());
        });
        m_resolveAlarm->arm(m_started + kResolveTimeoutNs);
    }

    void onResolveTimeout()
    {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
        fail(TraceError::ResolveFailed, QStringLiteral("cannot resolve '%1': no answer within %2 s")
                                            .arg(m_params.target)
                                            .arg(kResolveTimeoutNs / kNsPerSec));
    }

    void onAddresses(const QList<QHostAddress> &addresses, const QString &error)
    {
        if (addresses.isEmpty()) {
            fail(TraceError::ResolveFailed,
                 QStringLiteral("cannot resolve '%1': %2")
                     .arg(m_params.target, error.isEmpty() ? QStringLiteral("no address") : error));
            return;
        }
        for (const QHostAddress &a : addresses) {
            // ::ffff:a.b.c.d is probed as the IPv4 address it is; "::" stays IPv6.
            const QHostAddress n = unmappedAddress(a);
            if (matchesFamily(n, m_params.family)) {
                m_destination = n;
                break;
            }
        }
        if (m_destination.isNull()) {
            fail(TraceError::NoAddressForFamily,
                 QStringLiteral("'%1' has no %2 address").arg(m_params.target, familyName(m_params.family)));
            return;
        }
        ProbeTransportFactory *factory = m_engine->m_factory.get();
        m_method = factory->resolveMethod(m_params.method, m_destination);
        TransportConfig config;
        config.method = m_method;
        config.destination = m_destination;
        config.port = m_params.port ? m_params.port : defaultPort(m_method);
        config.flow = m_params.flow;
        config.flowId = m_params.flow == FlowMode::Paris ? m_params.flowId : 0;
        config.token = QRandomGenerator::global()->generate();
        if (m_method == ProbeMethod::Icmp) {
            m_icmpId = m_engine->allocateIcmpId(config.flowId);
            config.icmpId = m_icmpId;
        }
        TransportError error2;
        m_transport = factory->create(config, &error2);
        if (!m_transport) {
            fail(error2.code == TraceError::None ? TraceError::SocketError : error2.code, error2.message);
            return;
        }
        m_transport->setEventHandler([this](const ProbeEvent &e) { onProbeEvent(e); });
        ready();
    }

    virtual void ready() = 0;
    virtual void fail(TraceError error, const QString &message) = 0;
    virtual void onProbeEvent(const ProbeEvent &event) = 0;

    // TraceResult and PingResult share these fields.
    template<typename Result> void describeStart(Result *result) const
    {
        result->destination = m_destination;
        result->source = m_transport->sourceAddress();
        result->method = m_method;
        result->transport = m_transport->description();
    }

    void release(const QList<quint16> &seqs)
    {
        if (m_transport) {
            for (quint16 seq : seqs)
                m_transport->release(seq);
        }
    }

    // Called once when the job finishes: gives back what it holds of the engine.
    void leaveEngine()
    {
        m_resolveAlarm->disarm();
        if (m_icmpId)
            m_engine->releaseIcmpId(m_icmpId);
        m_icmpId = 0;
        m_engine->jobDone(m_id);
    }

    double elapsedMs() const { return double(now() - m_started) / 1e6; }

    // The end every job shares: the outcome goes into `result`, the engine emits `signal`
    // with it (once: callers guard with m_finished), and the job gives back what it holds.
    template<typename Result, typename Signal>
    void announceFinished(Result &result, TraceError error, const QString &message, Signal signal)
    {
        result.error = error;
        result.errorMessage = message;
        result.elapsedMs = elapsedMs();
        Q_EMIT(m_engine->*signal)(m_id, result);
        leaveEngine();
    }

    TraceEngine *m_engine;
    quint64 m_id;
    EngineClock *m_clock;
    Params m_params;
    QHostAddress m_destination;
    ProbeMethod m_method = ProbeMethod::Udp;
    std::unique_ptr<ProbeTransport> m_transport;
    quint16 m_icmpId = 0;
    int m_lookupId = -1;
    std::unique_ptr<EngineAlarm> m_resolveAlarm;
    qint64 m_started = 0;
    bool m_finished = false;
};

// ------------------------------------------------------------------ TraceJob

// Drives a TraceSchedule: moves its probes to the transport and the transport's answers
// back, sleeps until its next deadline, and turns what it reports into signals.
class TraceJob final : public ProbeJob
{
public:
    TraceJob(TraceEngine *engine, quint64 id, const TraceRequest &request)
        : ProbeJob(engine, id), m_request(request), m_alarm(m_clock->createAlarm([this] { onWakeup(); }))
    {
        m_result.target = request.target;
        m_result.request = request;
        m_result.method = request.method;
    }

    void start()
    {
        begin(validate(m_request), {m_request.target, m_request.family, m_request.method, m_request.port,
                                    m_request.flow, m_request.flowId});
    }

private:
    void ready() override
    {
        describeStart(&m_result);
        m_schedule.emplace(m_request, m_destination);
        Q_EMIT m_engine->traceStarted(m_id, m_result);
        pump();
    }

    void fail(TraceError error, const QString &message) override { finish(error, message); }

    // Keeps the window full, then finishes or sleeps until the next deadline.
    void pump()
    {
        if (m_inPump)
            return; // answers read while sending (below) are recorded; the loop goes on
        m_inPump = true;
        int burst = 0;
        while (!m_finished) {
            const std::optional<PlannedProbe> probe = m_schedule->nextProbe();
            if (!probe)
                break;
            // Between bursts, read the answers already there: a transport without kernel
            // receive stamps (TCP) times them when read, not after the whole window is out.
            if (++burst > kSendBurst) {
                burst = 1;
                m_transport->drain();
                continue;
            }
            qint64 sentRealNs = 0;
            TransportError error;
            if (!m_transport->send(probe->seq, probe->ttl, &sentRealNs, &error)) {
                finish(error.code, error.message);
                return;
            }
            m_schedule->onSent(now(), *probe, sentRealNs);
        }
        m_inPump = false;
        if (!m_finished && m_schedule->isDone())
            finish(TraceError::None, {});
        if (m_finished)
            return;
        if (const std::optional<qint64> at = m_schedule->nextWakeup())
            m_alarm->arm(*at);
        else
            m_alarm->disarm();
    }

    void onProbeEvent(const ProbeEvent &e) override
    {
        if (m_finished)
            return;
        const std::optional<Hop> hop = m_schedule->onReply(now(), e);
        release(m_schedule->takeReleased());
        if (!hop)
            return;
        Q_EMIT m_engine->hopUpdated(m_id, *hop);
        pump();
    }

    void onWakeup()
    {
        // Answers may be queued but not yet read: take them before declaring silence.
        m_transport->drain();
        if (m_finished)
            return;
        const QList<Hop> hops = m_schedule->onWakeup(now());
        release(m_schedule->takeReleased());
        for (const Hop &hop : hops)
            Q_EMIT m_engine->hopUpdated(m_id, hop);
        pump();
    }

    void finish(TraceError error, const QString &message)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_alarm->disarm();
        if (m_transport)
            qCDebug(lcEngine) << "trace" << m_id << "strays" << m_transport->strayCount();
        if (m_schedule) {
            release(m_schedule->abandon());
            m_result.hops = m_schedule->resultHops(error == TraceError::None);
        }
        m_result.reached = false;
        for (const Hop &h : std::as_const(m_result.hops))
            m_result.reached = m_result.reached || h.reachedDestination();
        announceFinished(m_result, error, message, &TraceEngine::traceFinished);
    }

    TraceRequest m_request;
    TraceResult m_result;
    std::unique_ptr<EngineAlarm> m_alarm;
    std::optional<TraceSchedule> m_schedule; // from the moment the transport is open
    bool m_inPump = false;
};

// ------------------------------------------------------------------ PingJob

class PingJob final : public ProbeJob
{
public:
    PingJob(TraceEngine *engine, quint64 id, const PingRequest &request)
        : ProbeJob(engine, id), m_request(request), m_sendAlarm(m_clock->createAlarm([this] { sendNext(); })),
          m_deadlineAlarm(m_clock->createAlarm([this] { onDeadline(); }))
    {
        m_result.target = request.target;
        m_result.request = request;
        m_result.method = request.method;
    }

    void start()
    {
        begin(validate(m_request),
              {m_request.target, m_request.family, m_request.method, m_request.port, FlowMode::Paris, 0});
    }

private:
    // A ping's attempt keeps its own deadline (pings wait a fixed time, not adaptively).
    struct PingProbe : SentProbe
    {
        qint64 deadlineNs = 0;
    };

    void ready() override
    {
        describeStart(&m_result);
        Q_EMIT m_engine->pingStarted(m_id, m_result);
        m_firstSendNs = now();
        sendNext();
    }

    void fail(TraceError error, const QString &message) override { finish(error, message); }

    // Attempt k goes out at first send + (k - 1) × interval, however long answers take.
    void sendNext()
    {
        if (m_finished || m_sent >= m_request.count)
            return;
        PingProbe p;
        p.query = ++m_sent;
        const quint16 seq = quint16(p.query);
        TransportError error;
        if (!m_transport->send(seq, m_request.ttl, &p.sentRealNs, &error)) {
            finish(error.code, error.message);
            return;
        }
        p.sentMonoNs = now();
        p.deadlineNs = p.sentMonoNs + qint64(m_request.timeoutSec * 1e9);
        m_inFlight.insert(seq, p);
        if (m_sent < m_request.count)
            m_sendAlarm->arm(m_firstSendNs + qint64(m_sent * m_request.intervalSec * 1e9));
        armDeadline();
    }

    void onProbeEvent(const ProbeEvent &e) override
    {
        if (m_finished)
            return;
        const auto it = m_inFlight.constFind(e.seq);
        if (it == m_inFlight.cend())
            return; // late or unknown
        const PingProbe p = it.value();
        m_inFlight.erase(it);
        m_transport->release(e.seq);
        resolved(replyFromEvent(e, p.query, p.rttMs(e, now()), m_destination));
    }

    void onDeadline()
    {
        m_transport->drain();
        if (m_finished)
            return;
        const qint64 t = now();
        QList<int> expired;
        for (auto it = m_inFlight.begin(); it != m_inFlight.end();) {
            if (it->deadlineNs <= t) {
                expired.append(it->query);
                m_transport->release(it.key());
                it = m_inFlight.erase(it);
            } else {
                ++it;
            }
        }
        std::sort(expired.begin(), expired.end());
        for (int query : std::as_const(expired)) {
            ProbeReply silence;
            silence.query = query;
            resolved(silence);
            if (m_finished)
                return;
        }
        armDeadline();
    }

    void resolved(const ProbeReply &r)
    {
        auto pos = std::find_if(m_result.replies.begin(), m_result.replies.end(),
                                [&](const ProbeReply &x) { return x.query > r.query; });
        m_result.replies.insert(pos, r);
        Q_EMIT m_engine->pingReply(m_id, r);
        if (m_sent >= m_request.count && m_inFlight.isEmpty())
            finish(TraceError::None, {});
        else
            armDeadline();
    }

    void armDeadline()
    {
        qint64 earliest = LLONG_MAX;
        for (const PingProbe &p : std::as_const(m_inFlight))
            earliest = std::min(earliest, p.deadlineNs);
        if (earliest == LLONG_MAX)
            m_deadlineAlarm->disarm();
        else
            m_deadlineAlarm->arm(earliest);
    }

    void finish(TraceError error, const QString &message)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_sendAlarm->disarm();
        m_deadlineAlarm->disarm();
        release(m_inFlight.keys());
        m_inFlight.clear();
        announceFinished(m_result, error, message, &TraceEngine::pingFinished);
    }

    PingRequest m_request;
    PingResult m_result;
    std::unique_ptr<EngineAlarm> m_sendAlarm;
    std::unique_ptr<EngineAlarm> m_deadlineAlarm;
    QHash<quint16, PingProbe> m_inFlight;
    qint64 m_firstSendNs = 0;
    int m_sent = 0;
};

// ------------------------------------------------------------------ TraceEngine

TraceEngine::TraceEngine(std::unique_ptr<ProbeTransportFactory> factory, std::shared_ptr<EngineClock> clock,
                         QObject *parent)
    : QObject(parent), m_factory(factory ? std::move(factory) : createSystemTransportFactory()),
      m_clock(clock ? std::move(clock) : createSteadyClock())
{
    registerTraceTypes();
}

TraceEngine::~TraceEngine()
{
    // Jobs (running or waiting for deleteLater) are children: delete them while the
    // factory and the id set they came from still exist.
    m_jobs.clear();
    const QObjectList jobs = children();
    qDeleteAll(jobs);
}

int TraceEngine::activeJobs() const
{
    return int(m_jobs.size());
}

template<typename Job, typename Request> void TraceEngine::startJob(quint64 id, const Request &request)
{
    if (m_jobs.contains(id)) {
        qCWarning(lcEngine) << "duplicate job id" << id;
        return;
    }
    auto *job = new Job(this, id, request);
    m_jobs.insert(id, job);
    job->start();
}

void TraceEngine::startTrace(quint64 id, const TraceRequest &request)
{
    startJob<TraceJob>(id, request);
}

void TraceEngine::startPing(quint64 id, const PingRequest &request)
{
    startJob<PingJob>(id, request);
}

void TraceEngine::cancel(quint64 id)
{
    if (QObject *job = m_jobs.value(id))
        static_cast<ProbeJob *>(job)->cancel();
}

void TraceEngine::cancelAll()
{
    const auto ids = m_jobs.keys();
    for (quint64 id : ids)
        cancel(id);
}

quint16 TraceEngine::allocateIcmpId(quint16 preferred)
{
    // A live trace's id is never shared: a router quoting only the echo header would make
    // the other trace's answers indistinguishable from this one's.
    if (preferred != 0 && !m_icmpIds.contains(preferred)) {
        m_icmpIds.insert(preferred);
        return preferred;
    }
    if (preferred != 0)
        qCWarning(lcEngine) << "echo id" << preferred
                            << "is in use by another trace: this one takes another flow";
    for (;;) {
        const auto id = quint16(QRandomGenerator::global()->bounded(1, 65536));
        if (!m_icmpIds.contains(id)) {
            m_icmpIds.insert(id);
            return id;
        }
    }
}

void TraceEngine::releaseIcmpId(quint16 id)
{
    m_icmpIds.remove(id);
}

void TraceEngine::jobDone(quint64 id)
{
    if (QObject *job = m_jobs.take(id))
        job->deleteLater(); // we may be inside one of its callbacks
}

} // namespace tracemap
