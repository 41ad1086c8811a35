// Round after round of one trace, for a watch mode: each round is a fresh TraceSchedule
// over the same destination and the same flow (the transport, and so the ports and the
// Paris identity, stay the caller's and never change here), with sequence numbers that
// continue from round to round so a late answer to an earlier round can never be taken
// for one of this round's probes. Pure like the schedule: the caller passes the time.
//
// The TTL range adapts between rounds: once the destination answered at TTL d, a round
// probes no further than d (nothing beyond it belongs to the path, and a full window
// there would only draw the destination's answers again); when a round so limited did
// not reach the destination, the path got longer and the next round probes up to the
// request's max TTL again.
//
// Contract: startRound(now) begins a round (the previous one, if any, must be done or is
// abandoned: its seqs are returned for release); drive current() like any schedule; the
// round's hops come from current()->resultHops(true) once it is done.
#pragma once

#include "traceschedule.h"

#include <optional>

namespace tracemap {

class TraceRounds
{
public:
    TraceRounds(const TraceRequest &request, const QHostAddress &destination);

    // Starts the next round at `nowNs`; returns the seqs of the previous round still on the
    // wire (release them in the transport).
    QList<quint16> startRound(qint64 nowNs);

    TraceSchedule *current() { return m_schedule ? &*m_schedule : nullptr; }
    const TraceSchedule *current() const { return m_schedule ? &*m_schedule : nullptr; }
    int round() const { return m_round; } // 1-based; 0 before the first
    qint64 roundStartedAtNs() const { return m_startedAtNs; }
    // The max TTL the current round probes to.
    int roundMaxTtl() const { return m_roundMaxTtl; }
    // Where the destination answered in the last round that finished before the current
    // one started; nothing if it did not (or no round finished yet).
    std::optional<int> destinationTtl() const { return m_destinationTtl; }

private:
    void learnFromFinishedRound();

    TraceRequest m_request;
    QHostAddress m_destination;
    std::optional<TraceSchedule> m_schedule;
    std::optional<int> m_destinationTtl;
    int m_round = 0;
    int m_roundMaxTtl = 0;
    qint64 m_startedAtNs = 0;
};

} // namespace tracemap
