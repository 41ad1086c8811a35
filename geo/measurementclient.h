#pragma once
// What every client of a measurement API (RIPE Atlas, Globalping) has in common: the network it
// asks through, where the API is, the per-request and overall deadlines, the poll interval, and one
// ApiSession per measurement that carries the credential and says when a 429 makes it wait.
//
// Contract: beginSession() cancels any measurement still running and starts a fresh session whose
// overall deadline counts from then; cancel() ends it (no callback of the old session runs after);
// `waiting` is the session's (429: how long it waits, and why). failedAnswer() reads an answer the
// same way for every API (deadline, network, 401/403 credential, 429 past the deadline, other
// refusals in the service's own words) and hands the failure to the subclass, which owns what is
// asked and what the answers mean, and reports the end through its own `finished` signal.

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

#include <initializer_list>

class QNetworkAccessManager;

namespace tracemap {

class ApiSession;
struct HttpFetchResult;

class MeasurementClient : public QObject
{
    Q_OBJECT
public:
    // A service: its name in messages ("RIPE Atlas"), its refusals in its own words, where its
    // API is and how long its measurements usually take.
    struct Service
    {
        QString name;
        QString (*errorMessage)(int httpStatus, const QByteArray &body) = nullptr;
        QUrl base;
        int requestTimeoutMs = 30000;
        int overallTimeoutMs = 5 * 60 * 1000;
        int pollIntervalMs = 1000;
    };

    // The failures every API shares. Each client's Error enum names them with these values (None
    // is 0), checked by namesMeasurementFailures() below.
    enum class Failure { InvalidRequest = 1, BadCredential, RateLimited, Network, Timeout, BadAnswer, Api };
    Q_ENUM(Failure)

    ~MeasurementClient() override;

    void setBaseUrl(const QUrl &base) { m_base = base; }
    void setRequestTimeoutMs(int ms) { m_requestTimeoutMs = ms; }
    void setOverallTimeoutMs(int ms) { m_overallTimeoutMs = ms; }
    void setPollIntervalMs(int ms) { m_pollIntervalMs = ms; }

    void cancel();

Q_SIGNALS:
    void waiting(const QString &message, int seconds);

protected:
    // `network` must outlive this.
    MeasurementClient(QNetworkAccessManager *network, const Service &service, QObject *parent);

    // `authorization` is the header's whole value ("Key …", "Bearer …"), empty for none.
    void beginSession(const QByteArray &authorization);
    ApiSession *session() const { return m_session; }
    const QUrl &baseUrl() const { return m_base; }
    int pollIntervalMs() const { return m_pollIntervalMs; }

    // True, after failAnswer(), when `result` is not an answer with one of the `expected` statuses.
    bool failedAnswer(const HttpFetchResult &result, std::initializer_list<int> expected);
    // The subclass ends the measurement: cancel() and its `finished` with the failure.
    virtual void failAnswer(Failure failure, const QString &message) = 0;
    // What the subclass says when a request runs past a deadline (what has arrived so far).
    virtual QString timeoutMessage(const HttpFetchResult &result) const = 0;

private:
    QNetworkAccessManager *m_network;
    QString m_serviceName;
    QString (*m_errorMessage)(int httpStatus, const QByteArray &body);
    ApiSession *m_session = nullptr;
    QUrl m_base;
    int m_requestTimeoutMs;
    int m_overallTimeoutMs;
    int m_pollIntervalMs;
};

// Whether a client's Error enum gives each MeasurementClient::Failure its value (`badCredential`
// is the client's name for BadCredential: BadKey, BadToken), so failAnswer() may convert.
template<typename Error> constexpr bool namesMeasurementFailures(Error badCredential)
{
    using F = MeasurementClient::Failure;
    return int(Error::None) == 0 && int(Error::InvalidRequest) == int(F::InvalidRequest) &&
           int(badCredential) == int(F::BadCredential) && int(Error::RateLimited) == int(F::RateLimited) &&
           int(Error::Network) == int(F::Network) && int(Error::Timeout) == int(F::Timeout) &&
           int(Error::BadAnswer) == int(F::BadAnswer) && int(Error::Api) == int(F::Api);
}

} // namespace tracemap
