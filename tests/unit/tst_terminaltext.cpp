// terminalSafe(): control characters from files and the network never reach the terminal raw.
#include "terminaltext.h"

#include <QTest>

using namespace tracemap;

class tst_TerminalText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escapes_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain text is unchanged") << "Berlin office"
                                                 << "Berlin office";
        QTest::newRow("non-ASCII letters are unchanged") << "Zürich, 東京"
                                                         << "Zürich, 東京";
        QTest::newRow("newline and tab stay") << "a\tb\nc"
                                              << "a\tb\nc";
        QTest::newRow("ESC sequence (colour)") << "\x1b[31mred"
                                               << "\\x1b[31mred";
        QTest::newRow("window title (OSC)") << "\x1b]0;owned\x07"
                                            << "\\x1b]0;owned\\x07";
        QTest::newRow("bell") << "ding\x07"
                              << "ding\\x07";
        QTest::newRow("carriage return hides text") << "safe\rEVIL"
                                                    << "safe\\x0dEVIL";
        QTest::newRow("backspace") << "ab\x08"
                                   << "ab\\x08";
        QTest::newRow("DEL") << "a\x7f"
                             << "a\\x7f";
        QTest::newRow("C1 CSI") << QString("a") + QChar(0x9b) + "2J"
                                << "a\\x9b2J";
        QTest::newRow("bidi override") << QString("abc") + QChar(0x202e) + "fed"
                                       << "abc\\u202efed";
        QTest::newRow("NUL") << QString(QChar(0)) + "x"
                             << "\\x00x";
    }
    void escapes()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(terminalSafe(input), expected);
    }

    // printSafeLine(): the escaped line and a newline.
    void printsEscapedLines()
    {
        std::FILE *file = std::tmpfile();
        QVERIFY(file);
        printSafeLine(file, QStringLiteral("AS64500 \x1b[2Jlabel"));
        printSafeLine(file, QString());
        QByteArray written(64, '\0');
        std::rewind(file);
        written.resize(qsizetype(std::fread(written.data(), 1, size_t(written.size()), file)));
        std::fclose(file);
        QCOMPARE(written, QByteArray("AS64500 \\x1b[2Jlabel\n\n"));
    }
};

QTEST_GUILESS_MAIN(tst_TerminalText)
#include "tst_terminaltext.moc"
