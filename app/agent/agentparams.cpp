#include "agentparams.h"

#include "traceengine.h"

#include <QHash>
#include <QHostAddress>

#include <algorithm>
#include <cmath>

namespace tracemap::agent {

namespace {

// Reads each parameter once; remembers which were consumed so leftovers are reported.
class QueryReader
{
public:
    explicit QueryReader(const QueryItems &items) : m_items(items) {}

    // Returns the first problem with the parameter names themselves (duplicates).
    ParamError checkDuplicates() const
    {
        QHash<QString, int> seen;
        for (const auto &item : m_items) {
            if (++seen[item.first] == 2)
                return {QStringLiteral("parameter '%1' is given more than once").arg(item.first), item.first};
        }
        return {};
    }

    bool has(const QString &name) const
    {
        for (const auto &item : m_items) {
            if (item.first == name)
                return true;
        }
        return false;
    }

    QString value(const QString &name)
    {
        m_used.insert(name);
        for (const auto &item : m_items) {
            if (item.first == name)
                return item.second;
        }
        return {};
    }

    ParamError readInt(const QString &name, int min, int max, int *out)
    {
        if (!has(name)) {
            m_used.insert(name);
            return {};
        }
        bool ok = false;
        const QString text = value(name);
        const int v = text.toInt(&ok);
        if (!ok || v < min || v > max)
            return {QStringLiteral("'%1' must be an integer from %2 to %3").arg(name).arg(min).arg(max),
                    name};
        *out = v;
        return {};
    }

    ParamError readDouble(const QString &name, double min, double max, double *out)
    {
        if (!has(name)) {
            m_used.insert(name);
            return {};
        }
        bool ok = false;
        const double v = value(name).toDouble(&ok);
        if (!ok || !std::isfinite(v) || v < min || v > max)
            return {QStringLiteral("'%1' must be a number from %2 to %3").arg(name).arg(min).arg(max), name};
        *out = v;
        return {};
    }

    ParamError readBool(const QString &name, bool *out)
    {
        if (!has(name)) {
            m_used.insert(name);
            return {};
        }
        const QString v = value(name).toLower();
        if (v == QLatin1String("1") || v == QLatin1String("true") || v == QLatin1String("yes") || v.isEmpty())
            *out = true;
        else if (v == QLatin1String("0") || v == QLatin1String("false") || v == QLatin1String("no"))
            *out = false;
        else
            return {QStringLiteral("'%1' must be 0 or 1").arg(name), name};
        return {};
    }

    // Unknown parameters are refused rather than ignored: a typo must not silently run
    // a probe with defaults.
    ParamError checkLeftovers() const
    {
        for (const auto &item : m_items) {
            if (!m_used.contains(item.first))
                return {QStringLiteral("unknown parameter '%1'").arg(item.first), item.first};
        }
        return {};
    }

private:
    const QueryItems &m_items;
    QSet<QString> m_used;
};

ParamError readCommon(QueryReader &q, const Limits &limits, QString *target, ProbeMethod *method,
                      AddressFamily *family, quint16 *port, double *timeout)
{
    if (!q.has(QStringLiteral("dest")))
        return {QStringLiteral("missing required parameter 'dest'"), QStringLiteral("dest")};
    const QString dest = q.value(QStringLiteral("dest")).trimmed();
    if (dest.isEmpty() || dest.size() > 253)
        return {QStringLiteral("'dest' must be a host name or address"), QStringLiteral("dest")};
    if (const QString problem = validateHost(dest); !problem.isEmpty())
        return {problem, QStringLiteral("dest")};
    // fe80::1 means nothing without the interface: the kernel would refuse it (EINVAL).
    if (QHostAddress literal(dest); literal.protocol() == QAbstractSocket::IPv6Protocol &&
                                    literal.isLinkLocal() && literal.scopeId().isEmpty())
        return {QStringLiteral("link-local address '%1' needs a zone, e.g. %1%2")
                    .arg(dest, QStringLiteral("%eth0")),
                QStringLiteral("dest")};
    *target = dest;

    if (q.has(QStringLiteral("method"))) {
        const std::optional<ProbeMethod> m =
            probeMethodFromString(q.value(QStringLiteral("method")).toLower());
        if (!m)
            return {QStringLiteral("'method' must be one of udp, icmp, tcp, auto"), QStringLiteral("method")};
        *method = *m;
    }
    q.value(QStringLiteral("method"));

    if (q.has(QStringLiteral("family"))) {
        const QString f = q.value(QStringLiteral("family")).toLower();
        if (f == QLatin1String("4") || f == QLatin1String("ipv4") || f == QLatin1String("inet"))
            *family = AddressFamily::IPv4;
        else if (f == QLatin1String("6") || f == QLatin1String("ipv6") || f == QLatin1String("inet6"))
            *family = AddressFamily::IPv6;
        else if (f == QLatin1String("any") || f.isEmpty())
            *family = AddressFamily::Any;
        else
            return {QStringLiteral("'family' must be 4, 6 or any"), QStringLiteral("family")};
    }
    q.value(QStringLiteral("family"));

    int p = *port;
    if (ParamError e = q.readInt(QStringLiteral("port"), 1, 65535, &p); e.isError())
        return e;
    *port = quint16(p);
    return q.readDouble(QStringLiteral("timeout"), 0.1, limits.maxTimeout, timeout);
}

} // namespace

ParamError parsePingParams(const QueryItems &query, const Limits &limits, PingParams *params)
{
    QueryReader q(query);
    if (ParamError e = q.checkDuplicates(); e.isError())
        return e;
    PingRequest &r = params->request;
    ParamError e = readCommon(q, limits, &r.target, &r.method, &r.family, &r.port, &r.timeoutSec);
    if (!e.isError())
        e = q.readInt(QStringLiteral("count"), 1, limits.maxCount, &r.count);
    if (!e.isError())
        e = q.readDouble(QStringLiteral("interval"), limits.minInterval, 60.0, &r.intervalSec);
    if (!e.isError())
        e = q.readInt(QStringLiteral("ttl"), 1, 255, &r.ttl);
    if (!e.isError())
        e = q.checkLeftovers();
    if (e.isError())
        return e;
    // The whole ping must fit in the agent's time limit, or it would end in 504 anyway.
    const double worstSec = (r.count - 1) * r.intervalSec + r.timeoutSec;
    if (worstSec > limits.maxRequestSec)
        return {QStringLiteral("count × interval (%1 s) exceeds the agent's limit of %2 s")
                    .arg(worstSec)
                    .arg(limits.maxRequestSec),
                QStringLiteral("count")};
    if (const QString problem = validate(r); !problem.isEmpty())
        return {problem, {}};
    return {};
}

namespace {

// The options /traceroute and /mtr share, into r; then the leftovers check.
ParamError readTrace(QueryReader &q, const Limits &limits, TraceRequest *r, bool *stream)
{
    if (ParamError e = q.checkDuplicates(); e.isError())
        return e;
    ParamError e = readCommon(q, limits, &r->target, &r->method, &r->family, &r->port, &r->timeoutSec);
    if (!e.isError())
        e = q.readInt(QStringLiteral("max_ttl"), 1, limits.maxTtl, &r->maxTtl);
    if (!e.isError())
        e = q.readInt(QStringLiteral("first_ttl"), 1, r->maxTtl, &r->firstTtl);
    if (!e.isError())
        e = q.readInt(QStringLiteral("queries"), 1, 10, &r->queries);
    if (!e.isError())
        e = q.readInt(QStringLiteral("max_gap"), 1, 255, &r->maxGap);
    if (!e.isError())
        e = q.readInt(QStringLiteral("max_in_flight"), 1, limits.maxInFlight, &r->maxInFlight);
    bool classic = false;
    if (!e.isError())
        e = q.readBool(QStringLiteral("classic"), &classic);
    if (!e.isError())
        e = q.readBool(QStringLiteral("stream"), stream);
    if (!e.isError())
        e = q.checkLeftovers();
    if (e.isError())
        return e;
    r->flow = classic ? FlowMode::Classic : FlowMode::Paris;
    return {};
}

} // namespace

ParamError parseTraceParams(const QueryItems &query, const Limits &limits, TraceParams *params)
{
    QueryReader q(query);
    TraceRequest &r = params->request;
    if (ParamError e = readTrace(q, limits, &r, &params->stream); e.isError())
        return e;
    if (const QString problem = validate(r); !problem.isEmpty())
        return {problem, {}};
    return {};
}

ParamError parseMtrParams(const QueryItems &query, const Limits &limits, MtrParams *params)
{
    QueryReader q(query);
    WatchRequest &w = params->request;
    w.cycles = std::min(10, limits.maxMtrCycles);
    w.intervalSec = std::clamp(1.0, limits.minMtrInterval, limits.maxMtrInterval);
    ParamError e = q.readInt(QStringLiteral("cycles"), 1, limits.maxMtrCycles, &w.cycles);
    if (!e.isError())
        e = q.readDouble(QStringLiteral("interval"), limits.minMtrInterval, limits.maxMtrInterval,
                         &w.intervalSec);
    if (!e.isError())
        e = readTrace(q, limits, &w.trace, &params->stream);
    if (e.isError())
        return e;
    // The whole watch must fit in the agent's time limit, or it would end in 504 anyway.
    const double worstSec = (w.cycles - 1) * w.intervalSec + w.trace.timeoutSec;
    if (worstSec > limits.maxRequestSec)
        return {QStringLiteral("cycles × interval (%1 s) exceeds the agent's limit of %2 s")
                    .arg(worstSec)
                    .arg(limits.maxRequestSec),
                QStringLiteral("cycles")};
    if (const QString problem = validate(w); !problem.isEmpty())
        return {problem, {}};
    return {};
}

} // namespace tracemap::agent
