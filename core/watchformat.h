// The documents a watch produces, shared by the CLI and the agent: the JSON document
// (fields as listed in docs/watch.md), CSV (RFC 4180, one row per hop and responder), the
// mtr --report table, the live table redrawn each round, and the one-line-per-hop-per-round
// log for pipes. Pure functions of a WatchSnapshot / WatchRound.
#pragma once

#include "watchtypes.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace tracemap {

QJsonObject watchToJson(const WatchSnapshot &watch);
// Header line plus one row per (hop, responder); a hop nobody answered gets one row with an
// empty responder. Lines end in CRLF as RFC 4180 asks.
QString watchToCsv(const WatchSnapshot &watch);
// mtr --report: Loss% Snt Last Avg Best Wrst StDev, later responders of a hop on their own
// lines, rate-limited loss marked.
QString formatWatchReport(const WatchSnapshot &watch);
// The live view: a title line, the mtr columns plus Gmean and the jitter columns, and the
// path changes so far.
QString formatWatchTable(const WatchSnapshot &watch);
// "path change 2026-12-01T15:30:00.000Z: ttl 3 198.18.2.1 -> 198.18.3.1 (round 12)"
QString formatPathChange(const PathChange &change);
// "2026-12-01T15:30:00.000Z round 3 ttl 2 198.18.1.1 0.123 ms" for every hop of a round.
QStringList formatWatchRoundLines(const WatchRound &round);

} // namespace tracemap
