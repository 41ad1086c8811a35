// enumFromName: reads a value back through the same function that writes its name, exactly
// (no trimming or case folding of its own), and nothing for an unknown name.
#include "enumnames.h"

#include <QTest>

using namespace tracemap;

namespace {

enum class Colour { Red, Green, Blue };

QString colourName(Colour c)
{
    switch (c) {
    case Colour::Red:
        return QStringLiteral("red");
    case Colour::Green:
        return QStringLiteral("green");
    case Colour::Blue:
        return QStringLiteral("blue");
    }
    return {};
}

std::optional<Colour> colourFromName(const QString &name)
{
    return enumFromName({Colour::Red, Colour::Green, Colour::Blue}, name, colourName);
}

} // namespace

class TestEnumNames : public QObject
{
    Q_OBJECT
private slots:
    void readsBack_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("expected"); // -1: none
        QTest::newRow("first") << QStringLiteral("red") << int(Colour::Red);
        QTest::newRow("last") << QStringLiteral("blue") << int(Colour::Blue);
        QTest::newRow("case matters") << QStringLiteral("Green") << -1;
        QTest::newRow("spaces matter") << QStringLiteral(" red") << -1;
        QTest::newRow("unknown") << QStringLiteral("purple") << -1;
        QTest::newRow("empty") << QString() << -1;
    }
    void readsBack()
    {
        QFETCH(QString, name);
        QFETCH(int, expected);
        const std::optional<Colour> c = colourFromName(name);
        QCOMPARE(c ? int(*c) : -1, expected);
    }

    void roundTripsEveryValue()
    {
        for (Colour c : {Colour::Red, Colour::Green, Colour::Blue})
            QCOMPARE(colourFromName(colourName(c)), std::optional<Colour>(c));
    }
};

QTEST_APPLESS_MAIN(TestEnumNames)
#include "tst_enumnames.moc"
