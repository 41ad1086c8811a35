#include "atlasresult.h"

#include "traceoptions.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

// sagan's ensure(key, int): a number or a numeric string; `fallback` otherwise.
qint64 toInteger(const QJsonValue &v, qint64 fallback)
{
    // Python's int() truncates floats too; one beyond qint64 is no number we can hold (and
    // converting it would be undefined behaviour).
    if (v.isDouble() && std::isfinite(v.toDouble()))
        return std::abs(v.toDouble()) < 9.0e18 ? qint64(v.toDouble()) : fallback;
    if (v.isString()) {
        bool ok = false;
        const qint64 n = v.toString().trimmed().toLongLong(&ok);
        return ok ? n : fallback;
    }
    if (v.isBool())
        return v.toBool() ? 1 : 0;
    return fallback;
}

double toReal(const QJsonValue &v)
{
    if (v.isDouble() && std::isfinite(v.toDouble()))
        return v.toDouble();
    if (v.isString()) {
        bool ok = false;
        const double d = v.toString().trimmed().toDouble(&ok);
        return ok && std::isfinite(d) ? d : -1.0;
    }
    return -1.0;
}

// sagan's ensure(key, str): numbers become their text; null and objects count as absent here.
QString toText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble()) {
        const double d = v.toDouble();
        return d == std::floor(d) && std::abs(d) < 1e15 ? QString::number(qint64(d)) : QString::number(d);
    }
    return {};
}

double roundTo3(double ms)
{
    return std::round(ms * 1000.0) / 1000.0;
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return -1.0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2) + values.at(n / 2 - 1)) / 2.0;
}

// sagan's Packet.ERROR_CONDITIONS.
QString errMessage(const QString &err)
{
    static const QHash<QString, QString> names = {
        {QStringLiteral("N"), QStringLiteral("Network unreachable")},
        {QStringLiteral("H"), QStringLiteral("Destination unreachable")},
        {QStringLiteral("A"), QStringLiteral("Administratively prohibited")},
        {QStringLiteral("P"), QStringLiteral("Protocol unreachable")},
        {QStringLiteral("p"), QStringLiteral("Port unreachable")},
    };
    return names.value(err, err);
}

struct Failure
{
    AtlasParseError error = AtlasParseError::None;
    QString message;
};

AtlasPacket parsePacket(const QJsonObject &o)
{
    AtlasPacket p;
    p.timeout = o.contains(QLatin1String("x"));
    p.origin = toText(o.value(QLatin1String("from")));
    const double rtt = toReal(o.value(QLatin1String("rtt")));
    p.rtt = rtt >= 0 ? roundTo3(rtt) : -1.0;
    p.size = int(toInteger(o.value(QLatin1String("size")), -1));
    p.ttl = int(toInteger(o.value(QLatin1String("ttl")), -1));
    p.ittl = int(toInteger(o.value(QLatin1String("ittl")), 1));
    p.mtu = int(toInteger(o.value(QLatin1String("mtu")), -1));
    p.late = o.contains(QLatin1String("late"));
    p.lateBy = int(toInteger(o.value(QLatin1String("late")), 0));
    p.duplicate =
        o.value(QLatin1String("dup")).toBool(false) || toInteger(o.value(QLatin1String("dup")), 0) != 0;
    p.err = toText(o.value(QLatin1String("err")));
    if (!p.err.isEmpty())
        p.errorMessage = errMessage(p.err);
    p.replyError = toText(o.value(QLatin1String("error")));
    p.edst = toText(o.value(QLatin1String("edst")));
    p.flags = toText(o.value(QLatin1String("flags")));
    const QJsonObject ext = o.value(QLatin1String("icmpext")).toObject();
    if (!ext.isEmpty()) {
        p.hasIcmpExt = true;
        p.icmpExtVersion = int(toInteger(ext.value(QLatin1String("version")), -1));
        p.rfc4884 = toInteger(ext.value(QLatin1String("rfc4884")), 0) != 0;
        for (const QJsonValue &object : ext.value(QLatin1String("obj")).toArray()) {
            for (const QJsonValue &entry : object.toObject().value(QLatin1String("mpls")).toArray()) {
                const QJsonObject m = entry.toObject();
                p.mpls.append({toInteger(m.value(QLatin1String("label")), 0),
                               int(toInteger(m.value(QLatin1String("exp")), 0)),
                               int(toInteger(m.value(QLatin1String("s")), 0)),
                               int(toInteger(m.value(QLatin1String("ttl")), 0))});
            }
        }
    }
    return p;
}

Failure parseResult(const QJsonValue &value, int index, AtlasResult *out)
{
    const QString where = QStringLiteral("result %1").arg(index + 1);
    if (!value.isObject())
        return {AtlasParseError::NotAResult, QStringLiteral("%1 is not a JSON object").arg(where)};
    const QJsonObject o = value.toObject();
    // sagan refuses anything without these five keys as "not a RIPE Atlas measurement".
    for (const char *key : {"timestamp", "msm_id", "prb_id", "fw", "type"}) {
        if (!o.contains(QLatin1String(key)))
            return {AtlasParseError::NotAResult,
                    QStringLiteral("%1 is not a RIPE Atlas result: it has no '%2'")
                        .arg(where, QLatin1String(key))};
    }
    AtlasResult &r = *out;
    r.probeId = toInteger(o.value(QLatin1String("prb_id")), -1);
    const QString named = QStringLiteral("%1 (probe %2)").arg(where).arg(r.probeId);
    const QString type = toText(o.value(QLatin1String("type"))).toLower();
    if (type != QLatin1String("traceroute"))
        return {AtlasParseError::NotTraceroute,
                QStringLiteral("%1 is a '%2' result, not a traceroute")
                    .arg(named, jsonLabel(o.value(QLatin1String("type")), 40))};
    r.firmware = int(toInteger(o.value(QLatin1String("fw")), 0));
    if (r.firmware == 1 || !o.value(QLatin1String("result")).isArray())
        return {AtlasParseError::LegacyFormat,
                QStringLiteral("%1 is in the legacy text format (fw %2), which cannot be read hop by hop")
                    .arg(named)
                    .arg(r.firmware)};
    r.measurementId = toInteger(o.value(QLatin1String("msm_id")), -1);
    r.timestamp = toInteger(o.value(QLatin1String("timestamp")), -1);
    r.endTime = toInteger(o.value(QLatin1String("endtime")), -1);
    r.af = int(toInteger(o.value(QLatin1String("af")), 0));
    if (r.firmware > 0 && r.firmware < 4460)
        r.af = int(toInteger(o.value(QLatin1String("pf")), 0)); // older firmware called it pf
    r.destinationAddress = toText(o.value(QLatin1String("dst_addr")));
    r.destinationName = toText(o.value(QLatin1String("dst_name")));
    r.sourceAddress = toText(o.value(QLatin1String("src_addr")));
    r.origin = toText(o.value(QLatin1String("from")));
    r.parisId = int(toInteger(o.value(QLatin1String("paris_id")), -1));
    r.size = int(toInteger(o.value(QLatin1String("size")), -1));
    r.measurementName = toText(o.value(QLatin1String("msm_name")));
    r.lts = int(toInteger(o.value(QLatin1String("lts")), -1));
    if (r.lts < 0)
        r.lts = -1;
    r.resultError = toText(o.value(QLatin1String("dnserr")));
    if (const QString err = toText(o.value(QLatin1String("err"))); !err.isEmpty())
        r.resultError = err;
    if (o.contains(QLatin1String("proto"))) {
        static const QHash<QString, QString> protocols = {
            {QStringLiteral("ICMP"), QStringLiteral("ICMP")}, {QStringLiteral("I"), QStringLiteral("ICMP")},
            {QStringLiteral("UDP"), QStringLiteral("UDP")},   {QStringLiteral("U"), QStringLiteral("UDP")},
            {QStringLiteral("TCP"), QStringLiteral("TCP")},   {QStringLiteral("T"), QStringLiteral("TCP")},
        };
        const QString proto = toText(o.value(QLatin1String("proto")));
        r.protocol = protocols.value(proto);
        if (r.protocol.isEmpty())
            return {AtlasParseError::BadValue,
                    QStringLiteral("%1: '%2' is not a recognised protocol")
                        .arg(named, jsonLabel(o.value(QLatin1String("proto")), 40))};
    }
    const QJsonArray hops = o.value(QLatin1String("result")).toArray();
    int lastNumbered = 0; // the highest hop number so far
    for (qsizetype i = 0; i < hops.size(); ++i) {
        if (!hops.at(i).isObject())
            return {AtlasParseError::BadValue,
                    QStringLiteral("%1: hop entry %2 is not a JSON object").arg(named).arg(i + 1)};
        const QJsonObject h = hops.at(i).toObject();
        AtlasHop hop;
        // A route is drawn hop by hop in TTL order: a hop number outside 1..255, repeated or
        // going back cannot be placed on it (RIPE's results never have one). An entry without
        // one is sagan's None, index 0: a probe that failed before probing says why there.
        if (h.contains(QLatin1String("hop"))) {
            const qint64 index = toInteger(h.value(QLatin1String("hop")), 0);
            if (index < kTtlRange.min || index > kTtlRange.max || index <= lastNumbered)
                return {AtlasParseError::BadValue,
                        QStringLiteral("%1: hop entry %2 has hop number '%3' (expected 1 to 255, rising)")
                            .arg(named)
                            .arg(i + 1)
                            .arg(jsonLabel(h.value(QLatin1String("hop")), 40))};
            hop.index = int(index);
            lastNumbered = hop.index;
        }
        hop.error = toText(h.value(QLatin1String("error")));
        const QJsonValue packets = h.value(QLatin1String("result"));
        if (!packets.isUndefined() && !packets.isArray())
            return {AtlasParseError::BadValue,
                    QStringLiteral("%1: the replies of hop %2 are not a list").arg(named).arg(hop.index)};
        QList<double> rtts;
        for (const QJsonValue &packet : packets.toArray()) {
            if (!packet.isObject())
                return {
                    AtlasParseError::BadValue,
                    QStringLiteral("%1: a reply of hop %2 is not a JSON object").arg(named).arg(hop.index)};
            hop.packets.append(parsePacket(packet.toObject()));
            const AtlasPacket &p = hop.packets.last();
            if (!p.late && p.rtt > 0) // sagan keeps only truthy RTTs of non-late packets
                rtts.append(p.rtt);
        }
        hop.medianRtt = median(rtts);
        r.hops.append(hop);
    }
    return {};
}

bool looksLikeResult(const QJsonObject &o)
{
    return o.contains(QLatin1String("type")) || o.contains(QLatin1String("fw")) ||
           o.contains(QLatin1String("prb_id")) || o.contains(QLatin1String("msm_id"));
}

// The values to parse as results, from whichever shape the document has.
Failure collect(const QByteArray &document, QJsonArray *values)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(document, &parseError);
    if (parseError.error == QJsonParseError::NoError) {
        if (doc.isArray()) {
            *values = doc.array();
            return {};
        }
        const QJsonObject o = doc.object();
        if (looksLikeResult(o)) {
            values->append(o);
            return {};
        }
        // The "latest" endpoint: {"<prb_id>": [result, ...], ...}.
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            if (!it.value().isArray())
                return {
                    AtlasParseError::NotAResult,
                    QStringLiteral("a JSON object that is neither a RIPE Atlas result nor results by probe")};
            for (const QJsonValue &v : it.value().toArray())
                values->append(v);
        }
        return {};
    }
    // One result per line (format=txt): every non-empty line must be a JSON object.
    const QList<QByteArray> lines = document.split('\n');
    int nonEmpty = 0;
    for (const QByteArray &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        ++nonEmpty;
        QJsonParseError lineError;
        const QJsonDocument lineDoc = QJsonDocument::fromJson(line, &lineError);
        if (lineError.error != QJsonParseError::NoError || !lineDoc.isObject()) {
            nonEmpty = -1;
            break;
        }
        values->append(lineDoc.object());
    }
    if (nonEmpty > 1)
        return {};
    *values = QJsonArray();
    return {
        AtlasParseError::NotJson,
        QStringLiteral("not valid JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset)};
}

} // namespace

QString toString(AtlasParseError error)
{
    switch (error) {
    case AtlasParseError::None:
        return QStringLiteral("none");
    case AtlasParseError::Empty:
        return QStringLiteral("empty");
    case AtlasParseError::NotJson:
        return QStringLiteral("not-json");
    case AtlasParseError::NotAResult:
        return QStringLiteral("not-a-result");
    case AtlasParseError::NotTraceroute:
        return QStringLiteral("not-traceroute");
    case AtlasParseError::LegacyFormat:
        return QStringLiteral("legacy-format");
    case AtlasParseError::BadValue:
        return QStringLiteral("bad-value");
    }
    return {};
}

double AtlasResult::lastMedianRtt() const
{
    double last = -1.0;
    for (const AtlasHop &h : hops) {
        if (h.medianRtt > 0)
            last = h.medianRtt;
    }
    return last;
}

namespace {

// The last hop's answers as sagan sees them: late ones are left out.
QList<AtlasPacket> lastHopPackets(const QList<AtlasHop> &hops)
{
    QList<AtlasPacket> packets;
    if (!hops.isEmpty())
        std::copy_if(hops.last().packets.cbegin(), hops.last().packets.cend(), std::back_inserter(packets),
                     [](const AtlasPacket &p) { return !p.late; });
    return packets;
}

} // namespace

bool AtlasResult::destinationIpResponded() const
{
    const QHostAddress destination(destinationAddress);
    if (destination.isNull())
        return false;
    const QList<AtlasPacket> packets = lastHopPackets(hops);
    return std::any_of(packets.cbegin(), packets.cend(), [&](const AtlasPacket &p) {
        return !p.origin.isEmpty() && QHostAddress(p.origin).isEqual(destination);
    });
}

bool AtlasResult::lastHopResponded() const
{
    const QList<AtlasPacket> packets = lastHopPackets(hops);
    return std::any_of(packets.cbegin(), packets.cend(), [](const AtlasPacket &p) { return p.rtt > 0; });
}

bool AtlasResult::isSuccess() const
{
    const QList<AtlasPacket> packets = lastHopPackets(hops);
    return std::any_of(packets.cbegin(), packets.cend(),
                       [](const AtlasPacket &p) { return p.rtt > 0 && !p.isError(); });
}

QStringList AtlasResult::lastHopErrors() const
{
    if (hops.isEmpty() || isSuccess())
        return {};
    if (!hops.last().error.isEmpty())
        return {hops.last().error};
    QStringList errors;
    for (const AtlasPacket &p : lastHopPackets(hops)) {
        if (p.isError())
            errors << p.errorMessage;
    }
    return errors;
}

QList<QStringList> AtlasResult::ipPath() const
{
    QList<QStringList> path;
    for (const AtlasHop &h : hops) {
        QStringList origins;
        for (const AtlasPacket &p : h.packets) {
            if (!p.late)
                origins << p.origin;
        }
        path << origins;
    }
    return path;
}

AtlasParseOutcome parseAtlasResults(const QByteArray &document)
{
    AtlasParseOutcome outcome;
    if (document.trimmed().isEmpty()) {
        outcome.error = AtlasParseError::Empty;
        outcome.message = QStringLiteral("the document is empty");
        return outcome;
    }
    QJsonArray values;
    Failure failure = collect(document, &values);
    for (qsizetype i = 0; failure.error == AtlasParseError::None && i < values.size(); ++i) {
        AtlasResult result;
        failure = parseResult(values.at(i), int(i), &result);
        outcome.results.append(result);
    }
    if (failure.error != AtlasParseError::None) {
        outcome.results.clear();
        outcome.error = failure.error;
        outcome.message = failure.message;
    }
    return outcome;
}

} // namespace tracemap

namespace tracemap {

namespace {

ProbeMethod methodFor(const QString &protocol)
{
    if (protocol == QLatin1String("ICMP"))
        return ProbeMethod::Icmp;
    if (protocol == QLatin1String("TCP"))
        return ProbeMethod::Tcp;
    return ProbeMethod::Udp; // Atlas' default traceroute protocol
}

// The unreachable codes behind Atlas' `err` letters, per address family (RFC 792 / RFC 4443).
void applyErr(const QString &err, bool v6, ProbeReply *reply)
{
    reply->kind = ReplyKind::Unreachable;
    reply->icmpType = v6 ? 1 : 3;
    bool numeric = false;
    const int code = err.toInt(&numeric);
    if (numeric) {
        reply->icmpCode = code;
        return;
    }
    const char letter = err.size() == 1 ? err.at(0).toLatin1() : '?';
    switch (letter) {
    case 'N':
        reply->icmpCode = 0;
        break;
    case 'H':
        reply->icmpCode = v6 ? 3 : 1;
        break;
    case 'A':
        reply->icmpCode = v6 ? 1 : 13;
        break;
    case 'p':
        reply->icmpCode = v6 ? 4 : 3;
        break;
    case 'P':
        if (v6) { // no protocol unreachable in ICMPv6: parameter problem, unrecognised next header
            reply->kind = ReplyKind::OtherIcmp;
            reply->icmpType = 4;
            reply->icmpCode = 1;
        } else {
            reply->icmpCode = 2;
        }
        break;
    default:
        reply->icmpCode = -1;
    }
}

ProbeReply toReply(const AtlasPacket &p, const AtlasResult &r, const QHostAddress &destination, int query)
{
    ProbeReply reply;
    reply.query = query;
    if (p.timeout || p.origin.isEmpty() || !p.replyError.isEmpty())
        return reply;
    reply.responder = QHostAddress(p.origin);
    if (reply.responder.isNull())
        return reply;
    reply.rttMs = p.rtt;
    const bool v6 = r.af == 6 || reply.responder.protocol() == QAbstractSocket::IPv6Protocol;
    reply.fromDestination = !destination.isNull() && reply.responder.isEqual(destination);
    if (!p.err.isEmpty()) {
        applyErr(p.err, v6, &reply);
    } else if (!reply.fromDestination) {
        reply.kind = ReplyKind::TimeExceeded;
        reply.icmpType = v6 ? 3 : 11;
        reply.icmpCode = 0;
    } else if (r.protocol == QLatin1String("ICMP")) {
        reply.kind = ReplyKind::EchoReply;
        reply.icmpType = v6 ? 129 : 0;
        reply.icmpCode = 0;
    } else if (r.protocol == QLatin1String("TCP")) {
        reply.kind = p.flags.contains(QLatin1Char('R')) ? ReplyKind::TcpRefused : ReplyKind::TcpConnected;
    } else { // UDP reaching the destination: port unreachable
        reply.kind = ReplyKind::Unreachable;
        reply.icmpType = v6 ? 1 : 3;
        reply.icmpCode = v6 ? 4 : 3;
    }
    return reply;
}

QString mplsText(const AtlasMplsEntry &m)
{
    return QStringLiteral("L=%1 E=%2 S=%3 TTL=%4").arg(m.label).arg(m.exp).arg(m.bottomOfStack).arg(m.ttl);
}

} // namespace

VantageTrace toVantageTrace(const AtlasResult &r)
{
    VantageTrace v;
    v.vantage.kind = VantageKind::RipeAtlas;
    v.vantage.id = QStringLiteral("atlas:%1").arg(r.probeId);
    v.vantage.name = QStringLiteral("RIPE Atlas probe %1").arg(r.probeId);
    v.vantage.publicAddress = QHostAddress(r.origin);
    v.startedAt = r.timestamp;
    v.endedAt = r.endTime;
    v.measurementId = r.measurementId;
    v.firmware = r.firmware;

    TraceResult &t = v.trace;
    t.target = r.destinationName.isEmpty() ? r.destinationAddress : r.destinationName;
    t.destination = QHostAddress(r.destinationAddress);
    t.source = QHostAddress(r.sourceAddress);
    t.method = methodFor(r.protocol);
    t.transport = QStringLiteral("RIPE Atlas probe %1 (fw %2), %3")
                      .arg(r.probeId)
                      .arg(r.firmware)
                      .arg(r.protocol.isEmpty() ? QStringLiteral("UDP") : r.protocol);
    t.request.target = t.target;
    t.request.method = t.method;
    t.request.family = r.af == 6 ? AddressFamily::IPv6 : r.af == 4 ? AddressFamily::IPv4 : AddressFamily::Any;
    t.request.flow = r.parisId == 0 ? FlowMode::Classic : FlowMode::Paris;
    if (r.timestamp >= 0 && r.endTime >= r.timestamp)
        t.elapsedMs = double(r.endTime - r.timestamp) * 1000.0;
    int queries = 0;
    for (const AtlasHop &h : r.hops) {
        if (h.index < 1) {
            // No hop number (sagan's None): not a hop of the route; its error is the route's.
            if (!h.error.isEmpty() && t.errorMessage.isEmpty())
                t.errorMessage = h.error;
            continue;
        }
        Hop hop;
        hop.ttl = h.index;
        hop.complete = true;
        VantageHopNotes notes;
        notes.ttl = h.index;
        notes.error = h.error;
        for (const AtlasPacket &p : h.packets) {
            for (const AtlasMplsEntry &m : p.mpls) {
                if (!notes.mpls.contains(mplsText(m)))
                    notes.mpls << mplsText(m);
            }
            if (p.late) {
                ++notes.lateReplies;
                continue;
            }
            if (p.duplicate) {
                ++notes.duplicateReplies;
                continue;
            }
            if (!p.replyError.isEmpty())
                notes.replyErrors << p.replyError;
            hop.replies.append(toReply(p, r, t.destination, int(hop.replies.size()) + 1));
        }
        hop.probesSent = int(hop.replies.size());
        queries = std::max(queries, hop.probesSent);
        t.hops.append(hop);
        if (notes != VantageHopNotes{h.index, {}, {}, 0, 0, {}, {}})
            v.notes.append(notes);
    }
    t.request.queries = std::max(1, queries);
    if (!t.hops.isEmpty()) {
        t.request.firstTtl = t.hops.first().ttl;
        t.request.maxTtl = t.hops.last().ttl;
    }
    t.reached = r.destinationIpResponded();
    if (!r.resultError.isEmpty()) {
        v.failed = true;
        v.failure = QStringLiteral("probe %1: %2").arg(r.probeId).arg(r.resultError);
        t.errorMessage = r.resultError;
    } else if (t.hops.isEmpty() && !t.errorMessage.isEmpty()) {
        v.failed = true; // e.g. the name did not resolve on the probe: nothing was probed
        v.failure = QStringLiteral("probe %1: %2").arg(r.probeId).arg(t.errorMessage);
    }
    return v;
}

} // namespace tracemap
