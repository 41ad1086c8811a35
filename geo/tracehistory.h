#pragma once
// The history of finished traces: trace files kept in one SQLite database, listed by target and
// time, fetched, deleted. Bounded by count and by the database file's size: after each insert the
// oldest traces (by start time) are dropped until both bounds hold. A database that cannot be
// read (damaged, not SQLite) is moved aside to "<path>.damaged-<time>" with a warning and a new
// one is started; a database from a newer tracemap is left alone and refused.
//
// Not thread-safe: one instance per thread (each opens its own connection). Not a QObject; the
// caller decides when to store. Errors are an enum plus a one-line message.

#include "tracefile.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace tracemap {

struct HistorySettings
{
    bool enabled = true;
    QString path;                         // empty: defaultHistoryPath()
    int maxEntries = 1000;                // oldest dropped beyond this
    qint64 maxBytes = 64LL * 1024 * 1024; // bound on the database file
};

// ~/.local/share/tracemap/history.sqlite (XDG data directory).
QString defaultHistoryPath();

enum class HistoryError { None, Disabled, CannotOpen, NewerSchema, NotFound, TooLarge, Damaged, Failed };

// One row of a listing: what a History panel shows without loading the trace.
struct HistoryEntry
{
    qint64 id = 0;
    QString target;
    QString destination;
    QDateTime startedAt; // UTC
    QString kind;
    int hops = 0;
    bool reached = false;
    qint64 bytes = 0; // stored (compressed) size
};

class TraceHistory
{
public:
    explicit TraceHistory(const HistorySettings &settings);
    ~TraceHistory();
    TraceHistory(const TraceHistory &) = delete;
    TraceHistory &operator=(const TraceHistory &) = delete;

    // Opens or creates the database (also called by the other functions when needed).
    bool open();
    bool isOpen() const { return m_open; }
    // Set when open() had to move a damaged database aside; empty otherwise.
    QString warning() const { return m_warning; }
    HistoryError error() const { return m_error; }
    QString errorMessage() const { return m_errorMessage; }

    // Stores a trace; its id, or -1 (disabled, too large for the bounds, or a database error).
    qint64 add(const TraceFile &file);
    // Stores several in one transaction (an import); their ids, or none when one failed.
    QList<qint64> addAll(const QList<TraceFile> &files);
    // Newest first. `target` empty: all targets; invalid times: no bound.
    QList<HistoryEntry> list(const QString &target = {}, const QDateTime &from = {}, const QDateTime &to = {},
                             int limit = 200);
    TraceFileReadResult get(qint64 id);
    bool remove(qint64 id);
    int count();
    qint64 fileSize() const; // bytes of the database file

    // EXPLAIN QUERY PLAN of the list() query, for tests and benchmarks.
    QString listQueryPlan(const QString &target);

private:
    bool fail(HistoryError error, const QString &message);
    bool createSchema();
    qint64 insert(const TraceFile &file);
    bool enforceBounds(qint64 keepId);
    bool moveAside(const QString &why);

    HistorySettings m_settings;
    QString m_connection;
    bool m_open = false;
    QString m_warning;
    HistoryError m_error = HistoryError::None;
    QString m_errorMessage;
};

} // namespace tracemap
