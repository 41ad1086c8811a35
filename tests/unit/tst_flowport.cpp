// The system UDP transport on loopback only: a Paris trace with a flow id sends from that
// source port (so the rounds of a watch are one flow), one without takes the kernel's, and a
// flow port another socket holds falls back to the kernel's instead of failing. The probes
// go to a UDP socket of this test on 127.0.0.1; nothing leaves the machine.
#include "probetransport.h"

#include <QTest>
#include <QUdpSocket>

using namespace tracemap;

namespace {

// A UDP port free on loopback right now (bound and released).
quint16 freePort()
{
    QUdpSocket s;
    return s.bind(QHostAddress::LocalHost, 0) ? s.localPort() : 0;
}

} // namespace

class tst_FlowPort : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sourcePort_data()
    {
        QTest::addColumn<bool>("withFlow");
        QTest::addColumn<bool>("portTaken");
        QTest::addColumn<bool>("expectFlowPort");

        QTest::newRow("flow id: its source port") << true << false << true;
        QTest::newRow("no flow id: the kernel's port") << false << false << false;
        QTest::newRow("flow port taken: the kernel's port") << true << true << false;
    }
    void sourcePort()
    {
        QFETCH(bool, withFlow);
        QFETCH(bool, portTaken);
        QFETCH(bool, expectFlowPort);

        QUdpSocket receiver;
        QVERIFY(receiver.bind(QHostAddress::LocalHost, 0));
        const quint16 flowPort = freePort();
        QVERIFY(flowPort != 0);
        QUdpSocket holder;
        if (portTaken)
            QVERIFY(holder.bind(QHostAddress::AnyIPv4, flowPort));

        TransportConfig config;
        config.method = ProbeMethod::Udp;
        config.destination = QHostAddress::LocalHost;
        config.port = receiver.localPort();
        config.flow = FlowMode::Paris;
        config.token = 0x5eed5eed;
        config.flowId = withFlow ? flowPort : 0;
        auto factory = createSystemTransportFactory();
        TransportError error;
        auto transport = factory->create(config, &error);
        QVERIFY2(transport, qPrintable(error.message));

        for (quint16 seq : {quint16(1), quint16(2)}) {
            qint64 sent = 0;
            QVERIFY2(transport->send(seq, 64, &sent, &error), qPrintable(error.message));
            QTRY_VERIFY_WITH_TIMEOUT(receiver.hasPendingDatagrams(), 5000);
            QHostAddress from;
            quint16 fromPort = 0;
            QByteArray datagram(receiver.pendingDatagramSize(), Qt::Uninitialized);
            QVERIFY(receiver.readDatagram(datagram.data(), datagram.size(), &from, &fromPort) >= 0);
            QCOMPARE(fromPort == flowPort, expectFlowPort);
            QVERIFY(fromPort != 0);
        }
    }
};

QTEST_GUILESS_MAIN(tst_FlowPort)
#include "tst_flowport.moc"
