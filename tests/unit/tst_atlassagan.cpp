// RIPE Atlas results parsed by core/atlasresult compared hop for hop with what RIPE's own parser,
// ripe.atlas.sagan 1.1.9, reports for the same documents. The documents are 24 real results, 21
// from sagan's own tests and 3 from two other RIPE repositories (firmwares 4460-4730, IPv4 and
// IPv6); what sagan reports was recorded by running sagan on each of them
// (tests/data/atlas-sagan/README.md says how), one expected/<name>.json per document. One row per
// document.
//
// Where tracemap deliberately differs, the comparison says so in place:
// - late answers (a `late` key): sagan drops them from hop.packets; tracemap keeps them flagged
//   `late` (the route counts them in its notes) and leaves them out of every summary value. They
//   are compared as "sagan's packets == tracemap's non-late packets" plus a count of the late ones.
// - destination_ip_responded: tracemap compares addresses, sagan compares strings, so a
//   destination spelled differently (2001:0db8::10 / 2001:db8::10) counts as reached in tracemap.
// - sagan's None is tracemap's "absent" value: -1 for numbers, "" for text, hop index 0. A hop
//   entry without a hop number is no hop of the route (toVantageTrace): its error is the route's.
#include "atlasresult.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <cmath>

using namespace tracemap;

namespace {

QString dataDir()
{
    return qEnvironmentVariable("TRACEMAP_TEST_DATA") + QStringLiteral("/atlas-sagan");
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read test data %s", qPrintable(path));
    return f.readAll();
}

QStringList documentNames()
{
    QStringList names = QDir(dataDir()).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (QString &name : names)
        name.chop(5); // ".json"
    return names;
}

// sagan's None becomes tracemap's "absent" value.
double number(const QJsonValue &v, double absent = -1.0)
{
    return v.isNull() ? absent : v.toDouble();
}

QString text(const QJsonValue &v)
{
    return v.isNull() ? QString() : v.toString();
}

QStringList texts(const QJsonValue &v)
{
    QStringList list;
    for (const QJsonValue &item : v.toArray())
        list << text(item);
    return list;
}

bool sameMs(double a, double b)
{
    return (a < 0 && b < 0) || std::abs(a - b) < 1e-9;
}

// Collects every difference of one document, so a failing row lists them all at once.
class Differences
{
public:
    void check(const QString &what, const QVariant &tracemap, const QVariant &sagan)
    {
        if (tracemap != sagan)
            m_lines << QStringLiteral("%1: tracemap %2, sagan %3")
                           .arg(what, tracemap.toString(), sagan.toString());
    }
    void checkMs(const QString &what, double tracemap, double sagan)
    {
        if (!sameMs(tracemap, sagan))
            m_lines << QStringLiteral("%1: tracemap %2 ms, sagan %3 ms").arg(what).arg(tracemap).arg(sagan);
    }
    QString report() const { return m_lines.join(QLatin1Char('\n')); }
    bool isEmpty() const { return m_lines.isEmpty(); }

private:
    QStringList m_lines;
};

QList<AtlasMplsEntry> saganMpls(const QJsonArray &objects)
{
    QList<AtlasMplsEntry> entries;
    for (const QJsonValue &object : objects) {
        for (const QJsonValue &e : object.toObject().value(QLatin1String("mpls")).toArray()) {
            const QJsonObject m = e.toObject();
            entries.append({qint64(m.value(QLatin1String("label")).toDouble()),
                            m.value(QLatin1String("exp")).toInt(), m.value(QLatin1String("s")).toInt(),
                            m.value(QLatin1String("ttl")).toInt()});
        }
    }
    return entries;
}

void comparePacket(const QString &where, const AtlasPacket &p, const QJsonObject &s, Differences *d)
{
    d->check(where + QStringLiteral(" origin"), p.origin, text(s.value(QLatin1String("origin"))));
    d->checkMs(where + QStringLiteral(" rtt"), p.rtt, number(s.value(QLatin1String("rtt"))));
    d->check(where + QStringLiteral(" size"), p.size, int(number(s.value(QLatin1String("size")))));
    d->check(where + QStringLiteral(" ttl"), p.ttl, int(number(s.value(QLatin1String("ttl")))));
    d->check(where + QStringLiteral(" internal_ttl"), p.ittl, s.value(QLatin1String("internal_ttl")).toInt());
    d->check(where + QStringLiteral(" mtu"), p.mtu, int(number(s.value(QLatin1String("mtu")))));
    d->check(where + QStringLiteral(" arrived_late_by"), p.lateBy,
             s.value(QLatin1String("arrived_late_by")).toInt());
    d->check(where + QStringLiteral(" is_error"), p.isError(), s.value(QLatin1String("is_error")).toBool());
    d->check(where + QStringLiteral(" error_message"), p.errorMessage,
             text(s.value(QLatin1String("error_message"))));
    const QJsonValue header = s.value(QLatin1String("icmp_header"));
    d->check(where + QStringLiteral(" icmp_header"), p.hasIcmpExt, !header.isNull());
    if (p.hasIcmpExt && header.isObject()) {
        const QJsonObject h = header.toObject();
        d->check(where + QStringLiteral(" icmp_header.version"), p.icmpExtVersion,
                 int(number(h.value(QLatin1String("version")))));
        d->check(where + QStringLiteral(" icmp_header.rfc4884"), p.rfc4884,
                 h.value(QLatin1String("rfc4884")).toBool());
        if (p.mpls != saganMpls(h.value(QLatin1String("objects")).toArray()))
            d->check(where + QStringLiteral(" icmp_header.objects (MPLS)"), QStringLiteral("differ"),
                     QStringLiteral("as recorded"));
    }
}

void compareHop(int i, const AtlasHop &h, const QJsonObject &s, const QJsonArray &rawPackets, Differences *d)
{
    const QString where = QStringLiteral("hop #%1").arg(i + 1);
    d->check(where + QStringLiteral(" index"), h.index, int(number(s.value(QLatin1String("index")), 0)));
    d->check(where + QStringLiteral(" is_error"), !h.error.isEmpty(),
             s.value(QLatin1String("is_error")).toBool());
    d->check(where + QStringLiteral(" error_message"), h.error,
             text(s.value(QLatin1String("error_message"))));
    d->checkMs(where + QStringLiteral(" median_rtt"), h.medianRtt,
               number(s.value(QLatin1String("median_rtt"))));

    // Deliberate difference: tracemap keeps late answers (flagged), sagan drops them.
    QList<AtlasPacket> onTime;
    int late = 0;
    for (const AtlasPacket &p : h.packets) {
        if (p.late)
            ++late;
        else
            onTime << p;
    }
    int rawLate = 0;
    for (const QJsonValue &raw : rawPackets)
        rawLate += raw.toObject().contains(QLatin1String("late")) ? 1 : 0;
    d->check(where + QStringLiteral(" late answers kept"), late, rawLate);

    const QJsonArray packets = s.value(QLatin1String("packets")).toArray();
    d->check(where + QStringLiteral(" packets"), int(onTime.size()), int(packets.size()));
    for (qsizetype k = 0; k < std::min(onTime.size(), packets.size()); ++k)
        comparePacket(where + QStringLiteral(" packet %1").arg(k + 1), onTime.at(k), packets.at(k).toObject(),
                      d);
}

// sagan compares dst_addr and `from` as strings; tracemap as addresses (see the header comment).
bool spelledDifferently(const AtlasResult &r)
{
    if (r.hops.isEmpty() || QHostAddress(r.destinationAddress).isNull())
        return false;
    for (const AtlasPacket &p : r.hops.last().packets) {
        if (!p.late && p.origin != r.destinationAddress &&
            QHostAddress(p.origin).isEqual(QHostAddress(r.destinationAddress)))
            return true;
    }
    return false;
}

} // namespace

class tst_AtlasSagan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The comparison covers what the issue asks: at least 15 results of different firmwares.
    void coverage()
    {
        const QStringList names = documentNames();
        QSet<int> firmwares;
        bool v4 = false;
        bool v6 = false;
        for (const QString &name : names) {
            const AtlasParseOutcome o =
                parseAtlasResults(readFile(dataDir() + QLatin1Char('/') + name + ".json"));
            QVERIFY2(o.ok(), qPrintable(name + QStringLiteral(": ") + o.message));
            firmwares << o.results.value(0).firmware;
            v4 = v4 || o.results.value(0).af == 4;
            v6 = v6 || o.results.value(0).af == 6;
        }
        QCOMPARE(names.size(), 24);
        QCOMPARE(firmwares.size(), 15);
        QVERIFY(v4 && v6);
    }

    void matchesSagan_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString &name : documentNames())
            QTest::newRow(qPrintable(name)) << name;
    }

    void matchesSagan()
    {
        QFETCH(QString, name);
        const QByteArray document = readFile(dataDir() + QLatin1Char('/') + name + QStringLiteral(".json"));
        const QJsonObject sagan = QJsonDocument::fromJson(readFile(dataDir() + QStringLiteral("/expected/") +
                                                                   name + QStringLiteral(".json")))
                                      .object();
        QVERIFY2(!sagan.isEmpty(), "no record of what sagan reports");
        const AtlasParseOutcome outcome = parseAtlasResults(document);
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        QCOMPARE(outcome.results.size(), 1);
        const AtlasResult &r = outcome.results.first();

        Differences d;
        auto value = [&](const char *key) {
            return sagan.value(QLatin1String(key));
        };
        d.check(QStringLiteral("firmware"), r.firmware, value("firmware").toInt());
        d.check(QStringLiteral("measurement_id"), r.measurementId,
                qint64(value("measurement_id").toDouble()));
        d.check(QStringLiteral("probe_id"), r.probeId, qint64(value("probe_id").toDouble()));
        d.check(QStringLiteral("af"), r.af, int(number(value("af"), 0)));
        d.check(QStringLiteral("protocol"), r.protocol, text(value("protocol")));
        d.check(QStringLiteral("origin"), r.origin, text(value("origin")));
        d.check(QStringLiteral("destination_address"), r.destinationAddress,
                text(value("destination_address")));
        d.check(QStringLiteral("destination_name"), r.destinationName, text(value("destination_name")));
        d.check(QStringLiteral("source_address"), r.sourceAddress, text(value("source_address")));
        d.check(QStringLiteral("paris_id"), r.parisId, int(number(value("paris_id"))));
        d.check(QStringLiteral("size"), r.size, int(number(value("size"))));
        d.check(QStringLiteral("seconds_since_sync"), r.lts, int(number(value("seconds_since_sync"))));
        d.check(QStringLiteral("is_error"), !r.resultError.isEmpty(), value("is_error").toBool());
        d.check(QStringLiteral("error_message"), r.resultError, text(value("error_message")));
        d.check(QStringLiteral("total_hops"), r.totalHops(), value("total_hops").toInt());
        d.checkMs(QStringLiteral("last_median_rtt"), r.lastMedianRtt(), number(value("last_median_rtt")));
        // Deliberate difference: an address spelled another way is still the destination.
        d.check(QStringLiteral("destination_ip_responded"), r.destinationIpResponded(),
                value("destination_ip_responded").toBool() || spelledDifferently(r));
        d.check(QStringLiteral("last_hop_responded"), r.lastHopResponded(),
                value("last_hop_responded").toBool());
        d.check(QStringLiteral("is_success"), r.isSuccess(), value("is_success").toBool());
        d.check(QStringLiteral("last_hop_errors"), r.lastHopErrors().join(QLatin1Char('|')),
                texts(value("last_hop_errors")).join(QLatin1Char('|')));
        QStringList path;
        for (const QStringList &hop : r.ipPath())
            path << hop.join(QLatin1Char(' '));
        QStringList saganPath;
        for (const QJsonValue &hop : value("ip_path").toArray())
            saganPath << texts(hop).join(QLatin1Char(' '));
        d.check(QStringLiteral("ip_path"), path.join(QLatin1String(" | ")),
                saganPath.join(QLatin1String(" | ")));

        const QJsonArray hops = value("hops").toArray();
        const QJsonArray rawHops =
            QJsonDocument::fromJson(document).object().value(QLatin1String("result")).toArray();
        d.check(QStringLiteral("hops"), int(r.hops.size()), int(hops.size()));
        for (qsizetype i = 0; i < std::min(r.hops.size(), hops.size()); ++i)
            compareHop(int(i), r.hops.at(i), hops.at(i).toObject(),
                       rawHops.at(i).toObject().value(QLatin1String("result")).toArray(), &d);
        QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("\n") + d.report()));
    }

    // The route layer keeps what sagan counts: every on-time answer is one probe of its hop, and
    // the route is reached exactly when the destination answered the last hop.
    void routeKeepsSagansPackets_data() { matchesSagan_data(); }

    void routeKeepsSagansPackets()
    {
        QFETCH(QString, name);
        const AtlasParseOutcome outcome =
            parseAtlasResults(readFile(dataDir() + QLatin1Char('/') + name + ".json"));
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        const AtlasResult &r = outcome.results.first();
        const VantageTrace v = toVantageTrace(r);
        QList<AtlasHop> numbered;
        for (const AtlasHop &h : r.hops) {
            if (h.index > 0)
                numbered << h;
            else if (numbered.isEmpty() && !h.error.isEmpty() && r.resultError.isEmpty())
                QVERIFY2(v.failed && v.failure.contains(h.error), qPrintable(v.failure));
        }
        QCOMPARE(v.trace.hops.size(), numbered.size());
        QCOMPARE(v.trace.reached, r.destinationIpResponded());
        int late = 0;
        for (qsizetype i = 0; i < numbered.size(); ++i) {
            QCOMPARE(v.trace.hops.at(i).ttl, numbered.at(i).index);
            int onTime = 0;
            for (const AtlasPacket &p : numbered.at(i).packets) {
                onTime += (!p.late && !p.duplicate) ? 1 : 0;
                late += p.late ? 1 : 0;
            }
            QCOMPARE(int(v.trace.hops.at(i).replies.size()), onTime);
        }
        int noted = 0;
        for (const VantageHopNotes &n : v.notes)
            noted += n.lateReplies;
        QCOMPARE(noted, late);
    }
};

QTEST_GUILESS_MAIN(tst_AtlasSagan)
#include "tst_atlassagan.moc"
