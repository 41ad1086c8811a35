// HistoryModel over a history database in a temporary folder: every finished trace is kept
// (unless keepHistory is off), rows reopen as saved, trace again, delete; a damaged database is
// moved aside with one message; comparing an entry with the trace shown lists the change, rings
// the changed hop on both routes and draws the entry as a further route.
#include "../geo/tst_tracefile_fixture.h"
#include "../unit/simulatednetwork.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "historymodel.h"
#include "tracecontroller.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

const QString kTarget = QStringLiteral("203.0.113.7");

struct Fixture
{
    explicit Fixture(const QString &dbPath)
    {
        SimPath path;
        path.routers << SimHop{QHostAddress(QStringLiteral("62.115.1.1")), 2.0};
        path.destinationRttMs = 4;
        network.paths.insert(kTarget, path);
        settings = AppSettings::inMemory();
        settings->setOffline(true);
        settings->setProbeTimeoutSec(0.3);
        controller = std::make_unique<TraceController>(settings.get(), nullptr,
                                                       std::make_unique<SimulatedFactory>(network));
        controller->setHost(kTarget);
        documents = std::make_unique<DocumentController>(controller.get(), settings.get());
        HistorySettings hs;
        hs.path = dbPath;
        history = std::make_unique<HistoryModel>(hs, controller.get(), documents.get(), settings.get());
    }
    bool trace()
    {
        QSignalSpy finished(controller.get(), &TraceController::finished);
        return controller->start() && finished.wait(5000);
    }
    SimulatedNetwork network;
    std::unique_ptr<AppSettings> settings;
    std::unique_ptr<TraceController> controller;
    std::unique_ptr<DocumentController> documents;
    std::unique_ptr<HistoryModel> history;
};

} // namespace

class TestHistoryModel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerTraceTypes(); }

    void keepsFinishedTraces_data()
    {
        QTest::addColumn<bool>("keep");
        QTest::newRow("kept") << true;
        QTest::newRow("keeping turned off") << false;
    }
    void keepsFinishedTraces()
    {
        QFETCH(bool, keep);
        QTemporaryDir dir;
        Fixture f(dir.filePath(QStringLiteral("history.sqlite")));
        f.settings->setKeepHistory(keep);
        QVERIFY(f.trace());
        QVERIFY(f.trace());
        f.history->refresh();
        QCOMPARE(f.history->rowCount(), keep ? 2 : 0);
        QCOMPARE(f.history->storedCount(), keep ? 2 : 0);
        if (!keep)
            return;
        const QModelIndex first = f.history->index(0);
        QCOMPARE(first.data(HistoryModel::TargetRole).toString(), kTarget);
        QCOMPARE(first.data(HistoryModel::DestinationRole).toString(), kTarget);
        QCOMPARE(first.data(HistoryModel::HopsRole).toInt(), 2);
        QVERIFY(first.data(HistoryModel::ReachedRole).toBool());

        // Reopened: shown as kept, not stored again, nothing traced.
        const QString table = f.controller->model()->toText();
        QVERIFY(f.history->reopen(0)); // the newest: the trace shown before
        QVERIFY(f.controller->showingDocument());
        QVERIFY(!f.controller->running());
        QCOMPARE(f.controller->model()->toText(), table);
        QCOMPARE(f.history->storedCount(), 2);

        // Delete, then filter by another target: nothing.
        QVERIFY(f.history->remove(0));
        QCOMPARE(f.history->rowCount(), 1);
        QCOMPARE(f.history->storedCount(), 1);
        f.history->setFilter(QStringLiteral("other.example"));
        QCOMPARE(f.history->rowCount(), 0);
        f.history->setFilter(kTarget);
        QCOMPARE(f.history->rowCount(), 1);

        // Trace again: the entry's target, traced and kept.
        QSignalSpy finished(f.controller.get(), &TraceController::finished);
        f.controller->setHost(QStringLiteral("x.invalid"));
        QVERIFY(f.history->traceAgain(0));
        QCOMPARE(f.controller->host(), kTarget);
        QVERIFY(finished.wait(5000));
        QCOMPARE(f.history->storedCount(), 2);
    }

    void damagedDatabaseIsMovedAside()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        QFile junk(path);
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(8192, 'x'));
        junk.close();
        Fixture f(path);
        QSignalSpy reported(f.history.get(), &HistoryModel::reported);
        f.history->refresh();
        QCOMPARE(reported.size(), 1);
        QVERIFY(reported.at(0).at(1).toBool());
        QVERIFY2(reported.at(0).at(0).toString().contains(QLatin1String("damaged")),
                 qPrintable(reported.at(0).at(0).toString()));
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("history.sqlite.damaged-*")}).size(), 1);
        QCOMPARE(f.history->rowCount(), 0);
        // A new history works, and the warning is not repeated.
        QVERIFY(f.history->store(fixture::sample()) > 0);
        QCOMPARE(f.history->rowCount(), 1);
        QCOMPARE(reported.size(), 1);
    }

    void compareWithShown()
    {
        QTemporaryDir dir;
        Fixture f(dir.filePath(QStringLiteral("history.sqlite")));
        QVERIFY(f.history->store(fixture::sample()) > 0);
        f.controller->loadDocument(fixture::changedSample());
        QSignalSpy changed(f.documents.get(), &DocumentController::comparisonChanged);
        QVERIFY(f.history->compareWithShown(0));
        QCOMPARE(changed.size(), 1);
        const QStringList lines = f.documents->comparison();
        QVERIFY2(lines.size() >= 1 && lines.first().startsWith(QLatin1String("ttl 2: responder")),
                 qPrintable(lines.join(QLatin1Char('\n'))));
        // The shown route: only TTL 2 ringed.
        HopListModel *m = f.controller->model();
        for (int row = 0; row < m->rowCount(); ++row)
            QCOMPARE(m->get(row).value(QStringLiteral("highlighted")).toBool(), m->hopAt(row).ttl == 2);
        // The kept trace: a dashed further route, its TTL 2 ringed.
        QCOMPARE(f.documents->routes()->count(), 1);
        const MapRoute route = f.documents->routes()->routes().first();
        QVERIFY(route.dashed);
        for (const MapHop &hop : route.hops)
            QCOMPARE(hop.highlighted, hop.ttl == 2);
        // A new trace ends the comparison.
        QVERIFY(f.trace());
        QVERIFY(f.documents->comparison().isEmpty());
        QCOMPARE(f.documents->routes()->count(), 0);
    }

    // Two kept traces compared in one step, whichever was chosen first: the newer one is shown,
    // the older one is the comparison's "before". The same row twice is refused, with a reason.
    void compareTwoEntries_data()
    {
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("second");
        QTest::addColumn<bool>("compared");
        QTest::newRow("newer chosen first") << 0 << 1 << true;
        QTest::newRow("older chosen first") << 1 << 0 << true;
        QTest::newRow("the same trace twice") << 1 << 1 << false;
        QTest::newRow("no such row") << 0 << 5 << false;
    }
    void compareTwoEntries()
    {
        QFETCH(int, first);
        QFETCH(int, second);
        QFETCH(bool, compared);
        QTemporaryDir dir;
        Fixture f(dir.filePath(QStringLiteral("history.sqlite")));
        QVERIFY(f.history->store(fixture::sample()) > 0);
        QVERIFY(f.history->store(fixture::changedSample()) > 0); // an hour later: row 0, newest first
        QCOMPARE(f.history->rowCount(), 2);
        QSignalSpy reported(f.history.get(), &HistoryModel::reported);
        QCOMPARE(f.history->compare(first, second), compared);
        if (!compared) {
            QCOMPARE(reported.size(), 1);
            QVERIFY(reported.first().at(1).toBool());
            QVERIFY(f.documents->comparison().isEmpty());
            QCOMPARE(f.controller->model()->rowCount(), 0); // nothing was shown
            return;
        }
        QVERIFY(f.controller->showingDocument());
        QCOMPARE(f.controller->model()->hopAt(1).responders().first(),
                 QHostAddress(QStringLiteral("198.18.7.1")));
        const QStringList lines = f.documents->comparison();
        QVERIFY2(!lines.isEmpty() &&
                     lines.first() == QLatin1String("ttl 2: responder 198.18.1.1 -> 198.18.7.1"),
                 qPrintable(lines.join(QLatin1Char('\n'))));
        QCOMPARE(f.documents->routes()->count(), 1);
        QVERIFY(f.documents->routes()->routes().first().hops.at(1).address == QLatin1String("198.18.1.1"));
    }
};

QTEST_MAIN(TestHistoryModel)
#include "tst_historymodel.moc"
