#pragma once
// One normal form for IP addresses, used wherever an address is a key (caches, lookups, hop
// tables) or is shown: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it
// carries, and a scope id (fe80::1%eth0) is dropped. Nothing else changes: "::" stays "::"
// (QHostAddress::toIPv4Address() would turn it into 0.0.0.0), and so do IPv4-compatible
// addresses (::a.b.c.d), which are not IPv4 addresses in disguise.

#include <QHostAddress>
#include <QString>

#include <optional>

namespace tracemap {

// ::ffff:a.b.c.d -> a.b.c.d, scope id dropped; every other address unchanged (null stays null).
QHostAddress normalizedAddress(const QHostAddress &address);

// ::ffff:a.b.c.d -> a.b.c.d and nothing else: a scope id stays, because whoever sends to the
// address (the engine, the agent's resolver) needs the interface of fe80::1%eth0.
QHostAddress unmappedAddress(const QHostAddress &address);

// The IPv4 address as a number when `address` is one (or an IPv4-mapped IPv6 address).
std::optional<quint32> ipv4Of(const QHostAddress &address);

// normalizedAddress(address).toString(): the text key of an address in tables and caches.
QString addressKey(const QHostAddress &address);

} // namespace tracemap
