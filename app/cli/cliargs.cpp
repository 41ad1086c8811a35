#include "cliargs.h"

#include "traceengine.h"

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
         QStringLiteral("ping: seconds between probes, 0.01-3600 (1).")},
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

} // namespace

QString helpText()
{
    QString text = QStringLiteral(
        "Usage: tracemap-cli trace HOST [options]\n"
        "       tracemap-cli ping HOST [options]\n\n"
        "Traces the route to HOST, or pings it, and prints each answer as it arrives.\n"
        "Exit status: 0 done (destination reached / answered), 1 not reached, not resolvable or\n"
        "method not permitted, 2 bad usage.\n\nOptions:\n");
    for (const Spec &s : specs()) {
        QStringList forms;
        for (const QString &n : s.names)
            forms << (n.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + n;
        QString left = QStringLiteral("  ") + forms.join(QStringLiteral(", "));
        if (!s.valueName.isEmpty())
            left += QLatin1Char(' ') + s.valueName;
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
        *error = QStringLiteral("missing command: use 'trace HOST' or 'ping HOST' (see --help)");
        return false;
    }
    const QString command = positional.first();
    if (command == QLatin1String("help")) {
        options->command = Command::Help;
        return true;
    }
    if (command != QLatin1String("trace") && command != QLatin1String("ping")) {
        *error = QStringLiteral("unknown command '%1': use 'trace HOST' or 'ping HOST'").arg(command);
        return false;
    }
    const bool trace = command == QLatin1String("trace");
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
        if ((trace && kPingOnly.contains(name)) || (!trace && kTraceOnly.contains(name))) {
            *error = QStringLiteral("--%1 does not apply to %2").arg(name, command);
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
