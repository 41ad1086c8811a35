// SecretStore: the desktop app's API keys and agent tokens (RIPE Atlas key, Globalping token,
// agent tokens), kept in the desktop keyring through QtKeychain (Secret Service or KWallet).
// Where no keyring runs (no D-Bus session, no Secret Service), they go to a file only the user
// can read (0600 in a 0700 folder, written to a temporary name and renamed), and the store says
// so once (fileNotice). A keyring that does not answer within a deadline counts as none.
// Contract: a secret's value never leaves through a signal other than the load callback, nor
// through a log line or an error message; messages name the entry only.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace tracemap {

class SecretStore : public QObject
{
    Q_OBJECT
public:
    enum class Backend { Keyring, FileOnly };
    Q_ENUM(Backend)

    // `fallbackPath`: the file used without a keyring (e.g. ~/.local/share/tracemap/secrets.json).
    explicit SecretStore(const QString &fallbackPath, Backend backend = Backend::Keyring,
                         QObject *parent = nullptr);

    using StoreDone = std::function<void(bool ok, const QString &error)>;
    using LoadDone = std::function<void(const QByteArray &secret, const QString &error)>;
    // Keeps `secret` under `name` (an empty secret removes the entry). `done` runs once, later.
    void store(const QString &name, const QByteArray &secret, StoreDone done);
    // The secret under `name`; empty (and no error) when there is none. `done` runs once, later.
    void load(const QString &name, LoadDone done);

    bool usingFile() const { return m_usingFile; }
    QString fallbackPath() const { return m_path; }
    void setKeyringTimeoutMs(int ms) { m_keyringTimeoutMs = ms; }

    // The fallback file, pure parts: read all entries / write them (0600, temporary + rename).
    static QHash<QString, QByteArray> readFile(const QString &path, QString *error);
    static bool writeFile(const QString &path, const QHash<QString, QByteArray> &entries, QString *error);

signals:
    // Once, when the file is first used instead of a keyring: for the status area.
    void fileNotice(const QString &message);

private:
    void useFile();
    void storeInFile(const QString &name, const QByteArray &secret, const StoreDone &done);
    void loadFromFile(const QString &name, const LoadDone &done);

    QString m_path;
    bool m_usingFile = false;
    int m_keyringTimeoutMs = 5000;
};

} // namespace tracemap
