// AppSettings' number settings: each has one default and one range, applied when the value is
// written (a QML binding, the settings dialog) and when it is read (a hand-edited settings file);
// the change signal fires only when the stored value really changes.
#include "appsettings.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

class tst_AppSettings : public QObject
{
    Q_OBJECT
private slots:
    void numbersAreClamped_data()
    {
        QTest::addColumn<QByteArray>("property");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QVariant>("fallback");
        QTest::addColumn<QVariant>("written");
        QTest::addColumn<QVariant>("read");
        QTest::addColumn<QString>("inFile");
        QTest::addColumn<QVariant>("readFromFile");
        QTest::newRow("max TTL above 255")
            << QByteArray("maxTtl") << QStringLiteral("trace/maxTtl") << QVariant(30) << QVariant(400)
            << QVariant(255) << QStringLiteral("0") << QVariant(1);
        QTest::newRow("probe timeout below 0.1 s")
            << QByteArray("probeTimeoutSec") << QStringLiteral("trace/probeTimeoutSec") << QVariant(2.0)
            << QVariant(0.01) << QVariant(0.1) << QStringLiteral("600") << QVariant(60.0);
        QTest::newRow("lookup timeout above a minute")
            << QByteArray("lookupTimeoutMs") << QStringLiteral("geo/lookupTimeoutMs") << QVariant(4000)
            << QVariant(90000) << QVariant(60000) << QStringLiteral("5") << QVariant(100);
        QTest::newRow("watch pane width negative")
            << QByteArray("watchPaneWidth") << QStringLiteral("watch/paneWidth") << QVariant(0)
            << QVariant(-20) << QVariant(0) << QStringLiteral("123456") << QVariant(10000);
        QTest::newRow("watch table height in range")
            << QByteArray("watchTableHeight") << QStringLiteral("watch/tableHeight") << QVariant(0)
            << QVariant(240) << QVariant(240) << QStringLiteral("not a number") << QVariant(0);
    }

    void numbersAreClamped()
    {
        QFETCH(QByteArray, property);
        QFETCH(QString, key);
        QFETCH(QVariant, fallback);
        QFETCH(QVariant, written);
        QFETCH(QVariant, read);
        QFETCH(QString, inFile);
        QFETCH(QVariant, readFromFile);

        const auto settings = AppSettings::inMemory();
        QCOMPARE(settings->property(property.constData()), fallback);
        QVERIFY(settings->setProperty(property.constData(), written));
        QCOMPARE(settings->property(property.constData()), read);

        // A file edited by hand (or by an older version) is clamped when read.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tracemap.ini"));
        {
            QSettings file(path, QSettings::IniFormat);
            file.setValue(key, inFile);
        }
        AppSettings fromFile(path);
        QCOMPARE(fromFile.property(property.constData()), readFromFile);
    }

    void changeSignalOnlyOnRealChange()
    {
        const auto settings = AppSettings::inMemory();
        QSignalSpy changed(settings.get(), &AppSettings::maxTtlChanged);
        settings->setMaxTtl(40);
        QCOMPARE(changed.size(), 1);
        settings->setMaxTtl(40);
        QCOMPARE(changed.size(), 1);
        settings->setMaxTtl(255);
        QCOMPARE(changed.size(), 2);
        settings->setMaxTtl(999); // clamps to what is stored already
        QCOMPARE(changed.size(), 2);
        QCOMPARE(settings->maxTtl(), 255);
    }
};

QTEST_GUILESS_MAIN(tst_AppSettings)
#include "tst_appsettings.moc"
