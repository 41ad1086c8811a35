// Where a route was measured from. A vantage point is this machine, a tracemap-agent, a RIPE Atlas
// probe or a Globalping probe; a VantageTrace is one route measured from one of them, as the
// engine's TraceResult plus what the remote network told us about the vantage and the reply
// details the engine's types do not carry (late and duplicate replies, MPLS labels, errors).
// Plain copyable values, registered with the meta-type system like the engine's types, so the
// desktop app can move them between threads and draw one coloured route per vantage.
#pragma once

#include "tracetypes.h"

#include <QDateTime>
#include <QJsonValue>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <cmath>

namespace tracemap {

enum class VantageKind { ThisMachine, Agent, RipeAtlas, Globalping };
QString toString(VantageKind kind);

struct VantagePoint
{
    VantageKind kind = VantageKind::ThisMachine;
    QString id;                 // stable key: "atlas:6001", "globalping:<probe index>", the agent's URL
    QString name;               // for the legend: "RIPE Atlas probe 6001", "Globalping Frankfurt (AS3320)"
    QHostAddress publicAddress; // Atlas `from`: the probe's address as its controller sees it; may be null
    QString city;
    QString country; // ISO 3166 alpha-2 when known
    int asn = -1;
    QString network;
    double latitude = qQNaN(); // NaN when the network does not say (probes without coordinates)
    double longitude = qQNaN();

    bool hasLocation() const { return std::isfinite(latitude) && std::isfinite(longitude); }
    // "Frankfurt, DE" / "DE" / "" — the place part of a legend entry.
    QString place() const;
};

// Per-hop details from remote networks that the engine's Hop has no field for.
struct VantageHopNotes
{
    int ttl = 0;
    QString error;            // the hop could not be probed (Atlas hop-level `error`)
    QStringList replyErrors;  // per-reply errors (Atlas `{"error": ...}`: the probe could not send)
    int lateReplies = 0;      // answers that belonged to an earlier probe (Atlas `late`), left out of replies
    int duplicateReplies = 0; // repeated answers (Atlas `dup`), left out of replies
    QStringList mpls;         // RFC 4950 label stacks seen at this hop, "L=24001 E=0 S=1 TTL=1"
    QStringList hostnames;    // names the remote network resolved (Globalping)
    friend bool operator==(const VantageHopNotes &, const VantageHopNotes &) = default;
};

struct VantageTrace
{
    VantagePoint vantage;
    TraceResult trace;            // hops as the engine's types; trace.target is the name asked for
    QList<VantageHopNotes> notes; // only hops that have something to say, in TTL order
    qint64 startedAt = -1;        // Unix seconds; -1 when unknown
    qint64 endedAt = -1;
    qint64 measurementId = -1; // Atlas msm_id; -1 for others
    QString measurementKey;    // Globalping measurement id (text)
    int firmware = 0;          // Atlas probe firmware
    bool failed = false;       // the vantage could not measure; failure says why
    QString failure;
};

void registerVantageTypes();

// For the measurement APIs' pure parts: `path` appended to the base URL's own path (so a mirror at
// https://host/atlas/ keeps its prefix), query dropped.
QUrl apiUrl(const QUrl &base, const QString &path);
// A short text from a JSON answer (string, or an integer number), simplified and cut to maxLength so
// a hostile server cannot fill labels; empty for anything else.
QString jsonLabel(const QJsonValue &value, int maxLength = 200);

// Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (relative to nowUtc, so
// callers and tests pass the time in). -1 when absent or unreadable; capped at a day.
int retryAfterSeconds(const QByteArray &value, const QDateTime &nowUtc);

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::VantagePoint)
Q_DECLARE_METATYPE(tracemap::VantageTrace)
