#pragma once
// Raster tiles over HTTP, polite by construction (OSM tile usage policy): a stable User-Agent,
// an on-disk cache honouring Cache-Control / Expires with a 7-day floor, conditional re-fetch of
// stale tiles (shown meanwhile), at most 2 requests in flight from our own queue, only the tiles
// asked for (queued tiles that are no longer wanted are dropped), timeouts, and back-off for
// tiles that failed. With the network disabled nothing is sent; the disk cache still serves.

#include "webmercator.h"

#include <QCache>
#include <QDateTime>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>

class QNetworkAccessManager;
class QTimer;

namespace tracemap {

class HttpFetch;
struct HttpFetchResult;

class TileLoader : public QObject
{
    Q_OBJECT
public:
    enum class Status { Off, Ok, Loading, Failing };
    Q_ENUM(Status)

    // Why a tile failed, for logs and tests.
    enum class TileError { None, Network, Timeout, HttpStatus, BadImage, TooLarge };
    Q_ENUM(TileError)

    static constexpr const char *DefaultUrlTemplate = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    static constexpr int MaxInFlightLimit = 2;

    explicit TileLoader(QObject *parent = nullptr);
    ~TileLoader() override;

    static QString userAgent();

    QString urlTemplate() const { return m_urlTemplate; }
    // {z}, {x}, {y} and optionally {s} (a, b or c). Clears what is in memory and in flight.
    void setUrlTemplate(const QString &urlTemplate);

    // Root of the disk cache; tiles go to <root>/<hash of the template>/z/x/y.png (+ .meta).
    // Empty = QStandardPaths::CacheLocation + "/tiles".
    QString cacheDirectory() const { return m_cacheRoot; }
    void setCacheDirectory(const QString &root);
    QString templateCacheDirectory() const;

    bool networkEnabled() const { return m_networkEnabled; }
    void setNetworkEnabled(bool enabled);

    void setMaxInFlight(int count); // clamped to 1 .. MaxInFlightLimit
    int maxInFlight() const { return m_maxInFlight; }
    void setTimeout(int milliseconds);                                // whole request, default 15 s
    void setRetryBackoff(int firstMilliseconds, int maxMilliseconds); // default 10 s doubling to 10 min
    void setMinimumFreshness(qint64 seconds);                         // default 7 days
    void setMaxTileBytes(qint64 bytes);                               // default 1 MiB

    // Make exactly these tiles wanted, most important first: tiles in memory are kept, tiles on
    // disk are read (and shown even when stale), missing or stale ones are queued, queued ones no
    // longer wanted are dropped (requests already in flight finish and are cached).
    void request(const QList<TileId> &tiles);

    // In memory only (the renderer calls this while painting); null when not loaded.
    QImage tile(const TileId &tile) const;
    bool hasFailed(const TileId &tile) const;
    TileError lastError(const TileId &tile) const;

    int queuedCount() const { return int(m_queue.size()); }
    int inFlightCount() const { return int(m_inFlight.size()); }
    int pendingCount() const { return queuedCount() + inFlightCount(); }
    Status status() const { return m_status; }
    // The most recent failure (None until one happens; a tile arriving clears it), and why in
    // words for the status area: tiles that fail silently leave the user guessing.
    TileError lastFailure() const { return m_lastFailure; }
    static QString describe(TileError error);
    // Requests sent since construction (tests, benchmarks).
    int requestsSent() const { return m_requestsSent; }
    // Changes whenever the tiles in memory change (one arrived, one was dropped): the renderer's
    // basemap layer is drawn again then.
    quint64 revision() const { return m_revision; }

signals:
    void tileReady(const tracemap::TileId &tile);
    void tileFailed(const tracemap::TileId &tile);
    void statusChanged();
    void pendingCountChanged();

private:
    struct Meta
    {
        QDateTime freshUntil;
        QByteArray etag;
        QByteArray lastModified;
    };
    struct Failure
    {
        int attempts = 0;
        QDateTime retryAt;
        TileError error = TileError::None;
    };

    QString tilePath(const TileId &tile) const;
    bool loadFromDisk(const TileId &tile, Meta *meta);
    void store(const TileId &tile, const QByteArray &body, const Meta &meta);
    void storeMeta(const TileId &tile, const Meta &meta);
    QUrl urlFor(const TileId &tile) const;
    void dispatch();
    void send(const TileId &tile);
    void finished(const TileId &tile, const HttpFetchResult &result);
    void fail(const TileId &tile, TileError error, int retryAfterSeconds = 0);
    Meta metaFrom(const HttpFetchResult &result) const;
    void scheduleRetry();
    void updateStatus();
    void abortAll();

    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_retryTimer = nullptr;
    QString m_urlTemplate = QString::fromLatin1(DefaultUrlTemplate);
    QString m_cacheRoot;
    bool m_networkEnabled = true;
    int m_maxInFlight = MaxInFlightLimit;
    int m_timeoutMs = 15000;
    int m_backoffFirstMs = 10000;
    int m_backoffMaxMs = 600000;
    qint64 m_minimumFreshness = 7 * 24 * 3600;
    qint64 m_maxTileBytes = 1024 * 1024;

    quint64 m_revision = 0;
    QCache<TileId, QImage> m_images{128}; // 32 MiB: a 1080p view at zoom x.5 plus its margin
    QHash<TileId, Meta> m_meta;           // for tiles in memory
    QSet<TileId> m_refreshed;             // stale tiles already re-fetched this session
    QHash<TileId, Failure> m_failures;    // pruned when it grows
    QList<TileId> m_queue;
    QSet<TileId> m_wanted;
    QList<TileId> m_wantedOrder;
    QHash<HttpFetch *, TileId> m_inFlight; // base/httpfetch.h: User-Agent, deadline, size cap
    Status m_status = Status::Ok;
    TileError m_lastFailure = TileError::None;
    int m_requestsSent = 0;
};

} // namespace tracemap
