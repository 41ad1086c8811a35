// The agent's pure policy functions: IPv4 embedded in IPv6 (every form), the default refusal
// of internal ranges on a non-loopback listener, the port allow list, connection admission,
// the rate-limited rejection log and the DNS failure cache. No sockets, no clock.
#include "connectiongate.h"
#include "destinationpolicy.h"
#include "resolver.h"

#include <QTest>

using namespace tracemap::agent;

Q_DECLARE_METATYPE(tracemap::agent::GateCounts)

namespace {

Config configWith(const QByteArray &deny, const QByteArray &allow, bool denyInternal)
{
    Config c;
    for (const QByteArray &text : deny.split(',')) {
        Prefix p;
        if (parsePrefix(QString::fromLatin1(text), &p))
            c.deny.append(p);
    }
    for (const QByteArray &text : allow.split(',')) {
        Prefix p;
        if (parsePrefix(QString::fromLatin1(text), &p))
            c.allow.append(p);
    }
    c.denyInternal = denyInternal;
    return c;
}

} // namespace

class tst_AgentPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void embedded_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("IPv4-mapped") << "::ffff:127.0.0.1" << QStringList{"127.0.0.1"};
        QTest::newRow("IPv4-compatible") << "::127.0.0.1" << QStringList{"127.0.0.1"};
        QTest::newRow("NAT64 well-known prefix") << "64:ff9b::7f00:1" << QStringList{"127.0.0.1"};
        QTest::newRow("NAT64 written with the dotted tail") << "64:ff9b::10.1.2.3" << QStringList{"10.1.2.3"};
        QTest::newRow("6to4") << "2002:7f00:1::" << QStringList{"127.0.0.1"};
        QTest::newRow("6to4 with host bits") << "2002:c0a8:101:5::1" << QStringList{"192.168.1.1"};
        QTest::newRow("Teredo: server, then the inverted client")
            << "2001:0:4136:e378:8000:63bf:3fff:fdd2" << QStringList{"65.54.227.120", "192.0.2.45"};
        QTest::newRow("plain IPv6 carries none") << "2606:4700::1" << QStringList{};
        QTest::newRow("loopback ::1 is no IPv4") << "::1" << QStringList{};
        QTest::newRow("unspecified :: is no IPv4") << "::" << QStringList{};
        QTest::newRow("IPv4 itself carries none") << "127.0.0.1" << QStringList{};
    }
    void embedded()
    {
        QFETCH(QString, address);
        QFETCH(QStringList, expected);
        QStringList got;
        for (const QHostAddress &a : embeddedIPv4(QHostAddress(address)))
            got.append(a.toString());
        QCOMPARE(got, expected);
    }

    // Prefixes keep their family: "::" is not 0.0.0.0, ::ffff:a.b.c.d is IPv4, zones are refused.
    void prefixes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("parsed"); // empty: refused
        QTest::newRow("unspecified IPv6") << "::/128"
                                          << "::/128";
        QTest::newRow("bare ::") << "::"
                                 << "::/128";
        QTest::newRow("IPv4-mapped host") << "::ffff:192.0.2.1"
                                          << "192.0.2.1/32";
        QTest::newRow("zone refused") << "fe80::1%eth0/64" << QString();
        QTest::newRow("IPv4") << "10.0.0.0/8"
                              << "10.0.0.0/8";
    }
    void prefixes()
    {
        QFETCH(QString, text);
        QFETCH(QString, parsed);
        Prefix p;
        QCOMPARE(parsePrefix(text, &p), !parsed.isEmpty());
        if (!parsed.isEmpty())
            QCOMPARE(p.text, parsed);
    }

    void refusal_data()
    {
        QTest::addColumn<QByteArray>("deny");
        QTest::addColumn<QByteArray>("allow");
        QTest::addColumn<bool>("denyInternal");
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("refused");
        const QByteArray lo = "127.0.0.0/8";
        // Every embedded form against an IPv4 deny rule.
        QTest::newRow("denied IPv4") << lo << QByteArray() << false << "127.0.0.1" << true;
        QTest::newRow("unspecified :: is refused as IPv6, not as 0.0.0.0")
            << QByteArray() << QByteArray() << false << "::" << true;
        QTest::newRow("denied via IPv4-mapped") << lo << QByteArray() << false << "::ffff:127.0.0.1" << true;
        QTest::newRow("denied via IPv4-compatible") << lo << QByteArray() << false << "::127.0.0.1" << true;
        QTest::newRow("denied via NAT64") << lo << QByteArray() << false << "64:ff9b::7f00:1" << true;
        QTest::newRow("denied via 6to4") << lo << QByteArray() << false << "2002:7f00:1::" << true;
        QTest::newRow("denied via Teredo client")
            << lo << QByteArray() << false << "2001:0:4136:e378:8000:63bf:80ff:fffe" << true;
        QTest::newRow("NAT64 of a public address passes")
            << lo << QByteArray() << false << "64:ff9b::808:808" << false;
        // Always refused.
        QTest::newRow("limited broadcast")
            << QByteArray() << QByteArray() << false << "255.255.255.255" << true;
        QTest::newRow("multicast") << QByteArray() << QByteArray() << false << "224.0.0.1" << true;
        QTest::newRow("NAT64 of multicast")
            << QByteArray() << QByteArray() << false << "64:ff9b::e000:1" << true;
        // Defaults on a non-loopback listener.
        for (const char *internal :
             {"127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.1.1",
              "fe80::1", "fd00::1", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "2001:db8::1",
              "2001:2::1", "2002:a00:1::", "64:ff9b::a00:1"})
            QTest::newRow(
                qPrintable(QStringLiteral("internal %1 refused by default").arg(QLatin1String(internal))))
                << QByteArray() << QByteArray() << true << QString::fromLatin1(internal) << true;
        QTest::newRow("public IPv4 passes by default")
            << QByteArray() << QByteArray() << true << "8.8.8.8" << false;
        QTest::newRow("public IPv6 passes by default")
            << QByteArray() << QByteArray() << true << "2606:4700::1" << false;
        QTest::newRow("internal allowed explicitly")
            << QByteArray() << QByteArray("10.0.0.0/8") << true << "10.1.2.3" << false;
        QTest::newRow("deny wins over an explicit allow")
            << QByteArray("10.1.0.0/16") << QByteArray("10.0.0.0/8") << true << "10.1.2.3" << true;
        QTest::newRow("loopback listener keeps loopback")
            << QByteArray() << QByteArray() << false << "127.0.0.1" << false;
    }
    void refusal()
    {
        QFETCH(QByteArray, deny);
        QFETCH(QByteArray, allow);
        QFETCH(bool, denyInternal);
        QFETCH(QString, address);
        QFETCH(bool, refused);
        const Config config = configWith(deny, allow, denyInternal);
        const QString why = destinationRefusal(config, QHostAddress(address));
        QCOMPARE(!why.isEmpty(), refused);
    }

    void ownAddressRefused()
    {
        Config config = configWith({}, {}, true);
        config.ownAddresses = {QHostAddress(QStringLiteral("8.8.4.4"))};
        QVERIFY(destinationRefusal(config, QHostAddress(QStringLiteral("8.8.4.4"))).contains("own address"));
        config.broadcasts = {QHostAddress(QStringLiteral("8.8.255.255"))};
        QVERIFY(
            destinationRefusal(config, QHostAddress(QStringLiteral("8.8.255.255"))).contains("broadcast"));
    }

    void ports_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<int>("port");
        QTest::addColumn<bool>("allowed");
        const QString defaults;
        QTest::newRow("default 80") << defaults << 80 << true;
        QTest::newRow("default 443") << defaults << 443 << true;
        QTest::newRow("default traceroute first") << defaults << 33434 << true;
        QTest::newRow("default traceroute last") << defaults << 33534 << true;
        QTest::newRow("default ssh refused") << defaults << 22 << false;
        QTest::newRow("default 33535 refused") << defaults << 33535 << false;
        QTest::newRow("configured range") << "1000-1002, 53" << 1001 << true;
        QTest::newRow("configured single") << "1000-1002, 53" << 53 << true;
        QTest::newRow("outside the configured") << "1000-1002, 53" << 80 << false;
    }
    void ports()
    {
        QFETCH(QString, list);
        QFETCH(int, port);
        QFETCH(bool, allowed);
        Config config;
        if (!list.isEmpty())
            QVERIFY(parsePortRanges(list, &config.allowedPorts));
        QCOMPARE(portAllowed(config, quint16(port)), allowed);
    }

    void badPortLists_data()
    {
        QTest::addColumn<QString>("list");
        QTest::newRow("zero") << "0";
        QTest::newRow("too big") << "65536";
        QTest::newRow("reversed") << "90-80";
        QTest::newRow("words") << "http";
        QTest::newRow("two dashes") << "1-2-3";
    }
    void badPortLists()
    {
        QFETCH(QString, list);
        QList<PortRange> ranges;
        QVERIFY(!parsePortRanges(list, &ranges));
    }

    void admission_data()
    {
        QTest::addColumn<GateCounts>("counts");
        QTest::addColumn<int>("expected");
        // Limits: 10 open, 4 per client, 6 stalled heads in total, 2 per client.
        QTest::newRow("room") << GateCounts{0, 0, 0, 0} << int(Admission::Admit);
        QTest::newRow("full of busy connections")
            << GateCounts{10, 0, 0, 0} << int(Admission::TooManyConnections);
        QTest::newRow("full, some stalled: evict the oldest")
            << GateCounts{10, 0, 3, 0} << int(Admission::EvictStalledThenAdmit);
        QTest::newRow("client at its connection limit")
            << GateCounts{5, 4, 0, 0} << int(Admission::TooManyForClient);
        QTest::newRow("client with too many stalled heads")
            << GateCounts{5, 2, 2, 2} << int(Admission::TooManyStalledForClient);
        QTest::newRow("a burst of fresh connections is not stalled")
            << GateCounts{9, 3, 0, 0} << int(Admission::Admit);
        QTest::newRow("stalled heads of others do not refuse this client")
            << GateCounts{9, 0, 6, 0} << int(Admission::Admit);
    }
    void admission()
    {
        QFETCH(GateCounts, counts);
        QFETCH(int, expected);
        Limits limits;
        limits.maxConnections = 10;
        limits.maxConnectionsPerClient = 4;
        limits.maxPendingHeads = 6;
        limits.maxPendingHeadsPerClient = 2;
        const Admission a = admit(limits, counts);
        QCOMPARE(int(a), expected);
        const bool refused = a != Admission::Admit && a != Admission::EvictStalledThenAdmit;
        QCOMPARE(!admissionMessage(a, limits).isEmpty(), refused);
    }

    void stalledBudget_data()
    {
        QTest::addColumn<int>("stalled");
        QTest::addColumn<int>("excess");
        QTest::newRow("within") << 6 << 0;
        QTest::newRow("over by one") << 7 << 1;
        QTest::newRow("slow clients from many addresses") << 300 << 294;
    }
    void stalledBudget()
    {
        QFETCH(int, stalled);
        QFETCH(int, excess);
        Limits limits;
        limits.maxPendingHeads = 6;
        QCOMPARE(stalledExcess(limits, stalled), excess);
    }

    void rejectLogFoldsPerClient()
    {
        RejectLog log(10000);
        QCOMPARE(log.record("a", "line 1", 0), QStringList{"line 1"});
        QCOMPARE(log.record("a", "line 2", 100), QStringList{});
        QCOMPARE(log.record("a", "line 3", 9000), QStringList{});
        QCOMPARE(log.record("b", "other client", 9000), QStringList{"other client"});
        QVERIFY(log.flush(9999).isEmpty());
        const QStringList summary = log.flush(10000);
        QCOMPARE(summary.size(), 1);
        QVERIFY(summary.first().contains("client=a count=2"));
        // The window is over: the next rejection is written again.
        QCOMPARE(log.record("a", "line 4", 10001), QStringList{"line 4"});
        QCOMPARE(log.record("a", "line 5", 10002), QStringList{});
        // A rejection after the window, before a flush: the summary comes first.
        const QStringList both = log.record("a", "line 6", 30000);
        QCOMPARE(both.size(), 2);
        QVERIFY(both.first().contains("count=1"));
        QCOMPARE(both.last(), QString("line 6"));
    }

    void failureCache()
    {
        FailureCache cache(30000, 3);
        const ResolveResult failure{ResolveResult::Error::NoAnswer, "no answer", {}};
        cache.add("Slow.Example", failure, 0);
        QVERIFY(cache.find("slow.example", 29999));
        QVERIFY(!cache.find("slow.example", 30000));
        QVERIFY(!cache.find("other.example", 0));
        // Bounded: a flood of distinct names does not grow it beyond its capacity.
        for (int i = 0; i < 100; ++i)
            cache.add(QStringLiteral("n%1.example").arg(i), failure, 1);
        QVERIFY(cache.size() <= 3);
        FailureCache off(0, 3);
        off.add("x.example", failure, 0);
        QVERIFY(!off.find("x.example", 0));
    }
};

QTEST_GUILESS_MAIN(tst_AgentPolicy)
#include "tst_agentpolicy.moc"
