// Path-change detection with scripted responders per round: hysteresis (3 rounds),
// silence, flapping, and load-balanced hops that are not reported as changes.
#include "pathchanges.h"

#include <QTest>

using namespace tracemap;

namespace {

// "A" -> 198.18.5.1, "B" -> 198.18.5.2, ...
QHostAddress router(QChar name)
{
    return QHostAddress(QStringLiteral("198.18.5.%1").arg(name.unicode() - 'A' + 1));
}

QString nameOf(const QHostAddress &a)
{
    return a.isNull() ? QStringLiteral("-") : QString(QChar('A' + (a.toIPv4Address() & 0xFF) - 1));
}

// Rounds separated by spaces; "." is a silent round, "A+B" two responders in one round.
// Round k (1-based) happens at k seconds.
PathChangeDetector play(const QString &script, int ttl = 5)
{
    PathChangeDetector d;
    int round = 0;
    for (const QString &step : script.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        ++round;
        QList<QHostAddress> who;
        if (step != QLatin1String(".")) {
            for (const QString &n : step.split(QLatin1Char('+')))
                who << router(n.at(0));
        }
        d.addRound(round * 1000, {{ttl, who}});
    }
    return d;
}

} // namespace

class tst_PathChanges : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hysteresis_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QStringList>("changes"); // "round:from>to"
        QTest::addColumn<QString>("dominant");
        QTest::addColumn<bool>("loadBalanced");

        QTest::newRow("stable") << "A A A A A A" << QStringList{} << "A" << false;
        QTest::newRow("first answer is not a change") << ". . A A" << QStringList{} << "A" << false;
        QTest::newRow("new responder held 3 rounds") << "A A A B B B" << QStringList{"4:A>B"} << "B" << false;
        QTest::newRow("two rounds are not enough") << "A A A B B" << QStringList{} << "A" << false;
        QTest::newRow("a blip is not a change") << "A A B A A A A" << QStringList{} << "A" << false;
        QTest::newRow("silence neither breaks nor counts")
            << "A A B . B . B" << QStringList{"3:A>B"} << "B" << false;
        QTest::newRow("change and back")
            << "A A A B B B A A A" << QStringList{"4:A>B", "7:B>A"} << "A" << false;
        QTest::newRow("alternating responders are a load balancer")
            << "A B A B A B B B" << QStringList{} << "B" << true;
        QTest::newRow("several responders in one round") << "A+B A A A" << QStringList{} << "A" << true;
        QTest::newRow("balancer settles without a change")
            << "A B A B A A A A A A A A A A" << QStringList{} << "A" << false;
    }
    void hysteresis()
    {
        QFETCH(QString, script);
        QFETCH(QStringList, changes);
        QFETCH(QString, dominant);
        QFETCH(bool, loadBalanced);
        const PathChangeDetector d = play(script);
        QStringList got;
        for (const PathChange &c : d.changes()) {
            QCOMPARE(c.ttl, 5);
            QCOMPARE(c.timeMs, c.round * 1000LL);
            got << QStringLiteral("%1:%2>%3").arg(c.round).arg(nameOf(c.from), nameOf(c.to));
        }
        QCOMPARE(got, changes);
        QCOMPARE(nameOf(d.dominant(5)), dominant);
        QCOMPARE(d.loadBalanced(5), loadBalanced);
    }

    // The change is confirmed by the third round of the new responder, and stamped with both.
    void confirmationTime()
    {
        const PathChangeDetector d = play("A A B B . B");
        QCOMPARE(d.changes().size(), 1);
        QCOMPARE(d.changes().first().timeMs, 3000);
        QCOMPARE(d.changes().first().confirmedMs, 6000);
        QCOMPARE(d.rounds(), 6);
    }

    // TTLs are independent: a change at one does not disturb another.
    void independentTtls()
    {
        PathChangeDetector d;
        const QHostAddress a(QStringLiteral("198.18.1.1"));
        const QHostAddress b(QStringLiteral("198.18.2.1"));
        const QHostAddress c(QStringLiteral("198.18.2.9"));
        for (int round = 1; round <= 6; ++round)
            d.addRound(round * 1000, {{1, {a}}, {2, {round <= 2 ? b : c}}});
        QCOMPARE(d.changes().size(), 1);
        QCOMPARE(d.changes().first().ttl, 2);
        QCOMPARE(d.dominant(1), a);
        QCOMPARE(d.dominant(2), c);
        QCOMPARE(d.ttls(), (QList<int>{1, 2}));
    }
};

QTEST_GUILESS_MAIN(tst_PathChanges)
#include "tst_pathchanges.moc"
