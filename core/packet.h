// Wire formats of probes and their answers: ICMP/ICMPv6 echo, the probe payload that
// identifies a probe, parsing of ICMP errors with the quoted header of the probe that
// caused them, and matching: which probe of a transport (if any) a received message
// answers. Pure functions over bytes: no sockets, unit-tested and fuzzed. Every parser
// treats its input as hostile: lengths are checked before each read.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>

#include <cstdint>

namespace tracemap::packet {

inline constexpr int kIcmpEchoRequest = 8;
inline constexpr int kIcmpEchoReply = 0;
inline constexpr int kIcmpDestUnreachable = 3;
inline constexpr int kIcmpTimeExceeded = 11;
inline constexpr int kIcmpParameterProblem = 12;

inline constexpr int kIcmp6DestUnreachable = 1;
inline constexpr int kIcmp6PacketTooBig = 2;
inline constexpr int kIcmp6TimeExceeded = 3;
inline constexpr int kIcmp6ParameterProblem = 4;
inline constexpr int kIcmp6EchoRequest = 128;
inline constexpr int kIcmp6EchoReply = 129;

inline constexpr int kProtoIcmp = 1;
inline constexpr int kProtoTcp = 6;
inline constexpr int kProtoUdp = 17;
inline constexpr int kProtoIcmp6 = 58;

inline constexpr quint8 kTcpFin = 0x01;
inline constexpr quint8 kTcpSyn = 0x02;
inline constexpr quint8 kTcpRst = 0x04;
inline constexpr quint8 kTcpPsh = 0x08;
inline constexpr quint8 kTcpAck = 0x10;

// RFC 1071 one's-complement sum, folded and complemented.
quint16 internetChecksum(QByteArrayView data, quint32 initialSum = 0);

// The payload every probe carries: a per-trace token, the probe's sequence number and a
// compensation word that keeps the ICMP checksum constant across probes (Paris mode),
// so load balancers that hash the checksum keep every probe on one path.
struct ProbePayload
{
    quint32 token = 0;
    quint16 seq = 0;

    static constexpr int kSize = 16;
    // For ICMP echo with constantChecksum, the compensation word cancels the sequence
    // number and the token in the ICMP sum (the checksum depends on the echo id alone);
    // otherwise it is zero.
    QByteArray encode(bool constantChecksum) const;
    // Reads a payload at the start of `data`; false if too short or the magic is absent.
    static bool decode(QByteArrayView data, ProbePayload *out);
};

// An ICMP echo request (type 8 or 128). With computeChecksum the IPv4 checksum is filled
// in; ICMPv6 checksums (and datagram-socket ones) are the kernel's to compute.
QByteArray buildEchoRequest(bool ipv6, quint16 id, quint16 seq, QByteArrayView payload, bool computeChecksum);

// What an ICMP error quotes of the probe that triggered it.
struct QuotedProbe
{
    int protocol = -1; // kProtoUdp, kProtoTcp, kProtoIcmp, kProtoIcmp6
    QHostAddress source;
    QHostAddress destination;
    int ttl = -1;        // remaining TTL/hop limit as quoted (usually 1); -1 if absent
    quint16 srcPort = 0; // UDP/TCP
    quint16 dstPort = 0;
    quint16 udpChecksum = 0;
    quint32 tcpSeq = 0; // TCP sequence number (the first 8 bytes of the header were quoted)
    quint16 echoId = 0; // ICMP echo
    quint16 echoSeq = 0;
    bool hasTransportHeader = false; // at least 8 bytes of the transport header quoted
    QByteArray payload;              // transport payload as quoted (may be empty or cut)
};

enum class ParseStatus {
    Ok,
    Truncated,      // shorter than its headers claim
    Malformed,      // lengths or versions that make no sense
    NotInteresting, // a well-formed ICMP message tracemap never sent a probe for
};

struct IcmpMessage
{
    ParseStatus status = ParseStatus::Malformed;
    bool ipv6 = false;
    QHostAddress source; // from the outer IPv4 header (raw IPv4 sockets only)
    int type = -1;
    int code = -1;
    bool isError = false; // time exceeded, unreachable, too big, parameter problem
    // Echo reply fields (isError == false)
    quint16 echoId = 0;
    quint16 echoSeq = 0;
    QByteArray echoPayload;
    // Error fields (isError == true)
    QuotedProbe quoted;
};

// A whole IPv4 packet as a raw IPv4 socket reads it (IP header + ICMP).
IcmpMessage parseIpv4Icmp(QByteArrayView packet);
// An ICMP (v4) message starting at its header, as ping sockets and the error queue give it.
IcmpMessage parseIcmpV4(QByteArrayView message);
// An ICMPv6 message starting at its header (raw and datagram ICMPv6 sockets).
IcmpMessage parseIcmpV6(QByteArrayView message);

// The TCP checksum of `segment` (checksum field included as it is) over the pseudo-header
// of source and destination, both IPv4 or both IPv6. A segment whose checksum field holds
// the right value sums to 0.
quint16 tcpChecksum(const QHostAddress &source, const QHostAddress &destination, QByteArrayView segment);

// A plain TCP SYN (no data) from source:srcPort to destination:dstPort with sequence number
// `seq`, an MSS option (1460 for IPv4, 1440 for IPv6) and the checksum filled in over the
// pseudo-header. Empty if the addresses are not of one family.
QByteArray buildTcpSyn(const QHostAddress &source, const QHostAddress &destination, quint16 srcPort,
                       quint16 dstPort, quint32 seq);

// A TCP segment as a raw TCP socket reads it.
struct TcpSegment
{
    ParseStatus status = ParseStatus::Malformed;
    QHostAddress source; // from the IPv4 header (parseIpv4Tcp only)
    QHostAddress destination;
    quint16 srcPort = 0;
    quint16 dstPort = 0;
    quint32 seq = 0;
    quint32 ack = 0;
    quint8 flags = 0; // kTcpSyn | kTcpAck ...
    bool isSynAck() const { return (flags & (kTcpSyn | kTcpAck | kTcpRst)) == (kTcpSyn | kTcpAck); }
    bool isRst() const { return (flags & kTcpRst) != 0; }
};

// A whole IPv4 packet (IP header + TCP), as a raw IPv4 TCP socket reads it.
TcpSegment parseIpv4Tcp(QByteArrayView packet);
// A TCP segment starting at its header, as a raw IPv6 TCP socket reads it.
TcpSegment parseTcp(QByteArrayView segment);

// Parses a quoted IPv4 / IPv6 datagram (header and whatever of its payload was quoted).
bool parseQuotedIpv4(QByteArrayView quoted, QuotedProbe *out);
bool parseQuotedIpv6(QByteArrayView quoted, QuotedProbe *out);
// Parses a quoted ICMP echo request without its IP header, as the error queue of an ICMP
// socket returns it. Ok with hasTransportHeader only when all 8 header bytes are there;
// NotInteresting when it is not an echo request.
ParseStatus parseQuotedEcho(bool ipv6, QByteArrayView quoted, QuotedProbe *out);

// The TCP sequence number of SYN probe `seq`: the high half from the trace's token, so
// another trace's (or a stale) probe is not mistaken for this one's.
quint32 tcpWireSeq(quint32 token, quint16 seq);

// ---------------------------------------------------------------- matching

// What identifies a transport's probes on the wire: its settings and what its sockets got.
struct MatchContext
{
    bool ipv6 = false;
    QHostAddress destination;
    QHostAddress source; // the local address (raw TCP)
    quint32 token = 0;   // the ProbePayload token (UDP, ICMP) and the TCP sequence's high half
    quint16 echoId = 0;  // ICMP echo id (checked on raw sockets; the kernel's on datagram ones)
    quint16 srcPort = 0; // raw TCP: the reserved source port
    quint16 dstPort = 0; // raw TCP: the destination port
};

enum class MatchVerdict {
    Probe,   // answers probe `seq` (whether it is still awaited is the transport's to know)
    Stray,   // meant for this transport but names none of its probes: counted
    Foreign, // another program's or another trace's traffic, or nothing to match on
};

struct ProbeMatch
{
    MatchVerdict verdict = MatchVerdict::Foreign;
    quint16 seq = 0;
    QHostAddress responder; // who answered, where the message tells (else null)
    int icmpType = -1;      // -1: not an ICMP answer (TCP, or from the error queue's cmsg)
    int icmpCode = -1;
    bool tcpReset = false; // TCP answers: RST rather than SYN-ACK
};

// The error queue of a UDP probe socket (IP_RECVERR) returns the probe's payload as the
// router quoted it. A per-probe socket (classic flow) belongs to probe socketSeq (-1 when
// unknown) and names it even when the router quoted no payload.
ProbeMatch matchUdpErrorQueue(const MatchContext &context, QByteArrayView quotedPayload, bool perProbeSocket,
                              int socketSeq);
// The error queue of an ICMP socket returns the quoted echo request (header + payload).
ProbeMatch matchIcmpErrorQueue(const MatchContext &context, QByteArrayView quotedEcho);
// A message read from an ICMP socket: a whole IPv4 packet from a raw IPv4 socket, else the
// ICMP message itself; `from` is the sender the socket reported. Echo replies from the
// destination and (raw sockets only) errors quoting one of our echo requests match.
ProbeMatch matchIcmpSocket(const MatchContext &context, QByteArrayView data, bool raw,
                           const QHostAddress &from);
// A segment read from a raw TCP socket (a whole IPv4 packet, or the bare IPv6 segment):
// SYN-ACK or RST from the destination acknowledging one of our SYNs.
ProbeMatch matchTcpSegment(const MatchContext &context, QByteArrayView data, const QHostAddress &from);
// An ICMP error read from the raw ICMP socket of a raw TCP transport, quoting one of our SYNs.
ProbeMatch matchTcpIcmpError(const MatchContext &context, QByteArrayView data, const QHostAddress &from);

} // namespace tracemap::packet
