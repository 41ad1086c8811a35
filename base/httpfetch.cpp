#include "httpfetch.h"

#include "useragent.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <cmath>

namespace tracemap {

QByteArray HttpFetchResult::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpFetch::HttpFetch(qint64 maxBodyBytes, Done done, QObject *parent)
    : QObject(parent), m_maxBodyBytes(maxBodyBytes), m_done(std::move(done))
{
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer);
}

HttpFetch *HttpFetch::start(QNetworkAccessManager *network, const QNetworkRequest &request, int timeoutMs,
                            qint64 maxBodyBytes, Done done, QObject *parent)
{
    return send(network, request, QByteArrayLiteral("GET"), {}, timeoutMs, maxBodyBytes, std::move(done),
                parent);
}

HttpFetch *HttpFetch::send(QNetworkAccessManager *network, const QNetworkRequest &request,
                           const QByteArray &verb, const QByteArray &body, int timeoutMs, qint64 maxBodyBytes,
                           Done done, QObject *parent)
{
    auto *fetch = new HttpFetch(maxBodyBytes, std::move(done), parent);
    fetch->m_timeoutMs = timeoutMs;
    fetch->m_host = request.url().host();
    const QString scheme = request.url().scheme().toLower();
    QString refusal;
    if (!network)
        refusal = QStringLiteral("no network access");
    else if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        refusal = QStringLiteral("'%1' is not an http or https URL").arg(request.url().toString());
    if (!refusal.isEmpty()) {
        HttpFetchResult result;
        result.error = refusal;
        // Still asynchronous, as promised: callers may rely on start() returning first.
        QTimer::singleShot(0, fetch, [fetch, result] { fetch->finish(result); });
        return fetch;
    }
    QNetworkRequest bounded(request);
    bounded.setMaximumRedirectsAllowed(kMaxRedirects);
    if (!bounded.header(QNetworkRequest::UserAgentHeader).isValid())
        bounded.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    fetch->m_reply = verb == "GET" ? network->get(bounded) : network->sendCustomRequest(bounded, verb, body);
    connect(fetch->m_reply, &QNetworkReply::readyRead, fetch, &HttpFetch::readBody);
    connect(fetch->m_reply, &QNetworkReply::metaDataChanged, fetch, &HttpFetch::checkAnnouncedLength);
    connect(fetch->m_reply, &QNetworkReply::finished, fetch, &HttpFetch::onFinished);
    connect(&fetch->m_deadline, &QTimer::timeout, fetch, [fetch] {
        HttpFetchResult result;
        result.outcome = HttpFetchResult::Outcome::TimedOut;
        result.error = QStringLiteral("no complete answer from %1 within %2 ms")
                           .arg(fetch->m_host)
                           .arg(fetch->m_timeoutMs);
        fetch->finish(result);
    });
    fetch->m_deadline.start(std::max(1, timeoutMs));
    return fetch;
}

HttpFetch::~HttpFetch()
{
    dropReply();
}

void HttpFetch::cancel()
{
    m_done = nullptr;
    m_deadline.stop();
    dropReply();
    deleteLater();
}

void HttpFetch::dropReply()
{
    if (!m_reply)
        return;
    // Disconnect first: abort() emits finished() synchronously.
    disconnect(m_reply, nullptr, this, nullptr);
    m_reply->abort();
    m_reply->deleteLater();
    m_reply = nullptr;
}

void HttpFetch::streamTo(Sink sink)
{
    m_sink = std::move(sink);
}

void HttpFetch::readBody()
{
    if (!m_reply)
        return;
    const QByteArray chunk = m_reply->readAll();
    m_received += chunk.size();
    if (m_received <= m_maxBodyBytes) {
        if (!m_sink) {
            m_body += chunk;
        } else if (!chunk.isEmpty() && !m_sink(chunk)) {
            HttpFetchResult result;
            result.error = QStringLiteral("the answer from %1 could not be stored; aborted").arg(m_host);
            finish(result);
            return;
        }
    }
    if (m_received > m_maxBodyBytes) {
        HttpFetchResult result;
        result.outcome = HttpFetchResult::Outcome::TooLarge;
        result.error =
            QStringLiteral("answer from %1 is larger than %2 bytes; aborted").arg(m_host).arg(m_maxBodyBytes);
        finish(result);
    }
}

void HttpFetch::checkAnnouncedLength()
{
    if (!m_reply)
        return;
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() > m_maxBodyBytes) {
        HttpFetchResult result;
        result.outcome = HttpFetchResult::Outcome::TooLarge;
        result.error =
            QStringLiteral("answer from %1 announces %2 bytes, larger than the %3 accepted; aborted")
                .arg(m_host)
                .arg(length.toLongLong())
                .arg(m_maxBodyBytes);
        finish(result);
    }
}

void HttpFetch::onFinished()
{
    if (!m_reply)
        return;
    readBody();
    if (!m_reply)
        return; // readBody() found it too large and finished
    HttpFetchResult result;
    result.httpStatus = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.headers = m_reply->rawHeaderPairs();
    // Network-layer errors (codes below 100: reset, closed early, ...) make even an answer with
    // a status line unusable: its body may be cut short.
    const bool networkFailure = m_reply->error() != QNetworkReply::NoError && m_reply->error() < 100;
    if (result.httpStatus > 0 && !networkFailure) {
        // An HTTP error status is still an answer: the caller reads 429s, error bodies, ...
        result.outcome = HttpFetchResult::Outcome::Answered;
        result.body = m_body;
    } else if (m_reply->error() == QNetworkReply::OperationCanceledError ||
               m_reply->error() == QNetworkReply::TimeoutError) {
        // Only the request's own transfer timeout cancels a reply we still listen to.
        result.outcome = HttpFetchResult::Outcome::TimedOut;
        result.error =
            QStringLiteral("no data from %1 for %2 ms").arg(m_host).arg(m_reply->request().transferTimeout());
    } else {
        result.outcome = HttpFetchResult::Outcome::NetworkError;
        result.error = QStringLiteral("%1: %2").arg(m_host, m_reply->errorString());
    }
    finish(result);
}

void HttpFetch::finish(HttpFetchResult result)
{
    m_deadline.stop();
    dropReply();
    Done done = std::move(m_done);
    m_done = nullptr;
    deleteLater();
    if (done)
        done(result);
}

double jsonCoordinate(const QJsonValue &value, double limit)
{
    double number = qQNaN();
    if (value.isDouble()) {
        number = value.toDouble();
    } else if (value.isString()) {
        bool ok = false;
        number = value.toString().trimmed().toDouble(&ok);
        if (!ok)
            return qQNaN();
    }
    return std::isfinite(number) && std::abs(number) <= limit ? number : qQNaN();
}

QString jsonText(const QJsonValue &value, int maxLength)
{
    QString text;
    if (value.isString())
        text = value.toString();
    else if (value.isDouble())
        text = QString::number(value.toDouble());
    return text.simplified().left(maxLength);
}

QString firstJsonText(const QJsonObject &object, std::initializer_list<const char *> keys, int maxLength)
{
    for (const char *key : keys) {
        const QString text = jsonText(object.value(QLatin1String(key)), maxLength);
        if (!text.isEmpty())
            return text;
    }
    return {};
}

} // namespace tracemap
