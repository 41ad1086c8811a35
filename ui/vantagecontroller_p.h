// VantageController's inside, shared by its two source files (vantagecontroller.cpp: documents,
// routes and the map; vantageremote.cpp: RIPE Atlas, agents and the stored keys). Not for others.
#pragma once

#include "hoplistmodel.h"
#include "tracelocator.h"
#include "vantagecontroller.h"

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
};

} // namespace tracemap
