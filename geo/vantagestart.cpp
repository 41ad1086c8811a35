#include "vantagestart.h"

#include "geoservice.h"
#include "plausibility.h"
#include "specialranges.h"
#include "tracelocator.h"

#include <QHostInfo>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace tracemap {

namespace {

// "DB-IP", "overrides", ...: the source as users know it, not the chain's internal id.
QString providerLabel(const GeoResult &r)
{
    const QString &p = r.provider;
    if (p == QLatin1String("mmdb"))
        return r.providerDetail.contains(QLatin1String("DBIP"), Qt::CaseInsensitive) ||
                       r.providerDetail.contains(QLatin1String("DB-IP"), Qt::CaseInsensitive)
                   ? QStringLiteral("DB-IP")
                   : QStringLiteral("IP database");
    if (p == QLatin1String("override"))
        return QStringLiteral("overrides");
    if (p == QLatin1String("ip-api"))
        return QStringLiteral("ip-api.com");
    return p.isEmpty() ? QStringLiteral("unknown source") : p;
}

// How precise the place is: what the answer names, not the database's claim.
QString precision(const GeoPlace &place)
{
    if (!place.city.isEmpty())
        return QStringLiteral("city");
    if (!place.region.isEmpty())
        return QStringLiteral("region");
    if (!place.countryCode.isEmpty() || !place.country.isEmpty())
        return QStringLiteral("country");
    return QStringLiteral("coordinates");
}

} // namespace

QString toString(VantageStartSource source)
{
    switch (source) {
    case VantageStartSource::None:
        return QStringLiteral("none");
    case VantageStartSource::Configured:
        return QStringLiteral("configured");
    case VantageStartSource::Address:
        return QStringLiteral("address");
    case VantageStartSource::Estimated:
        return QStringLiteral("estimated");
    }
    return {};
}

std::optional<SourceLocation> VantageStart::locatorStart() const
{
    if (source == VantageStartSource::Configured || source == VantageStartSource::Address)
        return location;
    return std::nullopt;
}

VantageStart chooseVantageStart(const VantageStartInput &in)
{
    VantageStart start;
    if (in.reported.hasLocation()) {
        start.source = VantageStartSource::Configured;
        start.location = SourceLocation{in.reported.latitude, in.reported.longitude};
        start.place.city = in.reported.city;
        start.place.countryCode = in.reported.country;
        start.note = QStringLiteral("configured on the agent");
        return start;
    }
    const GeoResult &r = in.addressResult;
    if (isLocatableAgentAddress(in.agentAddress) && r.status == GeoStatus::Located &&
        r.place.hasCoordinates() && normalizedAddress(r.address) == normalizedAddress(in.agentAddress)) {
        start.source = VantageStartSource::Address;
        start.location = SourceLocation{r.place.latitude, r.place.longitude};
        start.place = r.place;
        start.note =
            QStringLiteral("located by its address %1 (%2, %3)")
                .arg(normalizedAddress(in.agentAddress).toString(), providerLabel(r), precision(r.place));
        return start;
    }
    if (in.estimatedTtl > 0 && in.estimated.isValid()) {
        start.source = VantageStartSource::Estimated;
        start.location = in.estimated;
        start.place = in.estimatedPlace;
        const QString where =
            in.estimatedPlace.city.isEmpty() ? describePlace(in.estimatedPlace) : in.estimatedPlace.city;
        start.note = QStringLiteral("estimated from hop %1, %2").arg(in.estimatedTtl).arg(where);
        return start;
    }
    start.note = QStringLiteral("unknown — speed-of-light check off");
    return start;
}

void addEstimate(VantageStartInput *in, const QList<Hop> &hops, bool traceOver,
                 const std::function<GeoResult(const QHostAddress &)> &resultFor)
{
    const SourceCandidate first = sourceCandidate(hops, traceOver, true);
    if (!first.decidable || !first.query)
        return;
    const GeoResult r = resultFor(first.query->query.address);
    if (r.status != GeoStatus::Located || !r.place.hasCoordinates())
        return;
    in->estimatedTtl = first.query->ttl;
    in->estimated = SourceLocation{r.place.latitude, r.place.longitude};
    in->estimatedPlace = r.place;
}

bool isLocatableAgentAddress(const QHostAddress &address)
{
    return !address.isNull() && !classifySpecialAddress(address).has_value();
}

GeoQuery agentAddressQuery(const QHostAddress &address)
{
    GeoQuery query;
    query.address = normalizedAddress(address);
    query.hostnameKnown = true;      // its name would place nothing the address does not
    query.source = SourceLocation{}; // no RTT check: this place defines the start
    return query;
}

void findAgentPlace(GeoService *service, const QUrl &agent, const QHostAddress &known, QObject *context,
                    std::function<void(const AgentPlace &)> done, int resolveTimeoutMs)
{
    QPointer<GeoService> geo(service);
    // Asks the chain (or not) once the address is known; answers through `done` exactly once.
    auto ask = [geo, context, done](const QHostAddress &address) {
        AgentPlace place;
        place.address = normalizedAddress(address);
        if (!geo || !isLocatableAgentAddress(place.address)) {
            QMetaObject::invokeMethod(
                context, [done, place] { done(place); }, Qt::QueuedConnection);
            return;
        }
        auto connection = std::make_shared<QMetaObject::Connection>();
        // Connected before locate(): a cached answer arrives inside it.
        *connection = QObject::connect(geo, &GeoService::located, context,
                                       [context, done, place, connection](const GeoResult &result) mutable {
                                           if (normalizedAddress(result.address) != place.address)
                                               return;
                                           QObject::disconnect(*connection);
                                           place.result = result;
                                           QMetaObject::invokeMethod(
                                               context, [done, place] { done(place); }, Qt::QueuedConnection);
                                       });
        geo->locate(agentAddressQuery(place.address));
    };
    if (!known.isNull()) {
        ask(known);
        return;
    }
    const QHostAddress literal(agent.host());
    if (!literal.isNull() || agent.host().isEmpty()) {
        ask(literal);
        return;
    }
    // A name: the system resolver, as the connection itself resolves it; the first answer wins
    // the race against the deadline, the other does nothing.
    auto answered = std::make_shared<bool>(false);
    QHostInfo::lookupHost(agent.host(), context, [ask, answered](const QHostInfo &info) {
        if (*answered)
            return;
        *answered = true;
        ask(info.addresses().value(0));
    });
    QTimer::singleShot(resolveTimeoutMs, context, [ask, answered] {
        if (*answered)
            return;
        *answered = true;
        ask(QHostAddress());
    });
}

} // namespace tracemap
