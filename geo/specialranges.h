#pragma once
// IANA special-purpose address blocks (RFC 6890 registries for IPv4 and IPv6, plus the blocks
// that are not global unicast). An address in one of them has no place a database could know:
// it is reported as unlocatable with the block's reason and never sent to any service.

#include "address.h" // normalizedAddress(): ::ffff:a.b.c.d is a.b.c.d

#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace tracemap {

struct SpecialRange
{
    QHostAddress network;
    int prefixLength = 0;
    QString name;   // short name, e.g. "private-use", "documentation"
    QString reason; // one sentence for the user

    QString prefix() const { return network.toString() + QLatin1Char('/') + QString::number(prefixLength); }
};

// Every block, IPv4 then IPv6. Blocks may nest; classifySpecialAddress picks the longest match.
const QList<SpecialRange> &specialRanges();

// The most specific special block holding `address`, or nothing for an ordinary public address.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are classified as their IPv4 address; IPv6
// outside 2000::/3 that no narrower block names is reported as reserved.
std::optional<SpecialRange> classifySpecialAddress(const QHostAddress &address);

} // namespace tracemap
