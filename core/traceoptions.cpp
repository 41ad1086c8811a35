#include "traceoptions.h"

#include <QCommandLineParser>
#include <QHash>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

constexpr int kTrace = int(RequestKind::Trace);
constexpr int kPing = int(RequestKind::Ping);
constexpr int kWatch = int(RequestKind::Watch);

// 0.1, 3600, 1000000: no exponent, no trailing zeros.
QString number(double v)
{
    return QString::number(v, 'g', 12);
}

QString rangeText(OptionRange r)
{
    return number(r.min) + QLatin1Char('-') + number(r.max);
}

QString kindName(RequestKind kind)
{
    switch (kind) {
    case RequestKind::Trace:
        return QStringLiteral("trace");
    case RequestKind::Ping:
        return QStringLiteral("ping");
    case RequestKind::Watch:
        return QStringLiteral("watch");
    }
    return {};
}

QString canonicalName(const QString &name)
{
    QString n = name;
    return n.replace(QLatin1Char('_'), QLatin1Char('-'));
}

OptionProblem badValue(const QString &shown, const QString &what, OptionRange r, const QString &text,
                       const QString &given)
{
    return {OptionError::BadValue,
            QStringLiteral("%1 must be %2 from %3 to %4, got '%5'")
                .arg(shown, what, number(r.min), number(r.max), text),
            given};
}

OptionProblem readWhole(const QString &shown, const QString &given, const QString &text, OptionRange r,
                        int *out)
{
    bool ok = false;
    const long long v = text.trimmed().toLongLong(&ok);
    if (!ok || v < r.min || v > r.max)
        return badValue(shown, QStringLiteral("a whole number"), r, text, given);
    *out = int(v);
    return {};
}

OptionProblem readSeconds(const QString &shown, const QString &given, const QString &text, OptionRange r,
                          double *out)
{
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < r.min || v > r.max)
        return badValue(shown, QStringLiteral("a number of seconds"), r, text, given);
    *out = v;
    return {};
}

// A flag: present on the command line; see parseQueryFlag() in a query.
OptionProblem readFlag(OptionSyntax syntax, const QString &shown, const QString &given, const QString &text,
                       bool *out)
{
    const std::optional<bool> on = syntax == OptionSyntax::CommandLine ? true : parseQueryFlag(text);
    if (!on)
        return {OptionError::BadValue, QStringLiteral("%1 must be 0 or 1, got '%2'").arg(shown, text), given};
    *out = *on;
    return {};
}

// Where each option lands in the request at hand; null for options that do not apply to it.
struct Fields
{
    AddressFamily *family = nullptr;
    ProbeMethod *method = nullptr;
    quint16 *port = nullptr;
    double *timeout = nullptr;
    TraceRequest *trace = nullptr;
    PingRequest *ping = nullptr;
    WatchRequest *watch = nullptr;
};

Fields fieldsOf(TraceRequest *r)
{
    return {&r->family, &r->method, &r->port, &r->timeoutSec, r, nullptr, nullptr};
}

OptionProblem applyOne(const TraceOptionSpec &spec, const QString &given, const QString &text,
                       OptionSyntax syntax, OptionRange range, Fields &f)
{
    const QString shown = optionDisplayName(given, syntax);
    OptionProblem p;
    int whole = 0;
    bool on = false;
    switch (spec.id) {
    case TraceOption::IPv4:
    case TraceOption::IPv6:
        p = readFlag(syntax, shown, given, text, &on);
        if (on)
            *f.family = spec.id == TraceOption::IPv4 ? AddressFamily::IPv4 : AddressFamily::IPv6;
        return p;
    case TraceOption::Family: {
        const QString v = text.trimmed().toLower();
        if (v == QLatin1String("4") || v == QLatin1String("ipv4") || v == QLatin1String("inet"))
            *f.family = AddressFamily::IPv4;
        else if (v == QLatin1String("6") || v == QLatin1String("ipv6") || v == QLatin1String("inet6"))
            *f.family = AddressFamily::IPv6;
        else if (v == QLatin1String("any") || v.isEmpty())
            *f.family = AddressFamily::Any;
        else
            return {OptionError::BadValue,
                    QStringLiteral("%1 must be 4, 6 or any, got '%2'").arg(shown, text), given};
        return {};
    }
    case TraceOption::Method:
        if (const std::optional<ProbeMethod> m = probeMethodFromString(text)) {
            *f.method = *m;
            return {};
        }
        return {OptionError::BadValue,
                QStringLiteral("%1 must be udp, icmp, tcp or auto, got '%2'").arg(shown, text), given};
    case TraceOption::Port:
        p = readWhole(shown, given, text, range, &whole);
        *f.port = p.ok() ? quint16(whole) : *f.port;
        return p;
    case TraceOption::Timeout:
        return readSeconds(shown, given, text, range, f.timeout);
    case TraceOption::FirstTtl:
        return readWhole(shown, given, text, range, &f.trace->firstTtl);
    case TraceOption::MaxTtl:
        return readWhole(shown, given, text, range, &f.trace->maxTtl);
    case TraceOption::Queries:
        return readWhole(shown, given, text, range, &f.trace->queries);
    case TraceOption::MaxGap:
        return readWhole(shown, given, text, range, &f.trace->maxGap);
    case TraceOption::MaxInFlight:
        return readWhole(shown, given, text, range, &f.trace->maxInFlight);
    case TraceOption::Classic:
        p = readFlag(syntax, shown, given, text, &on);
        f.trace->flow = on ? FlowMode::Classic : FlowMode::Paris;
        return p;
    case TraceOption::Count:
        return readWhole(shown, given, text, range, &f.ping->count);
    case TraceOption::Ttl:
        return readWhole(shown, given, text, range, &f.ping->ttl);
    case TraceOption::Interval:
        return readSeconds(shown, given, text, range, f.ping ? &f.ping->intervalSec : &f.watch->intervalSec);
    case TraceOption::Cycles:
        return readWhole(shown, given, text, range, &f.watch->cycles);
    }
    return {};
}

OptionProblem applyAll(const OptionValues &values, OptionSyntax syntax, const OptionLimits &limits,
                       RequestKind kind, Fields f)
{
    QHash<TraceOption, QString> seen; // option -> the name it was given as
    for (const auto &[given, text] : values) {
        const QString shown = optionDisplayName(given, syntax);
        const TraceOptionSpec *spec = findTraceOption(given);
        if (!spec || !(syntax == OptionSyntax::CommandLine ? spec->commandLine : spec->query))
            return {OptionError::UnknownOption,
                    syntax == OptionSyntax::Query ? QStringLiteral("unknown parameter %1").arg(shown)
                                                  : QStringLiteral("unknown option %1").arg(shown),
                    given};
        if (seen.contains(spec->id))
            return {OptionError::Duplicate,
                    QStringLiteral("%1%2 is given more than once")
                        .arg(syntax == OptionSyntax::Query ? QStringLiteral("parameter ") : QString(), shown),
                    given};
        if (!(spec->kinds & int(kind)))
            return {OptionError::NotApplicable,
                    QStringLiteral("%1 does not apply to %2").arg(shown, kindName(kind)), given};
        seen.insert(spec->id, given);
        if (OptionProblem p = applyOne(*spec, given, text, syntax, optionRange(spec->id, kind, limits), f);
            !p.ok())
            return p;
    }
    if (seen.contains(TraceOption::IPv4) && seen.contains(TraceOption::IPv6))
        return {OptionError::Conflict, QStringLiteral("-4 and -6 exclude each other"), {}};
    if (f.trace && f.trace->firstTtl > f.trace->maxTtl)
        return {OptionError::Conflict,
                QStringLiteral("first TTL (%1) is above max TTL (%2)")
                    .arg(f.trace->firstTtl)
                    .arg(f.trace->maxTtl),
                seen.value(TraceOption::FirstTtl, seen.value(TraceOption::MaxTtl))};
    return {};
}

} // namespace

const QList<TraceOptionSpec> &traceOptionSpecs()
{
    using O = TraceOption;
    const int traces = kTrace | kWatch;
    const int all = kTrace | kPing | kWatch;
    static const QList<TraceOptionSpec> specs = {
        {O::IPv4, QStringLiteral("4"), {}, QStringLiteral("Use IPv4 only."), all, true, false},
        {O::IPv6, QStringLiteral("6"), {}, QStringLiteral("Use IPv6 only."), all, true, false},
        {O::Family, QStringLiteral("family"), QStringLiteral("4|6|any"),
         QStringLiteral("Address family (-4, -6 on the command line)."), all, false, true},
        {O::Method, QStringLiteral("method"), QStringLiteral("udp|icmp|tcp|auto"),
         QStringLiteral("Probe method (trace: udp, ping: icmp). auto picks ICMP when permitted, else UDP."),
         all, true, true},
        {O::Port, QStringLiteral("port"), QStringLiteral("N"),
         QStringLiteral("Destination port for UDP (33434) and TCP (80) probes."), all, true, true},
        {O::FirstTtl, QStringLiteral("first-ttl"), QStringLiteral("N"),
         QStringLiteral("trace: first TTL probed, %1 (1).").arg(rangeText(kTtlRange)), traces, true, true},
        {O::MaxTtl, QStringLiteral("max-ttl"), QStringLiteral("N"),
         QStringLiteral("trace: last TTL probed, %1 (30).").arg(rangeText(kTtlRange)), traces, true, true},
        {O::Queries, QStringLiteral("queries"), QStringLiteral("N"),
         QStringLiteral("trace: probes per hop, %1 (3).").arg(rangeText(kQueriesRange)), traces, true, true},
        {O::Timeout, QStringLiteral("timeout"), QStringLiteral("SEC"),
         QStringLiteral("Longest wait for one probe, %1 s (2). Traces cut it short like traceroute -w.")
             .arg(rangeText(kTimeoutRange)),
         all, true, true},
        {O::MaxGap, QStringLiteral("max-gap"), QStringLiteral("N"),
         QStringLiteral("trace: stop after N silent TTLs beyond the last answering hop, %1 (5).")
             .arg(rangeText(kMaxGapRange)),
         traces, true, true},
        {O::MaxInFlight, QStringLiteral("max-in-flight"), QStringLiteral("N"),
         QStringLiteral("trace: most probes on the wire at once, %1 (24).").arg(rangeText(kMaxInFlightRange)),
         traces, true, true},
        {O::Classic,
         QStringLiteral("classic"),
         {},
         QStringLiteral("trace: vary the flow per probe instead of keeping it constant (Paris)."),
         traces,
         true,
         true},
        {O::Count, QStringLiteral("count"), QStringLiteral("N"),
         QStringLiteral("ping: probes to send, %1 (5).").arg(rangeText(kCountRange)), kPing, true, true},
        {O::Interval, QStringLiteral("interval"), QStringLiteral("SEC"),
         QStringLiteral("ping: seconds between probes, %1 (1); watch: between rounds, %2 (1).")
             .arg(rangeText(kPingIntervalRange), rangeText(kRoundIntervalRange)),
         kPing | kWatch, true, true},
        {O::Cycles, QStringLiteral("cycles"), QStringLiteral("N"),
         QStringLiteral("watch: rounds to run, %1 (until q or Ctrl+C).").arg(rangeText(kCyclesRange)), kWatch,
         true, true},
        {O::Ttl, QStringLiteral("ttl"), QStringLiteral("N"),
         QStringLiteral("ping: TTL of the probes, %1 (64).").arg(rangeText(kTtlRange)), kPing, true, true},
    };
    return specs;
}

const TraceOptionSpec *findTraceOption(const QString &name)
{
    const QString canonical = canonicalName(name);
    for (const TraceOptionSpec &s : traceOptionSpecs()) {
        if (s.name == canonical)
            return &s;
    }
    return nullptr;
}

OptionRange optionRange(TraceOption option, RequestKind kind, const OptionLimits &limits)
{
    const auto capped = [](OptionRange r, double max) {
        return OptionRange{r.min, std::min(r.max, max)};
    };
    switch (option) {
    case TraceOption::Port:
        return kPortRange;
    case TraceOption::FirstTtl:
    case TraceOption::MaxTtl:
        return capped(kTtlRange, limits.maxTtl);
    case TraceOption::Ttl:
        return kTtlRange;
    case TraceOption::Queries:
        return kQueriesRange;
    case TraceOption::Timeout:
        return capped(kTimeoutRange, limits.maxTimeout);
    case TraceOption::MaxGap:
        return kMaxGapRange;
    case TraceOption::MaxInFlight:
        return capped(kMaxInFlightRange, limits.maxInFlight);
    case TraceOption::Count:
        return capped(kCountRange, limits.maxCount);
    case TraceOption::Interval:
        if (kind == RequestKind::Watch)
            return {std::max(kRoundIntervalRange.min, limits.minRoundInterval),
                    std::min(kRoundIntervalRange.max, limits.maxRoundInterval)};
        return {std::max(kPingIntervalRange.min, limits.minInterval),
                std::min(kPingIntervalRange.max, limits.maxInterval)};
    case TraceOption::Cycles:
        return capped(kCyclesRange, limits.maxCycles);
    case TraceOption::IPv4:
    case TraceOption::IPv6:
    case TraceOption::Family:
    case TraceOption::Method:
    case TraceOption::Classic:
        break;
    }
    return {0, 0};
}

OptionProblem applyTraceOptions(const OptionValues &values, OptionSyntax syntax, const OptionLimits &limits,
                                TraceRequest *request)
{
    return applyAll(values, syntax, limits, RequestKind::Trace, fieldsOf(request));
}

OptionProblem applyTraceOptions(const OptionValues &values, OptionSyntax syntax, const OptionLimits &limits,
                                PingRequest *request)
{
    PingRequest *r = request;
    return applyAll(values, syntax, limits, RequestKind::Ping,
                    {&r->family, &r->method, &r->port, &r->timeoutSec, nullptr, r, nullptr});
}

OptionProblem applyTraceOptions(const OptionValues &values, OptionSyntax syntax, const OptionLimits &limits,
                                WatchRequest *request)
{
    Fields f = fieldsOf(&request->trace);
    f.watch = request;
    return applyAll(values, syntax, limits, RequestKind::Watch, f);
}

std::optional<bool> parseQueryFlag(const QString &text)
{
    const QString v = text.trimmed().toLower();
    if (v.isEmpty() || v == QLatin1String("1") || v == QLatin1String("true") || v == QLatin1String("yes"))
        return true;
    if (v == QLatin1String("0") || v == QLatin1String("false") || v == QLatin1String("no"))
        return false;
    return std::nullopt;
}

namespace {

QList<const TraceOptionSpec *> commandLineSpecs(const QList<TraceOption> &which)
{
    QList<const TraceOptionSpec *> out;
    for (const TraceOptionSpec &s : traceOptionSpecs()) {
        if (s.commandLine && (which.isEmpty() || which.contains(s.id)))
            out << &s;
    }
    return out;
}

} // namespace

QList<QCommandLineOption> traceCommandLineOptions(const QList<TraceOption> &which)
{
    return commandLineOptions(commandLineSpecs(which));
}

OptionValues givenTraceOptions(const QCommandLineParser &parser, const QList<TraceOption> &which)
{
    OptionValues out;
    for (const TraceOptionSpec *s : commandLineSpecs(which)) {
        if (parser.isSet(s->name))
            out.append({s->name, s->valueName.isEmpty() ? QString() : parser.value(s->name)});
    }
    return out;
}

QString traceOptionsHelp(const QList<TraceOption> &which)
{
    return optionsHelp(commandLineSpecs(which));
}

QCommandLineOption commandLineOption(const QStringList &names, const QString &valueName, const QString &help)
{
    QCommandLineOption o(names, help);
    if (!valueName.isEmpty())
        o.setValueName(valueName);
    return o;
}

QString optionHelpLine(const QStringList &names, const QString &valueName, const QString &help)
{
    QStringList forms;
    for (const QString &n : names)
        forms << optionDisplayName(n, OptionSyntax::CommandLine);
    QString left = QStringLiteral("  ") + forms.join(QStringLiteral(", "));
    if (!valueName.isEmpty())
        left += QLatin1Char(' ') + valueName;
    return left.leftJustified(30) + QLatin1Char(' ') + help + QLatin1Char('\n');
}

QString optionDisplayName(const QString &name, OptionSyntax syntax)
{
    if (syntax == OptionSyntax::Query)
        return QLatin1Char('\'') + name + QLatin1Char('\'');
    return (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
}

} // namespace tracemap
