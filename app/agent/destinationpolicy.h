// The agent's destination policy as pure functions: which addresses and ports a caller may
// probe. Addresses are checked after resolving; IPv4 carried inside IPv6 (IPv4-mapped,
// IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo 2001::/32) is checked against
// the IPv4 rules too, so an IPv4 deny cannot be bypassed by writing the address in IPv6.
// No I/O here except ownAddresses(), which reads the interface list once per (re)load.
#pragma once

#include "agentconfig.h"

#include <QHostAddress>
#include <QList>
#include <QString>

namespace tracemap::agent {

// The IPv4 addresses an IPv6 address carries (empty for a plain IPv6 or IPv4 address).
// Teredo yields the server (bits 32-63) and the client (last 32 bits, inverted).
QList<QHostAddress> embeddedIPv4(const QHostAddress &address);

// Unspecified, limited broadcast, multicast and 240/4: refused whatever the config says.
const QList<Prefix> &alwaysDenied();
// Loopback, link-local, private, CGNAT, unique-local, documentation and benchmarking ranges:
// refused by default when the agent listens on a non-loopback address (Config::denyInternal),
// unless a configured allow prefix covers the address.
const QList<Prefix> &internalPrefixes();

// The machine's own addresses and the broadcast addresses of its subnets.
QList<QHostAddress> ownAddresses();
QList<QHostAddress> ownBroadcasts();

// Why `address` may not be probed; empty when it may.
QString destinationRefusal(const Config &config, const QHostAddress &address);

// "80, 443, 33434-33534" -> ranges; false on garbage.
bool parsePortRanges(const QString &text, QList<PortRange> *ranges);
// Whether a TCP/UDP destination port may be probed (ICMP has none to check).
bool portAllowed(const Config &config, quint16 port);

} // namespace tracemap::agent
