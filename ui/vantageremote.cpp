#include "agentclient.h"
#include "atlasclient.h"
#include "secretstore.h"
#include "vantagecontroller_p.h"

#include <QNetworkAccessManager>

#include <algorithm>

namespace tracemap {

namespace {
constexpr const char *kAtlasKeyName = "ripe-atlas-key";
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

void VantageController::fetchAtlas(qint64 measurementId)
{
    if (measurementId <= 0) {
        setStatus(QStringLiteral("A RIPE Atlas measurement ID is a positive number"));
        return;
    }
    // The measurement's placeholder: it carries the state until results arrive, and the failure.
    VantageTrace placeholder;
    placeholder.vantage.kind = VantageKind::RipeAtlas;
    placeholder.vantage.id = QStringLiteral("atlas-measurement:%1").arg(measurementId);
    placeholder.vantage.name = QStringLiteral("RIPE Atlas measurement %1").arg(measurementId);
    placeholder.measurementId = measurementId;
    const int index = addRoutes({placeholder}, Loading);
    auto *client = new AtlasClient(network(), this);
    client->setBaseUrl(m_atlasUrl);
    const QString key = m_routes.at(index)->id;
    auto placeholderRoute = [this, key] {
        return findRoute(key);
    };
    connect(client, &AtlasClient::routesArrived, this,
            [this](const QList<VantageTrace> &routes) { addRoutes(routes, Done); });
    connect(client, &AtlasClient::waiting, this, [this, placeholderRoute](const QString &message, int) {
        if (Route *r = placeholderRoute()) {
            r->reason = message;
            emit routesChanged();
        }
        setStatus(message);
    });
    connect(client, &AtlasClient::finished, this,
            [this, client, placeholderRoute](AtlasClient::Error error, const QString &message) {
                client->deleteLater();
                Route *r = placeholderRoute();
                if (!r)
                    return;
                if (error == AtlasClient::Error::None) {
                    setState(*r, Done, QStringLiteral("%1 routes").arg(client->routes().size()));
                } else {
                    qCWarning(lcVantage) << "RIPE Atlas:" << message;
                    setState(*r, Failed, message);
                    setStatus(message);
                }
            });
    if (!m_secrets) {
        client->fetchResults(measurementId);
        return;
    }
    // A stored key opens the user's own non-public measurements; public ones need none.
    QPointer<AtlasClient> guard(client);
    m_secrets->load(QString::fromLatin1(kAtlasKeyName),
                    [guard, measurementId](const QByteArray &key, const QString &) {
                        if (!guard)
                            return;
                        guard->setKey(key);
                        guard->fetchResults(measurementId);
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
    VantageTrace placeholder;
    placeholder.vantage.kind = VantageKind::Agent;
    placeholder.vantage.id = agent.toString(QUrl::RemoveUserInfo);
    placeholder.vantage.name = QStringLiteral("Agent %1").arg(agent.host());
    placeholder.trace.target = target.trimmed();
    const int index = addRoutes({placeholder}, Streaming);
    const QString key = m_routes.at(index)->id;
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
    connect(client, &AgentTraceClient::finished, this,
            [this, client, key](AgentTraceClient::Error error, const QString &message) {
                client->deleteLater();
                Route *r = findRoute(key);
                if (!r)
                    return;
                if (error != AgentTraceClient::Error::None) {
                    setState(*r, Failed, message);
                    setStatus(message);
                    return;
                }
                const TraceResult trace = traceFromJson(client->document());
                r->trace.trace = trace;
                for (const Hop &hop : trace.hops)
                    r->model->updateHop(hop);
                setState(*r, Done, trace.reached ? QString() : QStringLiteral("destination not reached"));
            });
    const QString name = agentTokenName(agent);
    if (!token.isEmpty() && m_secrets)
        m_secrets->store(name, token.toUtf8(), [](bool, const QString &) {});
    if (!token.isEmpty() || !m_secrets) {
        client->setToken(token.toUtf8());
        client->start(agent, target.trimmed());
        return;
    }
    QPointer<AgentTraceClient> guard(client);
    const QString host = target.trimmed();
    m_secrets->load(name, [guard, agent, host](const QByteArray &stored, const QString &) {
        if (!guard)
            return;
        guard->setToken(stored);
        guard->start(agent, host);
    });
}

} // namespace tracemap
