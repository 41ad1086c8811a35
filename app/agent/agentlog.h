// The agent's logging category: start-up, errors and the access log (one line per request).
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcAgent)
