// libFuzzer harness for core/packet: every parser reads the same hostile bytes, and what
// they report as understood is checked against invariants. Sanitizers catch the rest.
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

        QByteArray reply = buildEchoRequest(false, id, seq, bytes.sliced(8), false);
        reply[0] = char(kIcmpEchoReply);
        const IcmpMessage parsed = parseIcmpV4(reply);
        require(parsed.status == ParseStatus::Ok && parsed.echoId == id && parsed.echoSeq == seq);
        require(parsed.echoPayload == bytes.sliced(8));
    }
    return 0;
}
