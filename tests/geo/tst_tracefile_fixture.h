#pragma once
// Hand-made trace files for the trace-file, exporter and diff tests: a seven-hop trace from
// Frankfurt to New York with a silent hop, a hop with two responders and one unplaced hop.

#include "tracefile.h"

#include <QTimeZone>

namespace tracemap::fixture {

inline ProbeReply reply(int query, const char *from, double rttMs, ReplyKind kind = ReplyKind::TimeExceeded)
{
    ProbeReply r;
    r.query = query;
    if (!from)
        return r; // no answer
    r.responder = QHostAddress(QString::fromLatin1(from));
    r.rttMs = rttMs;
    r.kind = kind;
    r.icmpType = kind == ReplyKind::TimeExceeded ? 11 : 3;
    r.icmpCode = kind == ReplyKind::TimeExceeded ? 0 : 3;
    r.fromDestination = kind == ReplyKind::Unreachable;
    return r;
}

inline Hop hop(int ttl, QList<ProbeReply> replies)
{
    Hop h;
    h.ttl = ttl;
    h.replies = std::move(replies);
    h.probesSent = int(h.replies.size());
    h.complete = true;
    return h;
}

inline GeoResult place(const char *address, double lat, double lon, const char *city, quint32 asn,
                       const char *asName)
{
    GeoResult r;
    r.address = QHostAddress(QString::fromLatin1(address));
    r.status = GeoStatus::Located;
    r.place.latitude = lat;
    r.place.longitude = lon;
    r.place.accuracyKm = 20;
    r.place.city = QString::fromUtf8(city);
    r.place.countryCode = QStringLiteral("XX");
    r.provider = QStringLiteral("override");
    r.providerDetail = QStringLiteral("tests.csv:1");
    r.reason = QStringLiteral("the operator's override places this prefix");
    r.confidence = 0.95;
    r.hostname = QStringLiteral("r.%1.example").arg(QString::fromLatin1(city).toLower());
    r.as.number = asn;
    r.as.name = QString::fromLatin1(asName);
    r.resolvedAt = QDateTime(QDate(2026, 12, 1), QTime(15, 0), QTimeZone::utc());
    return r;
}

inline TraceFile sample()
{
    TraceFile f;
    f.meta.tracemapVersion = QStringLiteral("0.1.0");
    const QTimeZone berlin(3600);
    f.meta.startedAt = QDateTime(QDate(2026, 12, 1), QTime(16, 30, 0, 125), berlin);
    f.meta.finishedAt = QDateTime(QDate(2026, 12, 1), QTime(16, 30, 4, 500), berlin);
    f.meta.timeZone = QStringLiteral("Europe/Berlin");
    f.meta.vantageHost = QStringLiteral("probe-host");
    f.meta.geoEnabled = true;
    f.meta.geo.offline = true;
    f.meta.geo.reverseDns = false;
    f.meta.geo.overridePaths = {QStringLiteral("/etc/tracemap/overrides.csv")};
    f.meta.geo.sourceLatitude = 50.11;
    f.meta.geo.sourceLongitude = 8.68;

    TraceResult &t = f.trace;
    t.target = QStringLiteral("dst.example");
    t.destination = QHostAddress(QStringLiteral("198.18.10.1"));
    t.source = QHostAddress(QStringLiteral("198.18.0.2"));
    t.method = ProbeMethod::Udp;
    t.transport = QStringLiteral("udp/IP_RECVERR");
    t.request.target = t.target;
    t.request.maxTtl = 30;
    t.request.queries = 3;
    t.reached = true;
    t.elapsedMs = 4021.5;
    t.hops = {
        hop(1, {reply(1, "198.18.0.1", 0.5), reply(2, "198.18.0.1", 0.6), reply(3, "198.18.0.1", 0.4)}),
        hop(2, {reply(1, "198.18.1.1", 1.5), reply(2, "198.18.1.1", 1.7), reply(3, "198.18.1.1", 1.6)}),
        hop(3, {reply(1, nullptr, 0), reply(2, nullptr, 0), reply(3, nullptr, 0)}),
        hop(4, {reply(1, "198.18.3.1", 80.25), reply(2, "198.18.3.9", 81.5), reply(3, "198.18.3.1", 79.75)}),
        hop(5, {reply(1, "198.18.4.1", 85), reply(2, nullptr, 0), reply(3, "198.18.4.1", 86)}),
        hop(6, {reply(1, "198.18.5.1", 90), reply(2, "198.18.5.1", 91), reply(3, "198.18.5.1", 90.5)}),
        hop(7, {reply(1, "198.18.10.1", 92, ReplyKind::Unreachable),
                reply(2, "198.18.10.1", 93, ReplyKind::Unreachable),
                reply(3, "198.18.10.1", 92.5, ReplyKind::Unreachable)}),
    };
    for (const GeoResult &g : {place("198.18.0.1", 50.11, 8.68, "Frankfurt", 64500, "FRANKFURT-NET"),
                               place("198.18.1.1", 51.51, -0.13, "London", 64500, "FRANKFURT-NET"),
                               place("198.18.3.1", 40.71, -74.01, "New York", 64501, "NEWYORK-NET"),
                               place("198.18.3.9", 40.72, -74.0, "New York", 64501, "NEWYORK-NET"),
                               place("198.18.5.1", 40.75, -73.99, "New York", 64502, "NY-EDGE"),
                               place("198.18.10.1", 40.76, -73.98, "New York", 64502, "NY-EDGE")})
        f.places.insert(g.address, g);
    GeoResult unplaced;
    unplaced.address = QHostAddress(QStringLiteral("198.18.4.1"));
    unplaced.status = GeoStatus::Unlocatable;
    unplaced.reason = QStringLiteral("no provider knows this address");
    f.places.insert(unplaced.address, unplaced);
    f.attributions = {QStringLiteral("IP Geolocation by DB-IP (https://db-ip.com)")};
    return f;
}

// The sample an hour later with another responder at TTL 2 (198.18.7.1): one path change.
inline TraceFile changedSample()
{
    TraceFile f = sample();
    f.trace.hops[1] =
        hop(2, {reply(1, "198.18.7.1", 1.5), reply(2, "198.18.7.1", 1.7), reply(3, "198.18.7.1", 1.6)});
    f.meta.startedAt = f.meta.startedAt.addSecs(3600);
    return f;
}

} // namespace tracemap::fixture
