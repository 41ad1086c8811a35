// The agent's own name resolver, on c-ares: every look-up runs in one resolver thread that
// never blocks (c-ares sockets + poll), so a name whose DNS never answers costs a small
// record, not a thread, and shutdown() ends everything at once whatever DNS does. Servers
// come from /etc/resolv.conf (and names from /etc/hosts) unless the config names them.
// Callbacks run in the resolver thread; the caller posts them where it needs them.
// FailureCache is pure (time is an argument): names that failed are answered from memory.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace tracemap::agent {

struct ResolveResult
{
    enum class Error { None, NotFound, NoAnswer, Failed, Cancelled };
    Error error = Error::None;
    QString message; // one sentence when error != None
    QList<QHostAddress> addresses;
};

class Resolver
{
public:
    enum class Family { Any, IPv4, IPv6 };
    using Callback = std::function<void(const ResolveResult &)>;

    Resolver();
    ~Resolver();
    Resolver(const Resolver &) = delete;
    Resolver &operator=(const Resolver &) = delete;

    // servers: "127.0.0.1:5353,[::1]:53" or empty for the system's; timeoutMs bounds one
    // look-up with its retries. False with *error when c-ares cannot start.
    bool start(const QString &servers, int timeoutMs, QString *error);
    // Starts a look-up; `done` is called exactly once (in the resolver thread), unless
    // cancel() came first. Returns an id for cancel().
    quint64 lookup(const QString &name, Family family, Callback done);
    // The callback will not be called; the query itself ends at its own timeout (no thread
    // waits on it).
    void cancel(quint64 id);
    // Ends every look-up (their callbacks get Cancelled) and joins the thread.
    void shutdown();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// Failed names, remembered for a while so a flood of unresolvable names costs one query each.
class FailureCache
{
public:
    FailureCache(qint64 ttlMs, int capacity) : m_ttlMs(ttlMs), m_capacity(capacity) {}
    void add(const QString &name, const ResolveResult &failure, qint64 nowMs);
    // The remembered failure, if any and not expired.
    const ResolveResult *find(const QString &name, qint64 nowMs) const;
    int size() const { return int(m_entries.size()); }
    void setTtl(qint64 ttlMs) { m_ttlMs = ttlMs; }

private:
    struct Entry
    {
        ResolveResult failure;
        qint64 expiresMs = 0;
    };
    qint64 m_ttlMs;
    int m_capacity;
    QHash<QString, Entry> m_entries;
};

} // namespace tracemap::agent
