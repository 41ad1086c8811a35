// A model network for schedule tests: each TTL answers after a fixed RTT (or not at all),
// and runSchedule() drives a TraceSchedule the way TraceJob does, with the model in place of
// a transport and a hand-stepped time in place of a clock. Runs are summarised as strings
// that test rows spell out.
#pragma once

#include "traceschedule.h"

#include <QStringList>

#include <climits>
#include <map>

namespace tracemap::test {

inline constexpr qint64 kMs = 1000000;
inline const QHostAddress kDestination(QStringLiteral("203.0.113.9"));

// One TTL of the model network.
struct ModelHop
{
    QString address; // empty: silent
    double rttMs = 1.0;
    bool unreachable = false;
    QList<int> lostQueries; // queries of this TTL that get no answer
};

// TTLs 1..n; beyond them the destination (or silence when it is filtered).
struct Model
{
    QList<ModelHop> hops;
    double destinationRttMs = 0; // 0: the destination never answers
};

inline Model chain(int routers, double stepMs = 1.0)
{
    Model m;
    for (int i = 1; i <= routers; ++i)
        m.hops.append({QStringLiteral("198.18.%1.1").arg(i), stepMs * i, false, {}});
    m.destinationRttMs = stepMs * (routers + 1);
    return m;
}

inline TraceRequest modelRequest()
{
    TraceRequest r;
    r.target = kDestination.toString();
    r.timeoutSec = 1.0;
    return r;
}

// What a run did, in a form rows can spell out.
struct Run
{
    QStringList sends;   // "<ms>:<ttl>.<query>" grouped per instant: "0:1.1-8.3"
    QStringList updates; // "<ms>:<ttl>" for each hop the schedule reported changed
    QStringList hops;    // "<ttl>:<responder or *>" per result hop
    qint64 doneAtNs = -1;
    int maxInFlight = 0;
    QList<quint16> seqs; // every seq sent, in order
};

inline QString fmtMs(qint64 ns)
{
    return ns % kMs == 0 ? QString::number(ns / kMs) : QString::number(double(ns) / kMs);
}

// The driver's loop, with the model in place of a transport: fill the window, then take
// the earliest of the next answer and the next wakeup; answers first at equal times (the
// driver reads queued answers before declaring silence).
inline Run runSchedule(TraceSchedule &s, const Model &model, qint64 startNs = 0,
                       qint64 limitNs = 100000 * kMs)
{
    std::multimap<qint64, ProbeEvent> arrivals;
    Run run;
    qint64 now = startNs;
    QString burst;
    qint64 burstAt = -1;
    auto flushBurst = [&] {
        if (!burst.isEmpty())
            run.sends.append(QStringLiteral("%1:%2").arg(fmtMs(burstAt), burst));
        burst.clear();
    };
    auto fill = [&] {
        QStringList sent;
        while (const std::optional<PlannedProbe> p = s.nextProbe()) {
            s.onSent(now, *p, 0);
            run.seqs.append(p->seq);
            sent.append(QStringLiteral("%1.%2").arg(p->ttl).arg(p->query));
            run.maxInFlight = std::max(run.maxInFlight, s.inFlightCount());
            ProbeEvent e;
            e.seq = p->seq;
            double rtt = 0;
            if (p->ttl <= model.hops.size()) {
                const ModelHop &h = model.hops.at(p->ttl - 1);
                if (h.address.isEmpty() || h.lostQueries.contains(p->query))
                    continue;
                e.responder = QHostAddress(h.address);
                e.kind = h.unreachable ? ReplyKind::Unreachable : ReplyKind::TimeExceeded;
                rtt = h.rttMs;
            } else {
                if (model.destinationRttMs <= 0)
                    continue;
                e.responder = kDestination;
                e.kind = ReplyKind::Unreachable;
                rtt = model.destinationRttMs;
            }
            arrivals.emplace(now + qint64(rtt * kMs), e);
        }
        if (sent.isEmpty())
            return;
        const QString group = sent.size() == 1 ? sent.first() : sent.first() + QLatin1Char('-') + sent.last();
        if (burstAt == now) {
            burst += QLatin1Char(',') + group;
        } else {
            flushBurst();
            burstAt = now;
            burst = group;
        }
    };
    fill();
    while (!s.isDone()) {
        const std::optional<qint64> wake = s.nextWakeup();
        qint64 next = wake.value_or(LLONG_MAX);
        if (!arrivals.empty())
            next = std::min(next, arrivals.begin()->first);
        if (next == LLONG_MAX || next > limitNs)
            break; // stuck: the row's expectations will say so
        now = next;
        if (!arrivals.empty() && arrivals.begin()->first == now) {
            const ProbeEvent e = arrivals.begin()->second;
            arrivals.erase(arrivals.begin());
            if (const std::optional<Hop> hop = s.onReply(now, e))
                run.updates.append(QStringLiteral("%1:%2").arg(fmtMs(now)).arg(hop->ttl));
        } else {
            for (const Hop &hop : s.onWakeup(now))
                run.updates.append(QStringLiteral("%1:%2").arg(fmtMs(now)).arg(hop.ttl));
        }
        s.takeReleased();
        fill();
    }
    flushBurst();
    if (s.isDone())
        run.doneAtNs = now;
    for (const Hop &h : s.resultHops(s.isDone())) {
        QStringList who;
        for (const QHostAddress &a : h.responders())
            who.append(a.toString());
        run.hops.append(
            QStringLiteral("%1:%2").arg(h.ttl).arg(who.isEmpty() ? QStringLiteral("*") : who.join(u'/')));
    }
    return run;
}

inline QStringList chainHops(int routers, bool destination)
{
    QStringList h;
    for (int i = 1; i <= routers; ++i)
        h.append(QStringLiteral("%1:198.18.%1.1").arg(i));
    if (destination)
        h.append(QStringLiteral("%1:203.0.113.9").arg(routers + 1));
    return h;
}

} // namespace tracemap::test

Q_DECLARE_METATYPE(tracemap::test::Model)
