// The factory of the Linux probe transports: which method Auto means for this process and
// which transport serves a method. The transports themselves, the only code that opens
// sockets or depends on privileges, live one per file:
//
//   udp   UDP socket(s) + IP_RECVERR (Paris: one unconnected socket; classic: a connected
//         socket per probe): ICMP errors about our own datagrams are
//         queued on the socket's error queue with the responder's address. Unprivileged.
//   icmp  ICMP datagram ("ping") socket when net.ipv4.ping_group_range allows this
//         process, otherwise a raw socket (CAP_NET_RAW).
//   tcp   with CAP_NET_RAW: SYNs built here and sent on a raw TCP socket from one source
//         port reserved for the trace (a bound TCP socket kept open, as traceroute -T
//         does), so every probe has the same 5-tuple (Paris) in both flow modes. The probe
//         identity is the TCP sequence number, which ICMP errors quote in the first 8 bytes
//         of the TCP header and SYN-ACK/RST acknowledge (ack = seq + 1). Answers are read
//         on that raw TCP socket and on a raw ICMP socket of the transport. The kernel
//         answers the SYN-ACK with a RST: no socket of it is in SYN_SENT.
//         Otherwise (or with TRACEMAP_TCP_SOCKET=connect): non-blocking connect() with a
//         small TTL + IP_RECVERR, one socket per probe. Unprivileged. Either way SYN-ACK
//         or RST means the destination was reached. TRACEMAP_TCP_SOCKET=raw forbids the
//         fallback.
//
// With IP_RECVERR set, an ICMP error for an earlier probe is also reported as the errno of
// the next send() on the same socket (and that datagram is not sent); sends are retried.
//
//   socketio.{h,cpp}        socket helpers (addresses, options, reads with stamps, sends)
//   transportbase.{h,cpp}   what the transports share; their creation functions
//   udptransport.cpp, icmptransport.cpp, tcptransport.cpp (connect), rawtcptransport.cpp
//   packet.{h,cpp}, packetmatch.cpp   wire formats and matching answers to probes (pure)
#include "logging.h"
#include "transportbase.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tracemap {

namespace {

class SystemTransportFactory final : public ProbeTransportFactory
{
public:
    ProbeMethod resolveMethod(ProbeMethod requested, const QHostAddress &destination) const override
    {
        if (requested != ProbeMethod::Auto)
            return requested;
        // ICMP echo is what destinations answer most often; use it when this process may.
        const bool v6 = sys::isV6(destination);
        for (int type : {SOCK_DGRAM, SOCK_RAW}) {
            const int fd = ::socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC,
                                    v6 ? int(IPPROTO_ICMPV6) : int(IPPROTO_ICMP));
            if (fd >= 0) {
                ::close(fd);
                return ProbeMethod::Icmp;
            }
        }
        return ProbeMethod::Udp;
    }
    std::unique_ptr<ProbeTransport> create(const TransportConfig &config, TransportError *error) override
    {
        switch (config.method) {
        case ProbeMethod::Udp:
            return sys::openUdpTransport(config, error);
        case ProbeMethod::Icmp:
            return sys::openIcmpTransport(config, error);
        case ProbeMethod::Tcp: {
            // Raw SYNs when this process may (CAP_NET_RAW), connect() otherwise; tests pin one.
            const QByteArray forced = qgetenv("TRACEMAP_TCP_SOCKET");
            if (forced != "connect") {
                bool permission = false;
                if (auto t = sys::openRawTcpTransport(config, error, &permission))
                    return t;
                if (forced == "raw")
                    return {};
                if (!permission)
                    qCDebug(lcTransport)
                        << "raw TCP SYN probing unavailable, using connect():" << error->message;
                *error = {};
            }
            return sys::openConnectTcpTransport(config);
        }
        case ProbeMethod::Auto:
            break;
        }
        *error = {TraceError::InvalidRequest, QStringLiteral("no probe method chosen")};
        return {};
    }
};

} // namespace

std::unique_ptr<ProbeTransportFactory> createSystemTransportFactory()
{
    return std::make_unique<SystemTransportFactory>();
}

quint16 defaultPort(ProbeMethod method)
{
    return method == ProbeMethod::Tcp ? 80 : 33434;
}

} // namespace tracemap
