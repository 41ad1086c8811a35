#include "offline.h"

#include "address.h"

#include <QHostAddress>

namespace tracemap {

bool reachableOffline(const QUrl &url)
{
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return false;
    const QString host = url.host().toLower(); // QUrl drops an IPv6 literal's brackets
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && normalizedAddress(address).isLoopback();
}

QString offlineRefusal(const QUrl &url)
{
    const QString host = url.host().isEmpty() ? url.toString(QUrl::RemoveUserInfo) : url.host();
    return QStringLiteral("offline: %1 was not contacted (only this machine is while offline)").arg(host);
}

} // namespace tracemap
