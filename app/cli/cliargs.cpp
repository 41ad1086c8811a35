#include "cliargs.h"

#include "filecli.h"
#include "traceengine.h"

#include <QCommandLineParser>
#include <QFileInfo>
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

const QList<Spec> &specs()
{
    static const QList<Spec> all = {
        {{QStringLiteral("4")}, {}, QStringLiteral("Use IPv4 only.")},
        {{QStringLiteral("6")}, {}, QStringLiteral("Use IPv6 only.")},
        {{QStringLiteral("method")},
         QStringLiteral("udp|icmp|tcp|auto"),
         QStringLiteral("Probe method (trace: udp, ping: icmp). auto picks ICMP when permitted, else UDP.")},
        {{QStringLiteral("port")},
         QStringLiteral("N"),
         QStringLiteral("Destination port for UDP (33434) and TCP (80) probes.")},
        {{QStringLiteral("first-ttl")},
         QStringLiteral("N"),
         QStringLiteral("trace: first TTL probed, 1-255 (1).")},
        {{QStringLiteral("max-ttl")},
         QStringLiteral("N"),
         QStringLiteral("trace: last TTL probed, 1-255 (30).")},
        {{QStringLiteral("queries")},
         QStringLiteral("N"),
         QStringLiteral("trace: probes per hop, 1-10 (3).")},
        {{QStringLiteral("timeout")},
         QStringLiteral("SEC"),
         QStringLiteral("Longest wait for one probe, 0.1-60 s (2). Traces cut it short like traceroute -w.")},
        {{QStringLiteral("max-gap")},
         QStringLiteral("N"),
         QStringLiteral("trace: stop after N silent TTLs beyond the last answering hop, 1-255 (5).")},
        {{QStringLiteral("max-in-flight")},
         QStringLiteral("N"),
         QStringLiteral("trace: most probes on the wire at once, 1-1024 (24).")},
        {{QStringLiteral("classic")},
         {},
         QStringLiteral("trace: vary the flow per probe instead of keeping it constant (Paris).")},
        {{QStringLiteral("count")},
         QStringLiteral("N"),
         QStringLiteral("ping: probes to send, 1-100000 (5).")},
        {{QStringLiteral("interval")},
         QStringLiteral("SEC"),
         QStringLiteral("ping: seconds between probes, 0.01-3600 (1); watch: between rounds, 0.1-3600 (1).")},
        {{QStringLiteral("cycles")},
         QStringLiteral("N"),
         QStringLiteral("watch: rounds to run, 1-1000000 (until q or Ctrl+C).")},
        {{QStringLiteral("csv")},
         {},
         QStringLiteral("watch: print one CSV row per hop and responder at the end.")},
        {{QStringLiteral("ttl")},
         QStringLiteral("N"),
         QStringLiteral("ping: TTL of the probes, 1-255 (64).")},
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
        {{QStringLiteral("offline")},
         {},
         QStringLiteral("locate/geo: nothing leaves the machine (no DNS, no online services).")},
        {{QStringLiteral("online")},
         {},
         QStringLiteral("locate/geo: also ask the online IP provider and Nominatim (opt-in).")},
        {{QStringLiteral("geo-db")},
         QStringLiteral("PATH"),
         QStringLiteral("locate/geo/geodb: MMDB file to use instead of the installed DB-IP (repeatable).")},
        {{QStringLiteral("geo-overrides")},
         QStringLiteral("PATH"),
         QStringLiteral(
             "locate/geo: CSV (prefix,lat,lon,label) or RFC 8805 geofeed overrides (repeatable).")},
        {{QStringLiteral("nominatim-url")},
         QStringLiteral("URL"),
         QStringLiteral("locate/geo: Nominatim server (https://nominatim.openstreetmap.org).")},
        {{QStringLiteral("geo-provider-url")},
         QStringLiteral("URL"),
         QStringLiteral("locate/geo: online IP provider, {ip} is replaced (http://ip-api.com/json/{ip}).")},
        {{QStringLiteral("source-location")},
         QStringLiteral("LAT,LON"),
         QStringLiteral("locate/geo: where the trace starts, for the RTT plausibility check.")},
        {{QStringLiteral("geo-cache")},
         QStringLiteral("PATH|-"),
         QStringLiteral("locate/geo: cache file (~/.cache/tracemap/geo-cache.sqlite); - for none.")},
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

const QSet<QString> kTraceOnly = {QStringLiteral("first-ttl"),     QStringLiteral("max-ttl"),
                                  QStringLiteral("queries"),       QStringLiteral("max-gap"),
                                  QStringLiteral("max-in-flight"), QStringLiteral("classic"),
                                  QStringLiteral("report")};
const QSet<QString> kPingOnly = {QStringLiteral("count"), QStringLiteral("interval"), QStringLiteral("ttl")};
const QSet<QString> kWatchOnly = {QStringLiteral("cycles"), QStringLiteral("csv")};
// Options of the geolocation chain: locate, trace --geo, and (some) geodb.
const QSet<QString> kGeoOptions = {QStringLiteral("offline"),         QStringLiteral("online"),
                                   QStringLiteral("geo-db"),          QStringLiteral("geo-overrides"),
                                   QStringLiteral("nominatim-url"),   QStringLiteral("geo-provider-url"),
                                   QStringLiteral("source-location"), QStringLiteral("geo-cache")};
const QSet<QString> kLocateOnly = {QStringLiteral("hostname"), QStringLiteral("rtt")};
const QSet<QString> kGeoDbAllowed = {QStringLiteral("geo-db"), QStringLiteral("registry"),
                                     QStringLiteral("json"), QStringLiteral("offline")};

bool readInt(const QCommandLineParser &p, const QString &name, int min, int max, int *out, QString *error)
{
    if (!p.isSet(name))
        return true;
    const QString text = p.value(name);
    bool ok = false;
    const long long v = text.trimmed().toLongLong(&ok);
    if (!ok || v < min || v > max) {
        *error = QStringLiteral("--%1 must be a whole number from %2 to %3, got '%4'")
                     .arg(name)
                     .arg(min)
                     .arg(max)
                     .arg(text);
        return false;
    }
    *out = int(v);
    return true;
}

bool readSeconds(const QCommandLineParser &p, const QString &name, double min, double max, double *out,
                 QString *error)
{
    if (!p.isSet(name))
        return true;
    const QString text = p.value(name);
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < min || v > max) {
        *error = QStringLiteral("--%1 must be a number of seconds from %2 to %3, got '%4'")
                     .arg(name)
                     .arg(min)
                     .arg(max)
                     .arg(text);
        return false;
    }
    *out = v;
    return true;
}

bool readUrl(const QCommandLineParser &p, const QString &name, QUrl *out, QString *error)
{
    if (!p.isSet(name))
        return true;
    const QString text = p.value(name);
    // Tolerant parsing: templates such as http://host/json/{ip} must pass (braces become %7B..%7D,
    // which the providers substitute too).
    const QUrl url(text);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty()) {
        *error = QStringLiteral("--%1 must be an http:// or https:// URL, got '%2'").arg(name, text);
        return false;
    }
    *out = url;
    return true;
}

bool readFiles(const QCommandLineParser &p, const QString &name, QStringList *out, QString *error)
{
    for (const QString &path : p.values(name)) {
        const QFileInfo info(path);
        if (!info.isFile() || !info.isReadable()) {
            *error = QStringLiteral("--%1: cannot read '%2'").arg(name, path);
            return false;
        }
        *out << path;
    }
    return true;
}

} // namespace

// The options shared by locate, trace --geo and the vantage commands.
bool readGeoSettings(const QCommandLineParser &p, GeoSettings *s, QString *error)
{
    s->offline = p.isSet(QStringLiteral("offline"));
    s->onlineLookups = p.isSet(QStringLiteral("online"));
    if (s->offline && s->onlineLookups) {
        *error = QStringLiteral("--offline and --online exclude each other");
        return false;
    }
    if (!readFiles(p, QStringLiteral("geo-db"), &s->databasePaths, error) ||
        !readFiles(p, QStringLiteral("geo-overrides"), &s->overridePaths, error) ||
        !readUrl(p, QStringLiteral("nominatim-url"), &s->nominatimUrl, error) ||
        !readUrl(p, QStringLiteral("geo-provider-url"), &s->ipProviderUrl, error))
        return false;
    if (p.isSet(QStringLiteral("geo-cache"))) {
        s->cachePath = p.value(QStringLiteral("geo-cache"));
        if (s->cachePath.isEmpty()) {
            *error = QStringLiteral("--geo-cache needs a file name, or - for no cache");
            return false;
        }
    }
    if (p.isSet(QStringLiteral("source-location"))) {
        const QString text = p.value(QStringLiteral("source-location"));
        const QStringList parts = text.split(QLatin1Char(','));
        bool latOk = false;
        bool lonOk = false;
        const double lat = parts.value(0).trimmed().toDouble(&latOk);
        const double lon = parts.value(1).trimmed().toDouble(&lonOk);
        if (parts.size() != 2 || !latOk || !lonOk || !std::isfinite(lat) || !std::isfinite(lon) ||
            lat < -90 || lat > 90 || lon < -180 || lon > 180) {
            *error =
                QStringLiteral("--source-location must be LAT,LON in degrees (e.g. 50.11,8.68), got '%1'")
                    .arg(text);
            return false;
        }
        s->sourceLatitude = lat;
        s->sourceLongitude = lon;
    }
    s->reverseDns = !s->offline;
    return true;
}

namespace {

bool parseGeoCommand(const QCommandLineParser &p, const QString &command, Options *options, QString *error)
{
    const bool locate = command == QLatin1String("locate");
    for (const QString &name : p.optionNames()) {
        const bool allowed = locate ? (kGeoOptions.contains(name) || kLocateOnly.contains(name) ||
                                       name == QLatin1String("json"))
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
        if (!readFiles(p, QStringLiteral("geo-db"), &geo.settings.databasePaths, error) ||
            !readUrl(p, QStringLiteral("registry"), &geo.registryUrl, error))
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

// watch: the trace request parsed so far becomes the rounds' request.
bool parseWatch(const QCommandLineParser &p, Options *options, QString *error)
{
    WatchRequest &w = options->watch;
    w.trace = options->trace;
    if (!p.isSet(QStringLiteral("queries")))
        w.trace.queries = WatchRequest().trace.queries; // one probe per hop per round, as mtr
    options->csv = p.isSet(QStringLiteral("csv"));
    if (int(options->json) + int(options->csv) + int(options->report) > 1) {
        *error = QStringLiteral("--report, --json and --csv exclude each other");
        return false;
    }
    if (!readSeconds(p, QStringLiteral("interval"), kMinWatchIntervalSec, kMaxWatchIntervalSec,
                     &w.intervalSec, error) ||
        !readInt(p, QStringLiteral("cycles"), 1, kMaxWatchCycles, &w.cycles, error))
        return false;
    if (const QString e = validate(w); !e.isEmpty()) {
        *error = e;
        return false;
    }
    options->command = Command::Watch;
    return true;
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
    for (const Spec &s : specs()) {
        QStringList forms;
        for (const QString &n : s.names)
            forms << (n.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + n;
        QString left = QStringLiteral("  ") + forms.join(QStringLiteral(", "));
        if (!s.valueName.isEmpty())
            left += QLatin1Char(' ') + s.valueName;
        text += left.leftJustified(30) + QLatin1Char(' ') + s.help + QLatin1Char('\n');
    }
    for (const VantageSpec &s : vantageSpecs()) {
        const QString left = QStringLiteral("  --") + s.name +
                             (s.valueName.isEmpty() ? QString() : QLatin1Char(' ') + s.valueName);
        text += left.leftJustified(30) + QLatin1Char(' ') + s.help + QLatin1Char('\n');
    }
    return text;
}

bool parse(const QStringList &arguments, Options *options, QString *error)
{
    QCommandLineParser p;
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    for (const Spec &s : specs()) {
        QCommandLineOption o(s.names, s.help);
        if (!s.valueName.isEmpty())
            o.setValueName(s.valueName);
        p.addOption(o);
    }
    for (const VantageSpec &s : vantageSpecs()) {
        QCommandLineOption o(s.name, s.help);
        if (!s.valueName.isEmpty())
            o.setValueName(s.valueName);
        p.addOption(o);
    }
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
    const bool trace = command == QLatin1String("trace") || watch;
    if (positional.size() < 2) {
        *error = QStringLiteral("%1: missing HOST").arg(command);
        return false;
    }
    if (positional.size() > 2) {
        *error =
            QStringLiteral("%1: unexpected argument '%2' (one HOST only)").arg(command, positional.at(2));
        return false;
    }
    for (const QString &name : p.optionNames()) {
        if (watch && name == QLatin1String("interval"))
            continue;
        if ((watch && (kGeoOptions.contains(name) || name == QLatin1String("geo") ||
                       name == QLatin1String("format") || name == QLatin1String("output") ||
                       name == QLatin1String("keep") || name == QLatin1String("history-db"))) ||
            (!watch && kWatchOnly.contains(name))) {
            *error = QStringLiteral("--%1 does not apply to %2").arg(name, command);
            return false;
        }
        if ((trace && kPingOnly.contains(name)) || (!trace && kTraceOnly.contains(name)) ||
            isVantageOption(name) || kLocateOnly.contains(name) || name == QLatin1String("registry") ||
            (!trace && (name == QLatin1String("format") || name == QLatin1String("output") ||
                        name == QLatin1String("keep") || name == QLatin1String("history-db"))) ||
            (!trace && (kGeoOptions.contains(name) || name == QLatin1String("geo")))) {
            *error = QStringLiteral("--%1 does not apply to %2").arg(name, command);
            return false;
        }
        if (trace && kGeoOptions.contains(name) && !p.isSet(QStringLiteral("geo"))) {
            *error = QStringLiteral("--%1 needs --geo").arg(name);
            return false;
        }
    }
    const QString host = positional.at(1);
    if (const QString e = validateHost(host); !e.isEmpty()) {
        *error = e;
        return false;
    }
    if (p.isSet(QStringLiteral("4")) && p.isSet(QStringLiteral("6"))) {
        *error = QStringLiteral("-4 and -6 exclude each other");
        return false;
    }
    const AddressFamily family = p.isSet(QStringLiteral("4"))   ? AddressFamily::IPv4
                                 : p.isSet(QStringLiteral("6")) ? AddressFamily::IPv6
                                                                : AddressFamily::Any;
    std::optional<ProbeMethod> method = trace ? ProbeMethod::Udp : ProbeMethod::Icmp;
    if (p.isSet(QStringLiteral("method"))) {
        method = probeMethodFromString(p.value(QStringLiteral("method")));
        if (!method) {
            *error = QStringLiteral("--method must be udp, icmp, tcp or auto, got '%1'")
                         .arg(p.value(QStringLiteral("method")));
            return false;
        }
    }
    int port = 0;
    if (!readInt(p, QStringLiteral("port"), 1, 65535, &port, error))
        return false;
    options->json = p.isSet(QStringLiteral("json"));
    options->report = p.isSet(QStringLiteral("report"));

    if (trace) {
        TraceRequest &r = options->trace;
        r.target = host;
        r.family = family;
        r.method = *method;
        r.port = quint16(port);
        r.flow = p.isSet(QStringLiteral("classic")) ? FlowMode::Classic : FlowMode::Paris;
        if (!readInt(p, QStringLiteral("first-ttl"), 1, 255, &r.firstTtl, error) ||
            !readInt(p, QStringLiteral("max-ttl"), 1, 255, &r.maxTtl, error) ||
            !readInt(p, QStringLiteral("queries"), 1, 10, &r.queries, error) ||
            !readInt(p, QStringLiteral("max-gap"), 1, 255, &r.maxGap, error) ||
            !readInt(p, QStringLiteral("max-in-flight"), 1, 1024, &r.maxInFlight, error) ||
            !readSeconds(p, QStringLiteral("timeout"), 0.1, 60, &r.timeoutSec, error))
            return false;
        if (const QString e = validate(r); !e.isEmpty()) {
            *error = e;
            return false;
        }
        if (watch)
            return parseWatch(p, options, error);
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
    r.family = family;
    r.method = *method;
    r.port = quint16(port);
    if (!readInt(p, QStringLiteral("count"), 1, 100000, &r.count, error) ||
        !readInt(p, QStringLiteral("ttl"), 1, 255, &r.ttl, error) ||
        !readSeconds(p, QStringLiteral("interval"), 0.01, 3600, &r.intervalSec, error) ||
        !readSeconds(p, QStringLiteral("timeout"), 0.1, 60, &r.timeoutSec, error))
        return false;
    if (const QString e = validate(r); !e.isEmpty()) {
        *error = e;
        return false;
    }
    options->command = Command::Ping;
    return true;
}

} // namespace tracemap::cli
