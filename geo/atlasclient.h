#pragma once
// Talks to the RIPE Atlas REST API for traceroutes from many probes:
//   fetchResults(): GET /api/v2/measurements/{id}/results/ (start, stop, probe_ids; public
//     measurements need no key), then each probe's place from GET /api/v2/probes/{id}/;
//   createTrace(): POST /api/v2/measurements/ with `Authorization: Key …` (it spends the user's
//     credits: callers show atlasExpectedCredits() and ask first), then polls the measurement and
//     its results every pollIntervalMs until Atlas says it is over, every requested probe has
//     answered, or the overall deadline passes.
// Routes are reported as they arrive (`routesArrived`, already placed where their probe is), so a
// measurement cut short by the deadline still shows what came. 401/403 say the key is wrong; 429
// waits for Retry-After (ApiSession) and says so. A probe whose place cannot be read stays without
// coordinates; it does not fail the measurement.

#include "atlasapi.h"
#include "atlasresult.h"
#include "measurementclient.h"

#include <QHash>
#include <QSet>

namespace tracemap {

struct HttpFetchResult;

class AtlasClient : public MeasurementClient
{
    Q_OBJECT
public:
    enum class Error {
        None,
        InvalidRequest,
        BadKey,
        RateLimited,
        Network,
        Timeout,
        BadAnswer,
        Api,
        MeasurementFailed
    };
    Q_ENUM(Error)

    explicit AtlasClient(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~AtlasClient() override;

    void setKey(const QByteArray &key) { m_key = key; }
    void setLocateProbes(bool locate) { m_locateProbes = locate; }

    void fetchResults(qint64 measurementId, qint64 start = -1, qint64 stop = -1,
                      const QList<qint64> &probeIds = {});
    void createTrace(const AtlasTraceSpec &spec);

    QList<VantageTrace> routes() const { return m_routes; }
    qint64 measurementId() const { return m_measurementId; }

Q_SIGNALS:
    void created(qint64 measurementId);
    void routesArrived(const QList<tracemap::VantageTrace> &routes); // only the new ones
    void finished(tracemap::AtlasClient::Error error, const QString &message);

private:
    void begin();
    void pollStatus();
    void getResults(std::function<void()> then);
    void locateNext(QList<VantageTrace> pending, std::function<void()> then);
    void fail(Error error, const QString &message);
    void failAnswer(Failure failure, const QString &message) override;
    QString timeoutMessage(const HttpFetchResult &result) const override;
    void succeed();
    QString incompleteMessage() const;

    QByteArray m_key;
    bool m_locateProbes = true;

    qint64 m_measurementId = -1;
    qint64 m_start = -1;
    qint64 m_stop = -1;
    QList<qint64> m_probeIds;
    int m_expected = -1; // results a created measurement should produce
    AtlasMeasurementStatus m_status;
    QList<VantageTrace> m_routes;
    QSet<QString> m_seen; // probe + timestamp of every route reported
    QHash<qint64, VantagePoint> m_probes;
};

} // namespace tracemap
