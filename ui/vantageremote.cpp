#include "agentclient.h"
#include "atlasclient.h"
#include "geoservice.h"
#include "offline.h"
#include "secretstore.h"
#include "vantagecontroller_p.h"

#include <QNetworkAccessManager>

#include <algorithm>

namespace tracemap {

namespace {
QString agentTokenName(const QUrl &agent)
{
    return QStringLiteral("agent-token:") + agent.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
}
} // namespace

VantageController::Route *VantageController::findRoute(const QString &id)
{
    for (auto &r : m_routes) {
        if (r->id == id)
            return r.get();
    }
    return nullptr; // cleared meanwhile
}

QNetworkAccessManager *VantageController::network()
{
    if (!m_network) {
        m_ownedNetwork = std::make_unique<QNetworkAccessManager>();
        m_network = m_ownedNetwork.get();
    }
    return m_network;
}

QString VantageController::addPlaceholder(VantageKind kind, const QString &id, const QString &name,
                                          qint64 measurementId)
{
    VantageTrace placeholder;
    placeholder.vantage.kind = kind;
    placeholder.vantage.id = id;
    placeholder.vantage.name = name;
    placeholder.measurementId = measurementId;
    const int index = addRoutes({placeholder}, Loading);
    return m_routes.at(index)->id;
}

// The placeholder row `key` carries the measurement's state: what it waits for, and its failure;
// the routes that arrive are added as they come and stay whatever happens to the measurement.
void VantageController::watchAtlas(AtlasClient *client, const QString &key)
{
    connect(client, &AtlasClient::routesArrived, this,
            [this](const QList<VantageTrace> &routes) { addRoutes(routes, Done); });
    connect(client, &AtlasClient::created, this, [this, key](qint64 id) {
        if (Route *r = findRoute(key)) {
            r->trace.measurementId = id;
            r->trace.vantage.name = QStringLiteral("RIPE Atlas measurement %1").arg(id);
            r->reason = QStringLiteral("created; waiting for results");
            emit routesChanged();
            scheduleRebuild();
        }
        setStatus(QStringLiteral("RIPE Atlas measurement %1 created; waiting for its results").arg(id));
    });
    watchWaiting(client, key);
    connect(client, &AtlasClient::finished, this,
            [this, client, key](AtlasClient::Error error, const QString &message) {
                client->deleteLater();
                Route *r = findRoute(key);
                if (!r)
                    return;
                if (error == AtlasClient::Error::None) {
                    setState(*r, Done, routesText(client->routes().size()));
                } else {
                    qCWarning(lcVantage) << "RIPE Atlas:" << message;
                    setState(*r, Failed, message);
                    setStatus(message);
                }
            });
}

void VantageController::updateRoute(Route &route, const VantageTrace &trace, State state)
{
    route.trace = trace;
    route.state = trace.failed ? Failed : state;
    route.reason = trace.failure;
    for (const Hop &hop : trace.trace.hops)
        route.model->updateHop(hop);
    route.locator->update(route.trace.trace.hops, route.state == Done || route.state == Failed);
    emit routesChanged();
    scheduleRebuild();
}

bool VantageController::refusedOffline(const QUrl &server)
{
    if (!m_geo || !m_geo->settings().offline || reachableOffline(server))
        return false;
    setStatus(offlineRefusal(server));
    return true;
}

void VantageController::fetchAtlas(qint64 measurementId)
{
    if (measurementId <= 0) {
        setStatus(QStringLiteral("A RIPE Atlas measurement ID is a positive number"));
        return;
    }
    if (refusedOffline(m_atlasUrl))
        return;
    const QString key =
        addPlaceholder(VantageKind::RipeAtlas, QStringLiteral("atlas-measurement:%1").arg(measurementId),
                       QStringLiteral("RIPE Atlas measurement %1").arg(measurementId), measurementId);
    auto *client = new AtlasClient(network(), this);
    client->setBaseUrl(m_atlasUrl);
    watchAtlas(client, key);
    // A stored key opens the user's own non-public measurements; public ones need none.
    withSecret(QString::fromLatin1(kAtlasKeyName), {}, client,
               [client, measurementId](const QByteArray &key) {
                   client->setKey(key);
                   client->fetchResults(measurementId);
               });
}

void VantageController::setSecretStore(SecretStore *store)
{
    m_secrets = store;
    if (store)
        connect(store, &SecretStore::fileNotice, this, &VantageController::setStatus);
}

void VantageController::setAtlasKey(const QString &key)
{
    if (!m_secrets)
        return;
    const QByteArray secret = key.trimmed().toUtf8();
    m_secrets->store(QString::fromLatin1(kAtlasKeyName), secret,
                     [this, secret](bool ok, const QString &error) {
                         // The key itself is never part of a message.
                         setStatus(!ok                ? error
                                   : secret.isEmpty() ? QStringLiteral("RIPE Atlas key removed")
                                                      : QStringLiteral("RIPE Atlas key saved"));
                     });
}

void VantageController::traceViaAgent(const QString &agentUrl, const QString &target, const QString &token)
{
    const QUrl agent = QUrl::fromUserInput(agentUrl.trimmed());
    if (!agent.isValid() || !agent.scheme().startsWith(QLatin1String("http")) || target.trimmed().isEmpty()) {
        setStatus(QStringLiteral("An agent is added by its http(s) URL, with a host to trace"));
        return;
    }
    if (refusedOffline(agent))
        return;
    VantageTrace placeholder;
    placeholder.vantage.kind = VantageKind::Agent;
    placeholder.vantage.id = agent.toString(QUrl::RemoveUserInfo);
    placeholder.vantage.name = QStringLiteral("Agent %1").arg(agent.host());
    placeholder.trace.target = target.trimmed();
    const int index = addRoutes({placeholder}, Streaming);
    const QString key = m_routes.at(index)->id;
    m_routes.at(index)->reported = placeholder.vantage;
    auto *client = new AgentTraceClient(network(), this);
    // Hops arrive one by one: the route grows on the map while the agent probes.
    connect(client, &AgentTraceClient::hop, this, [this, key](const Hop &hop, const QJsonObject &) {
        Route *r = findRoute(key);
        if (!r)
            return;
        QList<Hop> &hops = r->trace.trace.hops;
        auto it = std::find_if(hops.begin(), hops.end(), [&](const Hop &h) { return h.ttl >= hop.ttl; });
        if (it != hops.end() && it->ttl == hop.ttl)
            *it = hop;
        else
            hops.insert(it, hop);
        r->model->updateHop(hop);
        r->locator->update(hops, false);
        scheduleRebuild();
    });
    // Where the route starts (vantagestart.h): the agent's own place (its config), else its
    // public address located through this app's chain, else the first public responder's place.
    // The legend names it and the RTT check of every hop is made from there.
    const auto reported = [this, key](const VantagePoint &vantage) {
        Route *r = findRoute(key);
        if (!r || !vantage.hasLocation())
            return;
        r->reported = vantage;
        applyAgentStart(*r);
    };
    findAgentStart(*m_routes.at(index));
    connect(client, &AgentTraceClient::vantageReported, this, reported);
    connect(client, &AgentTraceClient::finished, this,
            [this, client, key, agent, reported](AgentTraceClient::Error error, const QString &message) {
                client->deleteLater();
                Route *r = findRoute(key);
                if (!r)
                    return;
                if (error != AgentTraceClient::Error::None) {
                    setState(*r, Failed, message);
                    setStatus(message);
                    return;
                }
                const QJsonObject document = client->document();
                const TraceResult trace = traceFromJson(document);
                r->trace.trace = trace;
                if (!r->trace.vantage.hasLocation() && document.value(QLatin1String("vantage")).isObject())
                    reported(
                        agentVantageFromJson(document.value(QLatin1String("vantage")).toObject(), agent));
                for (const Hop &hop : trace.hops)
                    r->model->updateHop(hop);
                setState(*r, Done, trace.reached ? QString() : QStringLiteral("destination not reached"));
                setStatus(QStringLiteral("%1: start %2").arg(r->trace.vantage.name, agentStart(*r).note));
            });
    const QString host = target.trimmed();
    withSecret(agentTokenName(agent), token.toUtf8(), client,
               [client, agent, host](const QByteArray &secret) {
                   client->setToken(secret);
                   client->start(agent, host);
               });
}

void VantageController::findAgentStart(Route &route)
{
    const QUrl agent(route.trace.vantage.id); // the agent's URL
    route.awaitingAgentPlace = true;
    findAgentPlace(m_geo, agent, m_agentAddressLookup ? m_agentAddressLookup(agent) : QHostAddress(), this,
                   [this, key = route.id](const AgentPlace &place) {
                       if (Route *r = findRoute(key)) {
                           r->agentPlace = place;
                           r->awaitingAgentPlace = false;
                           applyAgentStart(*r);
                       }
                   });
}

VantageStart VantageController::agentStart(const Route &route) const
{
    VantageStartInput in;
    in.reported = route.reported;
    in.agentAddress = route.agentPlace.address;
    in.addressResult = route.agentPlace.result;
    addEstimate(&in, route.trace.trace.hops, route.state == Done || route.state == Failed,
                [&route](const QHostAddress &a) { return route.locator->resultFor(a); });
    return chooseVantageStart(in);
}

void VantageController::applyAgentStart(Route &route)
{
    const VantageStart start = agentStart(route);
    VantagePoint vantage = route.reported;
    if (start.source == VantageStartSource::Address) {
        vantage.latitude = start.location.latitude;
        vantage.longitude = start.location.longitude;
        vantage.city = start.place.city;
        vantage.country = start.place.countryCode;
        vantage.publicAddress = route.agentPlace.address;
    }
    const VantagePoint &was = route.trace.vantage;
    const bool moved =
        vantage.hasLocation() != was.hasLocation() ||
        (vantage.hasLocation() && (vantage.latitude != was.latitude || vantage.longitude != was.longitude));
    route.trace.vantage = vantage;
    if (moved)
        locate(route); // every hop again, its RTT checked from the new start
    emit routesChanged();
    scheduleRebuild();
}

void VantageController::withSecret(const QString &name, const QByteArray &given, QObject *user,
                                   std::function<void(const QByteArray &)> start)
{
    if (!given.isEmpty() && m_secrets)
        m_secrets->store(name, given, [](bool, const QString &) {});
    if (!given.isEmpty() || !m_secrets) {
        start(given);
        return;
    }
    QPointer<QObject> guard(user);
    m_secrets->load(name, [guard, start](const QByteArray &kept, const QString &) {
        if (guard) // not cleared meanwhile
            start(kept);
    });
}

} // namespace tracemap
