#include "transportbase.h"

#include "logging.h"

#include <QTimer>

#include <cerrno>
#include <unistd.h>

namespace tracemap::sys {

ReplyKind classifyIcmp(bool v6, int type)
{
    if (type == (v6 ? packet::kIcmp6TimeExceeded : packet::kIcmpTimeExceeded))
        return ReplyKind::TimeExceeded;
    if (type == (v6 ? packet::kIcmp6DestUnreachable : packet::kIcmpDestUnreachable))
        return ReplyKind::Unreachable;
    if (type == (v6 ? packet::kIcmp6EchoReply : packet::kIcmpEchoReply))
        return ReplyKind::EchoReply;
    return ReplyKind::OtherIcmp;
}

TransportBase::TransportBase(const TransportConfig &config)
    : m_config(config), m_v6(isV6(config.destination)), m_source(discoverSource(config.destination))
{}

TransportBase::~TransportBase()
{
    for (QSocketNotifier *n : std::as_const(m_notifiers))
        n->setEnabled(false);
    qDeleteAll(m_notifiers);
    qDeleteAll(m_writeNotifiers);
    for (int fd : std::as_const(m_fds))
        ::close(fd);
}

int TransportBase::openSocket(int type, int protocol, int *err)
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

void TransportBase::closeSocket(int fd)
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

int TransportBase::closeProbeSocket(quint16 seq)
{
    const auto it = m_seqToFd.constFind(seq);
    if (it == m_seqToFd.cend())
        return -1;
    const int fd = it.value();
    m_seqToFd.erase(it);
    m_fdToSeq.remove(fd);
    closeSocket(fd);
    return fd;
}

void TransportBase::deliverSoon(const ProbeEvent &event)
{
    QTimer::singleShot(0, &m_context, [this, event] { deliver(event); });
}

void TransportBase::deliverIcmp(quint16 seq, const QHostAddress &responder, int type, int code,
                                qint64 receivedRealNs)
{
    ProbeEvent e;
    e.seq = seq;
    e.responder = responder;
    e.kind = classifyIcmp(m_v6, type);
    e.icmpType = type;
    e.icmpCode = code;
    e.receivedRealNs = receivedRealNs;
    deliver(e);
}

bool TransportBase::bindFlowPort(int fd, const QHostAddress &local)
{
    SockAddr at = toSockAddr(local, m_config.flowId);
    if (::bind(fd, at.ptr(), at.length) == 0)
        return true;
    if (m_config.flowId == 0 || errno != EADDRINUSE)
        return false;
    qCWarning(lcTransport) << "flow port" << m_config.flowId << "is in use: this trace takes another flow";
    at = toSockAddr(local, 0);
    return ::bind(fd, at.ptr(), at.length) == 0;
}

QByteArray TransportBase::payloadFor(quint16 seq, bool constantChecksum) const
{
    packet::ProbePayload p;
    p.token = m_config.token;
    p.seq = seq;
    return p.encode(constantChecksum);
}

packet::MatchContext TransportBase::matchContext() const
{
    packet::MatchContext c;
    c.ipv6 = m_v6;
    c.destination = m_config.destination;
    c.source = m_source;
    c.token = m_config.token;
    c.dstPort = m_config.port;
    return c;
}

bool TransportBase::isProbe(const packet::ProbeMatch &match)
{
    if (match.verdict == packet::MatchVerdict::Stray)
        ++m_strays;
    return match.verdict == packet::MatchVerdict::Probe;
}

} // namespace tracemap::sys
