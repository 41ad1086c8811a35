#pragma once
// The map component's logging category (enable with QT_LOGGING_RULES="tracemap.map*=true").

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcMap)
Q_DECLARE_LOGGING_CATEGORY(lcMapTiles)
