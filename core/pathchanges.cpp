#include "pathchanges.h"

#include <algorithm>

namespace tracemap {

namespace {

QList<QHostAddress> distinct(const QList<QHostAddress> &list)
{
    QList<QHostAddress> out;
    for (const QHostAddress &a : list) {
        if (a.isNull())
            continue;
        if (std::none_of(out.cbegin(), out.cend(), [&](const QHostAddress &b) { return a.isEqual(b); }))
            out.append(a);
    }
    return out;
}

} // namespace

void PathChangeDetector::addRound(qint64 timeMs, const QMap<int, QList<QHostAddress>> &respondersByTtl)
{
    ++m_rounds;
    for (auto it = respondersByTtl.cbegin(); it != respondersByTtl.cend(); ++it)
        addTtl(timeMs, it.key(), distinct(it.value()));
}

void PathChangeDetector::addRound(qint64 timeMs, const TraceResult &round)
{
    QMap<int, QList<QHostAddress>> byTtl;
    for (const Hop &h : round.hops)
        byTtl.insert(h.ttl, h.responders());
    addRound(timeMs, byTtl);
}

void PathChangeDetector::addTtl(qint64 timeMs, int ttl, const QList<QHostAddress> &responders)
{
    if (responders.isEmpty())
        return; // silence neither confirms nor breaks a run
    TtlState &s = m_ttls[ttl];
    s.history.push_back(responders);
    while (int(s.history.size()) > m_historyRounds)
        s.history.pop_front();
    s.loadBalanced = alternates(s);
    if (s.loadBalanced) {
        // The balancer's mix is the hop; which router answered this round is no news.
        s.established = mostFrequent(s);
        s.candidate.clear();
        s.candidateRounds = 0;
        return;
    }
    const QHostAddress &r = responders.first();
    if (s.established.isNull()) {
        s.established = r;
        return;
    }
    if (r.isEqual(s.established)) {
        s.candidate.clear();
        s.candidateRounds = 0;
        return;
    }
    if (!r.isEqual(s.candidate)) {
        s.candidate = r;
        s.candidateRounds = 0;
        s.candidateSinceMs = timeMs;
        s.candidateSinceRound = m_rounds;
    }
    if (++s.candidateRounds < m_holdRounds)
        return;
    m_changes.append({s.candidateSinceMs, timeMs, s.candidateSinceRound, ttl, s.established, r});
    s.established = r;
    s.candidate.clear();
    s.candidateRounds = 0;
}

bool PathChangeDetector::alternates(const TtlState &state) const
{
    int switches = 0;
    const QList<QHostAddress> *previous = nullptr;
    for (const QList<QHostAddress> &round : state.history) {
        if (round.size() > 1)
            return true;
        if (previous && !previous->first().isEqual(round.first()))
            ++switches;
        previous = &round;
    }
    return switches >= 3;
}

QHostAddress PathChangeDetector::mostFrequent(const TtlState &state)
{
    QList<QPair<QHostAddress, int>> counts;
    for (const QList<QHostAddress> &round : state.history) {
        for (const QHostAddress &a : round) {
            auto it =
                std::find_if(counts.begin(), counts.end(), [&](const auto &c) { return c.first.isEqual(a); });
            if (it == counts.end())
                counts.append({a, 1});
            else
                ++it->second;
        }
    }
    // Ties go to the responder seen first: the dominant one does not flip on every round.
    const auto best = std::max_element(counts.cbegin(), counts.cend(),
                                       [](const auto &a, const auto &b) { return a.second < b.second; });
    return best == counts.cend() ? QHostAddress() : best->first;
}

QHostAddress PathChangeDetector::dominant(int ttl) const
{
    auto it = m_ttls.constFind(ttl);
    return it == m_ttls.cend() ? QHostAddress() : it->established;
}

bool PathChangeDetector::loadBalanced(int ttl) const
{
    auto it = m_ttls.constFind(ttl);
    return it != m_ttls.cend() && it->loadBalanced;
}

QList<QHostAddress> PathChangeDetector::recentResponders(int ttl) const
{
    QList<QHostAddress> all;
    auto it = m_ttls.constFind(ttl);
    if (it != m_ttls.cend()) {
        for (const QList<QHostAddress> &round : it->history)
            all += round;
    }
    return distinct(all);
}

void PathChangeDetector::reset()
{
    m_rounds = 0;
    m_ttls.clear();
    m_changes.clear();
}

} // namespace tracemap
