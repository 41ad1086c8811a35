// The route comparison: each kind of change on its own, and the RTT rule's two thresholds
// (> 10 ms AND > 20 %) from both sides.
#include "tracediff.h"
#include "tst_tracefile_fixture.h"

#include <QJsonArray>
#include <QTest>

using namespace tracemap;

namespace {

// Every reply of hop `ttl` (1-based) gets `rtt` ms, keeping its responder.
void setRtt(TraceFile *f, int ttl, double rtt)
{
    for (ProbeReply &r : f->trace.hops[ttl - 1].replies) {
        if (r.answered())
            r.rttMs = rtt;
    }
}

void setResponder(TraceFile *f, int ttl, const char *address)
{
    for (ProbeReply &r : f->trace.hops[ttl - 1].replies) {
        if (r.answered())
            r.responder = QHostAddress(QString::fromLatin1(address));
    }
}

QStringList summary(const TraceDiff &d)
{
    QStringList out;
    for (const HopChange &c : d.changes)
        out << QStringLiteral("%1:%2").arg(c.ttl).arg(toString(c.kind));
    return out;
}

} // namespace

class TestTraceDiff : public QObject
{
    Q_OBJECT

private slots:
    void changes_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("identical") << "none" << QStringList();
        QTest::newRow("different responder at ttl 2") << "responder" << QStringList{"2:responder"};
        QTest::newRow("silent hop answers") << "hop3-answers" << QStringList{"3:added"};
        QTest::newRow("hop goes silent") << "hop2-silent" << QStringList{"2:removed"};
        QTest::newRow("path one hop shorter") << "shorter" << QStringList{"7:removed"};
        QTest::newRow("path one hop longer") << "longer" << QStringList{"8:added"};
        QTest::newRow("AS change, same router") << "as" << QStringList{"6:as"};
        QTest::newRow("new router in another AS") << "responder-and-as" << QStringList{"2:responder", "2:as"};
        QTest::newRow("rtt +30 ms, +33 %") << "rtt 6 120" << QStringList{"6:rtt-up"};
        QTest::newRow("rtt -30 ms, -33 %") << "rtt 6 60.5" << QStringList{"6:rtt-down"};
        QTest::newRow("rtt +15 ms but only +17 %") << "rtt 6 105.5" << QStringList();
        QTest::newRow("rtt +5 ms, +1000 %") << "rtt 1 5.5" << QStringList();
        QTest::newRow("rtt +11 ms, +2200 %") << "rtt 1 11.6" << QStringList{"1:rtt-up"};
    }

    void changes()
    {
        QFETCH(QString, change);
        QFETCH(QStringList, expected);
        const TraceFile before = fixture::sample();
        TraceFile after = before;
        const QStringList words = change.split(QLatin1Char(' '));
        if (change == QLatin1String("responder")) {
            setResponder(&after, 2, "198.18.1.7");
        } else if (change == QLatin1String("hop3-answers")) {
            after.trace.hops[2].replies = {fixture::reply(1, "198.18.2.1", 40)};
        } else if (change == QLatin1String("hop2-silent")) {
            after.trace.hops[1].replies = {fixture::reply(1, nullptr, 0)};
        } else if (change == QLatin1String("shorter")) {
            after.trace.hops.removeLast();
        } else if (change == QLatin1String("longer")) {
            Hop extra = after.trace.hops.last();
            extra.ttl = 8;
            after.trace.hops << extra;
        } else if (change == QLatin1String("as")) {
            GeoResult g = after.placeFor(QHostAddress(QStringLiteral("198.18.5.1")));
            g.as.number = 64999;
            after.places.insert(g.address, g);
        } else if (change == QLatin1String("responder-and-as")) {
            setResponder(&after, 2, "198.18.1.7");
            GeoResult g = fixture::place("198.18.1.7", 51.5, -0.1, "London", 64777, "OTHER-NET");
            after.places.insert(g.address, g);
        } else if (words.first() == QLatin1String("rtt")) {
            setRtt(&after, words.at(1).toInt(), words.at(2).toDouble());
        }
        const TraceDiff diff = diffTraces(before, after);
        QCOMPARE(summary(diff), expected);
        QCOMPARE(diff.identical(), expected.isEmpty());
    }

    void describesEachChangeOnOneLine()
    {
        TraceFile after = fixture::sample();
        setResponder(&after, 2, "198.18.1.7");
        setRtt(&after, 6, 150);
        const TraceDiff diff = diffTraces(fixture::sample(), after);
        QCOMPARE(describe(diff.changes.at(0)), QStringLiteral("ttl 2: responder 198.18.1.1 -> 198.18.1.7"));
        QCOMPARE(describe(diff.changes.at(1)),
                 QStringLiteral("ttl 6: RTT 90.500 ms -> 150.000 ms at 198.18.5.1"));
        const QJsonObject json = diffToJson(diff);
        QCOMPARE(json.value(QStringLiteral("identical")).toBool(), false);
        QCOMPARE(json.value(QStringLiteral("changes")).toArray().size(), 2);
        QCOMPARE(
            json.value(QStringLiteral("changes")).toArray().at(0).toObject().value(QStringLiteral("kind")),
            QStringLiteral("responder"));
    }

    void sameTargetByNameOrAddress()
    {
        TraceFile a = fixture::sample();
        TraceFile b = a;
        b.trace.target = QStringLiteral("198.18.10.1");
        QVERIFY(sameTarget(a, b)); // same destination address
        b.trace.destination = QHostAddress(QStringLiteral("198.18.11.1"));
        QVERIFY(!sameTarget(a, b));
        b.trace.target = QStringLiteral("DST.example");
        QVERIFY(sameTarget(a, b)); // names compare case-insensitively
    }
};

QTEST_GUILESS_MAIN(TestTraceDiff)
#include "tst_tracediff.moc"
