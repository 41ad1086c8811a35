#pragma once
// The persistent geolocation cache: one SQLite file (default
// <GenericCacheLocation>/tracemap/geo-cache.sqlite, i.e. ~/.cache/tracemap/geo-cache.sqlite,
// shared by the desktop app, the CLI and the agent) holding the
// chain's full decision per address. Located answers live ~30 days, unlocatable ones ~1 day;
// an entry made with another database build, or for another hostname or source location, is
// a miss. The cache is a convenience, never a failure: a corrupt file is moved aside and
// recreated, an unwritable one is bypassed with one warning (the policy of base/sqlitestore.h).

#include "geotypes.h"
#include "sqlitestore.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QString>

#include <optional>

class QSqlQuery;

Q_DECLARE_LOGGING_CATEGORY(lcGeoCache)

namespace tracemap {

// What a cached decision depended on besides the address.
struct GeoCacheContext
{
    QString databaseBuild;      // MmdbProvider::buildDescription(); a new build invalidates entries
    QString hostname;           // the reverse DNS name used (empty = none)
    bool hostnameGiven = false; // compare hostnames only when the query carried one
    QString sourceKey;          // source location rounded (see GeoCache::sourceKey), empty = unknown
};

// A GeoPlace in eight SQLite columns (latitude, longitude, accuracy, city, region, country
// code, country, display name), shared by the geolocation and Nominatim caches. SQLite stores
// NaN as NULL: unknown coordinates and accuracy are written as NULL and read back as unknown.
GeoPlace readPlaceColumns(const QSqlQuery &query, int firstColumn);
void bindPlaceColumns(QSqlQuery &query, const GeoPlace &place);

class GeoCache
{
public:
    enum class State { Disabled, Open, Bypassed };

    // `path` empty = defaultPath(), "-" = no persistent cache (State Disabled).
    explicit GeoCache(const QString &path);
    ~GeoCache();
    GeoCache(const GeoCache &) = delete;
    GeoCache &operator=(const GeoCache &) = delete;

    static QString defaultPath();
    static QString sourceKey(double latitude, double longitude); // "38.9,-77.0"; "" for NaN

    State state() const { return m_state; }
    bool isOpen() const { return m_state == State::Open; }
    QString path() const { return m_path; }
    QString warning() const { return m_warning; } // why the cache is bypassed, or what was recovered

    std::optional<GeoResult> find(const QHostAddress &address, const GeoCacheContext &context,
                                  const QDateTime &now = QDateTime::currentDateTimeUtc());
    // Stores Located and Unlocatable decisions; other statuses are transient and skipped.
    void store(const GeoResult &result, const GeoCacheContext &context,
               const QDateTime &now = QDateTime::currentDateTimeUtc());
    void clear();
    int count();

    void setPositiveLifetime(qint64 seconds) { m_positiveSeconds = seconds; }
    void setNegativeLifetime(qint64 seconds) { m_negativeSeconds = seconds; }

private:
    bool open();
    bool createSchema(QSqlDatabase &db, QString *error);
    void bypass(const QString &why);

    QString m_path;
    SqliteStore m_store{QStringLiteral("geolocation cache"), QStringLiteral("tracemap-geocache")};
    QString m_warning;
    State m_state = State::Disabled;
    qint64 m_positiveSeconds = 30LL * 24 * 3600;
    qint64 m_negativeSeconds = 24LL * 3600;
};

} // namespace tracemap
