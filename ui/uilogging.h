// Logging category of the desktop app's view models (QT_LOGGING_RULES="tracemap.ui=true").
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcUi)
