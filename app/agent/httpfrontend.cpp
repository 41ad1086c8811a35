#include "httpfrontend.h"

#include "agentlog.h"
#include "agentparams.h"
#include "agentservice.h"
#include "destinationpolicy.h"

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
    std::shared_ptr<const Config> config; // the configuration when the request line arrived
    qsizetype uriBytes = 0;
    const char *rawUri = nullptr; // where the request target starts in the library's buffer
    bool nulInTarget = false;     // %00 in the target
    bool headSeen = false;
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
    return unmappedAddress(QHostAddress(info->client_addr)).toString();
}

int socketOf(MHD_Connection *connection)
{
    const MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
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
    if ((!key || !*key) && (!value || !*value))
        return MHD_YES; // "a=1&&b=2": an empty segment is no parameter
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
                             const char *version, const char *, size_t *uploadSize, void **requestContext)
    {
        return static_cast<HttpFrontend *>(cls)->handle(connection, url, method, version, uploadSize,
                                                        requestContext)
                   ? MHD_YES
                   : MHD_NO;
    }
    // Called when the request line has arrived: the request's clock starts here.
    static void *uriLog(void *cls, const char *uri, MHD_Connection *connection)
    {
        auto *state = new HttpFrontend::RequestState;
        state->timer.start();
        state->config = static_cast<HttpFrontend *>(cls)->m_config->get();
        state->rawUri = uri;
        state->uriBytes = qsizetype(std::strlen(uri ? uri : ""));
        // Not yet decoded here: a %00 would silently cut the decoded path or value short.
        state->nulInTarget = uri && QByteArray::fromRawData(uri, state->uriBytes).toLower().contains("%00");
        state->client = clientOf(connection);
        return state;
    }
    static void completed(void *cls, MHD_Connection *connection, void **requestContext,
                          MHD_RequestTerminationCode)
    {
        static_cast<HttpFrontend *>(cls)->completed(connection, requestContext);
    }
    // The gate's table follows the connection; closed() runs before the library closes
    // the descriptor.
    static void connection(void *cls, MHD_Connection *connection, void **,
                           MHD_ConnectionNotificationCode code)
    {
        auto *self = static_cast<HttpFrontend *>(cls);
        if (code == MHD_CONNECTION_NOTIFY_STARTED)
            MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT,
                                      unsigned(self->m_config->get()->limits.idleTimeoutSec));
        else
            self->m_gate.closed(socketOf(connection));
    }
    static void log(void *, const char *format, va_list args)
    {
        char buffer[512];
        std::vsnprintf(buffer, sizeof buffer, format, args);
        qCDebug(lcAgent).noquote() << "microhttpd:" << QByteArray(buffer).trimmed();
    }
};

HttpFrontend::HttpFrontend(SharedConfig *config, AgentService *service, ProbeLimiter *limiter)
    : m_config(config), m_gate(config, &m_rejectLog), m_service(service), m_limiter(limiter)
{}

HttpFrontend::~HttpFrontend()
{
    stop();
}

bool HttpFrontend::start(QString *error)
{
    const std::shared_ptr<const Config> config = m_config->get();
    if (!m_gate.listen(config->listenAddress, config->listenPort, error))
        return false;
    // The gate accepts; the library only serves what it is given (MHD_add_connection).
    const unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                           MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    m_uptime.start();
    // The pool holds the request line, the headers and the answer's headers; the exact
    // max_header_bytes limit is checked in handle(), the pool is the library's hard stop.
    const size_t memoryLimit = size_t(config->limits.maxHeaderBytes) * 2 + 4096;
    m_daemon =
        MHD_start_daemon(flags, 0, nullptr, nullptr, &HttpFrontendCallbacks::access, this,
                         // The gate enforces the (reloadable) limits; the library's own is only a backstop.
                         MHD_OPTION_CONNECTION_LIMIT, 10000u + 64u, MHD_OPTION_CONNECTION_TIMEOUT,
                         unsigned(config->limits.idleTimeoutSec), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         memoryLimit, MHD_OPTION_URI_LOG_CALLBACK, &HttpFrontendCallbacks::uriLog, this,
                         MHD_OPTION_NOTIFY_COMPLETED, &HttpFrontendCallbacks::completed, this,
                         MHD_OPTION_NOTIFY_CONNECTION, &HttpFrontendCallbacks::connection, this,
                         MHD_OPTION_EXTERNAL_LOGGER, &HttpFrontendCallbacks::log, this, MHD_OPTION_END);
    if (!m_daemon) {
        *error = QStringLiteral("cannot start the HTTP server: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    AgentService *service = m_service;
    m_gate.start(m_daemon, [service](const ProbeJobPtr &job) {
        QMetaObject::invokeMethod(
            service, [service, job] { service->abandon(job); }, Qt::QueuedConnection);
    });
    return true;
}

quint16 HttpFrontend::port() const
{
    return m_gate.port();
}

void HttpFrontend::stopAccepting()
{
    m_stopping = true;
    m_gate.stopAccepting();
}

void HttpFrontend::stop()
{
    m_stopping = true;
    m_gate.stop();
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

int HttpFrontend::handle(MHD_Connection *connection, const char *url, const char *method, const char *version,
                         size_t *uploadSize, void **requestContext)
{
    auto *state = static_cast<RequestState *>(*requestContext);
    if (!state) { // the URI callback always runs first; be safe anyway
        state = new RequestState;
        state->timer.start();
        state->config = m_config->get();
        state->client = clientOf(connection);
        *requestContext = state;
    }
    if (!state->headSeen) { // the head is complete: the gate's deadline no longer applies
        state->headSeen = true;
        m_gate.headComplete(socketOf(connection));
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
    const Config &config = *state->config;
    const Limits &limits = config.limits;

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
    // The library parses the request line as C strings: a NUL (raw, or %00 once decoded)
    // would silently cut the path or a parameter short. The raw target ends one byte before
    // the version; if strlen() stopped earlier, a NUL is inside.
    const std::ptrdiff_t targetBytes = version && state->rawUri ? version - 1 - state->rawUri : -1;
    const bool rawNul = targetBytes > state->uriBytes && targetBytes <= qsizetype(limits.maxHeaderBytes) * 2;
    if (rawNul || state->nulInTarget)
        return respondError(connection, state, 400, QStringLiteral("the request line contains a NUL byte"),
                            {}, {{"Connection", "close"}});

    if (!config.token.isEmpty()) {
        const char *authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
        const QByteArray value = authorization ? QByteArray(authorization).trimmed() : QByteArray();
        const bool bearer = value.size() > 7 && value.left(7).compare("bearer ", Qt::CaseInsensitive) == 0;
        const QByteArray given = bearer ? value.mid(7).trimmed() : QByteArray();
        if (!bearer || !constantTimeEquals(given, config.token))
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
    const bool isMtr = path == QLatin1String("/mtr");
    const bool isHealth = path == QLatin1String("/health");
    const bool isVersion = path == QLatin1String("/version");
    if (!isPing && !isTrace && !isMtr && !isHealth && !isVersion)
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
    } else if (isMtr) {
        MtrParams params;
        problem = parseMtrParams(query, limits, &params);
        job->kind = ProbeJob::Kind::Mtr;
        job->watch = params.request;
        job->trace = params.request.trace; // method, port and family for the checks below
        job->stream = params.stream;
        job->dest = params.request.trace.target;
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
    // TCP and UDP probes only to the allowed ports: the agent must not be a port scanner.
    const ProbeMethod probeMethod = isPing ? job->ping.method : job->trace.method;
    const quint16 port = isPing ? job->ping.port : job->trace.port;
    if (probeMethod != ProbeMethod::Icmp && port != 0 && !portAllowed(config, port))
        return respondError(
            connection, state, 403,
            QStringLiteral("port %1 is not one the agent probes (see allowed_ports)").arg(port),
            QStringLiteral("port"));
    job->config = state->config;

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
    m_gate.watch(socketOf(connection), job); // notices the client hanging up while suspended
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
    m_gate.requestDone(socketOf(connection)); // the next request's head deadline starts now
    auto *state = static_cast<RequestState *>(*requestContext);
    if (!state)
        return;
    *requestContext = nullptr;
    if (state->job) {
        bool running = false;
        {
            std::lock_guard lock(state->job->mutex);
            running = state->job->phase != ProbeJob::Phase::Done;
            state->job->abandoned = true;
            state->job->resume = [] {
            };
        }
        if (running) { // the client left mid-answer: stop the probe now
            AgentService *service = m_service;
            const ProbeJobPtr job = state->job;
            QMetaObject::invokeMethod(
                service, [service, job] { service->abandon(job); }, Qt::QueuedConnection);
        }
    }
    logAccess(*state);
    delete state;
}

void HttpFrontend::logAccess(const RequestState &state)
{
    const QString line = QStringLiteral("access client=%1 method=%2 path=%3 dest=%4 status=%5 duration_ms=%6")
                             .arg(state.client, forLog(state.method), state.path, state.dest,
                                  state.status ? QString::number(state.status) : QStringLiteral("-"))
                             .arg(double(state.timer.nsecsElapsed() / 1000) / 1000.0);
    // Rejected requests (and those the library refused) are rate-limited per client: a flood
    // of bad requests must not become a flood of log lines.
    if (state.status != 0 && state.status < 400) {
        qCInfo(lcAgent).noquote() << line;
        return;
    }
    for (const QString &l : m_rejectLog.record(state.client, line, monotonicNowMs()))
        qCInfo(lcAgent).noquote() << l;
}

} // namespace tracemap::agent
