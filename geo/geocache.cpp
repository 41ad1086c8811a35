#include "geocache.h"

#include <QAtomicInteger>
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

// SQLite result codes that mean "this file is not a usable database".
bool isCorruption(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    return code == QLatin1String("11") || code == QLatin1String("26"); // SQLITE_CORRUPT, SQLITE_NOTADB
}

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("tracemap-geocache-%1").arg(counter.fetchAndAddRelaxed(1));
}

QVariant realOrNull(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant(QMetaType(QMetaType::Double));
}

double realOrNaN(const QVariant &v)
{
    return v.isNull() ? qQNaN() : v.toDouble();
}

} // namespace

GeoCache::GeoCache(const QString &path) : m_path(path.isEmpty() ? defaultPath() : path)
{
    if (m_path == QLatin1String("-"))
        return;
    open();
}

GeoCache::~GeoCache()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

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
    if (!m_connection.isEmpty()) {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
}

bool GeoCache::open()
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        bypass(QStringLiteral("cannot create directory %1").arg(info.absolutePath()));
        return false;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (m_connection.isEmpty()) {
            m_connection = nextConnectionName();
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
            if (!db.isValid()) {
                bypass(QStringLiteral("the Qt SQLite driver is not installed (libqt6sql6-sqlite)"));
                return false;
            }
        }
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.setDatabaseName(m_path);
        // Short busy timeout: another tracemap process may be writing; we never wait long.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=200"));
        QString error;
        if (db.open() && createSchema(&error)) {
            m_state = State::Open;
            return true;
        }
        const QSqlError sqlError = db.lastError();
        db.close();
        const bool corrupt = isCorruption(sqlError) || error.contains(QLatin1String("not a database")) ||
                             error.contains(QLatin1String("malformed"));
        if (!corrupt || attempt > 0) {
            bypass(error.isEmpty() ? sqlError.text() : error);
            return false;
        }
        const QString aside = m_path + QStringLiteral(".corrupt-") +
                              QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        QFile::remove(aside);
        if (!QFile::rename(m_path, aside) && !QFile::remove(m_path)) {
            bypass(QStringLiteral("corrupt and cannot be moved aside"));
            return false;
        }
        QFile::remove(m_path + QStringLiteral("-wal"));
        QFile::remove(m_path + QStringLiteral("-shm"));
        m_warning = QStringLiteral("geolocation cache %1 was corrupt (%2); moved to %3 and recreated")
                        .arg(m_path, error, aside);
        qCWarning(lcGeoCache).noquote() << m_warning;
    }
    return false;
}

bool GeoCache::createSchema(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    auto run = [&](const QString &sql) {
        if (q.exec(sql))
            return true;
        *error = q.lastError().text();
        return false;
    };
    // WAL keeps readers and the writer of several tracemap processes out of each other's way;
    // it fails harmlessly on read-only media. quick_check notices a corrupt file up front.
    q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    if (!run(QStringLiteral("PRAGMA quick_check")))
        return false;
    if (q.next() && q.value(0).toString() != QLatin1String("ok")) {
        *error = QStringLiteral("database disk image is malformed (%1)").arg(q.value(0).toString());
        return false;
    }
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
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "SELECT status, provider, detail, reason, confidence, latitude, longitude, accuracy, city, region,"
        " country_code, country, display_name, hostname, as_number, as_name, as_prefix, as_country,"
        " as_registry, rejected, database_build, source_key, stored_at, resolved_at"
        " FROM decisions WHERE address = ?"));
    q.addBindValue(address.toString());
    if (!q.exec()) {
        if (isCorruption(q.lastError()))
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
    r.place.latitude = realOrNaN(q.value(5));
    r.place.longitude = realOrNaN(q.value(6));
    r.place.accuracyKm = q.value(7).isNull() ? -1.0 : q.value(7).toDouble();
    r.place.city = q.value(8).toString();
    r.place.region = q.value(9).toString();
    r.place.countryCode = q.value(10).toString();
    r.place.country = q.value(11).toString();
    r.place.displayName = q.value(12).toString();
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
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
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
    q.addBindValue(realOrNull(r.place.latitude));
    q.addBindValue(realOrNull(r.place.longitude));
    q.addBindValue(r.place.accuracyKm < 0 ? QVariant(QMetaType(QMetaType::Double))
                                          : QVariant(r.place.accuracyKm));
    q.addBindValue(r.place.city);
    q.addBindValue(r.place.region);
    q.addBindValue(r.place.countryCode);
    q.addBindValue(r.place.country);
    q.addBindValue(r.place.displayName);
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
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("DELETE FROM decisions")))
        bypass(q.lastError().text());
}

int GeoCache::count()
{
    if (m_state != State::Open)
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM decisions")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

} // namespace tracemap
