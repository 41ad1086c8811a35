// Unprivileged TCP probes: a non-blocking connect() per probe with a small TTL and
// IP_RECVERR. ICMP errors about the SYN land on that socket's error queue; the socket is
// the probe's identity. A completed handshake (SYN-ACK) or a refusal (RST) means the
// destination was reached. Sockets close with RST (SO_LINGER 0): no half-open connection
// is left on the target. A flow id is not kept: probes in flight at once cannot share one
// source port to one destination (the same 4-tuple), so every probe is its own flow.
#include "transportbase.h"

#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>

namespace tracemap::sys {

namespace {

class TcpTransport final : public TransportBase
{
public:
    using TransportBase::TransportBase;

    QString description() const override
    {
        return QStringLiteral("tcp connect, IP_RECVERR, socket per probe");
    }
    bool send(quint16 seq, int ttl, qint64 *sentRealNs, TransportError *error) override
    {
        int err = 0;
        const int fd = openSocket(SOCK_STREAM, 0, &err);
        if (fd < 0) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot open a TCP socket: %1").arg(errnoText(err))};
            return false;
        }
        // Close with RST rather than leaving half-open connections on the target.
        const linger hard{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        setInt(fd, IPPROTO_TCP, TCP_SYNCNT, 1);
        if (!setTtl(fd, m_v6, ttl) || !enableErrorQueue(fd, m_v6)) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot prepare the TCP socket: %1").arg(errnoText(errno))};
            closeSocket(fd);
            return false;
        }
        const SockAddr to = toSockAddr(m_config.destination, m_config.port);
        *sentRealNs = realtimeNs();
        const int rc = ::connect(fd, to.ptr(), to.length);
        const int connectErrno = rc == 0 ? 0 : errno;
        addProbeSocket(fd, seq);
        if (rc == 0 || connectErrno == ECONNREFUSED) {
            ProbeEvent e;
            e.seq = seq;
            e.responder = m_config.destination;
            e.kind = rc == 0 ? ReplyKind::TcpConnected : ReplyKind::TcpRefused;
            e.receivedRealNs = realtimeNs();
            m_done.insert(fd);
            deliverSoon(e);
            return true;
        }
        if (connectErrno != EINPROGRESS) {
            closeProbeSocket(seq);
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot connect: %1").arg(errnoText(connectErrno))};
            return false;
        }
        watch(fd, QSocketNotifier::Read, [this](int f) { onActivity(f); });
        watch(fd, QSocketNotifier::Write, [this](int f) { onActivity(f); });
        return true;
    }
    void release(quint16 seq) override
    {
        m_done.remove(closeProbeSocket(seq)); // the number will be reused by a later socket
    }
    void drain() override
    {
        for (int fd : probeSockets())
            onActivity(fd);
    }

private:
    void onActivity(int fd)
    {
        const int probe = probeOfSocket(fd);
        if (probe < 0 || m_done.contains(fd))
            return;
        const quint16 seq = quint16(probe);
        ReceivedMessage m;
        while (readOne(fd, true, &m) == ReadResult::Message) {
            if (m.hasIcmpError) {
                m_done.insert(fd);
                deliverErrorQueueMessage(m, seq);
                return;
            }
        }
        int soError = 0;
        socklen_t len = sizeof soError;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) != 0)
            return;
        if (soError == 0) {
            // A connect still in progress also reads as "no error": only a peer name
            // proves the handshake completed.
            sockaddr_storage peer{};
            socklen_t plen = sizeof peer;
            if (getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &plen) != 0)
                return;
        } else if (soError != ECONNREFUSED) {
            return; // EHOSTUNREACH and the like come with an error-queue entry, read above
        }
        m_done.insert(fd);
        ProbeEvent e;
        e.seq = seq;
        e.responder = m_config.destination;
        e.kind = soError == 0 ? ReplyKind::TcpConnected : ReplyKind::TcpRefused;
        e.receivedRealNs = realtimeNs();
        deliver(e);
    }

    QSet<int> m_done; // answered; ignore further activity until released
};

} // namespace

std::unique_ptr<ProbeTransport> openConnectTcpTransport(const TransportConfig &config)
{
    return std::make_unique<TcpTransport>(config);
}

} // namespace tracemap::sys
