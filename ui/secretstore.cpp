#include "secretstore.h"

#include <qt6keychain/keychain.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QSaveFile>
#include <QTimer>

#include <memory>

Q_LOGGING_CATEGORY(lcSecrets, "tracemap.ui.secrets", QtWarningMsg)

namespace tracemap {

namespace {

const QString kService = QStringLiteral("tracemap");

// Whether a keyring error means "there is no keyring here" (use the file) rather than "this
// entry is not there".
bool noKeyring(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::OtherError ||
           error == QKeychain::AccessDenied || error == QKeychain::NotImplemented;
}

// Runs `job` with a deadline: `finished(error)` once, with NoBackendAvailable when the keyring
// did not answer in time.
void runJob(QKeychain::Job *job, int timeoutMs, QObject *context,
            std::function<void(QKeychain::Error, QKeychain::Job *)> finished)
{
    auto once = std::make_shared<bool>(false);
    QPointer<QKeychain::Job> guard(job);
    job->setAutoDelete(false);
    QObject::connect(job, &QKeychain::Job::finished, context, [once, finished](QKeychain::Job *j) {
        if (*once)
            return;
        *once = true;
        finished(j->error(), j);
        j->deleteLater();
    });
    QTimer::singleShot(timeoutMs, context, [once, finished, guard] {
        if (*once)
            return;
        *once = true;
        finished(QKeychain::NoBackendAvailable, nullptr);
        if (guard)
            guard->deleteLater();
    });
    job->start();
}

} // namespace

SecretStore::SecretStore(const QString &fallbackPath, Backend backend, QObject *parent)
    : QObject(parent), m_path(fallbackPath), m_usingFile(backend == Backend::FileOnly)
{}

void SecretStore::useFile()
{
    if (m_usingFile)
        return;
    m_usingFile = true;
    emit fileNotice(QStringLiteral("No keyring is running: API keys and tokens are kept in %1, "
                                   "readable only by you")
                        .arg(QDir::toNativeSeparators(m_path)));
}

void SecretStore::store(const QString &name, const QByteArray &secret, StoreDone done)
{
    if (m_usingFile) {
        QTimer::singleShot(0, this, [this, name, secret, done] { storeInFile(name, secret, done); });
        return;
    }
    QKeychain::Job *job = nullptr;
    if (secret.isEmpty()) {
        auto *remove = new QKeychain::DeletePasswordJob(kService, this);
        remove->setKey(name);
        job = remove;
    } else {
        auto *write = new QKeychain::WritePasswordJob(kService, this);
        write->setKey(name);
        write->setBinaryData(secret);
        job = write;
    }
    runJob(job, m_keyringTimeoutMs, this,
           [this, name, secret, done](QKeychain::Error error, QKeychain::Job *) {
               if (error == QKeychain::NoError || (secret.isEmpty() && error == QKeychain::EntryNotFound)) {
                   done(true, {});
                   return;
               }
               if (noKeyring(error)) {
                   qCInfo(lcSecrets) << "no keyring; using the file for" << name;
                   useFile();
                   storeInFile(name, secret, done);
                   return;
               }
               done(false, QStringLiteral("The keyring did not keep %1").arg(name));
           });
}

void SecretStore::load(const QString &name, LoadDone done)
{
    if (m_usingFile) {
        QTimer::singleShot(0, this, [this, name, done] { loadFromFile(name, done); });
        return;
    }
    auto *read = new QKeychain::ReadPasswordJob(kService, this);
    read->setKey(name);
    runJob(read, m_keyringTimeoutMs, this, [this, name, done](QKeychain::Error error, QKeychain::Job *job) {
        if (error == QKeychain::NoError) {
            done(static_cast<QKeychain::ReadPasswordJob *>(job)->binaryData(), {});
        } else if (error == QKeychain::EntryNotFound) {
            done({}, {});
        } else if (noKeyring(error)) {
            useFile();
            loadFromFile(name, done);
        } else {
            done({}, QStringLiteral("The keyring did not give %1").arg(name));
        }
    });
}

void SecretStore::storeInFile(const QString &name, const QByteArray &secret, const StoreDone &done)
{
    QString error;
    QHash<QString, QByteArray> entries = readFile(m_path, &error);
    if (!error.isEmpty()) {
        done(false, error);
        return;
    }
    if (secret.isEmpty())
        entries.remove(name);
    else
        entries.insert(name, secret);
    const bool ok = writeFile(m_path, entries, &error);
    done(ok, error);
}

void SecretStore::loadFromFile(const QString &name, const LoadDone &done)
{
    QString error;
    const QHash<QString, QByteArray> entries = readFile(m_path, &error);
    done(entries.value(name), error);
}

QHash<QString, QByteArray> SecretStore::readFile(const QString &path, QString *error)
{
    QHash<QString, QByteArray> entries;
    QFile file(path);
    if (!file.exists())
        return entries;
    if (file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                              QFileDevice::WriteOther)) {
        *error =
            QStringLiteral("%1 can be read by others: not used (make it readable only by you)").arg(path);
        return entries;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Cannot read %1").arg(path);
        return entries;
    }
    const QJsonObject o = QJsonDocument::fromJson(file.read(1024 * 1024)).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        entries.insert(it.key(), QByteArray::fromBase64(it.value().toString().toLatin1()));
    return entries;
}

bool SecretStore::writeFile(const QString &path, const QHash<QString, QByteArray> &entries, QString *error)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("Cannot create the folder of %1").arg(path);
        return false;
    }
    QFile::setPermissions(info.absolutePath(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QJsonObject o;
    for (auto it = entries.cbegin(); it != entries.cend(); ++it)
        o.insert(it.key(), QString::fromLatin1(it.value().toBase64()));
    QSaveFile file(path);
    // The temporary file is made 0600 before a byte is written, and renamed into place.
    if (!file.open(QIODevice::WriteOnly) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(QJsonDocument(o).toJson(QJsonDocument::Compact)) < 0 || !file.commit()) {
        *error = QStringLiteral("Cannot write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace tracemap
