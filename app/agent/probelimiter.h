// Counts running probes (or DNS look-ups) per client and in total; thread-safe (taken in the HTTP thread,
// released in the Qt thread when the probe ends).
#pragma once

#include <QHash>
#include <QString>

#include <mutex>

namespace tracemap::agent {

class ProbeLimiter
{
public:
    ProbeLimiter(int maxTotal, int maxPerClient) : m_maxTotal(maxTotal), m_maxPerClient(maxPerClient) {}

    enum class Refusal { None, Total, PerClient };
    Refusal tryAcquire(const QString &client);
    void release(const QString &client);
    int active() const;
    // New limits (SIGHUP); running probes keep their slots.
    void setLimits(int maxTotal, int maxPerClient);

private:
    mutable std::mutex m_mutex;
    int m_maxTotal;
    int m_maxPerClient;
    int m_total = 0;
    QHash<QString, int> m_perClient;
};

} // namespace tracemap::agent
