#pragma once
// Offline IP databases read through libmaxminddb: the city databases behind MmdbProvider
// (GeoIP2/GeoLite2-City and the flat DB-IP Lite layout of @ip-location-db) and where the
// installed data sets live. The origin-AS table is asdatabase.h. Files are memory-mapped
// (MMDB_MODE_MMAP), never copied into the heap.

#include "asdatabase.h" // AsDatabase, kept available to includers of this header
#include "geoprovider.h"

#include <QLoggingCategory>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

Q_DECLARE_LOGGING_CATEGORY(lcMmdb)

namespace tracemap {

// Directory the data sets are installed into: $TRACEMAP_DATA_DIR, else
// <GenericDataLocation>/tracemap (~/.local/share/tracemap).
QString defaultDataDirectory();
// The DB-IP City Lite files present in defaultDataDirectory() (IPv4 and IPv6 files, or a
// combined one); empty when none is installed.
QStringList defaultDatabasePaths();
// The origin-AS files present there (asn-ipv4.csv, asn-ipv6.csv or an *asn*.mmdb).
QStringList defaultAsDatabasePaths();

// The accuracy radius reported for DB-IP Lite answers, which carry none: a city-level guess.
inline constexpr double kDbIpCityAccuracyKm = 50.0;

class MmdbProvider : public GeoProvider
{
public:
    enum class LoadError { None, Missing, Unreadable, NotAnMmdb, NoUsableFile };

    explicit MmdbProvider(const QStringList &paths);
    ~MmdbProvider() override;

    QString id() const override; // "mmdb"
    ProviderRole role() const override { return ProviderRole::Database; }
    void lookup(const GeoQuery &query, Callback done) override;

    // Answers synchronously; lookup() is this plus the callback.
    GeoAnswer lookupNow(const QHostAddress &address) const;

    bool isLoaded() const;          // at least one file opened
    QStringList loadErrors() const; // one line per file that failed ("path: reason")
    LoadError firstLoadError() const;
    // "dbip-city-ipv4 2026-06-05, dbip-city-ipv6 2026-06-05": database_type and build date of
    // every open file; part of the cache key, so a new build invalidates cached answers.
    QString buildDescription() const;
    QStringList attributions() const;

private:
    struct Database;
    std::vector<std::unique_ptr<Database>> m_databases;
    QStringList m_errors;
    LoadError m_firstError = LoadError::None;
};

} // namespace tracemap
