#pragma once
// Runs a Globalping traceroute or mtr: POST /v1/measurements, then GET /v1/measurements/{id} about
// 500 ms after each answer (the API's guideline) until the status is no longer "in-progress" or the
// overall deadline passes. A token is optional (Authorization: Bearer); 429 answers are waited out
// through ApiSession. Each answer is reported (`progress`), so routes show up while probes still
// run; at the deadline the routes that have arrived stay and `finished` says the measurement did
// not finish. The parsing is pure (core/globalping.h); this class only drives it.

#include "globalping.h"
#include "measurementclient.h"

namespace tracemap {

class GlobalpingClient : public MeasurementClient
{
    Q_OBJECT
public:
    enum class Error { None, InvalidRequest, BadToken, RateLimited, Network, Timeout, BadAnswer, Api };
    Q_ENUM(Error)

    explicit GlobalpingClient(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~GlobalpingClient() override;

    void setToken(const QByteArray &token) { m_token = token; }

    void start(const GlobalpingSpec &spec); // create, then poll
    void fetch(const QString &id);          // poll an existing measurement

    const GlobalpingMeasurement &measurement() const { return m_measurement; }

Q_SIGNALS:
    void created(const QString &id, int probesCount);
    void progress(const tracemap::GlobalpingMeasurement &measurement);
    void finished(tracemap::GlobalpingClient::Error error, const QString &message);

private:
    void begin();
    void poll();
    void fail(Error error, const QString &message);
    void failAnswer(Failure failure, const QString &message) override;
    QString timeoutMessage(const HttpFetchResult &result) const override;

    QByteArray m_token;
    QString m_id;
    GlobalpingMeasurement m_measurement;
};

} // namespace tracemap
