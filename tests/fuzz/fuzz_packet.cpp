// libFuzzer harness for core/packet: every parser and every matcher reads the same hostile
// bytes, and what they report as understood is checked against invariants. Sanitizers
// catch the rest.
#include "packet.h"

#include <cstddef>
#include <cstdint>

using namespace tracemap::packet;

namespace {

// A broken invariant is a bug like a crash: trap so libFuzzer saves the input.
void require(bool condition)
{
    if (!condition)
        __builtin_trap();
}

bool knownQuotedProtocol(const QuotedProbe &q, bool ipv6)
{
    return q.protocol == kProtoUdp || q.protocol == kProtoTcp ||
           q.protocol == (ipv6 ? kProtoIcmp6 : kProtoIcmp);
}

void checkMessage(const IcmpMessage &m, qsizetype icmpBytes, bool ipv6)
{
    require(m.ipv6 == ipv6);
    if (m.status != ParseStatus::Ok)
        return;
    require(m.type >= 0 && m.type <= 255 && m.code >= 0 && m.code <= 255);
    if (!m.isError) {
        // The payload is everything after the 8-byte header, never more.
        require(m.echoPayload.size() <= icmpBytes - 8);
        return;
    }
    const QuotedProbe &q = m.quoted;
    require(knownQuotedProtocol(q, ipv6));
    require(q.source.protocol() == (ipv6 ? QAbstractSocket::IPv6Protocol : QAbstractSocket::IPv4Protocol));
    require(q.ttl >= 0 && q.ttl <= 255);
    require(q.payload.size() <= icmpBytes);
    if (!q.hasTransportHeader)
        require(q.payload.isEmpty());
}

void checkQuoted(bool usable, const QuotedProbe &q, QByteArrayView bytes)
{
    if (!usable) {
        require(q.protocol == -1 && q.payload.isEmpty() && !q.hasTransportHeader);
        return;
    }
    require(q.payload.size() <= bytes.size());
}

quint16 be16At(const uint8_t *data, size_t at)
{
    return quint16(data[at] << 8 | data[at + 1]);
}

// Every matcher on the bytes, with an identity taken from the bytes themselves (so that
// matches are reachable); a probe match must be backed by what the bytes say.
void checkMatchers(const uint8_t *data, size_t size, bool ipv6)
{
    const QByteArrayView bytes(data, qsizetype(size));
    MatchContext c;
    c.ipv6 = ipv6;
    c.destination =
        ipv6 ? QHostAddress(QStringLiteral("2001:db8::2")) : QHostAddress(QStringLiteral("198.51.100.7"));
    c.source = ipv6 ? QHostAddress(QStringLiteral("2001:db8::1")) : QHostAddress(QStringLiteral("192.0.2.1"));
    ProbePayload named;
    if (ProbePayload::decode(bytes, &named))
        c.token = named.token;
    else if (size >= 8)
        c.token = quint32(be16At(data, 4)) << 16 | be16At(data, 6);
    c.echoId = size >= 6 ? be16At(data, 4) : 0;
    c.srcPort = size >= 4 ? be16At(data, 2) : 0;
    c.dstPort = size >= 2 ? be16At(data, 0) : 0;
    const QHostAddress from = c.destination;

    const int socketSeq = size >= 2 ? int(be16At(data, size - 2)) : -1;
    const ProbeMatch udp = matchUdpErrorQueue(c, bytes, socketSeq >= 0, socketSeq);
    if (udp.verdict == MatchVerdict::Probe) {
        ProbePayload p;
        const bool decoded = ProbePayload::decode(bytes, &p);
        require(decoded ? p.token == c.token && p.seq == udp.seq : size == 0 && int(udp.seq) == socketSeq);
        require(!decoded || socketSeq < 0 || int(udp.seq) == socketSeq);
    }
    const ProbeMatch queued = matchIcmpErrorQueue(c, bytes);
    if (queued.verdict == MatchVerdict::Probe) {
        require(size >= 8 && data[0] == (ipv6 ? kIcmp6EchoRequest : kIcmpEchoRequest));
        require(queued.seq == be16At(data, 6));
    }
    for (bool raw : {false, true}) {
        const ProbeMatch m = matchIcmpSocket(c, bytes, raw, from);
        if (m.verdict == MatchVerdict::Probe) {
            require(m.icmpType >= 0 && m.icmpType <= 255 && m.icmpCode >= 0 && m.icmpCode <= 255);
            require(!m.responder.isNull());
            // An echo reply is the destination's; errors are only matched on raw sockets.
            const bool reply = m.icmpType == (ipv6 ? kIcmp6EchoReply : kIcmpEchoReply);
            require(reply ? m.responder.isEqual(c.destination) : raw);
        }
    }
    const ProbeMatch segment = matchTcpSegment(c, bytes, from);
    if (segment.verdict == MatchVerdict::Probe) {
        require(segment.responder.isEqual(c.destination) && segment.icmpType == -1);
        require(tcpWireSeq(c.token, segment.seq) + 1 == (ipv6 ? parseTcp(bytes) : parseIpv4Tcp(bytes)).ack);
    }
    const ProbeMatch tcpError = matchTcpIcmpError(c, bytes, from);
    if (tcpError.verdict == MatchVerdict::Probe) {
        const IcmpMessage msg = ipv6 ? parseIcmpV6(bytes) : parseIpv4Icmp(bytes);
        require(msg.status == ParseStatus::Ok && msg.isError && msg.quoted.protocol == kProtoTcp);
        require(msg.quoted.tcpSeq == tcpWireSeq(c.token, tcpError.seq));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(data, qsizetype(size));

    const IcmpMessage raw = parseIpv4Icmp(bytes);
    checkMessage(raw, qsizetype(size), false);
    if (raw.status == ParseStatus::Ok)
        require(raw.source.protocol() == QAbstractSocket::IPv4Protocol);
    checkMessage(parseIcmpV4(bytes), qsizetype(size), false);
    checkMessage(parseIcmpV6(bytes), qsizetype(size), true);

    QuotedProbe quoted;
    checkQuoted(parseQuotedIpv4(bytes, &quoted), quoted, bytes);
    checkQuoted(parseQuotedIpv6(bytes, &quoted), quoted, bytes);
    for (bool ipv6 : {false, true}) {
        if (parseQuotedEcho(ipv6, bytes, &quoted) == ParseStatus::Ok && quoted.hasTransportHeader)
            require(size >= 8 && quoted.echoSeq == be16At(data, 6) &&
                    quoted.payload.size() == qsizetype(size) - 8);
        checkMatchers(data, size, ipv6);
    }

    // Received TCP segments: bare (IPv6 raw sockets) and behind an IPv4 header.
    const TcpSegment bare = parseTcp(bytes);
    if (bare.status == ParseStatus::Ok) {
        require(size >= 20 && (data[12] >> 4) * 4 <= int(size));
        require(bare.srcPort == quint16(data[0] << 8 | data[1]) && bare.flags == data[13]);
        require(bare.source.isNull());
    }
    const TcpSegment behindIp = parseIpv4Tcp(bytes);
    if (behindIp.status == ParseStatus::Ok) {
        require(size >= 40 && behindIp.source.protocol() == QAbstractSocket::IPv4Protocol);
        require(behindIp.destination.protocol() == QAbstractSocket::IPv4Protocol);
    }

    ProbePayload payload;
    if (ProbePayload::decode(bytes, &payload)) {
        ProbePayload again;
        require(ProbePayload::decode(payload.encode(true), &again));
        require(again.token == payload.token && again.seq == payload.seq);
    }

    // RFC 1071: an odd tail is a zero-padded word, and appending the checksum verifies.
    QByteArray padded = bytes.toByteArray();
    const quint16 sum = internetChecksum(bytes);
    if (padded.size() % 2 != 0)
        padded.append('\0');
    require(internetChecksum(padded) == sum);
    padded.append(char(sum >> 8)).append(char(sum & 0xFF));
    require(internetChecksum(padded) == 0);

    // Builders on fuzzed values: the checksum verifies, Paris mode keeps it constant and an
    // echo reply made from the request parses back to the same fields.
    if (size >= 8) {
        const quint16 id = quint16(data[0] << 8 | data[1]);
        const quint16 seq = quint16(data[2] << 8 | data[3]);
        ProbePayload p;
        p.token = quint32(data[4]) << 24 | quint32(data[5]) << 16 | quint32(data[6]) << 8 | data[7];
        p.seq = seq;
        const QByteArray request = buildEchoRequest(false, id, seq, p.encode(true), true);
        require(internetChecksum(request) == 0);
        p.seq = quint16(seq + 1);
        const QByteArray next = buildEchoRequest(false, id, p.seq, p.encode(true), true);
        require(request.mid(2, 2) == next.mid(2, 2));
        const QByteArray classic = p.encode(false);
        require(classic.size() == ProbePayload::kSize && classic.mid(10, 2) == QByteArray(2, '\0'));
        const QByteArray request6 = buildEchoRequest(true, id, seq, classic, true);
        require(quint8(request6[0]) == kIcmp6EchoRequest && request6.mid(2, 2) == QByteArray(2, '\0'));

        // A SYN on fuzzed ports and sequence verifies against its pseudo-header, parses back
        // and is named by an ICMP error quoting only its first 8 bytes.
        const quint16 sport = quint16(data[0] << 8 | data[1]);
        const quint16 dport = quint16(data[2] << 8 | data[3]);
        const QHostAddress src4(p.token), dst4(p.token ^ 0x01020304u);
        const QByteArray syn = buildTcpSyn(src4, dst4, sport, dport, p.token);
        require(tcpChecksum(src4, dst4, syn) == 0);
        const TcpSegment synParsed = parseTcp(syn);
        require(synParsed.status == ParseStatus::Ok && synParsed.seq == p.token &&
                synParsed.flags == kTcpSyn);
        require(synParsed.srcPort == sport && synParsed.dstPort == dport);
        QByteArray error = QByteArray::fromHex("0b00000000000000"
                                               "4500001c 00000000 0106 0000 00000000 00000000");
        error.append(syn.first(8));
        const IcmpMessage quotedSyn = parseIcmpV4(error);
        require(quotedSyn.status == ParseStatus::Ok && quotedSyn.quoted.tcpSeq == p.token);
        require(quotedSyn.quoted.srcPort == sport && quotedSyn.quoted.dstPort == dport);
        quint8 raw6[16] = {0x20, 0x01, 0x0d, 0xb8};
        for (int i = 0; i < 4; ++i)
            raw6[12 + i] = data[4 + i];
        const QHostAddress src6(raw6), dst6(QStringLiteral("2001:db8::2"));
        const QByteArray syn6 = buildTcpSyn(src6, dst6, sport, dport, p.token);
        require(tcpChecksum(src6, dst6, syn6) == 0);
        require(buildTcpSyn(src4, dst6, sport, dport, p.token).isEmpty());

        QByteArray reply = buildEchoRequest(false, id, seq, bytes.sliced(8), false);
        reply[0] = char(kIcmpEchoReply);
        const IcmpMessage parsed = parseIcmpV4(reply);
        require(parsed.status == ParseStatus::Ok && parsed.echoId == id && parsed.echoSeq == seq);
        require(parsed.echoPayload == bytes.sliced(8));
    }
    return 0;
}
