// Matching received messages to probes (declared in packet.h). Each function mirrors what
// one kind of socket returns; the identity checks are the same the transports used to do
// inline, now on parsed values only, so they are unit-tested and fuzzed with the parsers.
#include "packet.h"

namespace tracemap::packet {

namespace {

bool sameAddress(const QHostAddress &a, const QHostAddress &b)
{
    return a.isEqual(b, QHostAddress::StrictConversion);
}

ProbeMatch verdict(MatchVerdict v)
{
    ProbeMatch m;
    m.verdict = v;
    return m;
}

ProbeMatch probe(quint16 seq, const QHostAddress &responder = {}, int icmpType = -1, int icmpCode = -1)
{
    ProbeMatch m;
    m.verdict = MatchVerdict::Probe;
    m.seq = seq;
    m.responder = responder;
    m.icmpType = icmpType;
    m.icmpCode = icmpCode;
    return m;
}

// The probe a payload names: Probe, Stray (another trace's token) or Foreign (no payload
// of ours at all).
ProbeMatch payloadProbe(const MatchContext &c, QByteArrayView payload)
{
    ProbePayload p;
    if (!ProbePayload::decode(payload, &p))
        return verdict(MatchVerdict::Foreign);
    if (p.token != c.token)
        return verdict(MatchVerdict::Stray);
    return probe(p.seq);
}

// Routers may quote only the ICMP header of an echo request: id and seq were checked
// then. A longer quote must carry our payload naming the same seq.
MatchVerdict echoPayloadVerdict(const MatchContext &c, QByteArrayView payload, quint16 echoSeq)
{
    if (payload.size() < 10)
        return MatchVerdict::Probe;
    const ProbeMatch named = payloadProbe(c, payload);
    if (named.verdict != MatchVerdict::Probe)
        return named.verdict;
    return named.seq == echoSeq ? MatchVerdict::Probe : MatchVerdict::Foreign;
}

bool seqFromWire(const MatchContext &c, quint32 wire, quint16 *seq)
{
    if ((wire & 0xFFFF0000u) != (c.token & 0xFFFF0000u))
        return false;
    *seq = quint16(wire & 0xFFFF);
    return true;
}

} // namespace

ProbeMatch matchUdpErrorQueue(const MatchContext &c, QByteArrayView quotedPayload, bool perProbeSocket,
                              int socketSeq)
{
    const ProbeMatch named = payloadProbe(c, quotedPayload);
    if (named.verdict == MatchVerdict::Probe) {
        // The quoted payload names the probe; a per-probe socket must agree.
        if (perProbeSocket && socketSeq != int(named.seq))
            return verdict(MatchVerdict::Stray);
        return named;
    }
    // The router quoted no payload: the socket alone identifies the probe.
    if (perProbeSocket && socketSeq >= 0 && socketSeq <= 0xFFFF && quotedPayload.isEmpty())
        return probe(quint16(socketSeq));
    return verdict(MatchVerdict::Stray);
}

ProbeMatch matchIcmpErrorQueue(const MatchContext &c, QByteArrayView quotedEcho)
{
    QuotedProbe q;
    if (parseQuotedEcho(c.ipv6, quotedEcho, &q) != ParseStatus::Ok || !q.hasTransportHeader)
        return verdict(MatchVerdict::Stray);
    if (echoPayloadVerdict(c, q.payload, q.echoSeq) != MatchVerdict::Probe)
        return verdict(MatchVerdict::Stray);
    return probe(q.echoSeq);
}

ProbeMatch matchIcmpSocket(const MatchContext &c, QByteArrayView data, bool raw, const QHostAddress &from)
{
    const IcmpMessage msg = c.ipv6 ? parseIcmpV6(data) : (raw ? parseIpv4Icmp(data) : parseIcmpV4(data));
    if (msg.status != ParseStatus::Ok)
        return verdict(msg.status == ParseStatus::NotInteresting ? MatchVerdict::Foreign
                                                                 : MatchVerdict::Stray);
    const QHostAddress responder = raw && !c.ipv6 ? msg.source : from;
    if (!msg.isError) {
        // Echo reply: ours only if id, destination and payload all agree.
        if ((raw && msg.echoId != c.echoId) || !sameAddress(responder, c.destination))
            return verdict(MatchVerdict::Stray);
        const ProbeMatch named = payloadProbe(c, msg.echoPayload);
        if (named.verdict != MatchVerdict::Probe || named.seq != msg.echoSeq)
            return verdict(MatchVerdict::Stray);
        return probe(named.seq, responder, msg.type, msg.code);
    }
    if (!raw)
        return verdict(MatchVerdict::Foreign); // datagram sockets report errors through the error queue
    const QuotedProbe &q = msg.quoted;
    const int proto = c.ipv6 ? kProtoIcmp6 : kProtoIcmp;
    if (q.protocol != proto || !q.hasTransportHeader || q.echoId != c.echoId ||
        !sameAddress(q.destination, c.destination))
        return verdict(MatchVerdict::Foreign); // another program's probe, or another trace's
    const MatchVerdict v = echoPayloadVerdict(c, q.payload, q.echoSeq);
    if (v != MatchVerdict::Probe)
        return verdict(v);
    return probe(q.echoSeq, responder, msg.type, msg.code);
}

ProbeMatch matchTcpSegment(const MatchContext &c, QByteArrayView data, const QHostAddress &from)
{
    // The raw socket sees every TCP segment to our address: only those between the
    // destination port and our reserved port concern this trace.
    const TcpSegment s = c.ipv6 ? parseTcp(data) : parseIpv4Tcp(data);
    if (s.status != ParseStatus::Ok || s.srcPort != c.dstPort || s.dstPort != c.srcPort)
        return verdict(MatchVerdict::Foreign);
    const QHostAddress responder = c.ipv6 ? from : s.source;
    quint16 seq = 0;
    if (!sameAddress(responder, c.destination) || (!c.ipv6 && !sameAddress(s.destination, c.source)) ||
        !(s.flags & kTcpAck) || !(s.isSynAck() || s.isRst()) || !seqFromWire(c, s.ack - 1, &seq))
        return verdict(MatchVerdict::Stray);
    ProbeMatch m = probe(seq, responder);
    m.tcpReset = s.isRst();
    return m;
}

ProbeMatch matchTcpIcmpError(const MatchContext &c, QByteArrayView data, const QHostAddress &from)
{
    const IcmpMessage msg = c.ipv6 ? parseIcmpV6(data) : parseIpv4Icmp(data);
    if (msg.status != ParseStatus::Ok || !msg.isError)
        return verdict(MatchVerdict::Foreign);
    const QuotedProbe &q = msg.quoted;
    // Another program's or another trace's probe: not ours, and not a stray of ours.
    if (q.protocol != kProtoTcp || q.srcPort != c.srcPort || q.dstPort != c.dstPort)
        return verdict(MatchVerdict::Foreign);
    quint16 seq = 0;
    if (!q.hasTransportHeader || !sameAddress(q.destination, c.destination) ||
        !sameAddress(q.source, c.source) || !seqFromWire(c, q.tcpSeq, &seq))
        return verdict(MatchVerdict::Stray);
    return probe(seq, c.ipv6 ? from : msg.source, msg.type, msg.code);
}

} // namespace tracemap::packet
