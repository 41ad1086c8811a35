// Value types of watch mode (repeated traces with statistics), shared by the engine-side
// driver (WatchSession), the CLI, the agent and the desktop app. Plain copyable values,
// registered with the meta-type system (registerWatchTypes()) so they cross threads in
// queued signals.
#pragma once

#include "pathchanges.h"
#include "tracetypes.h"
#include "watchstats.h"

#include <QMetaType>
#include <QString>

namespace tracemap {

struct WatchRequest
{
    // One probe per hop per round unless asked otherwise, as mtr does.
    TraceRequest trace = [] {
        TraceRequest r;
        r.queries = 1;
        return r;
    }();
    double intervalSec = 1.0; // 0.1-3600: a round starts this often (later if one takes longer)
    int cycles = 0;           // rounds to run; 0: until stopped
};

inline constexpr double kMinWatchIntervalSec = 0.1;
inline constexpr double kMaxWatchIntervalSec = 3600;
inline constexpr int kMaxWatchCycles = 1000000;

// Empty when acceptable, else a one-line reason.
QString validate(const WatchRequest &request);

enum class WatchEndReason { Running, Completed, Stopped, Failed };
QString toString(WatchEndReason reason);

// One finished round: the trace it ran, stamped with the watch clock's start time.
struct WatchRound
{
    int index = 0; // 1-based
    qint64 startedMs = 0;
    TraceResult result;
};

// Everything a report of a watch needs, copied out of the session.
struct WatchSnapshot
{
    WatchRequest request;
    TraceResult context; // target, destination, source, method (from the first round)
    int rounds = 0;
    qint64 startedAtMs = 0;
    qint64 endedAtMs = 0; // 0 while running
    WatchEndReason endReason = WatchEndReason::Running;
    QString errorMessage;
    QList<HopSummary> hops; // whole watch, up to the current path length
    QList<PathChange> pathChanges;
    QList<int> loadBalancedTtls;
};

void registerWatchTypes();

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::WatchRequest)
Q_DECLARE_METATYPE(tracemap::WatchRound)
Q_DECLARE_METATYPE(tracemap::WatchSnapshot)
Q_DECLARE_METATYPE(tracemap::WatchEndReason)
