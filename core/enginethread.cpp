#include "enginethread.h"

#include "logging.h"

namespace tracemap {

EngineThread::EngineThread(std::unique_ptr<ProbeTransportFactory> factory, std::shared_ptr<EngineClock> clock,
                           QObject *parent)
    : QObject(parent)
{
    registerTraceTypes();
    m_thread.setObjectName(QStringLiteral("tracemap-engine"));
    m_engine = new TraceEngine(std::move(factory), std::move(clock));
    m_engine->moveToThread(&m_thread);
    // The engine dies in its own thread, after its event loop has stopped.
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_thread.start();
}

EngineThread::~EngineThread()
{
    shutdown();
}

quint64 EngineThread::startTrace(const TraceRequest &request)
{
    const quint64 id = m_nextId++;
    QMetaObject::invokeMethod(m_engine, "startTrace", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(tracemap::TraceRequest, request));
    return id;
}

quint64 EngineThread::startPing(const PingRequest &request)
{
    const quint64 id = m_nextId++;
    QMetaObject::invokeMethod(m_engine, "startPing", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(tracemap::PingRequest, request));
    return id;
}

void EngineThread::cancel(quint64 id)
{
    QMetaObject::invokeMethod(m_engine, "cancel", Qt::QueuedConnection, Q_ARG(quint64, id));
}

bool EngineThread::shutdown(int timeoutMs)
{
    if (!m_thread.isRunning())
        return true;
    QMetaObject::invokeMethod(m_engine, "cancelAll", Qt::QueuedConnection);
    m_thread.quit();
    if (!m_thread.wait(QDeadlineTimer(timeoutMs))) {
        qCWarning(lcEngine) << "engine thread did not stop within" << timeoutMs << "ms";
        return false;
    }
    return true;
}

} // namespace tracemap
