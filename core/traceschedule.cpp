#include "traceschedule.h"

#include <QSet>

#include <algorithm>

namespace tracemap {

namespace {

constexpr qint64 kNsPerMs = 1000000;
// Adaptive cuts never wait less than this: the driver's event loop may be a little late.
constexpr qint64 kMinAdaptiveWaitNs = 2 * kNsPerMs;
// A receive stamp further than this from the send stamp is a wall-clock jump, not an RTT.
constexpr double kMaxPlausibleRttMs = 3600e3;

} // namespace

double probeRttMs(qint64 sentRealNs, qint64 sentMonoNs, qint64 receivedRealNs, qint64 nowNs)
{
    const double rtt = double(receivedRealNs - sentRealNs) / 1e6;
    if (receivedRealNs == 0 || rtt < 0 || rtt > kMaxPlausibleRttMs)
        return double(nowNs - sentMonoNs) / 1e6;
    return rtt;
}

ProbeReply replyFromEvent(const ProbeEvent &event, int query, double rttMs, const QHostAddress &destination)
{
    ProbeReply r;
    r.query = query;
    r.responder = event.responder;
    r.kind = event.kind;
    r.icmpType = event.icmpType;
    r.icmpCode = event.icmpCode;
    r.rttMs = rttMs;
    r.fromDestination = event.responder.isEqual(destination, QHostAddress::StrictConversion) &&
                        event.kind != ReplyKind::TimeExceeded;
    return r;
}

TraceSchedule::TraceSchedule(const TraceRequest &request, const QHostAddress &destination, quint16 firstSeq)
    : m_request(request), m_destination(destination), m_nextTtl(request.firstTtl), m_nextSeq(firstSeq)
{}

std::optional<PlannedProbe> TraceSchedule::nextProbe() const
{
    if (m_inFlight.size() >= m_request.maxInFlight || m_nextTtl > lastTtlToSend())
        return std::nullopt;
    return PlannedProbe{m_nextSeq, m_nextTtl, m_nextQuery};
}

void TraceSchedule::onSent(qint64 nowNs, const PlannedProbe &probe, qint64 sentRealNs)
{
    Q_ASSERT(nextProbe() == probe);
    m_inFlight.insert(probe.seq, {{probe.query, sentRealNs, nowNs}, probe.ttl});
    ++hopAt(probe.ttl).probesSent;
    ++m_nextSeq;
    if (++m_nextQuery > m_request.queries) {
        m_nextQuery = 1;
        ++m_nextTtl;
    }
}

std::optional<Hop> TraceSchedule::onReply(qint64 nowNs, const ProbeEvent &event)
{
    const auto it = m_inFlight.constFind(event.seq);
    if (it == m_inFlight.cend())
        return std::nullopt; // late (already timed out) or cancelled: the hop was already reported
    const InFlight p = it.value();
    m_inFlight.erase(it);
    m_released.append(event.seq);
    if (p.ttl > m_endTtl)
        return std::nullopt; // beyond the destination: not part of the path
    const ProbeReply r = replyFromEvent(event, p.query, p.rttMs(event, nowNs), m_destination);
    record(p.ttl, r);
    // The destination answered, or a router said it cannot go on (!H, !N, !X): nothing
    // beyond this TTL belongs to the path.
    if (r.fromDestination || r.kind == ReplyKind::Unreachable)
        setEndTtl(p.ttl);
    return m_hops.value(p.ttl);
}

QList<Hop> TraceSchedule::onWakeup(qint64 nowNs)
{
    QSet<int> touched;
    for (auto it = m_inFlight.begin(); it != m_inFlight.end();) {
        if (deadline(it.value()) <= nowNs) {
            ProbeReply silence;
            silence.query = it->query;
            record(it->ttl, silence);
            touched.insert(it->ttl);
            m_released.append(it.key());
            it = m_inFlight.erase(it);
        } else {
            ++it;
        }
    }
    // Decide the gap first, so no hop beyond where the trace ends is ever reported.
    updateGap();
    QList<int> ttls(touched.begin(), touched.end());
    std::sort(ttls.begin(), ttls.end());
    QList<Hop> changed;
    for (int ttl : std::as_const(ttls)) {
        if (ttl <= lastTtlToSend())
            changed.append(m_hops.value(ttl));
    }
    return changed;
}

// Adaptive deadlines (traceroute -w MAX,HERE,NEAR): a probe is not waited for longer than
// HERE × an RTT already seen at its hop, nor NEAR × the RTT of the next hop that answered.
qint64 TraceSchedule::deadline(const InFlight &p) const
{
    const qint64 longest = p.sentMonoNs + qint64(m_request.timeoutSec * 1e9);
    qint64 d = longest;
    if (auto here = m_worstRttAt.constFind(p.ttl); here != m_worstRttAt.cend())
        d = std::min(d, p.sentMonoNs + qint64(m_request.hereFactor * here.value() * kNsPerMs));
    if (auto near = m_worstRttAt.upperBound(p.ttl); near != m_worstRttAt.cend())
        d = std::min(d, p.sentMonoNs + qint64(m_request.nearFactor * near.value() * kNsPerMs));
    return std::max(d, std::min(p.sentMonoNs + kMinAdaptiveWaitNs, longest));
}

std::optional<qint64> TraceSchedule::nextWakeup() const
{
    std::optional<qint64> earliest;
    for (const InFlight &p : m_inFlight) {
        const qint64 d = deadline(p);
        if (!earliest || d < *earliest)
            earliest = d;
    }
    return earliest;
}

std::optional<qint64> TraceSchedule::deadlineOf(quint16 seq) const
{
    const auto it = m_inFlight.constFind(seq);
    if (it == m_inFlight.cend())
        return std::nullopt;
    return deadline(it.value());
}

int TraceSchedule::endOfPath() const
{
    const int end = std::min(m_endTtl, m_gapEndTtl);
    if (end != INT_MAX)
        return end;
    return m_nextTtl > m_request.maxTtl ? m_request.maxTtl : INT_MAX;
}

// The trace ends at the destination, after the gap, or at the max TTL; it is finished once
// every TTL up to there is complete.
bool TraceSchedule::isDone() const
{
    const int end = endOfPath();
    if (end == INT_MAX)
        return false;
    for (int ttl = m_request.firstTtl; ttl <= end; ++ttl) {
        const auto it = m_hops.constFind(ttl);
        if (it == m_hops.cend() || !it->complete)
            return false;
    }
    return true;
}

QList<quint16> TraceSchedule::takeReleased()
{
    return std::exchange(m_released, {});
}

QList<quint16> TraceSchedule::abandon()
{
    QList<quint16> seqs = takeReleased();
    for (auto it = m_inFlight.cbegin(); it != m_inFlight.cend(); ++it)
        seqs.append(it.key());
    m_inFlight.clear();
    return seqs;
}

QList<Hop> TraceSchedule::resultHops(bool completed) const
{
    const int end = completed ? endOfPath() : INT_MAX;
    QList<Hop> hops;
    for (const Hop &h : m_hops) {
        // A trace cut short (cancelled, failed) reports what was measured: hops whose
        // probes were all still on the wire have nothing to say yet.
        if (h.ttl <= end && (completed || !h.replies.isEmpty()))
            hops.append(h);
    }
    return hops;
}

Hop &TraceSchedule::hopAt(int ttl)
{
    auto it = m_hops.find(ttl);
    if (it == m_hops.end()) {
        Hop h;
        h.ttl = ttl;
        it = m_hops.insert(ttl, h);
    }
    return it.value();
}

void TraceSchedule::record(int ttl, const ProbeReply &reply)
{
    Hop &hop = hopAt(ttl);
    const auto pos = std::find_if(hop.replies.begin(), hop.replies.end(),
                                  [&](const ProbeReply &r) { return r.query > reply.query; });
    hop.replies.insert(pos, reply);
    hop.complete = hop.probesSent == m_request.queries && hop.replies.size() == hop.probesSent;
    if (reply.answered()) {
        double &worst = m_worstRttAt[ttl];
        worst = std::max(worst, reply.rttMs);
    }
}

void TraceSchedule::setEndTtl(int ttl)
{
    if (ttl >= m_endTtl)
        return;
    m_endTtl = ttl;
    dropBeyond(ttl);
}

void TraceSchedule::dropBeyond(int ttl)
{
    for (auto it = m_inFlight.begin(); it != m_inFlight.end();) {
        if (it->ttl > ttl) {
            m_released.append(it.key());
            it = m_inFlight.erase(it);
        } else {
            ++it;
        }
    }
    m_hops.removeIf([ttl](const auto &entry) { return entry.key() > ttl; });
}

// After --max-gap complete, silent TTLs beyond the last answering hop nothing further is
// probed or reported.
void TraceSchedule::updateGap()
{
    if (m_endTtl != INT_MAX || m_gapEndTtl != INT_MAX)
        return;
    int lastAnswer = m_request.firstTtl - 1;
    for (const Hop &h : std::as_const(m_hops)) {
        if (h.anyAnswer())
            lastAnswer = std::max(lastAnswer, h.ttl);
    }
    for (int ttl = lastAnswer + 1; ttl <= lastAnswer + m_request.maxGap; ++ttl) {
        const auto it = m_hops.constFind(ttl);
        if (ttl > m_request.maxTtl || it == m_hops.cend() || !it->complete || it->anyAnswer())
            return;
    }
    m_gapEndTtl = lastAnswer + m_request.maxGap;
    dropBeyond(m_gapEndTtl);
}

} // namespace tracemap
