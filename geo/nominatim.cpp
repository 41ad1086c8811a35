#include "nominatim.h"

#include "callbacks.h"
#include "hostpacer.h"
#include "httpfetchpolicy.h"
#include "nominatimcache.h"
#include "plausibility.h"
#include "useragent.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

#include <cmath>
#include <deque>
#include <optional>
#include <vector>

Q_LOGGING_CATEGORY(lcNominatim, "tracemap.geo.nominatim", QtWarningMsg)

namespace tracemap {

namespace {

// The usage policy limits the whole application to one request a second per server: every
// client in the process draws from HostPacer::shared(), one budget per server (scheme, host,
// port), so a private Nominatim does not share the public one's. One request per server is in
// flight at a time, and the next leaves at least a second after the previous answer ended as
// well as 1.1 s after the previous request left: the server sees requests at least a second
// apart however the network delays each of them.
HostPacer &pacer()
{
    return HostPacer::shared();
}

qint64 nowMs()
{
    return HostPacer::steadyNowMs();
}

constexpr int kMaxFieldLength = 300; // longer strings in an answer are cut

// Half the diagonal of [south, north, west, east], as an accuracy radius; < 0 when unusable.
double boundingBoxRadiusKm(const QJsonValue &value)
{
    const QJsonArray box = value.toArray();
    if (box.size() != 4)
        return -1.0;
    const double south = jsonCoordinate(box.at(0), 90), north = jsonCoordinate(box.at(1), 90);
    const double west = jsonCoordinate(box.at(2), 180), east = jsonCoordinate(box.at(3), 180);
    if (qIsNaN(south) || qIsNaN(north) || qIsNaN(west) || qIsNaN(east))
        return -1.0;
    return greatCircleKm(south, west, north, east) / 2.0;
}

QString errorText(const QJsonValue &error)
{
    if (error.isObject()) {
        const QString message = jsonText(error.toObject().value(QLatin1String("message")), kMaxFieldLength);
        if (!message.isEmpty())
            return message;
        return QString::fromUtf8(QJsonDocument(error.toObject()).toJson(QJsonDocument::Compact))
            .left(kMaxFieldLength);
    }
    const QString text = jsonText(error, kMaxFieldLength);
    return text.isEmpty() ? QStringLiteral("unspecified error") : text;
}

// Retry-After is either seconds or an HTTP date ("Fri, 27 Nov 2026 13:30:00 GMT").
int retryAfterSeconds(const QByteArray &header)
{
    QString text = QString::fromLatin1(header).trimmed();
    bool ok = false;
    const int seconds = text.toInt(&ok);
    if (ok)
        return seconds;
    // Qt's RFC 2822 parser wants a numeric zone; HTTP dates always say GMT.
    if (text.endsWith(QLatin1String(" GMT")) || text.endsWith(QLatin1String(" UTC")))
        text = text.chopped(4) + QStringLiteral(" +0000");
    const QDateTime date = QDateTime::fromString(text, Qt::RFC2822Date);
    return date.isValid() ? int(QDateTime::currentDateTimeUtc().secsTo(date))
                          : NominatimClient::kDefaultBackoffSeconds;
}

NominatimAnswer failed(const QString &error, LookupStatus status = LookupStatus::Failed)
{
    NominatimAnswer answer;
    answer.status = status;
    answer.error = error;
    return answer;
}

struct PendingLookup
{
    QUrl url;
    NominatimClient::Endpoint endpoint = NominatimClient::Endpoint::Search;
    double latitude = qQNaN();
    double longitude = qQNaN();
    std::vector<NominatimClient::Callback> callbacks;
};

} // namespace

struct NominatimClient::Private
{
    Private(NominatimClient *owner, const HttpFetchPolicy &policy, const QUrl &serverUrl)
        : q(owner), http(policy), server(serverUrl), limiterKey(HostPacer::hostKey(serverUrl))
    {}

    NominatimClient *q;
    HttpFetchPolicy http;
    QUrl server;
    QString limiterKey; // HostPacer's key: one Nominatim request at a time per server
    int maxQueued = kDefaultMaxQueued;

    NominatimCache cache;

    QHash<QString, PendingLookup> pending; // queued or in flight, by cache key
    std::deque<QString> queue;             // keys not yet sent, oldest first
    QString inFlightKey;
    QPointer<HttpFetch> fetch;
    QTimer sendTimer;

    void submit(const QString &key, PendingLookup lookup, Callback done);
    void pump();
    void send(const QString &key);
    NominatimAnswer interpret(const PendingLookup &lookup, const HttpFetchResult &result);
    void complete(const QString &key, const NominatimAnswer &answer);
    void failQueued(const QString &error);
    QUrl endpointUrl(const QString &endpoint, const QList<std::pair<QString, QString>> &items) const;
};

// ---- requests ----------------------------------------------------------------------------

QUrl NominatimClient::Private::endpointUrl(const QString &endpoint,
                                           const QList<std::pair<QString, QString>> &items) const
{
    QUrl url = server;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QLatin1Char('/') + endpoint);
    // Encoded by hand: QUrlQuery leaves '+' alone, which servers read as a space.
    QByteArray query;
    for (const auto &[name, value] : items) {
        if (!query.isEmpty())
            query += '&';
        query += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    url.setQuery(QString::fromLatin1(query), QUrl::StrictMode);
    url.setFragment(QString());
    return url;
}

void NominatimClient::Private::submit(const QString &key, PendingLookup lookup, Callback done)
{
    if (!done)
        done = [](const NominatimAnswer &) {
        };
    if (std::optional<NominatimAnswer> answer = cache.find(key, QDateTime::currentSecsSinceEpoch())) {
        answer->fromCache = true;
        done(*answer);
        return;
    }
    if (auto it = pending.find(key); it != pending.end()) {
        it->callbacks.push_back(std::move(done)); // the same question is already on its way
        return;
    }
    if (const qint64 wait = pacer().backOffRemainingMs(limiterKey, nowMs()); wait > 0) {
        done(failed(QStringLiteral("Nominatim server %1 asked to slow down; try again in %2 s")
                        .arg(server.host())
                        .arg((wait + 999) / 1000)));
        return;
    }
    if (pending.size() >= maxQueued) {
        done(failed(
            QStringLiteral("too many Nominatim lookups waiting (%1, one per second at most); try again later")
                .arg(maxQueued)));
        return;
    }
    if (!http.network) {
        done(failed(QStringLiteral("no network access for Nominatim")));
        return;
    }
    lookup.callbacks.push_back(std::move(done));
    pending.insert(key, std::move(lookup));
    queue.push_back(key);
    pump();
}

void NominatimClient::Private::failQueued(const QString &error)
{
    std::deque<QString> keys;
    keys.swap(queue);
    QPointer<NominatimClient> alive(q);
    for (const QString &key : keys) {
        if (!alive)
            return;
        complete(key, failed(error));
    }
}

void NominatimClient::Private::pump()
{
    if (fetch || queue.empty())
        return;
    const qint64 backOff = pacer().backOffRemainingMs(limiterKey, nowMs());
    if (backOff > 0) {
        sendTimer.stop();
        failQueued(QStringLiteral("Nominatim server %1 asked to slow down; try again in %2 s")
                       .arg(server.host())
                       .arg((backOff + 999) / 1000));
        return;
    }
    if (sendTimer.isActive())
        return;
    const qint64 wait =
        pacer().tryAcquire(limiterKey, nowMs(), kMinRequestIntervalMs, qint64(http.timeoutMs) + 1000);
    if (wait > 0) {
        sendTimer.start(int(std::min<qint64>(wait, kMinRequestIntervalMs)));
        return;
    }
    const QString key = queue.front();
    queue.pop_front();
    send(key);
}

void NominatimClient::Private::send(const QString &key)
{
    const auto it = pending.constFind(key);
    if (it == pending.cend())
        return;
    QNetworkRequest request(it->url);
    request.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    request.setRawHeader("Accept", "application/json");
    // English names, like the offline databases' (München would otherwise come back as is).
    request.setRawHeader("Accept-Language", "en");
    qCDebug(lcNominatim).noquote() << "GET" << it->url.toString();
    inFlightKey = key;
    fetch = http.start(
        request,
        [this, key](const HttpFetchResult &result) {
            fetch = nullptr;
            inFlightKey.clear();
            pacer().release(limiterKey, nowMs(), kMinGapAfterAnswerMs);
            const auto found = pending.constFind(key);
            if (found == pending.cend())
                return;
            const NominatimAnswer answer = interpret(*found, result);
            QPointer<NominatimClient> alive(q);
            complete(key, answer);
            if (alive)
                pump();
        },
        q);
}

NominatimAnswer NominatimClient::Private::interpret(const PendingLookup &lookup,
                                                    const HttpFetchResult &result)
{
    using Outcome = HttpFetchResult::Outcome;
    switch (result.outcome) {
    case Outcome::TimedOut:
        return failed(result.error, LookupStatus::TimedOut);
    case Outcome::NetworkError:
    case Outcome::TooLarge:
        return failed(result.error);
    case Outcome::Answered:
        break;
    }
    const int status = result.httpStatus;
    if (status == 429 || status == 503) {
        const int seconds =
            std::clamp(retryAfterSeconds(result.header("Retry-After")), 1, int(kMaxBackoffSeconds));
        pacer().backOff(limiterKey, nowMs(), qint64(seconds) * 1000);
        qCWarning(lcNominatim).noquote()
            << QStringLiteral("Nominatim server %1 answered HTTP %2; leaving it alone for %3 s")
                   .arg(server.host())
                   .arg(status)
                   .arg(seconds);
        return failed(
            QStringLiteral("Nominatim server %1 is overloaded or limiting us (HTTP %2); backing off for %3 s")
                .arg(server.host())
                .arg(status)
                .arg(seconds));
    }
    if (status < 200 || status > 299) {
        QString detail;
        const QJsonDocument doc = QJsonDocument::fromJson(result.body);
        if (doc.isObject() && doc.object().contains(QLatin1String("error")))
            detail = QStringLiteral(": ") + errorText(doc.object().value(QLatin1String("error")));
        return failed(QStringLiteral("Nominatim server %1 answered HTTP %2%3")
                          .arg(server.host())
                          .arg(status)
                          .arg(detail));
    }
    return parseAnswer(result.body, lookup.endpoint, lookup.latitude, lookup.longitude);
}

void NominatimClient::Private::complete(const QString &key, const NominatimAnswer &answer)
{
    if (!pending.contains(key))
        return;
    const std::vector<Callback> callbacks = pending.take(key).callbacks;
    if (answer.status == LookupStatus::Resolved || answer.status == LookupStatus::NotFound)
        cache.store(key, answer, QDateTime::currentSecsSinceEpoch());
    callWhileAlive(q, callbacks, answer);
}

// ---- public ------------------------------------------------------------------------------

NominatimClient::NominatimClient(QNetworkAccessManager *network, const QUrl &server, const QString &cachePath,
                                 int timeoutMs, QObject *parent)
    : QObject(parent),
      d(std::make_unique<Private>(this, HttpFetchPolicy(network, timeoutMs, kMaxBodyBytes), server))
{
    d->sendTimer.setSingleShot(true);
    d->sendTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5 % early
    connect(&d->sendTimer, &QTimer::timeout, this, [this] { d->pump(); });
    d->cache.open(cachePath);
}

NominatimClient::~NominatimClient()
{
    cancelAll();
}

void NominatimClient::search(const QString &query, Callback done)
{
    const QString text = query.simplified();
    if (text.isEmpty()) {
        if (done)
            done(failed(QStringLiteral("empty place name")));
        return;
    }
    if (text.size() > kMaxQueryLength) {
        if (done)
            done(failed(QStringLiteral("place name longer than %1 characters").arg(kMaxQueryLength)));
        return;
    }
    PendingLookup lookup;
    lookup.endpoint = Endpoint::Search;
    lookup.url =
        d->endpointUrl(QStringLiteral("search"), {{QStringLiteral("q"), text},
                                                  {QStringLiteral("format"), QStringLiteral("jsonv2")},
                                                  {QStringLiteral("limit"), QStringLiteral("1")},
                                                  {QStringLiteral("addressdetails"), QStringLiteral("1")}});
    d->submit(QStringLiteral("search|") + text.toCaseFolded(), std::move(lookup), std::move(done));
}

void NominatimClient::reverse(double latitude, double longitude, int zoom, Callback done)
{
    if (!std::isfinite(latitude) || !std::isfinite(longitude) || std::abs(latitude) > 90 ||
        std::abs(longitude) > 180 || zoom < 0 || zoom > 18) {
        if (done)
            done(failed(QStringLiteral("invalid reverse lookup: latitude %1, longitude %2, zoom %3 "
                                       "(need -90..90, -180..180, 0..18)")
                            .arg(latitude)
                            .arg(longitude)
                            .arg(zoom)));
        return;
    }
    // Five decimals (about a metre) in both the key and the request, so they always agree.
    const QString lat = QString::number(latitude, 'f', 5);
    const QString lon = QString::number(longitude, 'f', 5);
    PendingLookup lookup;
    lookup.endpoint = Endpoint::Reverse;
    lookup.latitude = lat.toDouble();
    lookup.longitude = lon.toDouble();
    lookup.url =
        d->endpointUrl(QStringLiteral("reverse"), {{QStringLiteral("lat"), lat},
                                                   {QStringLiteral("lon"), lon},
                                                   {QStringLiteral("zoom"), QString::number(zoom)},
                                                   {QStringLiteral("format"), QStringLiteral("jsonv2")}});
    d->submit(QStringLiteral("reverse|%1,%2,%3").arg(lat, lon).arg(zoom), std::move(lookup), std::move(done));
}

void NominatimClient::cancelAll()
{
    d->sendTimer.stop();
    if (d->fetch) {
        d->fetch->cancel();
        pacer().release(d->limiterKey, nowMs(), kMinGapAfterAnswerMs);
    }
    d->fetch = nullptr;
    d->inFlightKey.clear();
    d->queue.clear();
    d->pending.clear();
}

void NominatimClient::setMaxQueued(int count)
{
    d->maxQueued = std::max(1, count);
}

int NominatimClient::maxQueued() const
{
    return d->maxQueued;
}

int NominatimClient::pendingCount() const
{
    return int(d->pending.size());
}

QUrl NominatimClient::server() const
{
    return d->server;
}

bool NominatimClient::hasPersistentCache() const
{
    return d->cache.isPersistent();
}

QString NominatimClient::attribution()
{
    return QStringLiteral("Place names © OpenStreetMap contributors, ODbL 1.0");
}

QByteArray NominatimClient::userAgent()
{
    return tracemap::userAgent();
}

NominatimAnswer NominatimClient::parseAnswer(const QByteArray &body, Endpoint endpoint,
                                             double fallbackLatitude, double fallbackLongitude)
{
    if (body.trimmed().isEmpty())
        return failed(QStringLiteral("empty answer from Nominatim"));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return failed(QStringLiteral("Nominatim answer is not JSON (%1 at byte %2)")
                          .arg(parseError.errorString())
                          .arg(parseError.offset));

    QJsonObject object;
    if (doc.isArray()) {
        // /search: a list of places, best first. Take the first that is an object at all.
        const QJsonArray places = doc.array();
        if (places.isEmpty())
            return failed(QStringLiteral("no place of that name"), LookupStatus::NotFound);
        const auto first =
            std::find_if(places.begin(), places.end(), [](const QJsonValue &v) { return v.isObject(); });
        if (first == places.end())
            return failed(QStringLiteral("unexpected Nominatim answer: a list without places"));
        object = (*first).toObject();
    } else if (doc.isObject()) {
        object = doc.object();
        if (object.contains(QLatin1String("error"))) {
            const QString message = errorText(object.value(QLatin1String("error")));
            if (message.contains(QLatin1String("unable to geocode"), Qt::CaseInsensitive))
                return failed(QStringLiteral("no place there"), LookupStatus::NotFound);
            return failed(QStringLiteral("Nominatim: ") + message);
        }
    } else {
        return failed(QStringLiteral("unexpected Nominatim answer: neither a list nor an object"));
    }

    NominatimAnswer answer;
    GeoPlace &place = answer.place;
    place.latitude = jsonCoordinate(object.value(QLatin1String("lat")), 90);
    place.longitude = jsonCoordinate(object.value(QLatin1String("lon")), 180);
    if (!place.hasCoordinates()) {
        place.latitude = qQNaN();
        place.longitude = qQNaN();
    }
    place.accuracyKm =
        place.hasCoordinates() ? boundingBoxRadiusKm(object.value(QLatin1String("boundingbox"))) : -1.0;
    place.displayName = jsonText(object.value(QLatin1String("display_name")), kMaxFieldLength);
    // `address` should be an object; anything else (a list, a string, null) is ignored.
    const QJsonObject address = object.value(QLatin1String("address")).toObject();
    place.city = firstJsonText(address, {"city", "town", "village", "municipality", "hamlet", "suburb"},
                               kMaxFieldLength);
    place.region =
        firstJsonText(address, {"state", "region", "province", "state_district", "county"}, kMaxFieldLength);
    place.country = firstJsonText(address, {"country"}, kMaxFieldLength);
    const QString code = firstJsonText(address, {"country_code"}, kMaxFieldLength).toUpper();
    if (code.size() == 2 && code.at(0).isLetter() && code.at(1).isLetter() && code.at(0).unicode() < 128 &&
        code.at(1).unicode() < 128)
        place.countryCode = code;

    if (endpoint == Endpoint::Search) {
        if (!place.hasCoordinates())
            return failed(QStringLiteral("Nominatim answer has no usable coordinates"));
        if (place.city.isEmpty() && place.displayName.isEmpty())
            place.city = jsonText(object.value(QLatin1String("name")), kMaxFieldLength);
    } else {
        if (place.displayName.isEmpty() && place.city.isEmpty() && place.region.isEmpty() &&
            place.country.isEmpty() && place.countryCode.isEmpty())
            return failed(QStringLiteral("Nominatim answer names no place"), LookupStatus::NotFound);
        if (!place.hasCoordinates()) {
            place.latitude = fallbackLatitude;
            place.longitude = fallbackLongitude;
        }
    }
    answer.status = LookupStatus::Resolved;
    return answer;
}

} // namespace tracemap
