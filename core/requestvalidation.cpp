// Validation of trace and ping requests (declared in traceengine.h): every bad value gets
// one clear sentence, before anything is resolved or sent.
#include "traceengine.h"
#include "traceoptions.h"

#include <QRegularExpression>

namespace tracemap {

namespace {

bool within(double v, OptionRange r)
{
    return v >= r.min && v <= r.max; // false for NaN
}

// "first TTL must be 1-255, got 0"
QString outside(const char *what, OptionRange r, double v, const char *unit = "")
{
    return QStringLiteral("%1 must be %2-%3%4, got %5")
        .arg(QLatin1String(what), QString::number(r.min, 'g', 12), QString::number(r.max, 'g', 12),
             QLatin1String(unit), QString::number(v, 'g', 12));
}

} // namespace

QString validateHost(const QString &host)
{
    if (host.trimmed().isEmpty())
        return QStringLiteral("the host is empty");
    if (host != host.trimmed())
        return QStringLiteral("the host '%1' has surrounding spaces").arg(host.trimmed());
    QHostAddress literal;
    if (literal.setAddress(host))
        return {};
    if (host.size() > 253)
        return QStringLiteral("the host name is longer than 253 characters");
    static const QRegularExpression label(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$"));
    QStringList labels = host.split(QLatin1Char('.'));
    if (labels.size() > 1 && labels.last().isEmpty())
        labels.removeLast(); // a trailing dot names the root
    bool allNumeric = true;
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return QStringLiteral("'%1' is not a valid host name or address").arg(host);
        bool isNumber = false;
        l.toUInt(&isNumber);
        allNumeric = allNumeric && isNumber;
    }
    if (allNumeric)
        return QStringLiteral("'%1' is not a valid IPv4 address").arg(host);
    return {};
}

QString validate(const TraceRequest &r)
{
    if (QString e = validateHost(r.target); !e.isEmpty())
        return e;
    if (!within(r.firstTtl, kTtlRange))
        return outside("first TTL", kTtlRange, r.firstTtl);
    if (!within(r.maxTtl, kTtlRange))
        return outside("max TTL", kTtlRange, r.maxTtl);
    if (r.firstTtl > r.maxTtl)
        return QStringLiteral("first TTL (%1) is above max TTL (%2)").arg(r.firstTtl).arg(r.maxTtl);
    if (!within(r.queries, kQueriesRange))
        return outside("queries", kQueriesRange, r.queries);
    if (!within(r.timeoutSec, kTimeoutRange))
        return outside("timeout", kTimeoutRange, r.timeoutSec, " seconds");
    if (!within(r.maxGap, kMaxGapRange))
        return outside("max gap", kMaxGapRange, r.maxGap);
    if (!within(r.maxInFlight, kMaxInFlightRange))
        return outside("max in flight", kMaxInFlightRange, r.maxInFlight);
    if (!(r.hereFactor > 0) || !(r.nearFactor > 0))
        return QStringLiteral("adaptive wait factors must be positive");
    return {};
}

QString validate(const PingRequest &r)
{
    if (QString e = validateHost(r.target); !e.isEmpty())
        return e;
    if (!within(r.count, kCountRange))
        return outside("count", kCountRange, r.count);
    if (!within(r.intervalSec, kPingIntervalRange))
        return outside("interval", kPingIntervalRange, r.intervalSec, " seconds");
    if (!within(r.ttl, kTtlRange))
        return outside("TTL", kTtlRange, r.ttl);
    if (!within(r.timeoutSec, kTimeoutRange))
        return outside("timeout", kTimeoutRange, r.timeoutSec, " seconds");
    return {};
}

} // namespace tracemap
