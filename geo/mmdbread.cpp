#include "mmdbread.h"

#include "address.h"

#include <QFileInfo>

#include <cstring>
#include <vector>

namespace tracemap::mmdb {

QString dataString(const MMDB_entry_data_s &data)
{
    if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING)
        return {};
    return QString::fromUtf8(data.utf8_string, int(data.data_size));
}

bool valueAt(MMDB_entry_s *entry, MMDB_entry_data_s *data, const char *const *path)
{
    const int status = MMDB_aget_value(entry, data, path);
    return status == MMDB_SUCCESS && data->has_data;
}

QString stringAt(MMDB_entry_s *entry, std::initializer_list<const char *> keys)
{
    std::vector<const char *> path(keys);
    path.push_back(nullptr);
    MMDB_entry_data_s data{};
    if (!valueAt(entry, &data, path.data()))
        return {};
    return dataString(data);
}

double numberAt(MMDB_entry_s *entry, std::initializer_list<const char *> keys)
{
    std::vector<const char *> path(keys);
    path.push_back(nullptr);
    MMDB_entry_data_s data{};
    if (!valueAt(entry, &data, path.data()))
        return qQNaN();
    switch (data.type) {
    case MMDB_DATA_TYPE_DOUBLE:
        return data.double_value;
    case MMDB_DATA_TYPE_FLOAT:
        return double(data.float_value);
    case MMDB_DATA_TYPE_UINT16:
        return double(data.uint16);
    case MMDB_DATA_TYPE_UINT32:
        return double(data.uint32);
    case MMDB_DATA_TYPE_INT32:
        return double(data.int32);
    case MMDB_DATA_TYPE_UINT64:
        return double(data.uint64);
    case MMDB_DATA_TYPE_UTF8_STRING: {
        bool ok = false;
        const double value = dataString(data).toDouble(&ok);
        return ok ? value : qQNaN();
    }
    default:
        return qQNaN();
    }
}

SocketAddress toSocketAddress(const QHostAddress &address)
{
    SocketAddress result;
    if (const std::optional<quint32> v4 = ipv4Of(address)) {
        auto *in = reinterpret_cast<sockaddr_in *>(&result.storage);
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(*v4);
        result.isV4 = true;
        result.valid = true;
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&result.storage);
        in6->sin6_family = AF_INET6;
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, 16);
        result.valid = true;
    }
    return result;
}

QString prefixText(const QHostAddress &address, bool isV4, uint16_t netmask)
{
    // libmaxminddb counts the prefix in the IPv6 tree even for IPv4 lookups.
    int length = netmask;
    QHostAddress base = address;
    if (isV4) {
        base = normalizedAddress(address);
        if (length >= 96)
            length -= 96;
    }
    const auto subnet =
        QHostAddress::parseSubnet(base.toString() + QLatin1Char('/') + QString::number(length));
    return subnet.first.toString() + QLatin1Char('/') + QString::number(subnet.second);
}

bool looksLikeDbIp(const QString &path, const QString &type, const QString &description)
{
    const QString all =
        (QFileInfo(path).fileName() + QLatin1Char(' ') + type + QLatin1Char(' ') + description).toLower();
    return all.contains(QLatin1String("dbip")) || all.contains(QLatin1String("db-ip"));
}

bool looksLikeMaxMind(const QString &type)
{
    return type.contains(QLatin1String("GeoLite2"), Qt::CaseInsensitive) ||
           type.contains(QLatin1String("GeoIP2"), Qt::CaseInsensitive);
}

} // namespace tracemap::mmdb
