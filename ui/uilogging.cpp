#include "uilogging.h"

Q_LOGGING_CATEGORY(lcUi, "tracemap.ui", QtWarningMsg)
