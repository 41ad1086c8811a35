// TCP SYN probes with CAP_NET_RAW: SYNs built here (packet::buildTcpSyn) and sent on a raw
// TCP socket from one source port reserved for the trace (a bound TCP socket kept open, as
// traceroute -T does), so every probe has the same 5-tuple (Paris) in both flow modes. The
// probe identity is the TCP sequence number (packet::tcpWireSeq), which ICMP errors quote
// in the first 8 bytes of the TCP header and SYN-ACK/RST acknowledge (ack = seq + 1).
// Answers are read on that raw TCP socket and on a raw ICMP socket of the transport and
// matched by packet::matchTcpSegment / matchTcpIcmpError. The kernel answers the SYN-ACK
// with a RST: no socket of it is in SYN_SENT.
#include "transportbase.h"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>

namespace tracemap::sys {

namespace {

class RawTcpTransport final : public TransportBase
{
public:
    using TransportBase::TransportBase;

    // False with an error when this process may not open raw sockets (permission == true)
    // or the socket set-up failed.
    bool open(TransportError *error, bool *permission)
    {
        *permission = false;
        if (m_source.isNull()) {
            *error = {TraceError::SocketError,
                      QStringLiteral("no local address routes to %1").arg(m_config.destination.toString())};
            return false;
        }
        int err = 0;
        m_tcpFd = openSocket(SOCK_RAW, IPPROTO_TCP, &err);
        if (m_tcpFd >= 0)
            m_icmpFd = openSocket(SOCK_RAW, m_v6 ? int(IPPROTO_ICMPV6) : int(IPPROTO_ICMP), &err);
        if (m_tcpFd < 0 || m_icmpFd < 0) {
            *permission = err == EPERM || err == EACCES;
            *error = {*permission ? TraceError::PermissionDenied : TraceError::SocketError,
                      QStringLiteral("cannot open a raw socket for TCP SYN probes: %1").arg(errnoText(err))};
            return false;
        }
        // Reserve the source port: a bound (never listening) TCP socket for the trace's life.
        // With a flow id (a watch) that port, so every round is one flow.
        m_portFd = openSocket(SOCK_STREAM, 0, &err);
        const SockAddr local = toSockAddr(m_source, 0);
        sockaddr_storage bound{};
        socklen_t len = sizeof bound;
        if (m_portFd < 0 || !bindFlowPort(m_portFd, m_source) ||
            getsockname(m_portFd, reinterpret_cast<sockaddr *>(&bound), &len) != 0) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot reserve a TCP source port: %1").arg(errnoText(errno))};
            return false;
        }
        m_srcPort = portOf(bound);
        // Bound to the source the SYN's checksum was computed for: the kernel then sends
        // from it and delivers only segments addressed to it.
        bool ok = ::bind(m_tcpFd, local.ptr(), local.length) == 0;
        if (ok && m_v6) // the kernel (re)computes the checksum with the source it uses
            ok = setInt(m_tcpFd, IPPROTO_IPV6, IPV6_CHECKSUM, 16);
        if (!ok) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot prepare the raw TCP socket: %1").arg(errnoText(errno))};
            return false;
        }
        installIcmpFilter(m_icmpFd, m_v6, /*echoReplies=*/false);
        watch(m_tcpFd, QSocketNotifier::Read, [this](int) { readTcp(); });
        watch(m_icmpFd, QSocketNotifier::Read, [this](int) { readIcmp(); });
        return true;
    }
    QString description() const override
    {
        return QStringLiteral("tcp syn, raw socket, constant flow (Paris)");
    }
    bool send(quint16 seq, int ttl, qint64 *sentRealNs, TransportError *error) override
    {
        if (!setTtl(m_tcpFd, m_v6, ttl)) {
            *error = {TraceError::SocketError, QStringLiteral("cannot set TTL: %1").arg(errnoText(errno))};
            return false;
        }
        const QByteArray syn = packet::buildTcpSyn(m_source, m_config.destination, m_srcPort, m_config.port,
                                                   packet::tcpWireSeq(m_config.token, seq));
        const SockAddr to = toSockAddr(m_config.destination, 0);
        int err = 0;
        if (!sendWithRetry(m_tcpFd, syn, &to, sentRealNs, &err)) {
            *error = {TraceError::SocketError, QStringLiteral("cannot send TCP SYN: %1").arg(errnoText(err))};
            return false;
        }
        m_pending.insert(seq);
        return true;
    }
    void release(quint16 seq) override { m_pending.remove(seq); }
    void drain() override
    {
        readTcp();
        readIcmp();
    }

private:
    // Reads until the queue is empty. A pending socket error (a hard ICMP error the kernel
    // also reports to raw sockets of the quoted protocol) reads as "empty" once and is
    // consumed by that read, so only two empty reads in a row end the loop.
    template<typename Handler> void readAll(int fd, Handler handle)
    {
        ReceivedMessage m;
        for (int empty = 0; fd >= 0 && empty < 2;) {
            if (readOne(fd, false, &m) == ReadResult::Message) {
                empty = 0;
                handle(m);
            } else {
                ++empty;
            }
        }
    }
    void readTcp()
    {
        readAll(m_tcpFd, [this](const ReceivedMessage &m) { handleTcp(m); });
    }
    void readIcmp()
    {
        readAll(m_icmpFd, [this](const ReceivedMessage &m) { handleIcmp(m); });
    }
    packet::MatchContext context() const
    {
        packet::MatchContext c = matchContext();
        c.srcPort = m_srcPort;
        return c;
    }
    void handleTcp(const ReceivedMessage &m)
    {
        const packet::ProbeMatch match = packet::matchTcpSegment(context(), m.data, m.from);
        if (!isProbe(match) || !m_pending.contains(match.seq))
            return; // not ours, or a late or repeated answer to a probe the engine is done with
        ProbeEvent e;
        e.seq = match.seq;
        e.responder = match.responder;
        e.kind = match.tcpReset ? ReplyKind::TcpRefused : ReplyKind::TcpConnected;
        e.receivedRealNs = m.receivedRealNs;
        deliver(e);
    }
    void handleIcmp(const ReceivedMessage &m)
    {
        const packet::ProbeMatch match = packet::matchTcpIcmpError(context(), m.data, m.from);
        if (isProbe(match) && m_pending.contains(match.seq))
            deliverIcmp(match.seq, match.responder, match.icmpType, match.icmpCode, m.receivedRealNs);
    }

    int m_tcpFd = -1;
    int m_icmpFd = -1;
    int m_portFd = -1; // holds m_srcPort; never used for I/O
    quint16 m_srcPort = 0;
    QSet<quint16> m_pending; // sent and not yet released
};

} // namespace

std::unique_ptr<ProbeTransport> openRawTcpTransport(const TransportConfig &config, TransportError *error,
                                                    bool *permission)
{
    auto t = std::make_unique<RawTcpTransport>(config);
    if (!t->open(error, permission))
        return {};
    return t;
}

} // namespace tracemap::sys
