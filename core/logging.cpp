#include "logging.h"

Q_LOGGING_CATEGORY(lcEngine, "tracemap.core.engine", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTransport, "tracemap.core.transport", QtWarningMsg)
