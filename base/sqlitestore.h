#pragma once
// One SQLite open-and-recover policy for every cache file of tracemap. A cache is a
// convenience, never a failure:
//  - the directory is created; a short busy timeout (another tracemap process may be writing;
//    we never wait long), WAL where the medium allows it;
//  - `PRAGMA quick_check` and the caller's schema must succeed; a file SQLite calls corrupt or
//    "not a database" is moved aside to <path>.corrupt-<UTC time> and recreated, once;
//  - anything else (unwritable directory, no SQLite driver, a second failure) bypasses the
//    store with one warning; the caller then keeps its answers in memory only.
// The connection belongs to the thread that opened it.

#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace tracemap {

class SqliteStore
{
public:
    enum class State { Closed, Open, Bypassed };
    enum class Error { None, NoDirectory, NoDriver, Unusable, CorruptNotMovable };
    // Creates the tables; returns false with `error` set when it cannot.
    using Schema = std::function<bool(QSqlDatabase &db, QString *error)>;

    // `what` names the store in messages ("geolocation cache"); `connectionPrefix` names its
    // connections ("tracemap-geocache").
    SqliteStore(const QString &what, const QString &connectionPrefix);
    ~SqliteStore();
    SqliteStore(const SqliteStore &) = delete;
    SqliteStore &operator=(const SqliteStore &) = delete;

    // Opens (or recovers) `path` following the policy above; true when State::Open.
    bool open(const QString &path, const Schema &schema);
    void close();

    State state() const { return m_state; }
    bool isOpen() const { return m_state == State::Open; }
    Error error() const { return m_error; }
    // Why the store is bypassed, or what was recovered; empty when nothing happened.
    QString message() const { return m_message; }
    QSqlDatabase database() const;

    // SQLite result codes that mean "this file is not a usable database".
    static bool isCorruption(const QString &nativeErrorCode, const QString &text);

private:
    bool bypass(Error error, const QString &why);

    QString m_what;
    QString m_prefix;
    QString m_path;
    QString m_connection;
    QString m_message;
    State m_state = State::Closed;
    Error m_error = Error::None;
};

} // namespace tracemap
