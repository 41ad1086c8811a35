#include "geoservice_p.h"

#include "hostnamehints.h"
#include "mmdbprovider.h"
#include "onlineipprovider.h"
#include "specialranges.h"

#include <QFileInfo>
#include <QPointer>
#include <QTimer>

namespace tracemap {

// --- set-up -----------------------------------------------------------------------------

GeoService::GeoService(const GeoSettings &settings, QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    registerGeoTypes();
    d->q = this;
    d->settings = settings;
    d->defaultChain = true;
    d->network = network;
    if (settings.sourceLatitude && settings.sourceLongitude)
        d->source = SourceLocation{*settings.sourceLatitude, *settings.sourceLongitude};
}

GeoService::GeoService(const GeoSettings &settings, std::vector<std::unique_ptr<GeoProvider>> chain,
                       QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    registerGeoTypes();
    d->q = this;
    d->settings = settings;
    d->chain = std::move(chain);
    for (const auto &provider : d->chain) {
        if (auto *m = dynamic_cast<MmdbProvider *>(provider.get()))
            d->mmdb = m;
    }
    if (settings.sourceLatitude && settings.sourceLongitude)
        d->source = SourceLocation{*settings.sourceLatitude, *settings.sourceLongitude};
}

GeoService::~GeoService()
{
    // Providers and resolvers drop their callbacks; pending lookups end without a signal.
    cancelAll();
}

void GeoService::Private::loadOverrides()
{
    for (const QString &path : settings.overridePaths)
        overrides.loadFile(path, &warnings);
}

void GeoService::Private::ensurePlaces()
{
    if (!places)
        places = settings.places ? settings.places : PlaceDictionary::sharedBuiltin();
}

std::shared_ptr<const PlaceDictionary> GeoService::placeDictionary() const
{
    d->ensurePlaces();
    return d->places;
}

// Built on first use, so that constructing a GeoService costs nothing (the desktop app makes
// one at start-up, tests make many).
void GeoService::Private::ensureChain()
{
    if (chainBuilt)
        return;
    chainBuilt = true;
    loadOverrides();
    cache = std::make_unique<GeoCache>(settings.cachePath);
    if (cache->state() == GeoCache::State::Bypassed || !cache->warning().isEmpty())
        warnings << cache->warning();
    if (!defaultChain)
        return;

    if (!network && (onlineAllowed() || settings.asLookups || settings.reverseDns)) {
        ownedNetwork = std::make_unique<QNetworkAccessManager>();
        network = ownedNetwork.get();
    }
    const QStringList dbPaths =
        settings.databasePaths.isEmpty() ? defaultDatabasePaths() : settings.databasePaths;
    if (dbPaths.isEmpty()) {
        warnings << QStringLiteral("no offline IP database installed (run 'tracemap-cli geodb update')");
    } else {
        auto provider = std::make_unique<MmdbProvider>(dbPaths);
        warnings << provider->loadErrors();
        if (provider->isLoaded()) {
            mmdb = provider.get();
            chain.push_back(std::move(provider));
        }
    }
    ensurePlaces();
    chain.push_back(std::make_unique<HostnameHintProvider>(places));
    if (onlineAllowed()) {
        chain.push_back(
            std::make_unique<OnlineIpProvider>(network, settings.ipProviderUrl, settings.lookupTimeoutMs));
    }
    HostInfoSettings hostSettings;
    hostSettings.reverseDns = settings.reverseDns && !settings.offline;
    hostSettings.cymru = settings.asLookups && !settings.offline;
    hostSettings.asDatabasePaths = settings.asLookups ? defaultAsDatabasePaths() : QStringList();
    hostSettings.timeoutMs = settings.lookupTimeoutMs;
    hostSettings.dnsServer = settings.dnsServer;
    hostInfo = std::make_unique<HostInfoResolver>(hostSettings);
    if (onlineAllowed()) {
        const QString nominatimCache =
            settings.cachePath == QLatin1String("-")
                ? QString()
                : QFileInfo(cache->path()).absolutePath() + QStringLiteral("/nominatim-cache.sqlite");
        nominatim = std::make_unique<NominatimClient>(network, settings.nominatimUrl, nominatimCache,
                                                      settings.lookupTimeoutMs);
    }
}

GeoCacheContext GeoService::Private::contextFor(const PendingLookup &p) const
{
    GeoCacheContext c;
    // The files in use never change under a running service, nor does their build.
    if (mmdb && databaseBuild.isNull())
        databaseBuild = mmdb->buildDescription();
    c.databaseBuild = databaseBuild;
    c.hostname = p.query.hostname;
    c.hostnameGiven = p.query.hostnameKnown;
    c.sourceKey = GeoCache::sourceKey(p.source.latitude, p.source.longitude);
    return c;
}

bool GeoService::Private::tryOverride(PendingLookup &p)
{
    const quint64 id = p.id;
    const OverrideEntry *entry = overrides.match(p.query.address);
    if (!entry)
        return false;
    if (entry->needsGeocoding()) {
        const int index = overrides.indexOf(entry);
        const QString city = entry->place.city;
        const QString country = entry->place.countryCode;
        bool placed = false;
        ensurePlaces();
        if (places && !city.isEmpty()) {
            const QList<PlaceEntry> found = places->findCity(city, country);
            if (!found.isEmpty()) {
                overrides.setCoordinates(index, found.first().latitude, found.first().longitude, 25.0);
                placed = true;
            }
        }
        if (!placed && nominatim && !city.isEmpty()) {
            QStringList parts{city};
            if (!entry->place.region.isEmpty())
                parts << entry->place.region;
            if (!country.isEmpty())
                parts << country;
            QPointer<GeoService> guard(q);
            p.waitingGeocode = true;
            // Nominatim answers at most once a second, so a queue of geofeed cities can take a
            // while; the lookup waits a few deadlines for it, then goes on without the override.
            QTimer::singleShot((settings.lookupTimeoutMs + 500) * 3, q, [this, id, index] {
                PendingLookup *p = find(id);
                if (!p || !p->waitingGeocode)
                    return;
                p->waitingGeocode = false;
                p->overrideNote =
                    QStringLiteral("override: %1 (%2) could not be placed: Nominatim did not answer in time")
                        .arg(overrides.entry(index).label, overrides.entry(index).origin);
                afterOverrides(id);
            });
            nominatim->search(parts.join(QStringLiteral(", ")), [this, guard, id,
                                                                 index](const NominatimAnswer &a) {
                if (!guard)
                    return;
                const bool placed = a.status == LookupStatus::Resolved && a.place.hasCoordinates();
                if (placed) {
                    // Kept for every later address of the prefix, even if this lookup gave up.
                    nominatimUsed = true;
                    overrides.setCoordinates(index, a.place.latitude, a.place.longitude,
                                             a.place.accuracyKm > 0 ? a.place.accuracyKm : 25.0);
                }
                PendingLookup *p = find(id);
                if (!p || !p->waitingGeocode)
                    return;
                p->waitingGeocode = false;
                if (placed && decideOverride(*p, overrides.entry(index))) {
                    maybeFinish(id);
                    return;
                }
                if (!placed) {
                    p->overrideNote = QStringLiteral("override: %1 (%2) could not be placed: %3")
                                          .arg(overrides.entry(index).label, overrides.entry(index).origin,
                                               a.error.isEmpty() ? lookupStatusName(a.status) : a.error);
                }
                afterOverrides(id);
            });
            return true;
        }
        if (!placed) {
            p.overrideNote =
                QStringLiteral("override: %1 (%2) could not be placed: the offline place "
                               "dictionary does not know the city%3")
                    .arg(entry->label, entry->origin,
                         onlineAllowed() ? QString() : QStringLiteral(" and online lookups are off"));
            return false;
        }
        entry = &overrides.entry(index);
    }
    if (!decideOverride(p, *entry))
        return false; // refuted by the RTT: the chain decides, the note says why
    maybeFinish(id);  // `p` may be gone after this
    return true;
}

bool GeoService::Private::decideOverride(PendingLookup &p, const OverrideEntry &entry)
{
    // The user's word beats every source, but not physics: an override farther from the start
    // than the hop's RTT allows is stale or meant for another vantage point.
    const PlausibilityVerdict verdict = checkPlausibility(entry.place, p.source, p.query.rttMs);
    if (verdict.isImplausible()) {
        p.overrideNote =
            QStringLiteral("override: %1 (%2) refused: %3")
                .arg(entry.label.isEmpty() ? entry.prefix() : entry.label, entry.origin, verdict.sentence);
        return false;
    }
    GeoResult r;
    r.address = p.query.address;
    r.status = GeoStatus::Located;
    r.place = entry.place;
    r.provider = QStringLiteral("override");
    r.providerDetail = entry.origin;
    r.reason =
        QStringLiteral("your override %1 for %2 (%3)")
            .arg(entry.label.isEmpty() ? QStringLiteral("entry") : QStringLiteral("'%1'").arg(entry.label),
                 entry.prefix(), entry.origin);
    r.confidence = 1.0;
    p.decision = r;
    p.decidedBy = ProviderRole::Override;
    // A special-range address placed by the user is still never sent anywhere.
    if (classifySpecialAddress(p.query.address)) {
        p.hostnameDone = true;
        p.asDone = true;
        if (p.query.hostnameKnown)
            p.decision->hostname = p.query.hostname;
        return true;
    }
    startHostInfo(p);
    return true;
}

} // namespace tracemap
