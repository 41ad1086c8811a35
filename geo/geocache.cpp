#include "geocache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

#include <cmath>

Q_LOGGING_CATEGORY(lcGeoCache, "tracemap.geo.cache", QtWarningMsg)

namespace tracemap {

namespace {

constexpr int kSchemaVersion = 1;

QVariant realOrNull(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant(QMetaType(QMetaType::Double));
}

double realOrNaN(const QVariant &v)
{
    return v.isNull() ? qQNaN() : v.toDouble();
}

} // namespace

GeoPlace readPlaceColumns(const QSqlQuery &query, int first)
{
    GeoPlace place;
    place.latitude = realOrNaN(query.value(first));
    place.longitude = realOrNaN(query.value(first + 1));
    place.accuracyKm = query.value(first + 2).isNull() ? -1.0 : query.value(first + 2).toDouble();
    place.city = query.value(first + 3).toString();
    place.region = query.value(first + 4).toString();
    place.countryCode = query.value(first + 5).toString();
    place.country = query.value(first + 6).toString();
    place.displayName = query.value(first + 7).toString();
    return place;
}

void bindPlaceColumns(QSqlQuery &query, const GeoPlace &place)
{
    query.addBindValue(realOrNull(place.latitude));
    query.addBindValue(realOrNull(place.longitude));
    query.addBindValue(place.accuracyKm < 0 ? QVariant(QMetaType(QMetaType::Double))
                                            : QVariant(place.accuracyKm));
    query.addBindValue(place.city);
    query.addBindValue(place.region);
    query.addBindValue(place.countryCode);
    query.addBindValue(place.country);
    query.addBindValue(place.displayName);
}

GeoCache::GeoCache(const QString &path) : m_path(path.isEmpty() ? defaultPath() : path)
{
    if (m_path == QLatin1String("-"))
        return;
    open();
}

GeoCache::~GeoCache() = default;

QString GeoCache::defaultPath()
{
    // Shared by tracemap, tracemap-cli and tracemap-agent, whatever each program is called.
    QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.cache");
    return dir + QStringLiteral("/tracemap/geo-cache.sqlite");
}

QString GeoCache::sourceKey(double latitude, double longitude)
{
    if (!std::isfinite(latitude) || !std::isfinite(longitude))
        return {};
    // 0.1 degree (~10 km): a source moved within a city keeps its cache.
    return QStringLiteral("%1,%2").arg(latitude, 0, 'f', 1).arg(longitude, 0, 'f', 1);
}

void GeoCache::bypass(const QString &why)
{
    if (m_state == State::Bypassed)
        return;
    m_state = State::Bypassed;
    m_warning = QStringLiteral("geolocation cache %1 not used: %2").arg(m_path, why);
    qCWarning(lcGeoCache).noquote() << m_warning;
    m_store.close();
}

bool GeoCache::open()
{
    const bool open =
        m_store.open(m_path, [this](QSqlDatabase &db, QString *error) { return createSchema(db, error); });
    m_state = open ? State::Open : State::Bypassed;
    m_warning = m_store.message();
    return open;
}

bool GeoCache::createSchema(QSqlDatabase &db, QString *error)
{
    QSqlQuery q(db);
    auto run = [&](const QString &sql) {
        if (q.exec(sql))
            return true;
        *error = q.lastError().text();
        return false;
    };
    if (!run(QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")))
        return false;
    if (!run(QStringLiteral("SELECT value FROM meta WHERE key = 'schema'")))
        return false;
    const int version = q.next() ? q.value(0).toInt() : 0;
    if (version != kSchemaVersion) {
        if (!run(QStringLiteral("DROP TABLE IF EXISTS decisions")) ||
            !run(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', '%1')")
                     .arg(kSchemaVersion)))
            return false;
    }
    if (!run(QStringLiteral(
            "CREATE TABLE IF NOT EXISTS decisions ("
            " address TEXT PRIMARY KEY, status INTEGER NOT NULL, provider TEXT, detail TEXT, reason TEXT,"
            " confidence REAL, latitude REAL, longitude REAL, accuracy REAL, city TEXT, region TEXT,"
            " country_code TEXT, country TEXT, display_name TEXT, hostname TEXT, as_number INTEGER,"
            " as_name TEXT, as_prefix TEXT, as_country TEXT, as_registry TEXT, rejected TEXT,"
            " database_build TEXT, source_key TEXT, stored_at INTEGER NOT NULL, resolved_at INTEGER)")))
        return false;
    // Forget what has expired for any status, so the file does not grow forever.
    QSqlQuery prune(db);
    prune.prepare(QStringLiteral("DELETE FROM decisions WHERE stored_at < ?"));
    prune.addBindValue(QDateTime::currentSecsSinceEpoch() - std::max(m_positiveSeconds, m_negativeSeconds));
    prune.exec(); // a read-only file cannot be pruned; lookups still work
    return true;
}

std::optional<GeoResult> GeoCache::find(const QHostAddress &address, const GeoCacheContext &context,
                                        const QDateTime &now)
{
    if (m_state != State::Open)
        return std::nullopt;
    QSqlDatabase db = m_store.database();
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "SELECT status, provider, detail, reason, confidence, latitude, longitude, accuracy, city, region,"
        " country_code, country, display_name, hostname, as_number, as_name, as_prefix, as_country,"
        " as_registry, rejected, database_build, source_key, stored_at, resolved_at"
        " FROM decisions WHERE address = ?"));
    q.addBindValue(address.toString());
    if (!q.exec()) {
        if (SqliteStore::isCorruption(q.lastError().nativeErrorCode(), q.lastError().text()))
            bypass(q.lastError().text());
        else
            qCDebug(lcGeoCache) << "lookup failed:" << q.lastError().text();
        return std::nullopt;
    }
    if (!q.next())
        return std::nullopt;
    const auto status = GeoStatus(q.value(0).toInt());
    if (status != GeoStatus::Located && status != GeoStatus::Unlocatable)
        return std::nullopt;
    const qint64 lifetime = status == GeoStatus::Located ? m_positiveSeconds : m_negativeSeconds;
    const qint64 storedAt = q.value(22).toLongLong();
    if (storedAt + lifetime <= now.toSecsSinceEpoch() || storedAt > now.toSecsSinceEpoch() + 60)
        return std::nullopt;
    if (q.value(20).toString() != context.databaseBuild || q.value(21).toString() != context.sourceKey)
        return std::nullopt;
    if (context.hostnameGiven && q.value(13).toString() != context.hostname)
        return std::nullopt;

    GeoResult r;
    r.address = address;
    r.status = status;
    r.provider = q.value(1).toString();
    r.providerDetail = q.value(2).toString();
    r.reason = q.value(3).toString();
    r.confidence = q.value(4).toDouble();
    r.place = readPlaceColumns(q, 5);
    r.hostname = q.value(13).toString();
    r.as.number = quint32(q.value(14).toLongLong());
    r.as.name = q.value(15).toString();
    r.as.prefix = q.value(16).toString();
    r.as.countryCode = q.value(17).toString();
    r.as.registry = q.value(18).toString();
    for (const QJsonValue &v : QJsonDocument::fromJson(q.value(19).toString().toUtf8()).array())
        r.rejected << v.toString();
    r.resolvedAt = QDateTime::fromSecsSinceEpoch(q.value(23).toLongLong(), Qt::UTC);
    r.fromCache = true;
    return r;
}

void GeoCache::store(const GeoResult &r, const GeoCacheContext &context, const QDateTime &now)
{
    if (m_state != State::Open)
        return;
    if (r.status != GeoStatus::Located && r.status != GeoStatus::Unlocatable)
        return;
    QSqlDatabase db = m_store.database();
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO decisions (address, status, provider, detail, reason, confidence, latitude,"
        " longitude, accuracy, city, region, country_code, country, display_name, hostname, as_number,"
        " as_name, as_prefix, as_country, as_registry, rejected, database_build, source_key, stored_at,"
        " resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(r.address.toString());
    q.addBindValue(int(r.status));
    q.addBindValue(r.provider);
    q.addBindValue(r.providerDetail);
    q.addBindValue(r.reason);
    q.addBindValue(r.confidence);
    bindPlaceColumns(q, r.place);
    q.addBindValue(r.hostname);
    q.addBindValue(qint64(r.as.number));
    q.addBindValue(r.as.name);
    q.addBindValue(r.as.prefix);
    q.addBindValue(r.as.countryCode);
    q.addBindValue(r.as.registry);
    q.addBindValue(QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(r.rejected)).toJson(QJsonDocument::Compact)));
    q.addBindValue(context.databaseBuild);
    q.addBindValue(context.sourceKey);
    q.addBindValue(now.toSecsSinceEpoch());
    q.addBindValue((r.resolvedAt.isValid() ? r.resolvedAt : now).toSecsSinceEpoch());
    if (!q.exec())
        bypass(q.lastError().text());
}

void GeoCache::clear()
{
    if (m_state != State::Open)
        return;
    QSqlQuery q(m_store.database());
    if (!q.exec(QStringLiteral("DELETE FROM decisions")))
        bypass(q.lastError().text());
}

int GeoCache::count()
{
    if (m_state != State::Open)
        return 0;
    QSqlQuery q(m_store.database());
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM decisions")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

} // namespace tracemap
