#include "logging.h"

Q_LOGGING_CATEGORY(lcEngine, "tracemap.engine", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTransport, "tracemap.transport", QtWarningMsg)
