// Unit tests for core/packet: checksums, the probe payload, echo requests and the parsers
// of echo replies and ICMP errors. Packets are written out byte by byte here, not built
// with the code under test, so a shared misunderstanding of a format cannot hide.
#include "packet.h"

#include <QTest>

#include <set>

using namespace tracemap::packet;

namespace tracemap::packet {
// Readable failure messages for QCOMPARE on statuses (found by argument-dependent lookup).
char *toString(ParseStatus status)
{
    switch (status) {
    case ParseStatus::Ok:
        return qstrdup("Ok");
    case ParseStatus::Truncated:
        return qstrdup("Truncated");
    case ParseStatus::Malformed:
        return qstrdup("Malformed");
    case ParseStatus::NotInteresting:
        return qstrdup("NotInteresting");
    }
    return qstrdup("?");
}
} // namespace tracemap::packet

namespace {

enum class Parser { RawIpv4, IcmpV4, IcmpV6 };
enum class TcpParser { RawIpv4, Bare };
enum class Matcher {
    UdpErrorQueue,
    IcmpErrorQueue,
    IcmpRawSocket,
    IcmpDatagramSocket,
    TcpSegment,
    TcpIcmpError
};

// What an ICMP error must yield for its quoted probe.
struct ExpectedQuote
{
    int protocol = -1;
    QString source;
    QString destination;
    int ttl = -1;
    quint16 srcPort = 0;
    quint16 dstPort = 0;
    quint16 udpChecksum = 0;
    quint32 tcpSeq = 0;
    quint16 echoId = 0;
    quint16 echoSeq = 0;
    bool hasTransportHeader = false;
    QByteArray payload;
};

} // namespace

Q_DECLARE_METATYPE(Parser)
Q_DECLARE_METATYPE(TcpParser)
Q_DECLARE_METATYPE(Matcher)
Q_DECLARE_METATYPE(MatchVerdict)
Q_DECLARE_METATYPE(ParseStatus)
Q_DECLARE_METATYPE(ExpectedQuote)

namespace {

// Hex with spaces for readability; QByteArray::fromHex skips them.
QByteArray h(const char *hex)
{
    return QByteArray::fromHex(hex);
}

QByteArray b8(int value)
{
    return QByteArray(1, static_cast<char>(value & 0xFF));
}

QByteArray b16(int value)
{
    return b8(value >> 8) + b8(value);
}

const QByteArray kSrc4 = h("c0 00 02 01"); // 192.0.2.1: the tracer
const QByteArray kDst4 = h("c6 33 64 07"); // 198.51.100.7: the target
const QByteArray kHop4 = h("cb 00 71 09"); // 203.0.113.9: a router
const QByteArray kSrc6 = h("2001 0db8 0000 0000 0000 0000 0000 0001");
const QByteArray kDst6 = h("2001 0db8 0000 0000 0000 0000 0000 0002");
// A probe payload: magic "TMAP", token 0xdeadbeef, seq 7, compensation, zero.
const QByteArray kProbe = h("544d4150 deadbeef 0007 fff1 00000000");

// IPv4 header without options; the header checksum is left zero (no parser checks it).
QByteArray ip4(int protocol, const QByteArray &src, const QByteArray &dst, int ttl, int totalLength)
{
    return h("45 00") + b16(totalLength) + h("1c46 0000") + b8(ttl) + b8(protocol) + h("0000") + src + dst;
}

QByteArray ip6(int next, int payloadLength, int hopLimit, const QByteArray &src = kSrc6,
               const QByteArray &dst = kDst6)
{
    return h("6000 0000") + b16(payloadLength) + b8(next) + b8(hopLimit) + src + dst;
}

QByteArray udp(int srcPort, int dstPort, int length, int checksum)
{
    return b16(srcPort) + b16(dstPort) + b16(length) + b16(checksum);
}

// A 20-byte TCP SYN header.
QByteArray tcp(int srcPort, int dstPort)
{
    return b16(srcPort) + b16(dstPort) + h("00000001 00000000 5002 ffff 0000 0000");
}

// A TCP header with sequence, acknowledgment and flags; `extra` option bytes make the data
// offset larger (must be a multiple of 4).
QByteArray tcpHeader(int srcPort, int dstPort, quint32 seq, quint32 ack, int flags,
                     const QByteArray &extra = {})
{
    const int offsetWords = (20 + int(extra.size())) / 4;
    return b16(srcPort) + b16(dstPort) + b16(int(seq >> 16)) + b16(int(seq)) + b16(int(ack >> 16)) +
           b16(int(ack)) + b8(offsetWords << 4) + b8(flags) + h("ffff 0000 0000") + extra;
}

QByteArray echo(int type, int id, int seq)
{
    return b8(type) + h("00 0000") + b16(id) + b16(seq);
}

// An ICMP header: type, code, zero checksum, then the 4 type-specific bytes.
QByteArray icmp(int type, int code, const char *restHex = "00000000")
{
    return b8(type) + b8(code) + h("0000") + h(restHex);
}

IcmpMessage parse(Parser parser, QByteArrayView bytes)
{
    switch (parser) {
    case Parser::RawIpv4:
        return parseIpv4Icmp(bytes);
    case Parser::IcmpV4:
        return parseIcmpV4(bytes);
    case Parser::IcmpV6:
        return parseIcmpV6(bytes);
    }
    return {};
}

// Probes as they come back quoted.
QByteArray quotedUdp4()
{
    return ip4(kProtoUdp, kSrc4, kDst4, 1, 44) + udp(40000, 33441, 24, 0xbeef) + kProbe;
}

QByteArray quotedEcho4()
{
    return ip4(kProtoIcmp, kSrc4, kDst4, 1, 44) + echo(8, 0x1234, 7) + kProbe;
}

QByteArray quotedUdp6()
{
    return ip6(kProtoUdp, 24, 1) + udp(40000, 33441, 24, 0xbeef) + kProbe;
}

QByteArray quotedEcho6()
{
    return ip6(kProtoIcmp6, 24, 1) + echo(128, 0x1234, 7) + kProbe;
}

// Hop-by-hop (PadN) then a first fragment (offset 0, more fragments), then UDP.
QByteArray quotedUdp6WithExtensions()
{
    const QByteArray hopByHop = h("2c 00 0104 00000000");
    const QByteArray fragment = h("11 00 0001 12345678");
    return ip6(0, 16 + 24, 2) + hopByHop + fragment + udp(40000, 33441, 24, 0xbeef) + kProbe;
}

ExpectedQuote udp4Quote()
{
    return {.protocol = kProtoUdp,
            .source = "192.0.2.1",
            .destination = "198.51.100.7",
            .ttl = 1,
            .srcPort = 40000,
            .dstPort = 33441,
            .udpChecksum = 0xbeef,
            .hasTransportHeader = true,
            .payload = kProbe};
}

ExpectedQuote echo4Quote()
{
    return {.protocol = kProtoIcmp,
            .source = "192.0.2.1",
            .destination = "198.51.100.7",
            .ttl = 1,
            .echoId = 0x1234,
            .echoSeq = 7,
            .hasTransportHeader = true,
            .payload = kProbe};
}

ExpectedQuote udp6Quote(int hopLimit = 1)
{
    ExpectedQuote q = udp4Quote();
    q.source = "2001:db8::1";
    q.destination = "2001:db8::2";
    q.ttl = hopLimit;
    return q;
}

ExpectedQuote echo6Quote()
{
    ExpectedQuote q = echo4Quote();
    q.protocol = kProtoIcmp6;
    q.source = "2001:db8::1";
    q.destination = "2001:db8::2";
    return q;
}

void compareQuote(const QuotedProbe &got, const ExpectedQuote &want)
{
    QCOMPARE(got.protocol, want.protocol);
    QCOMPARE(got.source.toString(), want.source);
    QCOMPARE(got.destination.toString(), want.destination);
    QCOMPARE(got.ttl, want.ttl);
    QCOMPARE(got.srcPort, want.srcPort);
    QCOMPARE(got.dstPort, want.dstPort);
    QCOMPARE(got.udpChecksum, want.udpChecksum);
    QCOMPARE(got.tcpSeq, want.tcpSeq);
    QCOMPARE(got.echoId, want.echoId);
    QCOMPARE(got.echoSeq, want.echoSeq);
    QCOMPARE(got.hasTransportHeader, want.hasTransportHeader);
    QCOMPARE(got.payload.toHex(' '), want.payload.toHex(' '));
}

} // namespace

class TestPacket : public QObject
{
    Q_OBJECT

private:
    static void addErrorColumns()
    {
        QTest::addColumn<Parser>("parser");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<ParseStatus>("status");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("source"); // outer source, raw IPv4 only
        QTest::addColumn<ExpectedQuote>("quote");
    }

    static void checkError()
    {
        QFETCH(Parser, parser);
        QFETCH(QByteArray, bytes);
        QFETCH(ParseStatus, status);
        QFETCH(int, type);
        QFETCH(int, code);
        QFETCH(QString, source);
        QFETCH(ExpectedQuote, quote);

        const IcmpMessage m = parse(parser, bytes);
        QCOMPARE(m.status, status);
        QCOMPARE(m.ipv6, parser == Parser::IcmpV6);
        QCOMPARE(m.type, type);
        QCOMPARE(m.code, code);
        QVERIFY(m.isError);
        QCOMPARE(m.source.toString(), source);
        compareQuote(m.quoted, quote);
    }

private slots:
    void checksum_data();
    void checksum();
    void checksumVerifiesWhenWritten_data();
    void checksumVerifiesWhenWritten();
    void payloadEncode_data();
    void payloadEncode();
    void payloadDecode_data();
    void payloadDecode();
    void constantChecksum_data();
    void constantChecksum();
    void echoRequest_data();
    void echoRequest();
    void echoReply_data();
    void echoReply();
    void errors_data();
    void errors();
    void rfc4884_data();
    void rfc4884();
    void prefixes_data();
    void prefixes();
    void oversized_data();
    void oversized();
    void hostile_data();
    void hostile();
    void quotedDirect_data();
    void quotedDirect();
    void quotedTcpSeq_data();
    void quotedTcpSeq();
    void tcpSyn_data();
    void tcpSyn();
    void tcpSegment_data();
    void tcpSegment();
    void match_data();
    void match();
};

void TestPacket::checksum_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<uint>("initialSum");
    QTest::addColumn<uint>("expected");

    // RFC 1071 section 3: the words sum to 0xddf2.
    QTest::newRow("rfc1071 example") << h("0001 f203 f4f5 f6f7") << 0u << uint(0xffff & ~0xddf2);
    QTest::newRow("empty") << QByteArray() << 0u << 0xffffu;
    QTest::newRow("odd length one byte") << h("01") << 0u << 0xfeffu;         // padded to 0x0100
    QTest::newRow("odd length three bytes") << h("abcd ef") << 0u << 0x6531u; // abcd+ef00=9ace
    QTest::newRow("all ones sums to zero") << h("ffff ffff") << 0u << 0x0000u;
    // The classic IPv4 header example (checksum field zeroed): 0xb861.
    QTest::newRow("ipv4 header") << h("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7") << 0u << 0xb861u;
    QTest::newRow("ipv4 header with its checksum verifies")
        << h("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7") << 0u << 0x0000u;
    // 0x1ffff + 0xffff = 0x2fffe -> 0x10000 -> 0x0001: needs two folds.
    QTest::newRow("initial sum with carries") << h("ffff") << 0x1ffffu << 0xfffeu;
    QTest::newRow("initial sum only") << QByteArray() << 0x1234u << 0xedcbu;
}

void TestPacket::checksum()
{
    QFETCH(QByteArray, data);
    QFETCH(uint, initialSum);
    QFETCH(uint, expected);
    QCOMPARE(uint(internetChecksum(data, initialSum)), expected);
}

void TestPacket::checksumVerifiesWhenWritten_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("even") << h("0800 0000 1234 0001 6162 6364");
    QTest::newRow("odd") << h("0800 0000 1234 0001 6162 63");
    QTest::newRow("high bytes") << h("0800 0000 ffff ffff ffff ff");
}

// Writing the result big-endian into bytes 2-3 must make the whole sum verify.
void TestPacket::checksumVerifiesWhenWritten()
{
    QFETCH(QByteArray, data);
    const quint16 sum = internetChecksum(data);
    data[2] = static_cast<char>(sum >> 8);
    data[3] = static_cast<char>(sum & 0xff);
    QCOMPARE(internetChecksum(data), quint16(0));
}

void TestPacket::payloadEncode_data()
{
    QTest::addColumn<uint>("token");
    QTest::addColumn<int>("seq");
    QTest::addColumn<bool>("constantChecksum");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("classic") << 0xdeadbeefu << 0x0102 << false << h("544d4150 deadbeef 0102 0000 00000000");
    // Paris: the word cancels seq twice (echo header and payload) and the token's halves,
    // one's complement.
    QTest::newRow("paris seq 0") << 1u << 0 << true << h("544d4150 00000001 0000 fffe 00000000");
    QTest::newRow("paris seq 1") << 1u << 1 << true << h("544d4150 00000001 0001 fffc 00000000");
    QTest::newRow("paris seq 0x8000") << 1u << 0x8000 << true << h("544d4150 00000001 8000 fffd 00000000");
    QTest::newRow("paris seq 65535") << 1u << 65535 << true << h("544d4150 00000001 ffff fffe 00000000");
    QTest::newRow("paris token 0 seq 0") << 0u << 0 << true << h("544d4150 00000000 0000 ffff 00000000");
    QTest::newRow("paris token halves carry")
        << 0xffff0001u << 2 << true << h("544d4150 ffff0001 0002 fffa 00000000");
}

void TestPacket::payloadEncode()
{
    QFETCH(uint, token);
    QFETCH(int, seq);
    QFETCH(bool, constantChecksum);
    QFETCH(QByteArray, expected);

    ProbePayload p;
    p.token = token;
    p.seq = quint16(seq);
    const QByteArray bytes = p.encode(constantChecksum);
    QCOMPARE(bytes.size(), ProbePayload::kSize);
    QCOMPARE(bytes.toHex(' '), expected.toHex(' '));

    ProbePayload back;
    QVERIFY(ProbePayload::decode(bytes, &back));
    QCOMPARE(back.token, p.token);
    QCOMPARE(back.seq, p.seq);
}

void TestPacket::payloadDecode_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<uint>("token");
    QTest::addColumn<int>("seq");

    QTest::newRow("full payload") << kProbe << true << 0xdeadbeefu << 7;
    QTest::newRow("exactly 10 bytes") << h("544d4150 00000001 0002") << true << 1u << 2;
    QTest::newRow("followed by other data")
        << h("544d4150 00000001 0002 ffff 0000 0000 abcdef") << true << 1u << 2;
    QTest::newRow("9 bytes") << h("544d4150 00000001 00") << false << 0u << 0;
    QTest::newRow("magic only") << h("544d4150") << false << 0u << 0;
    QTest::newRow("empty") << QByteArray() << false << 0u << 0;
    QTest::newRow("wrong magic") << h("544d4151 00000001 0002 0000 00000000") << false << 0u << 0;
    QTest::newRow("magic not at start") << h("00 544d4150 00000001 0002 0000 000000") << false << 0u << 0;
}

void TestPacket::payloadDecode()
{
    QFETCH(QByteArray, data);
    QFETCH(bool, ok);
    QFETCH(uint, token);
    QFETCH(int, seq);

    ProbePayload p;
    QCOMPARE(ProbePayload::decode(data, &p), ok);
    if (ok) {
        QCOMPARE(p.token, token);
        QCOMPARE(int(p.seq), seq);
    }
}

void TestPacket::constantChecksum_data()
{
    QTest::addColumn<bool>("ipv6");
    QTest::addColumn<bool>("paris");
    QTest::newRow("v4 paris") << false << true;
    QTest::newRow("v4 classic") << false << false;
    QTest::newRow("v6 paris") << true << true;
    QTest::newRow("v6 classic") << true << false;
}

// Load balancers hash the ICMP checksum: in Paris mode it must depend neither on seq nor on
// the trace's token (the rounds of a watch are traces with one echo id and tokens of their own).
void TestPacket::constantChecksum()
{
    QFETCH(bool, ipv6);
    QFETCH(bool, paris);

    // ICMPv6 sums include a pseudo-header; for one trace it is the same for every probe.
    const quint32 pseudo = 0x2001 + 0x0db8 + 0x0001 + 0x2001 + 0x0db8 + 0x0002 + 24 + kProtoIcmp6;
    std::set<quint16> checksums;
    std::set<quint16> firstFour; // seqs 0, 1, 2, 1000 (0 and 65535 are one's-complement equal)
    const QList<quint32> tokens =
        paris ? QList<quint32>{0xdeadbeef, 1, 0xffff0000, 0x12345678} : QList<quint32>{0xdeadbeef};
    for (const quint32 token : tokens) {
        for (const int seq : {0, 1, 2, 1000, 65535}) {
            ProbePayload p;
            p.token = token;
            p.seq = quint16(seq);
            const QByteArray request = buildEchoRequest(ipv6, 0x4242, quint16(seq), p.encode(paris), true);
            quint16 sum = 0;
            if (ipv6) {
                QCOMPARE(request.mid(2, 2), h("0000")); // left to the kernel
                sum = internetChecksum(request, pseudo);
            } else {
                QCOMPARE(internetChecksum(request), quint16(0)); // it verifies
                sum = quint16((quint8(request[2]) << 8) | quint8(request[3]));
            }
            checksums.insert(sum);
            if (seq != 65535)
                firstFour.insert(sum);
        }
    }
    if (paris)
        QCOMPARE(checksums.size(), size_t(1));
    else
        QCOMPARE(firstFour.size(), size_t(4));
}

void TestPacket::echoRequest_data()
{
    QTest::addColumn<bool>("ipv6");
    QTest::addColumn<int>("id");
    QTest::addColumn<int>("seq");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("computeChecksum");
    QTest::addColumn<QByteArray>("expected");

    // 0800+1234+0001+6162+6364 = defb -> checksum 2104
    QTest::newRow("v4 with checksum")
        << false << 0x1234 << 1 << h("61626364") << true << h("0800 2104 1234 0001 61626364");
    QTest::newRow("v4 without checksum")
        << false << 0x1234 << 1 << h("61626364") << false << h("0800 0000 1234 0001 61626364");
    QTest::newRow("v4 odd payload") << false << 0x1234 << 1 << h("61") << true << h("0800 84ca 1234 0001 61");
    QTest::newRow("v4 empty payload")
        << false << 0xffff << 0xffff << QByteArray() << true << h("0800 f7ff ffff ffff");
    QTest::newRow("v6 checksum left to kernel")
        << true << 0x1234 << 1 << h("61626364") << true << h("8000 0000 1234 0001 61626364");
    QTest::newRow("v6 with probe payload")
        << true << 0x0102 << 0x0304 << kProbe << false << h("8000 0000 0102 0304") + kProbe;
}

void TestPacket::echoRequest()
{
    QFETCH(bool, ipv6);
    QFETCH(int, id);
    QFETCH(int, seq);
    QFETCH(QByteArray, payload);
    QFETCH(bool, computeChecksum);
    QFETCH(QByteArray, expected);
    const QByteArray got = buildEchoRequest(ipv6, quint16(id), quint16(seq), payload, computeChecksum);
    QCOMPARE(got.toHex(' '), expected.toHex(' '));
}

void TestPacket::echoReply_data()
{
    QTest::addColumn<Parser>("parser");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("id");
    QTest::addColumn<int>("seq");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("source");

    const QByteArray reply4 = h("0000 0000 1234 0007") + kProbe;
    const QByteArray reply6 = h("8100 0000 1234 0007") + kProbe;
    QTest::newRow("v4 raw with ip header")
        << Parser::RawIpv4 << ip4(kProtoIcmp, kDst4, kSrc4, 57, 44) + reply4 << 0 << 0x1234 << 7 << kProbe
        << "198.51.100.7";
    QByteArray withOptions = ip4(kProtoIcmp, kDst4, kSrc4, 57, 48) + h("01010100") + reply4;
    withOptions[0] = 0x46; // IHL 6: one word of options (NOPs)
    QTest::newRow("v4 raw with ip options")
        << Parser::RawIpv4 << withOptions << 0 << 0x1234 << 7 << kProbe << "198.51.100.7";
    QTest::newRow("v4 raw with bytes past total length")
        << Parser::RawIpv4 << ip4(kProtoIcmp, kDst4, kSrc4, 57, 44) + reply4 + h("eeeeeeee") << 0 << 0x1234
        << 7 << kProbe << "198.51.100.7";
    QTest::newRow("v4 raw shorter than total length")
        << Parser::RawIpv4 << ip4(kProtoIcmp, kDst4, kSrc4, 57, 1000) + reply4 << 0 << 0x1234 << 7 << kProbe
        << "198.51.100.7";
    QTest::newRow("v4 bare") << Parser::IcmpV4 << reply4 << 0 << 0x1234 << 7 << kProbe << "";
    QTest::newRow("v4 bare without payload")
        << Parser::IcmpV4 << h("0000 0000 ffff fffe") << 0 << 0xffff << 0xfffe << QByteArray() << "";
    QTest::newRow("v6") << Parser::IcmpV6 << reply6 << 129 << 0x1234 << 7 << kProbe << "";
}

void TestPacket::echoReply()
{
    QFETCH(Parser, parser);
    QFETCH(QByteArray, bytes);
    QFETCH(int, type);
    QFETCH(int, id);
    QFETCH(int, seq);
    QFETCH(QByteArray, payload);
    QFETCH(QString, source);

    const IcmpMessage m = parse(parser, bytes);
    QCOMPARE(m.status, ParseStatus::Ok);
    QCOMPARE(m.ipv6, parser == Parser::IcmpV6);
    QCOMPARE(m.type, type);
    QCOMPARE(m.code, 0);
    QVERIFY(!m.isError);
    QCOMPARE(int(m.echoId), id);
    QCOMPARE(int(m.echoSeq), seq);
    QCOMPARE(m.echoPayload.toHex(' '), payload.toHex(' '));
    QCOMPARE(m.source.toString(), source);
    if (!payload.isEmpty()) {
        ProbePayload p;
        QVERIFY(ProbePayload::decode(m.echoPayload, &p));
        QCOMPARE(p.token, 0xdeadbeefu);
        QCOMPARE(int(p.seq), 7);
    }
}

void TestPacket::errors_data()
{
    addErrorColumns();
    const QByteArray outer4 = ip4(kProtoIcmp, kHop4, kSrc4, 250, 20 + 8 + 44);

    // IPv4
    QTest::newRow("time exceeded quoting udp")
        << Parser::IcmpV4 << icmp(11, 0) + quotedUdp4() << ParseStatus::Ok << 11 << 0 << "" << udp4Quote();
    QTest::newRow("raw time exceeded quoting udp")
        << Parser::RawIpv4 << outer4 + icmp(11, 0) + quotedUdp4() << ParseStatus::Ok << 11 << 0
        << "203.0.113.9" << udp4Quote();
    QTest::newRow("port unreachable quoting udp")
        << Parser::RawIpv4 << outer4 + icmp(3, 3) + quotedUdp4() << ParseStatus::Ok << 3 << 3 << "203.0.113.9"
        << udp4Quote();
    QTest::newRow("fragmentation needed quoting udp")
        << Parser::IcmpV4 << icmp(3, 4, "0000 0578") + quotedUdp4() << ParseStatus::Ok << 3 << 4 << ""
        << udp4Quote();
    QTest::newRow("parameter problem quoting udp")
        << Parser::IcmpV4 << icmp(12, 0, "0800 0000") + quotedUdp4() << ParseStatus::Ok << 12 << 0 << ""
        << udp4Quote();
    {
        ExpectedQuote q = udp4Quote();
        q.protocol = kProtoTcp;
        q.srcPort = 40000;
        q.dstPort = 80;
        q.udpChecksum = 0;
        q.tcpSeq = 1;
        q.payload.clear();
        QTest::newRow("time exceeded quoting tcp (8 bytes)")
            << Parser::IcmpV4 << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 40) + tcp(40000, 80).first(8)
            << ParseStatus::Ok << 11 << 0 << "" << q;
        QTest::newRow("raw time exceeded quoting tcp (8 bytes)")
            << Parser::RawIpv4
            << ip4(kProtoIcmp, kHop4, kSrc4, 250, 56) + icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 40) +
                   tcp(40000, 80).first(8)
            << ParseStatus::Ok << 11 << 0 << "203.0.113.9" << q;
        QByteArray badOffset = tcp(40000, 80);
        badOffset[12] = 0x40; // data offset 4 words: shorter than a TCP header, so no payload
        QTest::newRow("quoted tcp with bad data offset")
            << Parser::IcmpV4 << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 44) + badOffset + h("c0ffee00")
            << ParseStatus::Ok << 11 << 0 << "" << q;
        q.payload = h("c0ffee00");
        QTest::newRow("time exceeded quoting whole tcp segment")
            << Parser::IcmpV4
            << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 44) + tcp(40000, 80) + h("c0ffee00")
            << ParseStatus::Ok << 11 << 0 << "" << q;
    }
    QTest::newRow("time exceeded quoting icmp echo")
        << Parser::IcmpV4 << icmp(11, 0) + quotedEcho4() << ParseStatus::Ok << 11 << 0 << "" << echo4Quote();
    QTest::newRow("raw time exceeded quoting icmp echo")
        << Parser::RawIpv4 << outer4 + icmp(11, 0) + quotedEcho4() << ParseStatus::Ok << 11 << 0
        << "203.0.113.9" << echo4Quote();
    QTest::newRow("host unreachable quoting icmp echo")
        << Parser::IcmpV4 << icmp(3, 1) + quotedEcho4() << ParseStatus::Ok << 3 << 1 << "" << echo4Quote();
    {
        ExpectedQuote q = udp4Quote();
        q.payload.clear();
        QTest::newRow("quoted udp header only") << Parser::IcmpV4 << icmp(11, 0) + quotedUdp4().first(28)
                                                << ParseStatus::Ok << 11 << 0 << "" << q;
        q.udpChecksum = 0;
        q.hasTransportHeader = false;
        QTest::newRow("quoted udp ports only") << Parser::IcmpV4 << icmp(11, 0) + quotedUdp4().first(24)
                                               << ParseStatus::Ok << 11 << 0 << "" << q;
        q.srcPort = 0;
        q.dstPort = 0;
        QTest::newRow("quoted ip header only") << Parser::IcmpV4 << icmp(11, 0) + quotedUdp4().first(20)
                                               << ParseStatus::Ok << 11 << 0 << "" << q;
    }
    {
        ExpectedQuote q = udp4Quote();
        q.payload = kProbe.first(4);
        QByteArray quoted = quotedUdp4();
        quoted[3] = 20 + 8 + 4; // total length says only 4 payload bytes were sent
        QTest::newRow("quoted total length shorter than quote")
            << Parser::IcmpV4 << icmp(11, 0) + quoted << ParseStatus::Ok << 11 << 0 << "" << q;
        quoted[3] = 10; // below the header: ignored
        QTest::newRow("quoted total length below header ignored")
            << Parser::IcmpV4 << icmp(11, 0) + quoted << ParseStatus::Ok << 11 << 0 << "" << udp4Quote();
    }
    {
        QByteArray quoted =
            ip4(kProtoUdp, kSrc4, kDst4, 1, 48) + h("94040000") + udp(40000, 33441, 24, 0xbeef) + kProbe;
        quoted[0] = 0x46; // router alert option
        QTest::newRow("quoted ip options")
            << Parser::IcmpV4 << icmp(11, 0) + quoted << ParseStatus::Ok << 11 << 0 << "" << udp4Quote();
    }
    {
        QByteArray quoted = quotedUdp4();
        quoted[6] = 0x00;
        quoted[7] = 0xb9; // fragment offset 185 * 8
        ExpectedQuote q = udp4Quote();
        q.srcPort = q.dstPort = q.udpChecksum = 0;
        q.hasTransportHeader = false;
        q.payload.clear();
        QTest::newRow("quoted non-first fragment")
            << Parser::IcmpV4 << icmp(11, 0) + quoted << ParseStatus::Ok << 11 << 0 << "" << q;
    }
    {
        ExpectedQuote q = echo4Quote();
        q.echoId = q.echoSeq = 0;
        q.hasTransportHeader = false;
        q.payload.clear();
        QTest::newRow("quoted icmp echo reply is not ours")
            << Parser::IcmpV4
            << icmp(11, 0) + ip4(kProtoIcmp, kSrc4, kDst4, 1, 44) + echo(0, 0x1234, 7) + kProbe
            << ParseStatus::NotInteresting << 11 << 0 << "" << q;
        q.protocol = 47;
        QTest::newRow("quoted protocol unknown (gre)")
            << Parser::IcmpV4 << icmp(11, 0) + ip4(47, kSrc4, kDst4, 1, 44) + h("0000 0800") + kProbe
            << ParseStatus::NotInteresting << 11 << 0 << "" << q;
    }

    // IPv6
    QTest::newRow("v6 time exceeded quoting udp")
        << Parser::IcmpV6 << icmp(3, 0) + quotedUdp6() << ParseStatus::Ok << 3 << 0 << "" << udp6Quote();
    QTest::newRow("v6 port unreachable quoting udp")
        << Parser::IcmpV6 << icmp(1, 4) + quotedUdp6() << ParseStatus::Ok << 1 << 4 << "" << udp6Quote();
    QTest::newRow("v6 packet too big quoting udp") << Parser::IcmpV6 << icmp(2, 0, "0000 0500") + quotedUdp6()
                                                   << ParseStatus::Ok << 2 << 0 << "" << udp6Quote();
    // A huge MTU puts a non-zero byte where types 1 and 3 keep the RFC 4884 length.
    QTest::newRow("v6 packet too big mtu is no length")
        << Parser::IcmpV6 << icmp(2, 0, "0100 0000") + quotedUdp6() << ParseStatus::Ok << 2 << 0 << ""
        << udp6Quote();
    QTest::newRow("v6 parameter problem quoting udp")
        << Parser::IcmpV6 << icmp(4, 0, "0000 0007") + quotedUdp6() << ParseStatus::Ok << 4 << 0 << ""
        << udp6Quote();
    {
        ExpectedQuote q = udp6Quote();
        q.protocol = kProtoTcp;
        q.dstPort = 443;
        q.udpChecksum = 0;
        q.tcpSeq = 1;
        q.payload.clear();
        QTest::newRow("v6 time exceeded quoting tcp (8 bytes)")
            << Parser::IcmpV6 << icmp(3, 0) + ip6(kProtoTcp, 20, 1) + tcp(40000, 443).first(8)
            << ParseStatus::Ok << 3 << 0 << "" << q;
    }
    QTest::newRow("v6 time exceeded quoting icmp echo")
        << Parser::IcmpV6 << icmp(3, 0) + quotedEcho6() << ParseStatus::Ok << 3 << 0 << "" << echo6Quote();
    QTest::newRow("v6 time exceeded quoting hop-by-hop and fragment")
        << Parser::IcmpV6 << icmp(3, 0) + quotedUdp6WithExtensions() << ParseStatus::Ok << 3 << 0 << ""
        << udp6Quote(2);
    {
        // Destination options (16 bytes) then routing header (24 bytes) then ICMPv6 echo.
        const QByteArray quoted = ip6(60, 40 + 24, 1) + h("2b01 0000 0000 0000 0000 0000 0000 0000") +
                                  h("3a02 0000 00000000") + QByteArray(16, '\0') + echo(128, 0x1234, 7) +
                                  kProbe;
        QTest::newRow("v6 quoting destination options and routing")
            << Parser::IcmpV6 << icmp(3, 0) + quoted << ParseStatus::Ok << 3 << 0 << "" << echo6Quote();
    }
    {
        // Authentication header: payload length 4 -> (4 + 2) * 4 = 24 bytes.
        const QByteArray ah = h("11 04 0000 00001000 00000001") + QByteArray(12, 'a');
        QTest::newRow("v6 quoting authentication header")
            << Parser::IcmpV6
            << icmp(3, 0) + ip6(51, 24 + 24, 1) + ah + udp(40000, 33441, 24, 0xbeef) + kProbe
            << ParseStatus::Ok << 3 << 0 << "" << udp6Quote();
    }
    {
        ExpectedQuote q = udp6Quote();
        q.srcPort = q.dstPort = q.udpChecksum = 0;
        q.hasTransportHeader = false;
        q.payload.clear();
        const QByteArray quoted = ip6(44, 8 + 100, 1) + h("11 00 05a8 12345678") + QByteArray(100, 'x');
        QTest::newRow("v6 quoted non-first fragment")
            << Parser::IcmpV6 << icmp(3, 0) + quoted << ParseStatus::Ok << 3 << 0 << "" << q;
    }
    {
        ExpectedQuote q = udp6Quote();
        q.payload = kProbe.first(2);
        QByteArray quoted = quotedUdp6();
        quoted[5] = 8 + 2; // payload length: two bytes of probe payload were sent
        QTest::newRow("v6 quoted payload length shorter than quote")
            << Parser::IcmpV6 << icmp(3, 0) + quoted << ParseStatus::Ok << 3 << 0 << "" << q;
    }
}

void TestPacket::errors()
{
    checkError();
}

void TestPacket::rfc4884_data()
{
    addErrorColumns();

    const QByteArray padding(100, 'P');
    // Extension structure: version 2 header, then one MPLS label stack object.
    const QByteArray extension = h("2000 0000 0008 0101 0001 01ff");

    // The quoted datagram claims 1500 bytes (as the original did), is cut and padded to
    // 128 bytes (32 words), then the extension follows.
    const QByteArray quoted4 =
        ip4(kProtoUdp, kSrc4, kDst4, 1, 1500) + udp(40000, 33441, 1480, 0xbeef) + padding;
    ExpectedQuote q4 = udp4Quote();
    q4.payload = padding;
    QTest::newRow("v4 length field excludes extension")
        << Parser::IcmpV4 << icmp(11, 0, "0020 0000") + quoted4 + extension << ParseStatus::Ok << 11 << 0
        << "" << q4;
    QTest::newRow("v4 raw length field excludes extension")
        << Parser::RawIpv4
        << ip4(kProtoIcmp, kHop4, kSrc4, 250, 20 + 8 + 128 + 12) + icmp(11, 0, "0020 0000") + quoted4 +
               extension
        << ParseStatus::Ok << 11 << 0 << "203.0.113.9" << q4;
    QTest::newRow("v4 parameter problem length after pointer")
        << Parser::IcmpV4 << icmp(12, 0, "0820 0000") + quoted4 + extension << ParseStatus::Ok << 12 << 0
        << "" << q4;
    ExpectedQuote withExtension = q4;
    withExtension.payload = padding + extension;
    QTest::newRow("v4 without length field the extension looks like payload")
        << Parser::IcmpV4 << icmp(11, 0) + quoted4 + extension << ParseStatus::Ok << 11 << 0 << ""
        << withExtension;
    QTest::newRow("v4 length beyond message uses what is there")
        << Parser::IcmpV4 << icmp(11, 0, "00ff 0000") + quoted4 + extension << ParseStatus::Ok << 11 << 0
        << "" << withExtension;
    // Short original padded with zeros to 128 bytes: total length trims the padding.
    QTest::newRow("v4 zero padding trimmed by total length")
        << Parser::IcmpV4 << icmp(11, 0, "0020 0000") + quotedUdp4() + QByteArray(128 - 44, '\0') + extension
        << ParseStatus::Ok << 11 << 0 << "" << udp4Quote();
    ExpectedQuote none;
    QTest::newRow("v4 length shorter than ip header")
        << Parser::IcmpV4 << icmp(11, 0, "0004 0000") + quoted4 + extension << ParseStatus::Truncated << 11
        << 0 << "" << none;

    // IPv6: byte 4 counts 64-bit words: 16 words = 128 bytes.
    const QByteArray padding6(80, 'P');
    const QByteArray quoted6 = ip6(kProtoUdp, 1452, 1) + udp(40000, 33441, 1452, 0xbeef) + padding6;
    ExpectedQuote q6 = udp6Quote();
    q6.payload = padding6;
    QTest::newRow("v6 time exceeded length field excludes extension")
        << Parser::IcmpV6 << icmp(3, 0, "1000 0000") + quoted6 + extension << ParseStatus::Ok << 3 << 0 << ""
        << q6;
    QTest::newRow("v6 unreachable length field excludes extension")
        << Parser::IcmpV6 << icmp(1, 3, "1000 0000") + quoted6 + extension << ParseStatus::Ok << 1 << 3 << ""
        << q6;
    ExpectedQuote withExtension6 = q6;
    withExtension6.payload = padding6 + extension;
    QTest::newRow("v6 without length field the extension looks like payload")
        << Parser::IcmpV6 << icmp(3, 0) + quoted6 + extension << ParseStatus::Ok << 3 << 0 << ""
        << withExtension6;
}

void TestPacket::rfc4884()
{
    checkError();
}

void TestPacket::prefixes_data()
{
    QTest::addColumn<Parser>("parser");
    QTest::addColumn<QByteArray>("bytes");

    const QByteArray outer4 = ip4(kProtoIcmp, kHop4, kSrc4, 250, 20 + 8 + 44);
    QTest::newRow("raw echo reply") << Parser::RawIpv4
                                    << ip4(kProtoIcmp, kDst4, kSrc4, 57, 44) + h("0000 0000 1234 0007") +
                                           kProbe;
    QTest::newRow("raw time exceeded quoting udp") << Parser::RawIpv4 << outer4 + icmp(11, 0) + quotedUdp4();
    QTest::newRow("raw time exceeded quoting echo")
        << Parser::RawIpv4 << outer4 + icmp(11, 0) + quotedEcho4();
    QTest::newRow("time exceeded quoting tcp")
        << Parser::IcmpV4
        << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 44) + tcp(40000, 80) + h("c0ffee00");
    QTest::newRow("v4 rfc4884") << Parser::IcmpV4
                                << icmp(11, 0, "0020 0000") + quotedUdp4() + QByteArray(128 - 44, '\0') +
                                       h("2000 0000 0008 0101 0001 01ff");
    QTest::newRow("v6 echo reply") << Parser::IcmpV6 << h("8100 0000 1234 0007") + kProbe;
    QTest::newRow("v6 time exceeded quoting udp") << Parser::IcmpV6 << icmp(3, 0) + quotedUdp6();
    QTest::newRow("v6 time exceeded quoting echo") << Parser::IcmpV6 << icmp(3, 0) + quotedEcho6();
    QTest::newRow("v6 with extension headers") << Parser::IcmpV6 << icmp(3, 0) + quotedUdp6WithExtensions();
}

// Every cut of a valid packet must parse without crashing, and whatever is reported Ok
// must agree with the full packet: a cut may lose fields, never change them.
void TestPacket::prefixes()
{
    QFETCH(Parser, parser);
    QFETCH(QByteArray, bytes);

    const IcmpMessage full = parse(parser, bytes);
    QCOMPARE(full.status, ParseStatus::Ok);
    const qsizetype minimum = (parser == Parser::RawIpv4 ? 20 : 0) + 8;
    for (qsizetype n = 0; n < bytes.size(); ++n) {
        // A copy the exact size of the cut, so the sanitizers see any overread.
        const QByteArray cut = bytes.first(n);
        const IcmpMessage m = parse(parser, cut);
        if (m.status != ParseStatus::Ok)
            continue;
        const QByteArray where = "prefix length " + QByteArray::number(n);
        QVERIFY2(n >= minimum, where);
        QVERIFY2(m.type == full.type && m.code == full.code && m.isError == full.isError, where);
        QVERIFY2(m.source == full.source, where);
        if (!m.isError) {
            QVERIFY2(m.echoId == full.echoId && m.echoSeq == full.echoSeq, where);
            QVERIFY2(full.echoPayload.startsWith(m.echoPayload), where);
            continue;
        }
        const QuotedProbe &q = m.quoted;
        const QuotedProbe &f = full.quoted;
        QVERIFY2(q.protocol == f.protocol && q.source == f.source && q.destination == f.destination, where);
        QVERIFY2(q.ttl == f.ttl, where);
        QVERIFY2(q.srcPort == 0 || (q.srcPort == f.srcPort && q.dstPort == f.dstPort), where);
        if (q.hasTransportHeader) {
            QVERIFY2(q.udpChecksum == f.udpChecksum, where);
            QVERIFY2(q.echoId == f.echoId && q.echoSeq == f.echoSeq, where);
        }
        QVERIFY2(f.payload.startsWith(q.payload), where);
    }
}

void TestPacket::oversized_data()
{
    QTest::addColumn<Parser>("parser");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("isError");
    QTest::addColumn<int>("payloadSize"); // echo payload or quoted transport payload

    const int size = 70000;
    auto garbage = [](const QByteArray &start, int total) {
        QByteArray b = start;
        for (int i = 0; b.size() < total; ++i)
            b.append(static_cast<char>(i * 131 + 7));
        return b;
    };
    QTest::newRow("v4 echo reply of 70000 bytes")
        << Parser::IcmpV4 << garbage(h("0000 0000 1234 0007") + kProbe, size) << false << size - 8;
    QTest::newRow("v4 raw packet in a 70000 byte buffer")
        << Parser::RawIpv4
        << garbage(ip4(kProtoIcmp, kDst4, kSrc4, 57, 44) + h("0000 0000 1234 0007") + kProbe, size) << false
        << 16;
    QTest::newRow("v4 raw claiming 65535 bytes in a 70000 byte buffer")
        << Parser::RawIpv4
        << garbage(ip4(kProtoIcmp, kDst4, kSrc4, 57, 65535) + h("0000 0000 1234 0007"), size) << false
        << 65535 - 28;
    QTest::newRow("v4 time exceeded quoting 70000 bytes")
        << Parser::IcmpV4
        << garbage(icmp(11, 0) + ip4(kProtoUdp, kSrc4, kDst4, 1, 65535) + udp(1, 2, 3, 4), size) << true
        << 65535 - 28;
    QTest::newRow("v6 time exceeded quoting 70000 bytes")
        << Parser::IcmpV6 << garbage(icmp(3, 0) + ip6(kProtoUdp, 65535, 1) + udp(1, 2, 3, 4), size) << true
        << 65535 - 8;
    QTest::newRow("v6 echo reply of 70000 bytes")
        << Parser::IcmpV6 << garbage(h("8100 0000 1234 0007"), size) << false << size - 8;
}

void TestPacket::oversized()
{
    QFETCH(Parser, parser);
    QFETCH(QByteArray, bytes);
    QFETCH(bool, isError);
    QFETCH(int, payloadSize);

    const IcmpMessage m = parse(parser, bytes);
    QCOMPARE(m.status, ParseStatus::Ok);
    QCOMPARE(m.isError, isError);
    QCOMPARE(int(isError ? m.quoted.payload.size() : m.echoPayload.size()), payloadSize);
}

void TestPacket::hostile_data()
{
    QTest::addColumn<Parser>("parser");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ParseStatus>("status");

    const QByteArray reply = h("0000 0000 1234 0007") + kProbe;
    const QByteArray header = ip4(kProtoIcmp, kDst4, kSrc4, 57, 44);
    auto patched = [](QByteArray b, int at, int value) {
        b[at] = static_cast<char>(value);
        return b;
    };

    // Outer IPv4 header
    QTest::newRow("raw empty") << Parser::RawIpv4 << QByteArray() << ParseStatus::Truncated;
    QTest::newRow("raw 19 bytes") << Parser::RawIpv4 << header.first(19) << ParseStatus::Truncated;
    QTest::newRow("raw ihl 15 with short buffer")
        << Parser::RawIpv4 << patched(header + reply, 0, 0x4f) << ParseStatus::Truncated;
    QTest::newRow("raw ihl 15 and nothing else") << Parser::RawIpv4 << h("4f") << ParseStatus::Truncated;
    QTest::newRow("raw ihl below 5") << Parser::RawIpv4 << patched(header + reply, 0, 0x44)
                                     << ParseStatus::Malformed;
    QTest::newRow("raw ihl 0") << Parser::RawIpv4 << patched(header + reply, 0, 0x40)
                               << ParseStatus::Malformed;
    QTest::newRow("raw total length below ihl")
        << Parser::RawIpv4 << patched(header + reply, 3, 19) << ParseStatus::Malformed;
    QTest::newRow("raw total length zero")
        << Parser::RawIpv4 << patched(header + reply, 3, 0) << ParseStatus::Malformed;
    QTest::newRow("raw version 6 in v4 parser")
        << Parser::RawIpv4 << h("8100 0000 1234 0007") + ip6(kProtoIcmp6, 8, 64) << ParseStatus::Malformed;
    QTest::newRow("raw ipv6 packet in v4 parser")
        << Parser::RawIpv4 << ip6(kProtoIcmp6, 8, 64) + reply.first(8) << ParseStatus::Malformed;
    QTest::newRow("raw not icmp") << Parser::RawIpv4 << patched(header + reply, 9, kProtoUdp)
                                  << ParseStatus::NotInteresting;
    QTest::newRow("raw non-first fragment")
        << Parser::RawIpv4 << patched(header + reply, 7, 0x10) << ParseStatus::NotInteresting;
    QTest::newRow("raw header only") << Parser::RawIpv4 << patched(header, 3, 20) << ParseStatus::Truncated;
    QTest::newRow("raw total length cuts icmp header")
        << Parser::RawIpv4 << patched(header + reply, 3, 24) << ParseStatus::Truncated;

    // ICMPv4
    QTest::newRow("v4 empty") << Parser::IcmpV4 << QByteArray() << ParseStatus::Truncated;
    QTest::newRow("v4 7 bytes") << Parser::IcmpV4 << reply.first(7) << ParseStatus::Truncated;
    QTest::newRow("v4 echo request") << Parser::IcmpV4 << echo(8, 1, 2) + kProbe
                                     << ParseStatus::NotInteresting;
    QTest::newRow("v4 redirect") << Parser::IcmpV4 << icmp(5, 1, "cb007109") + quotedUdp4()
                                 << ParseStatus::NotInteresting;
    QTest::newRow("v4 timestamp reply")
        << Parser::IcmpV4 << icmp(14, 0) + QByteArray(12, '\0') << ParseStatus::NotInteresting;
    QTest::newRow("v4 time exceeded quoting nothing")
        << Parser::IcmpV4 << icmp(11, 0) << ParseStatus::Truncated;
    QTest::newRow("v4 time exceeded quoting 19 bytes")
        << Parser::IcmpV4 << icmp(11, 0) + quotedUdp4().first(19) << ParseStatus::Truncated;
    QTest::newRow("v4 quoted ihl 15 with short quote")
        << Parser::IcmpV4 << icmp(11, 0) + patched(quotedUdp4(), 0, 0x4f) << ParseStatus::Truncated;
    QTest::newRow("v4 quoted ihl below 5")
        << Parser::IcmpV4 << icmp(11, 0) + patched(quotedUdp4(), 0, 0x42) << ParseStatus::Malformed;
    QTest::newRow("v4 quoted version 6")
        << Parser::IcmpV4 << icmp(11, 0) + quotedUdp6() << ParseStatus::Malformed;
    QTest::newRow("v4 quoted protocol unknown")
        << Parser::IcmpV4 << icmp(3, 3) + patched(quotedUdp4(), 9, 132) << ParseStatus::NotInteresting;
    {
        QByteArray fragment = patched(quotedUdp4(), 9, 47);
        fragment[7] = 0x20; // non-first fragment of a protocol tracemap never sends
        QTest::newRow("v4 quoted later fragment of unknown protocol")
            << Parser::IcmpV4 << icmp(11, 0) + fragment << ParseStatus::NotInteresting;
    }
    QTest::newRow("v4 quoted icmpv6 in ipv4")
        << Parser::IcmpV4 << icmp(11, 0) + patched(quotedEcho4(), 9, kProtoIcmp6)
        << ParseStatus::NotInteresting;

    // ICMPv6
    QTest::newRow("v6 empty") << Parser::IcmpV6 << QByteArray() << ParseStatus::Truncated;
    QTest::newRow("v6 router advertisement")
        << Parser::IcmpV6 << icmp(134, 0, "40000708") + QByteArray(8, '\0') << ParseStatus::NotInteresting;
    QTest::newRow("v6 echo request") << Parser::IcmpV6 << echo(128, 1, 2) << ParseStatus::NotInteresting;
    QTest::newRow("v6 v4 echo reply type") << Parser::IcmpV6 << reply << ParseStatus::NotInteresting;
    QTest::newRow("v6 quoted version 4")
        << Parser::IcmpV6 << icmp(3, 0) + quotedUdp4() << ParseStatus::Malformed;
    QTest::newRow("v6 quoted 39 bytes")
        << Parser::IcmpV6 << icmp(3, 0) + quotedUdp6().first(39) << ParseStatus::Truncated;
    {
        // Nine hop-by-hop headers in a row: more than any real packet, must be refused.
        QByteArray chain = ip6(0, 9 * 8 + 24, 1);
        for (int i = 0; i < 9; ++i)
            chain += h("00 00 0104 00000000");
        chain += udp(40000, 33441, 24, 0xbeef) + kProbe;
        QTest::newRow("v6 extension chain too long")
            << Parser::IcmpV6 << icmp(3, 0) + chain << ParseStatus::Malformed;
    }
    QTest::newRow("v6 extension header huge length")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(0, 65535, 1) + h("11 ff 0000 00000000") + QByteArray(64, '\0')
        << ParseStatus::Truncated;
    QTest::newRow("v6 extension length beyond payload length")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(60, 8, 1) + h("11 01 0000 00000000") + QByteArray(32, '\0')
        << ParseStatus::Truncated;
    QTest::newRow("v6 fragment header cut")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(44, 8, 1) + h("11 00 0001") << ParseStatus::Truncated;
    QTest::newRow("v6 extension header cut before its length")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(0, 8, 1) + h("11") << ParseStatus::Truncated;
    QTest::newRow("v6 quoted later fragment of unknown protocol")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(44, 16, 1) + h("2f 00 05a8 12345678") + QByteArray(8, 'x')
        << ParseStatus::NotInteresting;
    QTest::newRow("v6 no next header")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(59, 0, 1) << ParseStatus::NotInteresting;
    QTest::newRow("v6 quoted echo reply is not ours")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(kProtoIcmp6, 8, 1) + echo(129, 1, 2)
        << ParseStatus::NotInteresting;
    QTest::newRow("v6 quoted icmpv4") << Parser::IcmpV6 << icmp(3, 0) + ip6(kProtoIcmp, 8, 1) + echo(8, 1, 2)
                                      << ParseStatus::NotInteresting;
    QTest::newRow("v6 rfc4884 length shorter than ip header")
        << Parser::IcmpV6 << icmp(3, 0, "0100 0000") + quotedUdp6() << ParseStatus::Truncated;
}

void TestPacket::hostile()
{
    QFETCH(Parser, parser);
    QFETCH(QByteArray, bytes);
    QFETCH(ParseStatus, status);
    const IcmpMessage m = parse(parser, bytes);
    QCOMPARE(m.status, status);
}

void TestPacket::quotedDirect_data()
{
    QTest::addColumn<bool>("ipv6");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("usable");
    QTest::addColumn<int>("protocol");

    QTest::newRow("v4 udp") << false << quotedUdp4() << true << kProtoUdp;
    QTest::newRow("v4 protocol unknown still usable") << false << ip4(47, kSrc4, kDst4, 1, 20) << true << 47;
    QTest::newRow("v4 empty") << false << QByteArray() << false << -1;
    QTest::newRow("v4 19 bytes") << false << quotedUdp4().first(19) << false << -1;
    QTest::newRow("v4 wrong version") << false << quotedUdp6() << false << -1;
    QTest::newRow("v6 udp") << true << quotedUdp6() << true << kProtoUdp;
    QTest::newRow("v6 icmp echo") << true << quotedEcho6() << true << kProtoIcmp6;
    QTest::newRow("v6 extensions") << true << quotedUdp6WithExtensions() << true << kProtoUdp;
    QTest::newRow("v6 39 bytes") << true << quotedUdp6().first(39) << false << -1;
    QTest::newRow("v6 wrong version") << true << quotedUdp4() << false << -1;
    QTest::newRow("v6 chain cut: header usable, protocol unknown")
        << true << ip6(0, 8, 1) + h("11 00 0104") << true << -1;
}

void TestPacket::quotedDirect()
{
    QFETCH(bool, ipv6);
    QFETCH(QByteArray, bytes);
    QFETCH(bool, usable);
    QFETCH(int, protocol);

    // Pre-filled as a reused object would be: nothing stale may survive.
    QuotedProbe q;
    q.protocol = 99;
    q.srcPort = 1;
    q.echoSeq = 2;
    q.hasTransportHeader = true;
    q.tcpSeq = 3;
    q.payload = "stale";
    QCOMPARE(ipv6 ? parseQuotedIpv6(bytes, &q) : parseQuotedIpv4(bytes, &q), usable);
    QCOMPARE(q.protocol, protocol);
    const bool transport = protocol == kProtoUdp || protocol == kProtoIcmp6;
    QCOMPARE(q.hasTransportHeader, transport);
    QCOMPARE(q.srcPort, quint16(protocol == kProtoUdp ? 40000 : 0));
    QVERIFY(q.payload != "stale");
    QCOMPARE(q.tcpSeq, quint32(0));
    QCOMPARE(q.echoSeq, quint16(protocol == kProtoIcmp6 ? 7 : 0));
}

void TestPacket::quotedTcpSeq_data()
{
    QTest::addColumn<Parser>("parser");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("hasTransportHeader");
    QTest::addColumn<quint32>("tcpSeq");

    const QByteArray syn4 = tcpHeader(40000, 443, 0x12340007, 0, 0x02);
    const QByteArray syn6 = tcpHeader(40000, 443, 0xfedcba98, 0, 0x02);
    QTest::newRow("v4 8 bytes") << Parser::IcmpV4
                                << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 40) + syn4.first(8) << true
                                << quint32(0x12340007);
    QTest::newRow("v4 whole header") << Parser::IcmpV4
                                     << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 40) + syn4 << true
                                     << quint32(0x12340007);
    QTest::newRow("v4 raw") << Parser::RawIpv4
                            << ip4(kProtoIcmp, kHop4, kSrc4, 250, 56) + icmp(11, 0) +
                                   ip4(kProtoTcp, kSrc4, kDst4, 1, 40) + syn4.first(8)
                            << true << quint32(0x12340007);
    QTest::newRow("v4 7 bytes: no seq")
        << Parser::IcmpV4 << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 40) + syn4.first(7) << false
        << quint32(0);
    QTest::newRow("v4 total length cuts the seq")
        << Parser::IcmpV4 << icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 26) + syn4 << false << quint32(0);
    QTest::newRow("v6 8 bytes") << Parser::IcmpV6 << icmp(3, 0) + ip6(kProtoTcp, 20, 1) + syn6.first(8)
                                << true << quint32(0xfedcba98);
    QTest::newRow("v6 unreachable whole header")
        << Parser::IcmpV6 << icmp(1, 4) + ip6(kProtoTcp, 20, 1) + syn6 << true << quint32(0xfedcba98);
    QTest::newRow("v6 4 bytes: ports only")
        << Parser::IcmpV6 << icmp(3, 0) + ip6(kProtoTcp, 20, 1) + syn6.first(4) << false << quint32(0);
    QTest::newRow("udp quote has no tcp seq")
        << Parser::IcmpV4 << icmp(11, 0) + quotedUdp4() << true << quint32(0);
}

void TestPacket::quotedTcpSeq()
{
    QFETCH(Parser, parser);
    QFETCH(QByteArray, bytes);
    QFETCH(bool, hasTransportHeader);
    QFETCH(quint32, tcpSeq);

    const IcmpMessage m = parse(parser, bytes);
    QCOMPARE(m.status, ParseStatus::Ok);
    QVERIFY(m.isError);
    QCOMPARE(m.quoted.hasTransportHeader, hasTransportHeader);
    QCOMPARE(m.quoted.tcpSeq, tcpSeq);
    if (m.quoted.protocol == kProtoTcp && bytes.size() >= 4)
        QCOMPARE(m.quoted.srcPort, quint16(40000));
}

void TestPacket::tcpSyn_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<int>("srcPort");
    QTest::addColumn<int>("dstPort");
    QTest::addColumn<quint32>("seq");
    QTest::addColumn<QByteArray>("expected"); // checksums computed independently

    QTest::newRow("v4") << "192.0.2.1"
                        << "198.51.100.7" << 40000 << 80 << quint32(0xdeadbeef)
                        << h("9c40 0050 deadbeef 00000000 6002 faf0 76cb 0000 0204 05b4");
    QTest::newRow("v6") << "2001:db8::1"
                        << "2001:db8::2" << 40000 << 443 << quint32(0x12340007)
                        << h("9c40 01bb 12340007 00000000 6002 faf0 919e 0000 0204 05a0");
    QTest::newRow("mixed families") << "192.0.2.1"
                                    << "2001:db8::2" << 1 << 2 << quint32(3) << QByteArray();
    QTest::newRow("no source") << ""
                               << "198.51.100.7" << 1 << 2 << quint32(3) << QByteArray();
}

void TestPacket::tcpSyn()
{
    QFETCH(QString, source);
    QFETCH(QString, destination);
    QFETCH(int, srcPort);
    QFETCH(int, dstPort);
    QFETCH(quint32, seq);
    QFETCH(QByteArray, expected);

    const QHostAddress src(source), dst(destination);
    const QByteArray syn = buildTcpSyn(src, dst, quint16(srcPort), quint16(dstPort), seq);
    QCOMPARE(syn.toHex(' '), expected.toHex(' '));
    if (syn.isEmpty())
        return;
    QCOMPARE(tcpChecksum(src, dst, syn), quint16(0)); // the checksum field verifies
    const TcpSegment parsed = parseTcp(syn);
    QCOMPARE(parsed.status, ParseStatus::Ok);
    QCOMPARE(parsed.srcPort, quint16(srcPort));
    QCOMPARE(parsed.dstPort, quint16(dstPort));
    QCOMPARE(parsed.seq, seq);
    QCOMPARE(parsed.flags, kTcpSyn);
    // An ICMP error quoting its first 8 bytes names the probe.
    const QByteArray quoted = dst.protocol() == QAbstractSocket::IPv6Protocol
                                  ? icmp(3, 0) + ip6(kProtoTcp, 24, 1) + syn.first(8)
                                  : icmp(11, 0) + ip4(kProtoTcp, kSrc4, kDst4, 1, 44) + syn.first(8);
    const IcmpMessage m =
        dst.protocol() == QAbstractSocket::IPv6Protocol ? parseIcmpV6(quoted) : parseIcmpV4(quoted);
    QCOMPARE(m.status, ParseStatus::Ok);
    QCOMPARE(m.quoted.protocol, kProtoTcp);
    QCOMPARE(m.quoted.tcpSeq, seq);
    QCOMPARE(m.quoted.dstPort, quint16(dstPort));
}

void TestPacket::tcpSegment_data()
{
    QTest::addColumn<TcpParser>("parser");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ParseStatus>("status");
    QTest::addColumn<QString>("source"); // IPv4 header only
    QTest::addColumn<int>("srcPort");
    QTest::addColumn<int>("dstPort");
    QTest::addColumn<quint32>("seq");
    QTest::addColumn<quint32>("ack");
    QTest::addColumn<int>("flags");

    const QByteArray synAck = tcpHeader(443, 40000, 0xcafef00d, 0x12340008, 0x12, h("0204 05b4"));
    const QByteArray rst = tcpHeader(80, 40000, 0, 0xdeadbef0, 0x14);
    const QByteArray synAck4 = ip4(kProtoTcp, kDst4, kSrc4, 60, 44) + synAck;

    QTest::newRow("v6 syn-ack") << TcpParser::Bare << synAck << ParseStatus::Ok << "" << 443 << 40000
                                << quint32(0xcafef00d) << quint32(0x12340008) << 0x12;
    QTest::newRow("v6 rst") << TcpParser::Bare << rst << ParseStatus::Ok << "" << 80 << 40000 << quint32(0)
                            << quint32(0xdeadbef0) << 0x14;
    QTest::newRow("v6 with data") << TcpParser::Bare << rst + h("01020304") << ParseStatus::Ok << "" << 80
                                  << 40000 << quint32(0) << quint32(0xdeadbef0) << 0x14;
    QTest::newRow("v4 syn-ack") << TcpParser::RawIpv4 << synAck4 << ParseStatus::Ok << "198.51.100.7" << 443
                                << 40000 << quint32(0xcafef00d) << quint32(0x12340008) << 0x12;
    QTest::newRow("v4 rst") << TcpParser::RawIpv4 << ip4(kProtoTcp, kDst4, kSrc4, 60, 40) + rst
                            << ParseStatus::Ok << "198.51.100.7" << 80 << 40000 << quint32(0)
                            << quint32(0xdeadbef0) << 0x14;
    QTest::newRow("v4 with options") << TcpParser::RawIpv4
                                     << h("46 00 002c 1c46 0000 3c 06 0000") + kDst4 + kSrc4 + h("01010100") +
                                            rst
                                     << ParseStatus::Ok << "198.51.100.7" << 80 << 40000 << quint32(0)
                                     << quint32(0xdeadbef0) << 0x14;
    QTest::newRow("v4 trailing bytes past total length")
        << TcpParser::RawIpv4 << ip4(kProtoTcp, kDst4, kSrc4, 60, 40) + rst + h("ffffffff") << ParseStatus::Ok
        << "198.51.100.7" << 80 << 40000 << quint32(0) << quint32(0xdeadbef0) << 0x14;

    // Truncated and hostile input.
    QTest::newRow("empty") << TcpParser::Bare << QByteArray() << ParseStatus::Truncated << "" << 0 << 0
                           << quint32(0) << quint32(0) << 0;
    QTest::newRow("19 bytes") << TcpParser::Bare << rst.first(19) << ParseStatus::Truncated << "" << 0 << 0
                              << quint32(0) << quint32(0) << 0;
    QTest::newRow("options cut") << TcpParser::Bare << synAck.first(22) << ParseStatus::Truncated << "" << 0
                                 << 0 << quint32(0) << quint32(0) << 0;
    {
        QByteArray bad = rst;
        bad[12] = 0x40; // data offset 4 words: shorter than the header
        QTest::newRow("data offset too small") << TcpParser::Bare << bad << ParseStatus::Malformed << "" << 0
                                               << 0 << quint32(0) << quint32(0) << 0;
        bad[12] = char(0xf0); // 60 bytes claimed, 20 present
        QTest::newRow("data offset beyond the segment") << TcpParser::Bare << bad << ParseStatus::Truncated
                                                        << "" << 0 << 0 << quint32(0) << quint32(0) << 0;
    }
    QTest::newRow("v4 empty") << TcpParser::RawIpv4 << QByteArray() << ParseStatus::Truncated << "" << 0 << 0
                              << quint32(0) << quint32(0) << 0;
    QTest::newRow("v4 header cut") << TcpParser::RawIpv4 << synAck4.first(19) << ParseStatus::Truncated << ""
                                   << 0 << 0 << quint32(0) << quint32(0) << 0;
    QTest::newRow("v4 segment cut") << TcpParser::RawIpv4 << synAck4.first(30) << ParseStatus::Truncated
                                    << "198.51.100.7" << 0 << 0 << quint32(0) << quint32(0) << 0;
    QTest::newRow("v4 total length cuts the segment")
        << TcpParser::RawIpv4 << ip4(kProtoTcp, kDst4, kSrc4, 60, 30) + rst << ParseStatus::Truncated
        << "198.51.100.7" << 0 << 0 << quint32(0) << quint32(0) << 0;
    QTest::newRow("v4 total length below header")
        << TcpParser::RawIpv4 << ip4(kProtoTcp, kDst4, kSrc4, 60, 19) + rst << ParseStatus::Malformed << ""
        << 0 << 0 << quint32(0) << quint32(0) << 0;
    QTest::newRow("v4 ihl 4") << TcpParser::RawIpv4 << h("44") + synAck4.sliced(1) << ParseStatus::Malformed
                              << "" << 0 << 0 << quint32(0) << quint32(0) << 0;
    QTest::newRow("v4 version 6") << TcpParser::RawIpv4 << h("65") + synAck4.sliced(1)
                                  << ParseStatus::Malformed << "" << 0 << 0 << quint32(0) << quint32(0) << 0;
    QTest::newRow("v4 udp") << TcpParser::RawIpv4 << ip4(kProtoUdp, kDst4, kSrc4, 60, 40) + rst
                            << ParseStatus::NotInteresting << "198.51.100.7" << 0 << 0 << quint32(0)
                            << quint32(0) << 0;
    {
        QByteArray fragment = ip4(kProtoTcp, kDst4, kSrc4, 60, 40) + rst;
        fragment[7] = 0x10; // fragment offset 16*8: no TCP header here
        QTest::newRow("v4 later fragment") << TcpParser::RawIpv4 << fragment << ParseStatus::NotInteresting
                                           << "198.51.100.7" << 0 << 0 << quint32(0) << quint32(0) << 0;
    }
}

void TestPacket::tcpSegment()
{
    QFETCH(TcpParser, parser);
    QFETCH(QByteArray, bytes);
    QFETCH(ParseStatus, status);
    QFETCH(QString, source);
    QFETCH(int, srcPort);
    QFETCH(int, dstPort);
    QFETCH(quint32, seq);
    QFETCH(quint32, ack);
    QFETCH(int, flags);

    const TcpSegment s = parser == TcpParser::RawIpv4 ? parseIpv4Tcp(bytes) : parseTcp(bytes);
    QCOMPARE(s.status, status);
    QCOMPARE(s.source.toString(), source);
    if (!source.isEmpty())
        QCOMPARE(s.destination.toString(), QStringLiteral("192.0.2.1"));
    QCOMPARE(s.srcPort, quint16(srcPort));
    QCOMPARE(s.dstPort, quint16(dstPort));
    QCOMPARE(s.seq, seq);
    QCOMPARE(s.ack, ack);
    QCOMPARE(int(s.flags), flags);
    QCOMPARE(s.isSynAck(), status == ParseStatus::Ok && flags == 0x12);
    QCOMPARE(s.isRst(), status == ParseStatus::Ok && (flags & 0x04) != 0);
}

void TestPacket::match_data()
{
    QTest::addColumn<Matcher>("matcher");
    QTest::addColumn<bool>("ipv6");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("from");  // the sender the socket reported
    QTest::addColumn<int>("socketSeq"); // UDP: the probe of a per-probe socket; -1 a shared one
    QTest::addColumn<MatchVerdict>("verdict");
    QTest::addColumn<int>("seq");
    QTest::addColumn<QString>("responder");
    QTest::addColumn<int>("icmpType");
    QTest::addColumn<bool>("tcpReset");

    const MatchVerdict probe = MatchVerdict::Probe, stray = MatchVerdict::Stray,
                       foreign = MatchVerdict::Foreign;
    const QByteArray otherToken = h("544d4150 01020304 0007 0000 00000000");
    const QString dst4 = QStringLiteral("198.51.100.7"), hop4 = QStringLiteral("203.0.113.9");
    const QString dst6 = QStringLiteral("2001:db8::2"), hop6 = QStringLiteral("2001:db8:ffff::1");

    // UDP error queue: the quoted payload (or a per-probe socket) names the probe.
    const Matcher udpq = Matcher::UdpErrorQueue;
    QTest::newRow("udp queue: payload names the probe")
        << udpq << false << kProbe << "" << -1 << probe << 7 << "" << -1 << false;
    QTest::newRow("udp queue: another trace's token")
        << udpq << false << otherToken << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("udp queue: per-probe socket agrees")
        << udpq << false << kProbe << "" << 7 << probe << 7 << "" << -1 << false;
    QTest::newRow("udp queue: per-probe socket disagrees")
        << udpq << false << kProbe << "" << 8 << stray << 0 << "" << -1 << false;
    QTest::newRow("udp queue: nothing quoted, per-probe socket")
        << udpq << false << QByteArray() << "" << 9 << probe << 9 << "" << -1 << false;
    QTest::newRow("udp queue: nothing quoted, shared socket")
        << udpq << false << QByteArray() << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("udp queue: two bytes")
        << udpq << false << h("0102") << "" << 5 << stray << 0 << "" << -1 << false;

    // ICMP error queue: the quoted echo request, without its IP header.
    const Matcher icmpq = Matcher::IcmpErrorQueue;
    QTest::newRow("icmp queue: echo with payload")
        << icmpq << false << echo(8, 0x1234, 7) + kProbe << "" << -1 << probe << 7 << "" << -1 << false;
    QTest::newRow("icmp queue: header only")
        << icmpq << false << echo(8, 0x1234, 7) << "" << -1 << probe << 7 << "" << -1 << false;
    QTest::newRow("icmp queue: payload names another seq")
        << icmpq << false << echo(8, 0x1234, 8) + kProbe << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("icmp queue: another trace's token")
        << icmpq << false << echo(8, 0x1234, 7) + otherToken << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("icmp queue: 7 bytes")
        << icmpq << false << echo(8, 0x1234, 7).first(7) << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("icmp queue: an echo reply")
        << icmpq << false << echo(0, 0x1234, 7) + kProbe << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("icmp queue: v6 echo")
        << icmpq << true << echo(128, 0x1234, 7) + kProbe << "" << -1 << probe << 7 << "" << -1 << false;
    QTest::newRow("icmp queue: v4 echo on v6")
        << icmpq << true << echo(8, 0x1234, 7) + kProbe << "" << -1 << stray << 0 << "" << -1 << false;

    // ICMP sockets: echo replies, and errors on raw sockets.
    const Matcher raw = Matcher::IcmpRawSocket, dgram = Matcher::IcmpDatagramSocket;
    const QByteArray reply4 = ip4(kProtoIcmp, kDst4, kSrc4, 60, 44) + echo(0, 0x1234, 7) + kProbe;
    QTest::newRow("raw: echo reply") << raw << false << reply4 << "" << -1 << probe << 7 << dst4 << 0
                                     << false;
    QTest::newRow("raw: echo reply, another id")
        << raw << false << ip4(kProtoIcmp, kDst4, kSrc4, 60, 44) + echo(0, 0x4321, 7) + kProbe << "" << -1
        << stray << 0 << "" << -1 << false;
    QTest::newRow("raw: echo reply from another host")
        << raw << false << ip4(kProtoIcmp, kHop4, kSrc4, 60, 44) + echo(0, 0x1234, 7) + kProbe << "" << -1
        << stray << 0 << "" << -1 << false;
    QTest::newRow("dgram: echo reply, the kernel's id")
        << dgram << false << echo(0, 0x9999, 7) + kProbe << dst4 << -1 << probe << 7 << dst4 << 0 << false;
    QTest::newRow("dgram: echo reply, payload names another seq")
        << dgram << false << echo(0, 0x9999, 8) + kProbe << dst4 << -1 << stray << 0 << "" << -1 << false;
    const QByteArray exceeded4 = ip4(kProtoIcmp, kHop4, kSrc4, 250, 72) + icmp(11, 0);
    QTest::newRow("raw: time exceeded quoting our echo")
        << raw << false << exceeded4 + quotedEcho4() << "" << -1 << probe << 7 << hop4 << 11 << false;
    QTest::newRow("raw: time exceeded quoting another program's echo")
        << raw << false << exceeded4 + ip4(kProtoIcmp, kSrc4, kDst4, 1, 44) + echo(8, 0x4321, 7) + kProbe
        << "" << -1 << foreign << 0 << "" << -1 << false;
    QTest::newRow("raw: time exceeded quoting another trace's token")
        << raw << false << exceeded4 + ip4(kProtoIcmp, kSrc4, kDst4, 1, 44) + echo(8, 0x1234, 7) + otherToken
        << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("raw: time exceeded quoting a udp probe")
        << raw << false << exceeded4 + quotedUdp4() << "" << -1 << foreign << 0 << "" << -1 << false;
    QTest::newRow("dgram: errors come through the queue")
        << dgram << false << icmp(11, 0) + quotedEcho4() << hop4 << -1 << foreign << 0 << "" << -1 << false;
    QTest::newRow("dgram: v6 echo reply")
        << dgram << true << echo(129, 0x9999, 7) + kProbe << dst6 << -1 << probe << 7 << dst6 << 129 << false;
    QTest::newRow("raw: v6 time exceeded")
        << raw << true << icmp(3, 0) + quotedEcho6() << hop6 << -1 << probe << 7 << hop6 << 3 << false;
    QTest::newRow("raw: not icmp") << raw << false << ip4(kProtoUdp, kDst4, kSrc4, 60, 28) + udp(1, 2, 8, 0)
                                   << "" << -1 << foreign << 0 << "" << -1 << false;
    QTest::newRow("raw: one byte") << raw << false << h("45") << "" << -1 << stray << 0 << "" << -1 << false;

    // Raw TCP: SYN-ACK / RST acknowledging our sequence (token 0xdead.., probe 7).
    const Matcher seg = Matcher::TcpSegment;
    const QByteArray in4 = ip4(kProtoTcp, kDst4, kSrc4, 60, 40);
    QTest::newRow("tcp: syn-ack") << seg << false << in4 + tcpHeader(443, 40000, 1, 0xdead0008, 0x12) << ""
                                  << -1 << probe << 7 << dst4 << -1 << false;
    QTest::newRow("tcp: rst") << seg << false << in4 + tcpHeader(443, 40000, 0, 0xdead0008, 0x14) << "" << -1
                              << probe << 7 << dst4 << -1 << true;
    QTest::newRow("tcp: other ports") << seg << false << in4 + tcpHeader(443, 40001, 1, 0xdead0008, 0x12)
                                      << "" << -1 << foreign << 0 << "" << -1 << false;
    QTest::newRow("tcp: another trace's sequence")
        << seg << false << in4 + tcpHeader(443, 40000, 1, 0xbeef0008, 0x12) << "" << -1 << stray << 0 << ""
        << -1 << false;
    QTest::newRow("tcp: syn without ack") << seg << false << in4 + tcpHeader(443, 40000, 1, 0xdead0008, 0x02)
                                          << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("tcp: from another host")
        << seg << false << ip4(kProtoTcp, kHop4, kSrc4, 60, 40) + tcpHeader(443, 40000, 1, 0xdead0008, 0x12)
        << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("tcp: v6 syn-ack") << seg << true << tcpHeader(443, 40000, 1, 0xdead0008, 0x12) << dst6
                                     << -1 << probe << 7 << dst6 << -1 << false;

    // Raw TCP's ICMP socket: errors quoting the first 8 bytes of our SYN.
    const Matcher tcpIcmp = Matcher::TcpIcmpError;
    const QByteArray syn =
        ip4(kProtoTcp, kSrc4, kDst4, 1, 40) + tcpHeader(40000, 443, 0xdead0007, 0, 0x02).first(8);
    QTest::newRow("tcp icmp: time exceeded quoting our syn")
        << tcpIcmp << false << exceeded4 + syn << "" << -1 << probe << 7 << hop4 << 11 << false;
    QTest::newRow("tcp icmp: another connection") << tcpIcmp << false
                                                  << exceeded4 + ip4(kProtoTcp, kSrc4, kDst4, 1, 40) +
                                                         tcpHeader(40001, 443, 0xdead0007, 0, 0x02).first(8)
                                                  << "" << -1 << foreign << 0 << "" << -1 << false;
    QTest::newRow("tcp icmp: another trace's sequence")
        << tcpIcmp << false
        << exceeded4 + ip4(kProtoTcp, kSrc4, kDst4, 1, 40) +
               tcpHeader(40000, 443, 0xbeef0007, 0, 0x02).first(8)
        << "" << -1 << stray << 0 << "" << -1 << false;
    QTest::newRow("tcp icmp: an echo reply")
        << tcpIcmp << false << reply4 << "" << -1 << foreign << 0 << "" << -1 << false;
}

void TestPacket::match()
{
    QFETCH(Matcher, matcher);
    QFETCH(bool, ipv6);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, from);
    QFETCH(int, socketSeq);
    QFETCH(MatchVerdict, verdict);
    QFETCH(int, seq);
    QFETCH(QString, responder);
    QFETCH(int, icmpType);
    QFETCH(bool, tcpReset);

    MatchContext c;
    c.ipv6 = ipv6;
    c.destination = QHostAddress(ipv6 ? QStringLiteral("2001:db8::2") : QStringLiteral("198.51.100.7"));
    c.source = QHostAddress(ipv6 ? QStringLiteral("2001:db8::1") : QStringLiteral("192.0.2.1"));
    c.token = 0xdeadbeef;
    c.echoId = 0x1234;
    c.srcPort = 40000;
    c.dstPort = 443;
    const QHostAddress sender(from);
    ProbeMatch m;
    switch (matcher) {
    case Matcher::UdpErrorQueue:
        m = matchUdpErrorQueue(c, bytes, socketSeq >= 0, socketSeq);
        break;
    case Matcher::IcmpErrorQueue:
        m = matchIcmpErrorQueue(c, bytes);
        break;
    case Matcher::IcmpRawSocket:
    case Matcher::IcmpDatagramSocket:
        m = matchIcmpSocket(c, bytes, matcher == Matcher::IcmpRawSocket, sender);
        break;
    case Matcher::TcpSegment:
        m = matchTcpSegment(c, bytes, sender);
        break;
    case Matcher::TcpIcmpError:
        m = matchTcpIcmpError(c, bytes, sender);
        break;
    }
    QCOMPARE(int(m.verdict), int(verdict));
    if (verdict != MatchVerdict::Probe)
        return;
    QCOMPARE(int(m.seq), seq);
    QCOMPARE(m.responder.toString(), responder);
    QCOMPARE(m.icmpType, icmpType);
    QCOMPARE(m.tcpReset, tcpReset);
}

QTEST_APPLESS_MAIN(TestPacket)
#include "tst_packet.moc"
