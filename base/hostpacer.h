#pragma once
// Per-host politeness for HTTP clients: at most one request in flight per host, a minimum
// interval between two requests, a minimum gap after each answer, and back-off when the host
// asks for it (HTTP 429/503). Pure: every call takes the time in ms on one monotonic clock, so
// tests step a fake clock. shared() is the process-wide pacer: a usage policy such as
// Nominatim's limits the whole application, so every client in every thread draws from one
// budget per host (a mutex guards it); handing a pacer through every layer would let one
// forgotten instance break the policy silently.

#include <QHash>
#include <QMutex>
#include <QString>
#include <QUrl>

namespace tracemap {

class HostPacer
{
public:
    // How often a client waiting on another client's request looks again.
    static constexpr qint64 kBusyPollMs = 100;

    static HostPacer &shared();
    static qint64 steadyNowMs(); // the clock shared() is driven with

    // "scheme://host:port", the unit a budget is kept for.
    static QString hostKey(const QUrl &url);

    // Takes the host's send slot if it is free and due (returns 0), else returns the ms to wait
    // before asking again. The slot is held until release(), or `holdMs` at most (a safety
    // net: every answer ends by its deadline).
    qint64 tryAcquire(const QString &host, qint64 nowMs, qint64 intervalMs, qint64 holdMs);
    // The request holding the slot has ended: the next may leave `gapMs` after `nowMs`.
    void release(const QString &host, qint64 nowMs, qint64 gapMs);
    void backOff(const QString &host, qint64 nowMs, qint64 durationMs);
    qint64 backOffRemainingMs(const QString &host, qint64 nowMs) const;

private:
    struct State
    {
        qint64 nextSlotMs = 0;
        qint64 backOffUntilMs = 0;
        qint64 busyUntilMs = 0;
    };
    mutable QMutex m_mutex;
    QHash<QString, State> m_hosts;
};

} // namespace tracemap
