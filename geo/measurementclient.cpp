#include "measurementclient.h"

#include "apisession.h"

#include <algorithm>

namespace tracemap {

MeasurementClient::MeasurementClient(QNetworkAccessManager *network, const Service &service, QObject *parent)
    : QObject(parent), m_network(network), m_serviceName(service.name), m_errorMessage(service.errorMessage),
      m_base(service.base), m_requestTimeoutMs(service.requestTimeoutMs),
      m_overallTimeoutMs(service.overallTimeoutMs), m_pollIntervalMs(service.pollIntervalMs)
{}

MeasurementClient::~MeasurementClient() = default;

void MeasurementClient::beginSession(const QByteArray &authorization)
{
    cancel();
    m_session = ApiSession::start(m_network, m_serviceName, m_requestTimeoutMs, m_overallTimeoutMs,
                                  authorization, this);
    connect(m_session, &ApiSession::waiting, this, &MeasurementClient::waiting);
}

void MeasurementClient::cancel()
{
    ApiSession::stop(&m_session);
}

bool MeasurementClient::failedAnswer(const HttpFetchResult &result, std::initializer_list<int> expected)
{
    using Outcome = HttpFetchResult::Outcome;
    if (result.outcome == Outcome::TimedOut) {
        failAnswer(Failure::Timeout, timeoutMessage(result));
        return true;
    }
    if (result.outcome != Outcome::Answered) {
        failAnswer(Failure::Network, QStringLiteral("%1: %2").arg(m_serviceName, result.error));
        return true;
    }
    if (std::find(expected.begin(), expected.end(), result.httpStatus) != expected.end())
        return false;
    const QString message = m_errorMessage(result.httpStatus, result.body);
    if (result.httpStatus == 401 || result.httpStatus == 403)
        failAnswer(Failure::BadCredential, message);
    else if (result.httpStatus == 429)
        failAnswer(Failure::RateLimited,
                   message + QStringLiteral(" (the wait it asks for passes the deadline)"));
    else
        failAnswer(Failure::Api, message);
    return true;
}

} // namespace tracemap
