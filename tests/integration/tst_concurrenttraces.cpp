// Twenty traces at once in ONE process, through the real sockets, inside the test
// topology's source namespace (run by run_in_topology.sh). Every trace must come back
// with exactly its own path: no reply of one trace may be attributed to another, whatever
// the method (all raw ICMP sockets of the process see every ICMP packet, and all raw TCP
// sockets every TCP segment). Run with each kind of ICMP socket and of TCP transport.
#include "enginethread.h"

#include <QFile>
#include <QHash>
#include <QTest>

using namespace tracemap;

namespace {

struct ExpectedPath
{
    QString target;
    QString node; // which namespace owns the target address
    QStringList hops;
};

// Lines of `topology.sh paths`: FAMILY TARGET NODE HOP1 HOP2 ...
QList<ExpectedPath> readPaths(const QString &file)
{
    QList<ExpectedPath> out;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    while (!f.atEnd()) {
        const QStringList fields = QString::fromUtf8(f.readLine()).simplified().split(QLatin1Char(' '));
        if (fields.size() < 4)
            continue;
        out.append({fields.at(1), fields.at(2), fields.mid(3)});
    }
    return out;
}

} // namespace

class tst_ConcurrentTraces : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twentyTracesInOneProcess_data()
    {
        QTest::addColumn<QString>("icmpSocket");
        QTest::addColumn<QString>("tcpSocket");
        for (const char *icmp : {"raw", "dgram"}) {
            for (const char *tcp : {"raw", "connect"}) {
                QTest::addRow("icmp over %s sockets, tcp over %s sockets", icmp, tcp)
                    << QString::fromLatin1(icmp) << QString::fromLatin1(tcp);
            }
        }
    }

    void twentyTracesInOneProcess()
    {
        QFETCH(QString, icmpSocket);
        QFETCH(QString, tcpSocket);
        const QString pathsFile = qEnvironmentVariable("TRACEMAP_TOPOLOGY_PATHS");
        if (pathsFile.isEmpty())
            QSKIP("not inside the test topology (run through tests/integration/run_in_topology.sh)");
        qputenv("TRACEMAP_ICMP_SOCKET", icmpSocket.toUtf8());
        qputenv("TRACEMAP_TCP_SOCKET", tcpSocket.toUtf8());
        const QList<ExpectedPath> all = readPaths(pathsFile);
        // Routers and hosts at every distance, both families; not the hosts that
        // filter probes (those are the other tests' business).
        QList<ExpectedPath> targets;
        for (const ExpectedPath &p : all) {
            if (targets.size() < 20 && p.node != QLatin1String("filt") && p.node != QLatin1String("icmponly"))
                targets.append(p);
        }
        QCOMPARE(targets.size(), 20);

        EngineThread engine;
        QObject receiver;
        QHash<quint64, TraceResult> results;
        QHash<quint64, int> hopUpdates;
        connect(engine.engine(), &TraceEngine::hopUpdated, &receiver,
                [&](quint64 id, const Hop &) { ++hopUpdates[id]; });
        connect(engine.engine(), &TraceEngine::traceFinished, &receiver,
                [&](quint64 id, const TraceResult &r) { results.insert(id, r); });
        const ProbeMethod methods[] = {ProbeMethod::Udp, ProbeMethod::Icmp, ProbeMethod::Tcp};
        QHash<quint64, ExpectedPath> expected;
        for (int i = 0; i < targets.size(); ++i) {
            TraceRequest r;
            r.target = targets.at(i).target;
            r.method = methods[i % 3];
            r.timeoutSec = 2.0;
            expected.insert(engine.startTrace(r), targets.at(i));
        }
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 20, 20000);
        for (auto it = results.cbegin(); it != results.cend(); ++it) {
            const TraceResult &r = it.value();
            const ExpectedPath &want = expected.value(it.key());
            const QString label = QStringLiteral("%1 via %2").arg(want.target, toString(r.method));
            QVERIFY2(r.error == TraceError::None, qPrintable(label + QStringLiteral(": ") + r.errorMessage));
            QVERIFY2(r.reached, qPrintable(label + QStringLiteral(" not reached")));
            if (r.method == ProbeMethod::Tcp) {
                const QString kind = tcpSocket == QLatin1String("raw") ? QStringLiteral("tcp syn, raw socket")
                                                                       : QStringLiteral("tcp connect");
                QVERIFY2(r.transport.startsWith(kind),
                         qPrintable(label + QStringLiteral(": ") + r.transport));
            }
            QStringList got;
            for (const Hop &h : r.hops) {
                QStringList who;
                for (const QHostAddress &a : h.responders())
                    who << a.toString();
                got << (who.isEmpty() ? QStringLiteral("*") : who.join(QLatin1Char('|')));
            }
            QCOMPARE(got, want.hops);
            QVERIFY(hopUpdates.value(it.key()) >= r.hops.size());
        }
        QVERIFY(engine.shutdown(1000));
    }
};

QTEST_GUILESS_MAIN(tst_ConcurrentTraces)
#include "tst_concurrenttraces.moc"
