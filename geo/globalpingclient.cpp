#include "globalpingclient.h"

#include "apisession.h"

#include <QJsonDocument>

namespace tracemap {

GlobalpingClient::GlobalpingClient(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_network(network)
{}

GlobalpingClient::~GlobalpingClient() = default;

void GlobalpingClient::begin()
{
    cancel();
    m_session =
        ApiSession::start(m_network, QStringLiteral("Globalping"), m_requestTimeoutMs, m_overallTimeoutMs,
                          m_token.isEmpty() ? QByteArray() : "Bearer " + m_token, this);
    connect(m_session, &ApiSession::waiting, this, &GlobalpingClient::waiting);
    m_measurement = {};
    m_running = true;
}

void GlobalpingClient::cancel()
{
    m_running = false;
    ApiSession::stop(&m_session);
}

void GlobalpingClient::fail(Error error, const QString &message)
{
    cancel();
    emit finished(error, message);
}

// True (and finished) when the answer is not the expected success.
bool GlobalpingClient::failedAnswer(const HttpFetchResult &result, int expectedStatus)
{
    using Outcome = HttpFetchResult::Outcome;
    if (result.outcome == Outcome::TimedOut) {
        const QString partial = m_measurement.routes.isEmpty()
                                    ? QString()
                                    : QStringLiteral("; %1 routes arrived").arg(m_measurement.routes.size());
        // A request cut short by the overall deadline says nothing the deadline does not.
        const QString why = m_session->expired() ? QString() : QStringLiteral(" (%1)").arg(result.error);
        fail(Error::Timeout, QStringLiteral("Globalping measurement %1 did not finish in time%2%3")
                                 .arg(m_id.isEmpty() ? QStringLiteral("(not created)") : m_id, why, partial));
        return true;
    }
    if (result.outcome != Outcome::Answered) {
        fail(Error::Network, QStringLiteral("Globalping: %1").arg(result.error));
        return true;
    }
    if (result.httpStatus == expectedStatus || (expectedStatus == 202 && result.httpStatus == 201) ||
        (expectedStatus == 200 && result.httpStatus == 200))
        return false;
    const QString message = globalpingErrorMessage(result.httpStatus, result.body);
    if (result.httpStatus == 401 || result.httpStatus == 403)
        fail(Error::BadToken, message);
    else if (result.httpStatus == 429)
        fail(Error::RateLimited, message + QStringLiteral(" (the wait it asks for passes the deadline)"));
    else
        fail(Error::Api, message);
    return true;
}

void GlobalpingClient::start(const GlobalpingSpec &spec)
{
    begin();
    if (const QString problem = validate(spec); !problem.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, problem] { fail(Error::InvalidRequest, problem); }, Qt::QueuedConnection);
        return;
    }
    const QByteArray body = QJsonDocument(globalpingCreationBody(spec)).toJson(QJsonDocument::Compact);
    m_session->call("POST", globalpingCreateUrl(m_base), body, [this](const HttpFetchResult &result) {
        if (failedAnswer(result, 202))
            return;
        QString error;
        int probes = -1;
        m_id = parseGlobalpingCreated(result.body, &probes, &error);
        if (m_id.isEmpty()) {
            fail(Error::BadAnswer, error);
            return;
        }
        emit created(m_id, probes);
        // The guideline: wait about 500 ms before the first poll too.
        m_session->after(m_pollIntervalMs, [this] { poll(); });
    });
}

void GlobalpingClient::fetch(const QString &id)
{
    begin();
    m_id = id;
    poll();
}

void GlobalpingClient::poll()
{
    m_session->call("GET", globalpingMeasurementUrl(m_base, m_id), {}, [this](const HttpFetchResult &result) {
        if (failedAnswer(result, 200))
            return;
        GlobalpingParseOutcome parsed = parseGlobalpingMeasurement(result.body);
        if (!parsed.ok()) {
            fail(Error::BadAnswer, QStringLiteral("Globalping measurement %1: %2").arg(m_id, parsed.message));
            return;
        }
        m_measurement = parsed.measurement;
        emit progress(m_measurement);
        if (!m_measurement.inProgress()) {
            cancel();
            emit finished(Error::None, QString());
            return;
        }
        if (m_session->expired()) {
            fail(Error::Timeout,
                 QStringLiteral("Globalping measurement %1 did not finish in time; %2 routes arrived")
                     .arg(m_id)
                     .arg(m_measurement.routes.size()));
            return;
        }
        m_session->after(m_pollIntervalMs, [this] { poll(); });
    });
}

} // namespace tracemap
