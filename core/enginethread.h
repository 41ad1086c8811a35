// Owns a worker QThread running a TraceEngine. Calls are forwarded with queued
// invocations; results come back through the engine's signals (connect to engine()
// from any thread: Qt queues them to the receiver's thread). Shutdown is cancel +
// quit + bounded wait; never terminate().
#pragma once

#include "traceengine.h"

#include <QObject>
#include <QThread>

#include <atomic>

namespace tracemap {

class EngineThread : public QObject
{
    Q_OBJECT
public:
    // The factory and the clock go to the engine (see TraceEngine); null means the system's
    // sockets and the steady clock.
    explicit EngineThread(std::unique_ptr<ProbeTransportFactory> factory = {},
                          std::shared_ptr<EngineClock> clock = {}, QObject *parent = nullptr);
    ~EngineThread() override;

    // Safe to connect to from any thread; do not call its methods directly.
    TraceEngine *engine() const { return m_engine; }
    // Sends a trace's progress to `receiver`'s onTraceStarted, onHopUpdated and onTraceFinished,
    // queued to the receiver's thread (the engine lives in its worker thread). A receiver whose
    // handlers are private befriends EngineThread.
    template<typename Receiver> void connectTraceProgress(Receiver *receiver) const
    {
        QObject::connect(m_engine, &TraceEngine::traceStarted, receiver, &Receiver::onTraceStarted);
        QObject::connect(m_engine, &TraceEngine::hopUpdated, receiver, &Receiver::onHopUpdated);
        QObject::connect(m_engine, &TraceEngine::traceFinished, receiver, &Receiver::onTraceFinished);
    }

    quint64 startTrace(const TraceRequest &request);
    quint64 startPing(const PingRequest &request);
    void cancel(quint64 id);

    // Cancels everything and stops the thread; waits at most timeoutMs. Returns whether
    // the thread stopped in time.
    bool shutdown(int timeoutMs = 1000);

private:
    QThread m_thread;
    TraceEngine *m_engine = nullptr;
    std::atomic<quint64> m_nextId{1};
};

} // namespace tracemap
