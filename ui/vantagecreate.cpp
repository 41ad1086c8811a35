// VantageController: measurements created from the desktop app. A RIPE Atlas one-off is priced
// first and sent only after the user's yes (it spends credits); a Globalping measurement (free
// within the anonymous limits) is created at once. Both are polled by their clients (deadlines,
// Retry-After) and their routes show as they arrive.
#include "atlasclient.h"
#include "globalpingclient.h"
#include "secretstore.h"
#include "vantagecontroller_p.h"

namespace tracemap {

namespace {

QString selectionText(const AtlasProbeSelection &s)
{
    switch (s.type) {
    case AtlasProbeSelection::Type::Country:
        return QStringLiteral("in %1").arg(s.value);
    case AtlasProbeSelection::Type::Asn:
        return QStringLiteral("in AS%1").arg(
            QString(s.value).remove(QStringLiteral("AS"), Qt::CaseInsensitive));
    case AtlasProbeSelection::Type::Area:
        return QStringLiteral("in area %1").arg(s.value);
    }
    return {};
}

} // namespace

QStringList VantageController::atlasAreaNames()
{
    return atlasAreas();
}

void VantageController::setGlobalpingUrl(const QUrl &url)
{
    if (url == m_globalpingUrl)
        return;
    m_globalpingUrl = url;
    emit apiUrlsChanged();
}

QVariantMap VantageController::pendingCreation() const
{
    if (!m_pending)
        return {};
    const AtlasTraceSpec &spec = m_pending->spec;
    return QVariantMap{
        {QStringLiteral("service"), QStringLiteral("RIPE Atlas")},
        {QStringLiteral("target"), spec.target},
        {QStringLiteral("probes"), spec.probes.requested},
        {QStringLiteral("credits"), m_pending->credits},
        {QStringLiteral("text"),
         QStringLiteral("A one-off RIPE Atlas traceroute to %1 from %2 probes %3 costs about %4 credits "
                        "of your account (if every probe answers).")
             .arg(spec.target)
             .arg(spec.probes.requested)
             .arg(selectionText(spec.probes))
             .arg(m_pending->credits)}};
}

void VantageController::requestAtlasTrace(const QString &target, int probes, const QString &selection,
                                          const QString &value)
{
    const int serial = ++m_requestSerial;
    if (m_pending) {
        m_pending.reset();
        emit pendingCreationChanged();
    }
    if (refusedOffline(m_atlasUrl))
        return;
    AtlasTraceSpec spec;
    spec.target = target.trimmed();
    spec.description = QStringLiteral("tracemap: traceroute to %1").arg(spec.target);
    spec.probes.requested = probes;
    spec.probes.value = value.trimmed();
    const std::optional<AtlasProbeSelection::Type> type =
        atlasSelectionFromName(selection.trimmed().toLower());
    QString problem = type ? QString() : QStringLiteral("probes are chosen by country, asn or area");
    if (type) {
        spec.probes.type = *type;
        if (*type == AtlasProbeSelection::Type::Country)
            spec.probes.value = spec.probes.value.toUpper();
        problem = validate(spec);
    }
    if (!problem.isEmpty()) {
        setStatus(QStringLiteral("RIPE Atlas one-off: %1").arg(problem));
        return;
    }
    const QString noKey = QStringLiteral("Creating a RIPE Atlas measurement needs your API key: enter it "
                                         "under \"RIPE Atlas API key\" and Keep it");
    if (!m_secrets) {
        setStatus(noKey);
        return;
    }
    // The key is read before the price is shown: without one there is nothing to confirm.
    QPointer<VantageController> self(this);
    m_secrets->load(QString::fromLatin1(kAtlasKeyName),
                    [self, serial, spec, noKey](const QByteArray &key, const QString &error) {
                        if (!self || serial != self->m_requestSerial)
                            return; // outdated by a newer request
                        if (key.isEmpty()) {
                            self->setStatus(error.isEmpty() ? noKey : error);
                            return;
                        }
                        self->m_pending = std::make_unique<PendingAtlas>();
                        self->m_pending->spec = spec;
                        self->m_pending->key = key;
                        self->m_pending->credits = atlasExpectedCredits(spec);
                        emit self->pendingCreationChanged();
                    });
}

void VantageController::cancelCreation()
{
    ++m_requestSerial; // a key still loading must not bring the question back
    if (!m_pending)
        return;
    m_pending.reset();
    emit pendingCreationChanged();
    setStatus(QStringLiteral("Nothing was created: the RIPE Atlas measurement was cancelled"));
}

void VantageController::confirmCreation()
{
    if (!m_pending)
        return;
    const std::unique_ptr<PendingAtlas> pending = std::move(m_pending);
    emit pendingCreationChanged();
    if (refusedOffline(m_atlasUrl)) // went offline while the user was asked
        return;
    createAtlas(pending->spec, pending->key);
}

void VantageController::createAtlas(const AtlasTraceSpec &spec, const QByteArray &key)
{
    const QString placeholder =
        addPlaceholder(VantageKind::RipeAtlas, QStringLiteral("atlas-oneoff:%1").arg(m_colorIndex),
                       QStringLiteral("RIPE Atlas one-off to %1 (%2 probes %3)")
                           .arg(spec.target)
                           .arg(spec.probes.requested)
                           .arg(selectionText(spec.probes)),
                       -1);
    auto *client = new AtlasClient(network(), this);
    client->setBaseUrl(m_atlasUrl);
    client->setKey(key);
    client->setRequestTimeoutMs(m_timings.requestMs);
    client->setOverallTimeoutMs(m_timings.atlasOverallMs);
    client->setPollIntervalMs(m_timings.atlasPollMs);
    watchAtlas(client, placeholder);
    setStatus(QStringLiteral("Creating a RIPE Atlas traceroute to %1…").arg(spec.target));
    client->createTrace(spec);
}

void VantageController::createGlobalping(const QString &target, const QString &from, int limit, bool mtr,
                                         const QString &token)
{
    GlobalpingSpec spec;
    spec.type = mtr ? QStringLiteral("mtr") : QStringLiteral("traceroute");
    spec.target = target.trimmed();
    spec.limit = limit;
    // "Germany, Japan" asks in both places; one `magic` may itself combine with "+".
    for (const QString &place : from.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!place.trimmed().isEmpty())
            spec.locations << place.trimmed();
    }
    if (const QString problem = validate(spec); !problem.isEmpty()) {
        setStatus(QStringLiteral("Globalping: %1").arg(problem));
        return;
    }
    if (refusedOffline(m_globalpingUrl))
        return;
    GlobalpingClient *client = prepareGlobalping(spec);
    // No token given: the kept one, if any; without one the anonymous limits apply.
    withSecret(QString::fromLatin1(kGlobalpingTokenName), token.trimmed().toUtf8(), client,
               [client, spec](const QByteArray &secret) {
                   client->setToken(secret);
                   client->start(spec);
               });
}

// A measurement that waits (a 429's pause) says so on its placeholder row and in the status line.
void VantageController::watchWaiting(MeasurementClient *client, const QString &placeholder)
{
    connect(client, &MeasurementClient::waiting, this, [this, placeholder](const QString &message, int) {
        if (Route *r = findRoute(placeholder)) {
            r->reason = message;
            emit routesChanged();
        }
        setStatus(message);
    });
}

// The measurement's row (added now) and a client whose answers fill it; the caller starts it.
GlobalpingClient *VantageController::prepareGlobalping(const GlobalpingSpec &spec)
{
    const QString where =
        spec.locations.isEmpty() ? QStringLiteral("anywhere") : spec.locations.join(QStringLiteral(", "));
    const QString placeholder =
        addPlaceholder(VantageKind::Globalping, QStringLiteral("globalping-request:%1").arg(m_colorIndex),
                       QStringLiteral("Globalping %1 to %2 from %3").arg(spec.type, spec.target, where), -1);
    auto *client = new GlobalpingClient(network(), this);
    client->setBaseUrl(m_globalpingUrl);
    client->setRequestTimeoutMs(m_timings.requestMs);
    client->setOverallTimeoutMs(m_timings.globalpingOverallMs);
    client->setPollIntervalMs(m_timings.globalpingPollMs);
    // Route ids of the measurement's probes, in the API's order (a result keeps its index).
    auto probeRoutes = std::make_shared<QStringList>();
    connect(client, &GlobalpingClient::created, this, [this, placeholder](const QString &id, int probes) {
        if (Route *r = findRoute(placeholder)) {
            r->trace.measurementKey = id;
            r->reason = probes == 1  ? QStringLiteral("1 probe measuring")
                        : probes > 1 ? QStringLiteral("%1 probes measuring").arg(probes)
                                     : QStringLiteral("created; waiting for probes");
            emit routesChanged();
        }
        setStatus(QStringLiteral("Globalping measurement %1 created").arg(id));
    });
    connect(client, &GlobalpingClient::progress, this, [this, probeRoutes](const GlobalpingMeasurement &m) {
        const State state = m.inProgress() ? Streaming : Done;
        for (qsizetype i = 0; i < m.routes.size(); ++i) {
            if (i < probeRoutes->size()) {
                if (Route *r = findRoute(probeRoutes->at(i)))
                    updateRoute(*r, m.routes.at(i), state);
                continue;
            }
            const int index = addRoutes({m.routes.at(i)}, state);
            probeRoutes->append(m_routes.at(index)->id);
        }
    });
    watchWaiting(client, placeholder);
    connect(client, &GlobalpingClient::finished, this,
            [this, client, placeholder, probeRoutes](GlobalpingClient::Error error, const QString &message) {
                client->deleteLater();
                // Probes still running when the measurement ends keep what they sent.
                for (const QString &id : std::as_const(*probeRoutes)) {
                    Route *r = findRoute(id);
                    if (r && r->state == Streaming)
                        setState(*r, Done,
                                 error == GlobalpingClient::Error::None ? QString()
                                                                        : QStringLiteral("incomplete"));
                }
                Route *r = findRoute(placeholder);
                if (!r)
                    return;
                if (error == GlobalpingClient::Error::None) {
                    setState(*r, Done, routesText(probeRoutes->size()));
                    return;
                }
                qCWarning(lcVantage) << "Globalping:" << message;
                setState(*r, Failed, message);
                setStatus(message);
            });
    setStatus(QStringLiteral("Creating a Globalping %1 to %2…").arg(spec.type, spec.target));
    return client;
}

} // namespace tracemap
