// The tracemap binary's command line without any display (no X11, no Wayland, no platform
// chosen): bad arguments still get one line and exit 2, an interactive start says what is
// missing, and a scripted export works offscreen. The trace and geolocation options are
// tracemap-cli's (same errors); --source-location (LAT,LON or auto) and the old --source are
// accepted; options given on the command line are not saved as settings; --watch HOST with
// --interval/--cycles starts a watch.
// Runs $TRACEMAP_GUI; traces only 127.0.0.1.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runHeadless(const QStringList &args)
{
    static QTemporaryDir runtimeDir; // 0700, as Qt wants XDG_RUNTIME_DIR
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(name));
    // Qt warns (on stderr) when there is no runtime directory; desktop sessions have one.
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtimeDir.path());
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("TRACEMAP_GUI"), args);
    Run run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

class tst_DesktopCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("TRACEMAP_GUI"))
            QSKIP("TRACEMAP_GUI is not set (run through ctest)");
    }

    void refusals_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad size") << QStringList{"--size", "10x"} << 2 << "--size must be WxH";
        QTest::newRow("export without trace")
            << QStringList{"--export-image", "/tmp/x.png"} << 2 << "--export-image";
        QTest::newRow("save without trace or file") << QStringList{"--save", "/tmp/x.tracemap.json"} << 2
                                                    << "--save needs a file name and --trace HOST";
        QTest::newRow("interactive start") << QStringList{} << 1 << "no display to show the window on";
        QTest::newRow("scripted without quit")
            << QStringList{"--trace", "127.0.0.1", "--offline"} << 1 << "--quit-when-done";
        QTest::newRow("bad source location")
            << QStringList{"--source-location", "91,0"} << 2 << "--source-location must be LAT,LON";
        QTest::newRow("bad old source spelling")
            << QStringList{"--source", "north"} << 2 << "--source-location must be LAT,LON";
        // The trace and geolocation options are tracemap-cli's: the same sentences.
        QTest::newRow("bad method") << QStringList{"--method", "sctp"} << 2
                                    << "tracemap: --method must be udp, icmp, tcp or auto, got 'sctp'";
        QTest::newRow("max-ttl out of range") << QStringList{"--max-ttl", "0"} << 2
                                              << "--max-ttl must be a whole number from 1 to 255, got '0'";
        QTest::newRow("both families") << QStringList{"-4", "-6"} << 2 << "-4 and -6 exclude each other";
        QTest::newRow("offline and online")
            << QStringList{"--offline", "--online"} << 2 << "--offline and --online exclude each other";
        QTest::newRow("bad atlas url")
            << QStringList{"--atlas-url", "ftp://127.0.0.1/"} << 2 << "--atlas-url must be an http(s) URL";
        QTest::newRow("bad globalping url")
            << QStringList{"--globalping-url", "127.0.0.1"} << 2 << "--globalping-url must be an http(s) URL";
        // --watch HOST and its options (tracemap-cli watch's ranges and sentences).
        QTest::newRow("interval without watch")
            << QStringList{"--interval", "2"} << 2 << "--interval needs --watch HOST";
        QTest::newRow("cycles without watch")
            << QStringList{"--cycles", "5"} << 2 << "--cycles needs --watch HOST";
        QTest::newRow("watch interval too short")
            << QStringList{"--watch", "127.0.0.1", "--interval", "0.01"} << 2
            << "--interval must be a number of seconds from 0.1 to 3600, got '0.01'";
        QTest::newRow("watch zero cycles") << QStringList{"--watch", "127.0.0.1", "--cycles", "0"} << 2
                                           << "--cycles must be a whole number from 1 to 1000000, got '0'";
        QTest::newRow("watch cycles not a number")
            << QStringList{"--watch", "127.0.0.1", "--cycles", "x"} << 2 << "--cycles must be a whole number";
        QTest::newRow("watch and trace") << QStringList{"--watch", "127.0.0.1", "--trace", "127.0.0.1"} << 2
                                         << "--watch does not go with --trace";
        QTest::newRow("watch and export")
            << QStringList{"--watch", "127.0.0.1", "--export-image", "/tmp/x.png"} << 2
            << "--watch does not go with --export-image";
        QTest::newRow("watch and a second host")
            << QStringList{"--watch", "127.0.0.1", "127.0.0.2"} << 2 << "--watch needs one host";
        QTest::newRow("watch without a host") << QStringList{"--watch", ""} << 2 << "--watch needs one host";
        QTest::newRow("watch a bad host")
            << QStringList{"--watch", "bad!host"} << 2 << "'bad!host' is not a valid host name or address";
        QTest::newRow("watch needs a display")
            << QStringList{"--watch", "127.0.0.1"} << 1 << "no display to show the window on";
        QTest::newRow("unreadable overrides") << QStringList{"--geo-overrides", "/nonexistent.csv"} << 2
                                              << "--geo-overrides: cannot read '/nonexistent.csv'";
    }
    void refusals()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run run = runHeadless(args);
        QCOMPARE(run.exitCode, exitCode);
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(err.contains(message), qPrintable(err));
        QCOMPARE(err.count(QLatin1Char('\n')), 0); // one line
    }

    void scriptedExportWithoutDisplay()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("route.png"));
        const Run run = runHeadless({"--trace", "127.0.0.1", "--offline", "--export-image", path, "--size",
                                     "640x400", "--quit-when-done"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QImage image(path);
        QCOMPARE(image.size(), QSize(640, 400));
    }

    // --watch HOST starts a watch as the Watch button does; with --cycles and --quit-when-done
    // it ends after that many rounds (offscreen, loopback only, settings in a temporary home).
    void watchFromTheCommandLine()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.path());
        process.setProcessEnvironment(env);
        process.start(qEnvironmentVariable("TRACEMAP_GUI"), {"--watch", "127.0.0.1", "--offline", "--cycles",
                                                             "3", "--interval", "0.1", "--quit-when-done"});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QCOMPARE(QString::fromUtf8(process.readAllStandardOutput()).trimmed(),
                 QStringLiteral("tracemap: Watch of 127.0.0.1 done: 3 round(s)."));
    }

    void sourceLocationSpellings_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        QTest::newRow("as in tracemap-cli") << QStringLiteral("--source-location") << "48.8566,2.3522";
        QTest::newRow("older desktop spelling") << QStringLiteral("--source") << "48.8566,2.3522";
        QTest::newRow("auto: estimated") << QStringLiteral("--source-location") << "auto";
    }
    void sourceLocationSpellings()
    {
        QFETCH(QString, option);
        QFETCH(QString, value);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("route.png"));
        const Run run = runHeadless({"--trace", "127.0.0.1", "--offline", option, value, "--export-image",
                                     path, "--size", "320x200", "--quit-when-done"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QImage(path).size(), QSize(320, 200));
    }

    // An interactive start with options: they hold for the run, the settings file is untouched.
    void optionsAreNotSaved()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString confDir = home.filePath(QStringLiteral("config/tracemap"));
        QVERIFY(QDir().mkpath(confDir));
        const QString conf = confDir + QStringLiteral("/tracemap.conf");
        const QByteArray before = "[trace]\nmaxTtl=20\n";
        {
            QFile f(conf);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(before);
        }
        QFile overrides(home.filePath(QStringLiteral("mine.csv")));
        QVERIFY(overrides.open(QIODevice::WriteOnly));
        overrides.write("192.0.2.0/24,48.85,2.35,Paris\n");
        overrides.close();
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.path());
        process.setProcessEnvironment(env);
        process.start(qEnvironmentVariable("TRACEMAP_GUI"),
                      {"--offline", "--geo-overrides", overrides.fileName(), "--source-location",
                       "48.85,2.35", "--timeout", "1.5"});
        QVERIFY(process.waitForStarted());
        // Long enough for QSettings' deferred write of anything the start-up stored.
        QVERIFY(!process.waitForFinished(3000));
        process.terminate();
        if (!process.waitForFinished(5000)) {
            process.kill();
            process.waitForFinished();
        }
        QFile after(conf);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
    }
};

QTEST_GUILESS_MAIN(tst_DesktopCli)
#include "tst_desktopcli.moc"
