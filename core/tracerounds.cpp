#include "tracerounds.h"

namespace tracemap {

TraceRounds::TraceRounds(const TraceRequest &request, const QHostAddress &destination)
    : m_request(request), m_destination(destination), m_roundMaxTtl(request.maxTtl)
{}

QList<quint16> TraceRounds::startRound(qint64 nowNs)
{
    QList<quint16> leftOver;
    quint16 firstSeq = 0;
    if (m_schedule) {
        learnFromFinishedRound();
        leftOver = m_schedule->abandon();
        firstSeq = m_schedule->nextSeq();
    }
    // Limited to where the destination was; back to the full range when it was not found
    // there (or not at all).
    const bool limited = m_roundMaxTtl < m_request.maxTtl;
    if (m_destinationTtl)
        m_roundMaxTtl = std::clamp(*m_destinationTtl, m_request.firstTtl, m_request.maxTtl);
    else if (limited)
        m_roundMaxTtl = m_request.maxTtl;
    TraceRequest r = m_request;
    r.maxTtl = m_roundMaxTtl;
    m_schedule.emplace(r, m_destination, firstSeq);
    m_startedAtNs = nowNs;
    ++m_round;
    return leftOver;
}

void TraceRounds::learnFromFinishedRound()
{
    if (!m_schedule->isDone())
        return; // an abandoned round proves nothing about the path
    m_destinationTtl.reset();
    for (const Hop &h : m_schedule->resultHops(true)) {
        if (h.reachedDestination()) {
            m_destinationTtl = h.ttl;
            break;
        }
    }
}

} // namespace tracemap
