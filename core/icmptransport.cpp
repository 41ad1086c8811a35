// ICMP echo probes: an ICMP datagram ("ping") socket when net.ipv4.ping_group_range
// allows this process (the kernel owns the echo id and demultiplexes replies; errors come
// through the error queue), otherwise a raw socket (CAP_NET_RAW; a kernel filter passes
// only errors and echo replies; the echo id is the engine's, unique per live trace).
// Paris keeps the ICMP checksum constant with a compensation word in the payload; with a
// flow id (a watch) the echo id is that id on both kinds of socket, so every round is one flow.
// TRACEMAP_ICMP_SOCKET=dgram|raw pins one kind (tests).
#include "transportbase.h"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>

namespace tracemap::sys {

namespace {

class IcmpTransport final : public TransportBase
{
public:
    using TransportBase::TransportBase;

    // Datagram socket first (kernel demultiplexes by echo id), raw as the fallback.
    bool open(TransportError *error)
    {
        const QByteArray forced = qgetenv("TRACEMAP_ICMP_SOCKET"); // tests pin one kind
        int dgramErr = 0, rawErr = 0;
        if (forced != "raw") {
            m_fd = openSocket(SOCK_DGRAM, m_v6 ? int(IPPROTO_ICMPV6) : int(IPPROTO_ICMP), &dgramErr);
            m_raw = false;
        }
        if (m_fd < 0 && forced != "dgram") {
            m_fd = openSocket(SOCK_RAW, m_v6 ? int(IPPROTO_ICMPV6) : int(IPPROTO_ICMP), &rawErr);
            m_raw = true;
        }
        if (m_fd < 0) {
            // Not a matter of privilege when the kernel lacks the family or protocol.
            const int last = rawErr ? rawErr : dgramErr;
            if (last == EPERM || last == EACCES)
                *error = {TraceError::PermissionDenied, permissionMessage()};
            else
                *error = {TraceError::SocketError,
                          QStringLiteral("cannot open an ICMP socket: %1").arg(errnoText(last))};
            return false;
        }
        if (!enableErrorQueue(m_fd, m_v6)) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot enable the ICMP error queue: %1").arg(errnoText(errno))};
            return false;
        }
        if (m_raw) {
            m_echoId = m_config.icmpId;
            installIcmpFilter(m_fd, m_v6, /*echoReplies=*/true);
        } else {
            // The kernel owns the echo id of a ping socket: it is the socket's local "port",
            // so binding the flow id as port keeps a watch's echo id (and checksum) per round.
            bindFlowPort(m_fd, QHostAddress(m_v6 ? QHostAddress::AnyIPv6 : QHostAddress::AnyIPv4));
            sockaddr_storage local{};
            socklen_t len = sizeof local;
            if (getsockname(m_fd, reinterpret_cast<sockaddr *>(&local), &len) == 0)
                m_echoId = portOf(local);
        }
        watch(m_fd, QSocketNotifier::Read, [this](int) { readSocket(); });
        return true;
    }
    static QString permissionMessage()
    {
        return QStringLiteral(
            "ICMP probes need an ICMP datagram socket or a raw socket, and this process may open neither: "
            "allow ping sockets for your group (sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"), "
            "or grant raw sockets (sudo setcap cap_net_raw+ep <tracemap binary>), or use --method udp or "
            "tcp");
    }
    QString description() const override
    {
        QString d = m_raw ? QStringLiteral("icmp, raw socket") : QStringLiteral("icmp, datagram socket");
        d += m_config.flow == FlowMode::Paris ? QStringLiteral(", constant checksum (Paris)")
                                              : QStringLiteral(", classic");
        return d;
    }
    bool send(quint16 seq, int ttl, qint64 *sentRealNs, TransportError *error) override
    {
        if (!setTtl(m_fd, m_v6, ttl)) {
            *error = {TraceError::SocketError, QStringLiteral("cannot set TTL: %1").arg(errnoText(errno))};
            return false;
        }
        const QByteArray probe = packet::buildEchoRequest(
            m_v6, m_echoId, seq, payloadFor(seq, m_config.flow == FlowMode::Paris), m_raw && !m_v6);
        const SockAddr to = toSockAddr(m_config.destination, 0);
        int err = 0;
        if (!sendWithRetry(m_fd, probe, &to, sentRealNs, &err)) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot send ICMP probe: %1").arg(errnoText(err))};
            return false;
        }
        return true;
    }
    void release(quint16) override {}
    void drain() override { readSocket(); }

private:
    void readSocket()
    {
        ReceivedMessage m;
        while (m_fd >= 0 && readOne(m_fd, false, &m) == ReadResult::Message) {
            const packet::ProbeMatch match = packet::matchIcmpSocket(context(), m.data, m_raw, m.from);
            if (isProbe(match))
                deliverIcmp(match.seq, match.responder, match.icmpType, match.icmpCode, m.receivedRealNs);
        }
        // Datagram sockets also queue errors here; raw sockets read them as packets above.
        while (m_fd >= 0 && readOne(m_fd, true, &m) == ReadResult::Message) {
            if (!m.hasIcmpError)
                continue;
            // The error queue returns the quoted echo request (header + payload).
            const packet::ProbeMatch match = packet::matchIcmpErrorQueue(context(), m.data);
            if (isProbe(match))
                deliverErrorQueueMessage(m, match.seq);
        }
    }
    packet::MatchContext context() const
    {
        packet::MatchContext c = matchContext();
        c.echoId = m_echoId;
        return c;
    }

    int m_fd = -1;
    bool m_raw = false;
    quint16 m_echoId = 0;
};

} // namespace

std::unique_ptr<ProbeTransport> openIcmpTransport(const TransportConfig &config, TransportError *error)
{
    return openTransport<IcmpTransport>(config, error);
}

} // namespace tracemap::sys
