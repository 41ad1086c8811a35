#include "onlineipprovider.h"

#include "callbacks.h"
#include "hostpacer.h"
#include "httpfetchpolicy.h"
#include "plausibility.h"
#include "specialranges.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QPointer>

#include <cmath>
#include <deque>
#include <vector>

Q_LOGGING_CATEGORY(lcOnlineIp, "tracemap.geo.onlineip", QtWarningMsg)

namespace tracemap {

namespace {

constexpr int kMaxFieldLength = 200;

double firstCoordinate(const QJsonObject &object, std::initializer_list<const char *> keys, double limit)
{
    for (const char *key : keys) {
        const double value = jsonCoordinate(object.value(QLatin1String(key)), limit);
        if (!qIsNaN(value))
            return value;
    }
    return qQNaN();
}

bool isTwoLetterCode(const QString &text)
{
    return text.size() == 2 &&
           std::all_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 128 && c.isLetter(); });
}

GeoAnswer answerWith(GeoStatus status, const QString &host, const QString &text)
{
    GeoAnswer answer;
    answer.status = status;
    answer.provider = QStringLiteral("ip-api");
    answer.providerDetail = host;
    answer.reason = text;
    if (status == GeoStatus::Failed || status == GeoStatus::TimedOut)
        answer.error = text;
    return answer;
}

// The service's own words when it says it cannot place the address; empty when it did not say so.
QString refusal(const QJsonObject &object)
{
    const QString status = jsonText(object.value(QLatin1String("status")), kMaxFieldLength);
    const QJsonValue error = object.value(QLatin1String("error"));
    const bool errorSet = (error.isBool() && error.toBool()) ||
                          (error.isString() && !error.toString().isEmpty()) || error.isObject();
    const bool refused = status.compare(QLatin1String("fail"), Qt::CaseInsensitive) == 0 ||
                         status.compare(QLatin1String("error"), Qt::CaseInsensitive) == 0 ||
                         (object.value(QLatin1String("success")).isBool() &&
                          !object.value(QLatin1String("success")).toBool()) ||
                         errorSet || object.value(QLatin1String("bogon")).toBool();
    if (!refused)
        return {};
    QString message = firstJsonText(object, {"message", "reason"}, kMaxFieldLength);
    if (message.isEmpty() && error.isString())
        message = jsonText(error, kMaxFieldLength);
    if (message.isEmpty() && error.isObject())
        message = firstJsonText(error.toObject(), {"message", "info", "title"}, kMaxFieldLength);
    if (message.isEmpty() && object.value(QLatin1String("bogon")).toBool())
        message = QStringLiteral("bogon address");
    return message.isEmpty() ? QStringLiteral("no reason given") : message;
}

struct PendingLookup
{
    QHostAddress address;
    std::vector<GeoProvider::Callback> callbacks;
    bool sent = false;
};

} // namespace

struct OnlineIpProvider::Private
{
    Private(OnlineIpProvider *owner, const HttpFetchPolicy &policy, const QUrl &url)
        : q(owner), http(policy), urlTemplate(url),
          host(url.host().isEmpty() ? QStringLiteral("the IP geolocation service") : url.host())
    {}

    OnlineIpProvider *q;
    HttpFetchPolicy http;
    QUrl urlTemplate;
    QString host; // in messages, and this provider's pacing key
    int maxInFlight = kDefaultMaxInFlight;
    int maxQueued = kDefaultMaxQueued;

    QHash<QString, PendingLookup> pending; // by address text
    std::deque<QString> queue;             // not yet sent, oldest first
    QList<QPointer<HttpFetch>> fetches;
    int inFlight = 0;
    HostPacer pacer; // this provider's own back-off: the service's window is per client, not per process

    qint64 blockedForMs() const { return pacer.backOffRemainingMs(host, HostPacer::steadyNowMs()); }
    QString rateLimitedText() const
    {
        return QStringLiteral("rate limited by %1, retry in %2 s")
            .arg(host)
            .arg((blockedForMs() + 999) / 1000);
    }
    void block(int seconds)
    {
        pacer.backOff(host, HostPacer::steadyNowMs(), qint64(seconds) * 1000);
        qCWarning(lcOnlineIp).noquote()
            << QStringLiteral("%1: rate limit reached; no requests for %2 s").arg(host).arg(seconds);
    }

    void pump();
    void send(const QString &key);
    GeoAnswer interpret(const HttpFetchResult &result);
    void complete(const QString &key, const GeoAnswer &answer);
};

void OnlineIpProvider::Private::pump()
{
    QPointer<OnlineIpProvider> alive(q);
    while (alive && !queue.empty() && inFlight < maxInFlight) {
        const QString key = queue.front();
        queue.pop_front();
        if (blockedForMs() > 0)
            complete(key, answerWith(GeoStatus::Failed, host, rateLimitedText()));
        else
            send(key);
    }
}

void OnlineIpProvider::Private::send(const QString &key)
{
    auto it = pending.find(key);
    if (it == pending.end())
        return;
    it->sent = true;
    QNetworkRequest request(q->urlFor(it->address));
    // HttpFetch adds tracemap's User-Agent (base/useragent.h).
    request.setRawHeader("Accept", "application/json");
    ++inFlight;
    fetches.append(http.start(
        request,
        [this, key](const HttpFetchResult &result) {
            --inFlight;
            fetches.removeAll(nullptr);
            QPointer<OnlineIpProvider> alive(q);
            complete(key, interpret(result));
            if (alive)
                pump();
        },
        q));
}

GeoAnswer OnlineIpProvider::Private::interpret(const HttpFetchResult &result)
{
    using Outcome = HttpFetchResult::Outcome;
    switch (result.outcome) {
    case Outcome::TimedOut:
        return answerWith(GeoStatus::TimedOut, host, result.error);
    case Outcome::NetworkError:
    case Outcome::TooLarge:
        return answerWith(GeoStatus::Failed, host, result.error);
    case Outcome::Answered:
        break;
    }
    // ip-api.com: X-Rl requests left in the window, X-Ttl seconds until it resets.
    bool haveTtl = false;
    const int ttl = QString::fromLatin1(result.header("X-Ttl")).trimmed().toInt(&haveTtl);
    bool haveLeft = false;
    const int left = QString::fromLatin1(result.header("X-Rl")).trimmed().toInt(&haveLeft);
    const int window = std::clamp(haveTtl && ttl > 0 ? ttl : kDefaultRateLimitSeconds, 1, 3600);
    if (result.httpStatus == 429) {
        bool haveRetry = false;
        const int retry = QString::fromLatin1(result.header("Retry-After")).trimmed().toInt(&haveRetry);
        block(haveTtl ? window
                      : (haveRetry && retry > 0 ? std::clamp(retry, 1, 3600) : kDefaultRateLimitSeconds));
        return answerWith(GeoStatus::Failed, host, rateLimitedText());
    }
    if (haveLeft && left <= 0)
        block(window); // this answer still counts; the next request would be refused
    if (result.httpStatus < 200 || result.httpStatus > 299)
        return answerWith(GeoStatus::Failed, host,
                          QStringLiteral("%1 answered HTTP %2").arg(host).arg(result.httpStatus));
    return parseAnswer(result.body, host);
}

void OnlineIpProvider::Private::complete(const QString &key, const GeoAnswer &answer)
{
    callWhileAlive(q, pending.take(key).callbacks, answer);
}

OnlineIpProvider::OnlineIpProvider(QNetworkAccessManager *network, const QUrl &urlTemplate, int timeoutMs,
                                   QObject *parent)
    : QObject(parent),
      d(std::make_unique<Private>(this, HttpFetchPolicy(network, timeoutMs, kMaxBodyBytes), urlTemplate))
{}

OnlineIpProvider::~OnlineIpProvider()
{
    cancelAll();
}

QString OnlineIpProvider::id() const
{
    return QStringLiteral("ip-api");
}

QUrl OnlineIpProvider::urlFor(const QHostAddress &address) const
{
    const QByteArray ip = QUrl::toPercentEncoding(normalizedAddress(address).toString(), ":");
    QByteArray url = d->urlTemplate.toEncoded();
    if (url.contains("%7Bip%7D") || url.contains("{ip}")) {
        url.replace("%7Bip%7D", ip);
        url.replace("{ip}", ip);
        return QUrl::fromEncoded(url);
    }
    QUrl appended = d->urlTemplate;
    QString path = appended.path();
    if (!path.endsWith(QLatin1Char('/')))
        path += QLatin1Char('/');
    appended.setPath(path + normalizedAddress(address).toString());
    return appended;
}

void OnlineIpProvider::lookup(const GeoQuery &query, Callback done)
{
    if (!done)
        done = [](const GeoAnswer &) {
        };
    const QHostAddress address = normalizedAddress(query.address);
    if (address.isNull() || address.protocol() == QAbstractSocket::UnknownNetworkLayerProtocol) {
        done(answerWith(GeoStatus::Failed, d->host, QStringLiteral("no valid address to look up")));
        return;
    }
    // The chain classifies special ranges first; this keeps private addresses off the wire even
    // if a caller skips that step.
    if (const std::optional<SpecialRange> special = classifySpecialAddress(address)) {
        done(answerWith(GeoStatus::Unlocatable, d->host,
                        special->reason + QStringLiteral(" Not sent to %1.").arg(d->host)));
        return;
    }
    const QString key = address.toString();
    if (auto it = d->pending.find(key); it != d->pending.end()) {
        it->callbacks.push_back(std::move(done));
        return;
    }
    if (d->blockedForMs() > 0) {
        done(answerWith(GeoStatus::Failed, d->host, d->rateLimitedText()));
        return;
    }
    if (!d->http.network) {
        done(answerWith(GeoStatus::Failed, d->host, QStringLiteral("no network access")));
        return;
    }
    if (d->pending.size() >= d->maxInFlight + d->maxQueued) {
        done(answerWith(GeoStatus::Failed, d->host,
                        QStringLiteral("too many lookups waiting for %1 (%2); try again later")
                            .arg(d->host)
                            .arg(d->maxInFlight + d->maxQueued)));
        return;
    }
    PendingLookup lookup;
    lookup.address = address;
    lookup.callbacks.push_back(std::move(done));
    d->pending.insert(key, std::move(lookup));
    d->queue.push_back(key);
    d->pump();
}

void OnlineIpProvider::cancelAll()
{
    for (const QPointer<HttpFetch> &fetch : std::as_const(d->fetches)) {
        if (fetch)
            fetch->cancel();
    }
    d->fetches.clear();
    d->inFlight = 0;
    d->queue.clear();
    d->pending.clear();
}

void OnlineIpProvider::setMaxInFlight(int count)
{
    d->maxInFlight = std::max(1, count);
    d->pump();
}

void OnlineIpProvider::setMaxQueued(int count)
{
    d->maxQueued = std::max(0, count);
}

int OnlineIpProvider::pendingCount() const
{
    return int(d->pending.size());
}

qint64 OnlineIpProvider::rateLimitedForMs() const
{
    return d->blockedForMs();
}

GeoAnswer OnlineIpProvider::parseAnswer(const QByteArray &body, const QString &host)
{
    if (body.trimmed().isEmpty())
        return answerWith(GeoStatus::Failed, host, QStringLiteral("empty answer from %1").arg(host));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return answerWith(GeoStatus::Failed, host,
                          QStringLiteral("answer from %1 is not JSON (%2 at byte %3)")
                              .arg(host, parseError.errorString())
                              .arg(parseError.offset));
    if (!doc.isObject())
        return answerWith(GeoStatus::Failed, host,
                          QStringLiteral("unexpected answer from %1: not a JSON object").arg(host));
    const QJsonObject object = doc.object();
    if (const QString message = refusal(object); !message.isEmpty())
        return answerWith(GeoStatus::Unlocatable, host,
                          QStringLiteral("%1 cannot place this address: %2").arg(host, message));

    GeoPlace place;
    place.latitude = firstCoordinate(object, {"lat", "latitude"}, 90);
    place.longitude = firstCoordinate(object, {"lon", "lng", "longitude"}, 180);
    if (!place.hasCoordinates()) {
        // ipinfo.io: "loc": "50.11,8.68"
        const QStringList loc =
            jsonText(object.value(QLatin1String("loc")), kMaxFieldLength).split(QLatin1Char(','));
        if (loc.size() == 2) {
            place.latitude = jsonCoordinate(QJsonValue(loc.at(0)), 90);
            place.longitude = jsonCoordinate(QJsonValue(loc.at(1)), 180);
        }
    }
    if (!place.hasCoordinates())
        return answerWith(GeoStatus::Failed, host,
                          QStringLiteral("answer from %1 has no usable coordinates").arg(host));
    if (place.latitude == 0.0 && place.longitude == 0.0)
        return answerWith(GeoStatus::Unlocatable, host,
                          QStringLiteral("%1 gave 0, 0, which means it does not know").arg(host));
    place.city = firstJsonText(object, {"city"}, kMaxFieldLength);
    place.region = firstJsonText(object, {"regionName", "region_name", "region", "state"}, kMaxFieldLength);
    const QString country = firstJsonText(object, {"country"}, kMaxFieldLength);
    QString code = firstJsonText(object, {"countryCode", "country_code"}, kMaxFieldLength);
    if (code.isEmpty() && isTwoLetterCode(country))
        code = country;
    if (isTwoLetterCode(code))
        place.countryCode = code.toUpper();
    place.country = firstJsonText(object, {"country_name"}, kMaxFieldLength);
    if (place.country.isEmpty() && !isTwoLetterCode(country))
        place.country = country;
    const double radius = jsonCoordinate(object.value(QLatin1String("accuracy_radius")), 20000);
    place.accuracyKm = radius > 0 ? radius : -1.0;

    GeoAnswer answer =
        answerWith(GeoStatus::Located, host,
                   QStringLiteral("%1 places this address in %2").arg(host, describePlace(place)));
    answer.place = place;
    // IP databases are usually right about the country and often wrong about a router's city.
    answer.confidence = place.city.isEmpty() ? 0.3 : 0.5;
    return answer;
}

} // namespace tracemap
