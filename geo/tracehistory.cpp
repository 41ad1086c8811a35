#include "tracehistory.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTimeZone>

#include <limits>

namespace tracemap {

Q_LOGGING_CATEGORY(lcHistory, "tracemap.geo.history", QtWarningMsg)

namespace {

constexpr int kSchemaVersion = 1;

QString connectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("tracemap-history-%1").arg(counter.fetchAndAddRelaxed(1));
}

const QString kListColumns = QStringLiteral("id, target, dest, started_ms, kind, hops, reached, bytes");

} // namespace

QString defaultHistoryPath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.local/share");
    return dir + QStringLiteral("/tracemap/history.sqlite");
}

TraceHistory::TraceHistory(const HistorySettings &settings) : m_settings(settings)
{
    if (m_settings.path.isEmpty())
        m_settings.path = defaultHistoryPath();
}

TraceHistory::~TraceHistory()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool TraceHistory::fail(HistoryError error, const QString &message)
{
    m_error = error;
    m_errorMessage = message;
    qCInfo(lcHistory).noquote() << message;
    return false;
}

bool TraceHistory::moveAside(const QString &why)
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    const QString aside = m_settings.path + QStringLiteral(".damaged-") +
                          QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    if (!QFile::rename(m_settings.path, aside))
        return fail(
            HistoryError::Damaged,
            QStringLiteral("history %1 is damaged (%2) and cannot be moved aside").arg(m_settings.path, why));
    QFile::remove(m_settings.path + QStringLiteral("-journal"));
    m_warning = QStringLiteral("history %1 was damaged (%2); moved to %3, a new history was started")
                    .arg(m_settings.path, why, aside);
    qCInfo(lcHistory).noquote() << m_warning;
    return true;
}

bool TraceHistory::open()
{
    if (m_open)
        return true;
    if (!m_settings.enabled)
        return fail(HistoryError::Disabled, QStringLiteral("the history is turned off"));
    const QFileInfo info(m_settings.path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(HistoryError::CannotOpen, QStringLiteral("cannot create %1").arg(info.absolutePath()));
    if (m_connection.isEmpty()) {
        m_connection = connectionName();
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        if (!db.isValid())
            return fail(HistoryError::CannotOpen, QStringLiteral("the Qt SQLite driver is not installed"));
    }
    // Twice at most: the second time with a fresh file after a damaged one was moved aside.
    for (int attempt = 0; attempt < 2; ++attempt) {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.setDatabaseName(m_settings.path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=500"));
        if (!db.open())
            return fail(HistoryError::CannotOpen,
                        QStringLiteral("history %1: %2").arg(m_settings.path, db.lastError().text()));
        QSqlQuery q(db);
        // quick_check reads every page: damage is noticed now, not in the middle of a listing.
        const bool readable = q.exec(QStringLiteral("PRAGMA quick_check")) && q.next() &&
                              q.value(0).toString() == QLatin1String("ok");
        if (readable) {
            if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
                return fail(HistoryError::CannotOpen, q.lastError().text());
            if (q.value(0).toInt() > kSchemaVersion) {
                db.close();
                return fail(HistoryError::NewerSchema,
                            QStringLiteral("history %1 was written by a newer tracemap; it is left as it is")
                                .arg(m_settings.path));
            }
            if (!createSchema())
                return false;
            m_open = true;
            return true;
        }
        const QString why = q.lastError().isValid() && !q.lastError().text().trimmed().isEmpty()
                                ? q.lastError().text()
                                : QStringLiteral("integrity check failed");
        if (attempt > 0 || !moveAside(why))
            return fail(HistoryError::Damaged, QStringLiteral("history %1: %2").arg(m_settings.path, why));
    }
    return false;
}

bool TraceHistory::createSchema()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    // Rollback journal (not WAL) so the database is one file whose size the bound applies to;
    // auto_vacuum gives deleted pages back to the file system (set before the first table).
    const QStringList statements = {
        QStringLiteral("PRAGMA auto_vacuum = FULL"),
        QStringLiteral("PRAGMA journal_mode = DELETE"),
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS traces ("
            " id INTEGER PRIMARY KEY, target TEXT NOT NULL, dest TEXT, started_ms INTEGER NOT NULL,"
            " kind TEXT NOT NULL, hops INTEGER NOT NULL, reached INTEGER NOT NULL,"
            " bytes INTEGER NOT NULL, document BLOB NOT NULL)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS traces_by_time ON traces (started_ms, id)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS traces_by_target ON traces (target, started_ms, id)"),
        QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion),
    };
    for (const QString &sql : statements) {
        if (!q.exec(sql))
            return fail(HistoryError::Failed,
                        QStringLiteral("history %1: %2").arg(m_settings.path, q.lastError().text()));
    }
    return true;
}

qint64 TraceHistory::insert(const TraceFile &file)
{
    const QByteArray document =
        qCompress(QJsonDocument(traceFileToJson(file)).toJson(QJsonDocument::Compact));
    if (document.size() > m_settings.maxBytes / 4) {
        fail(HistoryError::TooLarge, QStringLiteral("a trace of %1 KB does not fit a history of %2 KB")
                                         .arg(document.size() / 1024)
                                         .arg(m_settings.maxBytes / 1024));
        return -1;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(
        QStringLiteral("INSERT INTO traces (target, dest, started_ms, kind, hops, reached, bytes, document)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    const QDateTime started =
        file.meta.startedAt.isValid() ? file.meta.startedAt : QDateTime::currentDateTimeUtc();
    q.addBindValue(file.trace.target);
    q.addBindValue(file.trace.destination.isNull() ? QString() : file.trace.destination.toString());
    q.addBindValue(started.toMSecsSinceEpoch());
    q.addBindValue(file.meta.kind);
    q.addBindValue(int(file.trace.hops.size()));
    q.addBindValue(file.trace.reached ? 1 : 0);
    q.addBindValue(qint64(document.size()));
    q.addBindValue(document);
    if (!q.exec()) {
        fail(HistoryError::Failed,
             QStringLiteral("history %1: %2").arg(m_settings.path, q.lastError().text()));
        return -1;
    }
    return q.lastInsertId().toLongLong();
}

qint64 TraceHistory::add(const TraceFile &file)
{
    if (!open())
        return -1;
    const qint64 id = insert(file);
    if (id < 0 || !enforceBounds(id))
        return -1;
    return id;
}

QList<qint64> TraceHistory::addAll(const QList<TraceFile> &files)
{
    QList<qint64> ids;
    if (!open() || files.isEmpty())
        return ids;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction()) {
        fail(HistoryError::Failed, db.lastError().text());
        return ids;
    }
    for (const TraceFile &f : files) {
        const qint64 id = insert(f);
        if (id < 0) {
            db.rollback();
            return {};
        }
        ids << id;
    }
    if (!db.commit()) {
        fail(HistoryError::Failed, db.lastError().text());
        return {};
    }
    // The bounds apply after the commit, when the file's size is known.
    if (!enforceBounds(ids.last()))
        return {};
    return ids;
}

bool TraceHistory::enforceBounds(qint64 keepId)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    auto dropOldest = [&](int n) {
        q.prepare(QStringLiteral("DELETE FROM traces WHERE id IN (SELECT id FROM traces WHERE id != ?"
                                 " ORDER BY started_ms, id LIMIT ?)"));
        q.addBindValue(keepId);
        q.addBindValue(n);
        return q.exec();
    };
    const int excess = count() - m_settings.maxEntries;
    if (excess > 0 && !dropOldest(excess))
        return fail(HistoryError::Failed, q.lastError().text());
    // Size: page_count * page_size is the file's size (rollback journal, auto_vacuum FULL).
    for (int round = 0; round < 64; ++round) {
        if (fileSize() <= m_settings.maxBytes)
            return true;
        const int rows = count();
        if (rows <= 1)
            break;
        if (!dropOldest(std::max(1, rows / 10)))
            return fail(HistoryError::Failed, q.lastError().text());
    }
    if (fileSize() <= m_settings.maxBytes)
        return true;
    remove(keepId);
    return fail(HistoryError::TooLarge, QStringLiteral("the history cannot stay under %1 KB with this trace")
                                            .arg(m_settings.maxBytes / 1024));
}

QList<HistoryEntry> TraceHistory::list(const QString &target, const QDateTime &from, const QDateTime &to,
                                       int limit)
{
    QList<HistoryEntry> out;
    if (!open())
        return out;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    QString sql =
        QStringLiteral("SELECT %1 FROM traces WHERE started_ms >= ? AND started_ms < ?").arg(kListColumns);
    if (!target.isEmpty())
        sql += QStringLiteral(" AND target = ?");
    sql += QStringLiteral(" ORDER BY started_ms DESC, id DESC LIMIT ?");
    q.prepare(sql);
    q.addBindValue(from.isValid() ? from.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min());
    q.addBindValue(to.isValid() ? to.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max());
    if (!target.isEmpty())
        q.addBindValue(target);
    q.addBindValue(std::max(0, limit));
    if (!q.exec()) {
        fail(HistoryError::Failed, q.lastError().text());
        return out;
    }
    while (q.next()) {
        HistoryEntry e;
        e.id = q.value(0).toLongLong();
        e.target = q.value(1).toString();
        e.destination = q.value(2).toString();
        e.startedAt = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong(), Qt::UTC);
        e.kind = q.value(4).toString();
        e.hops = q.value(5).toInt();
        e.reached = q.value(6).toInt() != 0;
        e.bytes = q.value(7).toLongLong();
        out << e;
    }
    return out;
}

QString TraceHistory::listQueryPlan(const QString &target)
{
    if (!open())
        return {};
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    const QString where = target.isEmpty() ? QString() : QStringLiteral(" AND target = ?");
    q.prepare(
        QStringLiteral("EXPLAIN QUERY PLAN SELECT %1 FROM traces WHERE started_ms >= ? AND started_ms < ?%2"
                       " ORDER BY started_ms DESC, id DESC LIMIT ?")
            .arg(kListColumns, where));
    q.addBindValue(0);
    q.addBindValue(std::numeric_limits<qint64>::max());
    if (!target.isEmpty())
        q.addBindValue(target);
    q.addBindValue(50);
    QStringList plan;
    if (q.exec()) {
        while (q.next())
            plan << q.value(3).toString();
    }
    return plan.join(QLatin1Char('\n'));
}

TraceFileReadResult TraceHistory::get(qint64 id)
{
    TraceFileReadResult r;
    if (!open()) {
        r.error = TraceFileError::CannotOpen;
        r.message = m_errorMessage;
        return r;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT document FROM traces WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next()) {
        fail(HistoryError::NotFound, QStringLiteral("no trace %1 in the history").arg(id));
        r.error = TraceFileError::CannotOpen;
        r.message = m_errorMessage;
        return r;
    }
    // Stored documents are read as strictly as files: the database may have been edited.
    const QByteArray bytes = qUncompress(q.value(0).toByteArray());
    return parseTraceFile(bytes);
}

bool TraceHistory::remove(qint64 id)
{
    if (!open())
        return false;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("DELETE FROM traces WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return fail(HistoryError::Failed, q.lastError().text());
    if (q.numRowsAffected() == 0)
        return fail(HistoryError::NotFound, QStringLiteral("no trace %1 in the history").arg(id));
    return true;
}

int TraceHistory::count()
{
    if (!open())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    return q.exec(QStringLiteral("SELECT count(*) FROM traces")) && q.next() ? q.value(0).toInt() : 0;
}

qint64 TraceHistory::fileSize() const
{
    return QFileInfo(m_settings.path).size();
}

} // namespace tracemap
