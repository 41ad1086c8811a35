#include "watchstats.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

// ln(0) is -inf: a zero RTT (below the clock's resolution) counts as one microsecond.
constexpr double kMinLogMs = 0.001;

float minPositive(float a, float b)
{
    return a < 0 ? b : (b < 0 ? a : std::min(a, b));
}

} // namespace

void RttSummary::add(double rttMs, double jitter, double jint)
{
    ++sent;
    if (rttMs < 0)
        return;
    ++received;
    const auto rtt = float(rttMs);
    lastMs = rtt;
    bestMs = minPositive(bestMs, rtt);
    worstMs = std::max(worstMs, rtt);
    const double delta = rttMs - meanMs;
    meanMs += delta / received;
    m2 += delta * (rttMs - meanMs);
    logSum += std::log(std::max(rttMs, kMinLogMs));
    if (jitter >= 0) {
        ++jitterCount;
        jitterSumMs += jitter;
        jitterMs = float(jitter);
        jitterMaxMs = std::max(jitterMaxMs, float(jitter));
        jitterInterarrivalMs = float(jint);
    }
}

void RttSummary::merge(const RttSummary &later)
{
    if (later.received > 0) {
        const int n = received + later.received;
        if (received == 0) {
            meanMs = later.meanMs;
            m2 = later.m2;
        } else {
            // Chan et al.: combining two Welford states.
            const double delta = later.meanMs - meanMs;
            meanMs += delta * later.received / n;
            m2 += later.m2 + delta * delta * double(received) * later.received / n;
        }
        bestMs = minPositive(bestMs, later.bestMs);
        worstMs = std::max(worstMs, later.worstMs);
        lastMs = later.lastMs;
        logSum += later.logSum;
    }
    sent += later.sent;
    received += later.received;
    if (later.jitterCount > 0) {
        jitterCount += later.jitterCount;
        jitterSumMs += later.jitterSumMs;
        jitterMs = later.jitterMs;
        jitterMaxMs = std::max(jitterMaxMs, later.jitterMaxMs);
        jitterInterarrivalMs = later.jitterInterarrivalMs;
    }
}

double RttSummary::stddevMs() const
{
    if (received <= 0)
        return -1;
    return received == 1 ? 0.0 : std::sqrt(std::max(0.0, m2 / (received - 1)));
}

double RttSummary::gmeanMs() const
{
    return received > 0 ? std::exp(logSum / received) : -1;
}

// ------------------------------------------------------------------ RttSeries

void RttSeries::add(qint64 timeMs, double rttMs)
{
    double jitter = -1;
    double jint = -1;
    if (rttMs >= 0) {
        if (m_previousRtt >= 0) {
            jitter = std::abs(rttMs - m_previousRtt);
            m_jint += (jitter - m_jint) / 16.0; // RFC 3550 §6.4.1, D taken between RTTs
            jint = m_jint;
        }
        m_previousRtt = rttMs;
    } else {
        rttMs = -1;
    }
    m_total.add(rttMs, jitter, jint);
    m_samples.push_back({timeMs, float(rttMs), float(jitter), float(jint)});
    compact(timeMs);
}

void RttSeries::foldInto(std::deque<Bucket> *tier, qint64 widthMs, qint64 timeMs, const RttSummary &s)
{
    const qint64 start = timeMs - ((timeMs % widthMs) + widthMs) % widthMs;
    if (tier->empty() || tier->back().startMs != start)
        tier->push_back({start, {}});
    tier->back().summary.merge(s);
}

void RttSeries::compact(qint64 nowMs)
{
    while (!m_samples.empty() && m_samples.front().timeMs < nowMs - m_limits.fullResolutionMs) {
        const Sample &s = m_samples.front();
        RttSummary one;
        one.add(s.rttMs, s.jitterMs, s.jitterInterarrivalMs);
        foldInto(&m_minutes, m_limits.minuteMs, s.timeMs, one);
        m_samples.pop_front();
    }
    while (int(m_minutes.size()) > m_limits.minuteCapacity) {
        foldInto(&m_hours, m_limits.hourMs, m_minutes.front().startMs, m_minutes.front().summary);
        m_minutes.pop_front();
    }
    while (int(m_hours.size()) > m_limits.hourCapacity) {
        if (m_earlier.sent == 0)
            m_earlierStartMs = m_hours.front().startMs;
        m_earlier.merge(m_hours.front().summary);
        m_hours.pop_front();
    }
}

RttSummary RttSeries::window(qint64 fromMs, qint64 toMs) const
{
    RttSummary r;
    if (m_earlier.sent > 0 && fromMs <= m_earlierStartMs && m_earlierStartMs < toMs)
        r.merge(m_earlier);
    for (const auto *tier : {&m_hours, &m_minutes}) {
        for (const Bucket &b : *tier) {
            if (b.startMs >= fromMs && b.startMs < toMs)
                r.merge(b.summary);
        }
    }
    for (const Sample &s : m_samples) {
        if (s.timeMs >= fromMs && s.timeMs < toMs)
            r.add(s.rttMs, s.jitterMs, s.jitterInterarrivalMs);
    }
    return r;
}

qint64 RttSeries::approximateBytes() const
{
    return qint64(sizeof(*this)) + qint64(m_samples.size() * sizeof(Sample)) +
           qint64((m_minutes.size() + m_hours.size()) * sizeof(Bucket));
}

// ------------------------------------------------------------------ WatchStats

void WatchStats::addProbe(int ttl, qint64 timeMs, const QHostAddress &responder, double rttMs)
{
    auto it = m_hops.find(ttl);
    if (it == m_hops.end())
        it = m_hops.insert(ttl, HopSeries{RttSeries(m_limits), {}});
    const bool lost = responder.isNull() || rttMs < 0;
    Responder *who = nullptr;
    if (!lost) {
        for (Responder &r : it->responders) {
            if (r.address.isEqual(responder))
                who = &r;
        }
        if (!who) {
            // A second responder: the first one's history so far is the hop's (before this probe).
            if (it->responders.size() == 1 && !it->responders.first().own)
                it->responders.first().own = it->all;
            it->responders.append(
                {responder, it->responders.isEmpty() ? std::nullopt : std::optional(RttSeries(m_limits))});
            who = &it->responders.last();
        }
    }
    it->all.add(timeMs, lost ? -1.0 : rttMs);
    if (who && who->own)
        who->own->add(timeMs, rttMs);
}

void WatchStats::addHop(qint64 timeMs, const Hop &hop)
{
    for (const ProbeReply &r : hop.replies)
        addProbe(hop.ttl, timeMs, r.answered() ? r.responder : QHostAddress(), r.answered() ? r.rttMs : -1);
}

int WatchStats::pathLength() const
{
    if (m_pathLength > 0)
        return m_pathLength;
    return m_hops.isEmpty() ? 0 : m_hops.lastKey();
}

void WatchStats::reset()
{
    m_hops.clear();
    m_pathLength = 0;
}

template<typename Pick> QList<HopSummary> WatchStats::summarize(Pick pick) const
{
    QList<HopSummary> out;
    const int last = pathLength();
    for (auto it = m_hops.cbegin(); it != m_hops.cend() && it.key() <= last; ++it) {
        HopSummary h;
        h.ttl = it.key();
        h.stats = pick(it->all);
        for (const Responder &entry : it->responders) {
            ResponderSummary r;
            r.address = entry.address;
            r.stats = pick(it->of(entry));
            r.stats.sent = r.stats.received; // a shared series also counts the hop's losses
            if (r.stats.received == 0)
                continue;
            r.sharePercent = h.stats.received > 0 ? 100.0 * r.stats.received / h.stats.received : 0.0;
            h.responders.append(r);
        }
        std::stable_sort(h.responders.begin(), h.responders.end(),
                         [](const auto &a, const auto &b) { return a.stats.received > b.stats.received; });
        out.append(h);
    }
    markRateLimited(&out);
    return out;
}

QList<HopSummary> WatchStats::total() const
{
    return summarize([](const RttSeries &s) { return s.total(); });
}

QList<HopSummary> WatchStats::window(qint64 fromMs, qint64 toMs) const
{
    return summarize([&](const RttSeries &s) { return s.window(fromMs, toMs); });
}

const RttSeries *WatchStats::series(int ttl) const
{
    auto it = m_hops.constFind(ttl);
    return it == m_hops.cend() ? nullptr : &it->all;
}

const RttSeries *WatchStats::series(int ttl, const QHostAddress &responder) const
{
    auto it = m_hops.constFind(ttl);
    if (it == m_hops.cend())
        return nullptr;
    for (const Responder &entry : it->responders) {
        if (entry.address.isEqual(responder))
            return &it->of(entry);
    }
    return nullptr;
}

qint64 WatchStats::approximateBytes() const
{
    qint64 bytes = sizeof(*this);
    for (const HopSeries &h : m_hops) {
        bytes += h.all.approximateBytes();
        for (const Responder &entry : h.responders)
            bytes += qint64(sizeof(Responder)) + (entry.own ? entry.own->approximateBytes() : 0);
    }
    return bytes;
}

void markRateLimited(QList<HopSummary> *hops)
{
    for (qsizetype i = 0; i < hops->size(); ++i) {
        HopSummary &h = (*hops)[i];
        h.rateLimited = false;
        if (h.stats.sent == 0 || h.stats.received == h.stats.sent)
            continue;
        for (qsizetype j = i + 1; j < hops->size(); ++j) {
            const RttSummary &later = hops->at(j).stats;
            if (later.received > 0 && later.received == later.sent) {
                h.rateLimited = true;
                break;
            }
        }
    }
}

} // namespace tracemap
