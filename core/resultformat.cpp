#include "resultformat.h"

#include "texttable.h"

#include <QJsonArray>
#include <QStringList>

#include <cmath>
#include <span>

namespace tracemap {

namespace {

QJsonValue addressOrNull(const QHostAddress &a)
{
    return a.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(a.toString());
}

QJsonValue msOrNull(double ms)
{
    return ms < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(roundRtt(ms));
}

QJsonValue intOrNull(int v)
{
    return v < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v);
}

QJsonObject statsToJson(const RttStats &s)
{
    return QJsonObject{
        {QStringLiteral("sent"), s.sent},
        {QStringLiteral("received"), s.received},
        {QStringLiteral("loss"), std::round(s.lossPercent * 10) / 10},
        {QStringLiteral("best"), msOrNull(s.bestMs)},
        {QStringLiteral("avg"), msOrNull(s.avgMs)},
        {QStringLiteral("worst"), msOrNull(s.worstMs)},
        {QStringLiteral("stddev"), msOrNull(s.stddevMs)},
        {QStringLiteral("last"), msOrNull(s.lastMs)},
    };
}

QJsonObject replyToJson(const ProbeReply &r)
{
    return QJsonObject{
        {QStringLiteral("attempt"), r.query},
        {QStringLiteral("address"), addressOrNull(r.responder)},
        {QStringLiteral("time"), msOrNull(r.answered() ? r.rttMs : -1)},
        {QStringLiteral("type"), intOrNull(r.icmpType)},
        {QStringLiteral("code"), intOrNull(r.icmpCode)},
        {QStringLiteral("reply"), toString(r.kind)},
    };
}

QJsonValue errorToJson(TraceError error, const QString &message)
{
    if (error == TraceError::None)
        return QJsonValue(QJsonValue::Null);
    return QJsonObject{{QStringLiteral("code"), toString(error)}, {QStringLiteral("message"), message}};
}

// Annotations traceroute prints after an RTT: !H host, !N network, !P protocol, !X prohibited.
QString unreachableMark(const ProbeReply &r, bool v6)
{
    if (r.kind != ReplyKind::Unreachable || r.fromDestination)
        return {};
    // ICMP unreachable code -> letter; ICMPv6 numbers its codes differently.
    struct Mark
    {
        int code;
        char letter;
    };
    static constexpr Mark kV4[] = {{0, 'N'}, {1, 'H'}, {2, 'P'}, {9, 'X'}, {10, 'X'}, {13, 'X'}};
    static constexpr Mark kV6[] = {{0, 'N'}, {1, 'X'}, {3, 'H'}};
    for (const Mark &m : v6 ? std::span<const Mark>(kV6) : std::span<const Mark>(kV4)) {
        if (m.code == r.icmpCode)
            return QStringLiteral(" !") + QLatin1Char(m.letter);
    }
    return QStringLiteral(" !<%1>").arg(r.icmpCode);
}

QString formatMs(double ms)
{
    return QString::number(roundRtt(ms), 'f', 3);
}

} // namespace

QString textRow(const QStringList &cells, const QList<int> &widths)
{
    QStringList padded;
    for (qsizetype i = 0; i < cells.size(); ++i)
        padded << QStringLiteral("%1").arg(cells.at(i), widths.value(i));
    return padded.join(QLatin1Char(' '));
}

QStringList mtrStatHeads()
{
    return {QStringLiteral("Loss%"), QStringLiteral("Snt"),  QStringLiteral("Last"), QStringLiteral("Avg"),
            QStringLiteral("Best"),  QStringLiteral("Wrst"), QStringLiteral("StDev")};
}

double roundRtt(double ms)
{
    return std::round(ms * 1000.0) / 1000.0;
}

QJsonObject hopToJson(const TraceResult &context, const Hop &hop)
{
    QJsonArray pings;
    for (const ProbeReply &r : hop.replies)
        pings.append(replyToJson(r));
    QJsonArray responders;
    for (const QHostAddress &a : hop.responders())
        responders.append(a.toString());
    return QJsonObject{
        {QStringLiteral("source"), addressOrNull(context.source)},
        {QStringLiteral("target"), context.target},
        {QStringLiteral("dest"), addressOrNull(context.destination)},
        {QStringLiteral("ttl"), hop.ttl},
        {QStringLiteral("packets"), context.request.queries},
        {QStringLiteral("ping_time"), pings},
        {QStringLiteral("responders"), responders},
        {QStringLiteral("reached"), hop.reachedDestination()},
        {QStringLiteral("stats"), statsToJson(hop.stats())},
    };
}

QJsonObject traceToJson(const TraceResult &result)
{
    QJsonArray hops;
    for (const Hop &h : result.hops)
        hops.append(hopToJson(result, h));
    return QJsonObject{
        {QStringLiteral("target"), result.target},
        {QStringLiteral("dest"), addressOrNull(result.destination)},
        {QStringLiteral("source"), addressOrNull(result.source)},
        {QStringLiteral("ttl"), result.request.maxTtl},
        {QStringLiteral("packets"), result.request.queries},
        {QStringLiteral("method"), toString(result.method)},
        {QStringLiteral("transport"), result.transport},
        {QStringLiteral("flow"),
         result.request.flow == FlowMode::Paris ? QStringLiteral("paris") : QStringLiteral("classic")},
        {QStringLiteral("reached"), result.reached},
        {QStringLiteral("elapsed_ms"), std::round(result.elapsedMs * 10) / 10},
        {QStringLiteral("ping_time"), hops},
        {QStringLiteral("error"), errorToJson(result.error, result.errorMessage)},
    };
}

QJsonObject pingToJson(const PingResult &result)
{
    QJsonArray pings;
    for (const ProbeReply &r : result.replies)
        pings.append(replyToJson(r));
    return QJsonObject{
        {QStringLiteral("source"), addressOrNull(result.source)},
        {QStringLiteral("target"), result.target},
        {QStringLiteral("dest"), addressOrNull(result.destination)},
        {QStringLiteral("ttl"), result.request.ttl},
        {QStringLiteral("packets"), result.request.count},
        {QStringLiteral("ping_time"), pings},
        {QStringLiteral("method"), toString(result.method)},
        {QStringLiteral("transport"), result.transport},
        {QStringLiteral("reached"), result.anyReachedDestination()},
        {QStringLiteral("stats"), statsToJson(result.stats())},
        {QStringLiteral("elapsed_ms"), std::round(result.elapsedMs * 10) / 10},
        {QStringLiteral("error"), errorToJson(result.error, result.errorMessage)},
    };
}

QString formatHopLine(const Hop &hop, int ttlWidth)
{
    QString line = QStringLiteral("%1 ").arg(hop.ttl, ttlWidth);
    QHostAddress last;
    for (const ProbeReply &r : hop.replies) {
        if (!r.answered()) {
            line += QStringLiteral(" *");
            continue;
        }
        // Like traceroute: name the responder again only when it changes.
        if (r.responder != last) {
            line += QStringLiteral(" %1").arg(r.responder.toString());
            last = r.responder;
        }
        line += QStringLiteral("  %1 ms").arg(formatMs(r.rttMs));
        line += unreachableMark(r, r.responder.protocol() == QAbstractSocket::IPv6Protocol);
    }
    return line;
}

QString formatTraceHeader(const TraceResult &started)
{
    return QStringLiteral("traceroute to %1 (%2) from %3, %4 hops max, %5 probes per hop, %6")
        .arg(started.target, started.destination.toString(),
             started.source.isNull() ? QStringLiteral("?") : started.source.toString())
        .arg(started.request.maxTtl)
        .arg(started.request.queries)
        .arg(started.transport);
}

QString formatTraceSummary(const TraceResult &result)
{
    if (result.error != TraceError::None)
        return QStringLiteral("trace stopped: %1").arg(result.errorMessage);
    const QString how = result.reached
                            ? QStringLiteral("reached %1").arg(result.destination.toString())
                            : QStringLiteral("did not reach %1").arg(result.destination.toString());
    return QStringLiteral("%1 in %2, %3 s")
        .arg(how, result.hops.size() == 1 ? QStringLiteral("1 hop")
                                          : QStringLiteral("%1 hops").arg(result.hops.size()))
        .arg(result.elapsedMs / 1000.0, 0, 'f', 2);
}

QString formatPingHeader(const PingResult &started)
{
    return QStringLiteral("PING %1 (%2) from %3, ttl %4, %5")
        .arg(started.target, started.destination.toString(),
             started.source.isNull() ? QStringLiteral("?") : started.source.toString())
        .arg(started.request.ttl)
        .arg(started.transport);
}

QString formatPingReplyLine(const PingResult &context, const ProbeReply &r)
{
    if (!r.answered())
        return QStringLiteral("attempt %1: no answer within %2 s")
            .arg(r.query)
            .arg(context.request.timeoutSec);
    QString what = toString(r.kind);
    if (r.icmpType >= 0)
        what += QStringLiteral(" (type %1 code %2)").arg(r.icmpType).arg(r.icmpCode);
    return QStringLiteral("attempt %1: %2 from %3  time=%4 ms")
        .arg(r.query)
        .arg(what, r.responder.toString(), formatMs(r.rttMs));
}

QString formatPingSummary(const PingResult &result)
{
    if (result.error != TraceError::None && result.error != TraceError::Cancelled)
        return QStringLiteral("ping stopped: %1").arg(result.errorMessage);
    const RttStats s = result.stats();
    int fromDest = 0;
    for (const ProbeReply &r : result.replies)
        fromDest += r.fromDestination ? 1 : 0;
    QString text =
        QStringLiteral("--- %1 ping statistics ---\n%2 sent, %3 answered (%4 by the destination), %5% loss")
            .arg(result.target)
            .arg(s.sent)
            .arg(s.received)
            .arg(fromDest)
            .arg(s.lossPercent, 0, 'f', 1);
    if (s.received > 0) {
        text += QStringLiteral("\nrtt min/avg/max/stddev = %1/%2/%3/%4 ms")
                    .arg(formatMs(s.bestMs), formatMs(s.avgMs), formatMs(s.worstMs), formatMs(s.stddevMs));
    }
    return text;
}

QString formatReport(const TraceResult &result)
{
    QStringList lines;
    lines << QStringLiteral("HOST: %1 -> %2").arg(result.source.toString(), result.destination.toString());
    // TTL, address, then mtr's statistics.
    static const QList<int> widths = {4, -40, 6, 4, 8, 8, 8, 8, 8};
    lines << textRow(QStringList{QStringLiteral("TTL"), QStringLiteral("Address")} + mtrStatHeads(), widths);
    auto ms = [](double v) {
        return v < 0 ? QStringLiteral("-") : QString::number(v, 'f', 3);
    };
    for (const Hop &h : result.hops) {
        const RttStats s = h.stats();
        const QList<QHostAddress> who = h.responders();
        QStringList names;
        for (const QHostAddress &a : who)
            names << a.toString();
        const QString address = names.isEmpty() ? QStringLiteral("???") : names.join(QLatin1Char(' '));
        lines << textRow({QString::number(h.ttl), address, QString::number(s.lossPercent, 'f', 1),
                          QString::number(s.sent), ms(s.lastMs), ms(s.avgMs), ms(s.bestMs), ms(s.worstMs),
                          ms(s.stddevMs)},
                         widths);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace tracemap
