#pragma once
// One bounded HTTP request for every HTTP client of tracemap (map tiles, Nominatim, the online IP
// provider, the database updater, the measurement APIs): tracemap's User-Agent
// (base/useragent.h) unless the request names another, a total deadline rather than an idle
// timeout (a server dripping one byte a second cannot hold us), a cap on the body (a 10 MB answer
// is aborted, not buffered), and exactly one completion callback, never after the fetch was
// cancelled or destroyed. Per-host politeness (one request in flight, a minimum interval) is
// base/hostpacer.h.

#include <QByteArray>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>
#include <initializer_list>
#include <utility>

class QJsonObject;
class QJsonValue;
class QNetworkAccessManager;
class QNetworkReply;

namespace tracemap {

struct HttpFetchResult
{
    enum class Outcome {
        Answered,     // the server sent a complete HTTP answer (any status, see httpStatus)
        NetworkError, // no usable HTTP answer: refused, reset, malformed, TLS, ...
        TimedOut,     // not complete within the deadline (or silent for the request's transfer timeout)
        TooLarge,     // the body (or its announced length) exceeded the cap
    };
    Outcome outcome = Outcome::NetworkError;
    int httpStatus = 0; // 0 when there was no HTTP answer
    QByteArray body;
    QString error; // human-readable, for every outcome but Answered
    QList<std::pair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
};

class HttpFetch : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const HttpFetchResult &)>;

    static constexpr int kMaxRedirects = 3;

    // Starts the request at once; only http and https URLs are fetched (never file: or data:). `done` is
    // called once, from the event loop, unless the fetch is cancelled or destroyed first; the fetch deletes
    // itself (deleteLater) after calling it.
    static HttpFetch *start(QNetworkAccessManager *network, const QNetworkRequest &request, int timeoutMs,
                            qint64 maxBodyBytes, Done done, QObject *parent);
    // The same with another method and a body (POST for the measurement APIs); a GET ignores `body`.
    static HttpFetch *send(QNetworkAccessManager *network, const QNetworkRequest &request,
                           const QByteArray &verb, const QByteArray &body, int timeoutMs, qint64 maxBodyBytes,
                           Done done, QObject *parent);
    ~HttpFetch() override;

    // Aborts the request without calling `done` and deletes the fetch later.
    void cancel();

    // Hands the body to `sink` chunk by chunk instead of buffering it (downloads to a file);
    // the cap still counts every byte. A sink returning false aborts the fetch (NetworkError,
    // "the body could not be stored"). Call right after start(), before the event loop runs.
    using Sink = std::function<bool(const QByteArray &chunk)>;
    void streamTo(Sink sink);

private:
    HttpFetch(qint64 maxBodyBytes, Done done, QObject *parent);
    void readBody();
    void checkAnnouncedLength();
    void onFinished();
    void finish(HttpFetchResult result);
    void dropReply();

    QPointer<QNetworkReply> m_reply;
    QTimer m_deadline;
    QByteArray m_body;
    Sink m_sink;
    qint64 m_received = 0;
    qint64 m_maxBodyBytes = 0;
    int m_timeoutMs = 0;
    QString m_host;
    Done m_done;
};

// A coordinate from a JSON answer: a number, or a string holding one (Nominatim sends strings).
// NaN when missing, not a number, not finite or beyond ±limit.
double jsonCoordinate(const QJsonValue &value, double limit);

// A short text from a JSON answer: a string or a number, whitespace simplified, cut to
// maxLength (a hostile server cannot fill our caches and labels). Empty when neither.
QString jsonText(const QJsonValue &value, int maxLength);
// The first non-empty jsonText among `keys` of `object` (providers name fields differently).
QString firstJsonText(const QJsonObject &object, std::initializer_list<const char *> keys, int maxLength);

} // namespace tracemap
