#include "httpfrontend.h"

#include "agentlog.h"
#include "agentparams.h"
#include "agentservice.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <microhttpd.h>

#include <arpa/inet.h>
#include <cstdarg>
#include <cstring>
#include <netinet/in.h>

namespace tracemap::agent {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// Per request, from the request line to the completion callback (MHD's *con_cls).
struct HttpFrontend::RequestState
{
    QElapsedTimer timer;
    qsizetype uriBytes = 0;
    QString client = QStringLiteral("-");
    QString method = QStringLiteral("-");
    QString path = QStringLiteral("-");
    QString dest = QStringLiteral("-");
    int status = 0;
    bool queued = false;
    ProbeJobPtr job;
};

namespace {

QString clientOf(MHD_Connection *connection)
{
    const MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr)
        return QStringLiteral("?");
    QHostAddress a(info->client_addr);
    bool isV4 = false;
    const quint32 v4 = a.toIPv4Address(&isV4);
    if (isV4)
        a = QHostAddress(v4);
    return a.toString();
}

// One token per field in the access log, whatever the client sent.
QString forLog(const QString &text)
{
    QString out = text.left(256);
    for (QChar &c : out) {
        if (c.unicode() <= 0x20 || c.unicode() == 0x7f)
            c = QLatin1Char('_');
    }
    return out.isEmpty() ? QStringLiteral("-") : out;
}

MHD_Result iterateQuery(void *cls, MHD_ValueKind, const char *key, const char *value)
{
    auto *items = static_cast<QueryItems *>(cls);
    items->append({QString::fromUtf8(key ? key : ""), value ? QString::fromUtf8(value) : QString()});
    return MHD_YES;
}

MHD_Result sumHeaderBytes(void *cls, MHD_ValueKind, const char *key, const char *value)
{
    *static_cast<qsizetype *>(cls) +=
        qsizetype(std::strlen(key ? key : "") + std::strlen(value ? value : "") + 4);
    return MHD_YES;
}

// Streams ProbeJob::streamData; parks the connection when it has caught up.
struct StreamReader
{
    ProbeJobPtr job;
    MHD_Connection *connection;

    static ssize_t read(void *cls, uint64_t pos, char *buf, size_t max)
    {
        auto *self = static_cast<StreamReader *>(cls);
        ProbeJob &job = *self->job;
        std::lock_guard lock(job.mutex);
        const auto available = uint64_t(job.streamData.size());
        if (pos < available) {
            const size_t n = std::min<uint64_t>(max, available - pos);
            std::memcpy(buf, job.streamData.constData() + pos, n);
            return ssize_t(n);
        }
        if (job.phase == ProbeJob::Phase::Done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        // Nothing yet: park until the service publishes more (returning 0 without
        // suspending would make the library spin).
        job.suspended = true;
        MHD_suspend_connection(self->connection);
        return 0;
    }
    static void free(void *cls) { delete static_cast<StreamReader *>(cls); }
};

} // namespace

// Adapters from the library's C callbacks to the frontend.
struct HttpFrontendCallbacks
{
    static MHD_Result access(void *cls, MHD_Connection *connection, const char *url, const char *method,
                             const char *, const char *, size_t *uploadSize, void **requestContext)
    {
        return static_cast<HttpFrontend *>(cls)->handle(connection, url, method, uploadSize, requestContext)
                   ? MHD_YES
                   : MHD_NO;
    }
    // Called when the request line has arrived: the request's clock starts here.
    static void *uriLog(void *, const char *uri, MHD_Connection *connection)
    {
        auto *state = new HttpFrontend::RequestState;
        state->timer.start();
        state->uriBytes = qsizetype(std::strlen(uri ? uri : ""));
        state->client = clientOf(connection);
        return state;
    }
    static void completed(void *cls, MHD_Connection *connection, void **requestContext,
                          MHD_RequestTerminationCode)
    {
        static_cast<HttpFrontend *>(cls)->completed(connection, requestContext);
    }
    // The connection's clock: from its start, then from the end of each request, so
    // that header_timeout bounds the whole request head however slowly it trickles in.
    static void connection(void *, MHD_Connection *, void **socketContext,
                           MHD_ConnectionNotificationCode code)
    {
        if (code == MHD_CONNECTION_NOTIFY_STARTED) {
            auto *timer = new QElapsedTimer;
            timer->start();
            *socketContext = timer;
        } else {
            delete static_cast<QElapsedTimer *>(*socketContext);
            *socketContext = nullptr;
        }
    }
    static QElapsedTimer *connectionTimer(MHD_Connection *connection)
    {
        const MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        return info ? static_cast<QElapsedTimer *>(info->socket_context) : nullptr;
    }
    static void log(void *, const char *format, va_list args)
    {
        char buffer[512];
        std::vsnprintf(buffer, sizeof buffer, format, args);
        qCDebug(lcAgent).noquote() << "microhttpd:" << QByteArray(buffer).trimmed();
    }
};

HttpFrontend::HttpFrontend(const Config &config, AgentService *service, ProbeLimiter *limiter)
    : m_config(config), m_service(service), m_limiter(limiter)
{}

HttpFrontend::~HttpFrontend()
{
    stop();
}

bool HttpFrontend::start(QString *error)
{
    sockaddr_storage address{};
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (m_config.listenAddress.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&address);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(m_config.listenPort);
        const Q_IPV6ADDR bytes = m_config.listenAddress.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        flags |= MHD_USE_IPv6;
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&address);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(m_config.listenPort);
        in4->sin_addr.s_addr = htonl(m_config.listenAddress.toIPv4Address());
    }
    const Limits &l = m_config.limits;
    m_uptime.start();
    // The pool holds the request line, the headers and the answer's headers; the exact
    // max_header_bytes limit is checked in handle(), the pool is the library's hard stop.
    const size_t memoryLimit = size_t(l.maxHeaderBytes) * 2 + 4096;
    m_daemon = MHD_start_daemon(
        flags, m_config.listenPort, nullptr, nullptr, &HttpFrontendCallbacks::access, this,
        MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_CONNECTION_LIMIT, unsigned(l.maxConnections),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, unsigned(l.maxConnectionsPerClient),
        MHD_OPTION_CONNECTION_TIMEOUT, unsigned(l.idleTimeoutSec), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        memoryLimit, MHD_OPTION_URI_LOG_CALLBACK, &HttpFrontendCallbacks::uriLog, this,
        MHD_OPTION_NOTIFY_COMPLETED, &HttpFrontendCallbacks::completed, this, MHD_OPTION_NOTIFY_CONNECTION,
        &HttpFrontendCallbacks::connection, this, MHD_OPTION_EXTERNAL_LOGGER, &HttpFrontendCallbacks::log,
        this, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (!m_daemon) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(m_config.listenAddress.toString())
                     .arg(m_config.listenPort)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    const MHD_DaemonInfo *info = MHD_get_daemon_info(m_daemon, MHD_DAEMON_INFO_BIND_PORT);
    m_port = info ? info->port : m_config.listenPort;
    return true;
}

void HttpFrontend::stopAccepting()
{
    m_stopping = true;
    if (!m_daemon)
        return;
    const MHD_socket listener = MHD_quiesce_daemon(m_daemon);
    if (listener != MHD_INVALID_SOCKET)
        ::close(listener);
}

void HttpFrontend::stop()
{
    m_stopping = true;
    if (m_daemon) {
        MHD_stop_daemon(m_daemon);
        m_daemon = nullptr;
    }
}

int HttpFrontend::respond(MHD_Connection *connection, RequestState *state, int status, const QByteArray &body,
                          const Headers &headers)
{
    MHD_Response *response = MHD_create_response_from_buffer(
        size_t(body.size()), const_cast<char *>(body.constData()), MHD_RESPMEM_MUST_COPY);
    if (!response)
        return 0;
    MHD_add_response_header(response, "Content-Type", "application/json");
    MHD_add_response_header(response, "Cache-Control", "no-store");
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    for (const auto &h : headers)
        MHD_add_response_header(response, h.first.constData(), h.second.constData());
    const MHD_Result queued = MHD_queue_response(connection, unsigned(status), response);
    MHD_destroy_response(response);
    state->status = status;
    state->queued = queued == MHD_YES;
    return queued == MHD_YES;
}

int HttpFrontend::respondError(MHD_Connection *connection, RequestState *state, int status,
                               const QString &message, const QString &parameter, const Headers &headers)
{
    return respond(connection, state, status, errorBody(message, parameter), headers);
}

int HttpFrontend::handle(MHD_Connection *connection, const char *url, const char *method, size_t *uploadSize,
                         void **requestContext)
{
    auto *state = static_cast<RequestState *>(*requestContext);
    if (!state) { // the URI callback always runs first; be safe anyway
        state = new RequestState;
        state->timer.start();
        state->client = clientOf(connection);
        *requestContext = state;
    }
    if (state->job)
        return answerJob(connection, state);
    if (state->queued)
        return 1;
    if (*uploadSize != 0) { // a body we already refused; let the library drop it
        *uploadSize = 0;
        return 1;
    }
    state->method = QString::fromLatin1(method);
    state->path = forLog(QString::fromUtf8(url));
    const Limits &limits = m_config.limits;

    if (m_stopping)
        return respondError(connection, state, 503, QStringLiteral("the agent is shutting down"), {},
                            {{"Connection", "close"}});

    // Exact size limit (the library's memory pool is only a hard stop above it).
    qsizetype headerBytes = 0;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, &sumHeaderBytes, &headerBytes);
    const qsizetype requestLineBytes = state->uriBytes + qsizetype(std::strlen(method)) + 11;
    if (requestLineBytes > limits.maxHeaderBytes)
        return respondError(connection, state, 414,
                            QStringLiteral("the request line exceeds %1 bytes").arg(limits.maxHeaderBytes),
                            {}, {{"Connection", "close"}});
    if (requestLineBytes + headerBytes > limits.maxHeaderBytes)
        return respondError(
            connection, state, 431,
            QStringLiteral("the request line and headers exceed %1 bytes").arg(limits.maxHeaderBytes), {},
            {{"Connection", "close"}});
    // Idle time is bounded by the library; this bounds the whole request head.
    const QElapsedTimer *headTimer = HttpFrontendCallbacks::connectionTimer(connection);
    if (headTimer && headTimer->isValid() && headTimer->elapsed() > qint64(limits.headerTimeoutSec) * 1000)
        return respondError(
            connection, state, 408,
            QStringLiteral("the request took longer than %1 s to arrive").arg(limits.headerTimeoutSec), {},
            {{"Connection", "close"}});

    if (!m_config.token.isEmpty()) {
        const char *authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
        const QByteArray value = authorization ? QByteArray(authorization).trimmed() : QByteArray();
        const bool bearer = value.size() > 7 && value.left(7).compare("bearer ", Qt::CaseInsensitive) == 0;
        const QByteArray given = bearer ? value.mid(7).trimmed() : QByteArray();
        if (!bearer || !constantTimeEquals(given, m_config.token))
            return respondError(connection, state, 401,
                                authorization ? QStringLiteral("invalid token")
                                              : QStringLiteral("missing 'Authorization: Bearer' token"),
                                {},
                                {{"WWW-Authenticate",
                                  authorization ? "Bearer realm=\"tracemap-agent\", error=\"invalid_token\""
                                                : "Bearer realm=\"tracemap-agent\""}});
    }

    const QString path = QString::fromUtf8(url);
    const bool isPing = path == QLatin1String("/ping");
    const bool isTrace = path == QLatin1String("/traceroute");
    const bool isHealth = path == QLatin1String("/health");
    const bool isVersion = path == QLatin1String("/version");
    if (!isPing && !isTrace && !isHealth && !isVersion)
        return respondError(connection, state, 404, QStringLiteral("no such endpoint '%1'").arg(path));
    if (std::strcmp(method, "GET") != 0)
        return respondError(connection, state, 405,
                            QStringLiteral("method %1 not allowed").arg(state->method), {},
                            {{"Allow", "GET"}});
    const char *contentLength = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
    const char *transferEncoding =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Transfer-Encoding");
    if ((contentLength && std::strcmp(contentLength, "0") != 0) || transferEncoding)
        return respondError(connection, state, 413, QStringLiteral("GET requests take no body"), {},
                            {{"Connection", "close"}});

    if (isHealth) {
        const QJsonObject health{{QStringLiteral("status"), QStringLiteral("ok")},
                                 {QStringLiteral("active_probes"), m_limiter->active()},
                                 {QStringLiteral("uptime_s"), double(m_uptime.elapsed() / 100) / 10.0}};
        return respond(connection, state, 200, QJsonDocument(health).toJson(QJsonDocument::Compact) + '\n');
    }
    if (isVersion) {
        const QJsonObject version{{QStringLiteral("name"), QStringLiteral("tracemap-agent")},
                                  {QStringLiteral("version"), QStringLiteral(TRACEMAP_VERSION)},
                                  {QStringLiteral("qt"), QString::fromLatin1(qVersion())},
                                  {QStringLiteral("microhttpd"), QString::fromLatin1(MHD_get_version())}};
        return respond(connection, state, 200, QJsonDocument(version).toJson(QJsonDocument::Compact) + '\n');
    }

    QueryItems query;
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &iterateQuery, &query);
    auto job = std::make_shared<ProbeJob>();
    job->client = state->client;
    ParamError problem;
    if (isPing) {
        PingParams params;
        problem = parsePingParams(query, limits, &params);
        job->kind = ProbeJob::Kind::Ping;
        job->ping = params.request;
        job->dest = params.request.target;
    } else {
        TraceParams params;
        problem = parseTraceParams(query, limits, &params);
        job->kind = ProbeJob::Kind::Trace;
        job->trace = params.request;
        job->stream = params.stream;
        job->dest = params.request.target;
    }
    for (const auto &item : query) {
        if (item.first == QLatin1String("dest"))
            state->dest = forLog(item.second);
    }
    if (problem.isError())
        return respondError(connection, state, 400, problem.message, problem.parameter);

    switch (m_limiter->tryAcquire(state->client)) {
    case ProbeLimiter::Refusal::Total:
        return respondError(connection, state, 429,
                            QStringLiteral("too many probes running (limit %1)").arg(limits.maxProbes), {},
                            {{"Retry-After", QByteArray::number(limits.retryAfterSec)}});
    case ProbeLimiter::Refusal::PerClient:
        return respondError(connection, state, 429,
                            QStringLiteral("too many probes running for %1 (limit %2)")
                                .arg(state->client)
                                .arg(limits.maxProbesPerClient),
                            {}, {{"Retry-After", QByteArray::number(limits.retryAfterSec)}});
    case ProbeLimiter::Refusal::None:
        break;
    }

    job->resume = [connection] {
        MHD_resume_connection(connection);
    };
    state->job = job;
    AgentService *service = m_service;
    QMetaObject::invokeMethod(
        service, [service, job] { service->submit(job); }, Qt::QueuedConnection);
    {
        // Park unless the service already answered (it resumes only a parked connection).
        std::lock_guard lock(job->mutex);
        if (job->phase == ProbeJob::Phase::Pending) {
            job->suspended = true;
            MHD_suspend_connection(connection);
            return 1;
        }
    }
    return answerJob(connection, state);
}

int HttpFrontend::answerJob(MHD_Connection *connection, RequestState *state)
{
    if (state->queued)
        return 1;
    ProbeJob &job = *state->job;
    std::unique_lock lock(job.mutex);
    if (job.phase == ProbeJob::Phase::Pending) {
        job.suspended = true;
        MHD_suspend_connection(connection);
        return 1;
    }
    if (job.phase == ProbeJob::Phase::Streaming || (job.stream && job.status == 200)) {
        lock.unlock();
        auto *reader = new StreamReader{state->job, connection};
        MHD_Response *response = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 4096, &StreamReader::read, reader, &StreamReader::free);
        if (!response) {
            delete reader;
            return 0;
        }
        MHD_add_response_header(response, "Content-Type", "application/x-ndjson");
        MHD_add_response_header(response, "Cache-Control", "no-store");
        MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
        const MHD_Result queued = MHD_queue_response(connection, 200, response);
        MHD_destroy_response(response);
        state->status = 200;
        state->queued = queued == MHD_YES;
        return queued == MHD_YES;
    }
    const int status = job.status;
    const QByteArray body = job.body;
    lock.unlock();
    return respond(connection, state, status, body);
}

void HttpFrontend::completed(MHD_Connection *connection, void **requestContext)
{
    if (QElapsedTimer *headTimer = HttpFrontendCallbacks::connectionTimer(connection))
        headTimer->start(); // the next request's head starts now
    auto *state = static_cast<RequestState *>(*requestContext);
    if (!state)
        return;
    *requestContext = nullptr;
    if (state->job) {
        std::lock_guard lock(state->job->mutex);
        state->job->abandoned = true;
        state->job->resume = [] {
        };
    }
    qCInfo(lcAgent).noquote() << QStringLiteral(
                                     "access client=%1 method=%2 path=%3 dest=%4 status=%5 duration_ms=%6")
                                     .arg(state->client, forLog(state->method), state->path, state->dest,
                                          state->status ? QString::number(state->status)
                                                        : QStringLiteral("-"))
                                     .arg(double(state->timer.nsecsElapsed() / 1000) / 1000.0);
    delete state;
}

} // namespace tracemap::agent
