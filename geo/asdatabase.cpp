#include "asdatabase.h"

#include "mmdbread.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <string_view>
#include <unordered_map>

Q_LOGGING_CATEGORY(lcAsTable, "tracemap.geo.astable", QtWarningMsg)

namespace tracemap {

using namespace mmdb;

// ---------------------------------------------------------------------------------------------

namespace {

using Ip6 = std::array<quint8, 16>;

struct RangeV4
{
    quint32 first;
    quint32 last;
    quint32 asn;
    quint32 org;
};

struct RangeV6
{
    Ip6 first;
    Ip6 last;
    quint32 asn;
    quint32 org;
};

// The range of `ranges` (sorted by their first address, not overlapping) that holds `ip`, or null.
template<typename Range, typename Ip>
const Range *rangeHolding(const std::vector<Range> &ranges, const Ip &ip)
{
    auto it = std::upper_bound(ranges.begin(), ranges.end(), ip,
                               [](const Ip &value, const Range &range) { return value < range.first; });
    if (it == ranges.begin())
        return nullptr;
    --it;
    return ip <= it->last ? &*it : nullptr;
}

// One CSV line of @ip-location-db/asn: first,last,asn,"organisation, maybe quoted".
// Views into the file's bytes: the table has half a million lines, parsed without copies.
struct AsLine
{
    std::string_view first, last, asn, org;
};

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

bool splitAsLine(std::string_view line, AsLine *out)
{
    std::string_view fields[3];
    for (std::string_view &field : fields) {
        const size_t comma = line.find(',');
        if (comma == std::string_view::npos)
            return false;
        field = trimmed(line.substr(0, comma));
        line.remove_prefix(comma + 1);
    }
    out->first = fields[0];
    out->last = fields[1];
    out->asn = fields[2];
    out->org = trimmed(line);
    return true;
}

bool parseUInt(std::string_view text, quint64 *value)
{
    if (text.empty() || text.size() > 20)
        return false;
    quint64 v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + quint64(c - '0');
    }
    *value = v;
    return true;
}

// "1.1.1.0/24" when the range is one CIDR block, else "first-last".
QString v4RangeText(quint32 first, quint32 last)
{
    const quint64 size = quint64(last) - first + 1;
    if ((size & (size - 1)) == 0 && (first & quint32(size - 1)) == 0) {
        int length = 32;
        for (quint64 s = size; s > 1; s >>= 1)
            --length;
        return QHostAddress(first).toString() + QLatin1Char('/') + QString::number(length);
    }
    return QHostAddress(first).toString() + QLatin1Char('-') + QHostAddress(last).toString();
}

// The same for IPv6: "2a00:1450::/32" when first..last is one block.
QString v6RangeText(const Ip6 &first, const Ip6 &last)
{
    const auto bitAt = [](const Ip6 &a, int bit) {
        return (a[size_t(bit / 8)] >> (7 - bit % 8)) & 1;
    };
    int length = 128;
    while (length > 0 && bitAt(first, length - 1) == 0 && bitAt(last, length - 1) == 1)
        --length;
    bool oneBlock = true;
    for (int bit = 0; bit < length && oneBlock; ++bit)
        oneBlock = bitAt(first, bit) == bitAt(last, bit);
    const QString from = QHostAddress(first.data()).toString();
    if (oneBlock)
        return from + QLatin1Char('/') + QString::number(length);
    return from + QLatin1Char('-') + QHostAddress(last.data()).toString();
}

} // namespace

struct AsDatabase::Private
{
    struct Mmdb
    {
        MMDB_s mmdb{};
        QString path;
        ~Mmdb() { MMDB_close(&mmdb); }
    };
    std::vector<std::unique_ptr<Mmdb>> mmdbs;
    std::vector<RangeV4> v4;
    std::vector<RangeV6> v6;
    QStringList orgs;
    QStringList errors;
    bool csvLoaded = false;
    bool mmdbDbIp = false;

    void loadCsv(const QString &path);
};

void AsDatabase::Private::loadCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        errors << QStringLiteral("%1: %2").arg(path, file.errorString());
        return;
    }
    const QByteArray bytes = file.readAll();
    std::string_view rest(bytes.constData(), size_t(bytes.size()));
    std::unordered_map<std::string_view, quint32> orgIndex; // views into `bytes`, alive during the load
    v4.reserve(v4.size() + size_t(bytes.size() / 55));
    qsizetype rows = 0, bad = 0;
    char text[64];
    AsLine f;
    while (!rest.empty()) {
        const size_t end = rest.find('\n');
        std::string_view line = trimmed(rest.substr(0, end));
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (line.empty() || line.front() == '#')
            continue;
        ++rows;
        quint64 number = 0;
        if (!splitAsLine(line, &f) || !parseUInt(f.asn, &number) || number == 0 || number > 0xffffffffULL ||
            f.first.size() >= sizeof text || f.last.size() >= sizeof text) {
            ++bad;
            continue;
        }
        std::string_view orgText = f.org;
        QByteArray unquoted;
        if (orgText.size() >= 2 && orgText.front() == '"' && orgText.back() == '"') {
            orgText = orgText.substr(1, orgText.size() - 2);
            if (orgText.find("\"\"") != std::string_view::npos) {
                unquoted = QByteArray(orgText.data(), qsizetype(orgText.size())).replace("\"\"", "\"");
                orgText = {};
            }
        }
        quint32 org = 0;
        if (!unquoted.isNull()) {
            org = quint32(orgs.size());
            orgs << QString::fromUtf8(unquoted);
        } else if (const auto it = orgIndex.find(orgText); it != orgIndex.end()) {
            org = it->second;
        } else {
            org = quint32(orgs.size());
            orgs << QString::fromUtf8(orgText.data(), qsizetype(orgText.size()));
            orgIndex.emplace(orgText, org);
        }

        // inet_pton wants NUL-terminated strings.
        auto parse = [&](std::string_view field, int family, void *out) {
            std::memcpy(text, field.data(), field.size());
            text[field.size()] = '\0';
            return inet_pton(family, text, out) == 1;
        };
        in_addr a4{}, b4{};
        in6_addr a6{}, b6{};
        quint64 firstNumber = 0, lastNumber = 0;
        if (parse(f.first, AF_INET, &a4) && parse(f.last, AF_INET, &b4)) {
            v4.push_back({ntohl(a4.s_addr), ntohl(b4.s_addr), quint32(number), org});
        } else if (parse(f.first, AF_INET6, &a6) && parse(f.last, AF_INET6, &b6)) {
            RangeV6 range{};
            std::memcpy(range.first.data(), &a6, 16);
            std::memcpy(range.last.data(), &b6, 16);
            range.asn = quint32(number);
            range.org = org;
            v6.push_back(range);
        } else if (parseUInt(f.first, &firstNumber) && parseUInt(f.last, &lastNumber) &&
                   firstNumber <= 0xffffffffULL && lastNumber <= 0xffffffffULL) {
            // The "-num" variants (decimal addresses), IPv4 only.
            v4.push_back({quint32(firstNumber), quint32(lastNumber), quint32(number), org});
        } else {
            ++bad;
        }
    }
    if (rows == 0 || bad * 2 > rows) {
        errors << QStringLiteral("%1: not an AS range table (%2 of %3 lines unreadable)")
                      .arg(path)
                      .arg(bad)
                      .arg(rows);
        return;
    }
    if (bad > 0)
        qCWarning(lcAsTable).noquote() << path << ":" << bad << "unreadable lines skipped";
    csvLoaded = true;
}

AsDatabase::AsDatabase(const QStringList &paths) : d(std::make_unique<Private>())
{
    for (const QString &path : paths) {
        if (!QFileInfo(path).isFile()) {
            d->errors << QStringLiteral("%1: no such file").arg(path);
            continue;
        }
        if (path.endsWith(QLatin1String(".mmdb"), Qt::CaseInsensitive)) {
            auto db = std::make_unique<Private::Mmdb>();
            const int status = MMDB_open(QFile::encodeName(path).constData(), MMDB_MODE_MMAP, &db->mmdb);
            if (status != MMDB_SUCCESS) {
                std::memset(&db->mmdb, 0, sizeof db->mmdb);
                d->errors << QStringLiteral("%1: not a MaxMind DB file (%2)")
                                 .arg(path, QString::fromUtf8(MMDB_strerror(status)));
                continue;
            }
            db->path = path;
            if (looksLikeDbIp(path, QString::fromUtf8(db->mmdb.metadata.database_type), {}))
                d->mmdbDbIp = true;
            d->mmdbs.push_back(std::move(db));
        } else {
            d->loadCsv(path);
        }
    }
    const auto byFirstV4 = [](const RangeV4 &a, const RangeV4 &b) {
        return a.first < b.first;
    };
    const auto byFirstV6 = [](const RangeV6 &a, const RangeV6 &b) {
        return a.first < b.first;
    };
    std::sort(d->v4.begin(), d->v4.end(), byFirstV4);
    std::sort(d->v6.begin(), d->v6.end(), byFirstV6);
    for (const QString &error : std::as_const(d->errors))
        qCWarning(lcAsTable).noquote() << "AS table:" << error;
}

AsDatabase::~AsDatabase() = default;

bool AsDatabase::isLoaded() const
{
    return !d->mmdbs.empty() || !d->v4.empty() || !d->v6.empty();
}

QStringList AsDatabase::loadErrors() const
{
    return d->errors;
}

QStringList AsDatabase::attributions() const
{
    QStringList lines;
    if (d->csvLoaded)
        lines << QStringLiteral("AS data by RouteViews, DB-IP (https://db-ip.com) and the NRO, CC BY 4.0");
    if (d->mmdbDbIp)
        lines << QStringLiteral("IP to ASN by DB-IP (https://db-ip.com), CC BY 4.0");
    return lines;
}

AsInfo AsDatabase::lookup(const QHostAddress &address) const
{
    AsInfo info;
    SocketAddress sa = toSocketAddress(address);
    if (!sa.valid)
        return info;

    for (const auto &db : d->mmdbs) {
        if (!sa.isV4 && db->mmdb.metadata.ip_version == 4)
            continue;
        int error = MMDB_SUCCESS;
        MMDB_lookup_result_s result =
            MMDB_lookup_sockaddr(&db->mmdb, reinterpret_cast<const sockaddr *>(&sa.storage), &error);
        if (error != MMDB_SUCCESS || !result.found_entry)
            continue;
        const double number = numberAt(&result.entry, {"autonomous_system_number"});
        if (qIsNaN(number) || number <= 0)
            continue;
        info.number = quint32(number);
        info.name = stringAt(&result.entry, {"autonomous_system_organization"});
        info.prefix = prefixText(address, sa.isV4, result.netmask);
        return info;
    }

    if (sa.isV4) {
        const quint32 ip = ntohl(reinterpret_cast<const sockaddr_in *>(&sa.storage)->sin_addr.s_addr);
        if (const RangeV4 *range = rangeHolding(d->v4, ip)) {
            info.number = range->asn;
            info.name = d->orgs.value(int(range->org));
            info.prefix = v4RangeText(range->first, range->last);
        }
    } else {
        Ip6 ip;
        std::memcpy(ip.data(), &reinterpret_cast<const sockaddr_in6 *>(&sa.storage)->sin6_addr, 16);
        if (const RangeV6 *range = rangeHolding(d->v6, ip)) {
            info.number = range->asn;
            info.name = d->orgs.value(int(range->org));
            info.prefix = v6RangeText(range->first, range->last);
        }
    }
    return info;
}

} // namespace tracemap
