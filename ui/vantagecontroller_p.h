// VantageController's inside, shared by its two source files (vantagecontroller.cpp: documents,
// routes and the map; vantageremote.cpp: RIPE Atlas fetches, agents and the stored keys;
// vantagecreate.cpp: measurements created from the app). Not for others.
#pragma once

#include "atlasapi.h"
#include "hoplistmodel.h"
#include "tracelocator.h"
#include "vantagecontroller.h"
#include "vantagestart.h"

#include <QColor>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcVantage)

namespace tracemap {

struct VantageController::Route
{
    VantageTrace trace;
    State state = Done;
    QString reason;
    bool visible = true;
    QColor color;
    QString id; // unique within the controller, for RouteSet show/hide
    HopListModel *model = nullptr;
    TraceLocator *locator = nullptr;
    // Agent routes: the agent's own report (a place only when configured there) and its address
    // with the chain's answer for it; trace.vantage is what chooseVantageStart() made of them.
    VantagePoint reported;
    AgentPlace agentPlace;
    bool awaitingAgentPlace = false; // findAgentPlace() has not answered yet
};

// A priced RIPE Atlas one-off waiting for the user's yes, with the key it will be sent with.
struct VantageController::PendingAtlas
{
    AtlasTraceSpec spec;
    QByteArray key;
    int credits = 0;
};

// Names in the secret store (values never leave it but through the load callback).
inline constexpr const char *kAtlasKeyName = "ripe-atlas-key";
// "1 route", "3 routes": a route row's and the status line's count.
inline QString routesText(qsizetype count)
{
    return count == 1 ? QStringLiteral("1 route") : QStringLiteral("%1 routes").arg(count);
}
inline constexpr const char *kGlobalpingTokenName = "globalping-token";

} // namespace tracemap
