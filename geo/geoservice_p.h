#pragma once
// GeoService's inside, shared by its two source files (internal to geo/): geoservice.cpp walks
// one lookup through overrides, special ranges, the caches and the provider chain;
// geoservicesetup.cpp builds the chain and places geofeed overrides. Not for other includers.

#include "arbitration.h"
#include "boundedcache.h"
#include "geocache.h"
#include "geoservice.h"
#include "hostinfo.h"
#include "nominatim.h"
#include "overrides.h"
#include "placedictionary.h"
#include "plausibility.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QPointer>

#include <map>

Q_DECLARE_LOGGING_CATEGORY(lcGeoService)

namespace tracemap {

class MmdbProvider;

// This session's decisions: a long-running program (the agent) must not grow without bound;
// the persistent cache still has everything.
inline constexpr qsizetype kMaxRememberedDecisions = 50000;

struct PendingLookup
{
    quint64 id = 0;
    GeoQuery query; // normalized address; hostname filled once known
    SourceLocation source;
    std::optional<GeoResult> decision;
    bool hostnameDone = false;
    bool asDone = false;
    AsInfo as;

    ProviderRole decidedBy = ProviderRole::Cache; // the step that made `decision`

    // The provider chain.
    bool chainStarted = false;
    size_t nextProvider = 0;
    bool waitingProvider = false;
    bool inAdvance = false;
    quint64 stepToken = 0;
    std::optional<Arbitration> arbitration; // from the chain's start
    QString overrideNote;                   // a geofeed entry that could not be placed
    bool waitingGeocode = false;            // for Nominatim to place a geofeed city
};

struct GeoService::Private
{
    GeoService *q = nullptr;
    GeoSettings settings;
    bool defaultChain = false;
    bool chainBuilt = false;

    QNetworkAccessManager *network = nullptr;
    std::unique_ptr<QNetworkAccessManager> ownedNetwork;
    std::vector<std::unique_ptr<GeoProvider>> chain;
    MmdbProvider *mmdb = nullptr;                  // inside `chain` when present
    mutable QString databaseBuild;                 // mmdb's, computed once
    std::shared_ptr<const PlaceDictionary> places; // settings.places or the shared one, on first use
    std::unique_ptr<HostInfoResolver> hostInfo;
    std::unique_ptr<NominatimClient> nominatim;
    std::unique_ptr<GeoCache> cache;
    OverrideTable overrides;
    QStringList warnings;

    QHash<QHostAddress, GeoResult> results;
    struct Remembered
    {
        GeoResult result;
        GeoCacheContext context;
    };
    BoundedCache<QHostAddress, Remembered> memory{kMaxRememberedDecisions}; // same rules as the cache
    std::map<quint64, std::unique_ptr<PendingLookup>> pending;
    // Lookups in flight by address and start (GeoCache::sourceKey): the same address asked for
    // two routes from different places is two lookups, since the RTT check differs.
    using PendingKey = std::pair<QHostAddress, QString>;
    QHash<PendingKey, quint64> pendingByAddress;
    SourceLocation source;
    bool nominatimUsed = false;
    quint64 nextId = 1;

    bool onlineAllowed() const { return settings.onlineLookups && !settings.offline; }
    void ensureChain();
    void ensurePlaces();
    void loadOverrides();
    PendingLookup *find(quint64 id)
    {
        auto it = pending.find(id);
        return it == pending.end() ? nullptr : it->second.get();
    }
    GeoCacheContext contextFor(const PendingLookup &p) const;

    void startHostInfo(PendingLookup &p);
    // The resolver's callback for one part (name or AS) of lookup `id`: ignored once the service
    // or the lookup is gone or that part settled (watchdog); a resolved value goes in by
    // `store`; then the part is settled and `next` runs.
    template<typename Value, typename Store>
    auto hostInfoPart(const QPointer<GeoService> &guard, quint64 id, bool PendingLookup::*settled,
                      Store store, void (Private::*next)(quint64))
    {
        return [this, guard, id, settled, store, next](LookupStatus status, const Value &value) {
            PendingLookup *p = guard ? find(id) : nullptr;
            if (!p || p->*settled)
                return;
            if (status == LookupStatus::Resolved)
                store(*p, value);
            p->*settled = true;
            (this->*next)(id);
        };
    }
    void afterOverrides(quint64 id);
    bool tryOverride(PendingLookup &p);
    // Decides by the override unless the RTT refutes it (then false, with p.overrideNote set).
    bool decideOverride(PendingLookup &p, const OverrideEntry &entry);
    void advance(quint64 id);
    void onAnswer(quint64 id, quint64 token, ProviderRole role, const QString &provider,
                  const GeoAnswer &answer);
    void decideFromChain(PendingLookup &p);
    void maybeFinish(quint64 id);
};

} // namespace tracemap
