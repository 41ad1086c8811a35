#include "watchtypes.h"

#include "metatypes.h"
#include "traceengine.h"

#include <cmath>

namespace tracemap {

QString validate(const WatchRequest &request)
{
    if (QString e = validate(request.trace); !e.isEmpty())
        return e;
    if (!std::isfinite(request.intervalSec) || request.intervalSec < kMinWatchIntervalSec ||
        request.intervalSec > kMaxWatchIntervalSec)
        return QStringLiteral("interval must be %1-%2 seconds, got %3")
            .arg(kMinWatchIntervalSec)
            .arg(kMaxWatchIntervalSec)
            .arg(request.intervalSec);
    if (request.cycles < 0 || request.cycles > kMaxWatchCycles)
        return QStringLiteral("cycles must be 0 (until stopped) to %1, got %2")
            .arg(kMaxWatchCycles)
            .arg(request.cycles);
    return {};
}

QString toString(WatchEndReason reason)
{
    switch (reason) {
    case WatchEndReason::Running:
        return QStringLiteral("running");
    case WatchEndReason::Completed:
        return QStringLiteral("completed");
    case WatchEndReason::Stopped:
        return QStringLiteral("stopped");
    case WatchEndReason::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

void registerWatchTypes()
{
    registerTraceTypes();
    registerMetaTypes<WatchRequest, WatchRound, WatchSnapshot, WatchEndReason>();
}

} // namespace tracemap
