// Path changes of a watch: per TTL the dominant responder, and the moments it changed.
//
// Contract: pure; rounds are fed in order with their time. A change (time, TTL, old -> new
// responder) is recorded once the new responder has answered in `holdRounds` consecutive
// answered rounds at that TTL (rounds where the TTL stayed silent neither count nor break
// the run). A TTL whose recent rounds alternate between responders (at least three switches
// within `historyRounds` answered rounds, or several responders within one round) is a
// load-balanced hop: its responders are listed, and no change is recorded there.
#pragma once

#include "tracetypes.h"

#include <QHostAddress>
#include <QList>
#include <QMap>

#include <deque>

namespace tracemap {

struct PathChange
{
    qint64 timeMs = 0;      // the round in which the new responder first answered
    qint64 confirmedMs = 0; // the round that confirmed it
    int round = 0;          // 1-based index of the first round of the new responder
    int ttl = 0;
    QHostAddress from;
    QHostAddress to;
    friend bool operator==(const PathChange &, const PathChange &) = default;
};

class PathChangeDetector
{
public:
    explicit PathChangeDetector(int holdRounds = 3, int historyRounds = 10)
        : m_holdRounds(holdRounds), m_historyRounds(historyRounds)
    {}

    // One round: the responders that answered at each TTL (several when a TTL got several
    // probes and they came back from different routers).
    void addRound(qint64 timeMs, const QMap<int, QList<QHostAddress>> &respondersByTtl);
    void addRound(qint64 timeMs, const TraceResult &round);

    QList<int> ttls() const { return m_ttls.keys(); }
    QHostAddress dominant(int ttl) const;
    bool loadBalanced(int ttl) const;
    // The distinct responders seen at a TTL in the recent rounds.
    QList<QHostAddress> recentResponders(int ttl) const;
    const QList<PathChange> &changes() const { return m_changes; }
    int rounds() const { return m_rounds; }
    void reset();

private:
    struct TtlState
    {
        QHostAddress established;
        QHostAddress candidate;
        int candidateRounds = 0;
        qint64 candidateSinceMs = 0;
        int candidateSinceRound = 0;
        bool loadBalanced = false;
        std::deque<QList<QHostAddress>> history; // the last answered rounds' responders
    };
    void addTtl(qint64 timeMs, int ttl, const QList<QHostAddress> &responders);
    bool alternates(const TtlState &state) const;
    static QHostAddress mostFrequent(const TtlState &state);

    int m_holdRounds;
    int m_historyRounds;
    int m_rounds = 0;
    QMap<int, TtlState> m_ttls;
    QList<PathChange> m_changes;
};

} // namespace tracemap
