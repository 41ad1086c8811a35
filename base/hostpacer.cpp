#include "hostpacer.h"

#include <QMutexLocker>

#include <algorithm>
#include <chrono>

namespace tracemap {

HostPacer &HostPacer::shared()
{
    static HostPacer pacer;
    return pacer;
}

qint64 HostPacer::steadyNowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

QString HostPacer::hostKey(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return scheme + QLatin1String("://") + url.host().toLower() + QLatin1Char(':') +
           QString::number(url.port(scheme == QLatin1String("https") ? 443 : 80));
}

qint64 HostPacer::tryAcquire(const QString &host, qint64 nowMs, qint64 intervalMs, qint64 holdMs)
{
    QMutexLocker lock(&m_mutex);
    State &state = m_hosts[host];
    if (state.busyUntilMs > nowMs)
        return std::min(state.busyUntilMs - nowMs, kBusyPollMs);
    const qint64 due = std::max(state.nextSlotMs, state.backOffUntilMs);
    if (nowMs < due)
        return due - nowMs;
    state.nextSlotMs = nowMs + intervalMs;
    state.busyUntilMs = nowMs + holdMs;
    return 0;
}

void HostPacer::release(const QString &host, qint64 nowMs, qint64 gapMs)
{
    QMutexLocker lock(&m_mutex);
    State &state = m_hosts[host];
    state.busyUntilMs = 0;
    state.nextSlotMs = std::max(state.nextSlotMs, nowMs + gapMs);
}

void HostPacer::backOff(const QString &host, qint64 nowMs, qint64 durationMs)
{
    QMutexLocker lock(&m_mutex);
    State &state = m_hosts[host];
    state.backOffUntilMs = std::max(state.backOffUntilMs, nowMs + durationMs);
}

qint64 HostPacer::backOffRemainingMs(const QString &host, qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_hosts.constFind(host);
    return it == m_hosts.cend() ? 0 : std::max<qint64>(0, it->backOffUntilMs - nowMs);
}

} // namespace tracemap
