// Linux probe transports: the only file that opens sockets or depends on privileges.
//
//   udp   connected UDP socket(s) + IP_RECVERR: ICMP errors about our own datagrams are
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
#include "logging.h"
#include "packet.h"
#include "probetransport.h"

#include <QHash>
#include <QNetworkInterface>
#include <QObject>
#include <QSet>
#include <QSocketNotifier>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tracemap {

namespace {

qint64 realtimeNs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return qint64(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

QString errnoText(int err)
{
    return QString::fromLocal8Bit(strerror(err));
}

struct SockAddr
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    const sockaddr *ptr() const { return reinterpret_cast<const sockaddr *>(&storage); }
};

SockAddr toSockAddr(const QHostAddress &address, quint16 port)
{
    SockAddr sa;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&sa.storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR raw = address.toIPv6Address();
        memcpy(&in6->sin6_addr, raw.c, 16);
        // Link-local targets carry their interface: fe80::1%eth0 or fe80::1%2.
        const QString scope = address.scopeId();
        bool numeric = false;
        const uint index = scope.toUInt(&numeric);
        in6->sin6_scope_id = numeric ? index : uint32_t(QNetworkInterface::interfaceIndexFromName(scope));
        sa.length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&sa.storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        sa.length = sizeof(sockaddr_in);
    }
    return sa;
}

QHostAddress fromSockAddr(const sockaddr *sa)
{
    if (!sa)
        return {};
    if (sa->sa_family == AF_INET) {
        sockaddr_in in4;
        memcpy(&in4, sa, sizeof in4);
        return QHostAddress(ntohl(in4.sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        QHostAddress a(reinterpret_cast<const quint8 *>(&in6.sin6_addr));
        return a;
    }
    return {};
}

bool isV6(const QHostAddress &a)
{
    return a.protocol() == QAbstractSocket::IPv6Protocol;
}

bool setInt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

bool setTtl(int fd, bool v6, int ttl)
{
    return v6 ? setInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl) : setInt(fd, IPPROTO_IP, IP_TTL, ttl);
}

bool enableErrorQueue(int fd, bool v6)
{
    return v6 ? setInt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1) : setInt(fd, IPPROTO_IP, IP_RECVERR, 1);
}

// The local address the kernel would use towards `destination` (no packet is sent).
QHostAddress discoverSource(const QHostAddress &destination)
{
    const bool v6 = isV6(destination);
    const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return {};
    QHostAddress result;
    const SockAddr to = toSockAddr(destination, 33434);
    if (::connect(fd, to.ptr(), to.length) == 0) {
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &len) == 0)
            result = fromSockAddr(reinterpret_cast<sockaddr *>(&local));
    }
    ::close(fd);
    return result;
}

// Lets a raw ICMP socket receive only the errors that quote a probe (and echo replies
// when asked); the kernel drops the rest before they reach us.
void installIcmpFilter(int fd, bool v6, bool echoReplies)
{
    if (v6) {
        icmp6_filter filter;
        ICMP6_FILTER_SETBLOCKALL(&filter);
        for (int t : {packet::kIcmp6TimeExceeded, packet::kIcmp6DestUnreachable, packet::kIcmp6PacketTooBig,
                      packet::kIcmp6ParameterProblem})
            ICMP6_FILTER_SETPASS(t, &filter);
        if (echoReplies)
            ICMP6_FILTER_SETPASS(packet::kIcmp6EchoReply, &filter);
        setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    } else {
        quint32 pass = (1U << packet::kIcmpDestUnreachable) | (1U << packet::kIcmpTimeExceeded) |
                       (1U << packet::kIcmpParameterProblem);
        if (echoReplies)
            pass |= 1U << packet::kIcmpEchoReply;
        icmp_filter filter{};
        filter.data = ~pass;
        setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
    }
}

ReplyKind classifyIcmp(bool v6, int type)
{
    if (v6) {
        if (type == packet::kIcmp6TimeExceeded)
            return ReplyKind::TimeExceeded;
        if (type == packet::kIcmp6DestUnreachable)
            return ReplyKind::Unreachable;
        if (type == packet::kIcmp6EchoReply)
            return ReplyKind::EchoReply;
        return ReplyKind::OtherIcmp;
    }
    if (type == packet::kIcmpTimeExceeded)
        return ReplyKind::TimeExceeded;
    if (type == packet::kIcmpDestUnreachable)
        return ReplyKind::Unreachable;
    if (type == packet::kIcmpEchoReply)
        return ReplyKind::EchoReply;
    return ReplyKind::OtherIcmp;
}

// One message read from a socket, normal or from the error queue.
struct ReceivedMessage
{
    QByteArray data;
    QHostAddress from;         // msg_name: sender (normal) or original destination (errqueue)
    bool hasIcmpError = false; // error-queue message with an ICMP origin
    QHostAddress offender;     // the router that sent the ICMP error
    int icmpType = -1;
    int icmpCode = -1;
    qint64 receivedRealNs = 0;
};

enum class ReadResult { Message, Empty, Failed };

// Reads one message without blocking. With errorQueue, reads MSG_ERRQUEUE.
ReadResult readOne(int fd, bool errorQueue, ReceivedMessage *out)
{
    char buffer[2048];
    char control[512];
    sockaddr_storage name{};
    iovec iov{buffer, sizeof buffer};
    msghdr msg{};
    msg.msg_name = &name;
    msg.msg_namelen = sizeof name;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;

    const ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | (errorQueue ? MSG_ERRQUEUE : 0));
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return ReadResult::Empty;
        if (errno == EINTR)
            return readOne(fd, errorQueue, out);
        // Without MSG_ERRQUEUE a pending socket error (ICMP we already read from the error
        // queue) surfaces here; it is consumed by this call, so report "empty".
        if (!errorQueue)
            return ReadResult::Empty;
        return ReadResult::Failed;
    }
    out->data = QByteArray(buffer, int(std::min<ssize_t>(n, ssize_t(sizeof buffer))));
    out->from = msg.msg_namelen > 0 ? fromSockAddr(reinterpret_cast<sockaddr *>(&name)) : QHostAddress();
    out->receivedRealNs = 0;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
            c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
            timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            out->receivedRealNs = qint64(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
        } else if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                   (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
            if (c->cmsg_len < CMSG_LEN(sizeof(sock_extended_err)))
                continue;
            sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(c), sizeof ee);
            if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6)
                continue; // local errors (e.g. EMSGSIZE) carry no responder
            out->hasIcmpError = true;
            out->icmpType = ee.ee_type;
            out->icmpCode = ee.ee_code;
            // SO_EE_OFFENDER: the sockaddr right after the extended error.
            const size_t offset = sizeof(sock_extended_err);
            const size_t available = c->cmsg_len - CMSG_LEN(0);
            if (available >= offset + sizeof(sockaddr_in)) {
                sockaddr_storage off{};
                memcpy(&off, CMSG_DATA(c) + offset, std::min(available - offset, sizeof off));
                out->offender = fromSockAddr(reinterpret_cast<sockaddr *>(&off));
            }
        }
    }
    if (out->receivedRealNs == 0)
        out->receivedRealNs = realtimeNs();
    return ReadResult::Message;
}

// A send that survives the error-queue trap: retry while the errno is a stale ICMP error.
bool sendWithRetry(int fd, const QByteArray &data, const SockAddr *to, qint64 *sentRealNs, int *lastErrno)
{
    for (int attempt = 0; attempt < 16; ++attempt) {
        *sentRealNs = realtimeNs();
        const ssize_t n =
            to ? ::sendto(fd, data.constData(), size_t(data.size()), MSG_DONTWAIT, to->ptr(), to->length)
               : ::send(fd, data.constData(), size_t(data.size()), MSG_DONTWAIT);
        if (n >= 0)
            return true;
        *lastErrno = errno;
        switch (errno) {
        case EINTR:
        case EHOSTUNREACH:
        case ENETUNREACH:
        case ECONNREFUSED:
        case EPROTO:
        case EHOSTDOWN:
        case ENONET:
        case EACCES: // ICMP "administratively prohibited" is also reported as the next send's errno
            continue;
        default:
            return false;
        }
    }
    return false;
}

// Owns the Qt objects (notifiers, timers) of a transport; lives in the engine's thread.
class TransportBase : public ProbeTransport
{
public:
    explicit TransportBase(const TransportConfig &config)
        : m_config(config), m_v6(isV6(config.destination)), m_source(discoverSource(config.destination))
    {}
    ~TransportBase() override
    {
        for (QSocketNotifier *n : std::as_const(m_notifiers))
            n->setEnabled(false);
        qDeleteAll(m_notifiers);
        qDeleteAll(m_writeNotifiers);
        for (int fd : std::as_const(m_fds))
            ::close(fd);
    }
    QHostAddress sourceAddress() const override { return m_source; }
    int strayCount() const override { return m_strays; }

protected:
    int openSocket(int type, int protocol, int *err)
    {
        const int fd = ::socket(m_v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            *err = errno;
        } else {
            setInt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
            m_fds.insert(fd);
        }
        return fd;
    }
    template<typename Handler> void watch(int fd, QSocketNotifier::Type type, Handler handler)
    {
        auto *notifier = new QSocketNotifier(fd, type);
        QObject::connect(notifier, &QSocketNotifier::activated, notifier, [handler, fd] { handler(fd); });
        (type == QSocketNotifier::Write ? m_writeNotifiers : m_notifiers).insert(fd, notifier);
    }
    void closeSocket(int fd)
    {
        for (auto *map : {&m_notifiers, &m_writeNotifiers}) {
            if (QSocketNotifier *n = map->take(fd)) {
                n->setEnabled(false);
                n->deleteLater(); // may be inside its own activated() signal
            }
        }
        if (m_fds.remove(fd))
            ::close(fd);
    }
    // Delivers later from the event loop, never from inside send().
    void deliverSoon(const ProbeEvent &event)
    {
        QTimer::singleShot(0, &m_context, [this, event] { deliver(event); });
    }
    void handleErrorQueueMessage(const ReceivedMessage &m, quint16 seq)
    {
        ProbeEvent e;
        e.seq = seq;
        e.responder = m.offender;
        e.kind = classifyIcmp(m_v6, m.icmpType);
        e.icmpType = m.icmpType;
        e.icmpCode = m.icmpCode;
        e.receivedRealNs = m.receivedRealNs;
        deliver(e);
    }
    QByteArray payloadFor(quint16 seq, bool constantChecksum) const
    {
        packet::ProbePayload p;
        p.token = m_config.token;
        p.seq = seq;
        return p.encode(constantChecksum);
    }
    // Reads the probe identity a quoted payload carries; false if absent or not ours.
    bool payloadSeq(QByteArrayView data, quint16 *seq)
    {
        packet::ProbePayload p;
        if (!packet::ProbePayload::decode(data, &p))
            return false;
        if (p.token != m_config.token) {
            ++m_strays;
            return false;
        }
        *seq = p.seq;
        return true;
    }

    TransportConfig m_config;
    bool m_v6;
    QHostAddress m_source;
    int m_strays = 0;
    QObject m_context;
    QSet<int> m_fds;                                // every socket this transport owns
    QHash<int, QSocketNotifier *> m_notifiers;      // read notifier per fd
    QHash<int, QSocketNotifier *> m_writeNotifiers; // TCP connect completion
};

// ---------------------------------------------------------------- UDP

class UdpTransport final : public TransportBase
{
public:
    using TransportBase::TransportBase;

    bool open(TransportError *error)
    {
        if (m_config.flow == FlowMode::Paris) {
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
            m_fdToSeq.insert(fd, seq);
            m_seqToFd.insert(seq, fd);
        }
        if (!setTtl(fd, m_v6, ttl)) {
            *error = {TraceError::SocketError, QStringLiteral("cannot set TTL: %1").arg(errnoText(errno))};
            return false;
        }
        int err = 0;
        if (!sendWithRetry(fd, payloadFor(seq, false), nullptr, sentRealNs, &err)) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot send UDP probe: %1").arg(errnoText(err))};
            return false;
        }
        return true;
    }
    void release(quint16 seq) override
    {
        if (m_sharedFd >= 0)
            return;
        const int fd = m_seqToFd.take(seq);
        if (fd > 0) {
            m_fdToSeq.remove(fd);
            closeSocket(fd);
        }
    }
    void drain() override
    {
        const auto fds = m_notifiers.keys();
        for (int fd : fds)
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
        if (!enableErrorQueue(fd, m_v6) || ::connect(fd, to.ptr(), to.length) != 0) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot prepare the UDP socket: %1").arg(errnoText(errno))};
            closeSocket(fd);
            return -1;
        }
        watch(fd, QSocketNotifier::Read, [this](int f) { readSocket(f); });
        return fd;
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
            quint16 seq = 0;
            if (payloadSeq(m.data, &seq)) {
                // The quoted payload names the probe; a per-probe socket must agree.
                if (m_sharedFd < 0 && m_fdToSeq.value(fd, -1) != seq) {
                    ++m_strays;
                    continue;
                }
            } else if (m_sharedFd < 0 && m_fdToSeq.contains(fd) && m.data.isEmpty()) {
                // The router quoted no payload; the socket alone identifies the probe.
                seq = quint16(m_fdToSeq.value(fd));
            } else {
                ++m_strays;
                continue;
            }
            handleErrorQueueMessage(m, seq);
        }
    }

    int m_sharedFd = -1;
    QHash<int, int> m_fdToSeq;
    QHash<quint16, int> m_seqToFd;
};

// ---------------------------------------------------------------- ICMP

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
            // The kernel owns the echo id of a ping socket: it is the socket's local "port".
            sockaddr_storage any{};
            any.ss_family = m_v6 ? AF_INET6 : AF_INET;
            ::bind(m_fd, reinterpret_cast<sockaddr *>(&any),
                   m_v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
            sockaddr_storage local{};
            socklen_t len = sizeof local;
            if (getsockname(m_fd, reinterpret_cast<sockaddr *>(&local), &len) == 0) {
                m_echoId = m_v6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&local)->sin6_port)
                                : ntohs(reinterpret_cast<sockaddr_in *>(&local)->sin_port);
            }
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
        while (m_fd >= 0 && readOne(m_fd, false, &m) == ReadResult::Message)
            handleMessage(m);
        // Datagram sockets also queue errors here; raw sockets read them as packets above.
        while (m_fd >= 0 && readOne(m_fd, true, &m) == ReadResult::Message) {
            if (!m.hasIcmpError)
                continue;
            // The error queue returns the quoted echo request (header + payload).
            if (m.data.size() < 8) {
                ++m_strays;
                continue;
            }
            const auto *d = reinterpret_cast<const uchar *>(m.data.constData());
            const int type = d[0];
            const quint16 seq = quint16((d[6] << 8) | d[7]);
            if (type != (m_v6 ? packet::kIcmp6EchoRequest : packet::kIcmpEchoRequest) ||
                !payloadMatchesOrAbsent(QByteArrayView(m.data).sliced(8), seq)) {
                ++m_strays;
                continue;
            }
            handleErrorQueueMessage(m, seq);
        }
    }
    bool payloadMatchesOrAbsent(QByteArrayView payload, quint16 seq)
    {
        if (payload.size() < 10)
            return true; // the router quoted only the ICMP header; id and seq were checked
        quint16 quotedSeq = 0;
        return payloadSeq(payload, &quotedSeq) && quotedSeq == seq;
    }
    void handleMessage(const ReceivedMessage &m)
    {
        packet::IcmpMessage msg = m_v6
                                      ? packet::parseIcmpV6(m.data)
                                      : (m_raw ? packet::parseIpv4Icmp(m.data) : packet::parseIcmpV4(m.data));
        if (msg.status != packet::ParseStatus::Ok) {
            if (msg.status != packet::ParseStatus::NotInteresting)
                ++m_strays;
            return;
        }
        const QHostAddress from = m_raw && !m_v6 ? msg.source : m.from;
        ProbeEvent e;
        e.responder = from;
        e.icmpType = msg.type;
        e.icmpCode = msg.code;
        e.kind = classifyIcmp(m_v6, msg.type);
        e.receivedRealNs = m.receivedRealNs;
        if (!msg.isError) {
            // Echo reply: ours only if id, destination and payload all agree.
            if ((m_raw && msg.echoId != m_echoId) || !isSameAddress(from, m_config.destination)) {
                ++m_strays;
                return;
            }
            quint16 seq = 0;
            if (!payloadSeq(msg.echoPayload, &seq) || seq != msg.echoSeq) {
                ++m_strays;
                return;
            }
            e.seq = seq;
            deliver(e);
            return;
        }
        if (!m_raw)
            return; // datagram sockets report errors through the error queue
        const packet::QuotedProbe &q = msg.quoted;
        const int proto = m_v6 ? packet::kProtoIcmp6 : packet::kProtoIcmp;
        if (q.protocol != proto || !q.hasTransportHeader || q.echoId != m_echoId ||
            !isSameAddress(q.destination, m_config.destination) ||
            !payloadMatchesOrAbsent(q.payload, q.echoSeq)) {
            // Another program's probe, or another trace's: not ours.
            return;
        }
        e.seq = q.echoSeq;
        deliver(e);
    }
    static bool isSameAddress(const QHostAddress &a, const QHostAddress &b)
    {
        return a.isEqual(b, QHostAddress::StrictConversion);
    }

    int m_fd = -1;
    bool m_raw = false;
    quint16 m_echoId = 0;
};

// ---------------------------------------------------------------- TCP

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
        m_fdToSeq.insert(fd, seq);
        m_seqToFd.insert(seq, fd);
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
            m_fdToSeq.remove(fd);
            m_seqToFd.remove(seq);
            closeSocket(fd);
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
        const int fd = m_seqToFd.take(seq);
        if (fd > 0) {
            m_fdToSeq.remove(fd);
            m_done.remove(fd); // the number will be reused by a later socket
            closeSocket(fd);
        }
    }
    void drain() override
    {
        const auto fds = m_fdToSeq.keys();
        for (int fd : fds)
            onActivity(fd);
    }

private:
    void onActivity(int fd)
    {
        if (!m_fdToSeq.contains(fd) || m_done.contains(fd))
            return;
        const quint16 seq = quint16(m_fdToSeq.value(fd));
        ReceivedMessage m;
        while (readOne(fd, true, &m) == ReadResult::Message) {
            if (m.hasIcmpError) {
                m_done.insert(fd);
                handleErrorQueueMessage(m, seq);
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

    QHash<int, int> m_fdToSeq;
    QHash<quint16, int> m_seqToFd;
    QSet<int> m_done; // answered; ignore further activity until released
};

// ---------------------------------------------------------------- TCP SYN (raw)

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
        m_portFd = openSocket(SOCK_STREAM, 0, &err);
        const SockAddr local = toSockAddr(m_source, 0);
        sockaddr_storage bound{};
        socklen_t len = sizeof bound;
        if (m_portFd < 0 || ::bind(m_portFd, local.ptr(), local.length) != 0 ||
            getsockname(m_portFd, reinterpret_cast<sockaddr *>(&bound), &len) != 0) {
            *error = {TraceError::SocketError,
                      QStringLiteral("cannot reserve a TCP source port: %1").arg(errnoText(errno))};
            return false;
        }
        m_srcPort = m_v6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port)
                         : ntohs(reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
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
        const QByteArray syn =
            packet::buildTcpSyn(m_source, m_config.destination, m_srcPort, m_config.port, wireSeq(seq));
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
    // High half from the trace's token, low half the probe: another trace of this process
    // (own source port anyway) or a stale probe cannot be mistaken for this one.
    quint32 wireSeq(quint16 seq) const { return (m_config.token & 0xFFFF0000u) | seq; }
    bool probeFromWireSeq(quint32 wire, quint16 *seq) const
    {
        if ((wire & 0xFFFF0000u) != (m_config.token & 0xFFFF0000u))
            return false;
        *seq = quint16(wire & 0xFFFF);
        return true;
    }
    static bool isSameAddress(const QHostAddress &a, const QHostAddress &b)
    {
        return a.isEqual(b, QHostAddress::StrictConversion);
    }
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
    void handleTcp(const ReceivedMessage &m)
    {
        // The raw socket sees every TCP segment to our address: only those between the
        // destination port and our reserved port concern this trace.
        const packet::TcpSegment s = m_v6 ? packet::parseTcp(m.data) : packet::parseIpv4Tcp(m.data);
        if (s.status != packet::ParseStatus::Ok || s.srcPort != m_config.port || s.dstPort != m_srcPort)
            return;
        const QHostAddress from = m_v6 ? m.from : s.source;
        quint16 seq = 0;
        if (!isSameAddress(from, m_config.destination) ||
            (!m_v6 && !isSameAddress(s.destination, m_source)) || !(s.flags & packet::kTcpAck) ||
            !(s.isSynAck() || s.isRst()) || !probeFromWireSeq(s.ack - 1, &seq)) {
            ++m_strays;
            return;
        }
        if (!m_pending.contains(seq))
            return; // a late or repeated answer to a probe the engine is done with
        ProbeEvent e;
        e.seq = seq;
        e.responder = from;
        e.kind = s.isRst() ? ReplyKind::TcpRefused : ReplyKind::TcpConnected;
        e.receivedRealNs = m.receivedRealNs;
        deliver(e);
    }
    void handleIcmp(const ReceivedMessage &m)
    {
        const packet::IcmpMessage msg = m_v6 ? packet::parseIcmpV6(m.data) : packet::parseIpv4Icmp(m.data);
        if (msg.status != packet::ParseStatus::Ok || !msg.isError)
            return;
        const packet::QuotedProbe &q = msg.quoted;
        // Another program's or another trace's probe: not ours, and not a stray of ours.
        if (q.protocol != packet::kProtoTcp || q.srcPort != m_srcPort || q.dstPort != m_config.port)
            return;
        quint16 seq = 0;
        if (!q.hasTransportHeader || !isSameAddress(q.destination, m_config.destination) ||
            !isSameAddress(q.source, m_source) || !probeFromWireSeq(q.tcpSeq, &seq)) {
            ++m_strays;
            return;
        }
        if (!m_pending.contains(seq))
            return;
        ProbeEvent e;
        e.seq = seq;
        e.responder = m_v6 ? m.from : msg.source;
        e.kind = classifyIcmp(m_v6, msg.type);
        e.icmpType = msg.type;
        e.icmpCode = msg.code;
        e.receivedRealNs = m.receivedRealNs;
        deliver(e);
    }

    int m_tcpFd = -1;
    int m_icmpFd = -1;
    int m_portFd = -1; // holds m_srcPort; never used for I/O
    quint16 m_srcPort = 0;
    QSet<quint16> m_pending; // sent and not yet released
};

class SystemTransportFactory final : public ProbeTransportFactory
{
public:
    ProbeMethod resolveMethod(ProbeMethod requested, const QHostAddress &destination) const override
    {
        if (requested != ProbeMethod::Auto)
            return requested;
        // ICMP echo is what destinations answer most often; use it when this process may.
        const bool v6 = isV6(destination);
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
        case ProbeMethod::Udp: {
            auto t = std::make_unique<UdpTransport>(config);
            if (!t->open(error))
                return {};
            return t;
        }
        case ProbeMethod::Icmp: {
            auto t = std::make_unique<IcmpTransport>(config);
            if (!t->open(error))
                return {};
            return t;
        }
        case ProbeMethod::Tcp: {
            // Raw SYNs when this process may (CAP_NET_RAW), connect() otherwise; tests pin one.
            const QByteArray forced = qgetenv("TRACEMAP_TCP_SOCKET");
            if (forced != "connect") {
                auto t = std::make_unique<RawTcpTransport>(config);
                bool permission = false;
                if (t->open(error, &permission))
                    return t;
                if (forced == "raw")
                    return {};
                if (!permission)
                    qCDebug(lcTransport)
                        << "raw TCP SYN probing unavailable, using connect():" << error->message;
                *error = {};
            }
            return std::make_unique<TcpTransport>(config);
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
