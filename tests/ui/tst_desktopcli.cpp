// The tracemap binary's command line without any display (no X11, no Wayland, no platform
// chosen): bad arguments still get one line and exit 2, an interactive start says what is
// missing, and a scripted export works offscreen. Runs $TRACEMAP_GUI; traces only 127.0.0.1.
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
        QTest::newRow("interactive start") << QStringList{} << 1 << "no display to show the window on";
        QTest::newRow("scripted without quit")
            << QStringList{"--trace", "127.0.0.1", "--offline"} << 1 << "--quit-when-done";
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
};

QTEST_GUILESS_MAIN(tst_DesktopCli)
#include "tst_desktopcli.moc"
