// Value types shared by the probe engine, the CLI, the agent and the desktop app.
// They cross thread boundaries through queued signals, so they are plain copyable
// values registered with the meta-type system (see registerTraceTypes()).
#pragma once

#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace tracemap {

enum class ProbeMethod { Auto, Udp, Icmp, Tcp };
enum class AddressFamily { Any, IPv4, IPv6 };
// Paris keeps every field a per-flow load balancer hashes constant for the whole trace;
// Classic varies the flow per probe the way the original traceroute does.
enum class FlowMode { Paris, Classic };

// What kind of answer a probe got.
enum class ReplyKind {
    None,         // no answer before the probe's deadline
    TimeExceeded, // a router on the way (ICMP time exceeded)
    Unreachable,  // ICMP destination unreachable (from the destination: reached; else the path ends)
    EchoReply,    // ICMP echo reply from the destination
    TcpConnected, // SYN-ACK: the destination accepted the connection
    TcpRefused,   // RST: the destination refused the connection
    OtherIcmp,    // parameter problem, packet too big, ...
};

enum class TraceError {
    None,
    InvalidRequest,     // a bad option value
    ResolveFailed,      // the name does not resolve
    NoAddressForFamily, // the name resolves, but not in the requested family
    PermissionDenied,   // the method needs a privilege this process lacks
    SocketError,        // the OS refused a socket operation
    Cancelled,
};

QString toString(ProbeMethod method);
QString toString(ReplyKind kind);
QString toString(TraceError error);
std::optional<ProbeMethod> probeMethodFromString(const QString &name);

// One probe's outcome.
struct ProbeReply
{
    int query = 0;          // 1-based index of the probe within its hop (or ping attempt)
    QHostAddress responder; // null when nothing answered
    double rttMs = -1.0;    // round-trip time in ms (µs precision); < 0 when nothing answered
    ReplyKind kind = ReplyKind::None;
    int icmpType = -1; // -1 when the answer was not ICMP (TCP) or there was none
    int icmpCode = -1;
    bool fromDestination = false;

    bool answered() const { return kind != ReplyKind::None; }
    friend bool operator==(const ProbeReply &, const ProbeReply &) = default;
};

struct RttStats
{
    int sent = 0;
    int received = 0;
    double lossPercent = 0.0;
    double bestMs = -1.0;
    double worstMs = -1.0;
    double avgMs = -1.0;
    double stddevMs = -1.0;
    double lastMs = -1.0;
};
RttStats computeStats(const QList<ProbeReply> &replies);

// Everything known about one TTL. Emitted again each time one of its probes is resolved.
struct Hop
{
    int ttl = 0;
    int probesSent = 0;
    QList<ProbeReply> replies; // resolved probes only, ordered by query
    bool complete = false;     // every probe sent for this TTL is resolved

    QList<QHostAddress> responders() const; // distinct, in order of first answer
    bool reachedDestination() const;
    bool anyAnswer() const;
    RttStats stats() const { return computeStats(replies); }
    friend bool operator==(const Hop &, const Hop &) = default;
};

struct TraceRequest
{
    QString target;
    ProbeMethod method = ProbeMethod::Udp;
    AddressFamily family = AddressFamily::Any;
    FlowMode flow = FlowMode::Paris;
    quint16 port = 0; // 0: the method's default (UDP 33434, TCP 80)
    int firstTtl = 1;
    int maxTtl = 30;
    int queries = 3;
    double timeoutSec = 2.0;  // MAX: the longest a probe is waited for
    double hereFactor = 3.0;  // HERE: wait at most this × an RTT already seen at the same hop
    double nearFactor = 10.0; // NEAR: ... or this × the RTT of a later hop's answer
    int maxGap = 5;           // stop after this many silent TTLs beyond the last answering one
    int maxInFlight = 24;     // bounded window of probes on the wire at once
    // Paris only. 0: each trace takes a new flow. Otherwise the flow's identifier (UDP/TCP
    // source port, ICMP echo id) to keep across traces, so that repeated traces of a watch
    // take one path through per-flow load balancers.
    quint16 flowId = 0;
};

struct TraceResult
{
    QString target;
    QHostAddress destination;
    QHostAddress source;
    ProbeMethod method = ProbeMethod::Udp; // the method actually used (never Auto)
    QString transport;                     // how it was sent, e.g. "udp/IP_RECVERR"
    TraceRequest request;
    QList<Hop> hops; // first TTL .. last reported TTL, in order
    bool reached = false;
    TraceError error = TraceError::None;
    QString errorMessage;
    double elapsedMs = 0.0;
};

struct PingRequest
{
    QString target;
    ProbeMethod method = ProbeMethod::Icmp;
    AddressFamily family = AddressFamily::Any;
    quint16 port = 0;
    int count = 5;
    double intervalSec = 1.0;
    int ttl = 64;
    double timeoutSec = 2.0;
};

struct PingResult
{
    QString target;
    QHostAddress destination;
    QHostAddress source;
    ProbeMethod method = ProbeMethod::Icmp;
    QString transport;
    PingRequest request;
    QList<ProbeReply> replies; // one per attempt, in order
    TraceError error = TraceError::None;
    QString errorMessage;
    double elapsedMs = 0.0;

    RttStats stats() const { return computeStats(replies); }
    bool anyReachedDestination() const;
};

void registerTraceTypes();

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::Hop)
Q_DECLARE_METATYPE(tracemap::ProbeReply)
Q_DECLARE_METATYPE(tracemap::TraceRequest)
Q_DECLARE_METATYPE(tracemap::TraceResult)
Q_DECLARE_METATYPE(tracemap::PingRequest)
Q_DECLARE_METATYPE(tracemap::PingResult)
