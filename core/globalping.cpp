#include "globalping.h"

#include "resultformat.h"
#include "traceoptions.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

double coordinate(const QJsonValue &v, double limit)
{
    const double d = v.isDouble() ? v.toDouble() : v.isString() ? v.toString().toDouble() : qQNaN();
    return std::isfinite(d) && std::abs(d) <= limit ? d : qQNaN();
}

constexpr qsizetype kMaxHops = qsizetype(kTtlRange.max);
constexpr int kMaxProbesPerHop = 64; // Globalping's mtr sends at most 16 packets a hop

VantagePoint probeFrom(const QJsonObject &p, const QString &key)
{
    VantagePoint v;
    v.kind = VantageKind::Globalping;
    v.id = key;
    v.city = jsonLabel(p.value(QLatin1String("city")), 80);
    v.country = jsonLabel(p.value(QLatin1String("country")), 8).toUpper();
    v.network = jsonLabel(p.value(QLatin1String("network")), 120);
    // toInt(): a whole number within int's range, else the default (no undefined conversion).
    v.asn = p.value(QLatin1String("asn")).toInt(0);
    const double lat = coordinate(p.value(QLatin1String("latitude")), 90);
    const double lon = coordinate(p.value(QLatin1String("longitude")), 180);
    if (std::isfinite(lat) && std::isfinite(lon)) {
        v.latitude = lat;
        v.longitude = lon;
    }
    v.name = QStringLiteral("Globalping %1").arg(v.place().isEmpty() ? QStringLiteral("probe") : v.place());
    if (v.asn > 0)
        v.name += QStringLiteral(" (AS%1)").arg(v.asn);
    return v;
}

ProbeReply replyFor(const QHostAddress &responder, double rtt, const QHostAddress &destination,
                    ProbeMethod method, int query)
{
    ProbeReply r;
    r.query = query;
    if (responder.isNull() || rtt < 0)
        return r;
    r.responder = responder;
    r.rttMs = roundRtt(rtt);
    const bool v6 = responder.protocol() == QAbstractSocket::IPv6Protocol;
    r.fromDestination = !destination.isNull() && responder.isEqual(destination);
    if (!r.fromDestination) {
        r.kind = ReplyKind::TimeExceeded;
        r.icmpType = v6 ? 3 : 11;
        r.icmpCode = 0;
    } else if (method == ProbeMethod::Tcp) {
        r.kind = ReplyKind::TcpConnected;
    } else if (method == ProbeMethod::Udp) {
        r.kind = ReplyKind::Unreachable;
        r.icmpType = v6 ? 1 : 3;
        r.icmpCode = v6 ? 4 : 3;
    } else {
        r.kind = ReplyKind::EchoReply;
        r.icmpType = v6 ? 129 : 0;
        r.icmpCode = 0;
    }
    return r;
}

// One probe's result as a route. mtr hops carry `stats` (total sent, rcv received); traceroute
// hops only the timings of the answers, so silent probes are inferred from the widest hop.
VantageTrace routeFrom(const QJsonObject &entry, const GlobalpingMeasurement &m, ProbeMethod method,
                       int index)
{
    VantageTrace v;
    v.vantage = probeFrom(entry.value(QLatin1String("probe")).toObject(),
                          QStringLiteral("globalping:%1:%2").arg(m.id).arg(index + 1));
    v.measurementKey = m.id;
    const QJsonObject result = entry.value(QLatin1String("result")).toObject();
    TraceResult &t = v.trace;
    t.target = m.target;
    t.destination = QHostAddress(jsonLabel(result.value(QLatin1String("resolvedAddress")), 64));
    t.method = method;
    t.transport = QStringLiteral("Globalping %1, %2").arg(m.type, toString(method));
    t.request.target = m.target;
    t.request.method = method;
    const QString status = jsonLabel(result.value(QLatin1String("status")), 40);
    if (status == QLatin1String("failed") || status == QLatin1String("offline")) {
        v.failed = true;
        const QString raw = result.value(QLatin1String("rawOutput")).toString().trimmed();
        v.failure = QStringLiteral("%1: %2").arg(
            v.vantage.name, raw.isEmpty() ? status : raw.section(QLatin1Char('\n'), 0, 0).left(200));
    }
    QJsonArray hops = result.value(QLatin1String("hops")).toArray();
    // A TTL has 8 bits and a probe sends a few packets a hop: more is garbage, not a route, and
    // must not cost memory (a 10 MB answer could otherwise ask for a billion silent probes).
    if (hops.size() > kMaxHops) {
        v.failed = true;
        v.failure = QStringLiteral("%1: more than %2 hops").arg(v.vantage.name).arg(kMaxHops);
        while (hops.size() > kMaxHops)
            hops.removeLast();
    }
    const bool mtr = m.type == QLatin1String("mtr");
    int widest = 1;
    for (const QJsonValue &h : hops) {
        const QJsonObject hop = h.toObject();
        const int sent =
            mtr ? hop.value(QLatin1String("stats")).toObject().value(QLatin1String("total")).toInt(0)
                : int(hop.value(QLatin1String("timings")).toArray().size());
        widest = std::max(widest, std::clamp(sent, 0, kMaxProbesPerHop));
    }
    for (qsizetype i = 0; i < hops.size(); ++i) {
        const QJsonObject hop = hops.at(i).toObject();
        Hop out;
        out.ttl = int(i) + 1;
        out.complete = true;
        const QHostAddress responder(jsonLabel(hop.value(QLatin1String("resolvedAddress")), 64));
        for (const QJsonValue &timing : hop.value(QLatin1String("timings")).toArray()) {
            if (out.replies.size() == kMaxProbesPerHop)
                break;
            const QJsonValue rtt = timing.toObject().value(QLatin1String("rtt"));
            out.replies.append(replyFor(responder, rtt.isDouble() ? rtt.toDouble() : -1.0, t.destination,
                                        method, int(out.replies.size()) + 1));
        }
        const int sent = std::clamp(
            mtr ? hop.value(QLatin1String("stats")).toObject().value(QLatin1String("total")).toInt(0)
                : widest,
            0, kMaxProbesPerHop);
        while (out.replies.size() < sent)
            out.replies.append(replyFor({}, -1, t.destination, method, int(out.replies.size()) + 1));
        out.probesSent = int(out.replies.size());
        const QString hostname = jsonLabel(hop.value(QLatin1String("resolvedHostname")), 253);
        if (!hostname.isEmpty() && hostname != responder.toString()) {
            VantageHopNotes notes;
            notes.ttl = out.ttl;
            notes.hostnames << hostname;
            v.notes.append(notes);
        }
        t.hops.append(out);
    }
    t.request.queries = widest;
    t.request.maxTtl = std::max(1, int(hops.size()));
    t.reached = !t.hops.isEmpty() && t.hops.last().reachedDestination();
    return v;
}

} // namespace

QUrl globalpingCreateUrl(const QUrl &base)
{
    return apiUrl(base, QStringLiteral("/v1/measurements"));
}

QUrl globalpingMeasurementUrl(const QUrl &base, const QString &id)
{
    return apiUrl(
        base, QStringLiteral("/v1/measurements/%1").arg(QString::fromLatin1(QUrl::toPercentEncoding(id))));
}

QString validate(const GlobalpingSpec &spec)
{
    if (spec.type != QLatin1String("traceroute") && spec.type != QLatin1String("mtr"))
        return QStringLiteral("the measurement type must be traceroute or mtr");
    if (spec.target.trimmed().isEmpty())
        return QStringLiteral("no target to trace");
    if (spec.limit < 1 || spec.limit > 500)
        return QStringLiteral("the probe limit must be 1 to 500, not %1").arg(spec.limit);
    if (!spec.protocol.isEmpty() && spec.protocol != QLatin1String("ICMP") &&
        spec.protocol != QLatin1String("UDP") && spec.protocol != QLatin1String("TCP"))
        return QStringLiteral("the protocol must be ICMP, UDP or TCP");
    for (const QString &location : spec.locations) {
        if (location.trimmed().isEmpty())
            return QStringLiteral("an empty location");
    }
    return {};
}

QJsonObject globalpingCreationBody(const GlobalpingSpec &spec)
{
    QJsonObject body{{QStringLiteral("type"), spec.type}, {QStringLiteral("target"), spec.target.trimmed()}};
    if (spec.locations.size() == 1) {
        body.insert(QStringLiteral("locations"),
                    QJsonArray{QJsonObject{{QStringLiteral("magic"), spec.locations.first().trimmed()}}});
        body.insert(QStringLiteral("limit"), spec.limit);
    } else if (spec.locations.size() > 1) {
        const int each = int((spec.limit + spec.locations.size() - 1) / spec.locations.size());
        QJsonArray locations;
        for (const QString &magic : spec.locations)
            locations.append(
                QJsonObject{{QStringLiteral("magic"), magic.trimmed()}, {QStringLiteral("limit"), each}});
        body.insert(QStringLiteral("locations"), locations);
    } else {
        body.insert(QStringLiteral("limit"), spec.limit);
    }
    QJsonObject options;
    if (!spec.protocol.isEmpty())
        options.insert(QStringLiteral("protocol"), spec.protocol);
    if (spec.port > 0)
        options.insert(QStringLiteral("port"), spec.port);
    if (spec.ipVersion == 4 || spec.ipVersion == 6)
        options.insert(QStringLiteral("ipVersion"), spec.ipVersion);
    if (spec.packets > 0 && spec.type == QLatin1String("mtr"))
        options.insert(QStringLiteral("packets"), spec.packets);
    if (!options.isEmpty())
        body.insert(QStringLiteral("measurementOptions"), options);
    return body;
}

QString parseGlobalpingCreated(const QByteArray &body, int *probesCount, QString *error)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString id = jsonLabel(o.value(QLatin1String("id")), 100);
    if (id.isEmpty()) {
        *error = QStringLiteral("Globalping did not say which measurement it created");
        return {};
    }
    if (probesCount)
        *probesCount = o.value(QLatin1String("probesCount")).toInt(-1);
    return id;
}

GlobalpingParseOutcome parseGlobalpingMeasurement(const QByteArray &body)
{
    GlobalpingParseOutcome outcome;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        outcome.error = GlobalpingParseError::NotJson;
        outcome.message = QStringLiteral("not valid JSON: %1 at byte %2")
                              .arg(parseError.errorString())
                              .arg(parseError.offset);
        return outcome;
    }
    const QJsonObject o = doc.object();
    GlobalpingMeasurement &m = outcome.measurement;
    m.id = jsonLabel(o.value(QLatin1String("id")), 100);
    m.type = jsonLabel(o.value(QLatin1String("type")), 40);
    m.status = jsonLabel(o.value(QLatin1String("status")), 40);
    m.target = jsonLabel(o.value(QLatin1String("target")), 253);
    if (m.id.isEmpty() || m.status.isEmpty() || !o.value(QLatin1String("results")).isArray()) {
        outcome.error = GlobalpingParseError::NotAMeasurement;
        outcome.message = QStringLiteral("not a Globalping measurement (it needs id, status and results)");
        return outcome;
    }
    if (m.type != QLatin1String("traceroute") && m.type != QLatin1String("mtr")) {
        outcome.error = GlobalpingParseError::UnsupportedType;
        outcome.message =
            QStringLiteral("a Globalping '%1' measurement, not a traceroute or mtr").arg(m.type);
        return outcome;
    }
    m.probesCount = o.value(QLatin1String("probesCount")).toInt(m.probesCount);
    const QString protocol =
        jsonLabel(o.value(QLatin1String("measurementOptions")).toObject().value(QLatin1String("protocol")),
                  10)
            .toUpper();
    const ProbeMethod method = protocol == QLatin1String("UDP")   ? ProbeMethod::Udp
                               : protocol == QLatin1String("TCP") ? ProbeMethod::Tcp
                                                                  : ProbeMethod::Icmp;
    const QJsonArray results = o.value(QLatin1String("results")).toArray();
    for (qsizetype i = 0; i < results.size(); ++i)
        m.routes.append(routeFrom(results.at(i).toObject(), m, method, int(i)));
    return outcome;
}

int RateLimitInfo::waitSeconds(int fallback) const
{
    if (retryAfter >= 0)
        return retryAfter;
    if (resetSeconds >= 0)
        return resetSeconds;
    return fallback;
}

RateLimitInfo parseRateLimit(const QList<std::pair<QByteArray, QByteArray>> &headers, const QDateTime &nowUtc)
{
    RateLimitInfo info;
    for (const auto &[name, value] : headers) {
        const QByteArray key = name.toLower();
        bool ok = false;
        const int n = value.trimmed().toInt(&ok);
        if (key == "retry-after")
            info.retryAfter = retryAfterSeconds(value, nowUtc);
        else if (ok && n >= 0 && key == "x-ratelimit-limit")
            info.limit = n;
        else if (ok && n >= 0 && key == "x-ratelimit-remaining")
            info.remaining = n;
        else if (ok && n >= 0 && key == "x-ratelimit-reset")
            info.resetSeconds = std::min(n, 24 * 3600);
        else if (ok && n >= 0 && key == "x-credits-remaining")
            info.creditsRemaining = n;
    }
    return info;
}

QString globalpingErrorMessage(int httpStatus, const QByteArray &body)
{
    if (httpStatus == 401 || httpStatus == 403)
        return QStringLiteral("Globalping refused the token (HTTP %1): the token is wrong or has expired")
            .arg(httpStatus);
    const QJsonObject e = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    const QString message = jsonLabel(e.value(QLatin1String("message")));
    return message.isEmpty() ? QStringLiteral("Globalping answered HTTP %1").arg(httpStatus)
                             : QStringLiteral("Globalping answered HTTP %1: %2").arg(httpStatus).arg(message);
}

} // namespace tracemap
