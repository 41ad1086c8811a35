#include "vantagecli.h"

#include "cliargs.h"
#include "offline.h"
#include "traceengine.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>

namespace tracemap::cli {

namespace {

using Action = VantageOptions::Action;

// Which options each vantage command accepts (geo options: the routes' hops are located).
const QSet<QString> kGeo = {QStringLiteral("offline"),       QStringLiteral("online"),
                            QStringLiteral("geo-db"),        QStringLiteral("geo-overrides"),
                            QStringLiteral("nominatim-url"), QStringLiteral("geo-provider-url"),
                            QStringLiteral("geo-cache"),     QStringLiteral("json")};
QSet<QString> allowedFor(Action action)
{
    QSet<QString> allowed = {QStringLiteral("json"), QStringLiteral("deadline")};
    switch (action) {
    case Action::AtlasShow:
        allowed.unite(kGeo).unite({QStringLiteral("measurement"), QStringLiteral("probe-ids"),
                                   QStringLiteral("start"), QStringLiteral("stop"),
                                   QStringLiteral("atlas-url")});
        break;
    case Action::AtlasTrace:
        allowed.unite(kGeo).unite({QStringLiteral("probes"), QStringLiteral("country"), QStringLiteral("asn"),
                                   QStringLiteral("area"), QStringLiteral("key-file"), QStringLiteral("yes"),
                                   QStringLiteral("atlas-url"), QStringLiteral("4"), QStringLiteral("6"),
                                   QStringLiteral("method")});
        break;
    case Action::GlobalpingTrace:
        allowed.unite(kGeo).unite({QStringLiteral("from"), QStringLiteral("limit"),
                                   QStringLiteral("token-file"), QStringLiteral("mtr"),
                                   QStringLiteral("globalping-url"), QStringLiteral("4"), QStringLiteral("6"),
                                   QStringLiteral("method"), QStringLiteral("port")});
        break;
    case Action::TraceVia: // with --geo: the agent's address and the hops are located
        allowed.unite(kGeo).unite({QStringLiteral("geo"), QStringLiteral("via"), QStringLiteral("token-file"),
                                   QStringLiteral("method"), QStringLiteral("port"),
                                   QStringLiteral("max-ttl"), QStringLiteral("queries"), QStringLiteral("4"),
                                   QStringLiteral("6")});
        break;
    case Action::None:
        break;
    }
    return allowed;
}

bool readNumber(const QCommandLineParser &p, const QString &name, qint64 min, qint64 max, qint64 *value,
                QString *error)
{
    if (!p.isSet(name))
        return true;
    bool ok = false;
    const qint64 v = p.value(name).trimmed().toLongLong(&ok);
    if (!ok || v < min || v > max) {
        *error = QStringLiteral("--%1 must be a whole number from %2 to %3, got '%4'")
                     .arg(name)
                     .arg(min)
                     .arg(max)
                     .arg(p.value(name));
        return false;
    }
    *value = v;
    return true;
}

bool readBase(const QCommandLineParser &p, const QString &name, QUrl *url, QString *error)
{
    if (!p.isSet(name))
        return true;
    const QUrl u(p.value(name));
    if (!u.isValid() || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")) ||
        u.host().isEmpty() || !u.userInfo().isEmpty()) {
        *error = QStringLiteral("--%1 must be an http:// or https:// URL without credentials, got '%2'")
                     .arg(name, p.value(name));
        return false;
    }
    *url = u;
    return true;
}

QString methodProtocol(const QCommandLineParser &p)
{
    return p.isSet(QStringLiteral("method")) ? p.value(QStringLiteral("method")).trimmed().toUpper()
                                             : QString();
}

} // namespace

const QList<VantageSpec> &vantageSpecs()
{
    // name, value name (empty: a switch), help
    static constexpr const char *kRows[][3] = {
        {"via", "URL", "trace: run the trace on the tracemap-agent at URL."},
        {"token-file", "F", "trace --via/globalping: the token, first line of F (mode 0600)."},
        {"key-file", "F", "atlas trace: the RIPE Atlas API key, first line of F (0600)."},
        {"measurement", "ID", "atlas show: fetch this measurement's results."},
        {"probe-ids", "1,2", "atlas show: only these probes' results."},
        {"start", "UNIX", "atlas show: results from this time on."},
        {"stop", "UNIX", "atlas show: results up to this time."},
        {"probes", "N", "atlas trace: number of probes, 1-1000."},
        {"country", "CC", "atlas trace: probes in this country."},
        {"asn", "N", "atlas trace: probes in this AS."},
        {"area", "NAME", "atlas trace: WW, West, North-Central, South-Central, North-East, South-East."},
        {"yes", "", "atlas trace: spend the credits (the cost is printed first)."},
        {"from", "LOCATION", "globalping: where from (country, city, AS123, ...; repeatable)."},
        {"limit", "N", "globalping: number of probes, 1-500 (1)."},
        {"mtr", "", "globalping: an mtr measurement instead of traceroute."},
        {"atlas-url", "URL", "RIPE Atlas API base (https://atlas.ripe.net)."},
        {"globalping-url", "URL", "Globalping API base (https://api.globalping.io)."},
        {"deadline", "SEC", "atlas/globalping/--via: give up after SEC seconds, keeping what arrived."},
    };
    static const QList<VantageSpec> all = [] {
        QList<VantageSpec> specs;
        for (const auto &row : kRows)
            specs.append({QString::fromUtf8(row[0]), QString::fromUtf8(row[1]), QString::fromUtf8(row[2])});
        return specs;
    }();
    return all;
}

bool isVantageOption(const QString &name)
{
    for (const VantageSpec &s : vantageSpecs()) {
        if (s.name == name)
            return true;
    }
    return false;
}

QByteArray readSecretFile(const QString &path, QString *error)
{
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable()) {
        *error = QStringLiteral("cannot read the secret file '%1'").arg(path);
        return {};
    }
    const QFileDevice::Permissions perms = info.permissions();
    if (perms & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                 QFileDevice::WriteOther)) {
        *error =
            QStringLiteral("warning: '%1' can be read by other users; refusing to use it (chmod 600 '%1')")
                .arg(path);
        return {};
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the secret file '%1'").arg(path);
        return {};
    }
    const QByteArray secret = f.readLine(4096).trimmed();
    bool printable = !secret.isEmpty();
    for (char c : secret)
        printable = printable && c > 0x20 && c < 0x7f;
    if (!printable) {
        *error =
            QStringLiteral("'%1' must hold the secret on its first line (printable, no spaces)").arg(path);
        return {};
    }
    return secret;
}

bool parseVantageCommand(const QCommandLineParser &p, const QString &command, Options *options,
                         QString *error)
{
    VantageOptions &v = options->vantage;
    const QStringList args = p.positionalArguments();
    const QString sub = args.value(1);
    if (command == QLatin1String("trace")) {
        v.action = Action::TraceVia;
    } else if (command == QLatin1String("atlas") && sub == QLatin1String("show")) {
        v.action = Action::AtlasShow;
    } else if (command == QLatin1String("atlas") && sub == QLatin1String("trace")) {
        v.action = Action::AtlasTrace;
    } else if (command == QLatin1String("globalping") && sub == QLatin1String("trace")) {
        v.action = Action::GlobalpingTrace;
    } else {
        *error = command == QLatin1String("atlas")
                     ? QStringLiteral("atlas: say 'show FILE', 'show --measurement ID' or 'trace HOST'")
                     : QStringLiteral("globalping: say 'trace HOST'");
        return false;
    }
    const QSet<QString> allowed = allowedFor(v.action);
    const QString name =
        v.action == Action::TraceVia ? QStringLiteral("trace --via") : command + QLatin1Char(' ') + sub;
    for (const QString &option : p.optionNames()) {
        if (!allowed.contains(option)) {
            *error = QStringLiteral("--%1 does not apply to %2").arg(option, name);
            return false;
        }
    }
    const QStringList rest = args.mid(v.action == Action::TraceVia ? 1 : 2);
    if (v.action == Action::AtlasShow) {
        if (!readNumber(p, QStringLiteral("measurement"), 1, Q_INT64_C(1) << 40, &v.measurementId, error) ||
            !readNumber(p, QStringLiteral("start"), 0, Q_INT64_C(1) << 40, &v.start, error) ||
            !readNumber(p, QStringLiteral("stop"), 0, Q_INT64_C(1) << 40, &v.stop, error))
            return false;
        if ((rest.size() == 1) == (v.measurementId > 0) || rest.size() > 1) {
            *error = QStringLiteral("atlas show: give one FILE or --measurement ID");
            return false;
        }
        v.file = rest.value(0);
        if (!v.file.isEmpty() && (p.isSet(QStringLiteral("probe-ids")) || v.start >= 0 || v.stop >= 0)) {
            *error = QStringLiteral("--probe-ids, --start and --stop go with --measurement");
            return false;
        }
        if (p.isSet(QStringLiteral("probe-ids"))) {
            for (const QString &id : p.value(QStringLiteral("probe-ids")).split(QLatin1Char(','))) {
                bool ok = false;
                const qint64 n = id.trimmed().toLongLong(&ok);
                if (!ok || n <= 0) {
                    *error = QStringLiteral("--probe-ids must be probe numbers separated by commas, got '%1'")
                                 .arg(id);
                    return false;
                }
                v.probeIds << n;
            }
        }
    } else {
        if (rest.size() != 1) {
            *error = QStringLiteral("%1: give one HOST").arg(name);
            return false;
        }
        v.target = rest.first();
        if (const QString e = validateHost(v.target); !e.isEmpty()) {
            *error = e;
            return false;
        }
    }
    if (v.action == Action::AtlasTrace) {
        qint64 probes = 0;
        if (!readNumber(p, QStringLiteral("probes"), 1, 1000, &probes, error))
            return false;
        // --country, --asn and --area are named as the API names the selection types.
        int selections = 0;
        for (const AtlasProbeSelection::Type type : kAtlasSelectionTypes) {
            if (!p.isSet(atlasSelectionName(type)))
                continue;
            ++selections;
            v.probes.type = type;
            v.probes.value = p.value(atlasSelectionName(type));
        }
        if (probes == 0 || selections != 1 || !p.isSet(QStringLiteral("key-file"))) {
            *error = QStringLiteral(
                "atlas trace needs --probes N, one of --country/--asn/--area, and --key-file F");
            return false;
        }
        v.probes.requested = int(probes);
        v.yes = p.isSet(QStringLiteral("yes"));
    }
    if (v.action == Action::GlobalpingTrace) {
        qint64 limit = 1;
        if (!readNumber(p, QStringLiteral("limit"), 1, 500, &limit, error))
            return false;
        v.limit = int(limit);
        v.from = p.values(QStringLiteral("from"));
        v.mtr = p.isSet(QStringLiteral("mtr"));
        if (v.from.isEmpty()) {
            *error = QStringLiteral(
                "globalping trace needs --from LOCATION (a country, city, continent or AS123)");
            return false;
        }
    }
    if (v.action == Action::TraceVia) {
        if (!readBase(p, QStringLiteral("via"), &v.via, error))
            return false;
    }
    v.protocol = methodProtocol(p);
    if (!v.protocol.isEmpty() && v.protocol != QLatin1String("ICMP") && v.protocol != QLatin1String("UDP") &&
        v.protocol != QLatin1String("TCP")) {
        *error = QStringLiteral("--method must be udp, icmp or tcp here, got '%1'")
                     .arg(p.value(QStringLiteral("method")));
        return false;
    }
    if (p.isSet(QStringLiteral("4")) && p.isSet(QStringLiteral("6"))) {
        *error = QStringLiteral("-4 and -6 exclude each other");
        return false;
    }
    v.family = p.isSet(QStringLiteral("4")) ? 4 : p.isSet(QStringLiteral("6")) ? 6 : 0;
    qint64 port = 0;
    if (!readNumber(p, QStringLiteral("port"), 1, 65535, &port, error))
        return false;
    v.port = int(port);
    v.secretFile = p.value(p.isSet(QStringLiteral("key-file")) ? QStringLiteral("key-file")
                                                               : QStringLiteral("token-file"));
    qint64 deadline = 0;
    if (!readBase(p, QStringLiteral("atlas-url"), &v.atlasUrl, error) ||
        !readBase(p, QStringLiteral("globalping-url"), &v.globalpingUrl, error) ||
        !readNumber(p, QStringLiteral("deadline"), 1, 24 * 3600, &deadline, error))
        return false;
    v.timeoutSec = int(deadline);
    options->json = p.isSet(QStringLiteral("json"));
    if (v.action == Action::TraceVia) {
        // As for a local trace: the chain only with --geo, and its options only with it.
        options->geo.enabled = p.isSet(QStringLiteral("geo"));
        for (const QString &option : p.optionNames()) {
            if (!options->geo.enabled && kGeo.contains(option) && option != QLatin1String("json")) {
                *error = QStringLiteral("--%1 needs --geo").arg(option);
                return false;
            }
        }
    }
    if ((v.action != Action::TraceVia || options->geo.enabled) &&
        !readGeoSettings(p, &options->geo.settings, error))
        return false;
    // --offline: nothing leaves the machine, so a server elsewhere is refused before anything starts.
    if (options->geo.settings.offline) {
        const QUrl server = v.action == Action::TraceVia                            ? v.via
                            : v.action == Action::GlobalpingTrace                   ? v.globalpingUrl
                            : v.action == Action::AtlasTrace || v.measurementId > 0 ? v.atlasUrl
                                                                                    : QUrl();
        if (!server.isEmpty() && !reachableOffline(server)) {
            *error = offlineRefusal(server);
            return false;
        }
    }
    options->command = Command::Vantage;
    return true;
}

} // namespace tracemap::cli
