// The watch chart's cost per update: 30 hops x 3,600 one-second points (an hour at full
// resolution), one new round per update, the whole chart redrawn into an image the size of
// the chart pane (1200 x 300). Measures tracemap's own painter (ui/watchchart.h) and, when
// built with Qt Charts (Debian qt6-charts-dev), the same data in a QChart of 30 QLineSeries
// rendered through its QGraphicsScene with the software raster engine, as the app renders.
// Not a test: prints the numbers (CPU ms per update: median, 95th percentile, mean; wall mean).
//
//   chart_bench [UPDATES=120] [HOPS=30] [POINTS=3600] [both|own|own-full|qtcharts]
// own-full: tracemap's chart with its columns walked afresh every update (no cache).
#include "watchchart.h"
#include "watchstats.h"

#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QRandomGenerator>

#ifdef TRACEMAP_HAVE_QTCHARTS
#include <QApplication>
#include <QChart>
#include <QGraphicsScene>
#include <QLineSeries>
#include <QValueAxis>
#else
#include <QGuiApplication>
#endif

#include <algorithm>
#include <cstdio>
#include <functional>
#include <time.h>

using namespace tracemap;

namespace {

constexpr qint64 kStartMs = 1'700'000'000'000;
const QSize kSize(1200, 300);

// A path's RTTs: hop h around 5 + 2.5 h ms with jitter, one probe in a hundred lost.
double rttOf(int hop, QRandomGenerator &random)
{
    if (random.bounded(100) == 0)
        return -1;
    return 5 + 2.5 * hop + random.bounded(4.0);
}

struct Result
{
    double median = 0, p95 = 0, mean = 0, wallMean = 0;
};

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// CPU time of this thread per update (the machine may be shared: wall time would count the
// other processes' turns), and the wall-clock mean beside it.
Result measure(int updates, const std::function<void(int)> &update)
{
    QList<double> ms;
    QElapsedTimer wall;
    wall.start();
    for (int i = 0; i < updates; ++i) {
        const double before = threadCpuMs();
        update(i);
        ms << threadCpuMs() - before;
    }
    Result r;
    r.wallMean = double(wall.nsecsElapsed()) / 1e6 / updates;
    std::sort(ms.begin(), ms.end());
    r.median = ms.at(ms.size() / 2);
    r.p95 = ms.at(std::min<qsizetype>(ms.size() - 1, qsizetype(ms.size() * 0.95)));
    for (double v : ms)
        r.mean += v / double(ms.size());
    return r;
}

void print(const char *name, const Result &r, int hops, int points)
{
    std::printf("{\"chart\":\"%s\",\"hops\":%d,\"points\":%d,\"size\":\"%dx%d\",\"cpu_median_ms\":%.2f,"
                "\"cpu_p95_ms\":%.2f,\"cpu_mean_ms\":%.2f,\"wall_mean_ms\":%.2f}\n",
                name, hops, points, kSize.width(), kSize.height(), r.median, r.p95, r.mean, r.wallMean);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    const int updates = argc > 1 ? std::max(1, std::atoi(argv[1])) : 120;
    const int hops = argc > 2 ? std::max(1, std::atoi(argv[2])) : 30;
    const int points = argc > 3 ? std::max(2, std::atoi(argv[3])) : 3600;
    const QByteArray which = argc > 4 ? QByteArray(argv[4]) : QByteArray("both");
#ifdef TRACEMAP_HAVE_QTCHARTS
    QApplication app(argc, argv); // QChart is a QGraphicsWidget
#else
    QGuiApplication app(argc, argv);
#endif

    // tracemap's painter over the real statistics, an hour kept at full resolution.
    if (which != "qtcharts") {
        WatchStatsLimits limits;
        limits.fullResolutionMs = qint64(points + updates + 10) * 1000;
        WatchStats stats(limits);
        QRandomGenerator random(7);
        const QHostAddress responder(QStringLiteral("192.0.2.1"));
        auto addRound = [&](int round) {
            for (int h = 1; h <= hops; ++h)
                stats.addProbe(h, kStartMs + qint64(round) * 1000, responder, rttOf(h, random));
        };
        for (int round = 0; round < points; ++round)
            addRound(round);
        QImage image(kSize, QImage::Format_ARGB32_Premultiplied);
        WatchChartMemory memory; // kept between updates as the chart item keeps it
        const bool fresh = which == "own-full";
        WatchChartView view;
        for (int h = 1; h <= hops; ++h)
            view.ttls << h;
        const Result r = measure(updates, [&](int i) {
            const int round = points + i;
            addRound(round);
            view.toMs = kStartMs + qint64(round) * 1000;
            view.fromMs = view.toMs - qint64(points - 1) * 1000;
            if (fresh)
                memory.columns.clear();
            QPainter painter(&image);
            paintWatchChart(&painter, QSizeF(kSize), stats, view, &memory);
        });
        print(fresh ? "tracemap WatchChart, columns walked afresh" : "tracemap WatchChart", r, hops, points);
    }

#ifdef TRACEMAP_HAVE_QTCHARTS
    // Qt Charts: the same points (a loss drawn at 0 ms), the oldest dropped and the newest
    // appended per update.
    if (which != "own" && which != "own-full") {
        QRandomGenerator random(7);
        QChart chart;
        chart.legend()->hide();
        chart.setAnimationOptions(QChart::NoAnimation);
        auto *x = new QValueAxis;
        auto *y = new QValueAxis;
        chart.addAxis(x, Qt::AlignBottom);
        chart.addAxis(y, Qt::AlignLeft);
        y->setRange(0, 5 + 2.5 * hops + 4);
        QList<QLineSeries *> series;
        QList<QList<QPointF>> data(hops);
        for (int h = 1; h <= hops; ++h) {
            auto *s = new QLineSeries;
            chart.addSeries(s);
            s->attachAxis(x);
            s->attachAxis(y);
            series << s;
            for (int round = 0; round < points; ++round) {
                const double rtt = rttOf(h, random);
                data[h - 1] << QPointF(round, std::max(0.0, rtt));
            }
            s->replace(data[h - 1]);
        }
        QGraphicsScene scene;
        scene.addItem(&chart);
        chart.setGeometry(QRectF(QPointF(0, 0), QSizeF(kSize)));
        QImage image(kSize, QImage::Format_ARGB32_Premultiplied);
        const Result r = measure(updates, [&](int i) {
            const int round = points + i;
            for (int h = 1; h <= hops; ++h) {
                QList<QPointF> &d = data[h - 1];
                d.removeFirst();
                const double rtt = rttOf(h, random);
                d << QPointF(round, std::max(0.0, rtt));
                series[h - 1]->replace(d);
            }
            x->setRange(round - points + 1, round);
            image.fill(Qt::white);
            QPainter painter(&image);
            scene.render(&painter, QRectF(), QRectF(QPointF(0, 0), QSizeF(kSize)));
        });
        print("Qt Charts QChart/QLineSeries", r, hops, points);
        scene.removeItem(&chart);
    }
#else
    std::printf("{\"chart\":\"Qt Charts\",\"skipped\":\"built without qt6-charts-dev\"}\n");
#endif
    return 0;
}
