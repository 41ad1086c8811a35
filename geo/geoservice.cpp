#include "geoservice.h"

#include "geocache.h"
#include "hostinfo.h"
#include "hostnamehints.h"
#include "mmdbprovider.h"
#include "nominatim.h"
#include "onlineipprovider.h"
#include "overrides.h"
#include "placedictionary.h"
#include "plausibility.h"
#include "specialranges.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QTimer>

#include <map>

Q_LOGGING_CATEGORY(lcGeoService, "tracemap.geo.service", QtWarningMsg)

namespace tracemap {

namespace {

const QString kHostnameProvider = QStringLiteral("hostname");

// One provider's surviving candidate: the first of its place and alternatives that passed the
// RTT check (or could not be checked).
struct Candidate
{
    GeoPlace place;
    QString provider;
    QString detail;
    QString reason;
    double confidence = 0;
    PlausibilityVerdict verdict;
};

constexpr qsizetype kMaxRemembered = 50000;

// Hint and database "agree" when this close (or within the database's accuracy radius).
constexpr double kAgreementKm = 100.0;

// Reasons are joined with "; ", so a provider's full stop would end up mid-sentence.
QString withoutFinalStop(QString text)
{
    text = text.trimmed();
    while (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    return text;
}

} // namespace

struct PendingLookup
{
    quint64 id = 0;
    GeoQuery query; // normalized address; hostname filled once known
    SourceLocation source;
    std::optional<GeoResult> decision;
    bool hostnameDone = false;
    bool asDone = false;
    AsInfo as;

    // The provider chain.
    bool chainStarted = false;
    size_t nextProvider = 0;
    bool waitingProvider = false;
    bool inAdvance = false;
    bool hintConsulted = false;
    quint64 stepToken = 0;
    std::optional<Candidate> best;
    QStringList rejected;
    QString unlocatableReason;
    int implausible = 0; // candidates refused by the RTT check
    bool anyTimedOut = false;
    QString failure;
    QString overrideNote;        // a geofeed entry that could not be placed
    bool waitingGeocode = false; // for Nominatim to place a geofeed city
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
    MmdbProvider *mmdb = nullptr;  // inside `chain` when present
    mutable QString databaseBuild; // mmdb's, computed once
    std::shared_ptr<const PlaceDictionary> places;
    bool placesLoaded = false;
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
    QHash<QHostAddress, Remembered> memory; // this session's decisions, same rules as the cache
    std::map<quint64, std::unique_ptr<PendingLookup>> pending;
    QHash<QHostAddress, quint64> pendingByAddress;
    SourceLocation source;
    bool nominatimUsed = false;
    quint64 nextId = 1;

    bool onlineAllowed() const { return settings.onlineLookups && !settings.offline; }
    void ensureChain();
    void loadOverrides();
    PendingLookup *find(quint64 id)
    {
        auto it = pending.find(id);
        return it == pending.end() ? nullptr : it->second.get();
    }
    GeoCacheContext contextFor(const PendingLookup &p) const;

    void startHostInfo(PendingLookup &p);
    void afterOverrides(quint64 id);
    bool tryOverride(PendingLookup &p);
    void decideOverride(PendingLookup &p, const OverrideEntry &entry);
    void advance(quint64 id);
    void onAnswer(quint64 id, quint64 token, const QString &provider, const GeoAnswer &answer);
    void consider(PendingLookup &p, const QString &provider, const GeoAnswer &answer);
    void mergeHint(PendingLookup &p, Candidate hint);
    void decideFromChain(PendingLookup &p);
    void maybeFinish(quint64 id);
};

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
    if (!placesLoaded) {
        places = PlaceDictionary::loadBuiltin();
        placesLoaded = true;
    }
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

// --- the lookup -------------------------------------------------------------------------

void GeoService::locate(const GeoQuery &input)
{
    d->ensureChain();
    GeoQuery query = input;
    query.address = normalizedAddress(input.address);
    if (query.address.isNull()) {
        GeoResult r;
        r.status = GeoStatus::Failed;
        r.error = QStringLiteral("not an IP address");
        r.reason = r.error;
        r.resolvedAt = QDateTime::currentDateTimeUtc();
        emit located(r);
        return;
    }
    if (d->pendingByAddress.contains(query.address))
        return; // coalesced: the lookup in flight answers for both

    auto owned = std::make_unique<PendingLookup>();
    PendingLookup &p = *owned;
    p.id = d->nextId++;
    p.query = query;
    p.source = d->source;
    d->pending.emplace(p.id, std::move(owned));
    d->pendingByAddress.insert(query.address, p.id);
    const quint64 id = p.id;

    if (d->tryOverride(p))
        return; // decided, or waiting for Nominatim to place a geofeed city
    d->afterOverrides(id);
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
        if (!placesLoaded) {
            places = PlaceDictionary::loadBuiltin();
            placesLoaded = true;
        }
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
            nominatim->search(
                parts.join(QStringLiteral(", ")), [this, guard, id, index](const NominatimAnswer &a) {
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
                    if (placed) {
                        decideOverride(*p, overrides.entry(index));
                        maybeFinish(id);
                        return;
                    }
                    p->overrideNote = QStringLiteral("override: %1 (%2) could not be placed: %3")
                                          .arg(overrides.entry(index).label, overrides.entry(index).origin,
                                               a.error.isEmpty() ? lookupStatusName(a.status) : a.error);
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
    decideOverride(p, *entry); // may complete the lookup: `p` is not used after this
    maybeFinish(id);
    return true;
}

void GeoService::Private::decideOverride(PendingLookup &p, const OverrideEntry &entry)
{
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
    // A special-range address placed by the user is still never sent anywhere.
    if (classifySpecialAddress(p.query.address)) {
        p.hostnameDone = true;
        p.asDone = true;
        if (p.query.hostnameKnown)
            p.decision->hostname = p.query.hostname;
        return;
    }
    startHostInfo(p);
}

void GeoService::Private::afterOverrides(quint64 id)
{
    PendingLookup *pp = find(id);
    if (!pp)
        return;
    PendingLookup &p = *pp;
    if (const std::optional<SpecialRange> special = classifySpecialAddress(p.query.address)) {
        GeoResult r;
        r.address = p.query.address;
        r.status = GeoStatus::Unlocatable;
        r.provider = QStringLiteral("special");
        r.providerDetail = special->name + QLatin1Char(' ') + special->prefix();
        r.reason = special->reason.left(1).toUpper() + special->reason.mid(1);
        r.confidence = 1.0;
        if (p.query.hostnameKnown)
            r.hostname = p.query.hostname;
        if (!p.overrideNote.isEmpty())
            r.rejected << p.overrideNote;
        p.decision = r;
        p.hostnameDone = true;
        p.asDone = true;
        maybeFinish(id);
        return;
    }
    const GeoCacheContext context = contextFor(p);
    std::optional<GeoResult> cached;
    const auto remembered = memory.constFind(p.query.address);
    if (remembered != memory.constEnd() && remembered->context.databaseBuild == context.databaseBuild &&
        remembered->context.sourceKey == context.sourceKey &&
        (!context.hostnameGiven || remembered->context.hostname == context.hostname)) {
        cached = remembered->result;
    } else if (cache) {
        cached = cache->find(p.query.address, context);
    }
    if (cached && p.overrideNote.isEmpty()) {
        p.decision = *cached;
        p.hostnameDone = true;
        p.asDone = true;
        maybeFinish(id);
        return;
    }
    p.chainStarted = true;
    startHostInfo(p); // cannot complete the lookup: there is no decision yet
    advance(id);
}

// Reverse DNS and origin AS, in parallel with the chain. The resolver may answer
// synchronously, and an answer may complete the lookup, so `p` is looked up again by id after
// every call out.
void GeoService::Private::startHostInfo(PendingLookup &p)
{
    const quint64 id = p.id;
    if (p.query.hostnameKnown)
        p.hostnameDone = true;
    QPointer<GeoService> guard(q);
    const QHostAddress address = p.query.address;
    const bool wantName = !p.hostnameDone && hostInfo && settings.reverseDns && !settings.offline;
    const bool wantAs = hostInfo && settings.asLookups;
    if (!wantName)
        p.hostnameDone = true;
    if (!wantAs)
        p.asDone = true;
    if (!wantName && !wantAs)
        return;
    // Watchdog: the resolver has its own timeouts, but the decision must never hang on it.
    QTimer::singleShot(settings.lookupTimeoutMs + 500, q, [this, id] {
        PendingLookup *p = find(id);
        if (!p || (p->hostnameDone && p->asDone))
            return;
        qCDebug(lcGeoService) << "host info watchdog fired for" << p->query.address;
        p->hostnameDone = true;
        p->asDone = true;
        advance(id);
    });
    if (wantName) {
        hostInfo->reverseName(address, [this, guard, id](LookupStatus status, const QString &name) {
            if (!guard)
                return;
            PendingLookup *p = find(id);
            if (!p || p->hostnameDone)
                return;
            if (status == LookupStatus::Resolved)
                p->query.hostname = name;
            p->hostnameDone = true;
            advance(id);
        });
    }
    if (wantAs && find(id)) {
        hostInfo->originAs(address, [this, guard, id](LookupStatus status, const AsInfo &as) {
            if (!guard)
                return;
            PendingLookup *p = find(id);
            if (!p || p->asDone)
                return;
            if (status == LookupStatus::Resolved)
                p->as = as;
            p->asDone = true;
            maybeFinish(id);
        });
    }
}

// Walks the chain. Providers may answer synchronously (from inside lookup()), so this is a
// loop guarded against re-entry rather than a recursion through the callbacks.
void GeoService::Private::advance(quint64 id)
{
    PendingLookup *pp = find(id);
    if (!pp)
        return;
    PendingLookup &p = *pp;
    if (!p.chainStarted || p.decision) {
        maybeFinish(id);
        return;
    }
    if (p.inAdvance)
        return;
    p.inAdvance = true;
    while (!p.waitingProvider) {
        if (p.nextProvider >= chain.size()) {
            decideFromChain(p);
            break;
        }
        GeoProvider *provider = chain.at(p.nextProvider).get();
        const QString providerId = provider->id();
        const bool isHint = providerId == kHostnameProvider;
        // First plausible answer wins; a hostname hint later in the chain may still refine it.
        if (p.best && !(isHint && !p.hintConsulted)) {
            ++p.nextProvider;
            continue;
        }
        if (isHint) {
            if (!p.hostnameDone)
                break; // resumed by the reverse DNS answer or its watchdog
            p.hintConsulted = true;
        }
        p.waitingProvider = true;
        const quint64 token = ++p.stepToken;
        QPointer<GeoService> guard(q);
        provider->lookup(p.query, [this, guard, id, token, providerId](const GeoAnswer &answer) {
            if (guard)
                onAnswer(id, token, providerId, answer);
        });
        if (p.waitingProvider) {
            // Asynchronous: a provider that never calls back must not stall the chain.
            const int timeout = settings.lookupTimeoutMs + 500;
            QTimer::singleShot(timeout, q, [this, id, token, providerId, timeout] {
                PendingLookup *p = find(id);
                if (!p || !p->waitingProvider || p->stepToken != token)
                    return;
                p->waitingProvider = false;
                p->anyTimedOut = true;
                p->failure = QStringLiteral("%1: no answer within %2 ms").arg(providerId).arg(timeout);
                p->rejected << p->failure;
                ++p->nextProvider;
                advance(id);
            });
        }
    }
    p.inAdvance = false;
    maybeFinish(id);
}

void GeoService::Private::onAnswer(quint64 id, quint64 token, const QString &provider,
                                   const GeoAnswer &answer)
{
    PendingLookup *p = find(id);
    if (!p || !p->waitingProvider || p->stepToken != token)
        return; // late answer after a timeout or cancel
    p->waitingProvider = false;
    consider(*p, provider, answer);
    ++p->nextProvider;
    advance(id); // no-op while the loop in advance() is running: it picks up from here
}

void GeoService::Private::consider(PendingLookup &p, const QString &providerId, const GeoAnswer &answer)
{
    const QString name = answer.provider.isEmpty() ? providerId : answer.provider;
    if (answer.status == GeoStatus::Failed || answer.status == GeoStatus::TimedOut) {
        if (answer.status == GeoStatus::TimedOut)
            p.anyTimedOut = true;
        const QString why = answer.error.isEmpty() ? geoStatusName(answer.status) : answer.error;
        p.failure = QStringLiteral("%1: %2").arg(name, why);
        p.rejected << p.failure;
        return;
    }
    if (answer.status != GeoStatus::Located || !answer.place.hasCoordinates()) {
        if (!answer.reason.isEmpty()) {
            p.unlocatableReason += QStringLiteral("%1%2: %3")
                                       .arg(p.unlocatableReason.isEmpty() ? QString() : QStringLiteral("; "),
                                            name, withoutFinalStop(answer.reason));
        }
        return;
    }
    QList<GeoPlace> places{answer.place};
    places << answer.alternatives;
    for (qsizetype i = 0; i < places.size(); ++i) {
        const GeoPlace &place = places.at(i);
        if (!place.hasCoordinates())
            continue;
        const PlausibilityVerdict verdict = checkPlausibility(place, p.source, p.query.rttMs);
        if (verdict.isImplausible()) {
            ++p.implausible;
            p.rejected << QStringLiteral("%1: %2").arg(name, verdict.sentence);
            continue;
        }
        Candidate c;
        c.place = place;
        c.provider = name;
        c.detail = answer.providerDetail;
        c.confidence = answer.confidence;
        c.verdict = verdict;
        c.reason = withoutFinalStop(answer.reason);
        if (i > 0)
            c.reason += QStringLiteral("; the first reading was implausible, this is the next one");
        if (verdict.kind == PlausibilityVerdict::Kind::Plausible)
            c.reason += QStringLiteral("; ") + verdict.sentence;
        if (providerId == kHostnameProvider)
            mergeHint(p, c);
        else if (!p.best)
            p.best = c;
        return;
    }
}

// A hostname hint names the city the operator says the router is in; IP databases tend to
// place router addresses where the network is registered. So: when both are plausible and
// agree, the database answer stands with more confidence; when they disagree by more than the
// database's accuracy radius (at least 100 km), the hint wins if the RTT check confirmed it or
// the hint is more confident than the database.
void GeoService::Private::mergeHint(PendingLookup &p, Candidate hint)
{
    if (!p.best) {
        p.best = hint;
        return;
    }
    Candidate &db = *p.best;
    const double apart =
        greatCircleKm(db.place.latitude, db.place.longitude, hint.place.latitude, hint.place.longitude);
    const double tolerance = std::max(kAgreementKm, db.place.accuracyKm);
    if (apart <= tolerance) {
        db.confidence = std::min(0.95, std::max(db.confidence, hint.confidence) + 0.15);
        db.reason += QStringLiteral("; the hostname hint (%1) agrees, %2 km apart")
                         .arg(hint.detail.isEmpty() ? describePlace(hint.place) : hint.detail)
                         .arg(qRound64(apart));
        return;
    }
    const bool checked = hint.verdict.kind == PlausibilityVerdict::Kind::Plausible;
    if (checked || hint.confidence > db.confidence) {
        p.rejected << QStringLiteral("%1: %2 is %3 km from the hostname hint %4; router addresses are often "
                                     "registered far from the router")
                          .arg(db.provider, describePlace(db.place))
                          .arg(qRound64(apart))
                          .arg(describePlace(hint.place));
        hint.reason += QStringLiteral("; preferred over %1 (%2)").arg(db.provider, describePlace(db.place));
        p.best = hint;
    } else {
        p.rejected << QStringLiteral(
                          "%1: %2 disagrees with %3 by %4 km and could not be checked against the RTT")
                          .arg(hint.provider, describePlace(hint.place), db.provider)
                          .arg(qRound64(apart));
    }
}

void GeoService::Private::decideFromChain(PendingLookup &p)
{
    GeoResult r;
    r.address = p.query.address;
    r.rejected = p.rejected;
    if (!p.overrideNote.isEmpty())
        r.rejected.prepend(p.overrideNote);
    if (p.best) {
        r.status = GeoStatus::Located;
        r.place = p.best->place;
        r.provider = p.best->provider;
        r.providerDetail = p.best->detail;
        r.reason = p.best->reason;
        r.confidence = std::clamp(p.best->confidence, 0.0, 1.0);
    } else if (p.implausible > 0 || p.failure.isEmpty()) {
        // Nobody knows this address, or every candidate was refused by the RTT check.
        r.status = GeoStatus::Unlocatable;
        r.reason = p.implausible > 0                ? QStringLiteral("every candidate was implausible")
                   : !p.unlocatableReason.isEmpty() ? p.unlocatableReason
                   : chain.empty()
                       ? QStringLiteral("no location source is available (no IP database installed)")
                       : QStringLiteral("no source knows this address");
        if (defaultChain && !mmdb && p.implausible == 0)
            r.reason += QStringLiteral(" (no IP database installed: run 'tracemap-cli geodb update')");
    } else {
        // A provider that might have known failed: say so (and do not cache it), rather than
        // claim the address is unknowable.
        r.status = p.anyTimedOut ? GeoStatus::TimedOut : GeoStatus::Failed;
        r.error = p.failure;
        r.reason = p.unlocatableReason.isEmpty()
                       ? p.failure
                       : QStringLiteral("%1; %2").arg(p.unlocatableReason, p.failure);
    }
    p.decision = r;
}

void GeoService::Private::maybeFinish(quint64 id)
{
    PendingLookup *pp = find(id);
    if (!pp || !pp->decision || !pp->hostnameDone || !pp->asDone || pp->waitingProvider || pp->inAdvance)
        return;
    std::unique_ptr<PendingLookup> p = std::move(pending.at(id));
    pending.erase(id);
    pendingByAddress.remove(p->query.address);

    GeoResult r = *p->decision;
    r.address = p->query.address;
    if (!r.fromCache) {
        if (r.hostname.isEmpty())
            r.hostname = p->query.hostname;
        if (!r.as.isValid())
            r.as = p->as;
        r.resolvedAt = QDateTime::currentDateTimeUtc();
        // Chain decisions are remembered; overrides and special ranges are instant anyway, and
        // an answer with a failed or silent provider may be better next time.
        const bool chainDecision =
            r.provider != QLatin1String("override") && r.provider != QLatin1String("special");
        const bool transient = r.status != GeoStatus::Located && (p->anyTimedOut || !p->failure.isEmpty());
        if (chainDecision && !transient &&
            (r.status == GeoStatus::Located || r.status == GeoStatus::Unlocatable)) {
            const GeoCacheContext context = contextFor(*p);
            if (cache)
                cache->store(r, context);
            GeoResult remembered = r;
            remembered.fromCache = true;
            // A long-running program (the agent) must not grow without bound; the persistent
            // cache still has everything.
            if (memory.size() >= kMaxRemembered)
                memory.clear();
            memory.insert(r.address, Remembered{remembered, context});
        }
    }
    results.insert(r.address, r);
    emit q->located(r);
}

// --- the rest of the interface ----------------------------------------------------------

GeoResult GeoService::result(const QHostAddress &address) const
{
    const QHostAddress key = normalizedAddress(address);
    const auto it = d->results.constFind(key);
    if (it != d->results.constEnd())
        return *it;
    GeoResult r;
    r.address = key;
    r.status = GeoStatus::Pending;
    return r;
}

void GeoService::setSourceLocation(double latitude, double longitude)
{
    d->source = SourceLocation{latitude, longitude};
}

void GeoService::cancelAll()
{
    for (const auto &provider : d->chain)
        provider->cancelAll();
    if (d->nominatim)
        d->nominatim->cancelAll();
    d->pending.clear();
    d->pendingByAddress.clear();
}

QStringList GeoService::attributions() const
{
    d->ensureChain();
    QStringList lines;
    if (d->mmdb)
        lines << d->mmdb->attributions();
    if (d->hostInfo)
        lines << d->hostInfo->attributions();
    // The compiled-in dictionaries behind hostname hints and geofeed cities.
    if (d->places)
        lines << QStringLiteral("Place and airport names from GeoNames (CC BY 4.0) and OpenFlights (ODbL)");
    if (d->nominatimUsed)
        lines << NominatimClient::attribution();
    lines.removeDuplicates();
    lines.removeAll(QString());
    return lines;
}

const GeoSettings &GeoService::settings() const
{
    return d->settings;
}

QStringList GeoService::warnings() const
{
    d->ensureChain();
    return d->warnings;
}

QString GeoService::databaseBuild() const
{
    d->ensureChain();
    return d->mmdb ? d->mmdb->buildDescription() : QString();
}

int GeoService::pendingCount() const
{
    return int(d->pending.size());
}

} // namespace tracemap
