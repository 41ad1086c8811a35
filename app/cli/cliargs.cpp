#include "cliargs.h"

#include "filecli.h"
#include "geooptions.h"
#include "traceengine.h"
#include "traceoptions.h"

#include <QCommandLineParser>
#include <QSet>

#include <cmath>

namespace tracemap::cli {

namespace {

struct Spec
{
    QStringList names;
    QString valueName; // empty for a flag
    QString help;
};

// tracemap-cli's own options; the trace options (core/traceoptions.h) and the geolocation
// options (geo/geooptions.h) are described once for every program.
const QList<Spec> &outputSpecs()
{
    static const QList<Spec> all = {
        {{QStringLiteral("csv")},
         {},
         QStringLiteral("watch: print one CSV row per hop and responder at the end.")},
        {{QStringLiteral("n")},
         {},
         QStringLiteral("Numeric output (accepted for traceroute habits; the default).")},
        {{QStringLiteral("json")}, {}, QStringLiteral("Print one JSON document at the end instead of text.")},
        {{QStringLiteral("report")},
         {},
         QStringLiteral("trace: print an mtr --report style table at the end.")},
        {{QStringLiteral("geo")},
         {},
         QStringLiteral("trace: locate every hop (place, provider, AS, name) after the trace.")},
    };
    return all;
}

const QList<Spec> &commandSpecs()
{
    static const QList<Spec> all = {
        {{QStringLiteral("hostname")},
         QStringLiteral("NAME"),
         QStringLiteral("locate: use NAME as the reverse DNS name instead of looking it up.")},
        {{QStringLiteral("rtt")},
         QStringLiteral("MS"),
         QStringLiteral("locate: the hop's round-trip time in ms, for the plausibility check.")},
        {{QStringLiteral("registry")},
         QStringLiteral("URL"),
         QStringLiteral("geodb update: npm registry to fetch DB-IP from (https://registry.npmjs.org).")},
        {{QStringLiteral("format")},
         QStringLiteral("json|geojson|kml|csv"),
         QStringLiteral(
             "trace --geo/convert: write a trace file, GeoJSON, KML or CSV (docs/trace-files.md).")},
        {{QStringLiteral("output")},
         QStringLiteral("FILE"),
         QStringLiteral("trace --json/--format, convert, diff: write FILE (atomically) instead of stdout.")},
        {{QStringLiteral("keep")}, {}, QStringLiteral("trace --geo: also keep the trace in the history.")},
        {{QStringLiteral("history-db")},
         QStringLiteral("PATH"),
         QStringLiteral("history, trace --keep: history database (~/.local/share/tracemap/history.sqlite).")},
        {{QStringLiteral("h"), QStringLiteral("help")}, {}, QStringLiteral("Show this help.")},
        {{QStringLiteral("version")}, {}, QStringLiteral("Show the version.")},
    };
    return all;
}

// Options that only trace (and watch) take, beside the trace table's.
const QSet<QString> kTraceOnly = {QStringLiteral("report")};
const QSet<QString> kWatchOnly = {QStringLiteral("csv")};
const QSet<QString> kLocateOnly = {QStringLiteral("hostname"), QStringLiteral("rtt")};
const QSet<QString> kGeoDbAllowed = {QStringLiteral("geo-db"), QStringLiteral("registry"),
                                     QStringLiteral("json"), QStringLiteral("offline")};
const QSet<QString> kTraceFileOptions = {QStringLiteral("format"), QStringLiteral("output"),
                                         QStringLiteral("keep"), QStringLiteral("history-db")};

bool report(const OptionProblem &problem, QString *error)
{
    if (problem.ok())
        return true;
    *error = problem.message;
    return false;
}

} // namespace

// The options shared by locate, trace --geo and the vantage commands.
bool readGeoSettings(const QCommandLineParser &p, GeoSettings *s, QString *error)
{
    return report(applyGeoOptions(givenGeoOptions(p), s), error);
}

namespace {

bool parseGeoCommand(const QCommandLineParser &p, const QString &command, Options *options, QString *error)
{
    const bool locate = command == QLatin1String("locate");
    for (const QString &name : p.optionNames()) {
        const bool allowed =
            locate ? (isGeoOption(name) || kLocateOnly.contains(name) || name == QLatin1String("json"))
                   : kGeoDbAllowed.contains(name);
        if (!allowed) {
            *error = QStringLiteral("--%1 does not apply to %2").arg(name, command);
            return false;
        }
    }
    options->json = p.isSet(QStringLiteral("json"));
    const QStringList args = p.positionalArguments().mid(1);
    GeoOptions &geo = options->geo;
    geo.enabled = true;
    if (!locate) {
        if (args.size() != 1 ||
            (args.first() != QLatin1String("status") && args.first() != QLatin1String("update"))) {
            *error = QStringLiteral("geodb: say 'status' or 'update'");
            return false;
        }
        geo.geodbAction = args.first();
        if (geo.geodbAction == QLatin1String("update") && p.isSet(QStringLiteral("offline"))) {
            *error = QStringLiteral("geodb update downloads the database; it cannot run with --offline");
            return false;
        }
        if (geo.geodbAction == QLatin1String("status") && p.isSet(QStringLiteral("registry"))) {
            *error = QStringLiteral("--registry does not apply to geodb status");
            return false;
        }
        if (!report(applyGeoOptions(givenGeoOptions(p, {GeoOption::GeoDb}), &geo.settings), error))
            return false;
        if (p.isSet(QStringLiteral("registry")) &&
            !report(readHttpUrl(QStringLiteral("registry"), p.value(QStringLiteral("registry")),
                                &geo.registryUrl),
                    error))
            return false;
        options->command = Command::GeoDb;
        return true;
    }
    if (args.isEmpty()) {
        *error = QStringLiteral("locate: missing ADDRESS");
        return false;
    }
    for (const QString &text : args) {
        const QHostAddress address(text);
        if (address.isNull()) {
            *error = QStringLiteral("locate: '%1' is not an IP address").arg(text);
            return false;
        }
        geo.addresses << address;
    }
    if (p.isSet(QStringLiteral("hostname"))) {
        if (args.size() > 1) {
            *error = QStringLiteral("--hostname names one address; give one ADDRESS with it");
            return false;
        }
        geo.hostname = p.value(QStringLiteral("hostname")).trimmed();
        geo.hostnameGiven = true;
    }
    if (p.isSet(QStringLiteral("rtt"))) {
        const QString text = p.value(QStringLiteral("rtt"));
        bool ok = false;
        const double v = text.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v) || v < 0 || v > 100000) {
            *error =
                QStringLiteral("--rtt must be a number of milliseconds from 0 to 100000, got '%1'").arg(text);
            return false;
        }
        geo.rttMs = v;
    }
    if (!readGeoSettings(p, &geo.settings, error))
        return false;
    options->command = Command::Locate;
    return true;
}

// The trace options given, then the check of the whole request (its host).
template<typename Request> bool readRequest(const QCommandLineParser &p, Request *request, QString *error)
{
    if (!report(applyTraceOptions(givenTraceOptions(p), OptionSyntax::CommandLine, {}, request), error))
        return false;
    if (const QString e = validate(*request); !e.isEmpty()) {
        *error = e;
        return false;
    }
    return true;
}

// watch: the trace options with one probe per hop per round (as mtr) unless --queries says
// otherwise, plus --interval and --cycles.
bool parseWatch(const QCommandLineParser &p, const QString &host, Options *options, QString *error)
{
    WatchRequest &w = options->watch;
    w.trace.target = host;
    options->csv = p.isSet(QStringLiteral("csv"));
    if (int(options->json) + int(options->csv) + int(options->report) > 1) {
        *error = QStringLiteral("--report, --json and --csv exclude each other");
        return false;
    }
    if (!readRequest(p, &w, error))
        return false;
    options->command = Command::Watch;
    return true;
}

// The options besides the trace table's that trace, watch or ping refuse.
bool checkTraceCommandOptions(const QCommandLineParser &p, const QString &command, QString *error)
{
    const bool watch = command == QLatin1String("watch");
    const bool trace = command == QLatin1String("trace") || watch;
    for (const QString &name : p.optionNames()) {
        const bool geoChain = isGeoOption(name) || name == QLatin1String("geo");
        if ((watch && (geoChain || kTraceFileOptions.contains(name))) ||
            (!watch && kWatchOnly.contains(name)) ||
            (!trace && (kTraceOnly.contains(name) || kTraceFileOptions.contains(name) || geoChain)) ||
            isVantageOption(name) || kLocateOnly.contains(name) || name == QLatin1String("registry")) {
            *error = QStringLiteral("--%1 does not apply to %2").arg(name, command);
            return false;
        }
        if (trace && isGeoOption(name) && !p.isSet(QStringLiteral("geo"))) {
            *error = QStringLiteral("--%1 needs --geo").arg(name);
            return false;
        }
    }
    return true;
}

QString specHelp(const QList<Spec> &specs)
{
    QString text;
    for (const Spec &s : specs)
        text += optionHelpLine(s.names, s.valueName, s.help);
    return text;
}

} // namespace

QString helpText()
{
    QString text = QStringLiteral(
        "Usage: tracemap-cli trace HOST [options] [--geo]\n"
        "       tracemap-cli ping HOST [options]\n"
        "       tracemap-cli watch HOST [trace options] [--interval SEC] [--cycles N] "
        "[--report|--json|--csv]\n"
        "       tracemap-cli locate ADDRESS... [--hostname NAME] [--rtt MS] [geo options]\n"
        "       tracemap-cli geodb status|update [--geo-db PATH] [--registry URL]\n"
        "       tracemap-cli convert FILE --format json|geojson|kml|csv [--output FILE]\n"
        "       tracemap-cli diff A B [--json]\n"
        "       tracemap-cli history list [TARGET] | show ID [--format F] | delete ID\n"
        "       tracemap-cli trace HOST --via URL [--token-file F]\n"
        "       tracemap-cli atlas show FILE | --measurement ID [--probe-ids 1,2] [geo options]\n"
        "       tracemap-cli atlas trace HOST --probes N (--country CC | --asn N | --area NAME) --key-file "
        "F\n"
        "       tracemap-cli globalping trace HOST --from LOCATION [--limit N] [--token-file F]\n\n"
        "Traces the route to HOST, or pings it, and prints each answer as it arrives; watch repeats the\n"
        "trace in rounds with mtr's statistics (see docs/watch.md); locate says\n"
        "where addresses are and why (see docs/geolocation.md); geodb reports or refreshes the\n"
        "offline IP database.\n"
        "Exit status: 0 done (destination reached / answered, every address located, database ok),\n"
        "1 not reached, not resolvable, not located or method not permitted, 2 bad usage.\n\nOptions:\n");
    text += traceOptionsHelp() + specHelp(outputSpecs());
    text += QStringLiteral("\nGeolocation options (locate, trace --geo, atlas, globalping):\n") +
            geoOptionsHelp();
    text += QStringLiteral("\nOther options:\n") + specHelp(commandSpecs());
    for (const VantageSpec &s : vantageSpecs())
        text += optionHelpLine({s.name}, s.valueName, s.help);
    return text;
}

bool parse(const QStringList &arguments, Options *options, QString *error)
{
    QCommandLineParser p;
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    p.addOptions(traceCommandLineOptions());
    p.addOptions(geoCommandLineOptions());
    for (const QList<Spec> *specs : {&outputSpecs(), &commandSpecs()}) {
        for (const Spec &s : *specs)
            p.addOption(commandLineOption(s.names, s.valueName, s.help));
    }
    for (const VantageSpec &s : vantageSpecs())
        p.addOption(commandLineOption({s.name}, s.valueName, s.help));
    if (!p.parse(arguments)) {
        *error = p.errorText();
        return false;
    }
    if (p.isSet(QStringLiteral("help"))) {
        options->command = Command::Help;
        return true;
    }
    if (p.isSet(QStringLiteral("version"))) {
        options->command = Command::Version;
        return true;
    }
    const QStringList positional = p.positionalArguments();
    if (positional.isEmpty()) {
        *error = QStringLiteral(
            "missing command: use 'trace HOST', 'ping HOST', 'watch HOST', 'locate ADDRESS' or "
            "'geodb status|update' (see --help)");
        return false;
    }
    const QString command = positional.first();
    if (command == QLatin1String("help")) {
        options->command = Command::Help;
        return true;
    }
    if (command == QLatin1String("locate") || command == QLatin1String("geodb"))
        return parseGeoCommand(p, command, options, error);
    if (isFileCommand(command))
        return parseFileCommand(p, command, options, error);
    if (command == QLatin1String("atlas") || command == QLatin1String("globalping") ||
        (command == QLatin1String("trace") && p.isSet(QStringLiteral("via"))))
        return parseVantageCommand(p, command, options, error);
    const bool watch = command == QLatin1String("watch");
    if (command != QLatin1String("trace") && command != QLatin1String("ping") && !watch) {
        *error = QStringLiteral("unknown command '%1': use 'trace HOST', 'ping HOST', 'watch HOST', "
                                "'locate ADDRESS', 'geodb', 'convert', 'diff', 'history', 'atlas' or "
                                "'globalping'")
                     .arg(command);
        return false;
    }
    if (positional.size() < 2) {
        *error = QStringLiteral("%1: missing HOST").arg(command);
        return false;
    }
    if (positional.size() > 2) {
        *error =
            QStringLiteral("%1: unexpected argument '%2' (one HOST only)").arg(command, positional.at(2));
        return false;
    }
    if (!checkTraceCommandOptions(p, command, error))
        return false;
    const QString host = positional.at(1);
    if (const QString e = validateHost(host); !e.isEmpty()) {
        *error = e;
        return false;
    }
    options->json = p.isSet(QStringLiteral("json"));
    options->report = p.isSet(QStringLiteral("report"));
    if (watch)
        return parseWatch(p, host, options, error);
    if (command == QLatin1String("trace")) {
        TraceRequest &r = options->trace;
        r.target = host;
        if (!readRequest(p, &r, error))
            return false;
        options->geo.enabled = p.isSet(QStringLiteral("geo"));
        if (options->geo.enabled && !readGeoSettings(p, &options->geo.settings, error))
            return false;
        if (!parseTraceFileOptions(p, options, error))
            return false;
        options->command = Command::Trace;
        return true;
    }
    PingRequest &r = options->ping;
    r.target = host;
    if (!readRequest(p, &r, error))
        return false;
    options->command = Command::Ping;
    return true;
}

} // namespace tracemap::cli
