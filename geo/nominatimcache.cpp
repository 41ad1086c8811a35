#include "nominatimcache.h"

#include "geocache.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <cmath>

namespace tracemap {

void NominatimCache::open(const QString &path)
{
    if (path.isEmpty())
        return;
    m_store.open(path, [](QSqlDatabase &db, QString *error) {
        QSqlQuery create(db);
        if (create.exec(QStringLiteral(
                "CREATE TABLE IF NOT EXISTS nominatim_cache (key TEXT PRIMARY KEY, status INTEGER NOT NULL, "
                "latitude REAL, longitude REAL, accuracy_km REAL, city TEXT, region TEXT, country_code TEXT, "
                "country TEXT, display_name TEXT, error TEXT, expires_at INTEGER NOT NULL)")))
            return true;
        *error = create.lastError().text();
        return false;
    });
}

std::optional<NominatimAnswer> NominatimCache::find(const QString &key, qint64 now)
{
    if (const std::optional<Entry> entry = m_memory.find(key)) {
        if (entry->expiresAt > now)
            return entry->answer;
        m_memory.remove(key);
    }
    if (!m_store.isOpen())
        return std::nullopt;
    QSqlQuery select(m_store.database());
    select.prepare(
        QStringLiteral("SELECT status, latitude, longitude, accuracy_km, city, region, country_code, "
                       "country, display_name, error, expires_at FROM nominatim_cache WHERE key = ?"));
    select.addBindValue(key);
    if (!select.exec() || !select.next())
        return std::nullopt;
    const qint64 expiresAt = select.value(10).toLongLong();
    const int status = select.value(0).toInt();
    if (expiresAt <= now || (status != int(LookupStatus::Resolved) && status != int(LookupStatus::NotFound)))
        return std::nullopt;
    NominatimAnswer answer;
    answer.status = LookupStatus(status);
    answer.place = readPlaceColumns(select, 1);
    answer.error = select.value(9).toString();
    m_memory.insert(key, {answer, expiresAt});
    return answer;
}

void NominatimCache::store(const QString &key, const NominatimAnswer &answer, qint64 now)
{
    const int ttlDays = answer.status == LookupStatus::Resolved ? NominatimClient::kResolvedTtlDays
                                                                : NominatimClient::kNotFoundTtlDays;
    const qint64 expiresAt = now + qint64(ttlDays) * 24 * 3600;
    m_memory.insert(key, {answer, expiresAt});
    if (!m_store.isOpen())
        return;
    QSqlQuery insert(m_store.database());
    insert.prepare(
        QStringLiteral("INSERT OR REPLACE INTO nominatim_cache (key, status, latitude, longitude, "
                       "accuracy_km, city, region, country_code, country, display_name, error, expires_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(key);
    insert.addBindValue(int(answer.status));
    bindPlaceColumns(insert, answer.place);
    insert.addBindValue(answer.error);
    insert.addBindValue(expiresAt);
    if (!insert.exec() && !m_warnedWriteFailure) {
        m_warnedWriteFailure = true;
        qCWarning(lcNominatim).noquote()
            << QStringLiteral("cannot write the Nominatim cache (%1); answers are kept in memory only")
                   .arg(insert.lastError().text());
    }
}

} // namespace tracemap
