#include "specialranges.h"

namespace tracemap {

namespace {

SpecialRange range(const char *prefix, const char *name, const char *reason)
{
    const QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(QString::fromLatin1(prefix));
    Q_ASSERT(subnet.second >= 0);
    return SpecialRange{subnet.first, subnet.second, QString::fromLatin1(name), QString::fromLatin1(reason)};
}

} // namespace

const QList<SpecialRange> &specialRanges()
{
    // Sources: IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890 and the RFCs they cite.
    static const QList<SpecialRange> all = {
        // IPv4
        range("0.0.0.0/8", "this-network", "\"this network\" (0.0.0.0/8, RFC 791): not a real host address"),
        range("10.0.0.0/8", "private-use",
              "private address (10.0.0.0/8, RFC 1918): only meaningful inside a local network"),
        range("100.64.0.0/10", "shared-address",
              "carrier-grade NAT address (100.64.0.0/10, RFC 6598): inside the provider's network"),
        range("127.0.0.0/8", "loopback", "loopback address (127.0.0.0/8): this machine"),
        range("169.254.0.0/16", "link-local",
              "link-local address (169.254.0.0/16, RFC 3927): this network segment only"),
        range("172.16.0.0/12", "private-use",
              "private address (172.16.0.0/12, RFC 1918): only meaningful inside a local network"),
        range("192.0.0.0/24", "ietf-protocol",
              "IETF protocol assignment (192.0.0.0/24, RFC 6890): not a public host"),
        range("192.0.0.0/29", "ipv4-service-continuity",
              "IPv4 service continuity prefix (192.0.0.0/29, RFC 7335): local to a DS-Lite tunnel"),
        range("192.0.0.8/32", "ipv4-dummy",
              "IPv4 dummy address (192.0.0.8, RFC 7600): stands for a router without an address"),
        range("192.0.0.170/31", "nat64-discovery",
              "NAT64/DNS64 discovery address (192.0.0.170/31, RFC 7050): not a real host"),
        range("192.0.2.0/24", "documentation",
              "documentation address (TEST-NET-1, 192.0.2.0/24, RFC 5737): used in examples only"),
        range("192.31.196.0/24", "anycast",
              "AS112 anycast service (192.31.196.0/24, RFC 7535): answered from many places at once"),
        range("192.52.193.0/24", "anycast",
              "AMT relay anycast (192.52.193.0/24, RFC 7450): answered from many places at once"),
        range("192.88.99.0/24", "6to4-relay",
              "6to4 relay anycast (192.88.99.0/24, RFC 7526, deprecated): answered from many places at once"),
        range("192.168.0.0/16", "private-use",
              "private address (192.168.0.0/16, RFC 1918): only meaningful inside a local network"),
        range(
            "192.175.48.0/24", "anycast",
            "AS112 direct delegation anycast (192.175.48.0/24, RFC 7534): answered from many places at once"),
        range("198.18.0.0/15", "benchmarking",
              "benchmarking address (198.18.0.0/15, RFC 2544): for test networks only"),
        range("198.51.100.0/24", "documentation",
              "documentation address (TEST-NET-2, 198.51.100.0/24, RFC 5737): used in examples only"),
        range("203.0.113.0/24", "documentation",
              "documentation address (TEST-NET-3, 203.0.113.0/24, RFC 5737): used in examples only"),
        range("224.0.0.0/4", "multicast",
              "multicast group address (224.0.0.0/4, RFC 5771): a group, not a place"),
        range("240.0.0.0/4", "reserved",
              "reserved address (240.0.0.0/4, RFC 1112): not in use on the internet"),
        range("255.255.255.255/32", "broadcast",
              "limited broadcast address (255.255.255.255, RFC 919): this network segment"),
        // IPv6
        range("::/128", "unspecified", "unspecified address (::, RFC 4291): no address at all"),
        range("::1/128", "loopback", "loopback address (::1, RFC 4291): this machine"),
        range("::ffff:0:0/96", "ipv4-mapped",
              "IPv4-mapped address (::ffff:0.0.0.0/96, RFC 4291): stands for an IPv4 address"),
        range("64:ff9b::/96", "nat64",
              "NAT64 well-known prefix (64:ff9b::/96, RFC 6052): translated by a nearby NAT64 gateway"),
        range("64:ff9b:1::/48", "nat64-local",
              "local-use IPv4/IPv6 translation prefix (64:ff9b:1::/48, RFC 8215): a private translator"),
        range("100::/64", "discard-only",
              "discard-only prefix (100::/64, RFC 6666): a black hole, not a host"),
        range("100:0:0:1::/64", "dummy", "dummy IPv6 prefix (100:0:0:1::/64): not a real host"),
        range("2001::/23", "ietf-protocol",
              "IETF protocol assignment (2001::/23, RFC 2928): not an ordinary host"),
        range("2001::/32", "teredo",
              "Teredo tunnel address (2001::/32, RFC 4380): the host sits behind a NAT somewhere else"),
        range("2001:1::1/128", "anycast",
              "Port Control Protocol anycast (2001:1::1, RFC 7723): answered from many places"),
        range("2001:1::2/128", "anycast",
              "Traversal Using Relays around NAT anycast (2001:1::2, RFC 8155): answered from many places"),
        range("2001:2::/48", "benchmarking",
              "benchmarking address (2001:2::/48, RFC 5180): for test networks only"),
        range("2001:3::/32", "amt", "AMT address (2001:3::/32, RFC 7450): automatic multicast tunnelling"),
        range("2001:4:112::/48", "anycast",
              "AS112-v6 anycast (2001:4:112::/48, RFC 7535): answered from many places at once"),
        range("2001:10::/28", "orchid",
              "ORCHID identifier (2001:10::/28, RFC 4843, deprecated): not routable"),
        range("2001:20::/28", "orchid",
              "ORCHIDv2 identifier (2001:20::/28, RFC 7343): a cryptographic name, not a place"),
        range("2001:30::/28", "drone-id",
              "drone remote ID prefix (2001:30::/28, RFC 9374): a name, not a place"),
        range("2001:db8::/32", "documentation",
              "documentation address (2001:db8::/32, RFC 3849): used in examples only"),
        range("2002::/16", "6to4",
              "6to4 tunnel address (2002::/16, RFC 3056): stands for an IPv4 host behind a tunnel"),
        range("2620:4f:8000::/48", "anycast",
              "AS112 direct delegation anycast (2620:4f:8000::/48, RFC 7534): answered from many places"),
        range("3fff::/20", "documentation",
              "documentation address (3fff::/20, RFC 9637): used in examples only"),
        range("5f00::/16", "srv6",
              "SRv6 segment identifier (5f00::/16, RFC 9602): a routing instruction, not a host"),
        range("fc00::/7", "unique-local",
              "unique local address (fc00::/7, RFC 4193): only meaningful inside a private network"),
        range("fe80::/10", "link-local",
              "link-local address (fe80::/10, RFC 4291): this network segment only"),
        range("fec0::/10", "site-local",
              "site-local address (fec0::/10, RFC 3879, deprecated): only meaningful inside a site"),
        range("ff00::/8", "multicast", "multicast group address (ff00::/8, RFC 4291): a group, not a place"),
    };
    return all;
}

std::optional<SpecialRange> classifySpecialAddress(const QHostAddress &input)
{
    const QHostAddress address = normalizedAddress(input);
    if (address.isNull())
        return std::nullopt;
    const SpecialRange *best = nullptr;
    for (const SpecialRange &r : specialRanges()) {
        if (r.network.protocol() != address.protocol())
            continue;
        if ((!best || r.prefixLength > best->prefixLength) && address.isInSubnet(r.network, r.prefixLength))
            best = &r;
    }
    if (best)
        return *best;
    static const QPair<QHostAddress, int> globalUnicast =
        QHostAddress::parseSubnet(QStringLiteral("2000::/3"));
    if (address.protocol() == QAbstractSocket::IPv6Protocol &&
        !address.isInSubnet(globalUnicast.first, globalUnicast.second)) {
        return SpecialRange{
            QHostAddress(QStringLiteral("::")), 0, QStringLiteral("reserved"),
            QStringLiteral("reserved IPv6 address (outside the global unicast space 2000::/3, "
                           "RFC 4291): not in use on the internet")};
    }
    return std::nullopt;
}

} // namespace tracemap
