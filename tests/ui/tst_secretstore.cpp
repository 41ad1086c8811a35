// SecretStore: API keys and agent tokens in the keyring, else in a 0600 file. Here no keyring
// runs (the test points D-Bus at a socket that does not exist), so every secret must land in
// the file, the store must say so exactly once, and nothing it says may contain a secret.
#include "secretstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

namespace {

const QByteArray kSecret = "0123abcd-very-secret-key";

bool storeNow(SecretStore &store, const QString &name, const QByteArray &secret, QString *error)
{
    bool finished = false, ok = false;
    store.store(name, secret, [&](bool result, const QString &e) {
        finished = true;
        ok = result;
        *error = e;
    });
    if (!QTest::qWaitFor([&] { return finished; }, 10000))
        return false;
    return ok;
}

QByteArray loadNow(SecretStore &store, const QString &name, QString *error)
{
    bool finished = false;
    QByteArray secret;
    store.load(name, [&](const QByteArray &s, const QString &e) {
        finished = true;
        secret = s;
        *error = e;
    });
    if (!QTest::qWaitFor([&] { return finished; }, 10000))
        *error = QStringLiteral("no answer in time");
    return secret;
}

} // namespace

class TestSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // No session bus: the keyring is unreachable, as on a server or in CI.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tracemap-test-bus");
        qunsetenv("DISPLAY");
    }

    void fallsBackToAPrivateFile_data()
    {
        QTest::addColumn<SecretStore::Backend>("backend");
        QTest::addColumn<int>("notices");
        QTest::newRow("keyring unreachable") << SecretStore::Backend::Keyring << 1;
        QTest::newRow("file only") << SecretStore::Backend::FileOnly << 0;
    }

    void fallsBackToAPrivateFile()
    {
        QFETCH(SecretStore::Backend, backend);
        QFETCH(int, notices);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tracemap/secrets.json"));
        SecretStore store(path, backend);
        store.setKeyringTimeoutMs(3000);
        QSignalSpy notice(&store, &SecretStore::fileNotice);
        QString error;
        QVERIFY2(storeNow(store, QStringLiteral("ripe-atlas-key"), kSecret, &error), qPrintable(error));
        QVERIFY(storeNow(store, QStringLiteral("agent-token:http://127.0.0.1:1"), "tok", &error));
        QVERIFY(store.usingFile());
        QCOMPARE(notice.size(), notices); // said once, not per secret
        if (notices)
            QVERIFY(notice.at(0).at(0).toString().contains(path));
        QFile file(path);
        QVERIFY(file.exists());
        QCOMPARE(file.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QCOMPARE(QFileInfo(QFileInfo(path).absolutePath()).permissions() &
                     (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::ExeOther),
                 QFileDevice::Permissions());
        QCOMPARE(loadNow(store, QStringLiteral("ripe-atlas-key"), &error), kSecret);
        QVERIFY(error.isEmpty());
        QCOMPARE(loadNow(store, QStringLiteral("missing"), &error), QByteArray());
        QVERIFY(error.isEmpty());
        QVERIFY(storeNow(store, QStringLiteral("ripe-atlas-key"), {}, &error)); // removed
        QCOMPARE(loadNow(store, QStringLiteral("ripe-atlas-key"), &error), QByteArray());
        QCOMPARE(loadNow(store, QStringLiteral("agent-token:http://127.0.0.1:1"), &error), QByteArray("tok"));
        // Only the two temporary-file-free states: no stray temporary file is left beside it.
        QCOMPARE(QDir(QFileInfo(path).absolutePath()).entryList(QDir::Files), QStringList{"secrets.json"});
        for (const QList<QVariant> &args : std::as_const(notice))
            QVERIFY(!args.at(0).toString().contains(QString::fromLatin1(kSecret)));
    }

    void refusesAFileOthersCanRead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.json"));
        QString error;
        QVERIFY(SecretStore::writeFile(path, {{QStringLiteral("k"), kSecret}}, &error));
        QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                QFileDevice::ReadOther));
        SecretStore store(path, SecretStore::Backend::FileOnly);
        QCOMPARE(loadNow(store, QStringLiteral("k"), &error), QByteArray());
        QVERIFY(error.contains(QLatin1String("read by others")));
        QVERIFY(!error.contains(QString::fromLatin1(kSecret)));
    }
};

QTEST_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
