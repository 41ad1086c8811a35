#include "tracetypes.h"

#include "enumnames.h"
#include "metatypes.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace tracemap {

QString toString(ProbeMethod method)
{
    switch (method) {
    case ProbeMethod::Auto:
        return QStringLiteral("auto");
    case ProbeMethod::Udp:
        return QStringLiteral("udp");
    case ProbeMethod::Icmp:
        return QStringLiteral("icmp");
    case ProbeMethod::Tcp:
        return QStringLiteral("tcp");
    }
    return {};
}

std::optional<ProbeMethod> probeMethodFromString(const QString &name)
{
    return enumFromName({ProbeMethod::Auto, ProbeMethod::Udp, ProbeMethod::Icmp, ProbeMethod::Tcp},
                        name.trimmed().toLower(), [](ProbeMethod m) { return toString(m); });
}

QString toString(ReplyKind kind)
{
    switch (kind) {
    case ReplyKind::None:
        return QStringLiteral("none");
    case ReplyKind::TimeExceeded:
        return QStringLiteral("time-exceeded");
    case ReplyKind::Unreachable:
        return QStringLiteral("unreachable");
    case ReplyKind::EchoReply:
        return QStringLiteral("echo-reply");
    case ReplyKind::TcpConnected:
        return QStringLiteral("tcp-connected");
    case ReplyKind::TcpRefused:
        return QStringLiteral("tcp-refused");
    case ReplyKind::OtherIcmp:
        return QStringLiteral("other-icmp");
    }
    return {};
}

QString toString(TraceError error)
{
    switch (error) {
    case TraceError::None:
        return QStringLiteral("none");
    case TraceError::InvalidRequest:
        return QStringLiteral("invalid-request");
    case TraceError::ResolveFailed:
        return QStringLiteral("resolve-failed");
    case TraceError::NoAddressForFamily:
        return QStringLiteral("no-address-for-family");
    case TraceError::PermissionDenied:
        return QStringLiteral("permission-denied");
    case TraceError::SocketError:
        return QStringLiteral("socket-error");
    case TraceError::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

RttStats computeStats(const QList<ProbeReply> &replies)
{
    RttStats s;
    s.sent = int(replies.size());
    double sum = 0.0;
    QList<double> rtts;
    for (const ProbeReply &r : replies) {
        if (!r.answered() || r.rttMs < 0)
            continue;
        rtts.append(r.rttMs);
        sum += r.rttMs;
        if (s.bestMs < 0 || r.rttMs < s.bestMs)
            s.bestMs = r.rttMs;
        if (r.rttMs > s.worstMs)
            s.worstMs = r.rttMs;
        s.lastMs = r.rttMs;
    }
    s.received = int(rtts.size());
    if (s.sent > 0)
        s.lossPercent = 100.0 * (s.sent - s.received) / s.sent;
    if (!rtts.isEmpty()) {
        s.avgMs = sum / rtts.size();
        double var = 0.0;
        for (double v : rtts)
            var += (v - s.avgMs) * (v - s.avgMs);
        s.stddevMs = std::sqrt(var / rtts.size());
    }
    return s;
}

QList<QHostAddress> Hop::responders() const
{
    QList<QHostAddress> out;
    for (const ProbeReply &r : replies) {
        if (!r.responder.isNull() && !out.contains(r.responder))
            out.append(r.responder);
    }
    return out;
}

namespace {

bool anyFromDestination(const QList<ProbeReply> &replies)
{
    return std::any_of(replies.cbegin(), replies.cend(),
                       [](const ProbeReply &r) { return r.fromDestination; });
}

} // namespace

bool Hop::reachedDestination() const
{
    return anyFromDestination(replies);
}

bool Hop::anyAnswer() const
{
    return std::any_of(replies.cbegin(), replies.cend(), [](const ProbeReply &r) { return r.answered(); });
}

bool PingResult::anyReachedDestination() const
{
    return anyFromDestination(replies);
}

void registerTraceTypes()
{
    registerMetaTypes<Hop, ProbeReply, TraceRequest, TraceResult, PingRequest, PingResult>();
}

} // namespace tracemap
