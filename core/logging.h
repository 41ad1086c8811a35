// One logging category per component (enable with QT_LOGGING_RULES="tracemap.*=true").
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)
Q_DECLARE_LOGGING_CATEGORY(lcTransport)
