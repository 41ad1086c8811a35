// Vantage-point benchmark: a RIPE Atlas measurement of N probes (default 100) with 16 hops of 3
// answers each: the time to parse the results document and turn it into routes, the time to
// locate every distinct hop address offline through one GeoService, and the memory added.
//
//   atlas_bench [--probes N] [--db FILE]... [--write FILE]   (--write keeps the generated document,
//                                                              e.g. to time `tracemap-cli atlas show`)
//
// Offline only: no reverse DNS, no AS lookups, no online provider; nothing leaves the machine.

#include "atlasresult.h"
#include "geoservice.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

#include <cstdio>

using namespace tracemap;

namespace {

qint64 rssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() >= 2 && parts[0] == "VmRSS:")
            return parts[1].toLongLong();
    }
    return 0;
}

// A results download in the current firmware's shape; routers are shared between probes the way
// real paths converge near the target.
QByteArray measurement(int probes)
{
    QRandomGenerator rng(15);
    auto address = [&](int pool) {
        return QStringLiteral("%1.%2.%3.%4")
            .arg(pool)
            .arg(rng.bounded(256))
            .arg(rng.bounded(256))
            .arg(1 + rng.bounded(254));
    };
    QList<QString> core;
    for (int i = 0; i < 40; ++i)
        core << address(62 + i % 30);
    QJsonArray results;
    for (int p = 0; p < probes; ++p) {
        QJsonArray hops;
        for (int ttl = 1; ttl <= 16; ++ttl) {
            const QString from = ttl == 16  ? QStringLiteral("193.0.14.129")
                                 : ttl > 10 ? core.at(rng.bounded(int(core.size())))
                                            : address(80 + p % 40);
            QJsonArray replies;
            for (int q = 0; q < 3; ++q) {
                if (rng.bounded(20) == 0)
                    replies.append(QJsonObject{{QStringLiteral("x"), QStringLiteral("*")}});
                else
                    replies.append(
                        QJsonObject{{QStringLiteral("from"), from},
                                    {QStringLiteral("rtt"), 1.0 + ttl * 3.1 + rng.bounded(100) / 37.0},
                                    {QStringLiteral("size"), 28},
                                    {QStringLiteral("ttl"), 255 - ttl}});
            }
            hops.append(QJsonObject{{QStringLiteral("hop"), ttl}, {QStringLiteral("result"), replies}});
        }
        results.append(QJsonObject{{QStringLiteral("fw"), 5080},
                                   {QStringLiteral("af"), 4},
                                   {QStringLiteral("dst_addr"), QStringLiteral("193.0.14.129")},
                                   {QStringLiteral("dst_name"), QStringLiteral("k.root-servers.net")},
                                   {QStringLiteral("from"), address(90)},
                                   {QStringLiteral("src_addr"), QStringLiteral("192.168.1.10")},
                                   {QStringLiteral("msm_id"), 5001},
                                   {QStringLiteral("prb_id"), 1000 + p},
                                   {QStringLiteral("proto"), QStringLiteral("ICMP")},
                                   {QStringLiteral("paris_id"), 1 + p % 16},
                                   {QStringLiteral("timestamp"), 1700000000 + p},
                                   {QStringLiteral("endtime"), 1700000010 + p},
                                   {QStringLiteral("type"), QStringLiteral("traceroute")},
                                   {QStringLiteral("result"), hops}});
    }
    return QJsonDocument(results).toJson(QJsonDocument::Compact);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int probes = 100;
    GeoSettings settings;
    settings.offline = true;
    settings.reverseDns = false;
    settings.asLookups = false;
    settings.cachePath = QStringLiteral("-");
    QString writeTo;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args.at(i) == QLatin1String("--probes"))
            probes = std::max(1, args.at(i + 1).toInt());
        else if (args.at(i) == QLatin1String("--db"))
            settings.databasePaths << args.at(i + 1);
        else if (args.at(i) == QLatin1String("--write"))
            writeTo = args.at(i + 1);
    }
    const QByteArray document = measurement(probes);
    if (!writeTo.isEmpty()) {
        QFile out(writeTo);
        if (out.open(QIODevice::WriteOnly))
            out.write(document);
    }
    const qint64 rssBefore = rssKb();

    QElapsedTimer timer;
    timer.start();
    const AtlasParseOutcome parsed = parseAtlasResults(document);
    QList<VantageTrace> routes;
    for (const AtlasResult &r : parsed.results)
        routes << toVantageTrace(r);
    const double parseMs = timer.nsecsElapsed() / 1e6;
    if (!parsed.ok()) {
        std::fprintf(stderr, "atlas_bench: %s\n", qPrintable(parsed.message));
        return 1;
    }

    QSet<QHostAddress> distinct;
    for (const VantageTrace &v : routes) {
        for (const Hop &h : v.trace.hops) {
            for (const QHostAddress &a : h.responders())
                distinct.insert(a);
        }
    }
    GeoService service(settings);
    int answers = 0;
    int located = 0;
    QEventLoop loop;
    QObject::connect(&service, &GeoService::located, &loop, [&](const GeoResult &r) {
        ++answers;
        located += r.status == GeoStatus::Located;
        if (answers == distinct.size())
            loop.quit();
    });
    timer.restart();
    for (const QHostAddress &a : std::as_const(distinct)) {
        GeoQuery q;
        q.address = a;
        q.hostnameKnown = true;
        service.locate(q);
    }
    if (answers < distinct.size()) {
        QTimer::singleShot(60000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    const double locateMs = timer.nsecsElapsed() / 1e6;
    const qint64 rssAfter = rssKb();

    std::printf("atlas_bench: %d probes, %lld bytes of results, %lld hops\n", probes,
                qlonglong(document.size()), qlonglong(routes.size() * 16));
    std::printf("  parse + routes:          %8.1f ms\n", parseMs);
    std::printf("  locate %4lld addresses:   %8.1f ms (%d located; databases: %s)\n",
                qlonglong(distinct.size()), locateMs, located,
                settings.databasePaths.isEmpty() ? "installed"
                                                 : qPrintable(settings.databasePaths.join(QLatin1Char(','))));
    std::printf("  memory added (RSS):      %8.1f MB\n", (rssAfter - rssBefore) / 1024.0);
    return 0;
}
