#pragma once
// The offline origin-AS table behind HostInfoResolver: an AS MMDB or the CSV ranges of
// @ip-location-db/asn, loaded once (on a worker thread by the resolver) and then read-only,
// so lookups from any thread are safe. A file that cannot be read is reported in
// loadErrors(), never fatal.

#include "geotypes.h"

#include <QHostAddress>
#include <QStringList>

#include <memory>

namespace tracemap {

// Origin AS from offline tables. Accepts MaxMind-style AS MMDBs (autonomous_system_number,
// autonomous_system_organization) and the CSV ranges of @ip-location-db/asn
// ("first,last,asn,organisation", IPv4 or IPv6). CSV tables are parsed into sorted arrays
// (about 10 MB for the full IPv4+IPv6 table).
class AsDatabase
{
public:
    explicit AsDatabase(const QStringList &paths);
    ~AsDatabase();

    bool isLoaded() const;
    QStringList loadErrors() const;
    // Invalid AsInfo when no table covers the address.
    AsInfo lookup(const QHostAddress &address) const;
    QStringList attributions() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace tracemap
