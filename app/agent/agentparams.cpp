#include "agentparams.h"

#include "traceengine.h"
#include "traceoptions.h"

#include <QHostAddress>

#include <algorithm>
#include <type_traits>

namespace tracemap::agent {

namespace {

ParamError fromProblem(const OptionProblem &problem)
{
    return {problem.message, problem.option};
}

// dest and stream are the agent's own parameters; every other one goes to the shared trace
// options (core/traceoptions.h), which refuse unknown and repeated ones rather than ignoring
// them: a typo must not silently run a probe with defaults.
ParamError splitQuery(const QueryItems &query, bool streams, QString *target, bool *stream,
                      OptionValues *options)
{
    bool haveDest = false;
    bool haveStream = false;
    QString dest;
    for (const auto &[name, value] : query) {
        const bool isDest = name == QLatin1String("dest");
        const bool isStream = streams && name == QLatin1String("stream");
        if (!isDest && !isStream) {
            options->append({name, value});
            continue;
        }
        bool &seen = isDest ? haveDest : haveStream;
        if (seen)
            return {QStringLiteral("parameter '%1' is given more than once").arg(name), name};
        seen = true;
        if (isDest) {
            dest = value.trimmed();
            continue;
        }
        const std::optional<bool> on = parseQueryFlag(value);
        if (!on)
            return {QStringLiteral("'stream' must be 0 or 1, got '%1'").arg(value), name};
        *stream = *on;
    }
    if (!haveDest)
        return {QStringLiteral("missing required parameter 'dest'"), QStringLiteral("dest")};
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
    return {};
}

// The whole request must fit in the agent's time limit, or it would end in 504 anyway.
ParamError checkDuration(int repeats, double intervalSec, double timeoutSec, const Limits &limits,
                         const QString &parameter, const char *what)
{
    const double worstSec = (repeats - 1) * intervalSec + timeoutSec;
    if (worstSec <= limits.maxRequestSec)
        return {};
    return {QStringLiteral("%1 × interval (%2 s) exceeds the agent's limit of %3 s")
                .arg(QLatin1String(what))
                .arg(worstSec)
                .arg(limits.maxRequestSec),
            parameter};
}

template<typename Request>
ParamError parse(const QueryItems &query, const Limits &limits, bool streams, Request *request, bool *stream)
{
    QString *target = nullptr;
    if constexpr (std::is_same_v<Request, WatchRequest>)
        target = &request->trace.target;
    else
        target = &request->target;
    OptionValues options;
    bool ignored = false;
    if (ParamError e = splitQuery(query, streams, target, stream ? stream : &ignored, &options); e.isError())
        return e;
    if (ParamError e = fromProblem(applyTraceOptions(options, OptionSyntax::Query, limits.probes, request));
        e.isError())
        return e;
    if (const QString problem = validate(*request); !problem.isEmpty())
        return {problem, {}};
    return {};
}

} // namespace

ParamError parsePingParams(const QueryItems &query, const Limits &limits, PingParams *params)
{
    PingRequest &r = params->request;
    if (ParamError e = parse(query, limits, false, &r, nullptr); e.isError())
        return e;
    return checkDuration(r.count, r.intervalSec, r.timeoutSec, limits, QStringLiteral("count"), "count");
}

ParamError parseTraceParams(const QueryItems &query, const Limits &limits, TraceParams *params)
{
    return parse(query, limits, true, &params->request, &params->stream);
}

ParamError parseMtrParams(const QueryItems &query, const Limits &limits, MtrParams *params)
{
    WatchRequest &w = params->request;
    w.cycles = std::min(10, limits.probes.maxCycles);
    w.intervalSec = std::clamp(1.0, limits.probes.minRoundInterval, limits.probes.maxRoundInterval);
    if (ParamError e = parse(query, limits, true, &w, &params->stream); e.isError())
        return e;
    return checkDuration(w.cycles, w.intervalSec, w.trace.timeoutSec, limits, QStringLiteral("cycles"),
                         "cycles");
}

} // namespace tracemap::agent
