// What the Linux probe transports share (see systemtransport.cpp for the four of them):
// the sockets and Qt notifiers a transport owns, the reply kinds of ICMP types, the probe
// payload it sends and the identity its answers are matched against (packet.h), and
// the creation functions of each transport for the factory.
//
// Contract: a transport lives in the engine's thread; its notifiers call back into it
// from that thread's event loop; every answer leaves through ProbeTransport::deliver(),
// never from inside send() (deliverSoon() defers those).
#pragma once

#include "packet.h"
#include "probetransport.h"
#include "socketio.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QSocketNotifier>

namespace tracemap::sys {

ReplyKind classifyIcmp(bool v6, int type);

class TransportBase : public ProbeTransport
{
public:
    explicit TransportBase(const TransportConfig &config);
    ~TransportBase() override;
    QHostAddress sourceAddress() const override { return m_source; }
    int strayCount() const override { return m_strays; }

protected:
    int openSocket(int type, int protocol, int *err);
    template<typename Handler> void watch(int fd, QSocketNotifier::Type type, Handler handler)
    {
        auto *notifier = new QSocketNotifier(fd, type);
        QObject::connect(notifier, &QSocketNotifier::activated, notifier, [handler, fd] { handler(fd); });
        (type == QSocketNotifier::Write ? m_writeNotifiers : m_notifiers).insert(fd, notifier);
    }
    void closeSocket(int fd);
    // Sockets that belong to one probe each (classic UDP, unprivileged TCP): the socket is
    // the probe's identity, and releasing the probe closes it.
    void addProbeSocket(int fd, quint16 seq)
    {
        m_fdToSeq.insert(fd, seq);
        m_seqToFd.insert(seq, fd);
    }
    // Closes probe `seq`'s socket; returns its number, or -1 when it had none.
    int closeProbeSocket(quint16 seq);
    // The probe a per-probe socket belongs to, or -1.
    int probeOfSocket(int fd) const { return m_fdToSeq.value(fd, -1); }
    QList<int> probeSockets() const { return m_fdToSeq.keys(); }
    // Delivers later from the event loop, never from inside send().
    void deliverSoon(const ProbeEvent &event);
    // An ICMP answer to probe `seq`.
    void deliverIcmp(quint16 seq, const QHostAddress &responder, int type, int code, qint64 receivedRealNs);
    // An error-queue message matched to probe `seq`: the responder and ICMP type come
    // from the kernel's extended error.
    void deliverErrorQueueMessage(const ReceivedMessage &m, quint16 seq)
    {
        deliverIcmp(seq, m.offender, m.icmpType, m.icmpCode, m.receivedRealNs);
    }
    // Binds fd to `local` and the flow's port (m_config.flowId), or an ephemeral port when
    // there is no flow to keep. A flow port another socket holds (another watch on the same
    // flow, another program) falls back to an ephemeral port: the trace runs on a new flow.
    // False with errno set when even that fails.
    bool bindFlowPort(int fd, const QHostAddress &local);
    QByteArray payloadFor(quint16 seq, bool constantChecksum) const;
    // What this transport's answers are matched against; subclasses add what their
    // sockets got (echo id, ports).
    packet::MatchContext matchContext() const;
    // True for a match naming a probe; counts strays.
    bool isProbe(const packet::ProbeMatch &match);

    TransportConfig m_config;
    bool m_v6;
    QHostAddress m_source;
    int m_strays = 0;
    QObject m_context;
    QSet<int> m_fds;                                // every socket this transport owns
    QHash<int, QSocketNotifier *> m_notifiers;      // read notifier per fd
    QHash<int, QSocketNotifier *> m_writeNotifiers; // TCP connect completion

private:
    QHash<int, int> m_fdToSeq; // per-probe sockets, both ways
    QHash<quint16, int> m_seqToFd;
};

// A transport of type T, or null with `error` set when its open() fails.
template<typename T>
std::unique_ptr<ProbeTransport> openTransport(const TransportConfig &config, TransportError *error)
{
    auto t = std::make_unique<T>(config);
    if (!t->open(error))
        return {};
    return t;
}

// Each returns null with `error` set when the transport cannot be opened.
std::unique_ptr<ProbeTransport> openUdpTransport(const TransportConfig &config, TransportError *error);
std::unique_ptr<ProbeTransport> openIcmpTransport(const TransportConfig &config, TransportError *error);
// `permission` tells a missing CAP_NET_RAW apart from other failures.
std::unique_ptr<ProbeTransport> openRawTcpTransport(const TransportConfig &config, TransportError *error,
                                                    bool *permission);
// Unprivileged TCP: a connect() per probe; opening cannot fail.
std::unique_ptr<ProbeTransport> openConnectTcpTransport(const TransportConfig &config);

} // namespace tracemap::sys
