// AgentService's /mtr part: a resolved, policy-checked destination watched through a
// WatchSession on the agent's engine thread, answered with watchToJson (the document of
// `tracemap-cli watch --json`), or with stream=1 one NDJSON "round" line per round and then
// the document. Like /traceroute, the agent's configured place is the stream's first line
// (`vantage`) and a `vantage` object in the document (AgentService::openStream / answer). The slot the front
// end took in the ProbeLimiter is held until the watch ends.
#include "agentlog.h"
#include "agentservice.h"
#include "resultformat.h"
#include "watchformat.h"

#include <QDateTime>
#include <QJsonArray>

namespace tracemap::agent {

namespace {

QJsonObject roundToJson(const WatchRound &round)
{
    QJsonArray hops;
    for (const Hop &hop : round.result.hops)
        hops.append(hopToJson(round.result, hop));
    return {{QStringLiteral("event"), QStringLiteral("round")},
            {QStringLiteral("round"), round.index},
            {QStringLiteral("started_at"),
             QDateTime::fromMSecsSinceEpoch(round.startedMs, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("reached"), round.result.reached},
            {QStringLiteral("hops"), hops}};
}

} // namespace

void AgentService::startWatch(const ProbeJobPtr &job, const QHostAddress &destination)
{
    WatchRequest request = job->watch;
    request.trace.target = destination.toString(); // probed as resolved and checked here
    auto *session = new WatchSession(m_engine, request, this);
    m_watches.insert(session, RunningWatch{job, session,
                                           QDeadlineTimer(qint64(job->config->limits.maxRequestSec) * 1000),
                                           RunningWatch::Stop::No});
    connect(session, &WatchSession::started, this, [this, job] {
        if (job->stream)
            openStream(*job);
    });
    connect(session, &WatchSession::roundFinished, this,
            [this, session](const WatchRound &round) { onWatchRound(session, round); });
    connect(session, &WatchSession::finished, this,
            [this, session](WatchEndReason reason, const QString &message) {
                onWatchFinished(session, reason, message);
            });
    session->start();
    if (!m_sweep.isActive())
        m_sweep.start();
}

void AgentService::stopWatch(RunningWatch &watch, RunningWatch::Stop why)
{
    if (watch.stop != RunningWatch::Stop::No)
        return;
    watch.stop = why;
    watch.session->stop(); // finished(Stopped) follows, answered by the reason kept here
}

void AgentService::sweepWatches()
{
    for (RunningWatch &watch : m_watches) {
        if (watch.deadline.hasExpired()) {
            stopWatch(watch, RunningWatch::Stop::TimedOut);
            continue;
        }
        bool abandoned = false;
        {
            std::lock_guard lock(watch.job->mutex);
            abandoned = watch.job->abandoned;
        }
        if (abandoned) // the caller hung up: stop probing for nobody
            stopWatch(watch, RunningWatch::Stop::HungUp);
    }
}

void AgentService::onWatchRound(WatchSession *session, const WatchRound &round)
{
    const auto it = m_watches.constFind(session);
    if (it == m_watches.cend() || !it->job->stream)
        return;
    WatchRound named = round;
    named.result.target = it->job->dest;
    const QByteArray line = jsonLine(roundToJson(named));
    ProbeJob *job = it->job.get();
    openStream(*job); // a round before started(): the vantage line still comes first
    job->publish([&] { job->streamData += line; });
}

void AgentService::onWatchFinished(WatchSession *session, WatchEndReason reason, const QString &message)
{
    const RunningWatch watch = m_watches.take(session);
    if (!watch.job)
        return;
    session->deleteLater();
    const ProbeJobPtr &job = watch.job;
    switch (watch.stop) {
    case RunningWatch::Stop::TimedOut:
        fail(job, 504,
             QStringLiteral("the watch did not finish within the agent's limit of %1 s")
                 .arg(job->config->limits.maxRequestSec));
        return;
    case RunningWatch::Stop::HungUp:
        fail(job, 499, QStringLiteral("the client closed the connection"));
        return;
    case RunningWatch::Stop::ShuttingDown:
        fail(job, 503, QStringLiteral("the agent is shutting down"));
        return;
    case RunningWatch::Stop::No:
        break;
    }
    if (reason != WatchEndReason::Completed) {
        qCWarning(lcAgent) << "watch of" << job->dest << "ended:" << toString(reason) << message;
        fail(job, 500, message.isEmpty() ? QStringLiteral("the watch stopped early") : message);
        return;
    }
    WatchSnapshot snapshot = session->snapshot();
    snapshot.context.target = job->dest; // the engine was given the resolved literal
    answer(job, QStringLiteral("mtr"), watchToJson(snapshot));
}

} // namespace tracemap::agent
