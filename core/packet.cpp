// Wire formats of probes and their answers. Every read below is preceded by a length check
// on the view it reads from; multi-byte fields are assembled byte by byte (big-endian),
// so neither alignment nor host byte order matters.
#include "packet.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace tracemap::packet {

namespace {

constexpr quint32 kMagic = 0x544D4150; // "TMAP"
constexpr qsizetype kIcmpHeaderSize = 8;
constexpr qsizetype kIpv4MinHeaderSize = 20;
constexpr qsizetype kIpv6HeaderSize = 40;
constexpr qsizetype kTransportHeaderSize = 8; // what RFC 792 guarantees an error quotes
constexpr qsizetype kTcpHeaderSize = 20;      // without options
// Real packets carry two or three; the bound only stops crafted chains.
constexpr int kMaxIpv6ExtensionHeaders = 8;

constexpr int kIpv6HopByHop = 0;
constexpr int kIpv6Routing = 43;
constexpr int kIpv6Fragment = 44;
constexpr int kIpv6Auth = 51;
constexpr int kIpv6DestOptions = 60;

// Unchecked accessors: every caller has verified `at` (+1, +3) < v.size() first.
quint8 u8(QByteArrayView v, qsizetype at)
{
    return static_cast<quint8>(v[at]);
}

quint16 be16(QByteArrayView v, qsizetype at)
{
    return static_cast<quint16>((u8(v, at) << 8) | u8(v, at + 1));
}

quint32 be32(QByteArrayView v, qsizetype at)
{
    return (quint32(be16(v, at)) << 16) | be16(v, at + 2);
}

void appendBe16(QByteArray &b, quint16 value)
{
    b.append(static_cast<char>(value >> 8));
    b.append(static_cast<char>(value & 0xFF));
}

void appendBe32(QByteArray &b, quint32 value)
{
    appendBe16(b, static_cast<quint16>(value >> 16));
    appendBe16(b, static_cast<quint16>(value & 0xFFFF));
}

QHostAddress ipv6Address(QByteArrayView v, qsizetype at)
{
    std::array<quint8, 16> raw{};
    std::memcpy(raw.data(), v.data() + at, raw.size());
    return QHostAddress(raw.data());
}

// Outcome of reading a quoted datagram. `headerUsable` is the public bool; `status` is
// what the enclosing ICMP error should report.
struct QuoteResult
{
    bool headerUsable = false;
    ParseStatus status = ParseStatus::Malformed;
};

bool isProbeProtocol(int protocol, bool ipv6)
{
    return protocol == kProtoUdp || protocol == kProtoTcp || protocol == (ipv6 ? kProtoIcmp6 : kProtoIcmp);
}

// Reads the transport header that follows the quoted IP header(s). Routers may quote as
// little as 8 bytes, so a short header is normal (hasTransportHeader stays false), not an error.
ParseStatus parseTransport(bool ipv6, int protocol, QByteArrayView t, QuotedProbe *out)
{
    const qsizetype n = t.size();
    if (protocol == kProtoUdp || protocol == kProtoTcp) {
        // Both open with the source and destination ports; the next four bytes differ.
        if (n >= 4) {
            out->srcPort = be16(t, 0);
            out->dstPort = be16(t, 2);
        }
        const bool whole = n >= kTransportHeaderSize;
        if (whole)
            out->hasTransportHeader = true;
        if (protocol == kProtoUdp) {
            if (whole) {
                out->udpChecksum = be16(t, 6);
                out->payload = t.sliced(kTransportHeaderSize).toByteArray();
            }
            return ParseStatus::Ok;
        }
        if (whole)
            out->tcpSeq = be32(t, 4);
        // TCP data only when the whole header (data offset) was quoted; usually it is not.
        if (n > 12) {
            const qsizetype dataOffset = qsizetype(u8(t, 12) >> 4) * 4;
            if (dataOffset >= 20 && dataOffset <= n)
                out->payload = t.sliced(dataOffset).toByteArray();
        }
        return ParseStatus::Ok;
    }
    if (isProbeProtocol(protocol, ipv6)) { // the ICMP flavour of this IP version
        if (n == 0)
            return ParseStatus::Ok; // nothing quoted to tell what it was; matching will fail
        const int echoRequest = ipv6 ? kIcmp6EchoRequest : kIcmpEchoRequest;
        if (u8(t, 0) != echoRequest)
            return ParseStatus::NotInteresting; // an error about someone's error or reply
        if (n >= kTransportHeaderSize) {
            out->echoId = be16(t, 4);
            out->echoSeq = be16(t, 6);
            out->hasTransportHeader = true;
            out->payload = t.sliced(kTransportHeaderSize).toByteArray();
        }
        return ParseStatus::Ok;
    }
    return ParseStatus::NotInteresting;
}

QuoteResult quotedIpv4(QByteArrayView q, QuotedProbe *out)
{
    *out = QuotedProbe{}; // callers may reuse one; nothing stale may survive a failed parse
    if (q.isEmpty())
        return {false, ParseStatus::Truncated};
    if ((u8(q, 0) >> 4) != 4)
        return {false, ParseStatus::Malformed};
    const qsizetype ihl = qsizetype(u8(q, 0) & 0x0F) * 4;
    if (ihl < kIpv4MinHeaderSize)
        return {false, ParseStatus::Malformed};
    if (q.size() < ihl)
        return {false, ParseStatus::Truncated};

    // Quotes are often cut short of the total length and some stacks rewrite it; trust it
    // only to trim, and only when it is at least plausible.
    qsizetype end = q.size();
    const qsizetype totalLength = be16(q, 2);
    if (totalLength >= ihl)
        end = std::min(end, totalLength);

    out->protocol = u8(q, 9);
    out->ttl = u8(q, 8);
    out->source = QHostAddress(be32(q, 12));
    out->destination = QHostAddress(be32(q, 16));

    const bool firstFragment = (be16(q, 6) & 0x1FFF) == 0;
    if (!firstFragment) // later fragments carry no transport header to match on
        return {true, isProbeProtocol(out->protocol, false) ? ParseStatus::Ok : ParseStatus::NotInteresting};
    return {true, parseTransport(false, out->protocol, q.sliced(ihl, end - ihl), out)};
}

QuoteResult quotedIpv6(QByteArrayView q, QuotedProbe *out)
{
    *out = QuotedProbe{};
    if (q.isEmpty())
        return {false, ParseStatus::Truncated};
    if ((u8(q, 0) >> 4) != 6)
        return {false, ParseStatus::Malformed};
    if (q.size() < kIpv6HeaderSize)
        return {false, ParseStatus::Truncated};

    out->ttl = u8(q, 7);
    out->source = ipv6Address(q, 8);
    out->destination = ipv6Address(q, 24);

    // Payload length 0 means a jumbogram or a rewritten field: then use what is there.
    qsizetype end = q.size();
    const qsizetype payloadLength = be16(q, 4);
    if (payloadLength != 0)
        end = std::min(end, kIpv6HeaderSize + payloadLength);

    int next = u8(q, 6);
    qsizetype pos = kIpv6HeaderSize;
    bool firstFragment = true;
    for (int count = 0;; ++count) {
        const bool extension = next == kIpv6HopByHop || next == kIpv6Routing || next == kIpv6DestOptions ||
                               next == kIpv6Fragment || next == kIpv6Auth;
        if (!extension)
            break;
        if (count >= kMaxIpv6ExtensionHeaders)
            return {true, ParseStatus::Malformed}; // protocol stays -1: the chain has no end we trust
        if (end - pos < 2)
            return {true, ParseStatus::Truncated};
        qsizetype length = 0;
        if (next == kIpv6Fragment)
            length = 8;
        else if (next == kIpv6Auth)
            length = (qsizetype(u8(q, pos + 1)) + 2) * 4;
        else
            length = (qsizetype(u8(q, pos + 1)) + 1) * 8;
        if (end - pos < length)
            return {true, ParseStatus::Truncated};
        if (next == kIpv6Fragment && (be16(q, pos + 2) >> 3) != 0)
            firstFragment = false;
        next = u8(q, pos);
        pos += length;
        if (!firstFragment)
            break; // what follows a later fragment's header is data, not headers
    }

    out->protocol = next;
    if (!firstFragment)
        return {true, isProbeProtocol(next, true) ? ParseStatus::Ok : ParseStatus::NotInteresting};
    return {true, parseTransport(true, next, q.sliced(pos, end - pos), out)};
}

// The quoted datagram of an ICMP error, cut at the RFC 4884 length when there is one so
// that extension objects (MPLS labels, interface info) are not taken for probe payload.
QByteArrayView quotedPart(QByteArrayView message, qsizetype rfc4884Length)
{
    QByteArrayView quoted = message.sliced(kIcmpHeaderSize);
    // A length beyond the message is a lie; lenient like the outer total length: keep all.
    if (rfc4884Length != 0 && rfc4884Length < quoted.size())
        quoted = quoted.first(rfc4884Length);
    return quoted;
}

} // namespace

quint16 internetChecksum(QByteArrayView data, quint32 initialSum)
{
    // 64 bits cannot overflow for any buffer that fits in memory; fold once at the end.
    quint64 sum = initialSum;
    const qsizetype n = data.size();
    qsizetype i = 0;
    for (; i + 1 < n; i += 2)
        sum += be16(data, i);
    if (i < n) // odd length: the last byte is the high half of a zero-padded word
        sum += quint32(u8(data, i)) << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<quint16>(~sum & 0xFFFF);
}

QByteArray ProbePayload::encode(bool constantChecksum) const
{
    quint16 compensation = 0;
    if (constantChecksum) {
        // The echo header carries the same seq, so the word cancels it twice, and the
        // token's two halves too: header seq + payload seq + token + compensation always
        // sums to 0xFFFF (one's complement). The checksum then depends on the echo id only,
        // so the traces of a watch, one echo id and a token each, are one flow.
        quint32 sum = 2u * seq + (token >> 16) + (token & 0xFFFF);
        while (sum >> 16)
            sum = (sum & 0xFFFF) + (sum >> 16);
        compensation = static_cast<quint16>(~sum & 0xFFFF);
    }
    QByteArray b;
    b.reserve(kSize);
    appendBe32(b, kMagic);
    appendBe32(b, token);
    appendBe16(b, seq);
    appendBe16(b, compensation);
    appendBe32(b, 0);
    return b;
}

bool ProbePayload::decode(QByteArrayView data, ProbePayload *out)
{
    if (data.size() < 10 || be32(data, 0) != kMagic)
        return false;
    out->token = be32(data, 4);
    out->seq = be16(data, 8);
    return true;
}

QByteArray buildEchoRequest(bool ipv6, quint16 id, quint16 seq, QByteArrayView payload, bool computeChecksum)
{
    QByteArray b;
    b.reserve(kIcmpHeaderSize + payload.size());
    b.append(static_cast<char>(ipv6 ? kIcmp6EchoRequest : kIcmpEchoRequest));
    b.append('\0'); // code
    appendBe16(b, 0);
    appendBe16(b, id);
    appendBe16(b, seq);
    b.append(payload);
    // ICMPv6 sums cover a pseudo-header with the source address only the kernel knows.
    if (computeChecksum && !ipv6) {
        const quint16 sum = internetChecksum(b);
        b[2] = static_cast<char>(sum >> 8);
        b[3] = static_cast<char>(sum & 0xFF);
    }
    return b;
}

namespace {

// The outer IPv4 header of a packet read from a raw socket, checked before any read.
struct OuterIpv4
{
    ParseStatus status = ParseStatus::Malformed;
    QHostAddress source;
    QHostAddress destination;
    QByteArrayView payload; // transport part, cut at the total length
};

OuterIpv4 readOuterIpv4(QByteArrayView packet, int wantedProtocol)
{
    OuterIpv4 h;
    if (packet.isEmpty()) {
        h.status = ParseStatus::Truncated;
        return h;
    }
    const qsizetype ihl = qsizetype(u8(packet, 0) & 0x0F) * 4;
    if ((u8(packet, 0) >> 4) != 4 || ihl < kIpv4MinHeaderSize) {
        h.status = ParseStatus::Malformed;
        return h;
    }
    if (packet.size() < ihl) {
        h.status = ParseStatus::Truncated;
        return h;
    }
    const qsizetype totalLength = be16(packet, 2);
    if (totalLength < ihl) {
        h.status = ParseStatus::Malformed;
        return h;
    }
    h.source = QHostAddress(be32(packet, 12));
    h.destination = QHostAddress(be32(packet, 16));
    // Later fragments carry no transport header.
    if (u8(packet, 9) != wantedProtocol || (be16(packet, 6) & 0x1FFF) != 0) {
        h.status = ParseStatus::NotInteresting;
        return h;
    }
    // A buffer shorter than the total length is parsed as far as it goes; bytes past the
    // total length are not part of the packet.
    const qsizetype end = std::min(packet.size(), totalLength);
    h.payload = packet.sliced(ihl, end - ihl);
    h.status = ParseStatus::Ok;
    return h;
}

// `parse` applied to the payload of an IPv4 packet carrying `protocol`, or the outer header's
// failure; either way with the outer addresses the message type keeps.
template<typename Message>
Message parseInsideIpv4(QByteArrayView packet, int protocol, Message (*parse)(QByteArrayView))
{
    const OuterIpv4 outer = readOuterIpv4(packet, protocol);
    Message m;
    if (outer.status == ParseStatus::Ok)
        m = parse(outer.payload);
    else
        m.status = outer.status;
    m.source = outer.source;
    if constexpr (requires { m.destination; })
        m.destination = outer.destination;
    return m;
}

} // namespace

IcmpMessage parseIpv4Icmp(QByteArrayView packet)
{
    return parseInsideIpv4(packet, kProtoIcmp, parseIcmpV4);
}

namespace {

// What ICMPv4 and ICMPv6 share: type and code, the 8-byte header and an echo reply's fields.
// True when that already settles `m` (too short, or an echo reply); else the caller reads the
// version's error messages.
bool readIcmpHeader(QByteArrayView message, bool ipv6, IcmpMessage *m)
{
    m->ipv6 = ipv6;
    if (message.size() >= 1)
        m->type = u8(message, 0);
    if (message.size() >= 2)
        m->code = u8(message, 1);
    if (message.size() < kIcmpHeaderSize) {
        m->status = ParseStatus::Truncated;
        return true;
    }
    if (m->type != (ipv6 ? kIcmp6EchoReply : kIcmpEchoReply))
        return false;
    m->echoId = be16(message, 4);
    m->echoSeq = be16(message, 6);
    m->echoPayload = message.sliced(kIcmpHeaderSize).toByteArray();
    m->status = ParseStatus::Ok;
    return true;
}

} // namespace

namespace {

bool isIcmpError(int type, bool ipv6)
{
    if (ipv6)
        return type == kIcmp6DestUnreachable || type == kIcmp6PacketTooBig || type == kIcmp6TimeExceeded ||
               type == kIcmp6ParameterProblem;
    return type == kIcmpDestUnreachable || type == kIcmpTimeExceeded || type == kIcmpParameterProblem;
}

// RFC 4884: the quoted datagram's length. ICMPv4 gives it in 32-bit words at byte 5; ICMPv6
// in 64-bit words at byte 4, and only for unreachable and time exceeded (packet too big has
// the MTU there, parameter problem a pointer). 0: not given.
qsizetype quotedLength(QByteArrayView message, int type, bool ipv6)
{
    if (!ipv6)
        return qsizetype(u8(message, 5)) * 4;
    if (type == kIcmp6DestUnreachable || type == kIcmp6TimeExceeded)
        return qsizetype(u8(message, 4)) * 8;
    return 0;
}

IcmpMessage parseIcmp(QByteArrayView message, bool ipv6)
{
    IcmpMessage m;
    if (readIcmpHeader(message, ipv6, &m))
        return m;
    if (!isIcmpError(m.type, ipv6)) {
        m.status = ParseStatus::NotInteresting;
        return m;
    }
    m.isError = true;
    const QByteArrayView quoted = quotedPart(message, quotedLength(message, m.type, ipv6));
    m.status = (ipv6 ? quotedIpv6(quoted, &m.quoted) : quotedIpv4(quoted, &m.quoted)).status;
    return m;
}

} // namespace

IcmpMessage parseIcmpV4(QByteArrayView message)
{
    return parseIcmp(message, false);
}

IcmpMessage parseIcmpV6(QByteArrayView message)
{
    return parseIcmp(message, true);
}

quint16 tcpChecksum(const QHostAddress &source, const QHostAddress &destination, QByteArrayView segment)
{
    QByteArray pseudo;
    if (source.protocol() == QAbstractSocket::IPv4Protocol) {
        appendBe32(pseudo, source.toIPv4Address());
        appendBe32(pseudo, destination.toIPv4Address());
        appendBe16(pseudo, kProtoTcp);
        appendBe16(pseudo, static_cast<quint16>(segment.size()));
    } else {
        const Q_IPV6ADDR s = source.toIPv6Address();
        const Q_IPV6ADDR d = destination.toIPv6Address();
        pseudo.append(reinterpret_cast<const char *>(s.c), 16);
        pseudo.append(reinterpret_cast<const char *>(d.c), 16);
        appendBe32(pseudo, static_cast<quint32>(segment.size()));
        appendBe32(pseudo, kProtoTcp);
    }
    pseudo.append(segment);
    return internetChecksum(pseudo);
}

QByteArray buildTcpSyn(const QHostAddress &source, const QHostAddress &destination, quint16 srcPort,
                       quint16 dstPort, quint32 seq)
{
    const auto family = source.protocol();
    if (family != destination.protocol() ||
        (family != QAbstractSocket::IPv4Protocol && family != QAbstractSocket::IPv6Protocol))
        return {};
    const bool ipv6 = family == QAbstractSocket::IPv6Protocol;
    QByteArray b;
    b.reserve(kTcpHeaderSize + 4);
    appendBe16(b, srcPort);
    appendBe16(b, dstPort);
    appendBe32(b, seq);
    appendBe32(b, 0);                                             // acknowledgment number: none in a SYN
    b.append(static_cast<char>(((kTcpHeaderSize + 4) / 4) << 4)); // data offset 6 words
    b.append(static_cast<char>(kTcpSyn));
    appendBe16(b, 64240); // window
    appendBe16(b, 0);     // checksum, below
    appendBe16(b, 0);     // urgent pointer
    b.append('\x02');     // MSS option: kind 2, length 4
    b.append('\x04');
    appendBe16(b, ipv6 ? 1440 : 1460);
    const quint16 sum = tcpChecksum(source, destination, b);
    b[16] = static_cast<char>(sum >> 8);
    b[17] = static_cast<char>(sum & 0xFF);
    return b;
}

TcpSegment parseTcp(QByteArrayView segment)
{
    TcpSegment s;
    if (segment.size() < kTcpHeaderSize) {
        s.status = ParseStatus::Truncated;
        return s;
    }
    const qsizetype dataOffset = qsizetype(u8(segment, 12) >> 4) * 4;
    if (dataOffset < kTcpHeaderSize) {
        s.status = ParseStatus::Malformed;
        return s;
    }
    if (dataOffset > segment.size()) {
        s.status = ParseStatus::Truncated;
        return s;
    }
    s.srcPort = be16(segment, 0);
    s.dstPort = be16(segment, 2);
    s.seq = be32(segment, 4);
    s.ack = be32(segment, 8);
    s.flags = u8(segment, 13);
    s.status = ParseStatus::Ok;
    return s;
}

TcpSegment parseIpv4Tcp(QByteArrayView packet)
{
    return parseInsideIpv4(packet, kProtoTcp, parseTcp);
}

bool parseQuotedIpv4(QByteArrayView quoted, QuotedProbe *out)
{
    return quotedIpv4(quoted, out).headerUsable;
}

bool parseQuotedIpv6(QByteArrayView quoted, QuotedProbe *out)
{
    return quotedIpv6(quoted, out).headerUsable;
}

ParseStatus parseQuotedEcho(bool ipv6, QByteArrayView quoted, QuotedProbe *out)
{
    *out = QuotedProbe{};
    out->protocol = ipv6 ? kProtoIcmp6 : kProtoIcmp;
    return parseTransport(ipv6, out->protocol, quoted, out);
}

quint32 tcpWireSeq(quint32 token, quint16 seq)
{
    return (token & 0xFFFF0000u) | seq;
}

} // namespace tracemap::packet
