#pragma once
// Runs a Globalping traceroute or mtr: POST /v1/measurements, then GET /v1/measurements/{id} about
// 500 ms after each answer (the API's guideline) until the status is no longer "in-progress" or the
// overall deadline passes. A token is optional (Authorization: Bearer); 429 answers are waited out
// through ApiSession. Each answer is reported (`progress`), so routes show up while probes still
// run; at the deadline the routes that have arrived stay and `finished` says the measurement did
// not finish. The parsing is pure (core/globalping.h); this class only drives it.

#include "globalping.h"

#include <QObject>
#include <QUrl>

class QNetworkAccessManager;

namespace tracemap {

class ApiSession;

class GlobalpingClient : public QObject
{
    Q_OBJECT
public:
    enum class Error { None, InvalidRequest, BadToken, RateLimited, Network, Timeout, BadAnswer, Api };
    Q_ENUM(Error)

    explicit GlobalpingClient(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~GlobalpingClient() override;

    void setBaseUrl(const QUrl &base) { m_base = base; }
    void setToken(const QByteArray &token) { m_token = token; }
    void setRequestTimeoutMs(int ms) { m_requestTimeoutMs = ms; }
    void setOverallTimeoutMs(int ms) { m_overallTimeoutMs = ms; }
    void setPollIntervalMs(int ms) { m_pollIntervalMs = ms; }

    void start(const GlobalpingSpec &spec); // create, then poll
    void fetch(const QString &id);          // poll an existing measurement
    void cancel();

    const GlobalpingMeasurement &measurement() const { return m_measurement; }

Q_SIGNALS:
    void created(const QString &id, int probesCount);
    void progress(const tracemap::GlobalpingMeasurement &measurement);
    void waiting(const QString &message, int seconds);
    void finished(tracemap::GlobalpingClient::Error error, const QString &message);

private:
    void begin();
    void poll();
    void fail(Error error, const QString &message);
    bool failedAnswer(const struct HttpFetchResult &result, int expectedStatus);

    QNetworkAccessManager *m_network;
    ApiSession *m_session = nullptr;
    QUrl m_base = kGlobalpingDefaultBase;
    QByteArray m_token;
    int m_requestTimeoutMs = 30000;
    int m_overallTimeoutMs = 5 * 60 * 1000;
    int m_pollIntervalMs = 500;
    QString m_id;
    GlobalpingMeasurement m_measurement;
    bool m_running = false;
};

} // namespace tracemap
