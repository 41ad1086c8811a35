#include "tracediff.h"

#include "resultformat.h"
#include "specialranges.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

QStringList addresses(const Hop *hop)
{
    QStringList out;
    if (!hop)
        return out;
    for (const QHostAddress &a : hop->responders())
        out << normalizedAddress(a).toString();
    return out;
}

const Hop *hopAt(const TraceFile &f, int ttl)
{
    for (const Hop &h : f.trace.hops) {
        if (h.ttl == ttl)
            return &h;
    }
    return nullptr;
}

QString asLabel(const AsInfo &as)
{
    return as.name.isEmpty() ? QStringLiteral("AS%1").arg(as.number)
                             : QStringLiteral("AS%1 %2").arg(as.number).arg(as.name);
}

QJsonValue msOrNull(double ms)
{
    return ms < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(roundRtt(ms));
}

} // namespace

QString toString(HopChangeKind kind)
{
    switch (kind) {
    case HopChangeKind::Added:
        return QStringLiteral("added");
    case HopChangeKind::Removed:
        return QStringLiteral("removed");
    case HopChangeKind::ResponderChanged:
        return QStringLiteral("responder");
    case HopChangeKind::AsChanged:
        return QStringLiteral("as");
    case HopChangeKind::RttIncreased:
        return QStringLiteral("rtt-up");
    case HopChangeKind::RttDecreased:
        return QStringLiteral("rtt-down");
    }
    return {};
}

bool sameTarget(const TraceFile &a, const TraceFile &b)
{
    if (a.trace.target.compare(b.trace.target, Qt::CaseInsensitive) == 0)
        return true;
    return !a.trace.destination.isNull() &&
           normalizedAddress(a.trace.destination) == normalizedAddress(b.trace.destination);
}

TraceDiff diffTraces(const TraceFile &before, const TraceFile &after)
{
    TraceDiff diff;
    diff.hopsBefore = int(before.trace.hops.size());
    diff.hopsAfter = int(after.trace.hops.size());
    diff.reachedBefore = before.trace.reached;
    diff.reachedAfter = after.trace.reached;
    int lastTtl = 0;
    for (const TraceFile *f : {&before, &after}) {
        if (!f->trace.hops.isEmpty())
            lastTtl = std::max(lastTtl, f->trace.hops.last().ttl);
    }
    for (int ttl = 1; ttl <= lastTtl; ++ttl) {
        const Hop *a = hopAt(before, ttl);
        const Hop *b = hopAt(after, ttl);
        HopChange c;
        c.ttl = ttl;
        c.before = addresses(a);
        c.after = addresses(b);
        c.rttBeforeMs = a ? a->stats().avgMs : -1.0;
        c.rttAfterMs = b ? b->stats().avgMs : -1.0;
        if (c.before.isEmpty() && c.after.isEmpty())
            continue;
        if (c.before.isEmpty() || c.after.isEmpty()) {
            c.kind = c.before.isEmpty() ? HopChangeKind::Added : HopChangeKind::Removed;
            diff.changes << c;
            continue;
        }
        QStringList sortedBefore = c.before;
        QStringList sortedAfter = c.after;
        sortedBefore.sort();
        sortedAfter.sort();
        const bool sameResponders = sortedBefore == sortedAfter;
        if (!sameResponders) {
            c.kind = HopChangeKind::ResponderChanged;
            diff.changes << c;
        }
        // The AS of the first responder: an AS change matters even when the router changed.
        const AsInfo asBefore = before.placeFor(a->responders().first()).as;
        const AsInfo asAfter = after.placeFor(b->responders().first()).as;
        if (asBefore.isValid() && asAfter.isValid() && asBefore.number != asAfter.number) {
            HopChange as = c;
            as.kind = HopChangeKind::AsChanged;
            as.before = {asLabel(asBefore)};
            as.after = {asLabel(asAfter)};
            diff.changes << as;
        }
        if (sameResponders && c.rttBeforeMs >= 0 && c.rttAfterMs >= 0) {
            const double delta = c.rttAfterMs - c.rttBeforeMs;
            if (std::abs(delta) > kRttChangeMinMs &&
                std::abs(delta) > kRttChangeMinFraction * c.rttBeforeMs) {
                c.kind = delta > 0 ? HopChangeKind::RttIncreased : HopChangeKind::RttDecreased;
                diff.changes << c;
            }
        }
    }
    return diff;
}

QString describe(const HopChange &c)
{
    const QString none = QStringLiteral("*");
    const QString before = c.before.isEmpty() ? none : c.before.join(QLatin1Char('/'));
    const QString after = c.after.isEmpty() ? none : c.after.join(QLatin1Char('/'));
    switch (c.kind) {
    case HopChangeKind::Added:
        return QStringLiteral("ttl %1: added %2").arg(c.ttl).arg(after);
    case HopChangeKind::Removed:
        return QStringLiteral("ttl %1: removed %2").arg(c.ttl).arg(before);
    case HopChangeKind::ResponderChanged:
        return QStringLiteral("ttl %1: responder %2 -> %3").arg(c.ttl).arg(before, after);
    case HopChangeKind::AsChanged:
        return QStringLiteral("ttl %1: AS %2 -> %3").arg(c.ttl).arg(before, after);
    case HopChangeKind::RttIncreased:
    case HopChangeKind::RttDecreased:
        return QStringLiteral("ttl %1: RTT %2 ms -> %3 ms at %4")
            .arg(c.ttl)
            .arg(c.rttBeforeMs, 0, 'f', 3)
            .arg(c.rttAfterMs, 0, 'f', 3)
            .arg(after);
    }
    return {};
}

QJsonObject diffToJson(const TraceDiff &diff)
{
    QJsonArray changes;
    for (const HopChange &c : diff.changes) {
        changes.append(QJsonObject{{QStringLiteral("ttl"), c.ttl},
                                   {QStringLiteral("kind"), toString(c.kind)},
                                   {QStringLiteral("before"), QJsonArray::fromStringList(c.before)},
                                   {QStringLiteral("after"), QJsonArray::fromStringList(c.after)},
                                   {QStringLiteral("rtt_before_ms"), msOrNull(c.rttBeforeMs)},
                                   {QStringLiteral("rtt_after_ms"), msOrNull(c.rttAfterMs)},
                                   {QStringLiteral("text"), describe(c)}});
    }
    return QJsonObject{{QStringLiteral("identical"), diff.identical()},
                       {QStringLiteral("hops_before"), diff.hopsBefore},
                       {QStringLiteral("hops_after"), diff.hopsAfter},
                       {QStringLiteral("reached_before"), diff.reachedBefore},
                       {QStringLiteral("reached_after"), diff.reachedAfter},
                       {QStringLiteral("changes"), changes}};
}

} // namespace tracemap
