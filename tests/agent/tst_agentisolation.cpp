// Checks the sandbox the agent tests run in (tests/common/isolated-net.sh): a network
// namespace with only loopback, so that no probe can leave the machine, in which all of
// 127.0.0.0/8 still works (the attack tests connect from 127.0.0.2..). Sends nothing
// beyond loopback: it only lists interfaces and connects on 127.0.0.x.
#include <QNetworkInterface>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

class TestAgentIsolation : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        if (qEnvironmentVariable("TRACEMAP_ISOLATED_NET") != QLatin1String("1"))
            QSKIP("not run through tests/common/isolated-net.sh (no network namespace)");
    }

    void onlyLoopbackExists()
    {
        const auto interfaces = QNetworkInterface::allInterfaces();
        QVERIFY(!interfaces.isEmpty());
        for (const QNetworkInterface &interface : interfaces) {
            QVERIFY2(interface.flags().testFlag(QNetworkInterface::IsLoopBack),
                     qPrintable(interface.name() + QStringLiteral(" is not loopback")));
            QVERIFY2(interface.flags().testFlag(QNetworkInterface::IsUp), qPrintable(interface.name()));
        }
    }

    void loopbackRangeWorks_data()
    {
        QTest::addColumn<QString>("address");
        QTest::newRow("127.0.0.1") << "127.0.0.1";
        QTest::newRow("127.0.0.2") << "127.0.0.2";
        QTest::newRow("127.1.2.3") << "127.1.2.3";
    }

    void loopbackRangeWorks()
    {
        QFETCH(QString, address);
        QTcpServer server;
        QVERIFY2(server.listen(QHostAddress(address), 0), qPrintable(server.errorString()));
        QTcpSocket client;
        client.connectToHost(QHostAddress(address), server.serverPort());
        QVERIFY2(client.waitForConnected(5000), qPrintable(client.errorString()));
        QTRY_VERIFY(server.hasPendingConnections());
    }
};

QTEST_MAIN(TestAgentIsolation)
#include "tst_agentisolation.moc"
