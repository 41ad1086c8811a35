#include "sqlitestore.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcBaseSqlite, "tracemap.base.sqlite", QtWarningMsg)

namespace tracemap {

namespace {

QString nextConnectionName(const QString &prefix)
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("%1-%2").arg(prefix).arg(counter.fetchAndAddRelaxed(1));
}

bool checkAndCreate(QSqlDatabase &db, const SqliteStore::Schema &schema, QString *error)
{
    QSqlQuery q(db);
    // WAL keeps readers and the writer of several processes out of each other's way; it fails
    // harmlessly on read-only media. quick_check notices a corrupt file up front.
    q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    if (!q.exec(QStringLiteral("PRAGMA quick_check"))) {
        *error = q.lastError().text();
        return false;
    }
    if (q.next() && q.value(0).toString() != QLatin1String("ok")) {
        *error = QStringLiteral("database disk image is malformed (%1)").arg(q.value(0).toString());
        return false;
    }
    return !schema || schema(db, error);
}

} // namespace

SqliteStore::SqliteStore(const QString &what, const QString &connectionPrefix)
    : m_what(what), m_prefix(connectionPrefix)
{}

SqliteStore::~SqliteStore()
{
    close();
}

bool SqliteStore::isCorruption(const QString &nativeErrorCode, const QString &text)
{
    // SQLITE_CORRUPT (11), SQLITE_NOTADB (26).
    return nativeErrorCode == QLatin1String("11") || nativeErrorCode == QLatin1String("26") ||
           text.contains(QLatin1String("not a database")) || text.contains(QLatin1String("malformed"));
}

QSqlDatabase SqliteStore::database() const
{
    return m_connection.isEmpty() ? QSqlDatabase() : QSqlDatabase::database(m_connection, false);
}

void SqliteStore::close()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
    if (m_state == State::Open)
        m_state = State::Closed;
}

bool SqliteStore::bypass(Error error, const QString &why)
{
    close();
    m_state = State::Bypassed;
    m_error = error;
    m_message = QStringLiteral("%1 %2 is unusable (%3); not used, answers are kept in memory only")
                    .arg(m_what, m_path, why);
    qCWarning(lcBaseSqlite).noquote() << m_message;
    return false;
}

bool SqliteStore::open(const QString &path, const Schema &schema)
{
    close();
    m_path = path;
    m_message.clear();
    m_error = Error::None;
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return bypass(Error::NoDirectory,
                      QStringLiteral("cannot create directory %1").arg(info.absolutePath()));
    for (int attempt = 0; attempt < 2; ++attempt) {
        m_connection = nextConnectionName(m_prefix);
        QString error;
        QString nativeCode;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
            if (!db.isValid())
                return bypass(Error::NoDriver,
                              QStringLiteral("the Qt SQLite driver is not installed (libqt6sql6-sqlite)"));
            db.setDatabaseName(m_path);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=200"));
            if (db.open() && checkAndCreate(db, schema, &error)) {
                m_state = State::Open;
                return true;
            }
            if (error.isEmpty())
                error = db.lastError().text();
            nativeCode = db.lastError().nativeErrorCode();
        }
        close();
        if (!isCorruption(nativeCode, error) || attempt > 0)
            return bypass(Error::Unusable, error);
        const QString aside = m_path + QStringLiteral(".corrupt-") +
                              QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        QFile::remove(aside);
        if (!QFile::rename(m_path, aside) && !QFile::remove(m_path))
            return bypass(Error::CorruptNotMovable, QStringLiteral("corrupt and cannot be moved aside"));
        QFile::remove(m_path + QStringLiteral("-wal"));
        QFile::remove(m_path + QStringLiteral("-shm"));
        m_message = QStringLiteral("%1 %2 is corrupt (%3); moved it to %4 and recreated it")
                        .arg(m_what, m_path, error, aside);
        qCWarning(lcBaseSqlite).noquote() << m_message;
    }
    return false;
}

} // namespace tracemap
