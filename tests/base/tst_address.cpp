// normalizedAddress / ipv4Of / addressKey: IPv4-mapped IPv6 is the IPv4 address it carries,
// scope ids go, and nothing else changes ("::" must not become 0.0.0.0).
#include "address.h"

#include <QTest>

using namespace tracemap;

class TestAddress : public QObject
{
    Q_OBJECT
private slots:
    void normalizes_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("normal"); // empty: a null address
        QTest::addColumn<bool>("isV4");
        QTest::newRow("plain IPv4") << "192.0.2.1"
                                    << "192.0.2.1" << true;
        QTest::newRow("IPv4-mapped") << "::ffff:192.0.2.1"
                                     << "192.0.2.1" << true;
        QTest::newRow("IPv4-mapped 0.0.0.0") << "::ffff:0.0.0.0"
                                             << "0.0.0.0" << true;
        QTest::newRow("unspecified stays IPv6") << "::"
                                                << "::" << false;
        QTest::newRow("loopback stays IPv6") << "::1"
                                             << "::1" << false;
        QTest::newRow("IPv4-compatible is not mapped") << "::192.0.2.1"
                                                       << "::192.0.2.1" << false;
        QTest::newRow("almost mapped (ffff:0)") << "::ffff:0:c000:201"
                                                << "::ffff:0:c000:201" << false;
        QTest::newRow("global IPv6") << "2001:db8::1"
                                     << "2001:db8::1" << false;
        QTest::newRow("scope id dropped") << "fe80::1%eth0"
                                          << "fe80::1" << false;
        QTest::newRow("null") << ""
                              << "" << false;
    }
    void normalizes()
    {
        QFETCH(QString, input);
        QFETCH(QString, normal);
        QFETCH(bool, isV4);
        const QHostAddress address(input);
        const QHostAddress result = normalizedAddress(address);
        QCOMPARE(result.isNull(), normal.isEmpty());
        if (!normal.isEmpty()) {
            QCOMPARE(result.toString(), normal);
            QCOMPARE(addressKey(address), normal);
        }
        QCOMPARE(result.protocol() == QAbstractSocket::IPv4Protocol, isV4);
        QCOMPARE(ipv4Of(address).has_value(), isV4);
        if (isV4)
            QCOMPARE(*ipv4Of(address), QHostAddress(normal).toIPv4Address());
        // Idempotent: a normal address is its own normal form.
        QCOMPARE(normalizedAddress(result), result);
    }

    // unmappedAddress: the same, but the scope id stays (the interface a packet leaves by).
    void unmaps_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("unmapped");
        QTest::newRow("IPv4-mapped") << "::ffff:192.0.2.1"
                                     << "192.0.2.1";
        QTest::newRow("unspecified stays IPv6") << "::"
                                                << "::";
        QTest::newRow("IPv4-compatible is not mapped") << "::192.0.2.1"
                                                       << "::192.0.2.1";
        QTest::newRow("scope id kept") << "fe80::1%eth0"
                                       << "fe80::1%eth0";
        QTest::newRow("plain IPv4") << "192.0.2.1"
                                    << "192.0.2.1";
    }
    void unmaps()
    {
        QFETCH(QString, input);
        QFETCH(QString, unmapped);
        const QHostAddress result = unmappedAddress(QHostAddress(input));
        QCOMPARE(result.toString(), unmapped);
        QCOMPARE(normalizedAddress(result), normalizedAddress(QHostAddress(input)));
    }
};

QTEST_APPLESS_MAIN(TestAddress)
#include "tst_address.moc"
