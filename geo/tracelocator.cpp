#include "tracelocator.h"

#include "geocache.h"
#include "geodistance.h"
#include "specialranges.h"

#include <cmath>

namespace tracemap {

namespace {

// Results are matched to queries by address and start, at the precision the service coalesces by.
QString sourceKey(const SourceLocation &source)
{
    return GeoCache::sourceKey(source.latitude, source.longitude);
}

bool settled(const Hop &hop, bool traceOver)
{
    return traceOver || hop.complete;
}

} // namespace

QList<HopQuery> tracePlan(const QList<Hop> &hops, bool traceOver, bool hostnameKnown)
{
    QList<HopQuery> plan;
    QHash<QHostAddress, qsizetype> index;
    for (const Hop &hop : hops) {
        if (!settled(hop, traceOver))
            continue;
        for (const ProbeReply &reply : hop.replies) {
            if (reply.responder.isNull())
                continue;
            const QHostAddress address = normalizedAddress(reply.responder);
            auto it = index.constFind(address);
            if (it == index.cend()) {
                HopQuery q;
                q.query.address = address;
                q.query.hostnameKnown = hostnameKnown;
                q.ttl = hop.ttl;
                q.isPublic = !classifySpecialAddress(address);
                it = index.insert(address, plan.size());
                plan << q;
            }
            double &best = plan[*it].query.rttMs;
            if (reply.rttMs >= 0 && (best < 0 || reply.rttMs < best))
                best = reply.rttMs; // the best RTT bounds the distance most tightly
        }
    }
    // Hops arrive in any order while a trace runs; the plan is in TTL order.
    std::stable_sort(plan.begin(), plan.end(),
                     [](const HopQuery &a, const HopQuery &b) { return a.ttl < b.ttl; });
    return plan;
}

SourceCandidate sourceCandidate(const QList<Hop> &hops, bool traceOver, bool hostnameKnown)
{
    QList<Hop> ordered = hops;
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Hop &a, const Hop &b) { return a.ttl < b.ttl; });
    SourceCandidate candidate;
    for (const Hop &hop : std::as_const(ordered)) {
        if (!settled(hop, traceOver))
            return candidate; // an earlier hop may still bring a public responder
        for (const QHostAddress &responder : hop.responders()) {
            if (classifySpecialAddress(responder))
                continue;
            const QList<HopQuery> plan = tracePlan({hop}, true, hostnameKnown);
            for (const HopQuery &q : plan) {
                if (q.query.address == normalizedAddress(responder)) {
                    candidate.decidable = true;
                    candidate.query = q;
                    candidate.query->query.rttMs = -1; // it defines the source: no RTT check
                    return candidate;
                }
            }
        }
    }
    candidate.decidable = traceOver;
    return candidate;
}

std::optional<SourceLocationSetting> parseSourceLocationSetting(const QString &text, QString *error)
{
    const QString value = text.trimmed();
    if (value.isEmpty() || value.compare(QLatin1String("auto"), Qt::CaseInsensitive) == 0)
        return SourceLocationSetting{};
    double latitude = 0, longitude = 0;
    if (!parseLatLon(value, &latitude, &longitude)) {
        if (error)
            *error = QStringLiteral("source location '%1' is neither 'auto' nor LAT,LON with latitude "
                                    "-90..90 and longitude -180..180")
                         .arg(value.left(40));
        return std::nullopt;
    }
    return SourceLocationSetting{false, SourceLocation{latitude, longitude}};
}

QString describeTraceSource(int sourceTtl, const SourceLocation &source, const GeoPlace &place, double rttMs)
{
    if (sourceTtl < 0 || !source.isValid())
        return QStringLiteral("Start: unknown — speed-of-light check off");
    if (sourceTtl == 0)
        return QStringLiteral("Start: configured %1, %2")
            .arg(source.latitude, 0, 'f', 2)
            .arg(source.longitude, 0, 'f', 2);
    QString text = QStringLiteral("Start: estimated from hop %1, %2")
                       .arg(sourceTtl)
                       .arg(place.city.isEmpty() ? describePlace(place) : place.city);
    if (rttMs >= 0)
        text += QStringLiteral(" (%1 ms)").arg(rttMs, 0, 'f', 1);
    return text;
}

TraceLocator::TraceLocator(QObject *parent) : QObject(parent)
{
    registerGeoTypes();
}

void TraceLocator::setService(GeoService *service)
{
    disconnect(m_connection);
    m_service = service;
    if (m_service)
        m_connection = connect(m_service, &GeoService::located, this, &TraceLocator::onServiceLocated);
    const QList<Hop> hops = m_hops;
    const bool over = m_traceOver;
    reset();
    setConfiguredSource(m_configured);
    m_hops = hops;
    m_traceOver = over;
}

void TraceLocator::setConfiguredSource(std::optional<SourceLocation> source)
{
    m_configured = source && source->isValid() ? source : std::nullopt;
    if (!m_configured)
        return;
    m_sourceState = SourceState::Decided;
    m_sourceTtl = 0;
    m_source = *m_configured;
    emit sourceChanged();
}

void TraceLocator::reset()
{
    const bool hadPending = !m_pending.isEmpty();
    const bool hadSource = m_sourceTtl > 0;
    m_hops.clear();
    m_traceOver = false;
    m_asked.clear();
    m_pending.clear();
    m_results.clear();
    m_doneSignalled = false;
    m_sourceAddress = QHostAddress();
    m_sourceAddressTtl = -1;
    if (!m_configured) {
        m_sourceState = SourceState::Undecided;
        m_source = SourceLocation{};
        m_sourceTtl = -1;
        if (hadSource)
            emit sourceChanged();
    }
    if (hadPending)
        emit pendingChanged();
}

void TraceLocator::update(const QList<Hop> &hops, bool traceOver)
{
    m_hops = hops;
    m_traceOver = traceOver;
    pump();
}

bool TraceLocator::hostnameKnown() const
{
    // Offline, names are never looked up: the query says so, and the cache compares them.
    return m_service && m_service->settings().offline;
}

void TraceLocator::pump()
{
    if (m_pumping) {
        m_pumpAgain = true; // a synchronous answer from inside step(): run it again afterwards
        return;
    }
    m_pumping = true;
    do {
        m_pumpAgain = false;
        step();
    } while (m_pumpAgain);
    m_pumping = false;
    if (isDone() && !m_doneSignalled) {
        m_doneSignalled = true;
        emit done();
    }
}

void TraceLocator::step()
{
    if (!m_service)
        return;
    if (m_sourceState == SourceState::Waiting)
        return;
    if (m_sourceState == SourceState::Undecided) {
        const SourceCandidate candidate = sourceCandidate(m_hops, m_traceOver, hostnameKnown());
        if (!candidate.decidable)
            return;
        if (candidate.query) {
            m_sourceState = SourceState::Waiting;
            m_sourceAddress = candidate.query->query.address;
            m_sourceAddressTtl = candidate.query->ttl;
            ask(candidate.query->query); // may answer at once (a cached decision)
            return;
        }
        m_sourceState = SourceState::Decided; // a trace without public responders has no source
    }
    for (const HopQuery &q : tracePlan(m_hops, m_traceOver, hostnameKnown())) {
        if (!m_asked.contains(q.query.address))
            ask(q.query);
    }
}

void TraceLocator::ask(GeoQuery query)
{
    // Every query names this trace's start (none yet while the source itself is asked), so
    // routes from several places can share one service.
    query.source = m_source;
    m_asked.insert(query.address);
    m_pending.insert(query.address, sourceKey(m_source));
    emit pendingChanged();
    m_service->locate(query);
}

void TraceLocator::onServiceLocated(const GeoResult &result)
{
    const auto it = m_pending.constFind(result.address);
    if (it == m_pending.cend() || *it != sourceKey(result.source))
        return; // not ours (another route's start), or answered already
    m_pending.erase(it);
    m_results.insert(result.address, result);
    if (m_sourceState == SourceState::Waiting && result.address == m_sourceAddress) {
        m_sourceState = SourceState::Decided;
        if (result.status == GeoStatus::Located && result.place.hasCoordinates()) {
            m_source = SourceLocation{result.place.latitude, result.place.longitude};
            m_sourceTtl = m_sourceAddressTtl;
            emit sourceChanged();
        }
    }
    emit located(result);
    emit pendingChanged();
    pump();
}

QString TraceLocator::sourceDescription() const
{
    double rttMs = -1;
    for (const HopQuery &q : tracePlan(m_hops, true, true)) {
        if (q.query.address == m_sourceAddress)
            rttMs = q.query.rttMs;
    }
    return describeTraceSource(m_sourceTtl, m_source, m_results.value(m_sourceAddress).place, rttMs);
}

bool TraceLocator::isDone() const
{
    if (!m_traceOver || !m_pending.isEmpty() || m_sourceState != SourceState::Decided)
        return false;
    for (const HopQuery &q : tracePlan(m_hops, true, false)) {
        if (!m_results.contains(q.query.address))
            return false;
    }
    return true;
}

GeoResult TraceLocator::resultFor(const QHostAddress &address) const
{
    const QHostAddress key = normalizedAddress(address);
    const auto it = m_results.constFind(key);
    if (it != m_results.cend())
        return *it;
    GeoResult r;
    r.address = key;
    r.status = GeoStatus::Pending;
    return r;
}

void TraceLocator::cancelAll()
{
    if (m_service)
        m_service->cancelAll();
    const bool hadPending = !m_pending.isEmpty();
    m_pending.clear();
    if (hadPending)
        emit pendingChanged();
}

} // namespace tracemap
