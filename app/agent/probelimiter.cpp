#include "probelimiter.h"

namespace tracemap::agent {

ProbeLimiter::Refusal ProbeLimiter::tryAcquire(const QString &client)
{
    std::lock_guard lock(m_mutex);
    if (m_total >= m_maxTotal)
        return Refusal::Total;
    int &mine = m_perClient[client];
    if (mine >= m_maxPerClient)
        return Refusal::PerClient;
    ++mine;
    ++m_total;
    return Refusal::None;
}

void ProbeLimiter::release(const QString &client)
{
    std::lock_guard lock(m_mutex);
    auto it = m_perClient.find(client);
    if (it == m_perClient.end())
        return;
    --m_total;
    if (--*it <= 0)
        m_perClient.erase(it);
}

void ProbeLimiter::setLimits(int maxTotal, int maxPerClient)
{
    std::lock_guard lock(m_mutex);
    m_maxTotal = maxTotal;
    m_maxPerClient = maxPerClient;
}

int ProbeLimiter::active() const
{
    std::lock_guard lock(m_mutex);
    return m_total;
}

} // namespace tracemap::agent
