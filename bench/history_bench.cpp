// History panel benchmark: a history database with N kept traces (default 10,000; the
// 7-hop fixture trace with its places, at one-minute steps), then the History panel's model
// opened on it as the window does when the panel is shown: database opened, the newest
// HistoryModel::kListLimit rows listed, the total counted. The ListView creates delegates
// only for the rows in view, so this is the part that grows with the history.
// Prints "bench KEY VALUE" lines: fill_s, db_bytes, open_ms (first open), reopen_ms (median
// of 5 further opens), rows.
// Build: cmake --build BUILD --target history_bench; usage: history_bench [N]
#include "../tests/geo/tst_tracefile_fixture.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "historymodel.h"
#include "tracecontroller.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace tracemap;

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    const int n = argc > 1 ? std::max(1, atoi(argv[1])) : 10000;
    QTemporaryDir dir;
    HistorySettings settings;
    settings.path = dir.filePath(QStringLiteral("history.sqlite"));
    settings.maxEntries = n + 1;
    settings.maxBytes = 1024LL * 1024 * 1024;

    QElapsedTimer timer;
    timer.start();
    {
        TraceHistory history(settings);
        QList<TraceFile> batch;
        for (int i = 0; i < n; ++i) {
            TraceFile f = fixture::sample();
            f.meta.startedAt = f.meta.startedAt.addSecs(-60LL * i);
            f.trace.target = QStringLiteral("host%1.example").arg(i % 50);
            batch << f;
            if (batch.size() == 500 || i == n - 1) {
                if (history.addAll(batch).isEmpty()) {
                    fprintf(stderr, "history_bench: %s\n", qPrintable(history.errorMessage()));
                    return 1;
                }
                batch.clear();
            }
        }
        printf("bench fill_s %.1f\nbench db_bytes %lld\n", timer.elapsed() / 1000.0, history.fileSize());
    }

    std::unique_ptr<AppSettings> appSettings = AppSettings::inMemory();
    TraceController controller(appSettings.get(), nullptr);
    DocumentController documents(&controller, appSettings.get());
    QList<double> opens;
    int rows = 0;
    for (int run = 0; run < 6; ++run) {
        timer.restart();
        HistoryModel model(settings, &controller, &documents, appSettings.get());
        model.refresh();
        opens << timer.nsecsElapsed() / 1e6;
        rows = model.rowCount();
        if (model.storedCount() != n) {
            fprintf(stderr, "history_bench: %d stored, expected %d\n", model.storedCount(), n);
            return 1;
        }
    }
    QList<double> again = opens.mid(1);
    std::sort(again.begin(), again.end());
    printf("bench open_ms %.1f\nbench reopen_ms %.1f\nbench rows %d\n", opens.first(),
           again.at(again.size() / 2), rows);
    return 0;
}
