// tracemap-cli watch as a user runs it, against loopback only: bad options get one line and
// exit 2; --json has exactly the documented fields; --csv is RFC 4180 with one row per hop
// and responder; --report prints the mtr table; piped output is one line per hop per round;
// SIGINT mid-watch still prints the report; control characters in the target come out
// escaped.
#include "processrun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <csignal>

namespace {

using tracemap::test::ProcessRun;

ProcessRun runCli(const QStringList &args)
{
    return tracemap::test::runProcess(qEnvironmentVariable("TRACEMAP_CLI"), args, 20000);
}

const QString kLo = QStringLiteral("127.0.0.1");

QStringList sortedKeys(const QJsonObject &o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

} // namespace

class tst_WatchCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("TRACEMAP_CLI").isEmpty())
            QSKIP("TRACEMAP_CLI is not set (ctest sets it to the built tracemap-cli)");
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");

        QTest::newRow("interval too short")
            << QStringList{"watch", kLo, "--interval", "0.05"}
            << "--interval must be a number of seconds from 0.1 to 3600, got '0.05'";
        QTest::newRow("interval not a number")
            << QStringList{"watch", kLo, "--interval", "soon"}
            << "--interval must be a number of seconds from 0.1 to 3600, got 'soon'";
        QTest::newRow("zero cycles") << QStringList{"watch", kLo, "--cycles", "0"}
                                     << "--cycles must be a whole number from 1 to 1000000, got '0'";
        QTest::newRow("geo with watch")
            << QStringList{"watch", kLo, "--geo"} << "--geo does not apply to watch";
        QTest::newRow("count with watch")
            << QStringList{"watch", kLo, "--count", "3"} << "--count does not apply to watch";
        QTest::newRow("cycles with trace")
            << QStringList{"trace", kLo, "--cycles", "3"} << "--cycles does not apply to trace";
        QTest::newRow("csv with ping") << QStringList{"ping", kLo, "--csv"} << "--csv does not apply to ping";
        QTest::newRow("json and csv") << QStringList{"watch", kLo, "--json", "--csv"}
                                      << "--report, --json and --csv exclude each other";
        QTest::newRow("missing host") << QStringList{"watch"} << "watch: missing HOST";
        QTest::newRow("bad max ttl") << QStringList{"watch", kLo, "--max-ttl", "0"}
                                     << "--max-ttl must be a whole number from 1 to 255, got '0'";
    }
    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const ProcessRun r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(QString::fromUtf8(r.err).trimmed(), QStringLiteral("tracemap-cli: ") + message);
        QVERIFY(r.out.isEmpty());
    }

    void json()
    {
        const ProcessRun r = runCli({"watch", kLo, "--cycles", "3", "--interval", "0.1", "--json"});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonObject doc = QJsonDocument::fromJson(r.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(sortedKeys(doc), (QStringList{"cycles", "dest", "end_reason", "ended_at", "hops", "interval",
                                               "method", "path_changes", "source", "started_at", "target"}));
        QCOMPARE(doc.value("target").toString(), kLo);
        QCOMPARE(doc.value("dest").toString(), kLo);
        QCOMPARE(doc.value("method").toString(), QStringLiteral("udp"));
        QCOMPARE(doc.value("interval").toDouble(), 0.1);
        QCOMPARE(doc.value("cycles").toInt(), 3);
        QCOMPARE(doc.value("end_reason").toString(), QStringLiteral("completed"));
        QVERIFY(doc.value("path_changes").toArray().isEmpty());
        const QJsonArray hops = doc.value("hops").toArray();
        QCOMPARE(hops.size(), 1); // loopback: the destination is the first hop
        const QJsonObject hop = hops.first().toObject();
        QCOMPARE(sortedKeys(hop),
                 (QStringList{"avg", "best", "gmean", "jitter", "jitter_avg", "jitter_interarrival",
                              "jitter_max", "last", "loss_pct", "rate_limited", "received", "responders",
                              "sent", "stddev", "ttl", "worst"}));
        QCOMPARE(hop.value("ttl").toInt(), 1);
        QCOMPARE(hop.value("sent").toInt(), 3);
        QCOMPARE(hop.value("received").toInt(), 3);
        QCOMPARE(hop.value("loss_pct").toDouble(), 0.0);
        QCOMPARE(hop.value("rate_limited").toBool(), false);
        QVERIFY(hop.value("best").toDouble() <= hop.value("avg").toDouble());
        QVERIFY(hop.value("avg").toDouble() <= hop.value("worst").toDouble());
        QVERIFY(hop.value("jitter_max").toDouble() >= hop.value("jitter_avg").toDouble());
        const QJsonArray responders = hop.value("responders").toArray();
        QCOMPARE(responders.size(), 1);
        QCOMPARE(sortedKeys(responders.first().toObject()), (QStringList{"address", "received", "share"}));
        QCOMPARE(responders.first()["address"].toString(), kLo);
        QCOMPARE(responders.first()["received"].toInt(), 3);
        QCOMPARE(responders.first()["share"].toDouble(), 100.0);
    }

    void csv()
    {
        const ProcessRun r = runCli({"watch", kLo, "--cycles", "2", "--interval", "0.1", "--csv"});
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.split('\n');
        QCOMPARE(lines.size(), 3); // header, one hop, and the empty rest after the last CRLF
        QVERIFY(lines.last().isEmpty());
        QVERIFY(lines[0].endsWith('\r') && lines[1].endsWith('\r'));
        QCOMPARE(
            lines[0].trimmed(),
            QByteArray("target,dest,ttl,responder,share,sent,received,loss_pct,last,best,avg,worst,stddev,"
                       "gmean,jitter,jitter_avg,jitter_max,jitter_interarrival,rate_limited"));
        const QList<QByteArray> row = lines[1].trimmed().split(',');
        QCOMPARE(row.size(), 19);
        QCOMPARE(row.mid(0, 8),
                 (QList<QByteArray>{"127.0.0.1", "127.0.0.1", "1", "127.0.0.1", "100", "2", "2", "0"}));
        QCOMPARE(row.last(), QByteArray("false"));
    }

    void report()
    {
        const ProcessRun r = runCli({"watch", kLo, "--cycles", "2", "--interval", "0.1", "--report"});
        QCOMPARE(r.exitCode, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(QStringLiteral("Loss%")) && out.contains(QStringLiteral("StDev")),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("1.|-- 127.0.0.1")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("2 rounds every 0.1 s")), qPrintable(out));
        QVERIFY2(!out.contains(QStringLiteral(" round 1 ttl")), qPrintable(out)); // no per-round lines
    }

    // Not a terminal: one line per hop per round, then the report.
    void pipedLines()
    {
        const ProcessRun r = runCli({"watch", kLo, "--cycles", "3", "--interval", "0.1"});
        QCOMPARE(r.exitCode, 0);
        const QString out = QString::fromUtf8(r.out);
        for (int round = 1; round <= 3; ++round)
            QVERIFY2(out.contains(QStringLiteral(" round %1 ttl 1 127.0.0.1 ").arg(round)), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("Loss%")), qPrintable(out));
    }

    // The target is printed in the text outputs; an IPv6 zone may hold any byte, so a zone
    // with an escape sequence must come out escaped, never interpreted. The zone names no
    // interface: the socket is refused before any probe is sent.
    void controlCharactersEscaped_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QStringList>("options");
        const QString colour = QStringLiteral("\x1b[31mred");
        const QString title = QStringLiteral("\x1b]0;pwned\x07");
        QTest::newRow("piped lines, colour") << colour << QStringList{};
        QTest::newRow("report, colour") << colour << QStringList{"--report"};
        QTest::newRow("report, window title") << title << QStringList{"--report"};
    }

    void controlCharactersEscaped()
    {
        QFETCH(QString, zone);
        QFETCH(QStringList, options);
        const ProcessRun r = runCli(
            QStringList{"watch", QStringLiteral("fe80::1%") + zone, "--cycles", "1", "--interval", "0.1"} +
            options);
        QCOMPARE(r.exitCode, 1);
        const QByteArray all = r.out + r.err;
        QVERIFY2(!all.contains('\x1b') && !all.contains('\x07'), all.constData());
        QVERIFY2(r.out.contains("fe80::1%\\x1b"), all.constData()); // the report names the target
    }

    // Ctrl+C mid-watch: the watch stops and what was measured is printed.
    void sigintPrintsReport()
    {
        QProcess p; // driven step by step: the signal comes mid-watch
        p.start(qEnvironmentVariable("TRACEMAP_CLI"), {"watch", kLo, "--interval", "0.1"});
        QVERIFY(p.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput(), out.contains(" round 2 ttl 1")), 10000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(10000));
        out += p.readAllStandardOutput();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains("Loss%") && out.contains("1.|-- 127.0.0.1"), out.constData());
    }
};

QTEST_GUILESS_MAIN(tst_WatchCli)
#include "tst_watchcli.moc"
