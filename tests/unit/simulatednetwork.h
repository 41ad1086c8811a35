// A simulated network behind the ProbeTransport seam: paths of routers with fixed RTTs,
// silent routers, filtered destinations. No packet leaves the process. Answers arrive after
// their RTT on real timers, or exactly at send time + RTT on a FakeClock when the network
// has one (then the engine must run on the same clock).
#pragma once

#include "fakeclock.h"
#include "probetransport.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

namespace tracemap::test {

struct SimHop
{
    QHostAddress address;
    double rttMs = 1.0;
    bool silent = false;      // never answers
    bool unreachable = false; // answers with ICMP host unreachable (!H)
    // A per-flow load balancer before this hop: when set, one of these answers instead of
    // `address`, picked by the probe's flow as the real transports present it (flowKey()).
    QList<QHostAddress> perFlow = {};
};

struct SimPath
{
    QList<SimHop> routers;         // TTL 1..n
    double destinationRttMs = 5.0; // the destination sits at TTL n+1
    bool destinationAnswers = true;
};

struct SimStats
{
    int sent = 0;
    int maxInFlight = 0;
    int released = 0;
    QList<TransportConfig> configs; // of every transport created, in order
};

class SimulatedNetwork
{
public:
    QHash<QString, SimPath> paths; // by destination address
    std::shared_ptr<SimStats> stats = std::make_shared<SimStats>();
    std::shared_ptr<FakeClock> clock; // null: real time
};

inline qint64 simRealtimeNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class SimulatedTransport final : public ProbeTransport
{
public:
    SimulatedTransport(const SimPath &path, const TransportConfig &config, std::shared_ptr<SimStats> stats,
                       std::shared_ptr<FakeClock> clock = {})
        : m_path(path), m_config(config), m_stats(std::move(stats)), m_clock(std::move(clock))
    {
        m_stats->configs.append(config);
    }
    ~SimulatedTransport() override
    {
        for (quint64 key : std::as_const(m_scheduled))
            m_clock->cancel(key);
    }
    QString description() const override { return QStringLiteral("simulated"); }
    QHostAddress sourceAddress() const override { return QHostAddress(QStringLiteral("192.0.2.1")); }
    bool send(quint16 seq, int ttl, qint64 *sentRealNs, TransportError *) override
    {
        *sentRealNs = realtimeNs();
        ++m_stats->sent;
        m_inFlight.insert(seq);
        m_stats->maxInFlight = std::max(m_stats->maxInFlight, int(m_inFlight.size()));
        ProbeEvent e;
        e.seq = seq;
        double rtt = 0;
        if (ttl <= m_path.routers.size()) {
            const SimHop &hop = m_path.routers.at(ttl - 1);
            if (hop.silent)
                return true;
            e.responder = hop.perFlow.isEmpty()
                              ? hop.address
                              : hop.perFlow.at(int(mix(flowKey(seq)) % quint32(hop.perFlow.size())));
            e.kind = hop.unreachable ? ReplyKind::Unreachable : ReplyKind::TimeExceeded;
            e.icmpType = hop.unreachable ? 3 : 11;
            e.icmpCode = hop.unreachable ? 1 : 0;
            rtt = hop.rttMs;
        } else {
            if (!m_path.destinationAnswers)
                return true;
            e.responder = m_config.destination;
            e.kind = ReplyKind::Unreachable;
            e.icmpType = 3;
            e.icmpCode = 3;
            rtt = m_path.destinationRttMs;
        }
        if (m_clock) {
            m_scheduled.insert(seq,
                               m_clock->callAt(m_clock->nowNs() + qint64(rtt * FakeClock::kMs), [this, e] {
                                   m_scheduled.remove(e.seq);
                                   ProbeEvent delivered = e;
                                   delivered.receivedRealNs = realtimeNs();
                                   deliver(delivered);
                               }));
            return true;
        }
        QTimer::singleShot(int(rtt), Qt::PreciseTimer, &m_context, [this, e] {
            if (!m_inFlight.contains(e.seq))
                return;
            ProbeEvent delivered = e;
            delivered.receivedRealNs = simRealtimeNs();
            deliver(delivered);
        });
        return true;
    }
    void release(quint16 seq) override
    {
        if (m_inFlight.remove(seq))
            ++m_stats->released;
        if (m_clock && m_scheduled.contains(seq))
            m_clock->cancel(m_scheduled.take(seq));
    }
    void drain() override {}
    int strayCount() const override { return 0; }

    // What a per-flow balancer hashes, as the system transports present it: the flow id
    // when the engine gave one, else one flow per transport (Paris: per trace) or per probe
    // (classic: a source port per probe; 36 probes all taking one of two branches happens
    // once in 2^35 runs).
    quint32 flowKey(quint16 seq) const
    {
        if (m_config.flow == FlowMode::Classic)
            return m_config.token + seq; // a new socket (port) per probe, whatever the seq
        return m_config.flowId ? m_config.flowId : m_config.token;
    }

private:
    // A balancer's hash of the flow key (lowbias32): neighbouring keys spread.
    static quint32 mix(quint32 k)
    {
        k ^= k >> 16;
        k *= 0x7feb352du;
        k ^= k >> 15;
        k *= 0x846ca68bu;
        return k ^ (k >> 16);
    }
    // On a fake clock, "wall-clock" stamps are the fake time after a fixed epoch (never 0,
    // which means "no stamp").
    qint64 realtimeNs() const { return m_clock ? kFakeEpochNs + m_clock->nowNs() : simRealtimeNs(); }
    static constexpr qint64 kFakeEpochNs = 1700000000LL * 1000000000LL;

    SimPath m_path;
    TransportConfig m_config;
    std::shared_ptr<SimStats> m_stats;
    std::shared_ptr<FakeClock> m_clock;
    QHash<quint16, quint64> m_scheduled; // seq -> fake-clock callback of its answer
    QSet<quint16> m_inFlight;
    QObject m_context;
};

class SimulatedFactory final : public ProbeTransportFactory
{
public:
    explicit SimulatedFactory(const SimulatedNetwork &network) : m_network(network) {}
    ProbeMethod resolveMethod(ProbeMethod requested, const QHostAddress &) const override
    {
        return requested == ProbeMethod::Auto ? ProbeMethod::Udp : requested;
    }
    std::unique_ptr<ProbeTransport> create(const TransportConfig &config, TransportError *error) override
    {
        const auto it = m_network.paths.constFind(config.destination.toString());
        if (it == m_network.paths.cend()) {
            *error = {TraceError::SocketError, QStringLiteral("no simulated path")};
            return {};
        }
        return std::make_unique<SimulatedTransport>(it.value(), config, m_network.stats, m_network.clock);
    }

private:
    SimulatedNetwork m_network;
};

// Paths the test may change while a watch runs: each round's transport takes the path as
// it is when the round starts.
struct SharedSimPaths
{
    QMutex mutex;
    QHash<QString, SimPath> paths;
    std::shared_ptr<SimStats> stats = std::make_shared<SimStats>();

    void set(const QString &destination, const SimPath &path)
    {
        QMutexLocker lock(&mutex);
        paths.insert(destination, path);
    }
};

class ChangingSimFactory final : public ProbeTransportFactory
{
public:
    explicit ChangingSimFactory(std::shared_ptr<SharedSimPaths> paths) : m_paths(std::move(paths)) {}
    ProbeMethod resolveMethod(ProbeMethod requested, const QHostAddress &) const override
    {
        return requested == ProbeMethod::Auto ? ProbeMethod::Udp : requested;
    }
    std::unique_ptr<ProbeTransport> create(const TransportConfig &config, TransportError *error) override
    {
        QMutexLocker lock(&m_paths->mutex);
        const auto it = m_paths->paths.constFind(config.destination.toString());
        if (it == m_paths->paths.cend()) {
            *error = {TraceError::SocketError, QStringLiteral("no simulated path")};
            return {};
        }
        return std::make_unique<SimulatedTransport>(it.value(), config, m_paths->stats);
    }

private:
    std::shared_ptr<SharedSimPaths> m_paths;
};

} // namespace tracemap::test

Q_DECLARE_METATYPE(tracemap::test::SimPath)
