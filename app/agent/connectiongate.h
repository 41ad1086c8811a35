// The agent's front door: its own listening socket and accept thread in front of
// libmicrohttpd (MHD_USE_NO_LISTEN_SOCKET + MHD_add_connection). libmicrohttpd alone leaves
// connections over its limit unanswered in the listen backlog, counts its header timeout
// per idle period rather than for the whole head, and has no budget across addresses; the
// gate adds exactly that:
//  * every accepted connection is admitted or answered 503 + Retry-After and closed at once
//    (admit(), a pure function of the counts and the limits);
//  * a connection whose head is still incomplete after kStallGraceMs is "stalled": stalled
//    heads are budgeted per client (beyond: new connections from it are refused) and in
//    total (beyond: the oldest are closed with 408), and when every slot is taken a new
//    connection evicts the oldest stalled one, so slow clients spread over many addresses
//    cannot take every slot while a burst of fresh connections is never mistaken for them;
//  * the whole head has a deadline (header_timeout): past it the connection gets 408 and
//    is shut down, however slowly it trickles;
//  * suspended connections waiting for a probe are polled for the client hanging up
//    (libmicrohttpd does not watch suspended sockets), so the probe is cancelled at once.
// Threads: the gate's own thread accepts and sweeps (every 100 ms); the HTTP thread reports
// progress through headComplete()/requestDone()/watch()/closed(). One mutex guards the
// table; a socket is only touched while its entry exists (closed() runs before the library
// closes the descriptor), so a reused descriptor number is never shut down by mistake.
#pragma once

#include "agentconfig.h"
#include "agentjob.h"

#include <QHash>
#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

struct MHD_Daemon;

namespace tracemap::agent {

// A head still incomplete this long after the connection (or its previous request) began is
// stalled: longer than any well-behaved client needs, shorter than the whole-head deadline.
constexpr qint64 kStallGraceMs = 1000;

enum class Admission {
    Admit,
    EvictStalledThenAdmit, // every slot is taken, some by stalled heads: the oldest goes
    TooManyConnections,
    TooManyForClient,
    TooManyStalledForClient,
};

struct GateCounts
{
    int open = 0;             // connections open in total
    int openForClient = 0;    // ... from this client's address
    int stalled = 0;          // connections with a stalled head
    int stalledForClient = 0; // ... from this client's address
};

// Milliseconds on the monotonic clock (the clock of the gate's and the access log's deadlines).
qint64 monotonicNowMs();

// Whether one more connection from a client may come in.
Admission admit(const Limits &limits, const GateCounts &counts);
// How many of the oldest stalled heads to close to get back within the total budget.
int stalledExcess(const Limits &limits, int stalled);
// The sentence for a refusal (the body of the 503).
QString admissionMessage(Admission admission, const Limits &limits);

// Access-log lines for rejected requests, at most one per client per interval: the first is
// written as is, the rest are counted and summed up in one line when the interval ends.
// Thread-safe; time is an argument.
class RejectLog
{
public:
    explicit RejectLog(qint64 intervalMs) : m_intervalMs(intervalMs) {}
    // The lines to write now: none when folded into the client's summary; the line itself
    // (after the previous interval's summary, if one is due) otherwise.
    QStringList record(const QString &client, const QString &line, qint64 nowMs);
    // Summary lines of the intervals that have ended.
    QStringList flush(qint64 nowMs);

private:
    struct Window
    {
        qint64 startMs = 0;
        int suppressed = 0;
    };
    const qint64 m_intervalMs;
    std::mutex m_mutex;
    QHash<QString, Window> m_windows;
};

class ConnectionGate
{
public:
    using AbandonHandler = std::function<void(const ProbeJobPtr &)>;

    ConnectionGate(SharedConfig *config, RejectLog *rejectLog);
    ~ConnectionGate();
    ConnectionGate(const ConnectionGate &) = delete;
    ConnectionGate &operator=(const ConnectionGate &) = delete;

    // Binds and listens ("::" is dual-stack). False with *error on failure.
    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const { return m_port; }
    // Starts accepting into `daemon`; `onAbandon` runs in the gate's thread.
    void start(MHD_Daemon *daemon, AbandonHandler onAbandon);
    // Closes the listening socket (the sweeps go on).
    void stopAccepting();
    // Stops the thread. Call before the daemon is stopped.
    void stop();

    // From the HTTP thread.
    void headComplete(int fd);
    void requestDone(int fd);
    void watch(int fd, const ProbeJobPtr &job);
    void closed(int fd);

private:
    struct Connection
    {
        QString client;
        qint64 headStartMs = 0;
        bool headDone = false;
        bool shutDown = false;
        std::weak_ptr<ProbeJob> job;
    };
    void run();
    void accepted(int fd, const QHostAddress &peer, const void *address, unsigned addressLength);
    void sweep();
    // With m_mutex held: answers 408 and shuts down the `count` oldest stalled heads.
    QStringList evictOldestStalled(int count, qint64 nowMs);
    QString closeWith408(int fd, const QString &why);
    void logRejected(const QString &client, int status, const QString &why, qint64 nowMs);
    qint64 now() const;

    SharedConfig *m_config;
    RejectLog *m_rejectLog;
    int m_listenFd = -1;
    int m_wake[2] = {-1, -1};
    quint16 m_port = 0;
    MHD_Daemon *m_daemon = nullptr;
    AbandonHandler m_onAbandon;
    std::thread m_thread;
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_closeListener{false};
    std::mutex m_mutex;
    QHash<int, Connection> m_connections; // by descriptor
    int m_closedSinceTrim = 0;            // guarded by m_mutex
    qint64 m_lastTrimMs = 0;
};

} // namespace tracemap::agent
