// Special-purpose address blocks: every IANA block is unlocatable with its own reason, ordinary
// public addresses are not special, and nested blocks report the most specific one.
#include "specialranges.h"

#include <QTest>

using namespace tracemap;

class TestSpecialRanges : public QObject
{
    Q_OBJECT
private slots:
    void classify_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("name"); // empty = not special
        QTest::addColumn<QString>("reasonPart");

        auto row = [](const char *tag, const char *address, const char *name, const char *reasonPart) {
            QTest::newRow(tag) << QString::fromLatin1(address) << QString::fromLatin1(name)
                               << QString::fromLatin1(reasonPart);
        };
        row("v4 this network", "0.1.2.3", "this-network", "this network");
        row("v4 private 10/8", "10.20.30.40", "private-use", "10.0.0.0/8");
        row("v4 private 172.16/12 low", "172.16.0.1", "private-use", "172.16.0.0/12");
        row("v4 private 172.16/12 high", "172.31.255.254", "private-use", "172.16.0.0/12");
        row("v4 just above 172.16/12", "172.32.0.1", "", "");
        row("v4 private 192.168/16", "192.168.1.1", "private-use", "192.168.0.0/16");
        row("v4 CGNAT low", "100.64.0.1", "shared-address", "carrier-grade NAT");
        row("v4 CGNAT high", "100.127.255.254", "shared-address", "carrier-grade NAT");
        row("v4 just above CGNAT", "100.128.0.1", "", "");
        row("v4 loopback", "127.0.0.1", "loopback", "this machine");
        row("v4 loopback other", "127.255.0.9", "loopback", "this machine");
        row("v4 link-local", "169.254.10.1", "link-local", "link-local");
        row("v4 TEST-NET-1", "192.0.2.55", "documentation", "TEST-NET-1");
        row("v4 TEST-NET-2", "198.51.100.1", "documentation", "TEST-NET-2");
        row("v4 TEST-NET-3", "203.0.113.200", "documentation", "TEST-NET-3");
        row("v4 benchmarking low", "198.18.0.1", "benchmarking", "198.18.0.0/15");
        row("v4 benchmarking high", "198.19.255.1", "benchmarking", "198.18.0.0/15");
        row("v4 just above benchmarking", "198.20.0.1", "", "");
        row("v4 multicast", "224.0.0.251", "multicast", "multicast");
        row("v4 multicast high", "239.255.255.250", "multicast", "multicast");
        row("v4 reserved 240/4", "240.0.0.1", "reserved", "240.0.0.0/4");
        row("v4 broadcast", "255.255.255.255", "broadcast", "broadcast");
        row("v4 255.255.255.254 is reserved", "255.255.255.254", "reserved", "240.0.0.0/4");
        row("v4 IETF protocol", "192.0.0.100", "ietf-protocol", "192.0.0.0/24");
        row("v4 nested dummy beats IETF /24", "192.0.0.8", "ipv4-dummy", "dummy");
        row("v4 6to4 relay", "192.88.99.1", "6to4-relay", "6to4");
        row("v4 AS112", "192.175.48.6", "anycast", "AS112");
        row("v4 public Google", "8.8.8.8", "", "");
        row("v4 public Cloudflare", "1.1.1.1", "", "");
        row("v4 public neighbour of TEST-NET-3", "203.0.114.1", "", "");
        row("v6 unspecified", "::", "unspecified", "unspecified");
        row("v6 loopback", "::1", "loopback", "this machine");
        row("v6 mapped private is private", "::ffff:10.0.0.1", "private-use", "10.0.0.0/8");
        row("v6 mapped public is public", "::ffff:8.8.8.8", "", "");
        row("v6 NAT64", "64:ff9b::808:808", "nat64", "NAT64");
        row("v6 NAT64 local", "64:ff9b:1::1", "nat64-local", "translation");
        row("v6 discard", "100::1", "discard-only", "discard");
        row("v6 Teredo", "2001:0:4136:e378::1", "teredo", "Teredo");
        row("v6 benchmarking", "2001:2::1", "benchmarking", "2001:2::/48");
        row("v6 ORCHIDv2", "2001:20::1", "orchid", "ORCHIDv2");
        row("v6 documentation 2001:db8", "2001:db8::1", "documentation", "2001:db8::/32");
        row("v6 documentation 3fff", "3fff:fff::1", "documentation", "3fff::/20");
        row("v6 just above 3fff::/20", "3fff:1000::1", "", "");
        row("v6 6to4", "2002:c000:204::1", "6to4", "6to4");
        row("v6 ULA fd", "fd12:3456::1", "unique-local", "fc00::/7");
        row("v6 ULA fc", "fc00::1", "unique-local", "fc00::/7");
        row("v6 link-local", "fe80::1", "link-local", "fe80::/10");
        row("v6 link-local with scope", "fe80::1%lo", "link-local", "fe80::/10");
        row("v6 site-local", "fec0::1", "site-local", "site-local");
        row("v6 multicast", "ff02::1", "multicast", "multicast");
        row("v6 outside 2000::/3", "4000::1", "reserved", "2000::/3");
        row("v6 public Google", "2001:4860:4860::8888", "", "");
        row("v6 public Cloudflare", "2606:4700:4700::1111", "", "");
    }

    void classify()
    {
        QFETCH(QString, address);
        QFETCH(QString, name);
        QFETCH(QString, reasonPart);
        const QHostAddress a(address);
        QVERIFY2(!a.isNull(), qPrintable(address));
        const std::optional<SpecialRange> special = classifySpecialAddress(a);
        if (name.isEmpty()) {
            QVERIFY2(!special, qPrintable(special ? special->name : QString()));
            return;
        }
        QVERIFY(special.has_value());
        QCOMPARE(special->name, name);
        QVERIFY2(special->reason.contains(reasonPart), qPrintable(special->reason));
    }

    void everyBlockHasAReasonAndAValidPrefix()
    {
        QVERIFY(specialRanges().size() > 40);
        for (const SpecialRange &r : specialRanges()) {
            QVERIFY2(!r.network.isNull(), qPrintable(r.name));
            QVERIFY(r.prefixLength >= 0);
            QVERIFY(!r.reason.isEmpty());
            QVERIFY2(r.reason.contains(r.prefix()) || r.prefixLength == 32 || r.prefixLength == 128 ||
                         r.reason.contains(r.network.toString()),
                     qPrintable(r.reason));
        }
    }

    void normalization()
    {
        QCOMPARE(normalizedAddress(QHostAddress(QStringLiteral("::ffff:192.0.2.1"))),
                 QHostAddress(QStringLiteral("192.0.2.1")));
        QCOMPARE(normalizedAddress(QHostAddress(QStringLiteral("fe80::1%lo"))).scopeId(), QString());
        QCOMPARE(normalizedAddress(QHostAddress(QStringLiteral("2001:db8::1"))),
                 QHostAddress(QStringLiteral("2001:db8::1")));
    }
};

QTEST_GUILESS_MAIN(TestSpecialRanges)
#include "tst_specialranges.moc"
