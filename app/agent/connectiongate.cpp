#include "connectiongate.h"

#include "agentlog.h"
#include "agentservice.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <microhttpd.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tracemap::agent {

namespace {

constexpr int kSweepMs = 100;

// A complete answer written straight to a socket the library does not (or no longer) read.
void sendAnswer(int fd, int status, const char *reason, const QString &message,
                const QByteArray &extraHeaders)
{
    const QByteArray body = errorBody(message);
    const QByteArray answer = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                              "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
                              "Connection: close\r\n" +
                              extraHeaders + "Content-Length: " + QByteArray::number(body.size()) +
                              "\r\n\r\n" + body;
    // Non-blocking and best effort: a client that does not read gets nothing, not a thread.
    [[maybe_unused]] const ssize_t n =
        ::send(fd, answer.constData(), size_t(answer.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
}

} // namespace

qint64 monotonicNowMs()
{
    QElapsedTimer t;
    t.start();
    return t.msecsSinceReference();
}

Admission admit(const Limits &limits, const GateCounts &counts)
{
    if (counts.openForClient >= limits.maxConnectionsPerClient)
        return Admission::TooManyForClient;
    if (counts.stalledForClient >= limits.maxPendingHeadsPerClient)
        return Admission::TooManyStalledForClient;
    if (counts.open >= limits.maxConnections)
        return counts.stalled > 0 ? Admission::EvictStalledThenAdmit : Admission::TooManyConnections;
    return Admission::Admit;
}

int stalledExcess(const Limits &limits, int stalled)
{
    return std::max(0, stalled - limits.maxPendingHeads);
}

QString admissionMessage(Admission admission, const Limits &limits)
{
    switch (admission) {
    case Admission::TooManyConnections:
        return QStringLiteral("too many connections (limit %1)").arg(limits.maxConnections);
    case Admission::TooManyForClient:
        return QStringLiteral("too many connections from your address (limit %1)")
            .arg(limits.maxConnectionsPerClient);
    case Admission::TooManyStalledForClient:
        return QStringLiteral(
                   "too many connections from your address are still sending their request (limit %1)")
            .arg(limits.maxPendingHeadsPerClient);
    case Admission::Admit:
    case Admission::EvictStalledThenAdmit:
        break;
    }
    return {};
}

namespace {

QString rejectSummary(const QString &client, int count, qint64 intervalMs)
{
    return QStringLiteral(
               "rejected client=%1 count=%2 interval_s=%3 (further rejections folded into this line)")
        .arg(client)
        .arg(count)
        .arg(double(intervalMs) / 1000.0);
}

} // namespace

QStringList RejectLog::record(const QString &client, const QString &line, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    QStringList out;
    if (auto it = m_windows.find(client); it != m_windows.end()) {
        if (nowMs - it->startMs < m_intervalMs) {
            ++it->suppressed;
            return out;
        }
        if (it->suppressed > 0)
            out.append(rejectSummary(client, it->suppressed, m_intervalMs));
    }
    m_windows.insert(client, Window{nowMs, 0});
    out.append(line);
    return out;
}

QStringList RejectLog::flush(qint64 nowMs)
{
    QStringList lines;
    std::lock_guard lock(m_mutex);
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        if (nowMs - it->startMs < m_intervalMs) {
            ++it;
            continue;
        }
        if (it->suppressed > 0)
            lines.append(rejectSummary(it.key(), it->suppressed, m_intervalMs));
        it = m_windows.erase(it);
    }
    return lines;
}

ConnectionGate::ConnectionGate(SharedConfig *config, RejectLog *rejectLog)
    : m_config(config), m_rejectLog(rejectLog)
{}

ConnectionGate::~ConnectionGate()
{
    stop();
    if (m_listenFd >= 0)
        ::close(m_listenFd);
    for (int fd : m_wake) {
        if (fd >= 0)
            ::close(fd);
    }
}

qint64 ConnectionGate::now() const
{
    return monotonicNowMs();
}

bool ConnectionGate::listen(const QHostAddress &address, quint16 port, QString *error)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    if (v6) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const auto fail = [&](const char *what) {
        *error = QStringLiteral("cannot listen on %1:%2 (%3): %4")
                     .arg(address.toString())
                     .arg(port)
                     .arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
        if (m_listenFd >= 0)
            ::close(m_listenFd);
        m_listenFd = -1;
        return false;
    };
    m_listenFd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_listenFd < 0)
        return fail("socket");
    const int one = 1;
    ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) {
        // [::] takes IPv4 too (dual stack); a specific IPv6 address only IPv6.
        const int v6only = address == QHostAddress(QHostAddress::AnyIPv6) ? 0 : 1;
        ::setsockopt(m_listenFd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (::bind(m_listenFd, reinterpret_cast<sockaddr *>(&storage), length) != 0)
        return fail("bind");
    if (::listen(m_listenFd, 512) != 0)
        return fail("listen");
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    ::getsockname(m_listenFd, reinterpret_cast<sockaddr *>(&bound), &boundLength);
    m_port = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
                      : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0)
        return fail("pipe");
    return true;
}

void ConnectionGate::start(MHD_Daemon *daemon, AbandonHandler onAbandon)
{
    m_daemon = daemon;
    m_onAbandon = std::move(onAbandon);
    m_thread = std::thread([this] { run(); });
}

void ConnectionGate::stopAccepting()
{
    m_closeListener = true;
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_wake[1], &c, 1);
}

void ConnectionGate::stop()
{
    m_stopping = true;
    if (m_thread.joinable()) {
        const char c = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wake[1], &c, 1);
        m_thread.join();
    }
}

void ConnectionGate::run()
{
    while (!m_stopping) {
        if (m_closeListener && m_listenFd >= 0) {
            ::close(m_listenFd);
            m_listenFd = -1;
        }
        pollfd fds[2] = {{m_wake[0], POLLIN, 0}, {m_listenFd, POLLIN, 0}};
        ::poll(fds, m_listenFd >= 0 ? 2 : 1, kSweepMs);
        char buffer[64];
        while (::read(m_wake[0], buffer, sizeof buffer) > 0) {
        }
        if (m_stopping)
            break;
        // Accept everything waiting: nothing is left unanswered in the backlog.
        for (int i = 0; m_listenFd >= 0 && !m_closeListener && (fds[1].revents & POLLIN) && i < 1024; ++i) {
            sockaddr_storage peer{};
            socklen_t peerLength = sizeof peer;
            const int fd =
                ::accept4(m_listenFd, reinterpret_cast<sockaddr *>(&peer), &peerLength, SOCK_CLOEXEC);
            if (fd < 0)
                break; // EAGAIN, or EMFILE (the next round retries)
            accepted(fd, unmappedAddress(QHostAddress(reinterpret_cast<sockaddr *>(&peer))), &peer,
                     peerLength);
        }
        sweep();
    }
}

void ConnectionGate::accepted(int fd, const QHostAddress &peer, const void *address, unsigned addressLength)
{
    const std::shared_ptr<const Config> config = m_config->get();
    const QString client = peer.toString();
    Admission admission = Admission::Admit;
    QStringList evicted;
    const qint64 t = now();
    {
        std::lock_guard lock(m_mutex);
        GateCounts counts;
        for (const Connection &c : std::as_const(m_connections)) {
            if (c.shutDown)
                continue; // on its way out
            const bool mine = c.client == client;
            const bool stalled = !c.headDone && t - c.headStartMs >= kStallGraceMs;
            ++counts.open;
            counts.openForClient += mine;
            counts.stalled += stalled;
            counts.stalledForClient += mine && stalled;
        }
        admission = admit(config->limits, counts);
        if (admission == Admission::EvictStalledThenAdmit) {
            evicted = evictOldestStalled(1, t);
            admission = Admission::Admit;
        }
        if (admission == Admission::Admit)
            m_connections.insert(fd, Connection{client, t, false, false, {}});
    }
    for (const QString &who : evicted)
        logRejected(who, 408, QStringLiteral("evicted_stalled_head"), t);
    if (admission == Admission::Admit) {
        if (MHD_add_connection(m_daemon, fd, static_cast<const sockaddr *>(address), addressLength) !=
            MHD_YES) {
            std::lock_guard lock(m_mutex); // the library closed the socket
            m_connections.remove(fd);
        }
        return;
    }
    const QString message = admissionMessage(admission, config->limits);
    sendAnswer(fd, 503, "Service Unavailable", message,
               "Retry-After: " + QByteArray::number(config->limits.retryAfterSec) + "\r\n");
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
    logRejected(client, 503, message, t);
}

void ConnectionGate::logRejected(const QString &client, int status, const QString &why, qint64 nowMs)
{
    const QString line = QStringLiteral("access client=%1 method=- path=- dest=- status=%2 refused=%3")
                             .arg(client)
                             .arg(status)
                             .arg(QString(why).replace(QLatin1Char(' '), QLatin1Char('_')));
    for (const QString &l : m_rejectLog->record(client, line, nowMs))
        qCInfo(lcAgent).noquote() << l;
}

QStringList ConnectionGate::evictOldestStalled(int count, qint64 nowMs)
{
    QList<QPair<qint64, int>> stalled; // (head start, descriptor)
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        if (!it->shutDown && !it->headDone && nowMs - it->headStartMs >= kStallGraceMs)
            stalled.append({it->headStartMs, it.key()});
    }
    std::sort(stalled.begin(), stalled.end());
    QStringList clients;
    for (qsizetype i = 0; i < std::min<qsizetype>(count, stalled.size()); ++i)
        clients.append(closeWith408(stalled.at(i).second, QStringLiteral("the request head was too slow")));
    return clients;
}

QString ConnectionGate::closeWith408(int fd, const QString &why)
{
    // Under the mutex: closed() cannot run, so the descriptor is still this connection's.
    Connection &c = m_connections[fd];
    sendAnswer(fd, 408, "Request Timeout", why, {});
    ::shutdown(fd, SHUT_RDWR); // the library sees the end and closes
    c.shutDown = true;
    return c.client;
}

void ConnectionGate::sweep()
{
    const std::shared_ptr<const Config> config = m_config->get();
    const Limits &limits = config->limits;
    const qint64 deadlineMs = qint64(limits.headerTimeoutSec) * 1000;
    const qint64 t = now();
    QList<ProbeJobPtr> abandoned;
    QStringList timedOut;
    QStringList evicted;
    {
        std::lock_guard lock(m_mutex);
        int stalled = 0;
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
            Connection &c = *it;
            if (c.shutDown)
                continue;
            if (!c.headDone && t - c.headStartMs > deadlineMs) {
                timedOut.append(
                    closeWith408(it.key(), QStringLiteral("the request head did not arrive within %1 s")
                                               .arg(limits.headerTimeoutSec)));
                continue;
            }
            stalled += !c.headDone && t - c.headStartMs >= kStallGraceMs;
            const ProbeJobPtr job = c.job.lock();
            if (!job)
                continue;
            pollfd p{it.key(), POLLRDHUP, 0};
            if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
                c.job.reset();
                abandoned.append(job);
            }
        }
        evicted = evictOldestStalled(stalledExcess(limits, stalled), t);
    }
    for (const QString &client : std::as_const(timedOut))
        logRejected(client, 408, QStringLiteral("head_deadline"), t);
    for (const QString &client : std::as_const(evicted))
        logRejected(client, 408, QStringLiteral("stalled_head_budget"), t);
    for (const QString &line : m_rejectLog->flush(t))
        qCInfo(lcAgent).noquote() << line;
    // After a wave of connections (an attack, a burst) their buffers are free but glibc keeps
    // the pages; give them back so the agent's RSS returns to its baseline.
    bool trim = false;
    {
        std::lock_guard lock(m_mutex);
        trim = m_closedSinceTrim >= 64 && t - m_lastTrimMs >= 5000;
        if (trim) {
            m_closedSinceTrim = 0;
            m_lastTrimMs = t;
        }
    }
    if (trim)
        ::malloc_trim(0);
    for (const ProbeJobPtr &job : abandoned) {
        {
            std::lock_guard lock(job->mutex);
            if (job->phase == ProbeJob::Phase::Done)
                continue;
            job->abandoned = true;
        }
        m_onAbandon(job);
    }
}

void ConnectionGate::headComplete(int fd)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_connections.find(fd); it != m_connections.end())
        it->headDone = true;
}

void ConnectionGate::requestDone(int fd)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_connections.find(fd); it != m_connections.end()) {
        it->headDone = false; // the next request's head (keep-alive) starts now
        it->headStartMs = now();
        it->job.reset();
    }
}

void ConnectionGate::watch(int fd, const ProbeJobPtr &job)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_connections.find(fd); it != m_connections.end())
        it->job = job;
}

void ConnectionGate::closed(int fd)
{
    std::lock_guard lock(m_mutex);
    m_connections.remove(fd);
    ++m_closedSinceTrim;
}

} // namespace tracemap::agent
