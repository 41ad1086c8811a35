#pragma once
// What --offline allows, for every program: "nothing leaves the machine". The requests a user
// asks for by hand (a RIPE Atlas measurement, a Globalping or agent trace) are refused in an
// offline run unless their server is this machine; the automatic ones (map tiles, Nominatim,
// the online IP provider, Team Cymru, the database download) are simply off when offline.
// Contract: reachableOffline() is true only for http(s) URLs whose host is `localhost`, a name
// under `.localhost` (RFC 6761 keeps those on this machine) or a loopback address literal
// (127.0.0.0/8, ::1, ::ffff:127.x.y.z). It never resolves a name: that would itself be a DNS
// query leaving the machine.

#include <QString>
#include <QUrl>

namespace tracemap {

bool reachableOffline(const QUrl &url);

// The one line a program shows when it refuses: what was not contacted and how to allow it.
QString offlineRefusal(const QUrl &url);

} // namespace tracemap
