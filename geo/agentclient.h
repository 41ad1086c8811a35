#pragma once
// Runs a trace on a tracemap-agent (docs/agent.md): GET {agent}/traceroute?dest=HOST&stream=1 with
// an optional `Authorization: Bearer` token. The answer is NDJSON: a `hop` line per completed TTL
// (reported at once through `hop`, so the route grows while the agent probes), then a `trace` line
// with the whole document, or an `error` line. An agent that knows its place sends a `vantage`
// line first (and a `vantage` object in the document): reported through `vantageReported`. A refusal before
// streaming (400/401/403/429/...) is an ordinary JSON error answer. Every wait is bounded: a total deadline
// and a cap on the bytes. The token is never logged nor part of a message.

#include "vantage.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace tracemap {

// The inverse of resultformat's hopToJson / traceToJson, for documents an agent sends.
Hop hopFromJson(const QJsonObject &hop);
TraceResult traceFromJson(const QJsonObject &document);
// Why what an agent sent cannot be drawn as a route (empty: it can): a TTL outside 1..255, TTLs
// not rising, an RTT that is negative (but for -1, "none"), not finite or over an hour. An
// agent is a server like any other: AgentTraceClient ends with BadAnswer on such a hop or trace.
QString agentHopProblem(const Hop &hop);
QString agentTraceProblem(const TraceResult &trace);
// An agent's `vantage` object ({name, latitude, longitude, source}) as the vantage of its routes:
// kind Agent, id the agent's URL; coordinates stay NaN when missing or out of range.
VantagePoint agentVantageFromJson(const QJsonObject &vantage, const QUrl &agent);

class AgentTraceClient : public QObject
{
    Q_OBJECT
public:
    enum class Error { None, BadToken, Refused, Network, Timeout, BadAnswer };
    Q_ENUM(Error)

    explicit AgentTraceClient(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~AgentTraceClient() override;

    void setToken(const QByteArray &token) { m_token = token; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    // `agent` is the agent's base URL (http://host:port/); `query` holds extra parameters (method, ...).
    void start(const QUrl &agent, const QString &target,
               const QList<std::pair<QString, QString>> &query = {});
    void cancel();

    QJsonObject document() const { return m_document; } // the final `trace` document

Q_SIGNALS:
    void hop(const tracemap::Hop &hop, const QJsonObject &json);
    void vantageReported(const tracemap::VantagePoint &vantage);
    void finished(tracemap::AgentTraceClient::Error error, const QString &message);

private:
    void readLines();
    void onFinished();
    void finish(Error error, const QString &message);

    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_reply;
    QTimer m_deadline;
    QByteArray m_token;
    QByteArray m_buffer;
    qint64 m_received = 0;
    int m_timeoutMs = 10 * 60 * 1000;
    QString m_host;
    QUrl m_agent;
    QJsonObject m_document;
    bool m_done = false;
};

} // namespace tracemap
