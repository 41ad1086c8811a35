#include "address.h"

namespace tracemap {

QHostAddress unmappedAddress(const QHostAddress &address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    // Only ::ffff:a.b.c.d is an IPv4 address in disguise.
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    bool mapped = bytes[10] == 0xff && bytes[11] == 0xff;
    for (int i = 0; i < 10 && mapped; ++i)
        mapped = bytes[i] == 0;
    if (mapped)
        return QHostAddress(quint32(bytes[12]) << 24 | quint32(bytes[13]) << 16 | quint32(bytes[14]) << 8 |
                            bytes[15]);
    return address;
}

QHostAddress normalizedAddress(const QHostAddress &address)
{
    QHostAddress normal = unmappedAddress(address);
    if (!normal.scopeId().isEmpty())
        normal.setScopeId(QString());
    return normal;
}

std::optional<quint32> ipv4Of(const QHostAddress &address)
{
    const QHostAddress normal = normalizedAddress(address);
    if (normal.protocol() != QAbstractSocket::IPv4Protocol)
        return std::nullopt;
    return normal.toIPv4Address();
}

QString addressKey(const QHostAddress &address)
{
    return normalizedAddress(address).toString();
}

} // namespace tracemap
