// Validation of trace and ping requests (declared in traceengine.h): every bad value gets
// one clear sentence, before anything is resolved or sent.
#include "traceengine.h"

#include <QRegularExpression>

namespace tracemap {

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
    if (r.firstTtl < 1 || r.firstTtl > 255)
        return QStringLiteral("first TTL must be 1-255, got %1").arg(r.firstTtl);
    if (r.maxTtl < 1 || r.maxTtl > 255)
        return QStringLiteral("max TTL must be 1-255, got %1").arg(r.maxTtl);
    if (r.firstTtl > r.maxTtl)
        return QStringLiteral("first TTL (%1) is above max TTL (%2)").arg(r.firstTtl).arg(r.maxTtl);
    if (r.queries < 1 || r.queries > 10)
        return QStringLiteral("queries must be 1-10, got %1").arg(r.queries);
    if (!(r.timeoutSec >= 0.1 && r.timeoutSec <= 60))
        return QStringLiteral("timeout must be 0.1-60 seconds, got %1").arg(r.timeoutSec);
    if (r.maxGap < 1 || r.maxGap > 255)
        return QStringLiteral("max gap must be 1-255, got %1").arg(r.maxGap);
    if (r.maxInFlight < 1 || r.maxInFlight > 1024)
        return QStringLiteral("max in flight must be 1-1024, got %1").arg(r.maxInFlight);
    if (!(r.hereFactor > 0) || !(r.nearFactor > 0))
        return QStringLiteral("adaptive wait factors must be positive");
    return {};
}

QString validate(const PingRequest &r)
{
    if (QString e = validateHost(r.target); !e.isEmpty())
        return e;
    if (r.count < 1 || r.count > 100000)
        return QStringLiteral("count must be 1-100000, got %1").arg(r.count);
    if (!(r.intervalSec >= 0.01 && r.intervalSec <= 3600))
        return QStringLiteral("interval must be 0.01-3600 seconds, got %1").arg(r.intervalSec);
    if (r.ttl < 1 || r.ttl > 255)
        return QStringLiteral("TTL must be 1-255, got %1").arg(r.ttl);
    if (!(r.timeoutSec >= 0.1 && r.timeoutSec <= 60))
        return QStringLiteral("timeout must be 0.1-60 seconds, got %1").arg(r.timeoutSec);
    return {};
}

} // namespace tracemap
