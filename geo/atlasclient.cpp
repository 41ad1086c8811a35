#include "atlasclient.h"

#include "apisession.h"

#include <QJsonDocument>

namespace tracemap {

static_assert(namesMeasurementFailures(AtlasClient::Error::BadKey),
              "AtlasClient::Error follows MeasurementClient::Failure");

AtlasClient::AtlasClient(QNetworkAccessManager *network, QObject *parent)
    : MeasurementClient(
          network,
          {QStringLiteral("RIPE Atlas"), atlasErrorMessage, kAtlasDefaultBase, 60000, 15 * 60 * 1000, 10000},
          parent)
{}

AtlasClient::~AtlasClient() = default;

void AtlasClient::begin()
{
    beginSession(m_key.isEmpty() ? QByteArray() : "Key " + m_key);
    m_routes.clear();
    m_seen.clear();
    m_status = {};
    m_expected = -1;
}

void AtlasClient::fail(Error error, const QString &message)
{
    cancel();
    emit finished(error, message);
}

void AtlasClient::succeed()
{
    cancel();
    emit finished(Error::None, QString());
}

QString AtlasClient::incompleteMessage() const
{
    const QString what =
        m_measurementId < 0
            ? QStringLiteral("RIPE Atlas did not answer in time")
            : QStringLiteral("RIPE Atlas measurement %1 is not complete in time").arg(m_measurementId);
    if (m_expected > 0)
        return QStringLiteral("%1; %2 of %3 results arrived").arg(what).arg(m_routes.size()).arg(m_expected);
    return QStringLiteral("%1; %2 results arrived").arg(what).arg(m_routes.size());
}

QString AtlasClient::timeoutMessage(const HttpFetchResult &) const
{
    return incompleteMessage();
}

void AtlasClient::failAnswer(Failure failure, const QString &message)
{
    fail(Error(int(failure)), message);
}

void AtlasClient::fetchResults(qint64 measurementId, qint64 start, qint64 stop, const QList<qint64> &probeIds)
{
    begin();
    m_measurementId = measurementId;
    m_start = start;
    m_stop = stop;
    m_probeIds = probeIds;
    getResults([this] {
        if (m_routes.isEmpty() && m_probeIds.isEmpty() && m_start < 0 && m_stop < 0)
            emit waiting(
                QStringLiteral("RIPE Atlas measurement %1 has no results (yet)").arg(m_measurementId), 0);
        succeed();
    });
}

void AtlasClient::createTrace(const AtlasTraceSpec &spec)
{
    begin();
    m_measurementId = -1;
    m_start = m_stop = -1;
    m_probeIds.clear();
    QString problem = validate(spec);
    if (problem.isEmpty() && m_key.isEmpty())
        problem = QStringLiteral("creating a RIPE Atlas measurement needs an API key");
    if (!problem.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, problem] { fail(Error::InvalidRequest, problem); }, Qt::QueuedConnection);
        return;
    }
    m_expected = spec.probes.requested;
    const QByteArray body = QJsonDocument(atlasCreationBody(spec)).toJson(QJsonDocument::Compact);
    session()->call("POST", atlasCreateUrl(baseUrl()), body, [this](const HttpFetchResult &result) {
        if (failedAnswer(result, {200, 201, 202}))
            return;
        QString error;
        m_measurementId = parseAtlasCreated(result.body, &error);
        if (m_measurementId < 0) {
            fail(Error::BadAnswer, error);
            return;
        }
        emit created(m_measurementId);
        session()->after(pollIntervalMs(), [this] { pollStatus(); });
    });
}

void AtlasClient::pollStatus()
{
    session()->call(
        "GET", atlasMeasurementUrl(baseUrl(), m_measurementId), {}, [this](const HttpFetchResult &result) {
            if (failedAnswer(result, {200}))
                return;
            QString error;
            if (!parseAtlasMeasurement(result.body, &m_status, &error)) {
                fail(Error::BadAnswer,
                     QStringLiteral("RIPE Atlas measurement %1: %2").arg(m_measurementId).arg(error));
                return;
            }
            if (m_status.participants > 0)
                m_expected = m_status.participants;
            getResults([this] {
                const bool allIn = m_expected > 0 && m_routes.size() >= m_expected;
                if (m_status.failed() && m_routes.isEmpty()) {
                    fail(Error::MeasurementFailed,
                         QStringLiteral("RIPE Atlas measurement %1 ended without results: %2")
                             .arg(m_measurementId)
                             .arg(m_status.statusName));
                    return;
                }
                if (m_status.finished() || allIn) {
                    succeed();
                    return;
                }
                if (session()->expired()) {
                    fail(Error::Timeout, incompleteMessage());
                    return;
                }
                session()->after(pollIntervalMs(), [this] { pollStatus(); });
            });
        });
}

void AtlasClient::getResults(std::function<void()> then)
{
    const QUrl url = atlasResultsUrl(baseUrl(), m_measurementId, m_start, m_stop, m_probeIds);
    session()->call("GET", url, {}, [this, then](const HttpFetchResult &result) {
        if (failedAnswer(result, {200}))
            return;
        const AtlasParseOutcome parsed = parseAtlasResults(result.body);
        if (!parsed.ok() && parsed.error != AtlasParseError::Empty) {
            fail(Error::BadAnswer,
                 QStringLiteral("RIPE Atlas measurement %1: %2").arg(m_measurementId).arg(parsed.message));
            return;
        }
        QList<VantageTrace> fresh;
        for (const AtlasResult &r : parsed.results) {
            const QString key = QStringLiteral("%1/%2").arg(r.probeId).arg(r.timestamp);
            if (m_seen.contains(key))
                continue;
            m_seen.insert(key);
            fresh.append(toVantageTrace(r));
        }
        locateNext(fresh, then);
    });
}

// Places the new routes' probes one request at a time (each probe once), then reports them.
void AtlasClient::locateNext(QList<VantageTrace> pending, std::function<void()> then)
{
    for (VantageTrace &route : pending) {
        const qint64 probe = route.vantage.id.section(QLatin1Char(':'), 1).toLongLong();
        if (!m_locateProbes || m_probes.contains(probe)) {
            const VantagePoint known = m_probes.value(probe);
            if (known.kind == VantageKind::RipeAtlas) {
                const QHostAddress from = route.vantage.publicAddress;
                route.vantage = known;
                if (!from.isNull())
                    route.vantage.publicAddress = from;
            }
            continue;
        }
        session()->call("GET", atlasProbeUrl(baseUrl(), probe), {},
                        [this, pending, then, probe](const HttpFetchResult &result) {
                            if (result.outcome == HttpFetchResult::Outcome::TimedOut) {
                                failedAnswer(result, {200});
                                return;
                            }
                            VantagePoint place;
                            QString error;
                            if (result.outcome == HttpFetchResult::Outcome::Answered &&
                                result.httpStatus == 200 && parseAtlasProbe(result.body, &place, &error))
                                m_probes.insert(probe, place);
                            else
                                m_probes.insert(probe, {}); // unknown place: asked once, not again
                            locateNext(pending, then);
                        });
        return;
    }
    m_routes.append(pending);
    if (!pending.isEmpty())
        emit routesArrived(pending);
    then();
}

} // namespace tracemap
