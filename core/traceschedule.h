// The trace algorithm as a pure state machine: which probe goes out next (TTL order, all
// queries of a TTL together, a bounded window), what an answer or a silence means for its
// hop, how long each probe is worth waiting for (traceroute's adaptive -w MAX,HERE,NEAR),
// where the path ends (the destination, a terminal unreachable, --max-gap silent TTLs, the
// max TTL) and when the trace is done. It owns no socket, timer or clock: every call that
// depends on time takes the current monotonic time in ns, so tests step a fake clock and
// get exact outcomes. TraceJob (traceengine.cpp) drives it with a ProbeTransport.
//
// Contract for a driver:
//   - fill the window: while nextProbe() gives a probe, send it, then onSent(now, ...);
//   - feed every answer the transport matched to onReply(now, event);
//   - call onWakeup(now) at (or after) nextWakeup(), which declares overdue probes silent;
//   - after each call, release in the transport every seq of takeReleased(); the schedule
//     no longer waits for them and ignores later answers to them;
//   - the trace is finished once isDone(); resultHops() is what it reports.
// The schedule names probes only by seq (from firstSeq on) and never chooses ports or
// flows: the transport's flow stays fixed, so a watch mode can run round after round of
// schedules over one Paris flow, each round's firstSeq continuing after the last one's.
#pragma once

#include "probetransport.h"
#include "tracetypes.h"

#include <QHash>
#include <QMap>

#include <climits>
#include <optional>

namespace tracemap {

// A probe the schedule wants on the wire.
struct PlannedProbe
{
    quint16 seq = 0;
    int ttl = 0;
    int query = 0; // 1-based within its TTL
    friend bool operator==(const PlannedProbe &, const PlannedProbe &) = default;
};

// The RTT of an answer: from the kernel's receive stamp and the send stamp (both
// CLOCK_REALTIME) when they are usable, else from the monotonic times (the wall clock
// jumped, or the transport has no stamps).
double probeRttMs(qint64 sentRealNs, qint64 sentMonoNs, qint64 receivedRealNs, qint64 nowNs);

// An attempt on the wire, as traces and pings keep it until it is answered or expires.
struct SentProbe
{
    int query = 0;
    qint64 sentRealNs = 0; // the transport's send stamp (CLOCK_REALTIME)
    qint64 sentMonoNs = 0; // the engine clock at sending
    double rttMs(const ProbeEvent &answer, qint64 nowNs) const
    {
        return probeRttMs(sentRealNs, sentMonoNs, answer.receivedRealNs, nowNs);
    }
};

// The reply an event makes for probe `query`. A time exceeded from the destination's own
// address (reassembly timeout) is not an arrival.
ProbeReply replyFromEvent(const ProbeEvent &event, int query, double rttMs, const QHostAddress &destination);

class TraceSchedule
{
public:
    // `request` must be valid (see validate()); `destination` decides which answers arrive.
    TraceSchedule(const TraceRequest &request, const QHostAddress &destination, quint16 firstSeq = 0);

    std::optional<PlannedProbe> nextProbe() const;
    // The probe nextProbe() gave is on the wire since `nowNs`; the transport stamped its
    // send with `sentRealNs` (CLOCK_REALTIME, 0 if unknown).
    void onSent(qint64 nowNs, const PlannedProbe &probe, qint64 sentRealNs);
    // An answer to probe event.seq. Returns the hop it changed, or nothing when the probe
    // is not awaited (late, unknown, beyond the end of the path).
    std::optional<Hop> onReply(qint64 nowNs, const ProbeEvent &event);
    // Declares every probe whose deadline is at or before `nowNs` silent. Returns the hops
    // that changed, by TTL, except those beyond where the trace now ends.
    QList<Hop> onWakeup(qint64 nowNs);
    // The earliest deadline of a probe on the wire; nothing when none is.
    std::optional<qint64> nextWakeup() const;
    // The deadline of one probe on the wire (for tests and diagnostics).
    std::optional<qint64> deadlineOf(quint16 seq) const;

    bool isDone() const;
    QList<quint16> takeReleased();
    // Stops waiting for every probe on the wire (cancel, failure); returns their seqs.
    QList<quint16> abandon();
    // The hops of the result: up to the end of the path when `completed`; otherwise (cut
    // short) every hop with at least one resolved probe.
    QList<Hop> resultHops(bool completed) const;

    int inFlightCount() const { return int(m_inFlight.size()); }
    // The seq the next probe gets (a following round starts here).
    quint16 nextSeq() const { return m_nextSeq; }

private:
    struct InFlight : SentProbe
    {
        int ttl = 0;
    };

    int lastTtlToSend() const { return std::min({m_request.maxTtl, m_endTtl, m_gapEndTtl}); }
    int endOfPath() const; // INT_MAX while unknown
    qint64 deadline(const InFlight &probe) const;
    Hop &hopAt(int ttl);
    void record(int ttl, const ProbeReply &reply);
    void setEndTtl(int ttl);
    void dropBeyond(int ttl);
    void updateGap();

    TraceRequest m_request;
    QHostAddress m_destination;
    QHash<quint16, InFlight> m_inFlight;
    QList<quint16> m_released;
    QMap<int, Hop> m_hops;
    QMap<int, double> m_worstRttAt; // ttl -> slowest answer seen there
    int m_nextTtl = 1;
    int m_nextQuery = 1;
    quint16 m_nextSeq = 0;
    int m_endTtl = INT_MAX;    // destination (or a terminal unreachable) answered here
    int m_gapEndTtl = INT_MAX; // --max-gap silent TTLs end here
};

} // namespace tracemap
