#include "agentlog.h"

// Info is on by default: the access log is part of the agent's output.
Q_LOGGING_CATEGORY(lcAgent, "tracemap.agent", QtInfoMsg)
