// Watch-mode statistics, the columns mtr and Trippy users know (docs/watch.md defines them):
// per hop and per responder of a hop, over the whole watch and over any time window.
//
// Contract: pure and single-threaded; no clock is read here, every sample carries its time
// (ms since the epoch, non-decreasing per series). Memory is bounded whatever the duration:
// a series keeps its recent samples at full resolution and folds older ones into per-minute
// aggregates, those older than a day into per-hour aggregates, and those older than the
// hour tier's capacity into one "earlier" aggregate. Whole-watch totals stay exact.
#pragma once

#include "tracetypes.h"

#include <QHostAddress>
#include <QList>
#include <QMap>

#include <deque>
#include <optional>
#include <vector>

namespace tracemap {

// The running statistics of a sequence of probes. O(1) memory; two summaries of
// consecutive stretches merge exactly (count, loss, best/worst, mean and Welford's M2,
// geometric mean, jitter sum and maximum); the sequential values (last RTT, last jitter,
// RFC 3550 interarrival jitter) are taken from the later stretch.
struct RttSummary
{
    int sent = 0;
    int received = 0;
    int jitterCount = 0; // replies that had a previous reply to compare with
    float lastMs = -1;
    float bestMs = -1;
    float worstMs = -1;
    float jitterMs = -1;             // |RTT - previous RTT| of the last reply; -1 before the second
    float jitterMaxMs = -1;          // -1 before the second reply
    float jitterInterarrivalMs = -1; // RFC 3550 J after the last reply; -1 before the second
    double meanMs = 0;               // Welford
    double m2 = 0;                   // Welford: sum of squared deviations from the mean
    double logSum = 0;               // sum of ln(RTT) for the geometric mean
    double jitterSumMs = 0;

    // One probe: rttMs < 0 is a loss. jitterMs/jintMs (< 0: none) are computed by the caller,
    // which knows the previous reply.
    void add(double rttMs, double jitterMs, double jintMs);
    // Appends a later stretch.
    void merge(const RttSummary &later);

    double lossPercent() const { return sent > 0 ? 100.0 * (sent - received) / sent : 0.0; }
    double avgMs() const { return received > 0 ? meanMs : -1; }
    // Sample standard deviation (n - 1), as mtr prints it; 0 for a single reply.
    double stddevMs() const;
    double gmeanMs() const;
    double jitterAvgMs() const { return jitterCount > 0 ? jitterSumMs / jitterCount : -1; }
    friend bool operator==(const RttSummary &, const RttSummary &) = default;
};

struct WatchStatsLimits
{
    qint64 fullResolutionMs = 10 * 60 * 1000; // samples younger than this are kept one by one
    qint64 minuteMs = 60 * 1000;              // width of a tier-1 aggregate
    int minuteCapacity = 24 * 60;             // a day of minutes
    qint64 hourMs = 60 * 60 * 1000;           // width of a tier-2 aggregate
    int hourCapacity = 30 * 24;               // thirty days of hours; older ones fold into one
};

// The probes of one hop (or one responder of a hop) over time.
class RttSeries
{
public:
    struct Sample
    {
        qint64 timeMs = 0;
        float rttMs = -1; // < 0: lost
        float jitterMs = -1;
        float jitterInterarrivalMs = -1;
    };
    struct Bucket
    {
        qint64 startMs = 0;
        RttSummary summary;
    };

    explicit RttSeries(const WatchStatsLimits &limits = {}) : m_limits(limits) {}

    void add(qint64 timeMs, double rttMs);
    const RttSummary &total() const { return m_total; }
    // Probes with fromMs <= time < toMs. Aggregates count by their start time, so a window
    // reaching into aggregated history has the aggregates' granularity.
    RttSummary window(qint64 fromMs, qint64 toMs) const;

    const std::deque<Sample> &samples() const { return m_samples; }
    const std::deque<Bucket> &minutes() const { return m_minutes; }
    const std::deque<Bucket> &hours() const { return m_hours; }
    const RttSummary &earlier() const { return m_earlier; }
    // What the containers hold, in bytes (for the memory bound; excludes allocator slack).
    qint64 approximateBytes() const;

private:
    void compact(qint64 nowMs);
    static void foldInto(std::deque<Bucket> *tier, qint64 widthMs, qint64 timeMs, const RttSummary &s);

    WatchStatsLimits m_limits;
    RttSummary m_total;
    RttSummary m_earlier;
    qint64 m_earlierStartMs = 0; // start of the oldest aggregate folded into m_earlier
    std::deque<Sample> m_samples;
    std::deque<Bucket> m_minutes;
    std::deque<Bucket> m_hours;
    double m_previousRtt = -1;
    double m_jint = 0;
};

struct ResponderSummary
{
    QHostAddress address;
    RttSummary stats;        // only the replies of this responder: sent == received
    double sharePercent = 0; // of the hop's replies
};

struct HopSummary
{
    int ttl = 0;
    RttSummary stats;
    QList<ResponderSummary> responders; // most replies first
    // Loss here while a later hop answered every probe: the router limits its ICMP
    // answers; the path itself loses nothing at this hop.
    bool rateLimited = false;
};

// Statistics of a whole watch: one series per TTL and per responder of it.
class WatchStats
{
public:
    explicit WatchStats(const WatchStatsLimits &limits = {}) : m_limits(limits) {}

    // One probe's outcome: a null responder (or rttMs < 0) is a loss.
    void addProbe(int ttl, qint64 timeMs, const QHostAddress &responder, double rttMs);
    // Every resolved probe of a trace's hop, at timeMs.
    void addHop(qint64 timeMs, const Hop &hop);
    // Hops beyond this TTL are left out of summaries (the path became shorter). 0: all.
    void setPathLength(int ttl) { m_pathLength = ttl; }
    int pathLength() const;
    void reset();

    QList<HopSummary> total() const;
    QList<HopSummary> window(qint64 fromMs, qint64 toMs) const;

    // For inspection and the memory-bound test.
    const RttSeries *series(int ttl) const;
    const RttSeries *series(int ttl, const QHostAddress &responder) const;
    qint64 approximateBytes() const;

private:
    struct Responder
    {
        QHostAddress address;
        // Absent while this is the hop's only responder: its replies are then exactly the
        // hop's, and `all` serves both (half the memory on the usual, unbalanced path).
        // Materialized as a copy of `all` when a second responder appears.
        std::optional<RttSeries> own;
    };
    struct HopSeries
    {
        RttSeries all;
        QList<Responder> responders; // in order of first answer
        const RttSeries &of(const Responder &r) const { return r.own ? *r.own : all; }
    };
    template<typename Pick> QList<HopSummary> summarize(Pick pick) const;

    WatchStatsLimits m_limits;
    QMap<int, HopSeries> m_hops;
    int m_pathLength = 0;
};

// Marks hops whose loss is ICMP rate limiting (a later hop lost nothing).
void markRateLimited(QList<HopSummary> *hops);

} // namespace tracemap
