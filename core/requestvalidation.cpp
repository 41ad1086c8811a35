// Validation of trace and ping requests (declared in traceengine.h): every bad value gets
// one clear sentence, before anything is resolved or sent.
#include "traceengine.h"
#include "traceoptions.h"

#include <QRegularExpression>

#include <initializer_list>

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

// One bounded value of a request, with how to name it in the error.
struct RangeCheck
{
    const char *what;
    double value;
    OptionRange range;
    const char *unit = "";
};

// The error of the first check whose value lies outside its range, or empty.
QString firstOutside(std::initializer_list<RangeCheck> checks)
{
    for (const RangeCheck &c : checks) {
        if (!within(c.value, c.range))
            return outside(c.what, c.range, c.value, c.unit);
    }
    return {};
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
    if (QString e = firstOutside(
            {{"first TTL", double(r.firstTtl), kTtlRange}, {"max TTL", double(r.maxTtl), kTtlRange}});
        !e.isEmpty())
        return e;
    if (r.firstTtl > r.maxTtl)
        return QStringLiteral("first TTL (%1) is above max TTL (%2)").arg(r.firstTtl).arg(r.maxTtl);
    if (QString e = firstOutside({{"queries", double(r.queries), kQueriesRange},
                                  {"timeout", r.timeoutSec, kTimeoutRange, " seconds"},
                                  {"max gap", double(r.maxGap), kMaxGapRange},
                                  {"max in flight", double(r.maxInFlight), kMaxInFlightRange}});
        !e.isEmpty())
        return e;
    if (!(r.hereFactor > 0) || !(r.nearFactor > 0))
        return QStringLiteral("adaptive wait factors must be positive");
    return {};
}

QString validate(const PingRequest &r)
{
    if (QString e = validateHost(r.target); !e.isEmpty())
        return e;
    return firstOutside({{"count", double(r.count), kCountRange},
                         {"interval", r.intervalSec, kPingIntervalRange, " seconds"},
                         {"TTL", double(r.ttl), kTtlRange},
                         {"timeout", r.timeoutSec, kTimeoutRange, " seconds"}});
}

} // namespace tracemap
