// HostInfoResolver: reverse DNS and origin AS against a tiny DNS server on loopback (QDnsLookup
// in Qt 6.4 only talks to port 53, so the server needs root; those tests skip otherwise), the
// offline AS table, and the system resolver only for addresses in /etc/hosts. No query leaves
// the machine.

#include "hostinfo.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>
#include <QtEndian>

using namespace tracemap;

namespace {

// Answers PTR and TXT questions from a table; unknown names get NXDOMAIN, "silent" names nothing.
class FakeDnsServer : public QObject
{
public:
    struct Answer
    {
        QList<QByteArray> records; // PTR: one host name; TXT: one record per entry
        bool silent = false;
    };

    bool listen(const QHostAddress &address)
    {
        connect(&m_socket, &QUdpSocket::readyRead, this, [this] { serve(); });
        return m_socket.bind(address, 53);
    }
    void setAnswer(const QString &name, int type, const Answer &answer)
    {
        m_answers.insert(key(name, type), answer);
    }
    int queries(const QString &name) const { return m_queries.value(name.toLower()); }
    int totalQueries() const { return m_total; }

private:
    static QString key(const QString &name, int type)
    {
        return name.toLower() + u'/' + QString::number(type);
    }

    static QByteArray encodeName(const QByteArray &name)
    {
        QByteArray out;
        for (const QByteArray &label : name.split('.')) {
            if (label.isEmpty())
                continue;
            out += char(label.size());
            out += label;
        }
        return out + '\0';
    }

    void serve()
    {
        while (m_socket.hasPendingDatagrams()) {
            QHostAddress peer;
            quint16 port = 0;
            QByteArray query(int(m_socket.pendingDatagramSize()), '\0');
            m_socket.readDatagram(query.data(), query.size(), &peer, &port);
            if (query.size() < 17)
                continue;
            int pos = 12;
            QStringList labels;
            while (pos < query.size() && query[pos] != 0) {
                const int length = quint8(query[pos]);
                labels << QString::fromLatin1(query.mid(pos + 1, length));
                pos += length + 1;
            }
            pos += 1;
            if (pos + 4 > query.size())
                continue;
            const int type = qFromBigEndian<quint16>(query.constData() + pos);
            const QByteArray question = query.mid(12, pos + 4 - 12);
            const QString name = labels.join(u'.').toLower();
            ++m_total;
            m_queries[name] += 1;

            const auto it = m_answers.constFind(key(name, type));
            if (it != m_answers.constEnd() && it->silent)
                continue;
            QByteArray reply = query.left(2);
            const bool found = it != m_answers.constEnd();
            const quint16 flags = found ? 0x8180 : 0x8183; // response, RD, RA; rcode NXDOMAIN when unknown
            char header[10];
            qToBigEndian<quint16>(flags, header);
            qToBigEndian<quint16>(1, header + 2);
            qToBigEndian<quint16>(found ? quint16(it->records.size()) : 0, header + 4);
            qToBigEndian<quint16>(0, header + 6);
            qToBigEndian<quint16>(0, header + 8);
            reply.append(header, 10);
            reply += question;
            if (found) {
                for (const QByteArray &record : it->records) {
                    QByteArray rdata;
                    if (type == 12) {
                        rdata = encodeName(record);
                    } else {
                        for (qsizetype i = 0; i < record.size(); i += 255) {
                            const QByteArray part = record.mid(i, 255);
                            rdata += char(part.size());
                            rdata += part;
                        }
                    }
                    char rr[12];
                    qToBigEndian<quint16>(0xc00c, rr);
                    qToBigEndian<quint16>(quint16(type), rr + 2);
                    qToBigEndian<quint16>(1, rr + 4);
                    qToBigEndian<quint32>(60, rr + 6);
                    qToBigEndian<quint16>(quint16(rdata.size()), rr + 10);
                    reply.append(rr, 12);
                    reply += rdata;
                }
            }
            m_socket.writeDatagram(reply, peer, port);
        }
    }

    QUdpSocket m_socket;
    QHash<QString, Answer> m_answers;
    QHash<QString, int> m_queries;
    int m_total = 0;
};

constexpr int kPtr = 12;
constexpr int kTxt = 16;

} // namespace

class TestHostInfo : public QObject
{
    Q_OBJECT

private:
    FakeDnsServer m_dns;
    QHostAddress m_dnsAddress;
    bool m_dnsUp = false;

    // Generous by default, so a loaded machine does not turn answers into timeouts; the tests
    // of silent servers pass a short one.
    HostInfoSettings dnsSettings(int timeoutMs = 2000) const
    {
        HostInfoSettings settings;
        settings.dnsServer = m_dnsAddress;
        settings.timeoutMs = timeoutMs;
        return settings;
    }

    struct NameResult
    {
        int calls = 0;
        LookupStatus status = LookupStatus::Pending;
        QString name;
    };
    struct AsResult
    {
        int calls = 0;
        LookupStatus status = LookupStatus::Pending;
        AsInfo info;
    };

    static std::shared_ptr<NameResult> askName(HostInfoResolver &resolver, const QString &address)
    {
        auto result = std::make_shared<NameResult>();
        resolver.reverseName(QHostAddress(address), [result](LookupStatus status, const QString &name) {
            ++result->calls;
            result->status = status;
            result->name = name;
        });
        return result;
    }
    static std::shared_ptr<AsResult> askAs(HostInfoResolver &resolver, const QString &address)
    {
        auto result = std::make_shared<AsResult>();
        resolver.originAs(QHostAddress(address), [result](LookupStatus status, const AsInfo &info) {
            ++result->calls;
            result->status = status;
            result->info = info;
        });
        return result;
    }

private slots:
    void initTestCase()
    {
        // A loopback address of our own (127.0.0.0/8), so parallel test runs do not collide.
        m_dnsAddress =
            QHostAddress(QStringLiteral("127.0.83.%1").arg(1 + QCoreApplication::applicationPid() % 250));
        m_dnsUp = m_dns.listen(m_dnsAddress);
        if (!m_dnsUp)
            qInfo("cannot bind %s:53 (needs root): DNS-server tests will be skipped",
                  qPrintable(m_dnsAddress.toString()));
        m_dns.setAnswer("1.2.0.192.in-addr.arpa", kPtr, {{"ae-1.r21.frnkge13.de.bb.gin.ntt.net."}});
        m_dns.setAnswer("3.2.0.192.in-addr.arpa", kPtr, {{}, true});
        m_dns.setAnswer("4.2.0.192.in-addr.arpa", kPtr, {{"router!*.example.net"}});
        m_dns.setAnswer(HostInfoResolver::reverseDnsName(QHostAddress("2001:db8::1")), kPtr,
                        {{"be2869.ccr41.lon13.atlas.cogentco.com"}});
        m_dns.setAnswer("8.8.8.8.origin.asn.cymru.com", kTxt,
                        {{"15169 | 8.8.8.0/24 | US | arin | 1992-12-01"}});
        m_dns.setAnswer("AS15169.asn.cymru.com", kTxt,
                        {{"15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US"}});
        m_dns.setAnswer("1.1.1.1.origin.asn.cymru.com", kTxt,
                        {{"13335 | 1.1.1.0/24 | AU | apnic | 2011-08-11"}});
        m_dns.setAnswer("AS13335.asn.cymru.com", kTxt, {{}, true}); // the name never comes
        m_dns.setAnswer("9.9.9.9.origin.asn.cymru.com", kTxt, {{"garbage without fields"}});
        m_dns.setAnswer("4.4.8.8.origin.asn.cymru.com", kTxt, {{}, true});
        m_dns.setAnswer(HostInfoResolver::cymruOriginName(QHostAddress("2a00:1450::1")), kTxt,
                        {{"15169 | 2a00:1450::/32 | IE | ripencc | 2009-10-05"}});
    }

    void queryNames_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("reverse");
        QTest::addColumn<QString>("origin");
        QTest::newRow("ipv4") << "192.0.2.1"
                              << "1.2.0.192.in-addr.arpa"
                              << "1.2.0.192.origin.asn.cymru.com";
        QTest::newRow("ipv4-mapped") << "::ffff:192.0.2.1"
                                     << "1.2.0.192.in-addr.arpa"
                                     << "1.2.0.192.origin.asn.cymru.com";
        QTest::newRow("ipv6")
            << "2001:db8::1"
            << "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
            << "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com";
    }

    void queryNames()
    {
        QFETCH(QString, address);
        QFETCH(QString, reverse);
        QFETCH(QString, origin);
        QCOMPARE(HostInfoResolver::reverseDnsName(QHostAddress(address)), reverse);
        QCOMPARE(HostInfoResolver::cymruOriginName(QHostAddress(address)), origin);
    }

    void parseCymru_data()
    {
        QTest::addColumn<QString>("origin");
        QTest::addColumn<QString>("asName");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<uint>("number");
        QTest::addColumn<QString>("name");
        QTest::newRow("plain") << "13335 | 1.1.1.0/24 | AU | apnic | 2011-08-11"
                               << "13335 | US | arin | 2010-07-14 | CLOUDFLARENET - Cloudflare, Inc., US"
                               << true << 13335u << "CLOUDFLARENET - Cloudflare, Inc., US";
        QTest::newRow("several origins")
            << "3356 3549 | 4.0.0.0/9 | US | arin | 1992-12-01"
            << "3356 | US | arin | 2000-03-10 | LEVEL3, US" << true << 3356u << "LEVEL3, US";
        QTest::newRow("garbage") << "nonsense"
                                 << "" << false << 0u << "";
        QTest::newRow("no number") << "x | 1.0.0.0/8 | US | arin |"
                                   << "" << false << 0u << "";
        QTest::newRow("name of another AS")
            << "13335 | 1.1.1.0/24 | AU | apnic | 2011-08-11"
            << "15169 | US | arin | 2000-03-30 | GOOGLE" << true << 13335u << "";
    }

    void parseCymru()
    {
        QFETCH(QString, origin);
        QFETCH(QString, asName);
        QFETCH(bool, ok);
        QFETCH(uint, number);
        QFETCH(QString, name);
        AsInfo info;
        QCOMPARE(HostInfoResolver::parseCymruOrigin(origin, &info), ok);
        QCOMPARE(info.number, quint32(number));
        if (ok) {
            HostInfoResolver::parseCymruAsName(asName, &info);
            QCOMPARE(info.name, name);
            QVERIFY(!info.prefix.isEmpty());
        }
    }

    void reverseDnsThroughServer()
    {
        if (!m_dnsUp)
            QSKIP("needs root to bind a DNS server to port 53 on loopback");
        HostInfoResolver resolver(dnsSettings());
        auto found = askName(resolver, "192.0.2.1");
        auto coalesced = askName(resolver, "192.0.2.1");
        auto v6 = askName(resolver, "2001:db8::1");
        auto missing = askName(resolver, "192.0.2.2");
        QTRY_COMPARE(found->calls, 1);
        QTRY_COMPARE(v6->calls, 1);
        QTRY_COMPARE(missing->calls, 1);
        QCOMPARE(coalesced->calls, 1);
        QCOMPARE(found->status, LookupStatus::Resolved);
        QCOMPARE(found->name, QString("ae-1.r21.frnkge13.de.bb.gin.ntt.net"));
        QCOMPARE(coalesced->name, found->name);
        QCOMPARE(m_dns.queries("1.2.0.192.in-addr.arpa"), 1);
        QCOMPARE(v6->name, QString("be2869.ccr41.lon13.atlas.cogentco.com"));
        QCOMPARE(missing->status, LookupStatus::NotFound);

        // Both the name and the NotFound come from the cache now, synchronously.
        const int before = m_dns.totalQueries();
        auto again = askName(resolver, "192.0.2.1");
        auto missingAgain = askName(resolver, "192.0.2.2");
        QCOMPARE(again->calls, 1);
        QCOMPARE(again->name, found->name);
        QCOMPARE(missingAgain->calls, 1);
        QCOMPARE(missingAgain->status, LookupStatus::NotFound);
        QCOMPARE(m_dns.totalQueries(), before);
    }

    void reverseDnsTimeoutAndGarbage()
    {
        if (!m_dnsUp)
            QSKIP("needs root to bind a DNS server to port 53 on loopback");
        HostInfoResolver resolver(dnsSettings(500));
        QElapsedTimer timer;
        timer.start();
        auto silent = askName(resolver, "192.0.2.3");
        HostInfoResolver patient(dnsSettings());
        auto garbage = askName(patient, "192.0.2.4");
        QTRY_COMPARE(garbage->calls, 1);
        // Qt drops names that are not valid host names, or the resolver refuses them: never Resolved.
        QVERIFY(garbage->status == LookupStatus::Failed || garbage->status == LookupStatus::NotFound);
        QVERIFY(garbage->name.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(silent->calls, 1, 3000);
        QCOMPARE(silent->status, LookupStatus::TimedOut);
        QVERIFY(timer.elapsed() < 2500);
        // Timeouts are not cached: the next request asks again.
        const int before = m_dns.queries("3.2.0.192.in-addr.arpa");
        auto retry = askName(resolver, "192.0.2.3");
        QCOMPARE(retry->calls, 0);
        QTRY_COMPARE_WITH_TIMEOUT(retry->calls, 1, 3000);
        QVERIFY(m_dns.queries("3.2.0.192.in-addr.arpa") > before);
    }

    void cymru_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("status");
        QTest::addColumn<uint>("number");
        QTest::addColumn<QString>("name");
        QTest::newRow("origin and name")
            << "8.8.8.8" << int(LookupStatus::Resolved) << 15169u << "GOOGLE - Google LLC, US";
        QTest::newRow("name times out: number only")
            << "1.1.1.1" << int(LookupStatus::Resolved) << 13335u << "";
        QTest::newRow("ipv6 origin") << "2a00:1450::1" << int(LookupStatus::Resolved) << 15169u
                                     << "GOOGLE - Google LLC, US";
        QTest::newRow("garbage record") << "9.9.9.9" << int(LookupStatus::Failed) << 0u << "";
        QTest::newRow("nxdomain") << "8.8.4.3" << int(LookupStatus::NotFound) << 0u << "";
        QTest::newRow("no answer") << "8.8.4.4" << int(LookupStatus::TimedOut) << 0u << "";
    }

    void cymru()
    {
        QFETCH(QString, address);
        QFETCH(int, status);
        QFETCH(uint, number);
        QFETCH(QString, name);
        if (!m_dnsUp)
            QSKIP("needs root to bind a DNS server to port 53 on loopback");
        HostInfoSettings settings = dnsSettings(1500);
        settings.cymru = true;
        HostInfoResolver resolver(settings);
        auto result = askAs(resolver, address);
        QTRY_COMPARE_WITH_TIMEOUT(result->calls, 1, 8000);
        QCOMPARE(int(result->status), status);
        QCOMPARE(result->info.number, quint32(number));
        QCOMPARE(result->info.name, name);
    }

    void cymruOffAsksNobody()
    {
        HostInfoSettings settings = dnsSettings();
        settings.cymru = false;
        HostInfoResolver resolver(settings);
        const int before = m_dns.totalQueries();
        auto result = askAs(resolver, "8.8.8.8");
        QCOMPARE(result->calls, 1);
        QCOMPARE(result->status, LookupStatus::NotFound);
        QCOMPARE(m_dns.totalQueries(), before);
    }

    void privateAddressesNotSentToCymru()
    {
        HostInfoSettings settings = dnsSettings();
        settings.cymru = true;
        HostInfoResolver resolver(settings);
        const int before = m_dns.totalQueries();
        auto result = askAs(resolver, "10.1.2.3");
        QCOMPARE(result->calls, 1);
        QCOMPARE(result->status, LookupStatus::NotFound);
        QCOMPARE(m_dns.totalQueries(), before);
    }

    void offlineAsTable()
    {
        QTemporaryDir dir;
        QFile csv(dir.filePath("asn-ipv4.csv"));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("8.8.8.0,8.8.8.255,15169,Google LLC\n1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n");
        csv.close();
        HostInfoSettings settings = dnsSettings();
        settings.cymru = true; // the table answers first: no query for covered addresses
        settings.asDatabasePaths = {csv.fileName()};
        HostInfoResolver resolver(settings);
        QSignalSpy loaded(&resolver, &HostInfoResolver::asTableLoaded);
        const int before = m_dns.totalQueries();
        auto early = askAs(resolver, "8.8.8.8"); // asked before the table is loaded: waits for it
        QTRY_COMPARE(loaded.count(), 1);
        QVERIFY(resolver.asTableReady());
        QTRY_COMPARE(early->calls, 1);
        QCOMPARE(early->status, LookupStatus::Resolved);
        QCOMPARE(early->info.number, 15169u);
        QCOMPARE(early->info.name, QString("Google LLC"));
        auto second = askAs(resolver, "1.0.0.7");
        QCOMPARE(second->calls, 1);
        QCOMPARE(second->info.name, QString("Cloudflare, Inc."));
        QCOMPARE(m_dns.totalQueries(), before);
        QVERIFY(!resolver.attributions().isEmpty());
    }

    void systemResolverForHostsFileOnly()
    {
        // Only an address /etc/hosts names, so the system resolver never asks a nameserver.
        QFile hosts("/etc/hosts");
        if (!hosts.open(QIODevice::ReadOnly) || !hosts.readAll().contains("127.0.0.1"))
            QSKIP("/etc/hosts does not name 127.0.0.1");
        HostInfoSettings settings;
        settings.timeoutMs = 3000;
        HostInfoResolver resolver(settings);
        auto result = askName(resolver, "127.0.0.1");
        QTRY_COMPARE_WITH_TIMEOUT(result->calls, 1, 4000);
        QCOMPARE(result->status, LookupStatus::Resolved);
        QVERIFY(!result->name.isEmpty());
    }

    void reverseDnsDisabled()
    {
        HostInfoSettings settings = dnsSettings();
        settings.reverseDns = false;
        HostInfoResolver resolver(settings);
        const int before = m_dns.totalQueries();
        auto result = askName(resolver, "192.0.2.1");
        QCOMPARE(result->calls, 1);
        QCOMPARE(result->status, LookupStatus::NotFound);
        QCOMPARE(m_dns.totalQueries(), before);
    }

    void destroyedWhileQuerying()
    {
        if (!m_dnsUp)
            QSKIP("needs root to bind a DNS server to port 53 on loopback");
        auto result = std::make_shared<NameResult>();
        {
            HostInfoResolver resolver(dnsSettings(500));
            result = askName(resolver, "192.0.2.3"); // silent: still pending when destroyed
        }
        QTest::qWait(600);
        QCOMPARE(result->calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestHostInfo)
#include "tst_hostinfo.moc"
