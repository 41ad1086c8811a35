// Watch statistics at accelerated time: HOURS of one-second rounds on a HOPS-hop path fed
// through WatchStats and PathChangeDetector exactly as WatchSession::record feeds them, then
// the whole-watch and last-10-minutes summaries. No network, no clock but the stepped one.
//
//   watch_bench [HOURS=24] [HOPS=30]
//
// Prints one JSON line: rounds, probes, CPU and wall seconds, resident memory before and
// after (from /proc/self/statm, so allocator slack counts) and the bytes the containers hold.
//
// Built a second time as watch_model_bench (TRACEMAP_WATCH_MODEL): after every round the
// desktop app's watch table is rebuilt from the statistics as WatchController does
// (watchHopRows + WatchHopModel::setRows), so the memory the desktop app adds is measured too.
#include "pathchanges.h"
#include "watchstats.h"
#ifdef TRACEMAP_WATCH_MODEL
#include "watchhopmodel.h"
#endif

#include <QHostAddress>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <unistd.h>

using namespace tracemap;

namespace {

long long residentBytes()
{
    long long pages = 0;
    long long resident = 0;
    if (FILE *f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%lld %lld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return resident * sysconf(_SC_PAGESIZE);
}

double seconds(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}
double cpuSeconds()
{
    return seconds(CLOCK_PROCESS_CPUTIME_ID);
}

} // namespace

int main(int argc, char **argv)
{
    const int hours = argc > 1 ? std::atoi(argv[1]) : 24;
    const int hopCount = argc > 2 ? std::atoi(argv[2]) : 30;
    if (hours < 1 || hours > 24 * 365 || hopCount < 1 || hopCount > 255) {
        std::fprintf(stderr, "usage: watch_bench [HOURS 1-8760] [HOPS 1-255]\n");
        return 2;
    }
    const long long rssBefore = residentBytes();
    const double cpuBefore = cpuSeconds();
    const double wallBefore = seconds(CLOCK_MONOTONIC); // the machine may be shared: CPU and wall

    WatchStats stats;
    PathChangeDetector paths;
#ifdef TRACEMAP_WATCH_MODEL
    WatchHopModel model;
#endif
    TraceResult round;
    for (int ttl = 1; ttl <= hopCount; ++ttl) {
        Hop h;
        h.ttl = ttl;
        h.probesSent = 1;
        h.complete = true;
        h.replies.append(ProbeReply{});
        round.hops.append(h);
    }
    const QHostAddress balancedA(QStringLiteral("198.18.200.1"));
    const QHostAddress balancedB(QStringLiteral("198.18.200.2"));
    const qint64 rounds = qint64(hours) * 3600;
    long long probes = 0;
    for (qint64 t = 0; t < rounds; ++t) {
        for (Hop &h : round.hops) {
            ProbeReply &r = h.replies.first();
            r.query = 1;
            if ((t * 7 + h.ttl) % 37 == 0) { // 2.7 % loss, spread over hops and time
                r = ProbeReply{};
                r.query = 1;
            } else {
                r.kind = ReplyKind::TimeExceeded;
                // One hop behind a per-packet balancer: two responders alternating.
                r.responder = h.ttl == hopCount / 2 ? ((t % 2) ? balancedA : balancedB)
                                                    : QHostAddress(quint32(0xC6120001u + (h.ttl << 8)));
                r.rttMs = 5.0 + 2.5 * h.ttl + double((t * 13 + h.ttl * 7) % 50) / 10.0;
            }
            stats.addHop(t * 1000, h);
            ++probes;
        }
        paths.addRound(t * 1000, round);
#ifdef TRACEMAP_WATCH_MODEL
        model.setRows(watchHopRows(stats, paths, 0, 0, -1, [](const QHostAddress &a) {
            GeoResult g;
            g.address = a;
            return g;
        }));
#endif
    }
    stats.setPathLength(hopCount);
    const QList<HopSummary> whole = stats.total();
    const QList<HopSummary> recent = stats.window((rounds - 600) * 1000, rounds * 1000);
    const double cpu = cpuSeconds() - cpuBefore;
    const double wall = seconds(CLOCK_MONOTONIC) - wallBefore;
    const long long rssAfter = residentBytes();
    std::printf("{\"hours\": %d, \"hops\": %d, \"rounds\": %lld, \"probes\": %lld, \"cpu_s\": %.3f, "
                "\"wall_s\": %.3f, "
                "\"rss_before\": %lld, \"rss_after\": %lld, \"rss_added\": %lld, \"container_bytes\": %lld, "
                "\"summaries\": %lld, \"load_balanced_hop\": %s, \"path_changes\": %lld}\n",
                hours, hopCount, (long long)rounds, probes, cpu, wall, rssBefore, rssAfter,
                rssAfter - rssBefore, (long long)stats.approximateBytes(),
                (long long)(whole.size() + recent.size()),
                paths.loadBalanced(hopCount / 2) ? "true" : "false", (long long)paths.changes().size());
#ifdef TRACEMAP_WATCH_MODEL
    std::printf("{\"watch_model_rows\": %d}\n", model.count());
#endif
    return 0;
}
