// UDP probes: UDP socket(s) with IP_RECVERR. ICMP errors about our own datagrams are queued
// on the socket's error queue with the responder's address, so no privilege is needed.
// Paris: one unconnected socket (one 5-tuple) for the whole trace, its source port the flow
// id when one is given (a watch's rounds); classic: a connected socket, source port and
// destination port per probe, as the original traceroute does.
// The quoted payload names the probe (packet::matchUdpErrorQueue).
#include "transportbase.h"

#include <cerrno>

namespace tracemap::sys {

namespace {

class UdpTransport final : public TransportBase
{
public:
    using TransportBase::TransportBase;

    bool open(TransportError *error)
    {
        if (m_config.flow == FlowMode::Paris) {
            m_to = toSockAddr(m_config.destination, m_config.port);
            m_sharedFd = openProbeSocket(m_config.port, error);
            return m_sharedFd >= 0;
        }
        return true;
    }
    QString description() const override
    {
        return m_config.flow == FlowMode::Paris ? QStringLiteral("udp, IP_RECVERR, constant flow (Paris)")
                                                : QStringLiteral("udp, IP_RECVERR, socket per probe");
    }
    bool send(quint16 seq, int ttl, qint64 *sentRealNs, TransportError *error) override
    {
        int fd = m_sharedFd;
        if (fd < 0) {
            // Classic: a socket (and source port) per probe, destination port per probe.
            quint16 port = quint16(m_config.port + seq);
            if (port == 0)
                port = 1;
            fd = openProbeSocket(port, error);
            if (fd < 0)
                return false;
            addProbeSocket(fd, seq);
        }
        if (!setTtl(fd, m_v6, ttl)) {
            *error = {TraceError::SocketError, QStringLiteral("cannot set TTL: %1").arg(errnoText(errno))};
            return false;
        }
        int err = 0;
        if (!sendWithRetry(fd, payloadFor(seq, false), fd == m_sharedFd ? &m_to : nullptr, sentRealNs,
                           &err)) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot send UDP probe: %1").arg(errnoText(err))};
            return false;
        }
        return true;
    }
    void release(quint16 seq) override
    {
        if (m_sharedFd < 0)
            closeProbeSocket(seq);
    }
    void drain() override
    {
        for (int fd : m_notifiers.keys())
            readSocket(fd);
    }

private:
    int openProbeSocket(quint16 port, TransportError *error)
    {
        int err = 0;
        const int fd = openSocket(SOCK_DGRAM, 0, &err);
        if (fd < 0) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot open a UDP socket: %1").arg(errnoText(err))};
            return -1;
        }
        const SockAddr to = toSockAddr(m_config.destination, port);
        // Paris: the flow id as source port (a watch's rounds are one flow), and no connect():
        // connecting gives the socket a random transmit hash that Linux puts on its packets,
        // and a Linux router (a host's containers' bridge, a namespace) balances on that
        // hash instead of the ports, so each round's socket would take a path of its own.
        const bool paris = m_config.flow == FlowMode::Paris;
        const bool ready = paris ? bindFlowPort(fd, anyAddress()) && enableErrorQueue(fd, m_v6)
                                 : enableErrorQueue(fd, m_v6) && ::connect(fd, to.ptr(), to.length) == 0;
        if (!ready) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot prepare the UDP socket: %1").arg(errnoText(errno))};
            closeSocket(fd);
            return -1;
        }
        watch(fd, QSocketNotifier::Read, [this](int f) { readSocket(f); });
        return fd;
    }
    QHostAddress anyAddress() const
    {
        return QHostAddress(m_v6 ? QHostAddress::AnyIPv6 : QHostAddress::AnyIPv4);
    }
    void readSocket(int fd)
    {
        ReceivedMessage m;
        // Datagrams the destination may send back carry no probe identity: discard them.
        while (m_notifiers.contains(fd) && readOne(fd, false, &m) == ReadResult::Message) {
        }
        while (m_notifiers.contains(fd) && readOne(fd, true, &m) == ReadResult::Message) {
            if (!m.hasIcmpError)
                continue;
            const packet::ProbeMatch match =
                packet::matchUdpErrorQueue(matchContext(), m.data, m_sharedFd < 0, probeOfSocket(fd));
            if (isProbe(match))
                deliverErrorQueueMessage(m, match.seq);
        }
    }

    int m_sharedFd = -1;
    SockAddr m_to; // where the shared (unconnected) socket sends
};

} // namespace

std::unique_ptr<ProbeTransport> openUdpTransport(const TransportConfig &config, TransportError *error)
{
    return openTransport<UdpTransport>(config, error);
}

} // namespace tracemap::sys
