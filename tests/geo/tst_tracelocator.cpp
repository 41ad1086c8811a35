// The trace-level locating policy: which addresses of a trace are located (every responder of
// every settled hop, once, IPv4-mapped as IPv4), with which RTT (the best seen for it), and
// where the trace starts (configured, else the first public responder, asked first and
// without an RTT check). Then TraceLocator driving a GeoService with a scripted chain.
#include "geoservice.h"
#include "tracelocator.h"

#include <QSignalSpy>
#include <QTest>

using namespace tracemap;

namespace {

ProbeReply reply(const char *responder, double rttMs, int query = 1)
{
    ProbeReply r;
    r.query = query;
    r.responder = QHostAddress(QString::fromLatin1(responder));
    r.rttMs = rttMs;
    r.kind = ReplyKind::TimeExceeded;
    return r;
}

ProbeReply silent(int query)
{
    ProbeReply r;
    r.query = query;
    return r;
}

Hop hop(int ttl, QList<ProbeReply> replies, bool complete = true)
{
    Hop h;
    h.ttl = ttl;
    h.replies = replies;
    h.probesSent = int(replies.size());
    h.complete = complete;
    return h;
}

QString planText(const QList<HopQuery> &plan)
{
    QStringList parts;
    for (const HopQuery &q : plan)
        parts << QStringLiteral("%1@%2:%3%4")
                     .arg(q.query.address.toString())
                     .arg(q.ttl)
                     .arg(q.query.rttMs)
                     .arg(q.isPublic ? QString() : QStringLiteral("(special)"));
    return parts.join(QLatin1Char(' '));
}

// Answers from a table at once: "lat,lon" strings by address; the queries are logged.
class TableProvider final : public GeoProvider
{
public:
    TableProvider(QHash<QString, QPair<double, double>> table, QList<GeoQuery> *log)
        : m_table(std::move(table)), m_log(log)
    {}
    QString id() const override { return QStringLiteral("table"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        m_log->append(query);
        GeoAnswer answer;
        const auto it = m_table.constFind(query.address.toString());
        if (it == m_table.cend()) {
            answer.status = GeoStatus::Unlocatable;
            answer.reason = QStringLiteral("unknown");
        } else {
            answer.status = GeoStatus::Located;
            answer.place.latitude = it->first;
            answer.place.longitude = it->second;
            answer.confidence = 0.8;
        }
        done(answer);
    }

private:
    QHash<QString, QPair<double, double>> m_table;
    QList<GeoQuery> *m_log;
};

} // namespace

class TestTraceLocator : public QObject
{
    Q_OBJECT
private slots:
    void plan_data()
    {
        QTest::addColumn<QList<Hop>>("hops");
        QTest::addColumn<bool>("traceOver");
        QTest::addColumn<QString>("plan");
        QTest::newRow("one responder a hop, best RTT")
            << QList<Hop>{hop(1, {reply("62.115.0.1", 3.0), reply("62.115.0.1", 1.5, 2)}),
                          hop(2, {reply("62.115.1.1", 9.0)})}
            << true << "62.115.0.1@1:1.5 62.115.1.1@2:9";
        QTest::newRow("every responder of a load-balanced hop")
            << QList<Hop>{hop(1, {reply("62.115.0.1", 4.0), reply("62.115.0.2", 2.0, 2)})} << true
            << "62.115.0.1@1:4 62.115.0.2@1:2";
        QTest::newRow("best RTT across hops (a loop)")
            << QList<Hop>{hop(1, {reply("62.115.0.1", 8.0)}), hop(2, {reply("62.115.0.1", 6.0)})} << true
            << "62.115.0.1@1:6";
        QTest::newRow("IPv4-mapped is its IPv4 address")
            << QList<Hop>{hop(1, {reply("::ffff:62.115.0.1", 2.0), reply("62.115.0.1", 1.0, 2)})} << true
            << "62.115.0.1@1:1";
        QTest::newRow("silent probes and private hops")
            << QList<Hop>{hop(1, {reply("192.168.1.1", 0.5), silent(2)}), hop(2, {silent(1)})} << true
            << "192.168.1.1@1:0.5(special)";
        QTest::newRow("unsettled hops wait while the trace runs")
            << QList<Hop>{hop(1, {reply("62.115.0.1", 1.0)}), hop(2, {reply("62.115.1.1", 2.0)}, false)}
            << false << "62.115.0.1@1:1";
        QTest::newRow("hops out of order are planned in TTL order")
            << QList<Hop>{hop(3, {reply("62.115.2.1", 3.0)}), hop(1, {reply("62.115.0.1", 1.0)})} << true
            << "62.115.0.1@1:1 62.115.2.1@3:3";
    }
    void plan()
    {
        QFETCH(QList<Hop>, hops);
        QFETCH(bool, traceOver);
        QFETCH(QString, plan);
        QCOMPARE(planText(tracePlan(hops, traceOver, false)), plan);
    }

    void source_data()
    {
        QTest::addColumn<QList<Hop>>("hops");
        QTest::addColumn<bool>("traceOver");
        QTest::addColumn<bool>("decidable");
        QTest::addColumn<QString>("address"); // empty: none
        QTest::newRow("first public responder, private hops skipped")
            << QList<Hop>{hop(1, {reply("192.168.1.1", 0.5)}), hop(2, {reply("62.115.1.1", 2.0)}),
                          hop(3, {reply("62.115.2.1", 3.0)})}
            << false << true << "62.115.1.1";
        QTest::newRow("an earlier hop still running: wait")
            << QList<Hop>{hop(1, {reply("192.168.1.1", 0.5)}, false), hop(2, {reply("62.115.1.1", 2.0)})}
            << false << false << "";
        QTest::newRow("the same, once the trace is over")
            << QList<Hop>{hop(1, {reply("192.168.1.1", 0.5)}, false), hop(2, {reply("62.115.1.1", 2.0)})}
            << true << true << "62.115.1.1";
        QTest::newRow("no public responder at all")
            << QList<Hop>{hop(1, {reply("10.0.0.1", 0.5)})} << true << true << "";
        QTest::newRow("nothing yet") << QList<Hop>{} << false << false << "";
    }
    void source()
    {
        QFETCH(QList<Hop>, hops);
        QFETCH(bool, traceOver);
        QFETCH(bool, decidable);
        QFETCH(QString, address);
        const SourceCandidate candidate = sourceCandidate(hops, traceOver, false);
        QCOMPARE(candidate.decidable, decidable);
        QCOMPARE(candidate.query.has_value(), !address.isEmpty());
        if (candidate.query) {
            QCOMPARE(candidate.query->query.address.toString(), address);
            QCOMPARE(candidate.query->query.rttMs, -1.0); // it defines the source: not RTT-checked
        }
    }

    void driverAsksTheSourceFirst_data()
    {
        QTest::addColumn<QString>("configured"); // "lat,lon" or empty
        QTest::addColumn<QStringList>("asked");  // address:rtt, in order
        QTest::addColumn<double>("sourceLatitude");
        QTest::newRow("automatic source") << "" << QStringList{"62.115.0.1:-1", "62.115.1.1:20"} << 52.52;
        QTest::newRow("configured source")
            << "60.17,24.94" << QStringList{"62.115.0.1:10", "62.115.1.1:20"} << 60.17;
    }
    void driverAsksTheSourceFirst()
    {
        QFETCH(QString, configured);
        QFETCH(QStringList, asked);
        QFETCH(double, sourceLatitude);
        QList<GeoQuery> log;
        std::vector<std::unique_ptr<GeoProvider>> chain;
        chain.push_back(std::make_unique<TableProvider>(
            QHash<QString, QPair<double, double>>{{"62.115.0.1", {52.52, 13.40}},
                                                  {"62.115.1.1", {50.11, 8.68}}},
            &log));
        GeoSettings settings;
        settings.offline = true;
        settings.cachePath = QStringLiteral("-");
        GeoService service(settings, std::move(chain));
        TraceLocator locator;
        locator.setService(&service);
        if (!configured.isEmpty())
            locator.setConfiguredSource(SourceLocation{configured.section(',', 0, 0).toDouble(),
                                                       configured.section(',', 1).toDouble()});
        QSignalSpy located(&locator, &TraceLocator::located);
        QSignalSpy done(&locator, &TraceLocator::done);
        const QList<Hop> hops{hop(1, {reply("62.115.0.1", 10.0)}),
                              hop(2, {reply("62.115.1.1", 20.0)}, false)};
        locator.update(hops, false);
        QList<Hop> finished = hops;
        finished[1].complete = true;
        locator.update(finished, true);
        QTRY_COMPARE(done.size(), 1);
        QStringList order;
        for (const GeoQuery &q : std::as_const(log))
            order << QStringLiteral("%1:%2").arg(q.address.toString()).arg(q.rttMs);
        QCOMPARE(order, asked);
        QCOMPARE(located.size(), 2);
        QCOMPARE(locator.pendingCount(), 0);
        QVERIFY(locator.hasSource());
        QCOMPARE(locator.source().latitude, sourceLatitude);
        QCOMPARE(locator.sourceTtl(), configured.isEmpty() ? 1 : 0);
        QCOMPARE(locator.resultFor(QHostAddress(QStringLiteral("::ffff:62.115.1.1"))).status,
                 GeoStatus::Located);
    }

    // Two traces from two places through one service at once (vantage points): each query
    // carries its trace's start, so the same router is judged from each place, and neither
    // locator takes the other's answer for the same address.
    void tracesFromTwoPlacesShareOneService()
    {
        QList<GeoQuery> log;
        std::vector<std::unique_ptr<GeoProvider>> chain;
        chain.push_back(std::make_unique<TableProvider>(
            QHash<QString, QPair<double, double>>{{"62.115.1.1", {50.11, 8.68}}}, &log)); // Frankfurt
        GeoSettings settings;
        settings.offline = true;
        settings.cachePath = QStringLiteral("-");
        GeoService service(settings, std::move(chain));
        TraceLocator frankfurt, sydney;
        frankfurt.setService(&service);
        sydney.setService(&service);
        frankfurt.setConfiguredSource(SourceLocation{50.1, 8.7});
        sydney.setConfiguredSource(SourceLocation{-33.9, 151.2});
        const QList<Hop> hops{hop(1, {reply("62.115.1.1", 2.0)})};
        frankfurt.update(hops, true);
        sydney.update(hops, true);
        QTRY_VERIFY(frankfurt.isDone() && sydney.isDone());
        QCOMPARE(log.size(), 2); // not coalesced: the starts differ
        QVERIFY(log.at(0).source && log.at(1).source);
        QCOMPARE(log.at(0).source->latitude, 50.1);
        QCOMPARE(log.at(1).source->latitude, -33.9);
        const GeoResult near = frankfurt.resultFor(QHostAddress(QStringLiteral("62.115.1.1")));
        const GeoResult far = sydney.resultFor(QHostAddress(QStringLiteral("62.115.1.1")));
        QCOMPARE(near.status, GeoStatus::Located);
        QCOMPARE(near.source.latitude, 50.1);
        QVERIFY(far.status != GeoStatus::Located); // 2 ms cannot reach Frankfurt from Sydney
        QCOMPARE(far.source.latitude, -33.9);
        QVERIFY(!far.rejected.isEmpty());
    }
};

QTEST_MAIN(TestTraceLocator)
#include "tst_tracelocator.moc"
