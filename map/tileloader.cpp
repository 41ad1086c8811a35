#include "tileloader.h"
#include "httpfetch.h"
#include "maplogging.h"
#include "useragent.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>

namespace tracemap {

namespace {
constexpr const char *TileProperty = "tracemapTile";
constexpr int MaxRememberedFailures = 4096;

// "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110 IMF-fixdate); invalid for anything else.
QDateTime parseHttpDate(const QByteArray &value)
{
    QString text = QString::fromLatin1(value.left(64)).trimmed();
    if (text.endsWith(QLatin1String(" GMT")) || text.endsWith(QLatin1String(" UTC")))
        text = text.chopped(4) + QLatin1String(" +0000");
    return QDateTime::fromString(text, Qt::RFC2822Date);
}
} // namespace

TileLoader::TileLoader(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this)), m_retryTimer(new QTimer(this))
{
    m_network->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, [this] { request(QList<TileId>(m_wantedOrder)); });
}

TileLoader::~TileLoader()
{
    abortAll();
}

QString TileLoader::userAgent()
{
    return QString::fromLatin1(tracemap::userAgent());
}

void TileLoader::setUrlTemplate(const QString &urlTemplate)
{
    if (urlTemplate == m_urlTemplate)
        return;
    m_urlTemplate = urlTemplate;
    abortAll();
    m_images.clear();
    ++m_revision;
    m_meta.clear();
    m_refreshed.clear();
    m_failures.clear();
    m_queue.clear();
    updateStatus();
}

void TileLoader::setCacheDirectory(const QString &root)
{
    if (root == m_cacheRoot)
        return;
    m_cacheRoot = root;
    m_images.clear();
    ++m_revision;
    m_meta.clear();
    m_refreshed.clear();
}

QString TileLoader::templateCacheDirectory() const
{
    QString root = m_cacheRoot;
    if (root.isEmpty())
        root = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/tiles");
    const QByteArray hash =
        QCryptographicHash::hash(m_urlTemplate.toUtf8(), QCryptographicHash::Sha1).toHex();
    return root + QLatin1Char('/') + QString::fromLatin1(hash.left(16));
}

void TileLoader::setNetworkEnabled(bool enabled)
{
    if (enabled == m_networkEnabled)
        return;
    m_networkEnabled = enabled;
    if (!enabled) {
        abortAll();
        m_queue.clear();
    }
    updateStatus();
    if (enabled)
        request(QList<TileId>(m_wantedOrder));
}

void TileLoader::setMaxInFlight(int count)
{
    m_maxInFlight = std::clamp(count, 1, MaxInFlightLimit);
}

void TileLoader::setTimeout(int milliseconds)
{
    m_timeoutMs = std::max(1, milliseconds);
}

void TileLoader::setRetryBackoff(int firstMilliseconds, int maxMilliseconds)
{
    m_backoffFirstMs = std::max(1, firstMilliseconds);
    m_backoffMaxMs = std::max(m_backoffFirstMs, maxMilliseconds);
}

void TileLoader::setMinimumFreshness(qint64 seconds)
{
    m_minimumFreshness = std::max<qint64>(0, seconds);
}

void TileLoader::setMaxTileBytes(qint64 bytes)
{
    m_maxTileBytes = std::max<qint64>(1024, bytes);
}

QString TileLoader::tilePath(const TileId &tile) const
{
    return QStringLiteral("%1/%2/%3/%4.png")
        .arg(templateCacheDirectory())
        .arg(tile.zoom)
        .arg(tile.x)
        .arg(tile.y);
}

bool TileLoader::loadFromDisk(const TileId &tile, Meta *meta)
{
    const QString path = tilePath(tile);
    QImage image;
    if (!QFileInfo::exists(path) || !image.load(path))
        return false;
    QFile metaFile(path.chopped(4) + QStringLiteral(".meta"));
    if (metaFile.open(QIODevice::ReadOnly)) {
        const QJsonObject object = QJsonDocument::fromJson(metaFile.read(64 * 1024)).object();
        meta->freshUntil =
            QDateTime::fromSecsSinceEpoch(qint64(object.value(QLatin1String("freshUntil")).toDouble()));
        meta->etag = object.value(QLatin1String("etag")).toString().toLatin1();
        meta->lastModified = object.value(QLatin1String("lastModified")).toString().toLatin1();
    } else {
        meta->freshUntil = QDateTime::fromSecsSinceEpoch(0); // unknown age: stale, re-validate
    }
    ++m_revision;
    m_images.insert(tile, new QImage(image.convertToFormat(QImage::Format_ARGB32_Premultiplied)));
    m_meta.insert(tile, *meta);
    return true;
}

void TileLoader::storeMeta(const TileId &tile, const Meta &meta)
{
    const QString path = tilePath(tile).chopped(4) + QStringLiteral(".meta");
    QSaveFile file(path);
    if (!QDir().mkpath(QFileInfo(path).path()) || !file.open(QIODevice::WriteOnly)) {
        qCWarning(lcMapTiles) << "cannot write" << path << file.errorString();
        return;
    }
    QJsonObject object{{QLatin1String("freshUntil"), double(meta.freshUntil.toSecsSinceEpoch())},
                       {QLatin1String("etag"), QString::fromLatin1(meta.etag)},
                       {QLatin1String("lastModified"), QString::fromLatin1(meta.lastModified)}};
    file.write(QJsonDocument(object).toJson(QJsonDocument::Compact));
    file.commit();
}

void TileLoader::store(const TileId &tile, const QByteArray &body, const Meta &meta)
{
    const QString path = tilePath(tile);
    QSaveFile file(path);
    if (!QDir().mkpath(QFileInfo(path).path()) || !file.open(QIODevice::WriteOnly)) {
        qCWarning(lcMapTiles) << "cannot write" << path << file.errorString();
        return;
    }
    file.write(body);
    if (file.commit())
        storeMeta(tile, meta);
}

QUrl TileLoader::urlFor(const TileId &tile) const
{
    static const char subdomains[] = {'a', 'b', 'c'};
    QString url = m_urlTemplate;
    url.replace(QLatin1String("{z}"), QString::number(tile.zoom))
        .replace(QLatin1String("{x}"), QString::number(tile.x))
        .replace(QLatin1String("{y}"), QString::number(tile.y))
        .replace(QLatin1String("{s}"), QString(QLatin1Char(subdomains[(tile.x + tile.y) % 3])));
    return QUrl(url);
}

void TileLoader::request(const QList<TileId> &tiles)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_wanted = QSet<TileId>(tiles.begin(), tiles.end());
    m_wantedOrder = tiles;
    QList<TileId> queue;
    QSet<TileId> queued;
    for (const TileId &tile : tiles) {
        if (!tile.isValid() || queued.contains(tile))
            continue;
        if (std::any_of(m_inFlight.cbegin(), m_inFlight.cend(), [&](const TileId &t) { return t == tile; }))
            continue;
        Meta meta;
        bool known = m_images.contains(tile);
        if (known)
            meta = m_meta.value(tile);
        else if (loadFromDisk(tile, &meta))
            known = true;
        if (known && (meta.freshUntil > now || m_refreshed.contains(tile)))
            continue;
        const auto failure = m_failures.constFind(tile);
        if (failure != m_failures.cend() && failure->retryAt > now)
            continue;
        if (!m_networkEnabled)
            continue;
        queue.append(tile);
        queued.insert(tile);
    }
    m_queue = queue;
    dispatch();
    scheduleRetry();
    updateStatus();
    emit pendingCountChanged();
}

QImage TileLoader::tile(const TileId &tile) const
{
    const QImage *image = m_images.object(tile);
    return image ? *image : QImage();
}

bool TileLoader::hasFailed(const TileId &tile) const
{
    return m_failures.contains(tile);
}

TileLoader::TileError TileLoader::lastError(const TileId &tile) const
{
    return m_failures.value(tile).error;
}

void TileLoader::dispatch()
{
    while (m_networkEnabled && !m_queue.isEmpty() && m_inFlight.size() < m_maxInFlight)
        send(m_queue.takeFirst());
}

void TileLoader::send(const TileId &tile)
{
    // HttpFetch sets tracemap's User-Agent, bounds the whole request by m_timeoutMs (a server
    // that trickles bytes included) and aborts bodies over m_maxTileBytes.
    QNetworkRequest request(urlFor(tile));
    // No CacheLoadControl attribute: AlwaysNetwork would add "Cache-Control: no-cache", which the
    // OSM policy asks clients not to send. The QNAM has no cache of its own; ours is on disk.
    bool conditional = false;
    if (m_images.contains(tile)) {
        const Meta meta = m_meta.value(tile);
        if (!meta.etag.isEmpty())
            request.setRawHeader("If-None-Match", meta.etag);
        if (!meta.lastModified.isEmpty())
            request.setRawHeader("If-Modified-Since", meta.lastModified);
        conditional = !meta.etag.isEmpty() || !meta.lastModified.isEmpty();
        m_refreshed.insert(tile);
    }
    ++m_requestsSent;
    qCDebug(lcMapTiles) << "GET" << request.url() << (conditional ? "(conditional)" : "");
    // The callback never runs after abortAll() cancelled the fetch.
    auto *fetch = HttpFetch::start(
        m_network, request, m_timeoutMs, m_maxTileBytes,
        [this, tile](const HttpFetchResult &result) { finished(tile, result); }, this);
    m_inFlight.insert(fetch, tile);
}

TileLoader::Meta TileLoader::metaFrom(const HttpFetchResult &result) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    qint64 lifetime = -1;
    const QString cacheControl = QString::fromLatin1(result.header("Cache-Control")).toLower();
    static const QRegularExpression maxAge(QStringLiteral("max-age\\s*=\\s*(\\d+)"));
    if (const auto match = maxAge.match(cacheControl); match.hasMatch())
        lifetime = match.captured(1).toLongLong();
    if (lifetime < 0) {
        const QDateTime expires = parseHttpDate(result.header("Expires"));
        if (expires.isValid())
            lifetime = now.secsTo(expires);
    }
    Meta meta;
    meta.freshUntil = now.addSecs(std::max(lifetime, m_minimumFreshness));
    meta.etag = result.header("ETag").left(256);
    meta.lastModified = result.header("Last-Modified").left(128);
    return meta;
}

void TileLoader::finished(const TileId &tile, const HttpFetchResult &result)
{
    m_inFlight.removeIf([&tile](const auto &entry) { return entry.value() == tile; });
    using Outcome = HttpFetchResult::Outcome;
    const int status = result.httpStatus;
    if (result.outcome == Outcome::TimedOut) {
        fail(tile, TileError::Timeout);
    } else if (result.outcome == Outcome::TooLarge) {
        fail(tile, TileError::TooLarge);
    } else if (result.outcome == Outcome::NetworkError) {
        fail(tile, TileError::Network);
    } else if (status == 304 && m_images.contains(tile)) {
        Meta meta = metaFrom(result);
        const Meta old = m_meta.value(tile);
        if (meta.etag.isEmpty())
            meta.etag = old.etag;
        if (meta.lastModified.isEmpty())
            meta.lastModified = old.lastModified;
        m_meta.insert(tile, meta);
        storeMeta(tile, meta);
        m_failures.remove(tile);
    } else if (status == 200) {
        QImage image = QImage::fromData(result.body);
        if (image.isNull() || image.width() > 1024 || image.height() > 1024) {
            fail(tile, TileError::BadImage);
        } else {
            const Meta meta = metaFrom(result);
            store(tile, result.body, meta);
            ++m_revision;
            m_images.insert(tile, new QImage(image.convertToFormat(QImage::Format_ARGB32_Premultiplied)));
            m_meta.insert(tile, meta);
            m_failures.remove(tile);
            m_lastFailure = TileError::None;
            emit tileReady(tile);
        }
    } else {
        const int retryAfter = result.header("Retry-After").trimmed().toInt();
        fail(tile, TileError::HttpStatus, retryAfter);
    }
    if (m_meta.size() > 4 * m_images.maxCost()) {
        m_meta.removeIf([this](const auto &entry) { return !m_images.contains(entry.key()); });
    }
    dispatch();
    scheduleRetry();
    updateStatus();
    emit pendingCountChanged();
}

QString TileLoader::describe(TileError error)
{
    switch (error) {
    case TileError::None:
        return {};
    case TileError::Network:
        return QStringLiteral("the tile server cannot be reached");
    case TileError::Timeout:
        return QStringLiteral("the tile server did not answer in time");
    case TileError::HttpStatus:
        return QStringLiteral("the tile server refused the request");
    case TileError::BadImage:
        return QStringLiteral("the tile server sent no image");
    case TileError::TooLarge:
        return QStringLiteral("the tile server sent an oversized tile");
    }
    return {};
}

void TileLoader::fail(const TileId &tile, TileError error, int retryAfterSeconds)
{
    if (m_failures.size() > MaxRememberedFailures) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        m_failures.removeIf([&](const auto &entry) { return entry.value().retryAt < now; });
    }
    m_lastFailure = error;
    Failure &failure = m_failures[tile];
    failure.attempts = std::min(failure.attempts + 1, 30);
    failure.error = error;
    qint64 delayMs =
        std::min<qint64>(qint64(m_backoffFirstMs) << std::min(failure.attempts - 1, 20), m_backoffMaxMs);
    delayMs = std::max<qint64>(delayMs, qint64(std::clamp(retryAfterSeconds, 0, 3600)) * 1000);
    failure.retryAt = QDateTime::currentDateTimeUtc().addMSecs(delayMs);
    qCInfo(lcMapTiles) << "tile" << tile.zoom << tile.x << tile.y << "failed:" << error << "retry in"
                       << delayMs << "ms";
    emit tileFailed(tile);
}

void TileLoader::scheduleRetry()
{
    // One timer for the earliest wanted tile whose back-off ends; never a tight loop.
    QDateTime earliest;
    for (const TileId &tile : std::as_const(m_wanted)) {
        const auto failure = m_failures.constFind(tile);
        if (failure == m_failures.cend() || m_images.contains(tile))
            continue;
        if (!earliest.isValid() || failure->retryAt < earliest)
            earliest = failure->retryAt;
    }
    if (!earliest.isValid() || !m_networkEnabled) {
        m_retryTimer->stop();
        return;
    }
    const qint64 delay = std::max<qint64>(100, QDateTime::currentDateTimeUtc().msecsTo(earliest) + 10);
    m_retryTimer->start(int(std::min<qint64>(delay, m_backoffMaxMs + 1000)));
}

void TileLoader::updateStatus()
{
    Status status = Status::Ok;
    if (!m_networkEnabled)
        status = Status::Off;
    else if (pendingCount() > 0)
        status = Status::Loading;
    else if (std::any_of(m_wanted.cbegin(), m_wanted.cend(),
                         [this](const TileId &t) { return m_failures.contains(t) && !m_images.contains(t); }))
        status = Status::Failing;
    if (status != m_status) {
        m_status = status;
        emit statusChanged();
    }
}

void TileLoader::abortAll()
{
    const auto fetches = m_inFlight.keys();
    m_inFlight.clear();
    for (HttpFetch *fetch : fetches)
        fetch->cancel(); // its callback is never called
}

} // namespace tracemap
