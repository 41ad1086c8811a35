#pragma once
// Comparison of two traces of the same target, hop by hop (aligned by TTL), as RIPE Atlas path
// analysis reports it: hops added or removed, a different responder at the same TTL, a change of
// origin AS at the same TTL, and an RTT change larger than 10 ms AND 20 %. A pure function of two
// trace files, shared by `tracemap-cli diff` and the desktop comparison view.

#include "tracefile.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace tracemap {

inline constexpr double kRttChangeMinMs = 10.0;
inline constexpr double kRttChangeMinFraction = 0.20;

enum class HopChangeKind {
    Added,            // B answers at a TTL where A had no answer or no hop
    Removed,          // A answered at a TTL where B has no answer or no hop
    ResponderChanged, // both answer, from different addresses
    AsChanged,        // both responders have a known origin AS, and they differ
    RttIncreased,     // same responder, average RTT up by > 10 ms and > 20 %
    RttDecreased,     // same responder, down by as much
};
QString toString(HopChangeKind kind); // "added", "removed", "responder", "as", "rtt-up", "rtt-down"

struct HopChange
{
    int ttl = 0;
    HopChangeKind kind = HopChangeKind::Added;
    QStringList before; // responders (or "AS64500 NAME"), empty when none
    QStringList after;
    double rttBeforeMs = -1.0; // average RTT of the hop; < 0 when it did not answer
    double rttAfterMs = -1.0;
};

struct TraceDiff
{
    QList<HopChange> changes; // by TTL, then kind
    int hopsBefore = 0;
    int hopsAfter = 0;
    bool reachedBefore = false;
    bool reachedAfter = false;
    bool identical() const { return changes.isEmpty() && reachedBefore == reachedAfter; }
};

// Whether two trace files trace the same target (same name, or the same destination address).
bool sameTarget(const TraceFile &a, const TraceFile &b);

TraceDiff diffTraces(const TraceFile &before, const TraceFile &after);

// One line per change: "ttl 3: responder 198.18.2.1 -> 198.18.3.1".
QString describe(const HopChange &change);
QJsonObject diffToJson(const TraceDiff &diff);

} // namespace tracemap
