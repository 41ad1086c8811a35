#include "geoservice_p.h"

#include "mmdbprovider.h"
#include "specialranges.h"

#include <QPointer>
#include <QTimer>

Q_LOGGING_CATEGORY(lcGeoService, "tracemap.geo.service", QtWarningMsg)

namespace tracemap {

// --- the lookup -------------------------------------------------------------------------

void GeoService::locate(const GeoQuery &input)
{
    d->ensureChain();
    GeoQuery query = input;
    query.address = normalizedAddress(input.address);
    const SourceLocation source = query.source.value_or(d->source);
    if (query.address.isNull()) {
        GeoResult r;
        r.source = source;
        r.status = GeoStatus::Failed;
        r.error = QStringLiteral("not an IP address");
        r.reason = r.error;
        r.resolvedAt = QDateTime::currentDateTimeUtc();
        emit located(r);
        return;
    }
    const Private::PendingKey key{query.address, GeoCache::sourceKey(source.latitude, source.longitude)};
    if (d->pendingByAddress.contains(key))
        return; // coalesced: the lookup in flight (same address, same start) answers for both

    auto owned = std::make_unique<PendingLookup>();
    PendingLookup &p = *owned;
    p.id = d->nextId++;
    p.query = query;
    p.source = source;
    d->pending.emplace(p.id, std::move(owned));
    d->pendingByAddress.insert(key, p.id);
    const quint64 id = p.id;

    if (d->tryOverride(p))
        return; // decided, or waiting for Nominatim to place a geofeed city
    d->afterOverrides(id);
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
        p.decidedBy = ProviderRole::Special;
        p.hostnameDone = true;
        p.asDone = true;
        maybeFinish(id);
        return;
    }
    const GeoCacheContext context = contextFor(p);
    std::optional<GeoResult> cached;
    const std::optional<Remembered> remembered = memory.find(p.query.address);
    if (remembered && remembered->context.databaseBuild == context.databaseBuild &&
        remembered->context.sourceKey == context.sourceKey &&
        (!context.hostnameGiven || remembered->context.hostname == context.hostname)) {
        cached = remembered->result;
    } else if (cache) {
        cached = cache->find(p.query.address, context);
    }
    // A decision remembered from a lookup with a looser RTT bound (or none) may break this
    // lookup's bound, and one whose every candidate broke a tighter bound may hold now: decide
    // again (found by tests/geo/tst_lightbound).
    if (cached &&
        ((cached->status == GeoStatus::Located &&
          checkPlausibility(cached->place, p.source, p.query.rttMs).isImplausible()) ||
         (cached->status == GeoStatus::Unlocatable && cached->reason == kEveryCandidateImplausible)))
        cached.reset();
    if (cached && p.overrideNote.isEmpty()) {
        p.decision = *cached;
        p.hostnameDone = true;
        p.asDone = true;
        maybeFinish(id);
        return;
    }
    p.chainStarted = true;
    p.arbitration.emplace(p.source, p.query.rttMs);
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
        const auto storeName = [](PendingLookup &p, const QString &name) {
            p.query.hostname = name;
        };
        hostInfo->reverseName(address, hostInfoPart<QString>(guard, id, &PendingLookup::hostnameDone,
                                                             storeName, &Private::advance));
    }
    if (wantAs && find(id)) {
        const auto storeAs = [](PendingLookup &p, const AsInfo &as) {
            p.as = as;
        };
        hostInfo->originAs(
            address, hostInfoPart<AsInfo>(guard, id, &PendingLookup::asDone, storeAs, &Private::maybeFinish));
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
        const ProviderRole role = provider->role();
        // First plausible answer wins; a hostname hint later in the chain may still refine it.
        if (!p.arbitration->wants(role)) {
            ++p.nextProvider;
            continue;
        }
        if (role == ProviderRole::Hint && !p.hostnameDone)
            break; // resumed by the reverse DNS answer or its watchdog
        p.arbitration->asking(role);
        p.waitingProvider = true;
        const quint64 token = ++p.stepToken;
        QPointer<GeoService> guard(q);
        provider->lookup(p.query, [this, guard, id, token, role, providerId](const GeoAnswer &answer) {
            if (guard)
                onAnswer(id, token, role, providerId, answer);
        });
        if (p.waitingProvider) {
            // Asynchronous: a provider that never calls back must not stall the chain.
            const int timeout = settings.lookupTimeoutMs + 500;
            QTimer::singleShot(timeout, q, [this, id, token, providerId, timeout] {
                PendingLookup *p = find(id);
                if (!p || !p->waitingProvider || p->stepToken != token)
                    return;
                p->waitingProvider = false;
                p->arbitration->timedOut(providerId, timeout);
                ++p->nextProvider;
                advance(id);
            });
        }
    }
    p.inAdvance = false;
    maybeFinish(id);
}

void GeoService::Private::onAnswer(quint64 id, quint64 token, ProviderRole role, const QString &provider,
                                   const GeoAnswer &answer)
{
    PendingLookup *p = find(id);
    if (!p || !p->waitingProvider || p->stepToken != token)
        return; // late answer after a timeout or cancel
    p->waitingProvider = false;
    p->arbitration->consider(role, provider, answer);
    ++p->nextProvider;
    advance(id); // no-op while the loop in advance() is running: it picks up from here
}

void GeoService::Private::decideFromChain(PendingLookup &p)
{
    if (!p.overrideNote.isEmpty())
        p.arbitration->addNote(p.overrideNote);
    const QString noSource =
        chain.empty() ? QStringLiteral("no location source is available (no IP database installed)")
                      : QStringLiteral("no source knows this address");
    const QString missingDatabase =
        defaultChain && !mmdb ? QStringLiteral(" (no IP database installed: run 'tracemap-cli geodb update')")
                              : QString();
    p.decision = p.arbitration->decide(noSource, missingDatabase);
    p.decision->address = p.query.address;
    p.decidedBy = ProviderRole::Database; // a chain decision, whichever provider won
}

void GeoService::Private::maybeFinish(quint64 id)
{
    PendingLookup *pp = find(id);
    if (!pp || !pp->decision || !pp->hostnameDone || !pp->asDone || pp->waitingProvider || pp->inAdvance)
        return;
    std::unique_ptr<PendingLookup> p = std::move(pending.at(id));
    pending.erase(id);
    pendingByAddress.remove(
        PendingKey{p->query.address, GeoCache::sourceKey(p->source.latitude, p->source.longitude)});

    GeoResult r = *p->decision;
    r.address = p->query.address;
    r.source = p->source;
    if (!r.fromCache) {
        if (r.hostname.isEmpty())
            r.hostname = p->query.hostname;
        if (!r.as.isValid())
            r.as = p->as;
        r.resolvedAt = QDateTime::currentDateTimeUtc();
        // Chain decisions are remembered; overrides and special ranges are instant anyway, and
        // an answer with a failed or silent provider may be better next time.
        const bool chainDecision =
            p->decidedBy != ProviderRole::Override && p->decidedBy != ProviderRole::Special;
        const bool transient = r.status != GeoStatus::Located && p->arbitration &&
                               (p->arbitration->anyTimedOut() || p->arbitration->anyFailure());
        if (chainDecision && !transient &&
            (r.status == GeoStatus::Located || r.status == GeoStatus::Unlocatable)) {
            const GeoCacheContext context = contextFor(*p);
            if (cache)
                cache->store(r, context);
            GeoResult remembered = r;
            remembered.fromCache = true;
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
