// One description of the trace, ping and watch options: each option's name, value name, help
// line, range and the requests it applies to, and one function that applies given values to a
// request. tracemap-cli and the desktop app (QCommandLineParser) and the agent (HTTP query
// parameters, where max_ttl and max-ttl name the same option) all compose it, so names,
// ranges, help lines and error sentences are the same in every program.
// Contract: applying changes only what was given; the first bad value ends it with one
// OptionProblem (an enum and a one-line message naming the option as the caller spelled it).
// Cross-field checks (first TTL above max TTL, -4 with -6) are made here too; the host and the
// time a whole request may take stay with the caller (validate(), the agent's limits).
#pragma once

#include "tracetypes.h"
#include "watchtypes.h"

#include <QCommandLineOption>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

class QCommandLineParser;

namespace tracemap {

// The one place the options' ranges are written; validate() (requestvalidation.cpp) checks
// requests against the same ones.
struct OptionRange
{
    double min;
    double max;
};
inline constexpr OptionRange kTtlRange{1, 255};
inline constexpr OptionRange kQueriesRange{1, 10};
inline constexpr OptionRange kTimeoutRange{0.1, 60};
inline constexpr OptionRange kMaxGapRange{1, 255};
inline constexpr OptionRange kMaxInFlightRange{1, 1024};
inline constexpr OptionRange kPortRange{1, 65535};
inline constexpr OptionRange kCountRange{1, 100000};
inline constexpr OptionRange kPingIntervalRange{0.01, 3600};
inline constexpr OptionRange kRoundIntervalRange{kMinWatchIntervalSec, kMaxWatchIntervalSec};
inline constexpr OptionRange kCyclesRange{1, kMaxWatchCycles};

enum class TraceOption {
    IPv4,   // -4 (command line)
    IPv6,   // -6 (command line)
    Family, // family=4|6|any (HTTP query)
    Method,
    Port,
    FirstTtl,
    MaxTtl,
    Queries,
    Timeout,
    MaxGap,
    MaxInFlight,
    Classic,
    Count,
    Interval, // ping: between probes; watch: between rounds
    Ttl,
    Cycles,
};

// The request an option is applied to; an option lists the kinds it applies to as bits.
enum class RequestKind { Trace = 1, Ping = 2, Watch = 4 };

struct TraceOptionSpec
{
    TraceOption id;
    QString name;      // "max-ttl"; one character: a short option (-4)
    QString valueName; // empty: a flag (a query says 1/0, true/false, yes/no)
    QString help;      // one line, the same in every program's --help
    int kinds;         // RequestKind bits
    bool commandLine;  // offered on the command line
    bool query;        // accepted as an HTTP query parameter
};

const QList<TraceOptionSpec> &traceOptionSpecs();
// The option a name stands for ("max_ttl" and "max-ttl" alike); null when none.
const TraceOptionSpec *findTraceOption(const QString &name);

// Narrower maxima a program may impose: an agent must not be a flood tool.
struct OptionLimits
{
    int maxTtl = int(kTtlRange.max);
    int maxInFlight = int(kMaxInFlightRange.max);
    int maxCount = int(kCountRange.max);
    double minInterval = kPingIntervalRange.min;
    double maxInterval = kPingIntervalRange.max;
    double maxTimeout = kTimeoutRange.max;
    int maxCycles = int(kCyclesRange.max);
    double minRoundInterval = kRoundIntervalRange.min;
    double maxRoundInterval = kRoundIntervalRange.max;
};

// The accepted range of an option for a kind of request under the limits.
OptionRange optionRange(TraceOption option, RequestKind kind, const OptionLimits &limits = {});

enum class OptionError {
    None,
    UnknownOption, // no such option (HTTP query; the command-line parser refuses these itself)
    Duplicate,     // one option given twice (HTTP query)
    NotApplicable, // e.g. --count for a trace
    BadValue,      // not a number, out of range, not one of the names
    Conflict,      // two options that exclude each other
};

struct OptionProblem
{
    OptionError error = OptionError::None;
    QString message; // one line
    QString option;  // the option as the caller wrote it; empty when not one option
    bool ok() const { return error == OptionError::None; }
};

// How options are written, for the messages: "--max-ttl" or "'max_ttl'".
enum class OptionSyntax { CommandLine, Query };

// Given options in order: the name as written (without dashes) and its text ("" for a flag
// on the command line). A repeated option appears once per time it was given.
using OptionValues = QList<QPair<QString, QString>>;

// The one function that turns given option values into a request (see the contract above).
OptionProblem applyTraceOptions(const OptionValues &values, OptionSyntax syntax, const OptionLimits &limits,
                                TraceRequest *request);
OptionProblem applyTraceOptions(const OptionValues &values, OptionSyntax syntax, const OptionLimits &limits,
                                PingRequest *request);
OptionProblem applyTraceOptions(const OptionValues &values, OptionSyntax syntax, const OptionLimits &limits,
                                WatchRequest *request);

// A flag's value in a query: 1/true/yes or empty (on), 0/false/no (off); nothing otherwise.
std::optional<bool> parseQueryFlag(const QString &text);

// Command-line glue. `which` empty: every command-line option of the table.
QList<QCommandLineOption> traceCommandLineOptions(const QList<TraceOption> &which = {});
// The options of `which` set in a parser that has them (their last value when repeated).
OptionValues givenTraceOptions(const QCommandLineParser &parser, const QList<TraceOption> &which = {});
QString traceOptionsHelp(const QList<TraceOption> &which = {});

// One option for QCommandLineParser: a flag when valueName is empty.
QCommandLineOption commandLineOption(const QStringList &names, const QString &valueName, const QString &help);
// "  --max-ttl N                   help": the --help line layout of every tracemap program.
QString optionHelpLine(const QStringList &names, const QString &valueName, const QString &help);

// The options and the --help lines of rows of an option table (name, valueName, help), such
// as TraceOptionSpec and GeoOptionSpec.
template<typename Spec> QList<QCommandLineOption> commandLineOptions(const QList<const Spec *> &rows)
{
    QList<QCommandLineOption> out;
    for (const Spec *s : rows)
        out << commandLineOption({s->name}, s->valueName, s->help);
    return out;
}
template<typename Spec> QString optionsHelp(const QList<const Spec *> &rows)
{
    QString text;
    for (const Spec *s : rows)
        text += optionHelpLine({s->name}, s->valueName, s->help);
    return text;
}
// "--max-ttl" / "-4" or "'max_ttl'": an option's name in a message.
QString optionDisplayName(const QString &name, OptionSyntax syntax);

} // namespace tracemap
