// The one description of the geolocation options (geo/geooptions.h): every option parsed from
// a command line (as tracemap-cli and the desktop app do) sets the same GeoSettings as the
// values given directly; bad values give one line naming the option; --source-location auto
// leaves the source to the estimate.
#include "geooptions.h"

#include <QCommandLineParser>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace tracemap;

Q_DECLARE_METATYPE(tracemap::OptionError)

namespace {

// Every field the options set, as text, so that two settings compare field by field.
QMap<QString, QString> fields(const GeoSettings &s)
{
    return {{"offline", QString::number(s.offline)},
            {"online", QString::number(s.onlineLookups)},
            {"reverseDns", QString::number(s.reverseDns)},
            {"geo-db", s.databasePaths.join(QLatin1Char('|'))},
            {"geo-overrides", s.overridePaths.join(QLatin1Char('|'))},
            {"nominatim-url", s.nominatimUrl.toString()},
            {"geo-provider-url", s.ipProviderUrl.toString()},
            {"source-location", s.sourceLatitude
                                    ? QStringLiteral("%1,%2").arg(*s.sourceLatitude).arg(*s.sourceLongitude)
                                    : QStringLiteral("auto")},
            {"geo-cache", s.cachePath}};
}

OptionValues fromArgv(const QStringList &args, bool *ok)
{
    QCommandLineParser p;
    p.addOptions(geoCommandLineOptions());
    *ok = p.parse(QStringList{QStringLiteral("prog")} + args);
    return givenGeoOptions(p);
}

struct Row
{
    const char *name;
    QStringList argv; // FILE: a readable file
    const char *changes;
};

const QList<Row> &rows()
{
    static const QList<Row> all = {
        {"offline", {"--offline"}, "offline=1;reverseDns=0"},
        {"online", {"--online"}, "online=1"},
        {"geo-db twice", {"--geo-db", "FILE", "--geo-db", "FILE"}, "geo-db=FILE|FILE"},
        {"geo-overrides", {"--geo-overrides", "FILE"}, "geo-overrides=FILE"},
        {"nominatim-url",
         {"--nominatim-url", "http://127.0.0.1:8080"},
         "nominatim-url=http://127.0.0.1:8080"},
        {"geo-provider-url",
         {"--geo-provider-url", "https://127.0.0.1/{ip}"},
         "geo-provider-url=https://127.0.0.1/%7Bip%7D"},
        {"source-location", {"--source-location", "50.11, 8.68"}, "source-location=50.11,8.68"},
        {"geo-cache none", {"--geo-cache", "-"}, "geo-cache=-"},
    };
    return all;
}

} // namespace

class tst_GeoOptions : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_file; // a readable file for the path options

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath(QStringLiteral("data.csv"));
        QFile f(m_file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("192.0.2.0/24,48.85,2.35,Paris\n");
    }

    // Each row: argv, and the fields it must change (name=value, separated by ';').
    void sameSettings_data()
    {
        QTest::addColumn<QStringList>("argv");
        QTest::addColumn<QString>("changes");
        for (const Row &row : rows()) {
            QStringList argv = row.argv;
            argv.replaceInStrings(QStringLiteral("FILE"), m_file);
            QTest::newRow(row.name) << argv << QString(row.changes).replace(QStringLiteral("FILE"), m_file);
        }
    }
    void sameSettings()
    {
        QFETCH(QStringList, argv);
        QFETCH(QString, changes);
        bool parsed = false;
        const OptionValues given = fromArgv(argv, &parsed);
        QVERIFY(parsed);
        GeoSettings fromCli;
        const OptionProblem problem = applyGeoOptions(given, &fromCli);
        QVERIFY2(problem.ok(), qPrintable(problem.message));
        // The same values handed over directly (as a program composing the table does).
        OptionValues direct;
        for (int i = 0; i < argv.size(); ++i) {
            const QString name = argv.at(i).mid(2);
            const bool flag =
                geoOptionSpecs().end() !=
                std::find_if(geoOptionSpecs().begin(), geoOptionSpecs().end(),
                             [&](const GeoOptionSpec &s) { return s.name == name && s.valueName.isEmpty(); });
            direct.append({name, flag ? QString() : argv.at(++i)});
        }
        GeoSettings fromValues;
        QVERIFY(applyGeoOptions(direct, &fromValues).ok());
        QCOMPARE(fields(fromCli), fields(fromValues));
        QMap<QString, QString> expected = fields(GeoSettings());
        for (const QString &change : changes.split(QLatin1Char(';'))) {
            const qsizetype eq = change.indexOf(QLatin1Char('='));
            QVERIFY(expected.contains(change.left(eq)));
            expected.insert(change.left(eq), change.mid(eq + 1));
        }
        QCOMPARE(fields(fromCli), expected);
    }

    void everyOptionHasARow()
    {
        QSet<QString> covered;
        for (const Row &row : rows()) {
            for (const QString &arg : row.argv) {
                if (arg.startsWith(QLatin1String("--")))
                    covered.insert(arg.mid(2));
            }
        }
        for (const GeoOptionSpec &spec : geoOptionSpecs()) {
            QVERIFY2(covered.contains(spec.name), qPrintable(spec.name + QStringLiteral(" has no row")));
            const QString line = geoOptionsHelp({spec.id});
            QVERIFY2(line.startsWith(QStringLiteral("  --") + spec.name), qPrintable(line));
        }
    }

    void badValues_data()
    {
        QTest::addColumn<QStringList>("argv");
        QTest::addColumn<OptionError>("error");
        QTest::addColumn<QString>("message");
        QTest::newRow("offline and online") << QStringList{"--offline", "--online"} << OptionError::Conflict
                                            << "--offline and --online exclude each other";
        QTest::newRow("unreadable geo-db")
            << QStringList{"--geo-db", "/nonexistent.mmdb"} << OptionError::BadValue
            << "--geo-db: cannot read '/nonexistent.mmdb'";
        QTest::newRow("directory as overrides")
            << QStringList{"--geo-overrides", "/"} << OptionError::BadValue
            << "--geo-overrides: cannot read '/'";
        QTest::newRow("ftp nominatim")
            << QStringList{"--nominatim-url", "ftp://127.0.0.1/"} << OptionError::BadValue
            << "--nominatim-url must be an http:// or https:// URL, got 'ftp://127.0.0.1/'";
        QTest::newRow("provider without host")
            << QStringList{"--geo-provider-url", "http://"} << OptionError::BadValue
            << "--geo-provider-url must be an http:// or https:// URL, got 'http://'";
        QTest::newRow("latitude 91")
            << QStringList{"--source-location", "91,0"} << OptionError::BadValue
            << "--source-location must be LAT,LON in degrees (e.g. 50.11,8.68) or auto, "
               "got '91,0'";
        QTest::newRow("one coordinate")
            << QStringList{"--source-location", "50"} << OptionError::BadValue
            << "--source-location must be LAT,LON in degrees (e.g. 50.11,8.68) or "
               "auto, got '50'";
        QTest::newRow("empty cache") << QStringList{"--geo-cache", ""} << OptionError::BadValue
                                     << "--geo-cache needs a file name, or - for no cache";
    }
    void badValues()
    {
        QFETCH(QStringList, argv);
        QFETCH(OptionError, error);
        QFETCH(QString, message);
        bool parsed = false;
        const OptionValues given = fromArgv(argv, &parsed);
        QVERIFY(parsed);
        GeoSettings settings;
        const OptionProblem problem = applyGeoOptions(given, &settings);
        QCOMPARE(problem.error, error);
        QCOMPARE(problem.message, message);
        QVERIFY(!problem.message.contains(QLatin1Char('\n')));
    }

    // auto: no configured source (the estimate), also over one configured before.
    void sourceLocationAuto_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("auto") << QStringLiteral("auto");
        QTest::newRow("AUTO, spaced") << QStringLiteral(" AUTO ");
    }
    void sourceLocationAuto()
    {
        QFETCH(QString, text);
        GeoSettings settings;
        settings.sourceLatitude = 50.0;
        settings.sourceLongitude = 8.0;
        QVERIFY(applyGeoOptions({{QStringLiteral("source-location"), text}}, &settings).ok());
        QVERIFY(!settings.sourceLatitude);
        QVERIFY(!settings.sourceLongitude);
    }

    void latLon_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::newRow("plain") << "48.8566,2.3522" << true;
        QTest::newRow("spaces") << " -33.9 , 151.2 " << true;
        QTest::newRow("corners") << "-90,180" << true;
        QTest::newRow("latitude out of range") << "90.5,0" << false;
        QTest::newRow("longitude out of range") << "0,-180.1" << false;
        QTest::newRow("three parts") << "1,2,3" << false;
        QTest::newRow("words") << "north,east" << false;
        QTest::newRow("nan") << "nan,0" << false;
        QTest::newRow("empty") << "" << false;
    }
    void latLon()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        double lat = 0, lon = 0;
        QCOMPARE(parseLatLon(text, &lat, &lon), ok);
    }
};

QTEST_GUILESS_MAIN(tst_GeoOptions)
#include "tst_geooptions.moc"
