// tracemap-cli as a user runs it: every bad input gets one clear line on stderr and exit
// status 2 (usage) or 1 (not reached / not resolvable); traces and pings to loopback
// print the documents scripts rely on. Only loopback is ever probed here.
#include "processrun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace {

using Run = tracemap::test::ProcessRun;

Run runCli(const QStringList &args, int timeoutMs = 15000)
{
    return tracemap::test::runProcess(qEnvironmentVariable("TRACEMAP_CLI"), args, timeoutMs);
}

} // namespace

class tst_Cli : public QObject
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
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");

        auto row = [](const char *name, const QStringList &args, int code, const char *message) {
            QTest::newRow(name) << args << code << QString::fromUtf8(message);
        };
        const QString lo = QStringLiteral("127.0.0.1");
        row("no arguments", {}, 2, "missing command");
        row("unknown command", {"route", lo}, 2, "unknown command 'route'");
        row("missing host", {"trace"}, 2, "missing HOST");
        row("two hosts", {"trace", lo, "127.0.0.2"}, 2, "one HOST only");
        row("empty host", {"trace", ""}, 2, "the host is empty");
        row("blank host", {"ping", "   "}, 2, "the host is empty");
        row("host with bad characters", {"trace", "bad host!"}, 2, "not a valid host name");
        row("label too long", {"trace", QString(64, QLatin1Char('a')) + ".example"}, 2,
            "not a valid host name");
        row("bad ipv4 literal", {"trace", "1.2.3.999"}, 2, "not a valid IPv4 address");
        row("unknown option", {"trace", lo, "--frobnicate"}, 2, "Unknown option 'frobnicate'");
        row("max-ttl 0", {"trace", lo, "--max-ttl", "0"}, 2,
            "--max-ttl must be a whole number from 1 to 255");
        row("max-ttl 256", {"trace", lo, "--max-ttl", "256"}, 2,
            "--max-ttl must be a whole number from 1 to 255");
        row("max-ttl text", {"trace", lo, "--max-ttl", "ten"}, 2, "got 'ten'");
        row("max-ttl missing value", {"trace", lo, "--max-ttl"}, 2, "Missing value after '--max-ttl'");
        row("first-ttl above max-ttl", {"trace", lo, "--first-ttl", "9", "--max-ttl", "5"}, 2,
            "first TTL (9)");
        row("queries 0", {"trace", lo, "--queries", "0"}, 2, "--queries must be a whole number from 1 to 10");
        row("queries 11", {"trace", lo, "--queries", "11"}, 2,
            "--queries must be a whole number from 1 to 10");
        row("timeout too short", {"trace", lo, "--timeout", "0.05"}, 2,
            "--timeout must be a number of seconds");
        row("timeout too long", {"trace", lo, "--timeout", "61"}, 2, "--timeout must be a number of seconds");
        row("timeout nan", {"trace", lo, "--timeout", "nan"}, 2, "--timeout must be a number of seconds");
        row("max-gap 0", {"trace", lo, "--max-gap", "0"}, 2, "--max-gap must be a whole number");
        row("port 0", {"trace", lo, "--port", "0"}, 2, "--port must be a whole number from 1 to 65535");
        row("port 65536", {"ping", lo, "--port", "65536"}, 2,
            "--port must be a whole number from 1 to 65535");
        row("bad method", {"trace", lo, "--method", "sctp"}, 2, "--method must be udp, icmp, tcp or auto");
        row("both families", {"trace", lo, "-4", "-6"}, 2, "-4 and -6 exclude each other");
        row("count for trace", {"trace", lo, "--count", "3"}, 2, "--count does not apply to trace");
        row("max-ttl for ping", {"ping", lo, "--max-ttl", "3"}, 2, "--max-ttl does not apply to ping");
        row("count 0", {"ping", lo, "--count", "0"}, 2, "--count must be a whole number from 1 to 100000");
        row("interval 0", {"ping", lo, "--interval", "0"}, 2, "--interval must be a number of seconds");
        row("ttl 256", {"ping", lo, "--ttl", "256"}, 2, "--ttl must be a whole number from 1 to 255");
        row("ipv6 for an ipv4 address", {"trace", lo, "-6"}, 1, "'127.0.0.1' has no IPv6 address");
        row("ipv4 for an ipv6 address", {"ping", "::1", "-4"}, 1, "'::1' has no IPv4 address");
    }

    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run r = runCli(args);
        QCOMPARE(r.exitCode, exitCode);
        const QString err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(err.contains(message), qPrintable(QStringLiteral("stderr was: ") + err));
        if (exitCode == 2) {
            QVERIFY2(!err.contains(QLatin1Char('\n')),
                     qPrintable(QStringLiteral("more than one line: ") + err));
            QVERIFY(err.startsWith(QLatin1String("tracemap-cli: ")));
            QVERIFY(r.out.isEmpty());
        }
    }

    void helpAndVersion()
    {
        const Run help = runCli({"--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("tracemap-cli trace HOST"));
        QVERIFY(help.out.contains("--max-gap"));
        const Run version = runCli({"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("tracemap-cli "));
    }

    void traceLoopbackJson_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("method");
        QTest::newRow("udp ipv4") << QStringLiteral("127.0.0.1") << QStringLiteral("udp");
        QTest::newRow("udp ipv6") << QStringLiteral("::1") << QStringLiteral("udp");
        QTest::newRow("tcp ipv4") << QStringLiteral("127.0.0.1") << QStringLiteral("tcp");
        QTest::newRow("tcp ipv6") << QStringLiteral("::1") << QStringLiteral("tcp");
        QTest::newRow("auto ipv4") << QStringLiteral("127.0.0.1") << QStringLiteral("auto");
    }

    void traceLoopbackJson()
    {
        QFETCH(QString, target);
        QFETCH(QString, method);
        // Port 9 (discard) is almost never open on loopback: UDP gets port unreachable
        // and TCP a RST, both of which mean "reached".
        const Run r = runCli({"trace", target, "--method", method, "--port", "9", "--json"});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonObject doc = QJsonDocument::fromJson(r.out, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc.value("target").toString(), target);
        QCOMPARE(doc.value("dest").toString(), target);
        QCOMPARE(doc.value("ttl").toInt(), 30);
        QCOMPARE(doc.value("packets").toInt(), 3);
        QCOMPARE(doc.value("reached").toBool(), true);
        QVERIFY(doc.value("error").isNull());
        const QJsonArray hops = doc.value("ping_time").toArray();
        QCOMPARE(hops.size(), 1); // loopback is one hop away; nothing beyond is listed
        const QJsonObject hop = hops.first().toObject();
        QCOMPARE(hop.value("ttl").toInt(), 1);
        QCOMPARE(hop.value("dest").toString(), target);
        const QJsonArray pings = hop.value("ping_time").toArray();
        QCOMPARE(pings.size(), 3);
        for (int i = 0; i < pings.size(); ++i) {
            const QJsonObject p = pings.at(i).toObject();
            QCOMPARE(p.value("attempt").toInt(), i + 1);
            QCOMPARE(p.value("address").toString(), target);
            QVERIFY(p.value("time").toDouble() >= 0);
            QVERIFY(p.contains("type") && p.contains("code"));
        }
    }

    void traceTextIsPrintedPerHop()
    {
        const Run r = runCli({"trace", "127.0.0.1", "--port", "9"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(" 1  127.0.0.1  "), r.out.constData());
        QVERIFY(r.err.contains("traceroute to 127.0.0.1"));
        QVERIFY(r.err.contains("reached 127.0.0.1"));
    }

    void pingLoopbackJson()
    {
        const Run r = runCli({"ping", "127.0.0.1", "--method", "udp", "--port", "9", "--count", "3",
                              "--interval", "0.05", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(doc.value("target").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(doc.value("dest").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(doc.value("source").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(doc.value("ttl").toInt(), 64);
        QCOMPARE(doc.value("packets").toInt(), 3);
        const QJsonArray pings = doc.value("ping_time").toArray();
        QCOMPARE(pings.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const QJsonObject p = pings.at(i).toObject();
            QCOMPARE(p.value("attempt").toInt(), i + 1);
            QCOMPARE(p.value("address").toString(), QStringLiteral("127.0.0.1"));
            QCOMPARE(p.value("type").toInt(), 3); // port unreachable
            QCOMPARE(p.value("code").toInt(), 3);
        }
        QCOMPARE(doc.value("stats").toObject().value("received").toInt(), 3);
    }
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
