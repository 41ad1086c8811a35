#pragma once
// The geolocation service: one object per program, living in the thread that uses it (the GUI
// thread in the desktop app). It never blocks that thread: offline providers answer in
// microseconds, network ones asynchronously with timeouts.
//
// Chain (first that answers plausibly wins; see docs/geolocation.md):
//   user overrides > special ranges > persistent cache > MMDB > hostname hints > online IP provider
// plus reverse DNS and origin AS for every address, and Nominatim for place names.

#include "geoprovider.h"
#include "geotypes.h"

#include <QHash>
#include <QObject>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

class QNetworkAccessManager;

namespace tracemap {

class PlaceDictionary;

struct GeoSettings
{
    bool offline = false;       // nothing leaves the machine: no online providers, no Nominatim, no Cymru
    bool onlineLookups = false; // opt-in: the online IP provider and Nominatim (ignored when offline)
    QStringList databasePaths;  // MMDB files; empty = the installed DB-IP City Lite (defaultDatabasePaths())
    QStringList overridePaths;  // CSV overrides and RFC 8805 geofeeds
    QUrl nominatimUrl = QUrl(QStringLiteral("https://nominatim.openstreetmap.org"));
    QUrl ipProviderUrl = QUrl(QStringLiteral("http://ip-api.com/json/{ip}"));
    QString cachePath;      // SQLite; empty = ~/.cache/tracemap/geo-cache.sqlite; "-" = none
    bool reverseDns = true; // look up hop names (system resolver); off when offline
    bool asLookups = true;  // Team Cymru DNS (online only) and the offline prefix table
    std::optional<double> sourceLatitude, sourceLongitude; // where the trace starts
    int lookupTimeoutMs = 4000;                            // per network lookup
    QHostAddress dnsServer; // reverse DNS and Team Cymru through this server; null = the system's
    // The place dictionary of hostname hints and override geocoding; null = the process's shared
    // one (PlaceDictionary::sharedBuiltin()), so services never load their own copy.
    std::shared_ptr<const PlaceDictionary> places;
};

class GeoService : public QObject
{
    Q_OBJECT
public:
    // Builds the default chain from `settings`. `network` may be null (one is created).
    explicit GeoService(const GeoSettings &settings, QNetworkAccessManager *network = nullptr,
                        QObject *parent = nullptr);
    // For tests: an explicit chain, in order.
    GeoService(const GeoSettings &settings, std::vector<std::unique_ptr<GeoProvider>> chain,
               QObject *parent = nullptr);
    ~GeoService() override;

    // Asks for a place. `located` is emitted once the chain has decided (possibly before
    // locate() returns for cached answers: connect first). Repeated queries for an address
    // already pending are coalesced into one lookup.
    void locate(const GeoQuery &query);

    // The last decision for an address; status Pending when none yet.
    GeoResult result(const QHostAddress &address) const;

    void setSourceLocation(double latitude, double longitude);
    void cancelAll();

    // Attribution lines the data in use requires ("IP Geolocation by DB-IP (https://db-ip.com)",
    // "Place names © OpenStreetMap contributors, ODbL", ...).
    QStringList attributions() const;

    const GeoSettings &settings() const;

    // Problems found while setting up (unreadable override lines as "file:line: problem", a
    // database that failed to open, a bypassed cache), one line each. Builds the chain if needed.
    QStringList warnings() const;
    // The MMDB build in use ("" when none); part of every cache entry.
    QString databaseBuild() const;
    // Lookups started and not yet decided.
    int pendingCount() const;
    // The place dictionary in use (loading the shared one if needed).
    std::shared_ptr<const PlaceDictionary> placeDictionary() const;

signals:
    void located(const tracemap::GeoResult &result);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace tracemap
