// The HTTP side of the agent, on GNU libmicrohttpd: ConnectionGate accepts (and refuses,
// and enforces the head deadline), one internal epoll thread owned by the library parses
// and answers. Quick answers (errors, /health, /version) are
// made in that thread; probe requests are handed to AgentService in the Qt main thread
// with a queued invocation while the connection is suspended (MHD_suspend_connection),
// and resumed when the service publishes the answer. Nothing in the library's thread ever
// blocks on the Qt side.
#pragma once

#include "agentconfig.h"
#include "agentjob.h"
#include "connectiongate.h"
#include "probelimiter.h"

#include <QElapsedTimer>
#include <QString>

#include <atomic>

struct MHD_Daemon;
struct MHD_Connection;

namespace tracemap::agent {

class AgentService;

class HttpFrontend
{
public:
    HttpFrontend(SharedConfig *config, AgentService *service, ProbeLimiter *limiter);
    ~HttpFrontend();
    HttpFrontend(const HttpFrontend &) = delete;
    HttpFrontend &operator=(const HttpFrontend &) = delete;

    // Binds and starts the library's thread. On failure returns false with *error set.
    bool start(QString *error);
    quint16 port() const;

    // Stops accepting connections and answers new requests 503 (shutdown, step 1).
    void stopAccepting();
    // Closes every connection and joins the library's thread. Every suspended connection
    // must have been resumed before (every admitted probe finished).
    void stop();

private:
    struct RequestState;
    friend struct HttpFrontendCallbacks;

    int handle(MHD_Connection *connection, const char *url, const char *method, const char *version,
               size_t *uploadSize, void **requestContext);
    int answerJob(MHD_Connection *connection, RequestState *state);
    int respond(MHD_Connection *connection, RequestState *state, int status, const QByteArray &body,
                const QList<QPair<QByteArray, QByteArray>> &headers = {});
    int respondError(MHD_Connection *connection, RequestState *state, int status, const QString &message,
                     const QString &parameter = {}, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void completed(MHD_Connection *connection, void **requestContext);

    void logAccess(const RequestState &state);

    SharedConfig *m_config;
    RejectLog m_rejectLog{10000};
    ConnectionGate m_gate;
    AgentService *m_service;
    ProbeLimiter *m_limiter;
    MHD_Daemon *m_daemon = nullptr;
    std::atomic<bool> m_stopping{false};
    QElapsedTimer m_uptime;
};

} // namespace tracemap::agent
