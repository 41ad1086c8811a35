#include "apisession.h"

#include "globalping.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkRequest>

#include <algorithm>

Q_LOGGING_CATEGORY(lcApiSession, "tracemap.vantage.api", QtWarningMsg)

namespace tracemap {

ApiSession::ApiSession(QNetworkAccessManager *network, const QString &serviceName, QObject *parent)
    : QObject(parent), m_network(network), m_service(serviceName)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        auto action = std::move(m_timerAction);
        m_timerAction = nullptr;
        if (action)
            action();
    });
}

ApiSession::~ApiSession()
{
    cancel();
}

ApiSession *ApiSession::start(QNetworkAccessManager *network, const QString &serviceName,
                              int requestTimeoutMs, int overallTimeoutMs, const QByteArray &authorization,
                              QObject *parent)
{
    auto *session = new ApiSession(network, serviceName, parent);
    session->setRequestTimeoutMs(requestTimeoutMs);
    session->setOverallDeadline(QDeadlineTimer(overallTimeoutMs));
    session->setAuthorization(authorization);
    return session;
}

void ApiSession::stop(ApiSession **session)
{
    if (*session) {
        (*session)->cancel();
        (*session)->deleteLater();
        *session = nullptr;
    }
}

void ApiSession::cancel()
{
    m_timer.stop();
    m_timerAction = nullptr;
    m_done = nullptr;
    if (m_fetch)
        m_fetch->cancel();
    m_fetch = nullptr;
}

void ApiSession::after(int ms, std::function<void()> then)
{
    const qint64 left = m_overall.isForever() ? ms : std::max<qint64>(0, m_overall.remainingTime());
    m_timerAction = std::move(then);
    m_timer.start(int(std::min<qint64>(ms, left)));
}

void ApiSession::call(const QByteArray &verb, const QUrl &url, const QByteArray &body, Done done)
{
    m_verb = verb;
    m_url = url;
    m_body = body;
    m_done = std::move(done);
    send();
}

void ApiSession::send()
{
    if (m_overall.hasExpired()) {
        HttpFetchResult timedOut;
        timedOut.outcome = HttpFetchResult::Outcome::TimedOut;
        timedOut.error = QStringLiteral("%1: out of time").arg(m_service);
        Done done = std::move(m_done);
        m_done = nullptr;
        if (done)
            done(timedOut);
        return;
    }
    QNetworkRequest request(m_url); // HttpFetch adds the User-Agent (base/useragent.h)
    request.setRawHeader("Accept", "application/json");
    if (!m_body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!m_authorization.isEmpty())
        request.setRawHeader("Authorization", m_authorization);
    int timeout = m_requestTimeoutMs;
    if (!m_overall.isForever())
        timeout = int(std::clamp<qint64>(m_overall.remainingTime(), 1, m_requestTimeoutMs));
    // The URL never holds a secret (keys travel in the header), so it may be logged.
    qCDebug(lcApiSession) << m_verb << m_url.toString();
    m_fetch = HttpFetch::send(
        m_network, request, m_verb, m_body, timeout, m_maxBodyBytes,
        [this](const HttpFetchResult &result) {
            m_fetch = nullptr;
            if (result.outcome == HttpFetchResult::Outcome::Answered && result.httpStatus == 429) {
                const RateLimitInfo limits = parseRateLimit(result.headers, QDateTime::currentDateTimeUtc());
                const int wait = std::max(1, limits.waitSeconds(m_fallbackWaitSeconds));
                const bool fits = m_overall.isForever() || m_overall.remainingTime() > qint64(wait) * 1000;
                if (fits) {
                    emit waiting(QStringLiteral("%1 says too many requests (HTTP 429); "
                                                "waiting %2 s as it asks (%3)")
                                     .arg(m_service)
                                     .arg(wait)
                                     .arg(limits.retryAfter >= 0     ? QStringLiteral("Retry-After")
                                          : limits.resetSeconds >= 0 ? QStringLiteral("rate-limit reset")
                                                                     : QStringLiteral("no hint; default")),
                                 wait);
                    after(wait * 1000, [this] { send(); });
                    return;
                }
            }
            Done done = std::move(m_done);
            m_done = nullptr;
            if (done)
                done(result);
        },
        this);
}

} // namespace tracemap
