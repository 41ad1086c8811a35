// reachableOffline(): which servers an --offline run may contact (this machine only), decided
// from the URL's text alone, without resolving anything.
#include "offline.h"

#include <QTest>

using namespace tracemap;

class tst_Offline : public QObject
{
    Q_OBJECT
private slots:
    void reachable_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("reachable");
        QTest::newRow("IPv4 loopback") << "http://127.0.0.1:8080/" << true;
        QTest::newRow("elsewhere in 127/8") << "https://127.45.6.7/api" << true;
        QTest::newRow("IPv6 loopback") << "http://[::1]:9000/" << true;
        QTest::newRow("IPv4-mapped loopback") << "http://[::ffff:127.0.0.1]/" << true;
        QTest::newRow("localhost") << "http://localhost:8080/" << true;
        QTest::newRow("localhost in capitals") << "http://LOCALHOST/" << true;
        QTest::newRow("a name under .localhost") << "http://agent.localhost/" << true;
        QTest::newRow("RIPE Atlas") << "https://atlas.ripe.net/api/v2/" << false;
        QTest::newRow("Globalping") << "https://api.globalping.io" << false;
        QTest::newRow("a name ending in localhost") << "http://notlocalhost/" << false;
        QTest::newRow("localhost as a subdomain elsewhere") << "http://localhost.example.net/" << false;
        QTest::newRow("a private address") << "http://192.168.1.10:8080/" << false;
        QTest::newRow("unspecified") << "http://0.0.0.0/" << false;
        QTest::newRow("IPv6 unspecified") << "http://[::]/" << false;
        QTest::newRow("a documentation address") << "http://192.0.2.1/" << false;
        QTest::newRow("not http") << "ftp://127.0.0.1/" << false;
        QTest::newRow("a file") << "file:///tmp/x.json" << false;
        QTest::newRow("empty") << "" << false;
    }
    void reachable()
    {
        QFETCH(QString, url);
        QFETCH(bool, reachable);
        QCOMPARE(reachableOffline(QUrl(url)), reachable);
    }

    void refusalNamesTheHost()
    {
        const QString line = offlineRefusal(QUrl(QStringLiteral("https://atlas.ripe.net/api/v2/")));
        QVERIFY2(line.contains(QLatin1String("atlas.ripe.net")) &&
                     line.startsWith(QLatin1String("offline: ")),
                 qPrintable(line));
        QVERIFY(!line.contains(QLatin1Char('\n')));
    }
};

QTEST_GUILESS_MAIN(tst_Offline)
#include "tst_offline.moc"
