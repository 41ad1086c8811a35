#include "nominatim.h"

#include "httpfetch.h"
#include "plausibility.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUrlQuery>

#include <chrono>
#include <cmath>
#include <deque>
#include <optional>
#include <vector>

#ifndef TRACEMAP_VERSION
#define TRACEMAP_VERSION "0"
#endif

Q_LOGGING_CATEGORY(lcNominatim, "tracemap.nominatim", QtWarningMsg)

namespace tracemap {

namespace {

// The one piece of process-wide state in geo/, on purpose: the Nominatim usage policy limits
// the whole *application* to one request a second, so every NominatimClient in the process
// (the GUI's, the geofeed loader's, one per thread) must draw from a single budget. Handing a
// limiter object through every layer would let one forgotten instance break the policy
// silently. Budgets are per server (scheme, host, port): a private Nominatim does not share the
// public one's. A mutex guards it because clients may live in different threads.
//
// One request per server is in flight at a time, and the next leaves at least a second after
// the previous answer ended as well as 1.1 s after the previous request left: so the server
// sees requests at least a second apart however the network delays each of them.
class ServerRateLimiter
{
public:
    static constexpr qint64 busyPollMs = 100; // how often a client waiting on another's request looks again

    static ServerRateLimiter &instance()
    {
        static ServerRateLimiter limiter;
        return limiter;
    }

    // Takes the server's send slot if it is free and due (returns 0), else returns the ms to
    // wait before asking again. The slot is held until release(), or `holdMs` at most (a
    // safety net: an answer always ends by its deadline).
    qint64 tryAcquire(const QString &server, qint64 intervalMs, qint64 holdMs)
    {
        QMutexLocker lock(&m_mutex);
        State &state = m_servers[server];
        const qint64 now = nowMs();
        if (state.busyUntilMs > now)
            return std::min(state.busyUntilMs - now, busyPollMs);
        const qint64 due = std::max(state.nextSlotMs, state.backOffUntilMs);
        if (now < due)
            return due - now;
        state.nextSlotMs = now + intervalMs;
        state.busyUntilMs = now + holdMs;
        return 0;
    }

    // The request that held the slot has ended: the next may leave `gapMs` from now at the earliest.
    void release(const QString &server, qint64 gapMs)
    {
        QMutexLocker lock(&m_mutex);
        State &state = m_servers[server];
        state.busyUntilMs = 0;
        state.nextSlotMs = std::max(state.nextSlotMs, nowMs() + gapMs);
    }

    void backOff(const QString &server, qint64 durationMs)
    {
        QMutexLocker lock(&m_mutex);
        State &state = m_servers[server];
        state.backOffUntilMs = std::max(state.backOffUntilMs, nowMs() + durationMs);
    }

    qint64 backOffRemainingMs(const QString &server)
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_servers.constFind(server);
        return it == m_servers.cend() ? 0 : std::max<qint64>(0, it->backOffUntilMs - nowMs());
    }

private:
    struct State
    {
        qint64 nextSlotMs = 0;
        qint64 backOffUntilMs = 0;
        qint64 busyUntilMs = 0;
    };

    static qint64 nowMs()
    {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    }

    QMutex m_mutex;
    QHash<QString, State> m_servers;
};

constexpr int maxFieldLength = 300;           // longer strings in an answer are cut
constexpr qsizetype maxMemoryEntries = 10000; // the memory cache is emptied beyond this

QString serverKey(const QUrl &server)
{
    return server.scheme().toLower() + QLatin1String("://") + server.host().toLower() + QLatin1Char(':') +
           QString::number(server.port(server.scheme() == QLatin1String("https") ? 443 : 80));
}

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
        const QString message = jsonText(error.toObject().value(QLatin1String("message")), maxFieldLength);
        if (!message.isEmpty())
            return message;
        return QString::fromUtf8(QJsonDocument(error.toObject()).toJson(QJsonDocument::Compact))
            .left(maxFieldLength);
    }
    const QString text = jsonText(error, maxFieldLength);
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
                          : NominatimClient::defaultBackoffSeconds;
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

struct CacheEntry
{
    NominatimAnswer answer;
    qint64 expiresAt = 0; // seconds since the epoch
};

} // namespace

struct NominatimClient::Private
{
    NominatimClient *q = nullptr;
    QPointer<QNetworkAccessManager> network;
    QUrl server;
    QString limiterKey;
    int timeoutMs = 4000;
    int maxQueued = defaultMaxQueued;

    QHash<QString, CacheEntry> memory;
    QString connectionName; // QSqlDatabase connection; empty = no persistent cache
    bool warnedWriteFailure = false;

    QHash<QString, PendingLookup> pending; // queued or in flight, by cache key
    std::deque<QString> queue;             // keys not yet sent, oldest first
    QString inFlightKey;
    QPointer<HttpFetch> fetch;
    QTimer sendTimer;

    void openCache(const QString &path);
    std::optional<NominatimAnswer> cached(const QString &key);
    void store(const QString &key, const NominatimAnswer &answer);

    void submit(const QString &key, PendingLookup lookup, Callback done);
    void pump();
    void send(const QString &key);
    NominatimAnswer interpret(const PendingLookup &lookup, const HttpFetchResult &result);
    void complete(const QString &key, const NominatimAnswer &answer);
    void failQueued(const QString &error);
    QUrl endpointUrl(const QString &endpoint, const QList<std::pair<QString, QString>> &items) const;
};

// ---- cache -------------------------------------------------------------------------------

void NominatimClient::Private::openCache(const QString &path)
{
    if (path.isEmpty())
        return;
    static QAtomicInteger<int> connections;
    const QString name = QStringLiteral("tracemap-nominatim-%1").arg(connections.fetchAndAddRelaxed(1));
    QDir().mkpath(QFileInfo(path).absolutePath());
    for (int attempt = 0; attempt < 2; ++attempt) {
        QString error;
        bool corrupt = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=200"));
            if (db.open()) {
                QSqlQuery create(db);
                if (create.exec(QStringLiteral(
                        "CREATE TABLE IF NOT EXISTS nominatim_cache (key TEXT PRIMARY KEY, status INTEGER "
                        "NOT NULL, "
                        "latitude REAL, longitude REAL, accuracy_km REAL, city TEXT, region TEXT, "
                        "country_code TEXT, "
                        "country TEXT, display_name TEXT, error TEXT, expires_at INTEGER NOT NULL)"))) {
                    connectionName = name;
                    return;
                }
                error = create.lastError().text();
                // SQLITE_CORRUPT (11), SQLITE_NOTADB (26): the file is not a database we can use.
                const QString code = create.lastError().nativeErrorCode();
                corrupt = code == QLatin1String("11") || code == QLatin1String("26");
            } else {
                error = db.lastError().text();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        if (attempt == 0 && corrupt) {
            const QString aside = path + QStringLiteral(".corrupt");
            QFile::remove(aside);
            if (QFile::rename(path, aside)) {
                qCWarning(lcNominatim).noquote()
                    << QStringLiteral(
                           "Nominatim cache %1 is corrupt (%2); moved it to %3 and starting afresh")
                           .arg(path, error, aside);
                continue;
            }
        }
        qCWarning(lcNominatim).noquote()
            << QStringLiteral("Nominatim cache %1 is unusable (%2); caching in memory only").arg(path, error);
        return;
    }
}

std::optional<NominatimAnswer> NominatimClient::Private::cached(const QString &key)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (const auto it = memory.constFind(key); it != memory.cend()) {
        if (it->expiresAt > now)
            return it->answer;
        memory.remove(key);
    }
    if (connectionName.isEmpty())
        return std::nullopt;
    QSqlQuery select(QSqlDatabase::database(connectionName, false));
    select.prepare(
        QStringLiteral("SELECT status, latitude, longitude, accuracy_km, city, region, country_code, "
                       "country, display_name, error, expires_at FROM nominatim_cache WHERE key = ?"));
    select.addBindValue(key);
    if (!select.exec() || !select.next())
        return std::nullopt;
    const qint64 expiresAt = select.value(10).toLongLong();
    const int status = select.value(0).toInt();
    if (expiresAt <= now || (status != int(LookupStatus::Resolved) && status != int(LookupStatus::NotFound)))
        return std::nullopt;
    // SQLite stores NaN as NULL: read NULL back as "unknown", not 0.
    auto real = [&](int column) {
        return select.value(column).isNull() ? qQNaN() : select.value(column).toDouble();
    };
    NominatimAnswer answer;
    answer.status = LookupStatus(status);
    answer.place.latitude = real(1);
    answer.place.longitude = real(2);
    answer.place.accuracyKm = select.value(3).isNull() ? -1.0 : select.value(3).toDouble();
    answer.place.city = select.value(4).toString();
    answer.place.region = select.value(5).toString();
    answer.place.countryCode = select.value(6).toString();
    answer.place.country = select.value(7).toString();
    answer.place.displayName = select.value(8).toString();
    answer.error = select.value(9).toString();
    memory.insert(key, {answer, expiresAt});
    return answer;
}

void NominatimClient::Private::store(const QString &key, const NominatimAnswer &answer)
{
    const int ttlDays = answer.status == LookupStatus::Resolved ? resolvedTtlDays : notFoundTtlDays;
    const qint64 expiresAt = QDateTime::currentSecsSinceEpoch() + qint64(ttlDays) * 24 * 3600;
    if (memory.size() >= maxMemoryEntries)
        memory.clear();
    memory.insert(key, {answer, expiresAt});
    if (connectionName.isEmpty())
        return;
    QSqlQuery insert(QSqlDatabase::database(connectionName, false));
    insert.prepare(
        QStringLiteral("INSERT OR REPLACE INTO nominatim_cache (key, status, latitude, longitude, "
                       "accuracy_km, city, region, country_code, country, display_name, error, expires_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    const GeoPlace &place = answer.place;
    auto real = [](double value) {
        return std::isfinite(value) ? QVariant(value) : QVariant();
    };
    insert.addBindValue(key);
    insert.addBindValue(int(answer.status));
    insert.addBindValue(real(place.latitude));
    insert.addBindValue(real(place.longitude));
    insert.addBindValue(place.accuracyKm >= 0 ? QVariant(place.accuracyKm) : QVariant());
    insert.addBindValue(place.city);
    insert.addBindValue(place.region);
    insert.addBindValue(place.countryCode);
    insert.addBindValue(place.country);
    insert.addBindValue(place.displayName);
    insert.addBindValue(answer.error);
    insert.addBindValue(expiresAt);
    if (!insert.exec() && !warnedWriteFailure) {
        warnedWriteFailure = true;
        qCWarning(lcNominatim).noquote()
            << QStringLiteral("cannot write the Nominatim cache (%1); answers are kept in memory only")
                   .arg(insert.lastError().text());
    }
}

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
    if (std::optional<NominatimAnswer> answer = cached(key)) {
        answer->fromCache = true;
        done(*answer);
        return;
    }
    if (auto it = pending.find(key); it != pending.end()) {
        it->callbacks.push_back(std::move(done)); // the same question is already on its way
        return;
    }
    if (const qint64 wait = ServerRateLimiter::instance().backOffRemainingMs(limiterKey); wait > 0) {
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
    if (!network) {
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
    const qint64 backOff = ServerRateLimiter::instance().backOffRemainingMs(limiterKey);
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
        ServerRateLimiter::instance().tryAcquire(limiterKey, minRequestIntervalMs, qint64(timeoutMs) + 1000);
    if (wait > 0) {
        sendTimer.start(int(std::min<qint64>(wait, minRequestIntervalMs)));
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
    fetch = HttpFetch::start(
        network, request, timeoutMs, maxBodyBytes,
        [this, key](const HttpFetchResult &result) {
            fetch = nullptr;
            inFlightKey.clear();
            ServerRateLimiter::instance().release(limiterKey, minGapAfterAnswerMs);
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
            std::clamp(retryAfterSeconds(result.header("Retry-After")), 1, int(maxBackoffSeconds));
        ServerRateLimiter::instance().backOff(limiterKey, qint64(seconds) * 1000);
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
    auto it = pending.find(key);
    if (it == pending.end())
        return;
    std::vector<Callback> callbacks = std::move(it->callbacks);
    pending.erase(it);
    if (answer.status == LookupStatus::Resolved || answer.status == LookupStatus::NotFound)
        store(key, answer);
    // A callback may cancel, ask again or even delete the client: check after each.
    QPointer<NominatimClient> alive(q);
    for (const Callback &callback : callbacks) {
        callback(answer);
        if (!alive)
            return;
    }
}

// ---- public ------------------------------------------------------------------------------

NominatimClient::NominatimClient(QNetworkAccessManager *network, const QUrl &server, const QString &cachePath,
                                 int timeoutMs, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->network = network;
    d->server = server;
    d->limiterKey = serverKey(server);
    d->timeoutMs = std::max(1, timeoutMs);
    d->sendTimer.setSingleShot(true);
    d->sendTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5 % early
    connect(&d->sendTimer, &QTimer::timeout, this, [this] { d->pump(); });
    d->openCache(cachePath);
}

NominatimClient::~NominatimClient()
{
    cancelAll();
    if (!d->connectionName.isEmpty()) {
        QSqlDatabase::database(d->connectionName, false).close();
        QSqlDatabase::removeDatabase(d->connectionName);
    }
}

void NominatimClient::search(const QString &query, Callback done)
{
    const QString text = query.simplified();
    if (text.isEmpty()) {
        if (done)
            done(failed(QStringLiteral("empty place name")));
        return;
    }
    if (text.size() > maxQueryLength) {
        if (done)
            done(failed(QStringLiteral("place name longer than %1 characters").arg(maxQueryLength)));
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
        ServerRateLimiter::instance().release(d->limiterKey, minGapAfterAnswerMs);
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
    return !d->connectionName.isEmpty();
}

QString NominatimClient::attribution()
{
    return QStringLiteral("Place names © OpenStreetMap contributors, ODbL 1.0");
}

QByteArray NominatimClient::userAgent()
{
    return QByteArrayLiteral("tracemap/" TRACEMAP_VERSION " (+https://github.com/tracemap/tracemap)");
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
    place.displayName = jsonText(object.value(QLatin1String("display_name")), maxFieldLength);
    // `address` should be an object; anything else (a list, a string, null) is ignored.
    const QJsonObject address = object.value(QLatin1String("address")).toObject();
    place.city = firstJsonText(address, {"city", "town", "village", "municipality", "hamlet", "suburb"},
                               maxFieldLength);
    place.region =
        firstJsonText(address, {"state", "region", "province", "state_district", "county"}, maxFieldLength);
    place.country = firstJsonText(address, {"country"}, maxFieldLength);
    const QString code = firstJsonText(address, {"country_code"}, maxFieldLength).toUpper();
    if (code.size() == 2 && code.at(0).isLetter() && code.at(1).isLetter() && code.at(0).unicode() < 128 &&
        code.at(1).unicode() < 128)
        place.countryCode = code;

    if (endpoint == Endpoint::Search) {
        if (!place.hasCoordinates())
            return failed(QStringLiteral("Nominatim answer has no usable coordinates"));
        if (place.city.isEmpty() && place.displayName.isEmpty())
            place.city = jsonText(object.value(QLatin1String("name")), maxFieldLength);
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
