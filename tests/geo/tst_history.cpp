// The trace history: store, list, get and delete; the count and size bounds drop the oldest
// first; a damaged database is moved aside and a new one started; 10,000 traces list through
// an index (asserted on the query plan, not on time).
#include "tracehistory.h"
#include "tst_tracefile_fixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace tracemap;

namespace {

TraceFile traceAt(const QString &target, int minutes)
{
    TraceFile f = fixture::sample();
    f.trace.target = target;
    f.meta.startedAt = QDateTime(QDate(2026, 12, 1), QTime(0, 0), QTimeZone::utc()).addSecs(minutes * 60);
    return f;
}

// A small trace (two hops, no places), so that 10,000 of them are quick to write.
TraceFile smallTrace(int i)
{
    TraceFile f = traceAt(QStringLiteral("target-%1.example").arg(i % 50), i);
    f.trace.hops.resize(2);
    f.places.clear();
    f.meta.geoEnabled = false;
    return f;
}

// Appends random (incompressible) text to every reason, so the trace takes real space.
void bloat(TraceFile *f, int uuidsPerPlace)
{
    for (GeoResult &g : f->places) {
        for (int k = 0; k < uuidsPerPlace; ++k)
            g.reason += QUuid::createUuid().toString();
    }
}

} // namespace

class TestHistory : public QObject
{
    Q_OBJECT

private slots:
    void storesListsGetsDeletes()
    {
        QTemporaryDir dir;
        HistorySettings s;
        s.path = dir.filePath(QStringLiteral("history.sqlite"));
        TraceHistory h(s);
        const qint64 first = h.add(traceAt(QStringLiteral("a.example"), 10));
        const qint64 second = h.add(traceAt(QStringLiteral("b.example"), 20));
        const qint64 third = h.add(traceAt(QStringLiteral("a.example"), 30));
        QVERIFY2(first > 0 && second > 0 && third > 0, qPrintable(h.errorMessage()));
        QVERIFY(h.warning().isEmpty());

        const QList<HistoryEntry> all = h.list();
        QCOMPARE(all.size(), 3);
        QCOMPARE(all.first().id, third); // newest first
        const QList<HistoryEntry> a = h.list(QStringLiteral("a.example"));
        QCOMPARE(a.size(), 2);
        QCOMPARE(a.at(0).id, third);
        QCOMPARE(a.at(1).id, first);
        QCOMPARE(a.at(1).hops, 7);
        QVERIFY(a.at(1).reached);
        QCOMPARE(a.at(1).startedAt, traceAt(QString(), 10).meta.startedAt);
        const QDateTime from = traceAt(QString(), 15).meta.startedAt;
        QCOMPARE(h.list({}, from).size(), 2);
        QCOMPARE(h.list({}, {}, from).size(), 1);

        const TraceFileReadResult got = h.get(second);
        QVERIFY2(got.ok(), qPrintable(got.message));
        QCOMPARE(serializeTraceFile(got.file), serializeTraceFile(traceAt(QStringLiteral("b.example"), 20)));

        QVERIFY(h.remove(second));
        QCOMPARE(h.count(), 2);
        QVERIFY(!h.remove(second));
        QCOMPARE(int(h.error()), int(HistoryError::NotFound));
        QCOMPARE(toString(h.get(second).error), toString(TraceFileError::CannotOpen));
    }

    void canBeTurnedOff()
    {
        QTemporaryDir dir;
        HistorySettings s;
        s.enabled = false;
        s.path = dir.filePath(QStringLiteral("history.sqlite"));
        TraceHistory h(s);
        QCOMPARE(h.add(fixture::sample()), -1);
        QCOMPARE(int(h.error()), int(HistoryError::Disabled));
        QVERIFY(!QFile::exists(s.path));
    }

    void boundedByCountOldestFirst()
    {
        QTemporaryDir dir;
        HistorySettings s;
        s.path = dir.filePath(QStringLiteral("history.sqlite"));
        s.maxEntries = 5;
        TraceHistory h(s);
        // Stored out of time order: the bound drops by start time, not by insertion.
        for (int minutes : {50, 10, 80, 20, 70, 30, 60, 40})
            QVERIFY(h.add(traceAt(QStringLiteral("t.example"), minutes)) > 0);
        QCOMPARE(h.count(), 5);
        QList<QDateTime> kept;
        for (const HistoryEntry &e : h.list())
            kept << e.startedAt;
        QCOMPARE(kept.last(), traceAt(QString(), 40).meta.startedAt);
        QCOMPARE(kept.first(), traceAt(QString(), 80).meta.startedAt);
    }

    void boundedBySize()
    {
        QTemporaryDir dir;
        HistorySettings s;
        s.path = dir.filePath(QStringLiteral("history.sqlite"));
        s.maxBytes = 256 * 1024;
        TraceHistory h(s);
        for (int i = 0; i < 150; ++i) {
            TraceFile f = traceAt(QStringLiteral("t.example"), i);
            bloat(&f, 6);
            QVERIFY2(h.add(f) > 0, qPrintable(h.errorMessage()));
            QVERIFY2(h.fileSize() <= s.maxBytes, qPrintable(QString::number(h.fileSize())));
        }
        const int kept = h.count();
        QVERIFY2(kept > 10 && kept < 150, qPrintable(QString::number(kept)));
        QCOMPARE(h.list().first().startedAt, traceAt(QString(), 149).meta.startedAt); // newest kept
    }

    void refusesATraceLargerThanTheBound()
    {
        QTemporaryDir dir;
        HistorySettings s;
        s.path = dir.filePath(QStringLiteral("history.sqlite"));
        s.maxBytes = 16 * 1024;
        TraceHistory h(s);
        TraceFile f = fixture::sample();
        bloat(&f, 100);
        QCOMPARE(h.add(f), -1);
        QCOMPARE(int(h.error()), int(HistoryError::TooLarge));
    }

    void damagedDatabaseIsMovedAside()
    {
        QTemporaryDir dir;
        HistorySettings s;
        s.path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            QFile f(s.path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray("SQLite format 3\0", 16) + QByteArray(8192, '\x5a'));
        }
        TraceHistory h(s);
        QVERIFY2(h.add(fixture::sample()) > 0, qPrintable(h.errorMessage()));
        QVERIFY2(h.warning().contains(QStringLiteral("moved to")), qPrintable(h.warning()));
        const QStringList aside = QDir(dir.path()).entryList({QStringLiteral("history.sqlite.damaged-*")});
        QCOMPARE(aside.size(), 1);
        QCOMPARE(QFileInfo(dir.filePath(aside.first())).size(), 16 + 8192); // kept as it was
        QCOMPARE(h.count(), 1);
    }

    void tenThousandTracesListThroughAnIndex()
    {
        QTemporaryDir dir;
        HistorySettings s;
        s.path = dir.filePath(QStringLiteral("history.sqlite"));
        s.maxEntries = 20000;
        s.maxBytes = 32LL * 1024 * 1024;
        TraceHistory h(s);
        QElapsedTimer timer;
        timer.start();
        for (int batch = 0; batch < 10; ++batch) {
            QList<TraceFile> files;
            for (int i = batch * 1000; i < (batch + 1) * 1000; ++i)
                files << smallTrace(i);
            QVERIFY2(h.addAll(files).size() == 1000, qPrintable(h.errorMessage()));
        }
        const qint64 fillMs = timer.elapsed();
        QCOMPARE(h.count(), 10000);
        QVERIFY(h.fileSize() <= s.maxBytes);

        timer.restart();
        const QList<HistoryEntry> newest = h.list({}, {}, {}, 100);
        const QList<HistoryEntry> one = h.list(QStringLiteral("target-7.example"), {}, {}, 100);
        qInfo("10,000 traces: stored in %lld ms, two listings in %lld ms, %lld KB", fillMs, timer.elapsed(),
              h.fileSize() / 1024);
        QCOMPARE(newest.size(), 100);
        QCOMPARE(newest.first().startedAt, smallTrace(9999).meta.startedAt);
        QCOMPARE(one.size(), 100);
        QCOMPARE(one.first().target, QStringLiteral("target-7.example"));

        // Both listings walk an index in order: no table scan, no sort of all rows.
        for (const QString &target : {QString(), QStringLiteral("target-7.example")}) {
            const QString plan = h.listQueryPlan(target);
            QVERIFY2(plan.contains(QStringLiteral("USING INDEX")) ||
                         plan.contains(QStringLiteral("USING COVERING INDEX")),
                     qPrintable(plan));
            QVERIFY2(!plan.contains(QStringLiteral("TEMP B-TREE")), qPrintable(plan));
        }
    }
};

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
