// Turns the query parameters of /ping, /traceroute and /mtr into engine requests, or into one
// error naming the offending parameter (answered as 400 {"error", "parameter"}). dest and stream
// are the agent's own; the others are the trace options every program shares
// (core/traceoptions.h: max_ttl or max-ttl), within the agent's narrower Limits.
#pragma once

#include "agentconfig.h"
#include "tracetypes.h"
#include "watchtypes.h"

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

struct MtrParams
{
    WatchRequest request; // cycles >= 1: an agent never watches until stopped
    bool stream = false;
};

ParamError parsePingParams(const QueryItems &query, const Limits &limits, PingParams *params);
ParamError parseTraceParams(const QueryItems &query, const Limits &limits, TraceParams *params);
// The trace parameters plus cycles (1..max_mtr_cycles, default min(10, max)) and interval
// (min_mtr_interval..max_mtr_interval, default 1 s within them); the whole watch must fit in
// max_request_time.
ParamError parseMtrParams(const QueryItems &query, const Limits &limits, MtrParams *params);

} // namespace tracemap::agent
