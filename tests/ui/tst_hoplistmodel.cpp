// HopListModel: rows appear and update as hop results arrive, always in TTL order, and
// geolocation decisions land on the rows of their address.
#include "hoplistmodel.h"
#include "hoptablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace tracemap;

namespace {

Hop makeHop(int ttl, const QString &address, QList<double> rtts, bool complete = true)
{
    Hop hop;
    hop.ttl = ttl;
    hop.probesSent = 3;
    hop.complete = complete;
    int query = 1;
    for (double rtt : rtts) {
        ProbeReply reply;
        reply.query = query++;
        if (rtt >= 0) {
            reply.responder = QHostAddress(address);
            reply.rttMs = rtt;
            reply.kind = ReplyKind::TimeExceeded;
        }
        hop.replies << reply;
    }
    return hop;
}

GeoResult located(const QString &address, double lat, double lon, const QString &city)
{
    GeoResult r;
    r.address = QHostAddress(address);
    r.status = GeoStatus::Located;
    r.place.latitude = lat;
    r.place.longitude = lon;
    r.place.accuracyKm = 25;
    r.place.city = city;
    r.place.countryCode = QStringLiteral("DE");
    r.provider = QStringLiteral("override");
    r.reason = QStringLiteral("user override");
    r.confidence = 1.0;
    r.hostname = QStringLiteral("r1.example.net");
    r.as.number = 64500;
    r.as.name = QStringLiteral("EXAMPLE-AS");
    return r;
}

QList<int> ttls(const HopListModel &model)
{
    QList<int> out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.data(model.index(row), HopListModel::TtlRole).toInt();
    return out;
}

} // namespace

class TestHopListModel : public QObject
{
    Q_OBJECT
private slots:
    void roleNamesTheMapReads()
    {
        HopListModel model;
        const QList<QByteArray> names = model.roleNames().values();
        for (const char *name :
             {"ttl", "latitude", "longitude", "hasLocation", "accuracyKm", "avgRttMs", "address", "hostname",
              "placeName", "asn", "asName", "lastRttMs", "bestRttMs", "worstRttMs", "lossPercent", "reason",
              "provider", "confidence", "responders"})
            QVERIFY2(names.contains(QByteArray(name)), name);
    }

    void rowsInTtlOrder_data()
    {
        QTest::addColumn<QList<int>>("arrival");
        QTest::newRow("in order") << QList<int>{1, 2, 3, 4, 5};
        QTest::newRow("reversed") << QList<int>{5, 4, 3, 2, 1};
        QTest::newRow("shuffled") << QList<int>{3, 1, 5, 2, 4};
        QTest::newRow("gaps filled later") << QList<int>{1, 4, 7, 2, 6, 3, 5};
        QTest::newRow("repeats update") << QList<int>{2, 1, 2, 3, 1, 3};
    }
    void rowsInTtlOrder()
    {
        QFETCH(QList<int>, arrival);
        HopListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy count(&model, &HopListModel::countChanged);
        QSet<int> seen;
        int expectedInserts = 0, expectedChanges = 0;
        for (int i = 0; i < arrival.size(); ++i) {
            const int ttl = arrival.at(i);
            // A repeated TTL carries one more answer, so it is a real change.
            const int answers = seen.contains(ttl) ? 3 : 1;
            QList<double> rtts;
            for (int a = 0; a < answers; ++a)
                rtts << ttl * 1.5 + a;
            const int row =
                model.updateHop(makeHop(ttl, QStringLiteral("198.18.%1.1").arg(ttl), rtts, answers == 3));
            QCOMPARE(model.data(model.index(row), HopListModel::TtlRole).toInt(), ttl);
            if (seen.contains(ttl))
                ++expectedChanges;
            else
                ++expectedInserts;
            seen.insert(ttl);
            QList<int> sorted = seen.values();
            std::sort(sorted.begin(), sorted.end());
            QCOMPARE(ttls(model), sorted);
        }
        QCOMPARE(inserted.size(), expectedInserts);
        QCOMPARE(changed.size(), expectedChanges);
        QCOMPARE(count.size(), expectedInserts);
        QCOMPARE(model.rowCount(), int(seen.size()));
    }

    void insertSignalCarriesTheRightRow()
    {
        HopListModel model;
        model.updateHop(makeHop(1, QStringLiteral("198.18.0.1"), {1.0}));
        model.updateHop(makeHop(5, QStringLiteral("198.18.4.1"), {5.0}));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.updateHop(makeHop(3, QStringLiteral("198.18.2.1"), {3.0}));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 1); // first
        QCOMPARE(inserted.at(0).at(2).toInt(), 1); // last
    }

    void statsAndUnchangedHop()
    {
        HopListModel model;
        const Hop hop = makeHop(2, QStringLiteral("198.18.1.1"), {2.0, -1, 4.0});
        model.updateHop(hop);
        const QModelIndex i = model.index(0);
        QCOMPARE(model.data(i, HopListModel::AddressRole).toString(), QStringLiteral("198.18.1.1"));
        QCOMPARE(model.data(i, HopListModel::BestRttMsRole).toDouble(), 2.0);
        QCOMPARE(model.data(i, HopListModel::WorstRttMsRole).toDouble(), 4.0);
        QCOMPARE(model.data(i, HopListModel::AvgRttMsRole).toDouble(), 3.0);
        QCOMPARE(model.data(i, HopListModel::LastRttMsRole).toDouble(), 4.0);
        QVERIFY(qAbs(model.data(i, HopListModel::LossPercentRole).toDouble() - 100.0 / 3) < 0.01);
        QCOMPARE(model.data(i, HopListModel::HasLocationRole).toBool(), false);
        QCOMPARE(model.data(i, HopListModel::ReasonRole).toString(), QStringLiteral("locating…"));
        // The same hop again is no change.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.updateHop(hop);
        QCOMPARE(changed.size(), 0);
    }

    void silentHop()
    {
        HopListModel model;
        model.updateHop(makeHop(4, {}, {-1, -1, -1}));
        const QModelIndex i = model.index(0);
        QCOMPARE(model.data(i, HopListModel::AddressRole).toString(), QString());
        QCOMPARE(model.data(i, HopListModel::AvgRttMsRole).toDouble(), -1.0);
        QCOMPARE(model.data(i, HopListModel::ReasonRole).toString(), QStringLiteral("no reply"));
        QVERIFY(model.toText().contains(QStringLiteral("4\t*\t")));
    }

    void geoResultUpdatesTheRightRow()
    {
        HopListModel model;
        model.updateHop(makeHop(1, QStringLiteral("198.18.0.1"), {1.0}));
        model.updateHop(makeHop(2, QStringLiteral("198.18.1.1"), {2.0}));
        model.updateHop(makeHop(3, QStringLiteral("198.18.2.1"), {3.0}));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy placed(&model, &HopListModel::placedCountChanged);

        QCOMPARE(model.applyGeoResult(
                     located(QStringLiteral("198.18.1.1"), 50.11, 8.68, QStringLiteral("Frankfurt"))),
                 1);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(placed.size(), 1);
        QCOMPARE(model.placedCount(), 1);

        const QModelIndex i = model.index(1);
        QCOMPARE(model.data(i, HopListModel::HasLocationRole).toBool(), true);
        QCOMPARE(model.data(i, HopListModel::LatitudeRole).toDouble(), 50.11);
        QCOMPARE(model.data(i, HopListModel::LongitudeRole).toDouble(), 8.68);
        QCOMPARE(model.data(i, HopListModel::PlaceNameRole).toString(), QStringLiteral("Frankfurt, DE"));
        QCOMPARE(model.data(i, HopListModel::HostnameRole).toString(), QStringLiteral("r1.example.net"));
        QCOMPARE(model.data(i, HopListModel::AsnRole).toInt(), 64500);
        QCOMPARE(model.data(i, HopListModel::AsNameRole).toString(), QStringLiteral("EXAMPLE-AS"));
        QCOMPARE(model.data(i, HopListModel::ProviderRole).toString(), QStringLiteral("override"));
        QCOMPARE(model.data(i, HopListModel::ReasonRole).toString(), QStringLiteral("user override"));
        QCOMPARE(model.data(i, HopListModel::AccuracyKmRole).toDouble(), 25.0);
        // Other rows untouched.
        QCOMPARE(model.data(model.index(0), HopListModel::HasLocationRole).toBool(), false);
        QCOMPARE(model.data(model.index(2), HopListModel::HasLocationRole).toBool(), false);
        QVERIFY(qIsNaN(model.data(model.index(0), HopListModel::LatitudeRole).toDouble()));

        // An address on no row changes nothing.
        QCOMPARE(model.applyGeoResult(located(QStringLiteral("203.0.113.9"), 1, 1, QStringLiteral("X"))), 0);
        QCOMPARE(changed.size(), 1);
    }

    // A hop placed by its host name says which rule placed it; other hops say nothing.
    void hintRuleOfAHostnamePlace()
    {
        HopListModel model;
        model.updateHop(makeHop(1, QStringLiteral("198.18.0.1"), {1.0}));
        model.updateHop(makeHop(2, QStringLiteral("198.18.1.1"), {2.0}));
        GeoResult byName = located(QStringLiteral("198.18.1.1"), 50.11, 8.68, QStringLiteral("Frankfurt"));
        byName.provider = QStringLiteral("hostname");
        byName.providerDetail = QStringLiteral("ntt.net/operator:frnkge");
        model.applyGeoResult(byName);
        model.applyGeoResult(located(QStringLiteral("198.18.0.1"), 50.11, 8.68, QStringLiteral("Frankfurt")));
        QCOMPARE(model.data(model.index(1), HopListModel::HintRuleRole).toString(),
                 QStringLiteral("operator rule ntt.net: operator's code 'frnkge' → Frankfurt, DE"));
        QCOMPARE(model.get(1).value(QStringLiteral("hintRule")).toString(),
                 QStringLiteral("operator rule ntt.net: operator's code 'frnkge' → Frankfurt, DE"));
        QCOMPARE(model.data(model.index(0), HopListModel::HintRuleRole).toString(), QString());
    }

    void unlocatableKeepsTheReason()
    {
        HopListModel model;
        model.updateHop(makeHop(1, QStringLiteral("10.0.0.1"), {0.5}));
        GeoResult r;
        r.address = QHostAddress(QStringLiteral("10.0.0.1"));
        r.status = GeoStatus::Unlocatable;
        r.provider = QStringLiteral("special");
        r.reason = QStringLiteral("private network (RFC 1918): no place");
        model.applyGeoResult(r);
        const QModelIndex i = model.index(0);
        QCOMPARE(model.data(i, HopListModel::HasLocationRole).toBool(), false);
        QCOMPARE(model.data(i, HopListModel::ReasonRole).toString(), r.reason);
        QCOMPARE(model.placedCount(), 0);
    }

    void sameAddressOnTwoRows()
    {
        HopListModel model;
        model.updateHop(makeHop(6, QStringLiteral("198.18.10.1"), {6.0}));
        model.updateHop(makeHop(7, QStringLiteral("198.18.10.1"), {6.1}));
        QCOMPARE(model.applyGeoResult(
                     located(QStringLiteral("198.18.10.1"), 48.85, 2.35, QStringLiteral("Paris"))),
                 2);
        QCOMPARE(model.placedCount(), 2);
    }

    void newFirstResponderDropsTheOldPlace()
    {
        HopListModel model;
        model.updateHop(makeHop(2, QStringLiteral("198.18.1.1"), {2.0}, false));
        model.applyGeoResult(located(QStringLiteral("198.18.1.1"), 50.11, 8.68, QStringLiteral("Frankfurt")));
        QCOMPARE(model.placedCount(), 1);
        // The engine reports query 1 answered by another router (load balancing).
        Hop hop;
        hop.ttl = 2;
        hop.probesSent = 3;
        ProbeReply first;
        first.query = 1;
        first.responder = QHostAddress(QStringLiteral("198.18.1.9"));
        first.rttMs = 2.5;
        first.kind = ReplyKind::TimeExceeded;
        ProbeReply second = first;
        second.query = 2;
        second.responder = QHostAddress(QStringLiteral("198.18.1.1"));
        hop.replies = {first, second};
        model.updateHop(hop);
        QCOMPARE(model.placedCount(), 0);
        QCOMPARE(model.data(model.index(0), HopListModel::RespondersRole).toStringList(),
                 (QStringList{QStringLiteral("198.18.1.9"), QStringLiteral("198.18.1.1")}));
    }

    void clearResets()
    {
        HopListModel model;
        model.updateHop(makeHop(1, QStringLiteral("198.18.0.1"), {1.0}));
        model.applyGeoResult(located(QStringLiteral("198.18.0.1"), 50, 8, QStringLiteral("A")));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy placed(&model, &HopListModel::placedCountChanged);
        model.clear();
        QCOMPARE(reset.size(), 1);
        QCOMPARE(placed.size(), 1);
        QCOMPARE(model.rowCount(), 0);
        model.clear();
        QCOMPARE(reset.size(), 1);
    }

    void textTable()
    {
        HopListModel model;
        model.updateHop(makeHop(1, QStringLiteral("198.18.0.1"), {1.234, 1.5, 2.0}));
        model.applyGeoResult(located(QStringLiteral("198.18.0.1"), 52.52, 13.40, QStringLiteral("Berlin")));
        const QStringList lines = model.toText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(0).startsWith(QStringLiteral("TTL\tAddress")));
        const QStringList cells = lines.at(1).split(QLatin1Char('\t'));
        QCOMPARE(cells.value(0), QStringLiteral("1"));
        QCOMPARE(cells.value(1), QStringLiteral("198.18.0.1"));
        QCOMPARE(cells.value(3), QStringLiteral("AS64500 EXAMPLE-AS"));
        QCOMPARE(cells.value(4), QStringLiteral("Berlin, DE"));
        QCOMPARE(cells.value(8), QStringLiteral("1.23"));
    }

    void getForQml()
    {
        HopListModel model;
        model.updateHop(makeHop(1, QStringLiteral("198.18.0.1"), {1.0}));
        const QVariantMap row = model.get(0);
        QCOMPARE(row.value(QStringLiteral("ttl")).toInt(), 1);
        QCOMPARE(row.value(QStringLiteral("address")).toString(), QStringLiteral("198.18.0.1"));
        QVERIFY(model.get(5).isEmpty());
    }

    void rttText_data()
    {
        QTest::addColumn<double>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("unknown") << -1.0 << "-";
        QTest::newRow("loopback, sub-millisecond") << 0.054 << "0.054";
        QTest::newRow("below a microsecond") << 0.0004 << "<0.001";
        QTest::newRow("a few ms") << 4.256 << "4.26";
        QTest::newRow("tens of ms") << 42.21 << "42.2";
    }
    void rttText()
    {
        QFETCH(double, ms);
        QFETCH(QString, text);
        QCOMPARE(HopListModel::rttText(ms), text);
    }

    // The table's columns: sorted by a header click (again: reversed), rows mapped back to hops,
    // the note whole in the tooltip, and live while hops stream in.
    void tableColumnsSortAndMapBack()
    {
        HopListModel hops;
        hops.updateHop(makeHop(1, QStringLiteral("198.18.0.1"), {30.0}));
        hops.updateHop(makeHop(2, QStringLiteral("198.18.1.1"), {5.0}));
        hops.updateHop(makeHop(3, QStringLiteral("198.18.2.1"), {12.0}));
        HopTableModel table;
        table.setHops(&hops);
        QAbstractItemModelTester tester(&table, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(table.columnCount(), int(HopTableModel::ColumnCount));
        QCOMPARE(table.headerData(HopTableModel::Avg, Qt::Horizontal).toString(), QStringLiteral("Avg"));
        const auto column = [&](int c) {
            QStringList values;
            for (int row = 0; row < table.rowCount(); ++row)
                values << table.index(row, c).data().toString();
            return values;
        };
        QCOMPARE(column(HopTableModel::Ttl), (QStringList{"1", "2", "3"}));
        table.sortBy(HopTableModel::Avg);
        QCOMPARE(column(HopTableModel::Ttl), (QStringList{"2", "3", "1"}));
        QCOMPARE(table.sourceRowAt(0), 1);
        QCOMPARE(table.rowForSource(0), 2);
        table.sortBy(HopTableModel::Avg);
        QCOMPARE(table.sortOrder(), Qt::DescendingOrder);
        QCOMPARE(column(HopTableModel::Ttl), (QStringList{"1", "3", "2"}));
        hops.updateHop(makeHop(4, QStringLiteral("198.18.3.1"), {90.0}));
        QCOMPARE(column(HopTableModel::Ttl), (QStringList{"4", "1", "3", "2"}));
        const QModelIndex note = table.index(0, HopTableModel::Note);
        QCOMPARE(note.data(Qt::ToolTipRole), note.data(Qt::DisplayRole));
        QCOMPARE(table.index(0, HopTableModel::Avg).data().toString(), QStringLiteral("90.0"));
        // Numbers align right, text (the note too) left.
        for (int c = 0; c < HopTableModel::ColumnCount; ++c) {
            const bool numeric =
                c == HopTableModel::Ttl || (c >= HopTableModel::Loss && c <= HopTableModel::Worst);
            QCOMPARE(table.index(0, c).data(HopTableModel::NumericRole).toBool(), numeric);
        }
    }
};

QTEST_GUILESS_MAIN(TestHopListModel)
#include "tst_hoplistmodel.moc"
