#pragma once
// One conversation with a measurement API (RIPE Atlas, Globalping, a tracemap-agent): every request
// carries the application's User-Agent and the caller's Authorization header, is bounded by a
// per-request deadline (HttpFetch) and by the session's overall deadline, and a 429 answer is not
// an error but a pause: the session waits for Retry-After (or the rate-limit reset), says so through
// `waiting`, and asks again, as long as the overall deadline allows. The Authorization value is a
// secret: it is never logged and never part of a message.

#include "httpfetch.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace tracemap {

class ApiSession : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const HttpFetchResult &)>;

    ApiSession(QNetworkAccessManager *network, const QString &serviceName, QObject *parent = nullptr);
    ~ApiSession() override;

    // The session of one measurement, as the API clients start it: each request bounded by
    // `requestTimeoutMs`, everything by `overallTimeoutMs` from now, `authorization` on every
    // request unless it is empty.
    static ApiSession *start(QNetworkAccessManager *network, const QString &serviceName, int requestTimeoutMs,
                             int overallTimeoutMs, const QByteArray &authorization, QObject *parent);
    // Cancels `*session` (when there is one), deletes it from the event loop and forgets it.
    static void stop(ApiSession **session);

    void setAuthorization(const QByteArray &value) { m_authorization = value; } // e.g. "Key …", "Bearer …"
    void setRequestTimeoutMs(int ms) { m_requestTimeoutMs = ms; }
    void setMaxBodyBytes(qint64 bytes) { m_maxBodyBytes = bytes; }
    void setRateLimitFallbackSeconds(int seconds) { m_fallbackWaitSeconds = seconds; }
    // The whole session must be done by then; waits and requests are cut to fit.
    void setOverallDeadline(QDeadlineTimer deadline) { m_overall = deadline; }
    QDeadlineTimer overallDeadline() const { return m_overall; }
    bool expired() const { return m_overall.hasExpired(); }

    // One request at a time. `done` gets the final answer: the first that is not a 429, a 429 when
    // waiting would pass the overall deadline, or a TimedOut result when the deadline passed.
    void call(const QByteArray &verb, const QUrl &url, const QByteArray &body, Done done);
    // Calls `then` after `ms` (bounded by the overall deadline); cancelled with the session.
    void after(int ms, std::function<void()> then);
    void cancel();

Q_SIGNALS:
    void waiting(const QString &message, int seconds);

private:
    void send();

    QNetworkAccessManager *m_network;
    QString m_service;
    QByteArray m_authorization;
    int m_requestTimeoutMs = 30000;
    qint64 m_maxBodyBytes = 64 * 1024 * 1024;
    int m_fallbackWaitSeconds = 60;
    QDeadlineTimer m_overall = QDeadlineTimer::Forever;
    QPointer<HttpFetch> m_fetch;
    QTimer m_timer;
    std::function<void()> m_timerAction;
    QByteArray m_verb;
    QUrl m_url;
    QByteArray m_body;
    Done m_done;
};

} // namespace tracemap
