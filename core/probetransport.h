// The one seam between the probe engine and the operating system. Everything that
// opens sockets, needs privileges or reads ICMP lives behind ProbeTransport, so the
// engine can be tested against simulated networks and later moved behind a helper
// process with capabilities (as mtr does with mtr-packet).
#pragma once

#include "tracetypes.h"

#include <QHostAddress>
#include <QString>

#include <functional>
#include <memory>

namespace tracemap {

// How probes are identified on the wire.
struct TransportConfig
{
    ProbeMethod method = ProbeMethod::Udp; // never Auto here
    QHostAddress destination;
    quint16 port = 0; // UDP/TCP destination port (already defaulted)
    FlowMode flow = FlowMode::Paris;
    quint32 token = 0;  // random per trace; carried in every probe's payload
    quint16 icmpId = 0; // echo identifier for raw ICMP sockets (unique per live trace)
    // Paris only; 0: the transport picks its own flow. Otherwise the flow to keep across
    // traces: the UDP / raw TCP source port and the ICMP datagram socket's echo id (raw ICMP
    // takes icmpId, which the engine sets to it). A port another socket holds falls back to
    // one of the kernel's. Connect-TCP cannot keep a flow (a socket per probe).
    quint16 flowId = 0;
};

// One answer, already matched to the probe (seq) it belongs to.
struct ProbeEvent
{
    quint16 seq = 0;
    QHostAddress responder;
    ReplyKind kind = ReplyKind::None;
    int icmpType = -1;
    int icmpCode = -1;
    qint64 receivedRealNs = 0; // CLOCK_REALTIME, kernel timestamp where available
};

struct TransportError
{
    TraceError code = TraceError::None;
    QString message;
};

class ProbeTransport
{
public:
    using EventHandler = std::function<void(const ProbeEvent &)>;

    virtual ~ProbeTransport() = default;

    // e.g. "udp (IP_RECVERR, unprivileged)"; shown to users and kept in results.
    virtual QString description() const = 0;
    virtual QHostAddress sourceAddress() const = 0;

    // Sends probe `seq` with the given TTL. sentRealNs gets the CLOCK_REALTIME time of
    // the send. Returns false with an error if the probe could not be sent.
    virtual bool send(quint16 seq, int ttl, qint64 *sentRealNs, TransportError *error) = 0;
    // The engine is done with probe `seq` (answered, timed out or cancelled): release
    // whatever the transport holds for it. Late answers for it are dropped.
    virtual void release(quint16 seq) = 0;
    // Reads every answer already queued in the kernel now, without waiting.
    virtual void drain() = 0;
    // Counts answers that reached this transport but matched no probe of it.
    virtual int strayCount() const = 0;

    void setEventHandler(EventHandler handler) { m_handler = std::move(handler); }

protected:
    void deliver(const ProbeEvent &event)
    {
        if (m_handler)
            m_handler(event);
    }

private:
    EventHandler m_handler;
};

// Creates transports. The engine takes one; tests pass a simulated network.
class ProbeTransportFactory
{
public:
    virtual ~ProbeTransportFactory() = default;
    // Resolves ProbeMethod::Auto to what this process may use.
    virtual ProbeMethod resolveMethod(ProbeMethod requested, const QHostAddress &destination) const = 0;
    virtual std::unique_ptr<ProbeTransport> create(const TransportConfig &config, TransportError *error) = 0;
};

// The real thing: Linux sockets (UDP + IP_RECVERR, ICMP datagram or raw, TCP connect).
std::unique_ptr<ProbeTransportFactory> createSystemTransportFactory();

quint16 defaultPort(ProbeMethod method);

} // namespace tracemap
