// The one SQLite open-and-recover policy: a fresh file opens, a corrupt one is set aside and
// recreated once, what cannot be used is bypassed with one message and an error value.
#include "sqlitestore.h"

#include <QDir>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

namespace {

bool createTable(QSqlDatabase &db, QString *error)
{
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)")))
        return true;
    *error = q.lastError().text();
    return false;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestSqliteStore : public QObject
{
    Q_OBJECT
private slots:
    void policy_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("words"); // part of message(); empty = no message
        QTest::addColumn<int>("setAside");  // files named <path>.corrupt-* afterwards
        QTest::newRow("fresh file") << "fresh" << int(SqliteStore::State::Open)
                                    << int(SqliteStore::Error::None) << "" << 0;
        QTest::newRow("garbage file is set aside") << "garbage" << int(SqliteStore::State::Open)
                                                   << int(SqliteStore::Error::None) << "is corrupt" << 1;
        QTest::newRow("truncated database is set aside")
            << "truncated" << int(SqliteStore::State::Open) << int(SqliteStore::Error::None) << "is corrupt"
            << 1;
        QTest::newRow("directory cannot be made") << "nodir" << int(SqliteStore::State::Bypassed)
                                                  << int(SqliteStore::Error::NoDirectory) << "not used" << 0;
        QTest::newRow("schema fails") << "badschema" << int(SqliteStore::State::Bypassed)
                                      << int(SqliteStore::Error::Unusable) << "is unusable" << 0;
    }
    void policy()
    {
        QFETCH(QString, kind);
        QFETCH(int, state);
        QFETCH(int, error);
        QFETCH(QString, words);
        QFETCH(int, setAside);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString path = dir.filePath(QStringLiteral("cache.sqlite"));
        SqliteStore::Schema schema = createTable;
        if (kind == "garbage") {
            writeFile(path, QByteArray(8192, '\x5a'));
        } else if (kind == "truncated") {
            {
                SqliteStore first(QStringLiteral("test cache"), QStringLiteral("tst"));
                QVERIFY(first.open(path, createTable));
            }
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.resize(100)); // a header without pages
        } else if (kind == "nodir") {
            writeFile(dir.filePath(QStringLiteral("file")), "x");
            path = dir.filePath(QStringLiteral("file/sub/cache.sqlite")); // a file where a folder must be
        } else if (kind == "badschema") {
            schema = [](QSqlDatabase &, QString *why) {
                *why = QStringLiteral("schema refused");
                return false;
            };
        }
        if (!words.isEmpty())
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(words));
        SqliteStore store(QStringLiteral("test cache"), QStringLiteral("tst"));
        QCOMPARE(store.open(path, schema), state == int(SqliteStore::State::Open));
        QCOMPARE(int(store.state()), state);
        QCOMPARE(int(store.error()), error);
        if (words.isEmpty())
            QCOMPARE(store.message(), QString());
        else
            QVERIFY2(store.message().contains(words), qPrintable(store.message()));
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("cache.sqlite.corrupt-*")}).size(), setAside);
        if (store.isOpen()) {
            // Usable: a write and a read through the connection.
            QSqlQuery q(store.database());
            QVERIFY(q.exec(QStringLiteral("INSERT INTO t VALUES ('a', 'b')")));
            QVERIFY(q.exec(QStringLiteral("SELECT v FROM t WHERE k = 'a'")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("b"));
        } else {
            QVERIFY(!store.database().isValid());
        }
    }

    void reopensWhatItWrote()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keep.sqlite"));
        {
            SqliteStore store(QStringLiteral("test cache"), QStringLiteral("tst"));
            QVERIFY(store.open(path, createTable));
            QSqlQuery q(store.database());
            QVERIFY(q.exec(QStringLiteral("INSERT INTO t VALUES ('k', 'kept')")));
        }
        SqliteStore again(QStringLiteral("test cache"), QStringLiteral("tst"));
        QVERIFY(again.open(path, createTable));
        QSqlQuery q(again.database());
        QVERIFY(q.exec(QStringLiteral("SELECT v FROM t")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("kept"));
        QCOMPARE(again.message(), QString());
    }
};

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlitestore.moc"
