// Turns the query parameters of /ping and /traceroute into engine requests, or into one
// error naming the offending parameter (answered as 400 {"error", "parameter"}).
#pragma once

#include "agentconfig.h"
#include "tracetypes.h"

#include <QList>
#include <QPair>
#include <QString>

namespace tracemap::agent {

using QueryItems = QList<QPair<QString, QString>>; // decoded, in order; duplicates kept

struct ParamError
{
    QString message;
    QString parameter; // empty when the problem is not one parameter
    bool isError() const { return !message.isEmpty(); }
};

struct PingParams
{
    PingRequest request;
};

struct TraceParams
{
    TraceRequest request;
    bool stream = false;
};

ParamError parsePingParams(const QueryItems &query, const Limits &limits, PingParams *params);
ParamError parseTraceParams(const QueryItems &query, const Limits &limits, TraceParams *params);

} // namespace tracemap::agent
