#include "destinationpolicy.h"

#include <QNetworkInterface>
#include <QRegularExpression>

namespace tracemap::agent {

namespace {

QList<Prefix> prefixList(std::initializer_list<const char *> texts)
{
    QList<Prefix> list;
    for (const char *text : texts) {
        Prefix p;
        parsePrefix(QString::fromLatin1(text), &p);
        list.append(p);
    }
    return list;
}

quint32 word(const Q_IPV6ADDR &a, int index)
{
    return (quint32(a[index * 4]) << 24) | (quint32(a[index * 4 + 1]) << 16) |
           (quint32(a[index * 4 + 2]) << 8) | quint32(a[index * 4 + 3]);
}

bool anyContains(const QList<Prefix> &prefixes, const QHostAddress &a, QString *which)
{
    for (const Prefix &p : prefixes) {
        if (p.contains(a)) {
            *which = p.text;
            return true;
        }
    }
    return false;
}

} // namespace

QList<QHostAddress> embeddedIPv4(const QHostAddress &address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return {};
    const Q_IPV6ADDR a = address.toIPv6Address();
    const quint32 w0 = word(a, 0);
    const quint32 w1 = word(a, 1);
    const quint32 w2 = word(a, 2);
    const quint32 w3 = word(a, 3);
    if (w0 == 0 && w1 == 0 && w2 == 0xffff)
        return {QHostAddress(w3)}; // IPv4-mapped ::ffff:a.b.c.d
    if (w0 == 0 && w1 == 0 && w2 == 0 && w3 > 1)
        return {QHostAddress(w3)}; // IPv4-compatible ::a.b.c.d (deprecated, still routable by some stacks)
    if (w0 == 0x0064ff9b && w1 == 0 && w2 == 0)
        return {QHostAddress(w3)}; // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052)
    if ((w0 >> 16) == 0x2002)
        return {QHostAddress(((w0 & 0xffff) << 16) | (w1 >> 16))}; // 6to4 2002:AABB:CCDD::/48
    if (w0 == 0x20010000)
        return {QHostAddress(w1), QHostAddress(~w3)}; // Teredo: server, client (inverted)
    return {};
}

const QList<Prefix> &alwaysDenied()
{
    // Unspecified, broadcast and multicast destinations are never useful to probe and can
    // fan out to many hosts.
    static const QList<Prefix> prefixes =
        prefixList({"0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32", "::/128", "ff00::/8"});
    return prefixes;
}

const QList<Prefix> &internalPrefixes()
{
    static const QList<Prefix> prefixes = prefixList({
        "127.0.0.0/8",     // loopback
        "10.0.0.0/8",      // private (RFC 1918)
        "172.16.0.0/12",   //
        "192.168.0.0/16",  //
        "100.64.0.0/10",   // CGNAT (RFC 6598)
        "169.254.0.0/16",  // link-local
        "192.0.0.0/24",    // IETF protocol assignments
        "192.0.2.0/24",    // documentation (RFC 5737)
        "198.51.100.0/24", //
        "203.0.113.0/24",  //
        "198.18.0.0/15",   // benchmarking (RFC 2544)
        "::1/128",         // loopback
        "fe80::/10",       // link-local
        "fec0::/10",       // site-local (deprecated, still private)
        "fc00::/7",        // unique-local
        "2001:db8::/32",   // documentation (RFC 3849)
        "2001:2::/48",     // benchmarking (RFC 5180)
    });
    return prefixes;
}

QList<QHostAddress> ownAddresses()
{
    QList<QHostAddress> out;
    for (const QHostAddress &a : QNetworkInterface::allAddresses())
        out.append(normalizedAddress(a)); // without the zone
    return out;
}

QList<QHostAddress> ownBroadcasts()
{
    QList<QHostAddress> out;
    for (const QNetworkInterface &i : QNetworkInterface::allInterfaces()) {
        for (const QNetworkAddressEntry &e : i.addressEntries()) {
            if (!e.broadcast().isNull())
                out.append(e.broadcast());
        }
    }
    return out;
}

QString destinationRefusal(const Config &config, const QHostAddress &address)
{
    // Without its zone (fe80::1%eth0): prefixes have none.
    const QHostAddress a = normalizedAddress(address);
    QString which;
    if (anyContains(alwaysDenied(), a, &which))
        return QStringLiteral("destination %1 is in %2, which is never probed").arg(a.toString(), which);
    for (const QHostAddress &b : config.broadcasts) {
        if (Prefix{b, b.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128, {}}.contains(a))
            return QStringLiteral("destination %1 is a broadcast address of this host's networks")
                .arg(a.toString());
    }
    // IPv4 inside IPv6 obeys the IPv4 rules (the IPv6 form must not be a way round them).
    for (const QHostAddress &v4 : embeddedIPv4(a)) {
        if (const QString refusal = destinationRefusal(config, v4); !refusal.isEmpty())
            return QStringLiteral("destination %1 carries the IPv4 address %2: %3")
                .arg(a.toString(), v4.toString(), refusal);
    }
    if (anyContains(config.deny, a, &which))
        return QStringLiteral("destination %1 is in the denied prefix %2").arg(a.toString(), which);
    QString allowedBy;
    const bool explicitlyAllowed = anyContains(config.allow, a, &allowedBy);
    if (config.denyInternal && !explicitlyAllowed) {
        for (const QHostAddress &own : config.ownAddresses) {
            if (Prefix{own, own.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128, {}}.contains(a))
                return QStringLiteral("destination %1 is this host's own address (allow it in the config "
                                      "to probe it)")
                    .arg(a.toString());
        }
        if (anyContains(internalPrefixes(), a, &which))
            return QStringLiteral("destination %1 is in the internal range %2, refused by default on a "
                                  "non-loopback listener (allow it in the config to probe it)")
                .arg(a.toString(), which);
    }
    if (config.allow.isEmpty() || explicitlyAllowed)
        return {};
    return QStringLiteral("destination %1 is outside the allowed prefixes").arg(a.toString());
}

bool parsePortRanges(const QString &text, QList<PortRange> *ranges)
{
    QList<PortRange> out;
    for (QString item : text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        const QStringList ends = item.split(QLatin1Char('-'));
        if (ends.size() > 2)
            return false;
        bool ok1 = false;
        bool ok2 = false;
        const int first = ends.first().toInt(&ok1);
        const int last = ends.size() == 2 ? ends.last().toInt(&ok2) : first;
        if (!ok1 || (ends.size() == 2 && !ok2) || first < 1 || last > 65535 || first > last)
            return false;
        out.append({quint16(first), quint16(last)});
    }
    *ranges = out;
    return true;
}

bool portAllowed(const Config &config, quint16 port)
{
    for (const PortRange &r : config.allowedPorts) {
        if (port >= r.first && port <= r.last)
            return true;
    }
    return false;
}

} // namespace tracemap::agent
