// tracemap-cli's vantage commands as a user runs them, against loopback servers playing RIPE
// Atlas, Globalping and a tracemap-agent: routes printed with their vantage (text and JSON), an
// agent's route with where it starts (configured, estimated, none), the credit cost shown and --yes required
// before an Atlas measurement is created, key and token files refused when others can read them and never
// echoed, bad usage as one line and exit 2. Every run is --offline with no cache; nothing leaves 127.0.0.1.
#include "loopbackhttpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using tracemap::test::LoopbackHttpServer;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

QByteArray data(const QString &name)
{
    QFile f(qEnvironmentVariable("TRACEMAP_TEST_DATA") + QLatin1Char('/') + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    return f.readAll();
}

const QByteArray kSecret = "0123abcd-4567-secret-key";

// One hop line and the final document, as the agent streams them.
const QByteArray kAgentStream =
    R"({"event":"hop","hop":{"dest":"192.0.2.10","packets":2,"ping_time":[{"address":"198.51.100.1","attempt":1,"code":0,"reply":"time-exceeded","time":0.5,"type":11},{"address":"198.51.100.1","attempt":2,"code":0,"reply":"time-exceeded","time":0.6,"type":11}],"reached":false,"ttl":1}})"
    "\n"
    R"({"event":"trace","trace":{"dest":"192.0.2.10","elapsed_ms":12.5,"error":null,"method":"udp","packets":2,"ping_time":[{"dest":"192.0.2.10","packets":2,"ping_time":[{"address":"198.51.100.1","attempt":1,"code":0,"reply":"time-exceeded","time":0.5,"type":11},{"address":"198.51.100.1","attempt":2,"code":0,"reply":"time-exceeded","time":0.6,"type":11}],"reached":false,"ttl":1},{"dest":"192.0.2.10","packets":2,"ping_time":[{"address":"192.0.2.10","attempt":1,"code":3,"reply":"unreachable","time":1.5,"type":3},{"address":"192.0.2.10","attempt":2,"code":3,"reply":"unreachable","time":1.4,"type":3}],"reached":true,"ttl":2}],"reached":true,"source":"198.51.100.200","target":"192.0.2.10","transport":"udp","ttl":30}})"
    "\n";

} // namespace

class tst_VantageCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // Runs the CLI without blocking this thread's event loop (the fake servers live in it).
    Run run(const QStringList &args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CACHE_HOME"), m_dir.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("TRACEMAP_DATA_DIR"), m_dir.filePath(QStringLiteral("data")));
        p.setProcessEnvironment(env);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(qEnvironmentVariable("TRACEMAP_CLI"), args);
        if (!finished.wait(60000)) {
            p.kill();
            p.waitForFinished();
        }
        Run r;
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    QString secretFile(const char *name, QFileDevice::Permissions perms)
    {
        const QString path = m_dir.filePath(QString::fromLatin1(name));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(kSecret + "\n") < 0)
            qFatal("cannot write %s", qPrintable(path));
        f.close();
        f.setPermissions(perms);
        return path;
    }

    static QStringList offline()
    {
        return {QStringLiteral("--offline"), QStringLiteral("--geo-cache"), QStringLiteral("-")};
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void showFile()
    {
        const QString file = QString::fromLocal8Bit(qgetenv("TRACEMAP_TEST_DATA")) +
                             QStringLiteral("/atlas/traceroute-firmwares.json");
        Run r =
            run(QStringList{QStringLiteral("atlas"), QStringLiteral("show"), file, QStringLiteral("--json")} +
                offline());
        QCOMPARE(r.exitCode, 0);
        const QJsonArray routes = r.json().value(QStringLiteral("routes")).toArray();
        QCOMPARE(routes.size(), 16);
        const QJsonObject third = routes.at(2).toObject();
        QCOMPARE(third.value(QStringLiteral("vantage")).toObject().value(QStringLiteral("id")).toString(),
                 QStringLiteral("atlas:1003"));
        QVERIFY(third.value(QStringLiteral("trace")).toObject().value(QStringLiteral("reached")).toBool());
        QCOMPARE(third.value(QStringLiteral("firmware")).toInt(), 4470);
        const QJsonArray hops =
            third.value(QStringLiteral("trace")).toObject().value(QStringLiteral("ping_time")).toArray();
        QCOMPARE(hops.size(), 3);
        QVERIFY(hops.at(0).toObject().contains(QStringLiteral("geo"))); // every hop went through the chain
        const QJsonObject mplsRoute = routes.at(3).toObject();
        QCOMPARE(mplsRoute.value(QStringLiteral("notes"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("mpls"))
                     .toArray()
                     .at(0)
                     .toString(),
                 QStringLiteral("L=407904 E=1 S=1 TTL=1"));

        r = run(QStringList{QStringLiteral("atlas"), QStringLiteral("show"), file} + offline());
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("route 16 of 16: RIPE Atlas probe 1016"));
        QVERIFY(r.out.contains(" 2  * 203.0.113.41  12.500 ms  12.700 ms")); // the late answer left out
    }

    void showDamagedFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("cut.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data(QStringLiteral("atlas/traceroute-firmwares.json")).left(500));
        f.close();
        const Run r = run(QStringList{QStringLiteral("atlas"), QStringLiteral("show"), path} + offline());
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(r.err.contains("not valid JSON"));
        QVERIFY(r.out.isEmpty());
    }

    void showMeasurement()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(
            QStringLiteral("/api/v2/measurements/5001/results/"), [](const LoopbackHttpServer::Request &) {
                return LoopbackHttpServer::json(data(QStringLiteral("atlas/traceroute-firmwares.json")));
            });
        server.setDefaultHandler([](const LoopbackHttpServer::Request &request) {
            const QByteArray id = request.path.section(QLatin1Char('/'), 4, 4).toLatin1();
            if (id == "1001")
                return LoopbackHttpServer::json(
                    R"({"id":1001,"country_code":"DE","geometry":{"type":"Point","coordinates":[8.68,50.11]}})");
            return LoopbackHttpServer::json("{\"id\":" + id + ",\"geometry\":null}");
        });
        const Run r = run(
            QStringList{QStringLiteral("atlas"), QStringLiteral("show"), QStringLiteral("--measurement"),
                        QStringLiteral("5001"), QStringLiteral("--probe-ids"), QStringLiteral("1001,1002"),
                        QStringLiteral("--atlas-url"), server.url().toString(), QStringLiteral("--json")} +
            offline());
        QCOMPARE(r.exitCode, 0);
        const QJsonObject first = r.json().value(QStringLiteral("routes")).toArray().at(0).toObject();
        QCOMPARE(
            first.value(QStringLiteral("vantage")).toObject().value(QStringLiteral("latitude")).toDouble(),
            50.11);
        QVERIFY(
            first.value(QStringLiteral("vantage")).toObject().value(QStringLiteral("longitude")).toDouble() ==
            8.68);
        QVERIFY(server.requests().at(0).target.contains("probe_ids=1001,1002"));
    }

    void atlasTraceAsksFirst()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        const QString key = secretFile("atlas.key", QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QStringList args = {
            QStringLiteral("atlas"),       QStringLiteral("trace"),      QStringLiteral("192.0.2.10"),
            QStringLiteral("--probes"),    QStringLiteral("3"),          QStringLiteral("--country"),
            QStringLiteral("DE"),          QStringLiteral("--key-file"), key,
            QStringLiteral("--atlas-url"), server.url().toString()};
        const Run r = run(args + offline());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("costs about 180 credits"), r.err.constData());
        QVERIFY(r.err.contains("--yes"));
        QCOMPARE(server.requestCount(), 0);
    }

    void atlasTraceCreates()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/api/v2/measurements/"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"measurements":[5009]})", 201);
        });
        server.route(QStringLiteral("/api/v2/measurements/5009/"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(
                R"({"id":5009,"status":{"id":4,"name":"Stopped"},"participant_count":16})");
        });
        server.route(
            QStringLiteral("/api/v2/measurements/5009/results/"), [](const LoopbackHttpServer::Request &) {
                return LoopbackHttpServer::json(data(QStringLiteral("atlas/traceroute-firmwares.json")));
            });
        server.setDefaultHandler([](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"detail":"Not found."})", 404);
        });
        const QString key = secretFile("atlas2.key", QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const Run r =
            run(QStringList{QStringLiteral("atlas"), QStringLiteral("trace"), QStringLiteral("192.0.2.10"),
                            QStringLiteral("--probes"), QStringLiteral("16"), QStringLiteral("--area"),
                            QStringLiteral("WW"), QStringLiteral("--key-file"), key, QStringLiteral("--yes"),
                            QStringLiteral("--atlas-url"), server.url().toString(), QStringLiteral("--json"),
                            QStringLiteral("--deadline"), QStringLiteral("30")} +
                offline());
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("routes")).toArray().size(), 16);
        QCOMPARE(server.requests().at(0).header("authorization"), "Key " + kSecret);
        QVERIFY(!r.out.contains(kSecret));
        QVERIFY(!r.err.contains(kSecret));
        QVERIFY(r.err.contains("created measurement 5009"));
    }

    void secretFilesOthersCanRead()
    {
        const QString key =
            secretFile("open.key", QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
        const Run r = run({QStringLiteral("globalping"), QStringLiteral("trace"),
                           QStringLiteral("192.0.2.10"), QStringLiteral("--from"), QStringLiteral("Germany"),
                           QStringLiteral("--token-file"), key, QStringLiteral("--globalping-url"),
                           QStringLiteral("http://127.0.0.1:9/"), QStringLiteral("--offline")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("can be read by other users"));
        QVERIFY(!r.err.contains(kSecret));
    }

    void globalpingTrace()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/v1/measurements"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"id":"gpTrace0001","probesCount":3})", 202);
        });
        server.route(QStringLiteral("/v1/measurements/gpTrace0001"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(data(QStringLiteral("globalping/traceroute-finished.json")));
        });
        const QString token = secretFile("gp.token", QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const Run r = run(QStringList{QStringLiteral("globalping"), QStringLiteral("trace"),
                                      QStringLiteral("www.example.net"), QStringLiteral("--from"),
                                      QStringLiteral("Europe"), QStringLiteral("--limit"),
                                      QStringLiteral("3"), QStringLiteral("--token-file"), token,
                                      QStringLiteral("--globalping-url"), server.url().toString()} +
                          offline());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(
                     "route 1 of 3: Globalping Frankfurt, DE (AS64500), Frankfurt, DE (50.1109, 8.6821)"),
                 r.out.constData());
        QVERIFY(r.out.contains("failed: Globalping Tokyo"));
        const QJsonObject body = QJsonDocument::fromJson(server.requests().at(0).body).object();
        QCOMPARE(body.value(QStringLiteral("limit")).toInt(), 3);
        QCOMPARE(server.requests().at(0).header("authorization"), "Bearer " + kSecret);
        QVERIFY(!r.out.contains(kSecret) && !r.err.contains(kSecret));
    }

    void traceViaFakeAgent()
    {
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/traceroute"), [](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r;
            r.body = kAgentStream;
            r.header("Content-Type", "application/x-ndjson");
            r.chunkSize = 200;
            r.chunkIntervalMs = 20;
            return r;
        });
        const QString token = secretFile("agent.token", QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        Run r = run({QStringLiteral("trace"), QStringLiteral("192.0.2.10"), QStringLiteral("--via"),
                     server.url().toString(), QStringLiteral("--token-file"), token});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(" 1  198.51.100.1  0.500 ms  0.600 ms"), r.out.constData());
        const QUrlQuery query = server.requests().at(0).query;
        QCOMPARE(query.queryItemValue(QStringLiteral("dest")), QStringLiteral("192.0.2.10"));
        QCOMPARE(query.queryItemValue(QStringLiteral("stream")), QStringLiteral("1"));
        QCOMPARE(server.requests().at(0).header("authorization"), "Bearer " + kSecret);

        r = run({QStringLiteral("trace"), QStringLiteral("192.0.2.10"), QStringLiteral("--via"),
                 server.url().toString(), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.json().value(QStringLiteral("reached")).toBool());
        QCOMPARE(
            r.json().value(QStringLiteral("vantage")).toObject().value(QStringLiteral("kind")).toString(),
            QStringLiteral("agent"));

        // An agent that knows its place says so first and in its document: the CLI names it and
        // keeps it in the JSON's vantage beside kind and url.
        const QByteArray place =
            R"({"name":"Frankfurt office","latitude":50.11,"longitude":8.68,"source":"configured"})";
        const QByteArray placed =
            "{\"event\":\"vantage\",\"vantage\":" + place + "}\n" +
            QByteArray(kAgentStream)
                .replace("\"transport\":\"udp\"", "\"transport\":\"udp\",\"vantage\":" + place);
        server.route(QStringLiteral("/traceroute"), [placed](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::text(placed);
        });
        r = run({QStringLiteral("trace"), QStringLiteral("192.0.2.10"), QStringLiteral("--via"),
                 server.url().toString()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("the agent is at Frankfurt office (50.1100, 8.6800)"), r.err.constData());
        r = run({QStringLiteral("trace"), QStringLiteral("192.0.2.10"), QStringLiteral("--via"),
                 server.url().toString(), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject vantage = r.json().value(QStringLiteral("vantage")).toObject();
        QCOMPARE(vantage.value(QStringLiteral("kind")).toString(), QStringLiteral("agent"));
        QCOMPARE(vantage.value(QStringLiteral("name")).toString(), QStringLiteral("Frankfurt office"));
        QCOMPARE(vantage.value(QStringLiteral("latitude")).toDouble(), 50.11);
        QCOMPARE(vantage.value(QStringLiteral("url")).toString(), server.url().toString());

        server.route(QStringLiteral("/traceroute"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(R"({"error":"missing or wrong token"})", 401);
        });
        r = run({QStringLiteral("trace"), QStringLiteral("192.0.2.10"), QStringLiteral("--via"),
                 server.url().toString()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("token is wrong"));
    }

    // Where the agent's route starts, said in text ("start: ...") and JSON (vantage.source): the
    // configured place wins; with --geo a loopback agent's address is never asked about, so the
    // first public router's place (from an overrides file) is the estimate; without --geo and
    // without a configured place nothing is known.
    void traceViaSaysWhereItStarts_data()
    {
        QTest::addColumn<bool>("configured");
        QTest::addColumn<bool>("geo");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("note");
        QTest::newRow("configured") << true << false << "configured"
                                    << "configured on the agent";
        QTest::newRow("configured wins with --geo") << true << true << "configured"
                                                    << "configured on the agent";
        QTest::newRow("loopback agent with --geo -> estimated") << false << true << "estimated"
                                                                << "estimated from hop 1";
        QTest::newRow("nothing known without --geo") << false << false << "none"
                                                     << "unknown";
    }

    void traceViaSaysWhereItStarts()
    {
        QFETCH(bool, configured);
        QFETCH(bool, geo);
        QFETCH(QString, source);
        QFETCH(QString, note);
        const QByteArray place =
            R"({"name":"Frankfurt office","latitude":50.11,"longitude":8.68,"source":"configured"})";
        QByteArray stream = QByteArray(kAgentStream).replace("198.51.100.1", "62.0.0.5");
        if (configured)
            stream = "{\"event\":\"vantage\",\"vantage\":" + place + "}\n" +
                     stream.replace("\"transport\":\"udp\"", "\"transport\":\"udp\",\"vantage\":" + place);
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/traceroute"), [stream](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::text(stream);
        });
        const QString overrides = m_dir.filePath(QStringLiteral("via-overrides.csv"));
        QFile f(overrides);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("62.0.0.0/24,52.52,13.40,Berlin rack\n");
        f.close();
        QStringList args{QStringLiteral("trace"), QStringLiteral("192.0.2.10"), QStringLiteral("--via"),
                         server.url().toString()};
        if (geo)
            args << QStringLiteral("--geo") << offline() << QStringLiteral("--geo-overrides") << overrides;

        Run r = run(args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("start: " + note.toUtf8()), r.err.constData());
        if (geo) {
            // The hops are located after the stream, their RTT checked from the start: hop 1 at
            // 0.5 ms cannot be 420 km from the configured Frankfurt office, so the Berlin override
            // is refused there; as the estimate's source it is taken without a check.
            QVERIFY2(r.out.contains("   1  62.0.0.5"), r.out.constData());
            QVERIFY2(r.out.contains("override") == !configured, r.out.constData());
        }

        r = run(args + QStringList{QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject vantage = r.json().value(QStringLiteral("vantage")).toObject();
        QCOMPARE(vantage.value(QStringLiteral("source")).toString(), source);
        QVERIFY2(vantage.value(QStringLiteral("note")).toString().startsWith(note),
                 qPrintable(vantage.value(QStringLiteral("note")).toString()));
        QCOMPARE(vantage.value(QStringLiteral("kind")).toString(), QStringLiteral("agent"));
        QCOMPARE(vantage.value(QStringLiteral("address")).toString(),
                 geo ? QStringLiteral("127.0.0.1") : QString());
        if (source == QLatin1String("none"))
            QVERIFY(!vantage.contains(QStringLiteral("latitude")));
        else
            QCOMPARE(vantage.value(QStringLiteral("latitude")).toDouble(), configured ? 50.11 : 52.52);
    }

    void usage_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("atlas alone") << QStringList{QStringLiteral("atlas")} << "atlas: say";
        QTest::newRow("file and measurement")
            << QStringList{"atlas", "show", "x.json", "--measurement", "5"} << "one FILE";
        QTest::newRow("no selection")
            << QStringList{"atlas", "trace", "192.0.2.1", "--probes", "3", "--key-file", "k"}
            << "one of --country";
        QTest::newRow("two selections")
            << QStringList{"atlas", "trace", "192.0.2.1", "--probes",   "3", "--country",
                           "DE",    "--asn", "3320",      "--key-file", "k"}
            << "one of --country";
        QTest::newRow("globalping without from")
            << QStringList{"globalping", "trace", "192.0.2.1"} << "--from";
        QTest::newRow("bad via") << QStringList{"trace", "192.0.2.1", "--via", "ftp://127.0.0.1/"} << "--via";
        QTest::newRow("via with a geo option but no --geo")
            << QStringList{"trace", "192.0.2.1", "--via", "http://127.0.0.1:1/", "--offline"}
            << "needs --geo";
        QTest::newRow("via with --geo and an atlas option")
            << QStringList{"trace", "192.0.2.1", "--via", "http://127.0.0.1:1/", "--geo", "--yes"}
            << "does not apply";
        QTest::newRow("yes on ping") << QStringList{"ping", "192.0.2.1", "--yes"} << "does not apply";
        QTest::newRow("offline: RIPE Atlas is elsewhere")
            << QStringList{"atlas", "show", "--measurement", "5", "--offline"} << "offline: atlas.ripe.net";
        QTest::newRow("offline: a one-off too")
            << QStringList{"atlas",     "trace", "192.0.2.1",  "--probes", "3",
                           "--country", "DE",    "--key-file", "k",        "--offline"}
            << "offline: atlas.ripe.net";
        QTest::newRow("offline: Globalping is elsewhere")
            << QStringList{"globalping", "trace", "192.0.2.1", "--from", "Germany", "--offline"}
            << "offline: api.globalping.io";
        QTest::newRow("offline: an agent elsewhere")
            << QStringList{"trace", "192.0.2.1", "--via", "http://192.0.2.9:8080/", "--geo", "--offline"}
            << "offline: 192.0.2.9";
        QTest::newRow("bad probe ids")
            << QStringList{"atlas", "show", "--measurement", "5", "--probe-ids", "1,x"} << "--probe-ids";
    }

    void usage()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run r = run(args);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(tst_VantageCli)
#include "tst_vantagecli.moc"
