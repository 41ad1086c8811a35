// RIPE Atlas traceroute results read hop for hop the way RIPE's parser (ripe.atlas.sagan,
// traceroute.py) reads them. The expected rows below were worked out by hand from sagan's rules
// (see tests/data/atlas/README.md): packets include late and duplicate answers (late ones flagged
// and left out of every summary value, as sagan drops them), RTTs are rounded to 3 decimals, a
// hop's median uses only non-zero RTTs, last_median_rtt is the last non-empty median,
// destination_ip_responded compares addresses (not spellings) in the last hop. These documents
// are made up for shapes sagan's own tests lack (dup, TCP, edst, fw > 4720); tst_atlassagan
// compares real results with what sagan itself reported for them.
#include "atlasresult.h"

#include <QFile>
#include <QTest>

using namespace tracemap;

Q_DECLARE_METATYPE(tracemap::AtlasParseError)

namespace {

QByteArray readData(const QString &name)
{
    QFile f(qEnvironmentVariable("TRACEMAP_TEST_DATA") + QStringLiteral("/atlas/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read test data %s", qPrintable(f.fileName()));
    return f.readAll();
}

const QList<AtlasResult> &firmwareResults()
{
    static const QList<AtlasResult> results = [] {
        const AtlasParseOutcome outcome =
            parseAtlasResults(readData(QStringLiteral("traceroute-firmwares.json")));
        if (!outcome.ok())
            qFatal("traceroute-firmwares.json: %s", qPrintable(outcome.message));
        return outcome.results;
    }();
    return results;
}

QString number(double v)
{
    return v < 0 ? QStringLiteral("-") : QString::number(v);
}

bool sameMs(double a, double b)
{
    return (a < 0 && b < 0) || qAbs(a - b) < 1e-9;
}

QString replyText(const ProbeReply &r)
{
    return r.answered() ? QStringLiteral("%1:%2:%3").arg(toString(r.kind)).arg(r.icmpType).arg(r.icmpCode)
                        : QStringLiteral("none");
}

} // namespace

class tst_AtlasResult : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summary_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<int>("probe");
        QTest::addColumn<int>("firmware");
        QTest::addColumn<int>("af");
        QTest::addColumn<QString>("protocol");
        QTest::addColumn<int>("totalHops");
        QTest::addColumn<double>("lastMedianRtt");
        QTest::addColumn<bool>("destinationResponded");
        QTest::addColumn<bool>("lastHopResponded");
        const QString udp = QStringLiteral("UDP");
        const QString icmp = QStringLiteral("ICMP");
        QTest::newRow("fw4400 pf instead of af")
            << 0 << 1001 << 4400 << 4 << udp << 3 << 2.45 << false << false;
        QTest::newRow("fw4460 hop 255") << 1 << 1002 << 4460 << 4 << udp << 4 << 3.6245 << false << false;
        QTest::newRow("fw4470 icmp reached") << 2 << 1003 << 4470 << 4 << icmp << 3 << 21.1 << true << true;
        QTest::newRow("fw4500 mpls") << 3 << 1004 << 4500 << 4 << udp << 4 << 24.05 << false << false;
        QTest::newRow("fw4520 err H") << 4 << 1005 << 4520 << 4 << udp << 2 << 30.6 << false << true;
        QTest::newRow("fw4540 late") << 5 << 1006 << 4540 << 4 << icmp << 3 << 15.1 << true << true;
        QTest::newRow("fw4570 dup") << 6 << 1007 << 4570 << 4 << icmp << 2 << 9.25 << true << true;
        QTest::newRow("fw4610 ipv6 long spelling")
            << 7 << 1008 << 4610 << 6 << icmp << 3 << 7.1 << true << true;
        QTest::newRow("fw4650 tcp") << 8 << 1009 << 4650 << 4 << QStringLiteral("TCP") << 3 << 11.1 << true
                                    << true;
        QTest::newRow("fw4740 err N and 9") << 9 << 1010 << 4740 << 4 << udp << 2 << 14.1 << false << true;
        QTest::newRow("fw4750 hop error") << 10 << 1011 << 4750 << 4 << udp << 1 << -1.0 << false << false;
        QTest::newRow("fw4790 zero rtt") << 11 << 1012 << 4790 << 4 << icmp << 3 << 9.1 << true << true;
        QTest::newRow("fw5020 reply error") << 12 << 1013 << 5020 << 4 << udp << 1 << -1.0 << false << false;
        QTest::newRow("fw5080 ipv6 err p") << 13 << 1014 << 5080 << 6 << udp << 2 << 20.2 << true << true;
        QTest::newRow("fw5090 proto I") << 14 << 1015 << 5090 << 4 << icmp << 2 << 30.0 << true << true;
        QTest::newRow("fw5120 late dup A") << 15 << 1016 << 5120 << 4 << icmp << 3 << 6.2 << false << true;
    }

    void summary()
    {
        QFETCH(int, index);
        const QList<AtlasResult> &results = firmwareResults();
        QCOMPARE(results.size(), 16);
        const AtlasResult &r = results.at(index);
        QTEST(int(r.probeId), "probe");
        QTEST(r.firmware, "firmware");
        QTEST(r.af, "af");
        QTEST(r.protocol, "protocol");
        QTEST(r.totalHops(), "totalHops");
        QFETCH(double, lastMedianRtt);
        QVERIFY2(sameMs(r.lastMedianRtt(), lastMedianRtt), qPrintable(number(r.lastMedianRtt())));
        QTEST(r.destinationIpResponded(), "destinationResponded");
        QTEST(r.lastHopResponded(), "lastHopResponded");
        QVERIFY(r.resultError.isEmpty());
    }

    // sagan's is_success (a last-hop answer with a non-zero rtt and no `err`) and last_hop_errors
    // (when not a success: the hop's error, else every packet's). Even a port unreachable from the
    // destination is an error to sagan, and it knows nothing of `dup`.
    void successAndErrors_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<bool>("success");
        QTest::addColumn<QString>("errors");
        const QString h = QStringLiteral("Destination unreachable");
        const QString p = QStringLiteral("Port unreachable");
        const QString a = QStringLiteral("Administratively prohibited");
        QTest::newRow("fw4400 timeouts") << 0 << false << QString();
        QTest::newRow("fw4470 icmp reached") << 2 << true << QString();
        QTest::newRow("fw4520 err H") << 4 << false << QStringList{h, h, h}.join(QLatin1Char('|'));
        QTest::newRow("fw4570 dup") << 6 << true << QString();
        QTest::newRow("fw4740 err N and 9") << 9 << false << QStringLiteral("Network unreachable|9");
        QTest::newRow("fw4750 hop error")
            << 10 << false << QStringLiteral("connect failed: Network is unreachable");
        QTest::newRow("fw5020 reply error") << 12 << false << QString();
        QTest::newRow("fw5080 port unreachable")
            << 13 << false << QStringList{p, p, p}.join(QLatin1Char('|'));
        QTest::newRow("fw5120 err A") << 15 << false << QStringList{a, a}.join(QLatin1Char('|'));
    }

    void successAndErrors()
    {
        QFETCH(int, index);
        const AtlasResult &r = firmwareResults().at(index);
        QTEST(r.isSuccess(), "success");
        QTEST(r.lastHopErrors().join(QLatin1Char('|')), "errors");
    }

    // sagan's per-hop view: hop.index, len(hop.packets), packet.origin, packet.rtt, hop.median_rtt,
    // hop.error_message and packet.error_message ("-" stands for None).
    void hops_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<int>("position");
        QTest::addColumn<int>("hop");
        QTest::addColumn<QString>("origins");
        QTest::addColumn<QString>("rtts");
        QTest::addColumn<double>("median");
        QTest::addColumn<QString>("hopError");
        QTest::addColumn<QString>("packetErrors");
        auto row = [](const char *name, int index, int position, int hop, const char *origins,
                      const char *rtts, double median, const char *hopError = "",
                      const char *packetErrors = nullptr) {
            QString errors = QString::fromLatin1(packetErrors);
            if (!packetErrors) {
                QStringList dashes;
                for (qsizetype i = 0;
                     i < QString::fromLatin1(rtts).split(QLatin1Char(' '), Qt::SkipEmptyParts).size(); ++i)
                    dashes << QStringLiteral("-");
                errors = dashes.join(QLatin1Char('|'));
            }
            QTest::newRow(name) << index << position << hop << QString::fromLatin1(origins)
                                << QString::fromLatin1(rtts) << median << QString::fromLatin1(hopError)
                                << errors;
        };
        const char *one3 = "192.168.1.1 192.168.1.1 192.168.1.1";
        row("4400 h1", 0, 0, 1, one3, "2.783 2.45 2.321", 2.45);
        row("4400 h2 timeouts", 0, 1, 2, "- - -", "- - -", -1);
        row("4400 h255", 0, 2, 255, "- - -", "- - -", -1);
        row("4460 h1", 1, 0, 1, "198.51.100.1 198.51.100.1 198.51.100.1", "1.965 2.004 1.855", 1.965);
        row("4460 h2 one lost", 1, 1, 2, "198.51.100.5 - 198.51.100.5", "3.599 - 3.65", 3.6245);
        row("4460 h255", 1, 3, 255, "- - -", "- - -", -1);
        row("4470 h2 ittl 0", 2, 1, 2, "203.0.113.1 203.0.113.1 203.0.113.1", "20.39 24.981 19.705", 20.39);
        row("4470 h3 destination", 2, 2, 3, "192.0.2.10 192.0.2.10 192.0.2.10", "21.1 21.3 20.9", 21.1);
        row("4500 h2 mpls", 3, 1, 2, "203.0.113.17 203.0.113.17 203.0.113.17", "23.974 27.079 23.843",
            23.974);
        row("4500 h3 mpls one lost", 3, 2, 3, "203.0.113.21 203.0.113.21 -", "24 24.1 -", 24.05);
        row("4500 h4 timeouts", 3, 3, 4, "- - -", "- - -", -1);
        row("4520 h2 err H", 4, 1, 2, "203.0.113.33 203.0.113.33 203.0.113.33", "30.5 30.7 30.6", 30.6, "",
            "Destination unreachable|Destination unreachable|Destination unreachable");
        row("4540 h2 late", 5, 1, 2, "- 203.0.113.41 203.0.113.41 203.0.113.41", "- - 12.5 12.7", 12.6);
        row("4570 h2 dup", 6, 1, 2, "192.0.2.10 192.0.2.10 192.0.2.10 192.0.2.10", "9.1 9.3 9.2 9.4", 9.25);
        row("4610 h3 long spelling", 7, 2, 3,
            "2001:0db8:0000:0000:0000:0000:0000:0010 2001:0db8:0000:0000:0000:0000:0000:0010 "
            "2001:0db8:0000:0000:0000:0000:0000:0010",
            "7.1 7 7.2", 7.1);
        row("4650 h3 tcp", 8, 2, 3, "192.0.2.10 192.0.2.10 192.0.2.10", "11 11.2 11.1", 11.1);
        row("4740 h2 err N 9", 9, 1, 2, "203.0.113.50 203.0.113.50 -", "14 14.2 -", 14.1, "",
            "Network unreachable|9|-");
        row("4750 hop error", 10, 0, 1, "", "", -1, "connect failed: Network is unreachable", "");
        row("4790 h1 zero rtt", 11, 0, 1, "10.3.3.1 10.3.3.1 10.3.3.1", "0 0.3 0.2", 0.25);
        row("4790 h2 two routers", 11, 1, 2, "203.0.113.61 203.0.113.65 203.0.113.61", "8.1 8.5 8.3", 8.3);
        row("5020 reply error", 12, 0, 1, "-", "-", -1);
        row("5080 h2 err p", 13, 1, 2, "2001:db8::20 2001:db8::20 2001:db8::20", "20.1 20.3 20.2", 20.2, "",
            "Port unreachable|Port unreachable|Port unreachable");
        row("5090 h2 rounding", 14, 1, 2, "192.0.2.30 192.0.2.30 192.0.2.30", "30 30.001 30", 30.0);
        row("5120 h2 late dup", 15, 1, 2, "203.0.113.70 203.0.113.70 203.0.113.70 203.0.113.70",
            "5.1 - 5.3 5.2", 5.2);
        row("5120 h3 err A", 15, 2, 3, "203.0.113.74 203.0.113.74 -", "6 6.4 -", 6.2, "",
            "Administratively prohibited|Administratively prohibited|-");
    }

    void hops()
    {
        QFETCH(int, index);
        QFETCH(int, position);
        const AtlasHop &h = firmwareResults().at(index).hops.at(position);
        QTEST(h.index, "hop");
        QStringList origins;
        QStringList rtts;
        QStringList errors;
        for (const AtlasPacket &p : h.packets) {
            origins << (p.origin.isEmpty() ? QStringLiteral("-") : p.origin);
            rtts << number(p.rtt);
            errors << (p.isError() ? p.errorMessage : QStringLiteral("-"));
        }
        QTEST(origins.join(QLatin1Char(' ')), "origins");
        QTEST(rtts.join(QLatin1Char(' ')), "rtts");
        QFETCH(double, median);
        QVERIFY2(sameMs(h.medianRtt, median), qPrintable(number(h.medianRtt)));
        QTEST(h.error, "hopError");
        QTEST(errors.join(QLatin1Char('|')), "packetErrors");
    }

    void packetDetails()
    {
        const QList<AtlasResult> &results = firmwareResults();
        QCOMPARE(results.at(2).hops.at(1).packets.at(0).ittl, 0);
        QCOMPARE(results.at(2).hops.at(0).packets.at(0).ittl, 1); // sagan's default
        QCOMPARE(results.at(5).hops.at(1).packets.at(1).lateBy, 1);
        QVERIFY(results.at(6).hops.at(1).packets.at(1).duplicate);
        QVERIFY(results.at(0).hops.at(1).packets.at(0).timeout);
        const AtlasPacket &mpls = results.at(3).hops.at(2).packets.at(0);
        QVERIFY(mpls.hasIcmpExt);
        QCOMPARE(mpls.icmpExtVersion, 2);
        QVERIFY(mpls.rfc4884);
        QCOMPARE(mpls.mpls, (QList<AtlasMplsEntry>{{24001, 0, 0, 1}, {16, 0, 1, 1}}));
        QCOMPARE(results.at(12).hops.at(0).packets.at(0).replyError,
                 QStringLiteral("sendto failed: Operation not permitted"));
        QCOMPARE(results.at(14).hops.at(1).packets.at(0).edst, QStringLiteral("192.0.2.30"));
        QCOMPARE(results.at(8).hops.at(2).packets.at(0).flags, QStringLiteral("SA"));
        QCOMPARE(results.at(13).origin, QString()); // `from: ""`: no public address known
        QCOMPARE(results.at(0).ipPath().at(0), QStringList(3, QStringLiteral("192.168.1.1")));
        QCOMPARE(results.at(10).lts, 66);
        QCOMPARE(results.at(14).endTime, 1470000005);
    }

    // The route the engine's types carry: late and duplicate answers and reply errors are notes.
    void routes_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<int>("ttl");
        QTest::addColumn<QString>("replies");
        QTest::addColumn<int>("late");
        QTest::addColumn<int>("duplicates");
        QTest::addColumn<QString>("mpls");
        QTest::addColumn<QString>("errors");
        QTest::newRow("timeouts") << 0 << 2 << "none none none" << 0 << 0 << ""
                                  << "";
        QTest::newRow("late left out")
            << 5 << 2 << "none time-exceeded:11:0 time-exceeded:11:0" << 1 << 0 << ""
            << "";
        QTest::newRow("dup left out")
            << 6 << 2 << "echo-reply:0:0 echo-reply:0:0 echo-reply:0:0" << 0 << 1 << ""
            << "";
        QTest::newRow("mpls stack") << 3 << 3 << "time-exceeded:11:0 time-exceeded:11:0 none" << 0 << 0
                                    << "L=24001 E=0 S=0 TTL=1|L=16 E=0 S=1 TTL=1"
                                    << "";
        QTest::newRow("host unreachable")
            << 4 << 2 << "unreachable:3:1 unreachable:3:1 unreachable:3:1" << 0 << 0 << ""
            << "";
        QTest::newRow("ipv6 echo") << 7 << 3 << "echo-reply:129:0 echo-reply:129:0 echo-reply:129:0" << 0 << 0
                                   << ""
                                   << "";
        QTest::newRow("tcp syn-ack") << 8 << 3
                                     << "tcp-connected:-1:-1 tcp-connected:-1:-1 tcp-connected:-1:-1" << 0
                                     << 0 << ""
                                     << "";
        QTest::newRow("network and numeric")
            << 9 << 2 << "unreachable:3:0 unreachable:3:9 none" << 0 << 0 << ""
            << "";
        QTest::newRow("hop error") << 10 << 1 << "" << 0 << 0 << ""
                                   << "connect failed: Network is unreachable";
        QTest::newRow("reply error") << 12 << 1 << "none" << 0 << 0 << ""
                                     << "sendto failed: Operation not permitted";
        QTest::newRow("ipv6 port unreachable")
            << 13 << 2 << "unreachable:1:4 unreachable:1:4 unreachable:1:4" << 0 << 0 << ""
            << "";
        QTest::newRow("late dup mpls")
            << 15 << 2 << "time-exceeded:11:0 time-exceeded:11:0" << 1 << 1 << "L=300000 E=0 S=1 TTL=254"
            << "";
        QTest::newRow("admin prohibited")
            << 15 << 3 << "unreachable:3:13 unreachable:3:13 none" << 0 << 0 << ""
            << "";
    }

    void routes()
    {
        QFETCH(int, index);
        QFETCH(int, ttl);
        const VantageTrace v = toVantageTrace(firmwareResults().at(index));
        const auto hop = std::find_if(v.trace.hops.cbegin(), v.trace.hops.cend(),
                                      [&](const Hop &h) { return h.ttl == ttl; });
        QVERIFY(hop != v.trace.hops.cend());
        QStringList replies;
        for (const ProbeReply &r : hop->replies)
            replies << replyText(r);
        QTEST(replies.join(QLatin1Char(' ')), "replies");
        QCOMPARE(hop->probesSent, int(hop->replies.size()));
        VantageHopNotes notes;
        for (const VantageHopNotes &n : v.notes) {
            if (n.ttl == ttl)
                notes = n;
        }
        QTEST(notes.lateReplies, "late");
        QTEST(notes.duplicateReplies, "duplicates");
        QTEST(notes.mpls.join(QLatin1Char('|')), "mpls");
        QTEST(notes.error.isEmpty() ? notes.replyErrors.join(QLatin1Char('|')) : notes.error, "errors");
    }

    void routeMetadata()
    {
        const QList<AtlasResult> &results = firmwareResults();
        for (const AtlasResult &r : results) {
            const VantageTrace v = toVantageTrace(r);
            QCOMPARE(v.trace.reached, r.destinationIpResponded());
            QCOMPARE(v.trace.hops.size(), r.hops.size());
            QCOMPARE(v.vantage.id, QStringLiteral("atlas:%1").arg(r.probeId));
            QVERIFY(v.vantage.kind == VantageKind::RipeAtlas);
            QCOMPARE(v.firmware, r.firmware);
            QVERIFY(!v.failed);
        }
        const VantageTrace first = toVantageTrace(results.at(0));
        QVERIFY(first.trace.method == ProbeMethod::Udp);
        QVERIFY(first.trace.request.family == AddressFamily::IPv4);
        QCOMPARE(first.trace.request.maxTtl, 255);
        QCOMPARE(first.vantage.publicAddress, QHostAddress(QStringLiteral("198.51.100.200")));
        QCOMPARE(first.trace.elapsedMs, 18000.0);
        QCOMPARE(first.measurementId, 5001);
        const VantageTrace named = toVantageTrace(results.at(2));
        QCOMPARE(named.trace.target, QStringLiteral("www.example.net"));
        QCOMPARE(named.trace.destination, QHostAddress(QStringLiteral("192.0.2.10")));
        QVERIFY(named.trace.method == ProbeMethod::Icmp);
        QVERIFY(toVantageTrace(results.at(13)).vantage.publicAddress.isNull());
        QVERIFY(toVantageTrace(results.at(8)).trace.request.flow == FlowMode::Classic); // paris_id 0
        QVERIFY(toVantageTrace(results.at(8)).trace.method == ProbeMethod::Tcp);
    }

    void shapes_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<int>("count");
        const QByteArray one = "{\"fw\":4790,\"af\":4,\"dst_addr\":\"192.0.2.1\",\"msm_id\":1,\"prb_id\":7,"
                               "\"timestamp\":1,\"type\":\"traceroute\","
                               "\"proto\":\"ICMP\",\"result\":[{\"hop\":1,\"result\":[{\"from\":\"192.0.2."
                               "1\",\"rtt\":1.5,\"size\":28,\"ttl\":60}]}]}";
        QTest::newRow("single object") << one << 1;
        QTest::newRow("array") << QByteArray("[" + one + "," + one + "]") << 2;
        QTest::newRow("latest by probe")
            << QByteArray("{\"7\":[" + one + "],\"8\":[" + one + "," + one + "]}") << 3;
        QTest::newRow("one per line") << QByteArray(one + "\n" + one + "\n\n" + one + "\n") << 3;
        QTest::newRow("empty array") << QByteArray("[]") << 0;
    }

    void shapes()
    {
        QFETCH(QByteArray, document);
        const AtlasParseOutcome outcome = parseAtlasResults(document);
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        QTEST(int(outcome.results.size()), "count");
        for (const AtlasResult &r : outcome.results)
            QVERIFY(r.destinationIpResponded());
    }

    void damaged_data()
    {
        QTest::addColumn<QByteArray>("document");
        QTest::addColumn<AtlasParseError>("error");
        QTest::addColumn<QString>("mentions");
        const QByteArray head = "{\"msm_id\":1,\"prb_id\":9,\"timestamp\":1,\"type\":\"traceroute\",";
        QTest::newRow("empty") << QByteArray(" \n") << AtlasParseError::Empty << "empty";
        QTest::newRow("not json") << QByteArray("<html>busy</html>") << AtlasParseError::NotJson << "JSON";
        QTest::newRow("truncated")
            << QByteArray("[{\"fw\":4790,\"msm_id\":1,\"prb_id\":9,\"timestamp\":1,\"type\":\"tr")
            << AtlasParseError::NotJson << "JSON";
        QTest::newRow("legacy fw 1")
            << QByteArray("[{\"fw\":1,\"from\":\"192.0.2.9\",\"msm_id\":6001,\"prb_id\":21,\"timestamp\":1,"
                          "\"type\":\"traceroute\",\"result\":\"traceroute to 192.0.2.1 ...\"}]")
            << AtlasParseError::LegacyFormat << "probe 21";
        QTest::newRow("ping result") << QByteArray(head + "\"fw\":4790,\"type\":\"ping\",\"result\":[]}")
                                     << AtlasParseError::NotTraceroute << "ping";
        QTest::newRow("type with a line break (found by fuzz_vantage)")
            << QByteArray(head + "\"fw\":4790,\"type\":\"tracero\\nute\",\"result\":[]}")
            << AtlasParseError::NotTraceroute << "'tracero ute'";
        QTest::newRow("no prb_id")
            << QByteArray("[{\"fw\":4790,\"msm_id\":1,\"timestamp\":1,\"type\":\"traceroute\"}]")
            << AtlasParseError::NotAResult << "prb_id";
        QTest::newRow("second of two is damaged") << QByteArray("[" + head + "\"fw\":4790,\"result\":[]},42]")
                                                  << AtlasParseError::NotAResult << "result 2";
        QTest::newRow("unknown protocol")
            << QByteArray(head + "\"fw\":4790,\"proto\":\"SCTP\",\"result\":[]}") << AtlasParseError::BadValue
            << "SCTP";
        QTest::newRow("hop not an object")
            << QByteArray(head + "\"fw\":4790,\"result\":[1]}") << AtlasParseError::BadValue << "hop entry 1";
        QTest::newRow("replies not a list")
            << QByteArray(head + "\"fw\":4790,\"result\":[{\"hop\":1,\"result\":\"*\"}]}")
            << AtlasParseError::BadValue << "hop 1";
        QTest::newRow("other object")
            << QByteArray("{\"detail\":\"Not found.\"}") << AtlasParseError::NotAResult << "neither";
        // Hop numbers a route cannot be drawn with (found by fuzz_vantage): 0, past 255, repeated,
        // going back, not a number, beyond any integer.
        const auto hops = [&](const char *list) {
            return QByteArray(head + "\"fw\":4790,\"result\":[" + list + "]}");
        };
        QTest::newRow("hop 0") << hops("{\"hop\":0}") << AtlasParseError::BadValue << "hop number '0'";
        QTest::newRow("hop 256") << hops("{\"hop\":256}") << AtlasParseError::BadValue << "hop number '256'";
        QTest::newRow("hop repeated")
            << hops("{\"hop\":1},{\"hop\":1}") << AtlasParseError::BadValue << "hop entry 2";
        QTest::newRow("hop going back")
            << hops("{\"hop\":3},{\"hop\":2}") << AtlasParseError::BadValue << "rising";
        QTest::newRow("hop not a number")
            << hops("{\"hop\":\"x\"}") << AtlasParseError::BadValue << "hop number 'x'";
        QTest::newRow("hop beyond any integer")
            << hops("{\"hop\":1e300}") << AtlasParseError::BadValue << "expected 1 to 255";
    }

    void damaged()
    {
        QFETCH(QByteArray, document);
        QFETCH(AtlasParseError, error);
        QFETCH(QString, mentions);
        const AtlasParseOutcome outcome = parseAtlasResults(document);
        QCOMPARE(toString(outcome.error), toString(error));
        QVERIFY(outcome.results.isEmpty());
        QVERIFY2(outcome.message.contains(mentions), qPrintable(outcome.message));
        QVERIFY(!outcome.message.contains(QLatin1Char('\n')));
    }

    void measurementError()
    {
        const AtlasParseOutcome outcome =
            parseAtlasResults("{\"fw\":5080,\"af\":4,\"msm_id\":1,\"prb_id\":9,\"timestamp\":1,\"type\":"
                              "\"traceroute\",\"err\":\"No route\","
                              "\"result\":[]}");
        QVERIFY(outcome.ok());
        const VantageTrace v = toVantageTrace(outcome.results.first());
        QVERIFY(v.failed);
        QVERIFY(v.failure.contains(QLatin1String("No route")));
    }

    // A hop entry without a hop number (the probe failed before probing, e.g. the name did not
    // resolve) is no hop of the route: the route fails with its error instead of showing TTL 0.
    void unnumberedErrorEntry()
    {
        const AtlasParseOutcome outcome =
            parseAtlasResults("{\"fw\":4720,\"af\":4,\"msm_id\":1,\"prb_id\":9,\"timestamp\":1,\"type\":"
                              "\"traceroute\",\"result\":[{\"error\":\"name resolution failed\"}]}");
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const VantageTrace v = toVantageTrace(outcome.results.first());
        QVERIFY(v.trace.hops.isEmpty());
        QVERIFY(v.failed);
        QVERIFY2(v.failure.contains(QLatin1String("name resolution failed")), qPrintable(v.failure));
    }
};

QTEST_GUILESS_MAIN(tst_AtlasResult)
#include "tst_atlasresult.moc"
