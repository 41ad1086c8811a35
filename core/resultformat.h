// The documents tracemap writes about traces and pings: JSON in the shape the original
// Python module returned (so its users' scripts keep working) plus extra keys, and text
// reports in the style of traceroute / mtr --report. Shared by the CLI and the agent.
#pragma once

#include "tracetypes.h"

#include <QJsonObject>
#include <QString>

namespace tracemap {

// {source, target, dest, ttl, packets, ping_time: [{attempt, address, time, type, code}], ...}
QJsonObject pingToJson(const PingResult &result);
// {target, ttl, packets, ping_time: [ <one ping document per TTL> ], ...}
QJsonObject traceToJson(const TraceResult &result);
// One TTL as a ping document (used inside traceToJson and for streaming).
QJsonObject hopToJson(const TraceResult &context, const Hop &hop);

// " 3  198.18.2.1  0.123 ms  0.101 ms  *" — one line per hop, traceroute style.
QString formatHopLine(const Hop &hop, int ttlWidth = 2);
QString formatTraceHeader(const TraceResult &started);
QString formatTraceSummary(const TraceResult &result);
QString formatPingHeader(const PingResult &started);
QString formatPingReplyLine(const PingResult &context, const ProbeReply &reply);
QString formatPingSummary(const PingResult &result);
// mtr --report style table: Loss% Snt Last Avg Best Wrst StDev
QString formatReport(const TraceResult &result);

// Milliseconds with microsecond precision, as printed and as stored in JSON.
double roundRtt(double ms);

} // namespace tracemap
