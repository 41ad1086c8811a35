#include "traceengine.h"

#include "logging.h"

#include <QHostInfo>
#include <QMap>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <climits>

namespace tracemap {

namespace {

qint64 monotonicNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr qint64 kMsNs = 1000000;
// Adaptive cuts never wait less than this: our own event loop may be a little late.
constexpr qint64 kMinAdaptiveWaitNs = 2 * kMsNs;
constexpr int kResolveTimeoutMs = 10000;
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

// IPv4-mapped IPv6 (::ffff:a.b.c.d) is probed as the IPv4 address it is.
QHostAddress normalized(const QHostAddress &a)
{
    bool ok = false;
    const quint32 v4 = a.toIPv4Address(&ok);
    if (ok && a.protocol() == QAbstractSocket::IPv6Protocol)
        return QHostAddress(v4);
    return a;
}

} // namespace

QString validateHost(const QString &host)
{
    if (host.trimmed().isEmpty())
        return QStringLiteral("the host is empty");
    if (host != host.trimmed())
        return QStringLiteral("the host '%1' has surrounding spaces").arg(host.trimmed());
    QHostAddress literal;
    if (literal.setAddress(host))
        return {};
    if (host.size() > 253)
        return QStringLiteral("the host name is longer than 253 characters");
    static const QRegularExpression label(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$"));
    QStringList labels = host.split(QLatin1Char('.'));
    if (labels.size() > 1 && labels.last().isEmpty())
        labels.removeLast(); // a trailing dot names the root
    bool allNumeric = true;
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return QStringLiteral("'%1' is not a valid host name or address").arg(host);
        bool isNumber = false;
        l.toUInt(&isNumber);
        allNumeric = allNumeric && isNumber;
    }
    if (allNumeric)
        return QStringLiteral("'%1' is not a valid IPv4 address").arg(host);
    return {};
}

QString validate(const TraceRequest &r)
{
    if (QString e = validateHost(r.target); !e.isEmpty())
        return e;
    if (r.firstTtl < 1 || r.firstTtl > 255)
        return QStringLiteral("first TTL must be 1-255, got %1").arg(r.firstTtl);
    if (r.maxTtl < 1 || r.maxTtl > 255)
        return QStringLiteral("max TTL must be 1-255, got %1").arg(r.maxTtl);
    if (r.firstTtl > r.maxTtl)
        return QStringLiteral("first TTL (%1) is above max TTL (%2)").arg(r.firstTtl).arg(r.maxTtl);
    if (r.queries < 1 || r.queries > 10)
        return QStringLiteral("queries must be 1-10, got %1").arg(r.queries);
    if (!(r.timeoutSec >= 0.1 && r.timeoutSec <= 60))
        return QStringLiteral("timeout must be 0.1-60 seconds, got %1").arg(r.timeoutSec);
    if (r.maxGap < 1 || r.maxGap > 255)
        return QStringLiteral("max gap must be 1-255, got %1").arg(r.maxGap);
    if (r.maxInFlight < 1 || r.maxInFlight > 1024)
        return QStringLiteral("max in flight must be 1-1024, got %1").arg(r.maxInFlight);
    if (!(r.hereFactor > 0) || !(r.nearFactor > 0))
        return QStringLiteral("adaptive wait factors must be positive");
    return {};
}

QString validate(const PingRequest &r)
{
    if (QString e = validateHost(r.target); !e.isEmpty())
        return e;
    if (r.count < 1 || r.count > 100000)
        return QStringLiteral("count must be 1-100000, got %1").arg(r.count);
    if (!(r.intervalSec >= 0.01 && r.intervalSec <= 3600))
        return QStringLiteral("interval must be 0.01-3600 seconds, got %1").arg(r.intervalSec);
    if (r.ttl < 1 || r.ttl > 255)
        return QStringLiteral("TTL must be 1-255, got %1").arg(r.ttl);
    if (!(r.timeoutSec >= 0.1 && r.timeoutSec <= 60))
        return QStringLiteral("timeout must be 0.1-60 seconds, got %1").arg(r.timeoutSec);
    return {};
}

// ------------------------------------------------------------------ ProbeJob

// What traces and pings share: asynchronous resolution of the target, choosing the
// method, opening the transport, and bookkeeping of probes on the wire.
class ProbeJob : public QObject
{
public:
    ProbeJob(TraceEngine *engine, quint64 id) : QObject(engine), m_engine(engine), m_id(id) {}
    ~ProbeJob() override
    {
        if (m_lookupId >= 0)
            QHostInfo::abortHostLookup(m_lookupId);
    }
    virtual void cancel() = 0;

protected:
    struct Params
    {
        QString target;
        AddressFamily family;
        ProbeMethod method;
        quint16 port;
        FlowMode flow;
    };

    void resolve(const Params &p)
    {
        m_params = p;
        m_started = monotonicNs();
        QHostAddress literal;
        if (literal.setAddress(p.target)) {
            QTimer::singleShot(0, this, [this, literal] { onAddresses({literal}, {}); });
            return;
        }
        m_lookupId = QHostInfo::lookupHost(p.target, this, [this](const QHostInfo &info) {
            m_lookupId = -1;
            m_resolveTimer.stop();
            onAddresses(info.addresses(),
                        info.error() == QHostInfo::NoError ? QString() : info.errorString());
        });
        m_resolveTimer.setSingleShot(true);
        connect(&m_resolveTimer, &QTimer::timeout, this, [this] {
            QHostInfo::abortHostLookup(m_lookupId);
            m_lookupId = -1;
            fail(TraceError::ResolveFailed, QStringLiteral("cannot resolve '%1': no answer within %2 s")
                                                .arg(m_params.target)
                                                .arg(kResolveTimeoutMs / 1000));
        });
        m_resolveTimer.start(kResolveTimeoutMs);
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
            const QHostAddress n = normalized(a);
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
        config.token = QRandomGenerator::global()->generate();
        if (m_method == ProbeMethod::Icmp) {
            m_icmpId = m_engine->allocateIcmpId();
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

    // A probe on the wire.
    struct SentProbe
    {
        int ttl = 0;
        int query = 0; // query within the hop (trace) or attempt (ping), 1-based
        qint64 sentRealNs = 0;
        qint64 sentMonoNs = 0;
        qint64 deadlineNs = 0;
    };

    // Takes the probe an answer belongs to off the wire; false for late or unknown answers.
    bool takeInFlight(quint16 seq, SentProbe *probe)
    {
        auto it = m_inFlight.find(seq);
        if (it == m_inFlight.end())
            return false;
        *probe = it.value();
        m_inFlight.erase(it);
        m_transport->release(seq);
        return true;
    }

    // Takes every probe whose deadline has passed off the wire.
    QList<SentProbe> takeExpired(qint64 nowNs)
    {
        QList<SentProbe> expired;
        for (auto it = m_inFlight.begin(); it != m_inFlight.end();) {
            if (it.value().deadlineNs <= nowNs) {
                expired.append(it.value());
                m_transport->release(it.key());
                it = m_inFlight.erase(it);
            } else {
                ++it;
            }
        }
        return expired;
    }

    void releaseAllInFlight()
    {
        if (m_transport) {
            for (auto it = m_inFlight.cbegin(); it != m_inFlight.cend(); ++it)
                m_transport->release(it.key());
        }
        m_inFlight.clear();
    }

    ProbeReply replyFor(const SentProbe &p, const ProbeEvent &e) const
    {
        ProbeReply r;
        r.query = p.query;
        r.responder = e.responder;
        r.kind = e.kind;
        r.icmpType = e.icmpType;
        r.icmpCode = e.icmpCode;
        r.rttMs = rttMs(p.sentRealNs, p.sentMonoNs, e.receivedRealNs);
        // Time exceeded from the destination's address (reassembly timeout) is not an arrival.
        r.fromDestination = e.responder.isEqual(m_destination, QHostAddress::StrictConversion) &&
                            e.kind != ReplyKind::TimeExceeded;
        return r;
    }

    // TraceResult and PingResult share these fields.
    template<typename Result> void describeStart(Result *result) const
    {
        result->destination = m_destination;
        result->source = m_transport->sourceAddress();
        result->method = m_method;
        result->transport = m_transport->description();
    }

    QHash<quint16, SentProbe> m_inFlight;

    // Called once when the job finishes: gives back what it holds of the engine.
    void leaveEngine()
    {
        if (m_icmpId)
            m_engine->releaseIcmpId(m_icmpId);
        m_icmpId = 0;
        m_engine->jobDone(m_id);
    }

    double elapsedMs() const { return (monotonicNs() - m_started) / 1e6; }

    // RTT from the kernel's receive stamp when there is one.
    static double rttMs(qint64 sentRealNs, qint64 sentMonoNs, qint64 receivedRealNs)
    {
        double rtt = (receivedRealNs - sentRealNs) / 1e6;
        if (receivedRealNs == 0 || rtt < 0 || rtt > 3600e3)
            rtt = (monotonicNs() - sentMonoNs) / 1e6; // the wall clock jumped
        return rtt;
    }

    TraceEngine *m_engine;
    quint64 m_id;
    Params m_params;
    QHostAddress m_destination;
    ProbeMethod m_method = ProbeMethod::Udp;
    std::unique_ptr<ProbeTransport> m_transport;
    quint16 m_icmpId = 0;
    int m_lookupId = -1;
    QTimer m_resolveTimer;
    qint64 m_started = 0;
    bool m_finished = false;
};

// ------------------------------------------------------------------ TraceJob

class TraceJob final : public ProbeJob
{
public:
    TraceJob(TraceEngine *engine, quint64 id, const TraceRequest &request)
        : ProbeJob(engine, id), m_request(request)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] { onTimer(); });
        m_result.target = request.target;
        m_result.request = request;
        m_result.method = request.method;
    }

    void start()
    {
        if (const QString e = validate(m_request); !e.isEmpty()) {
            QTimer::singleShot(0, this, [this, e] { fail(TraceError::InvalidRequest, e); });
            return;
        }
        resolve({m_request.target, m_request.family, m_request.method, m_request.port, m_request.flow});
    }

    void cancel() override { finish(TraceError::Cancelled, QStringLiteral("cancelled")); }

private:
    void ready() override
    {
        describeStart(&m_result);
        m_nextTtl = m_request.firstTtl;
        Q_EMIT m_engine->traceStarted(m_id, m_result);
        pump();
    }

    void fail(TraceError error, const QString &message) override { finish(error, message); }

    // Keeps the window full: probes go out in TTL order, all queries of a TTL together.
    void pump()
    {
        if (m_inPump)
            return; // answers read while sending (below) are recorded; the loop goes on
        m_inPump = true;
        int burst = 0;
        while (!m_finished && m_inFlight.size() < m_request.maxInFlight && m_nextTtl <= lastTtlToSend()) {
            // Between bursts, read the answers already there: a transport without kernel
            // receive stamps (TCP) times them when read, not after the whole window is out.
            if (++burst > kSendBurst) {
                burst = 1;
                m_transport->drain();
                if (m_finished)
                    break;
                continue;
            }
            SentProbe p;
            p.ttl = m_nextTtl;
            p.query = m_nextQuery;
            const quint16 seq = m_nextSeq++;
            TransportError error;
            if (!m_transport->send(seq, p.ttl, &p.sentRealNs, &error)) {
                finish(error.code, error.message);
                return;
            }
            p.sentMonoNs = monotonicNs();
            p.deadlineNs = p.sentMonoNs + qint64(m_request.timeoutSec * 1e9);
            m_inFlight.insert(seq, p);
            Hop &hop = hopAt(p.ttl);
            ++hop.probesSent;
            if (++m_nextQuery > m_request.queries) {
                m_nextQuery = 1;
                ++m_nextTtl;
            }
        }
        m_inPump = false;
        if (!m_finished)
            checkDone();
        if (!m_finished)
            armTimer();
    }

    int lastTtlToSend() const { return std::min({m_request.maxTtl, m_endTtl, m_gapEndTtl}); }

    Hop &hopAt(int ttl)
    {
        auto it = m_hops.find(ttl);
        if (it == m_hops.end()) {
            Hop h;
            h.ttl = ttl;
            it = m_hops.insert(ttl, h);
        }
        return it.value();
    }

    void record(int ttl, const ProbeReply &reply)
    {
        Hop &hop = hopAt(ttl);
        auto pos = std::find_if(hop.replies.begin(), hop.replies.end(),
                                [&](const ProbeReply &r) { return r.query > reply.query; });
        hop.replies.insert(pos, reply);
        hop.complete = hop.probesSent == m_request.queries && hop.replies.size() == hop.probesSent;
        if (reply.answered()) {
            double &worst = m_worstRttAt[ttl];
            worst = std::max(worst, reply.rttMs);
        }
    }

    void onProbeEvent(const ProbeEvent &e) override
    {
        if (m_finished)
            return;
        SentProbe p;
        if (!takeInFlight(e.seq, &p))
            return; // late (already timed out) or cancelled: the hop was already reported
        if (p.ttl > m_endTtl)
            return; // beyond the destination: not part of the path
        const ProbeReply r = replyFor(p, e);
        record(p.ttl, r);
        // The destination answered, or a router said it cannot go on (!H, !N, !X):
        // nothing beyond this TTL belongs to the path.
        if (r.fromDestination || r.kind == ReplyKind::Unreachable)
            setEndTtl(p.ttl);
        Q_EMIT m_engine->hopUpdated(m_id, m_hops.value(p.ttl));
        pump();
    }

    void setEndTtl(int ttl)
    {
        if (ttl >= m_endTtl)
            return;
        m_endTtl = ttl;
        dropProbesBeyond(ttl);
        m_hops.removeIf([ttl](const auto &entry) { return entry.key() > ttl; });
    }

    void dropProbesBeyond(int ttl)
    {
        for (auto it = m_inFlight.begin(); it != m_inFlight.end();) {
            if (it.value().ttl > ttl) {
                m_transport->release(it.key());
                it = m_inFlight.erase(it);
            } else {
                ++it;
            }
        }
    }

    // Adaptive deadlines (traceroute -w MAX,HERE,NEAR): a probe is not waited for longer
    // than HERE × an RTT already seen at its hop, nor NEAR × the RTT of a later hop.
    void armTimer()
    {
        qint64 earliest = LLONG_MAX;
        for (auto it = m_inFlight.begin(); it != m_inFlight.end(); ++it) {
            SentProbe &p = it.value();
            qint64 deadline = p.sentMonoNs + qint64(m_request.timeoutSec * 1e9);
            if (auto here = m_worstRttAt.constFind(p.ttl); here != m_worstRttAt.cend())
                deadline =
                    std::min(deadline, p.sentMonoNs + qint64(m_request.hereFactor * here.value() * kMsNs));
            if (auto near = m_worstRttAt.upperBound(p.ttl); near != m_worstRttAt.cend())
                deadline =
                    std::min(deadline, p.sentMonoNs + qint64(m_request.nearFactor * near.value() * kMsNs));
            deadline = std::max(deadline, std::min(p.sentMonoNs + kMinAdaptiveWaitNs, p.deadlineNs));
            p.deadlineNs = deadline;
            earliest = std::min(earliest, deadline);
        }
        if (earliest == LLONG_MAX) {
            m_timer.stop();
            return;
        }
        const qint64 waitNs = std::max<qint64>(0, earliest - monotonicNs());
        m_timer.start(int((waitNs + kMsNs - 1) / kMsNs));
    }

    void onTimer()
    {
        // Answers may be queued but not yet read: take them before declaring silence.
        m_transport->drain();
        if (m_finished)
            return;
        const qint64 now = monotonicNs();
        QSet<int> touched;
        for (const SentProbe &p : takeExpired(now)) {
            ProbeReply silence;
            silence.query = p.query;
            record(p.ttl, silence);
            touched.insert(p.ttl);
        }
        // Decide the gap first, so no hop beyond where the trace ends is ever reported.
        updateGap();
        QList<int> ttls(touched.begin(), touched.end());
        std::sort(ttls.begin(), ttls.end());
        for (int ttl : ttls) {
            if (ttl <= lastTtlToSend())
                Q_EMIT m_engine->hopUpdated(m_id, m_hops.value(ttl));
        }
        pump();
    }

    // After --max-gap complete, silent TTLs beyond the last answering hop nothing further
    // is probed or reported.
    void updateGap()
    {
        if (m_endTtl != INT_MAX || m_gapEndTtl != INT_MAX)
            return;
        int lastAnswer = m_request.firstTtl - 1;
        for (const Hop &h : std::as_const(m_hops)) {
            if (h.anyAnswer())
                lastAnswer = std::max(lastAnswer, h.ttl);
        }
        for (int ttl = lastAnswer + 1; ttl <= lastAnswer + m_request.maxGap; ++ttl) {
            auto it = m_hops.constFind(ttl);
            if (ttl > m_request.maxTtl || it == m_hops.cend() || !it->complete || it->anyAnswer())
                return;
        }
        m_gapEndTtl = lastAnswer + m_request.maxGap;
        dropProbesBeyond(m_gapEndTtl);
        m_hops.removeIf([this](const auto &entry) { return entry.key() > m_gapEndTtl; });
    }

    // The trace ends at the destination, after the gap, or at the max TTL; it is
    // finished once every TTL up to there is complete.
    void checkDone()
    {
        updateGap();
        int end = std::min(m_endTtl, m_gapEndTtl);
        if (end == INT_MAX) {
            if (m_nextTtl <= m_request.maxTtl)
                return;
            end = m_request.maxTtl;
        }
        for (int ttl = m_request.firstTtl; ttl <= end; ++ttl) {
            auto it = m_hops.constFind(ttl);
            if (it == m_hops.cend() || !it->complete)
                return;
        }
        m_reportEndTtl = end;
        finish(TraceError::None, {});
    }

    void finish(TraceError error, const QString &message)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_timer.stop();
        if (m_transport)
            qCDebug(lcEngine) << "trace" << m_id << "strays" << m_transport->strayCount();
        releaseAllInFlight();
        m_result.error = error;
        m_result.errorMessage = message;
        for (const Hop &h : std::as_const(m_hops)) {
            // A trace cut short (cancelled, failed) reports what was measured: hops whose
            // probes were all still on the wire have nothing to say yet.
            if (h.ttl <= m_reportEndTtl && (error == TraceError::None || !h.replies.isEmpty()))
                m_result.hops.append(h);
        }
        m_result.reached = false;
        for (const Hop &h : std::as_const(m_result.hops))
            m_result.reached = m_result.reached || h.reachedDestination();
        m_result.elapsedMs = elapsedMs();
        Q_EMIT m_engine->traceFinished(m_id, m_result);
        leaveEngine();
    }

    TraceRequest m_request;
    TraceResult m_result;
    QTimer m_timer;
    QMap<int, Hop> m_hops;
    QMap<int, double> m_worstRttAt; // ttl -> slowest answer seen there
    int m_nextTtl = 1;
    int m_nextQuery = 1;
    quint16 m_nextSeq = 0;
    bool m_inPump = false;
    int m_endTtl = INT_MAX;       // destination (or a terminal unreachable) answered here
    int m_gapEndTtl = INT_MAX;    // --max-gap silent TTLs end here
    int m_reportEndTtl = INT_MAX; // hops reported in the result
};

// ------------------------------------------------------------------ PingJob

class PingJob final : public ProbeJob
{
public:
    PingJob(TraceEngine *engine, quint64 id, const PingRequest &request)
        : ProbeJob(engine, id), m_request(request)
    {
        m_sendTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_sendTimer, &QTimer::timeout, this, [this] { sendNext(); });
        m_deadlineTimer.setSingleShot(true);
        m_deadlineTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_deadlineTimer, &QTimer::timeout, this, [this] { onDeadline(); });
        m_result.target = request.target;
        m_result.request = request;
        m_result.method = request.method;
    }

    void start()
    {
        if (const QString e = validate(m_request); !e.isEmpty()) {
            QTimer::singleShot(0, this, [this, e] { fail(TraceError::InvalidRequest, e); });
            return;
        }
        resolve({m_request.target, m_request.family, m_request.method, m_request.port, FlowMode::Paris});
    }

    void cancel() override { finish(TraceError::Cancelled, QStringLiteral("cancelled")); }

private:
    void ready() override
    {
        describeStart(&m_result);
        Q_EMIT m_engine->pingStarted(m_id, m_result);
        sendNext();
        if (!m_finished && m_sent < m_request.count)
            m_sendTimer.start(int(m_request.intervalSec * 1000));
    }

    void fail(TraceError error, const QString &message) override { finish(error, message); }

    void sendNext()
    {
        if (m_finished)
            return;
        if (m_sent >= m_request.count) {
            m_sendTimer.stop();
            return;
        }
        SentProbe p;
        p.ttl = m_request.ttl;
        p.query = ++m_sent;
        const quint16 seq = quint16(p.query);
        TransportError error;
        if (!m_transport->send(seq, m_request.ttl, &p.sentRealNs, &error)) {
            finish(error.code, error.message);
            return;
        }
        p.sentMonoNs = monotonicNs();
        p.deadlineNs = p.sentMonoNs + qint64(m_request.timeoutSec * 1e9);
        m_inFlight.insert(seq, p);
        if (m_sent >= m_request.count)
            m_sendTimer.stop();
        armDeadline();
    }

    void onProbeEvent(const ProbeEvent &e) override
    {
        if (m_finished)
            return;
        SentProbe p;
        if (takeInFlight(e.seq, &p))
            resolved(replyFor(p, e));
    }

    void onDeadline()
    {
        m_transport->drain();
        if (m_finished)
            return;
        const qint64 now = monotonicNs();
        QList<SentProbe> expired = takeExpired(now);
        std::sort(expired.begin(), expired.end(),
                  [](const auto &a, const auto &b) { return a.query < b.query; });
        for (const SentProbe &p : std::as_const(expired)) {
            ProbeReply silence;
            silence.query = p.query;
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
        for (const SentProbe &p : std::as_const(m_inFlight))
            earliest = std::min(earliest, p.deadlineNs);
        if (earliest == LLONG_MAX) {
            m_deadlineTimer.stop();
            return;
        }
        const qint64 waitNs = std::max<qint64>(0, earliest - monotonicNs());
        m_deadlineTimer.start(int((waitNs + kMsNs - 1) / kMsNs));
    }

    void finish(TraceError error, const QString &message)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_sendTimer.stop();
        m_deadlineTimer.stop();
        releaseAllInFlight();
        m_result.error = error;
        m_result.errorMessage = message;
        m_result.elapsedMs = elapsedMs();
        Q_EMIT m_engine->pingFinished(m_id, m_result);
        leaveEngine();
    }

    PingRequest m_request;
    PingResult m_result;
    QTimer m_sendTimer;
    QTimer m_deadlineTimer;
    int m_sent = 0;
};

// ------------------------------------------------------------------ TraceEngine

TraceEngine::TraceEngine(std::unique_ptr<ProbeTransportFactory> factory, QObject *parent)
    : QObject(parent), m_factory(factory ? std::move(factory) : createSystemTransportFactory())
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

void TraceEngine::startTrace(quint64 id, const TraceRequest &request)
{
    if (m_jobs.contains(id)) {
        qCWarning(lcEngine) << "duplicate job id" << id;
        return;
    }
    auto *job = new TraceJob(this, id, request);
    m_jobs.insert(id, job);
    job->start();
}

void TraceEngine::startPing(quint64 id, const PingRequest &request)
{
    if (m_jobs.contains(id)) {
        qCWarning(lcEngine) << "duplicate job id" << id;
        return;
    }
    auto *job = new PingJob(this, id, request);
    m_jobs.insert(id, job);
    job->start();
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

quint16 TraceEngine::allocateIcmpId()
{
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
