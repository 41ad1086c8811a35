#include "socketio.h"

#include "packet.h"

#include <QNetworkInterface>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <unistd.h>

namespace tracemap::sys {

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

quint16 portOf(const sockaddr_storage &address)
{
    return address.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port)
                                         : ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
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

} // namespace tracemap::sys
