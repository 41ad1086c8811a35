#include "agentclient.h"

#include "apisession.h"
#include "traceoptions.h"
#include "useragent.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

constexpr qint64 kMaxBytes = 16 * 1024 * 1024; // a trace document is a few KB; a stream far less than this

QHostAddress address(const QJsonValue &v)
{
    return v.isString() ? QHostAddress(v.toString()) : QHostAddress();
}

ReplyKind kindFrom(const QString &name)
{
    for (ReplyKind k : {ReplyKind::TimeExceeded, ReplyKind::Unreachable, ReplyKind::EchoReply,
                        ReplyKind::TcpConnected, ReplyKind::TcpRefused, ReplyKind::OtherIcmp}) {
        if (toString(k) == name)
            return k;
    }
    return ReplyKind::None;
}

} // namespace

Hop hopFromJson(const QJsonObject &json)
{
    Hop hop;
    hop.ttl = json.value(QLatin1String("ttl")).toInt();
    hop.complete = true;
    const QHostAddress destination = address(json.value(QLatin1String("dest")));
    for (const QJsonValue &v : json.value(QLatin1String("ping_time")).toArray()) {
        const QJsonObject p = v.toObject();
        ProbeReply r;
        r.query = p.value(QLatin1String("attempt")).toInt(int(hop.replies.size()) + 1);
        r.responder = address(p.value(QLatin1String("address")));
        r.kind = kindFrom(p.value(QLatin1String("reply")).toString());
        r.rttMs =
            p.value(QLatin1String("time")).isDouble() ? p.value(QLatin1String("time")).toDouble() : -1.0;
        r.icmpType = p.value(QLatin1String("type")).toInt(-1);
        r.icmpCode = p.value(QLatin1String("code")).toInt(-1);
        r.fromDestination = !destination.isNull() && r.responder.isEqual(destination);
        hop.replies.append(r);
    }
    // An agent probes as tracemap does (--queries); a larger count is not one it made.
    hop.probesSent =
        std::max(int(hop.replies.size()),
                 std::clamp(json.value(QLatin1String("packets")).toInt(), 0, int(kQueriesRange.max)));
    return hop;
}

QString agentHopProblem(const Hop &hop)
{
    if (hop.ttl < kTtlRange.min || hop.ttl > kTtlRange.max)
        return QStringLiteral("a hop with TTL %1 (expected %2 to %3)")
            .arg(hop.ttl)
            .arg(kTtlRange.min)
            .arg(kTtlRange.max);
    for (const ProbeReply &r : hop.replies) {
        const bool none = r.rttMs == -1.0;
        if (!none && !(std::isfinite(r.rttMs) && r.rttMs >= 0.0 && r.rttMs <= 3600.0 * 1000.0))
            return QStringLiteral("an RTT of %1 ms at TTL %2").arg(r.rttMs).arg(hop.ttl);
    }
    return {};
}

QString agentTraceProblem(const TraceResult &trace)
{
    int last = 0;
    for (const Hop &hop : trace.hops) {
        if (const QString problem = agentHopProblem(hop); !problem.isEmpty())
            return problem;
        if (hop.ttl <= last)
            return QStringLiteral("TTL %1 after TTL %2 (expected rising)").arg(hop.ttl).arg(last);
        last = hop.ttl;
    }
    return {};
}

VantagePoint agentVantageFromJson(const QJsonObject &vantage, const QUrl &agent)
{
    VantagePoint v;
    v.kind = VantageKind::Agent;
    v.id = agent.toString(QUrl::RemoveUserInfo);
    const QString name = jsonLabel(vantage.value(QLatin1String("name")), 100);
    v.name = QStringLiteral("Agent %1").arg(agent.host());
    v.city = name; // the legend's place: "Agent host, Frankfurt office"
    const QJsonValue lat = vantage.value(QLatin1String("latitude"));
    const QJsonValue lon = vantage.value(QLatin1String("longitude"));
    if (lat.isDouble() && lon.isDouble() && std::abs(lat.toDouble()) <= 90.0 &&
        std::abs(lon.toDouble()) <= 180.0) {
        v.latitude = lat.toDouble();
        v.longitude = lon.toDouble();
    }
    return v;
}

TraceResult traceFromJson(const QJsonObject &document)
{
    TraceResult t;
    t.target = document.value(QLatin1String("target")).toString();
    t.destination = address(document.value(QLatin1String("dest")));
    t.source = address(document.value(QLatin1String("source")));
    t.method =
        probeMethodFromString(document.value(QLatin1String("method")).toString()).value_or(ProbeMethod::Udp);
    t.transport = document.value(QLatin1String("transport")).toString();
    t.reached = document.value(QLatin1String("reached")).toBool();
    t.elapsedMs = document.value(QLatin1String("elapsed_ms")).toDouble();
    t.request.target = t.target;
    t.request.method = t.method;
    t.request.maxTtl = document.value(QLatin1String("ttl")).toInt(30);
    t.request.queries = document.value(QLatin1String("packets")).toInt(3);
    for (const QJsonValue &h : document.value(QLatin1String("ping_time")).toArray())
        t.hops.append(hopFromJson(h.toObject()));
    if (!t.hops.isEmpty())
        t.request.firstTtl = t.hops.first().ttl;
    const QJsonObject error = document.value(QLatin1String("error")).toObject();
    t.errorMessage = error.value(QLatin1String("message")).toString();
    return t;
}

AgentTraceClient::AgentTraceClient(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_network(network)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        finish(Error::Timeout, QStringLiteral("the agent at %1 sent no complete answer within %2 s")
                                   .arg(m_host)
                                   .arg(m_timeoutMs / 1000.0));
    });
}

AgentTraceClient::~AgentTraceClient()
{
    m_done = true;
    cancel();
}

void AgentTraceClient::cancel()
{
    m_deadline.stop();
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
        m_reply->deleteLater();
    }
    m_reply = nullptr;
}

void AgentTraceClient::start(const QUrl &agent, const QString &target,
                             const QList<std::pair<QString, QString>> &query)
{
    m_done = false;
    m_buffer.clear();
    m_received = 0;
    m_document = {};
    m_host = agent.host();
    m_agent = agent;
    QUrl url = apiUrl(agent, QStringLiteral("/traceroute"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("dest"), target);
    for (const auto &[key, value] : query)
        q.addQueryItem(key, value);
    q.addQueryItem(QStringLiteral("stream"), QStringLiteral("1"));
    url.setQuery(q);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setMaximumRedirectsAllowed(0);
    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &AgentTraceClient::readLines);
    connect(m_reply, &QNetworkReply::finished, this, &AgentTraceClient::onFinished);
    m_deadline.start(m_timeoutMs);
}

void AgentTraceClient::readLines()
{
    if (!m_reply)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // an error answer is read whole in onFinished()
    const QByteArray chunk = m_reply->readAll();
    m_received += chunk.size();
    if (m_received > kMaxBytes) {
        finish(Error::BadAnswer,
               QStringLiteral("the agent at %1 sent more than %2 bytes").arg(m_host).arg(kMaxBytes));
        return;
    }
    m_buffer += chunk;
    qsizetype newline;
    while (!m_done && (newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline).trimmed();
        m_buffer.remove(0, newline + 1);
        if (line.isEmpty())
            continue;
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        const QString kind = event.value(QLatin1String("event")).toString();
        if (kind == QLatin1String("hop")) {
            const QJsonObject json = event.value(QLatin1String("hop")).toObject();
            const Hop h = hopFromJson(json);
            if (const QString problem = agentHopProblem(h); !problem.isEmpty()) {
                finish(Error::BadAnswer, QStringLiteral("the agent at %1 sent %2").arg(m_host, problem));
                return;
            }
            emit hop(h, json);
        } else if (kind == QLatin1String("vantage")) {
            emit vantageReported(
                agentVantageFromJson(event.value(QLatin1String("vantage")).toObject(), m_agent));
        } else if (kind == QLatin1String("trace")) {
            const QJsonObject document = event.value(QLatin1String("trace")).toObject();
            if (const QString problem = agentTraceProblem(traceFromJson(document)); !problem.isEmpty()) {
                finish(Error::BadAnswer,
                       QStringLiteral("the agent at %1 sent a trace with %2").arg(m_host, problem));
                return;
            }
            m_document = document;
            finish(Error::None, {});
        } else if (kind == QLatin1String("error")) {
            finish(Error::Refused,
                   QStringLiteral("the agent at %1 stopped the trace: %2")
                       .arg(m_host, event.value(QLatin1String("error")).toString().left(300)));
        } else {
            finish(Error::BadAnswer,
                   QStringLiteral("the agent at %1 sent a line that is not a trace event").arg(m_host));
        }
    }
}

void AgentTraceClient::onFinished()
{
    if (!m_reply || m_done)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200) {
        readLines();
        if (!m_done)
            finish(Error::BadAnswer,
                   QStringLiteral("the agent at %1 ended the stream before the trace document").arg(m_host));
        return;
    }
    if (status == 0) {
        finish(Error::Network, QStringLiteral("%1: %2").arg(m_host, m_reply->errorString()));
        return;
    }
    const QByteArray body = m_reply->read(64 * 1024);
    const QString detail = QJsonDocument::fromJson(body)
                               .object()
                               .value(QLatin1String("error"))
                               .toString()
                               .simplified()
                               .left(300);
    const QString message = QStringLiteral("the agent at %1 answered HTTP %2%3")
                                .arg(m_host)
                                .arg(status)
                                .arg(detail.isEmpty() ? QString() : QStringLiteral(": ") + detail);
    if (status == 401)
        finish(Error::BadToken, message + QStringLiteral(" (the token is wrong or missing)"));
    else
        finish(Error::Refused, message);
}

void AgentTraceClient::finish(Error error, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    cancel();
    emit finished(error, message);
}

} // namespace tracemap
