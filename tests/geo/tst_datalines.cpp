// readDataLines: the one reader of tracemap's tab-separated data files. Blank lines and '#'
// comments are skipped, line numbers count every line, an unreadable file is one named error.
#include "datalines.h"

#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

class TestDataLines : public QObject
{
    Q_OBJECT
private slots:
    void readsDataLinesWithTheirNumbers()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("codes.tsv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# table\tcode\n\n  fra\tFrankfurt  \n   \n#x\nlon\tLondon\xc3\xa9\n");
        file.close();
        QStringList errors;
        const QList<DataLine> lines = readDataLines(path, &errors);
        QVERIFY(errors.isEmpty());
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0).number, 3);
        QCOMPARE(lines.at(0).text, QStringLiteral("fra\tFrankfurt"));
        QCOMPARE(lines.at(1).number, 6);
        QCOMPARE(lines.at(1).text, QStringLiteral("lon\tLondon\u00e9"));
    }

    void unreadableFileIsOneError()
    {
        QStringList errors{QStringLiteral("earlier")};
        const QString path = QStringLiteral("/nonexistent/tracemap/codes.tsv");
        QVERIFY(readDataLines(path, &errors).isEmpty());
        QCOMPARE(errors.size(), 2);
        QVERIFY2(errors.last().startsWith(path + QStringLiteral(": ")), qPrintable(errors.last()));
    }
};

QTEST_GUILESS_MAIN(TestDataLines)
#include "tst_datalines.moc"
