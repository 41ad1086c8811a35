#pragma once
// libmaxminddb helpers shared by MmdbProvider and AsDatabase (internal to geo/): typed reads
// below an entry, the sockaddr libmaxminddb wants (IPv4-mapped IPv6 addresses become IPv4,
// see base/address.h), the prefix a lookup matched, and how a file names its vendor.

#include <QHostAddress>
#include <QString>

#include <maxminddb.h>

#include <initializer_list>
#include <netinet/in.h>

namespace tracemap::mmdb {

QString dataString(const MMDB_entry_data_s &data);
// Reads the value at a path below `entry`; the path is a null-terminated list of keys.
bool valueAt(MMDB_entry_s *entry, MMDB_entry_data_s *data, const char *const *path);
QString stringAt(MMDB_entry_s *entry, std::initializer_list<const char *> keys);
double numberAt(MMDB_entry_s *entry, std::initializer_list<const char *> keys); // NaN when absent

struct SocketAddress
{
    sockaddr_storage storage{};
    bool isV4 = false;
    bool valid = false;
};
SocketAddress toSocketAddress(const QHostAddress &address);
// The matched network as "a.b.c.d/n" (libmaxminddb counts IPv4 prefixes in the IPv6 tree).
QString prefixText(const QHostAddress &address, bool isV4, uint16_t netmask);

bool looksLikeDbIp(const QString &path, const QString &type, const QString &description);
bool looksLikeMaxMind(const QString &type);

} // namespace tracemap::mmdb
