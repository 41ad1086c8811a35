// Geolocation benchmark: lookups per second through the MMDB provider alone and through the
// whole GeoService chain (cold, warm persistent cache, warm in-memory), and the memory the
// installed DB-IP City Lite costs once opened (memory-mapped: anonymous memory should barely
// move; touched file pages show up as RssFile, shared with the page cache, not copied).
// Then the hostname hints: the time and memory of loading the place dictionary (GeoNames
// gazetteer, airports, operator rules), hint look-ups per second on the real router names of
// tests/data/router-names.tsv, and the chain again with those names as the hops' host names.
// First of all, two services sharing the process's one place dictionary.
//
//   geo_bench [--lookups N] [--chain-lookups M] [--db FILE]... [--hints-only]
//             (default: the installed DB-IP files; without them only the hint part runs)
//
// Offline only: no reverse DNS, no AS lookups, no online provider; nothing leaves the machine.

#include "geoservice.h"
#include "hostnamehints.h"
#include "mmdbprovider.h"
#include "specialranges.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace tracemap;

namespace {

struct Memory
{
    qint64 rssKb = 0, anonKb = 0, fileKb = 0;
};

Memory memoryNow()
{
    Memory m;
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return m;
    for (const QByteArray &line : status.readAll().split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() < 2)
            continue;
        if (parts[0] == "VmRSS:")
            m.rssKb = parts[1].toLongLong();
        else if (parts[0] == "RssAnon:")
            m.anonKb = parts[1].toLongLong();
        else if (parts[0] == "RssFile:")
            m.fileKb = parts[1].toLongLong();
    }
    return m;
}

void printMemory(const char *label, const Memory &m)
{
    std::printf("  %-34s VmRSS %7.1f MB  RssAnon %7.1f MB  RssFile %7.1f MB\n", label, m.rssKb / 1024.0,
                m.anonKb / 1024.0, m.fileKb / 1024.0);
}

QList<QHostAddress> publicAddresses(int count, quint32 seed)
{
    QRandomGenerator random(seed);
    QList<QHostAddress> out;
    QSet<quint32> seen;
    while (out.size() < count) {
        const quint32 v4 = random.generate();
        if (seen.contains(v4))
            continue;
        const QHostAddress address(v4);
        if (classifySpecialAddress(address))
            continue;
        seen.insert(v4);
        out << address;
    }
    return out;
}

QStringList routerNames()
{
    QStringList names;
    QFile file(QStringLiteral(TRACEMAP_SOURCE_DIR "/tests/data/router-names.tsv"));
    if (!file.open(QIODevice::ReadOnly))
        return names;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty() && !line.startsWith('#'))
            names << QString::fromUtf8(line.left(line.indexOf('\t')));
    }
    return names;
}

// Loading the dictionaries, and hint look-ups on real router names.
void benchHints(int lookups)
{
    std::printf("\nhostname hints:\n");
    const Memory before = memoryNow();
    QElapsedTimer timer;
    timer.start();
    const auto places = PlaceDictionary::loadBuiltin();
    const double loadMs = timer.nsecsElapsed() / 1e6;
    const Memory loaded = memoryNow();
    timer.start();
    const HostnameHintProvider hints(places, OperatorRules::loadBuiltin()); // a load of its own, timed
    const double rulesMs = timer.nsecsElapsed() / 1e6;
    const Memory withRules = memoryNow();
    std::printf("  place dictionary: %d entries loaded in %.1f ms; operator rules in %.1f ms\n",
                places->size(), loadMs, rulesMs);
    printMemory("before loading", before);
    printMemory("after the place dictionary", loaded);
    printMemory("after the operator rules", withRules);
    const QStringList names = routerNames();
    if (names.isEmpty()) {
        std::printf("  (tests/data/router-names.tsv not found)\n");
        return;
    }
    int located = 0;
    timer.start();
    for (int i = 0; i < lookups; ++i)
        located += hints.hintFor(names.at(i % names.size())).status == GeoStatus::Located;
    const double seconds = timer.nsecsElapsed() / 1e9;
    std::printf("  %d hint look-ups over %lld real names in %.2f s = %.0f look-ups/s (%.1f us each, %.1f %% "
                "placed)\n",
                lookups, qlonglong(names.size()), seconds, lookups / seconds, seconds * 1e6 / lookups,
                100.0 * located / lookups);
    printMemory("after the look-ups", memoryNow());
}

// Locates every address through `service` and waits for all answers; returns seconds.
double runChain(GeoService &service, const QList<QHostAddress> &addresses, int *located,
                const QStringList &hostnames = {})
{
    int answers = 0;
    int placed = 0;
    QEventLoop loop;
    const auto connection = QObject::connect(&service, &GeoService::located, &loop, [&](const GeoResult &r) {
        ++answers;
        if (r.status == GeoStatus::Located)
            ++placed;
        if (answers == addresses.size())
            loop.quit();
    });
    QElapsedTimer timer;
    timer.start();
    for (qsizetype i = 0; i < addresses.size(); ++i) {
        GeoQuery query;
        query.address = addresses.at(i);
        query.hostnameKnown = true; // no reverse DNS in a benchmark
        if (!hostnames.isEmpty())
            query.hostname = hostnames.at(i % hostnames.size());
        service.locate(query);
    }
    if (answers < addresses.size()) {
        QTimer::singleShot(120000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    const double seconds = timer.nsecsElapsed() / 1e9;
    QObject::disconnect(connection);
    if (answers < addresses.size())
        std::printf("  (only %d of %lld answers arrived)\n", answers, qlonglong(addresses.size()));
    *located = placed;
    return seconds;
}

// Two services in one process share one place dictionary (PlaceDictionary::sharedBuiltin()):
// the first pays the load, the second nothing. Runs before anything else has loaded it.
void benchSharedPlaces()
{
    std::printf("\ntwo GeoServices, one shared place dictionary:\n");
    GeoSettings settings;
    settings.offline = true;
    settings.cachePath = QStringLiteral("-");
    settings.reverseDns = false;
    settings.asLookups = false;
    settings.databasePaths = {QStringLiteral("/nonexistent/no-database.mmdb")}; // hints only
    const QList<QHostAddress> one = publicAddresses(1, 7);
    const QStringList name{QStringLiteral("ae-1.r21.frnkge13.de.bb.gin.ntt.net")};
    int located = 0;
    const Memory before = memoryNow();
    QElapsedTimer timer;
    timer.start();
    GeoService first(settings);
    runChain(first, one, &located, name);
    const double firstMs = timer.nsecsElapsed() / 1e6;
    const Memory afterFirst = memoryNow();
    timer.start();
    GeoService second(settings);
    runChain(second, one, &located, name);
    const double secondMs = timer.nsecsElapsed() / 1e6;
    const Memory afterSecond = memoryNow();
    printMemory("before the services", before);
    printMemory("after the first (loads it)", afterFirst);
    printMemory("after the second (shares it)", afterSecond);
    std::printf("  first service's first lookup %.1f ms, second's %.1f ms; same dictionary: %s;\n"
                "  anonymous memory: first +%.1f MB, second +%.1f MB\n",
                firstMs, secondMs, first.placeDictionary() == second.placeDictionary() ? "yes" : "no",
                (afterFirst.anonKb - before.anonKb) / 1024.0,
                (afterSecond.anonKb - afterFirst.anonKb) / 1024.0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int lookups = 1000000;
    int chainLookups = 20000;
    bool hintsOnly = false;
    QStringList paths;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--lookups") && i + 1 < args.size())
            lookups = args[++i].toInt();
        else if (args[i] == QLatin1String("--chain-lookups") && i + 1 < args.size())
            chainLookups = args[++i].toInt();
        else if (args[i] == QLatin1String("--db") && i + 1 < args.size())
            paths << args[++i];
        else if (args[i] == QLatin1String("--hints-only"))
            hintsOnly = true;
        else {
            std::fprintf(
                stderr, "usage: geo_bench [--lookups N] [--chain-lookups M] [--db FILE]... [--hints-only]\n");
            return 2;
        }
    }
    if (paths.isEmpty())
        paths = defaultDatabasePaths();
    benchSharedPlaces();
    if (hintsOnly || paths.isEmpty()) {
        if (paths.isEmpty())
            std::printf("no IP database installed (scripts/fetch-data.sh) and no --db: hint part only\n");
        benchHints(std::min(lookups, 200000));
        return 0;
    }
    qint64 fileBytes = 0;
    for (const QString &path : paths)
        fileBytes += QFileInfo(path).size();

    const QList<QHostAddress> addresses = publicAddresses(lookups, 20261127);
    std::printf("databases: %s (%.1f MB on disk)\n", qPrintable(paths.join(QStringLiteral(", "))),
                fileBytes / 1048576.0);

    // --- memory and MMDB-only throughput ---
    const Memory before = memoryNow();
    double mmdbRate = 0;
    {
        MmdbProvider provider(paths);
        if (!provider.isLoaded()) {
            std::fprintf(stderr, "geo_bench: %s\n",
                         qPrintable(provider.loadErrors().join(QStringLiteral("; "))));
            return 1;
        }
        const Memory opened = memoryNow();
        std::printf("build: %s\n\nmemory:\n", qPrintable(provider.buildDescription()));
        printMemory("before opening", before);
        printMemory("after opening", opened);
        int found = 0;
        QElapsedTimer timer;
        timer.start();
        for (const QHostAddress &address : addresses)
            found += provider.lookupNow(address).status == GeoStatus::Located;
        const double seconds = timer.nsecsElapsed() / 1e9;
        mmdbRate = addresses.size() / seconds;
        const Memory after = memoryNow();
        printMemory(qPrintable(QStringLiteral("after %1 lookups").arg(addresses.size())), after);
        std::printf("  anonymous memory added by the open database: %.1f MB (files: %.1f MB)\n\n",
                    (after.anonKb - before.anonKb) / 1024.0, fileBytes / 1048576.0);
        std::printf("MMDB only: %lld lookups in %.2f s = %.0f lookups/s (%.1f %% located)\n",
                    qlonglong(addresses.size()), seconds, mmdbRate, 100.0 * found / addresses.size());
    }

    // --- the whole chain ---
    QTemporaryDir dir;
    GeoSettings settings;
    settings.offline = true;
    settings.databasePaths = paths;
    settings.cachePath = dir.filePath(QStringLiteral("geo-cache.sqlite"));
    settings.reverseDns = false;
    settings.asLookups = false;
    const QList<QHostAddress> chainAddresses = addresses.mid(0, chainLookups);
    int located = 0;
    {
        GeoService cold(settings);
        const double s = runChain(cold, chainAddresses, &located);
        std::printf("chain, empty cache (MMDB answers, cache writes): %lld in %.2f s = %.0f lookups/s\n",
                    qlonglong(chainAddresses.size()), s, chainAddresses.size() / s);
    }
    {
        GeoService warm(settings);
        double s = runChain(warm, chainAddresses, &located);
        std::printf("chain, warm persistent cache (new service):      %lld in %.2f s = %.0f lookups/s\n",
                    qlonglong(chainAddresses.size()), s, chainAddresses.size() / s);
        s = runChain(warm, chainAddresses, &located);
        std::printf("chain, warm in-memory (same service again):      %lld in %.2f s = %.0f lookups/s\n",
                    qlonglong(chainAddresses.size()), s, chainAddresses.size() / s);
    }
    // The same chain with the real router names as the hops' host names (hints consulted).
    const QStringList names = routerNames();
    if (!names.isEmpty()) {
        QTemporaryDir hintDir;
        settings.cachePath = hintDir.filePath(QStringLiteral("geo-cache.sqlite"));
        GeoService cold(settings);
        double s = runChain(cold, chainAddresses, &located, names);
        std::printf("chain with host names, empty cache:               %lld in %.2f s = %.0f lookups/s\n",
                    qlonglong(chainAddresses.size()), s, chainAddresses.size() / s);
        GeoService warm(settings);
        s = runChain(warm, chainAddresses, &located, names);
        std::printf("chain with host names, warm persistent cache:     %lld in %.2f s = %.0f lookups/s\n",
                    qlonglong(chainAddresses.size()), s, chainAddresses.size() / s);
    }
    printMemory("at the end", memoryNow());
    benchHints(std::min(lookups, 200000));
    return 0;
}
