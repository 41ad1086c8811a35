#include "watchformat.h"

#include "resultformat.h"
#include "texttable.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonValue msValue(double ms)
{
    return ms < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(roundRtt(ms));
}

double percent(double p)
{
    return std::round(p * 100) / 100;
}

QString msText(double ms, int decimals)
{
    return ms < 0 ? QStringLiteral("-") : QString::number(ms, 'f', decimals);
}

QString csvField(const QString &text)
{
    static const QString special = QStringLiteral(",\"\r\n");
    if (std::none_of(text.cbegin(), text.cend(), [](QChar c) { return special.contains(c); }))
        return text;
    return QLatin1Char('"') + QString(text).replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
           QLatin1Char('"');
}

QString hostName(const HopSummary &h)
{
    return h.responders.isEmpty() ? QStringLiteral("???") : h.responders.first().address.toString();
}

// The table's columns: label, host, mtr's statistics, then the live view's jitter columns.
const QList<int> kColumnWidths = {6, -39, 7, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6};

// One table row in mtr's layout; `jitter` adds the live view's extra columns.
QString row(const QString &label, const QString &host, const RttSummary &s, bool rateLimited, bool jitter)
{
    QString loss = QString::number(s.lossPercent(), 'f', 1) + QLatin1Char('%');
    if (rateLimited)
        loss += QLatin1Char('*');
    QStringList cells{label,
                      host,
                      loss,
                      QString::number(s.sent),
                      msText(s.lastMs, 1),
                      msText(s.avgMs(), 1),
                      msText(s.bestMs, 1),
                      msText(s.worstMs, 1),
                      msText(s.stddevMs(), 1)};
    if (jitter) {
        cells << msText(s.gmeanMs(), 1) << msText(s.jitterAvgMs(), 1) << msText(s.jitterMaxMs, 1)
              << msText(s.jitterInterarrivalMs, 1);
    }
    return textRow(cells, kColumnWidths);
}

QStringList table(const WatchSnapshot &watch, bool jitter)
{
    QStringList lines;
    QStringList heads = QStringList{QString(), QStringLiteral("Host")} + mtrStatHeads();
    if (jitter)
        heads << QStringLiteral("Gmean") << QStringLiteral("Javg") << QStringLiteral("Jmax")
              << QStringLiteral("Jint");
    QString header = textRow(heads, kColumnWidths);
    lines << header;
    bool anyRateLimited = false;
    for (const HopSummary &h : watch.hops) {
        anyRateLimited = anyRateLimited || h.rateLimited;
        lines << row(QStringLiteral("%1.|--").arg(h.ttl), hostName(h), h.stats, h.rateLimited, jitter);
        for (qsizetype i = 1; i < h.responders.size(); ++i) {
            const ResponderSummary &r = h.responders.at(i);
            lines << QStringLiteral("%1 %2 (%3% of replies)")
                         .arg(QStringLiteral("|  `"), 6)
                         .arg(r.address.toString())
                         .arg(QString::number(r.sharePercent, 'f', 1));
        }
    }
    if (anyRateLimited)
        lines << QStringLiteral("* loss at this hop only (a later hop lost nothing): ICMP rate limiting, "
                                "not loss on the path");
    return lines;
}

QStringList changeLines(const WatchSnapshot &watch)
{
    QStringList lines;
    for (const PathChange &c : watch.pathChanges)
        lines << formatPathChange(c);
    return lines;
}

} // namespace

QString formatPathChange(const PathChange &c)
{
    return QStringLiteral("path change %1: ttl %2 %3 -> %4 (round %5)")
        .arg(isoTime(c.timeMs))
        .arg(c.ttl)
        .arg(c.from.toString(), c.to.toString())
        .arg(c.round);
}

QJsonObject watchToJson(const WatchSnapshot &watch)
{
    QJsonArray hops;
    for (const HopSummary &h : watch.hops) {
        QJsonArray responders;
        for (const ResponderSummary &r : h.responders) {
            responders.append(QJsonObject{{QStringLiteral("address"), r.address.toString()},
                                          {QStringLiteral("received"), r.stats.received},
                                          {QStringLiteral("share"), percent(r.sharePercent)}});
        }
        const RttSummary &s = h.stats;
        hops.append(QJsonObject{
            {QStringLiteral("ttl"), h.ttl},
            {QStringLiteral("responders"), responders},
            {QStringLiteral("sent"), s.sent},
            {QStringLiteral("received"), s.received},
            {QStringLiteral("loss_pct"), percent(s.lossPercent())},
            {QStringLiteral("last"), msValue(s.lastMs)},
            {QStringLiteral("best"), msValue(s.bestMs)},
            {QStringLiteral("avg"), msValue(s.avgMs())},
            {QStringLiteral("worst"), msValue(s.worstMs)},
            {QStringLiteral("stddev"), msValue(s.stddevMs())},
            {QStringLiteral("gmean"), msValue(s.gmeanMs())},
            {QStringLiteral("jitter"), msValue(s.jitterMs)},
            {QStringLiteral("jitter_avg"), msValue(s.jitterAvgMs())},
            {QStringLiteral("jitter_max"), msValue(s.jitterMaxMs)},
            {QStringLiteral("jitter_interarrival"), msValue(s.jitterInterarrivalMs)},
            {QStringLiteral("rate_limited"), h.rateLimited},
        });
    }
    QJsonArray changes;
    for (const PathChange &c : watch.pathChanges) {
        changes.append(QJsonObject{{QStringLiteral("time"), isoTime(c.timeMs)},
                                   {QStringLiteral("ttl"), c.ttl},
                                   {QStringLiteral("from"), c.from.toString()},
                                   {QStringLiteral("to"), c.to.toString()}});
    }
    const TraceResult &ctx = watch.context;
    auto addressOrNull = [](const QHostAddress &a) {
        return a.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(a.toString());
    };
    return QJsonObject{
        {QStringLiteral("target"), ctx.target},
        {QStringLiteral("dest"), addressOrNull(ctx.destination)},
        {QStringLiteral("source"), addressOrNull(ctx.source)},
        {QStringLiteral("method"), toString(ctx.method)},
        {QStringLiteral("interval"), watch.request.intervalSec},
        {QStringLiteral("cycles"), watch.rounds},
        {QStringLiteral("started_at"), isoTime(watch.startedAtMs)},
        {QStringLiteral("ended_at"),
         watch.endedAtMs > 0 ? QJsonValue(isoTime(watch.endedAtMs)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("end_reason"), toString(watch.endReason)},
        {QStringLiteral("hops"), hops},
        {QStringLiteral("path_changes"), changes},
    };
}

QString watchToCsv(const WatchSnapshot &watch)
{
    const QString crlf = QStringLiteral("\r\n");
    QString out = QStringLiteral("target,dest,ttl,responder,share,sent,received,loss_pct,last,best,avg,"
                                 "worst,stddev,gmean,jitter,jitter_avg,jitter_max,jitter_interarrival,"
                                 "rate_limited") +
                  crlf;
    auto num = [](double v) {
        return v < 0 ? QString() : QString::number(roundRtt(v));
    };
    const QString prefix = csvField(watch.context.target) + QLatin1Char(',') +
                           csvField(watch.context.destination.toString()) + QLatin1Char(',');
    for (const HopSummary &h : watch.hops) {
        // Per responder: its own replies and RTTs; sent and loss are the hop's.
        QList<const ResponderSummary *> rows;
        for (const ResponderSummary &r : h.responders)
            rows << &r;
        if (rows.isEmpty())
            rows << nullptr;
        for (const ResponderSummary *r : rows) {
            const RttSummary &s = r ? r->stats : h.stats;
            QStringList f;
            f << QString::number(h.ttl) << (r ? csvField(r->address.toString()) : QString())
              << (r ? QString::number(percent(r->sharePercent)) : QString()) << QString::number(h.stats.sent)
              << QString::number(s.received) << QString::number(percent(h.stats.lossPercent()))
              << num(s.lastMs) << num(s.bestMs) << num(s.avgMs()) << num(s.worstMs) << num(s.stddevMs())
              << num(s.gmeanMs()) << num(s.jitterMs) << num(s.jitterAvgMs()) << num(s.jitterMaxMs)
              << num(s.jitterInterarrivalMs)
              << (h.rateLimited ? QStringLiteral("true") : QStringLiteral("false"));
            out += prefix + f.join(QLatin1Char(',')) + crlf;
        }
    }
    return out;
}

QString formatWatchReport(const WatchSnapshot &watch)
{
    QStringList lines;
    lines << QStringLiteral("Start: %1").arg(isoTime(watch.startedAtMs));
    lines << QStringLiteral("HOST: %1 -> %2 (%3), %4 rounds every %5 s")
                 .arg(watch.context.source.toString(), watch.context.target,
                      watch.context.destination.toString())
                 .arg(watch.rounds)
                 .arg(watch.request.intervalSec);
    lines += table(watch, false);
    lines += changeLines(watch);
    return lines.join(QLatin1Char('\n'));
}

QString formatWatchTable(const WatchSnapshot &watch)
{
    QStringList lines;
    lines << QStringLiteral("tracemap watch %1 (%2) from %3, %4, every %5 s, round %6%7")
                 .arg(watch.context.target, watch.context.destination.toString(),
                      watch.context.source.toString(), toString(watch.context.method))
                 .arg(watch.request.intervalSec)
                 .arg(watch.rounds)
                 .arg(watch.request.cycles > 0 ? QStringLiteral(" of %1").arg(watch.request.cycles)
                                               : QString());
    lines << QStringLiteral("Keys: q quit (prints the report)") << QString();
    lines += table(watch, true);
    if (!watch.loadBalancedTtls.isEmpty()) {
        QStringList ttls;
        for (int t : watch.loadBalancedTtls)
            ttls << QString::number(t);
        lines << QStringLiteral("load-balanced hops (not path changes): ttl %1")
                     .arg(ttls.join(QStringLiteral(", ")));
    }
    lines += changeLines(watch);
    return lines.join(QLatin1Char('\n'));
}

QStringList formatWatchRoundLines(const WatchRound &round)
{
    QStringList lines;
    const QString prefix = QStringLiteral("%1 round %2 ttl ").arg(isoTime(round.startedMs)).arg(round.index);
    for (const Hop &h : round.result.hops) {
        QStringList parts;
        for (const ProbeReply &r : h.replies) {
            parts << (r.answered()
                          ? QStringLiteral("%1 %2 ms").arg(r.responder.toString(), msText(r.rttMs, 3))
                          : QStringLiteral("*"));
        }
        lines << prefix + QString::number(h.ttl) + QLatin1Char(' ') + parts.join(QLatin1Char(' '));
    }
    return lines;
}

} // namespace tracemap
