#include "desktopargs.h"

#include "traceengine.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace tracemap::desktop {

namespace {

bool parseLatLon(const QString &text, double *lat, double *lon)
{
    const QStringList parts = text.split(QLatin1Char(','));
    if (parts.size() != 2)
        return false;
    bool a = false, b = false;
    *lat = parts.at(0).trimmed().toDouble(&a);
    *lon = parts.at(1).trimmed().toDouble(&b);
    return a && b && *lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180;
}

} // namespace

QString desktopHelpText()
{
    return QStringLiteral(
        "Usage: tracemap [HOST | FILE] [options]\n"
        "A visual traceroute: type a host, press Trace, watch the route drawn on a map.\n"
        "\n"
        "Scripted export (no interaction; under xvfb-run or -platform offscreen):\n"
        "  tracemap --trace HOST --export-image FILE [--size WxH] [--offline]\n"
        "           [--geo-overrides FILE] [--geo-db PATH] [--center LAT,LON --zoom Z]\n"
        "           [--method M] --quit-when-done\n"
        "  tracemap --open FILE [--export-image PNG] [--export-report PDF] --quit-when-done\n"
        "\n"
        "Options:\n"
        "  --trace HOST          trace HOST as soon as the window is up\n"
        "  --open FILE           show a saved trace (.tracemap.json) without probing;\n"
        "                        a FILE given in place of HOST is opened too\n"
        "  --export-report FILE  when done, save the PDF report (title, map, hop table)\n"
        "  --compare FILE        with --open: compare FILE (before) with the opened trace\n"
        "  --export-image FILE   when the trace is done, save the map as a PNG\n"
        "  --size WxH            image size in pixels (default: 1280x800)\n"
        "  --offline             no tiles and no online lookups (vector basemap)\n"
        "  --geo-overrides FILE  CSV overrides / geofeed placing addresses (repeatable)\n"
        "  --geo-db PATH         MMDB database (repeatable)\n"
        "  --center LAT,LON      map centre for the image (with --zoom; default: fit route)\n"
        "  --zoom Z              map zoom 1..19 (with --center)\n"
        "  --method M            auto, udp, icmp or tcp\n"
        "  -4, -6                IPv4 / IPv6 only\n"
        "  --max-ttl N           1..255\n"
        "  --timeout SEC         0.1..60: the longest a probe is waited for\n"
        "  --source-location LAT,LON\n"
        "                        where the trace starts (default: the first located hop);\n"
        "                        --source is the old spelling\n"
        "  --quit-when-done      exit after the trace (and export): 0 reached and saved,\n"
        "                        1 otherwise, 2 bad arguments\n"
        "  -h, --help, --version\n");
}

ParseOutcome parseDesktopArguments(const QStringList &arguments)
{
    ParseOutcome out;
    DesktopOptions &o = out.options;
    QCommandLineParser p;
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")});
    const QCommandLineOption version(QStringLiteral("version"));
    const QCommandLineOption trace(QStringLiteral("trace"), {}, QStringLiteral("HOST"));
    const QCommandLineOption exportImage(QStringLiteral("export-image"), {}, QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"), {}, QStringLiteral("WxH"));
    const QCommandLineOption offline(QStringLiteral("offline"));
    const QCommandLineOption overrides(QStringLiteral("geo-overrides"), {}, QStringLiteral("FILE"));
    const QCommandLineOption db(QStringLiteral("geo-db"), {}, QStringLiteral("PATH"));
    const QCommandLineOption center(QStringLiteral("center"), {}, QStringLiteral("LAT,LON"));
    const QCommandLineOption zoom(QStringLiteral("zoom"), {}, QStringLiteral("Z"));
    const QCommandLineOption method(QStringLiteral("method"), {}, QStringLiteral("M"));
    const QCommandLineOption v4(QStringLiteral("4"));
    const QCommandLineOption v6(QStringLiteral("6"));
    const QCommandLineOption maxTtl(QStringLiteral("max-ttl"), {}, QStringLiteral("N"));
    const QCommandLineOption timeout(QStringLiteral("timeout"), {}, QStringLiteral("SEC"));
    // --source-location as in tracemap-cli; --source is the desktop app's older spelling.
    const QCommandLineOption source(QStringList{QStringLiteral("source-location"), QStringLiteral("source")},
                                    {}, QStringLiteral("LAT,LON"));
    const QCommandLineOption quit(QStringLiteral("quit-when-done"));
    const QCommandLineOption repeat(QStringLiteral("repeat"), {}, QStringLiteral("N"));
    const QCommandLineOption windowShot(QStringLiteral("window-shot"), {}, QStringLiteral("FILE"));
    const QCommandLineOption open(QStringLiteral("open"), {}, QStringLiteral("FILE"));
    const QCommandLineOption report(QStringLiteral("export-report"), {}, QStringLiteral("FILE"));
    const QCommandLineOption compare(QStringLiteral("compare"), {}, QStringLiteral("FILE"));
    p.addOptions({help,   version, trace,      exportImage, size,   offline, overrides, db,
                  center, zoom,    method,     v4,          v6,     maxTtl,  timeout,   source,
                  quit,   repeat,  windowShot, open,        report, compare});
    p.addPositionalArgument(QStringLiteral("host"), {}, QStringLiteral("[HOST]"));

    if (!p.parse(arguments)) {
        out.error = p.errorText();
        return out;
    }
    if (p.isSet(help)) {
        out.helpShown = true;
        return out;
    }
    if (p.isSet(version)) {
        out.versionShown = true;
        return out;
    }
    QStringList positional = p.positionalArguments();
    // `tracemap FILE`: a saved trace (an existing file, or a name a host cannot have).
    if (!positional.isEmpty() &&
        (QFileInfo(positional.first()).isFile() || positional.first().endsWith(QLatin1String(".json")))) {
        o.openPath = positional.takeFirst();
        if (p.isSet(open) || !positional.isEmpty()) {
            out.error = QStringLiteral("give one trace file to open");
            return out;
        }
    }
    if (p.isSet(open)) {
        o.openPath = p.value(open);
        if (o.openPath.isEmpty() || p.isSet(trace) || !positional.isEmpty()) {
            out.error = QStringLiteral("--open needs a file name, and no host to trace beside it");
            return out;
        }
    }
    if (positional.size() > 1) {
        out.error = QStringLiteral("unexpected argument '%1'").arg(positional.at(1));
        return out;
    }
    if (p.isSet(trace) && !positional.isEmpty()) {
        out.error = QStringLiteral("give the host either as HOST or with --trace, not both");
        return out;
    }
    o.host = p.isSet(trace) ? p.value(trace) : positional.value(0);
    o.scripted = p.isSet(trace);
    if (!o.host.isEmpty()) {
        const QString problem = validateHost(o.host);
        if (!problem.isEmpty()) {
            out.error = problem;
            return out;
        }
    }
    if (p.isSet(exportImage)) {
        o.exportPath = p.value(exportImage);
        if (o.exportPath.isEmpty()) {
            out.error = QStringLiteral("--export-image needs a file name");
            return out;
        }
        if (o.host.isEmpty() && o.openPath.isEmpty()) {
            out.error = QStringLiteral("--export-image needs a host to trace (--trace HOST) or --open FILE");
            return out;
        }
        o.scripted = true;
    }
    if (p.isSet(compare)) {
        o.comparePath = p.value(compare);
        if (o.comparePath.isEmpty() || o.openPath.isEmpty()) {
            out.error = QStringLiteral("--compare needs a file name and --open FILE");
            return out;
        }
    }
    if (p.isSet(report)) {
        o.reportPath = p.value(report);
        if (o.reportPath.isEmpty() || (o.host.isEmpty() && o.openPath.isEmpty())) {
            out.error = QStringLiteral("--export-report needs a file name and --trace HOST or --open FILE");
            return out;
        }
        o.scripted = true;
    }
    if (p.isSet(size)) {
        const QStringList wh = p.value(size).toLower().split(QLatin1Char('x'));
        bool a = false, b = false;
        const int w = wh.size() == 2 ? wh.at(0).toInt(&a) : 0;
        const int h = wh.size() == 2 ? wh.at(1).toInt(&b) : 0;
        if (!a || !b || w < 64 || h < 64 || w > 8192 || h > 8192) {
            out.error = QStringLiteral("--size must be WxH with 64..8192 pixels each, e.g. 1200x800");
            return out;
        }
        o.exportSize = QSize(w, h);
    }
    o.offline = p.isSet(offline);
    o.overridePaths = p.values(overrides);
    o.databasePaths = p.values(db);
    if (p.isSet(center) != p.isSet(zoom)) {
        out.error = QStringLiteral("--center and --zoom go together");
        return out;
    }
    if (p.isSet(center)) {
        double lat = 0, lon = 0;
        if (!parseLatLon(p.value(center), &lat, &lon)) {
            out.error = QStringLiteral("--center must be LAT,LON in degrees, e.g. 50.1,8.7");
            return out;
        }
        bool ok = false;
        const double z = p.value(zoom).toDouble(&ok);
        if (!ok || z < 1 || z > 19) {
            out.error = QStringLiteral("--zoom must be a number from 1 to 19");
            return out;
        }
        o.centerLatitude = lat;
        o.centerLongitude = lon;
        o.zoom = z;
    }
    if (p.isSet(method)) {
        if (!probeMethodFromString(p.value(method))) {
            out.error = QStringLiteral("--method must be auto, udp, icmp or tcp");
            return out;
        }
        o.method = p.value(method).trimmed().toLower();
    }
    if (p.isSet(v4) && p.isSet(v6)) {
        out.error = QStringLiteral("-4 and -6 exclude each other");
        return out;
    }
    o.family = p.isSet(v4) ? 4 : p.isSet(v6) ? 6 : 0;
    if (p.isSet(maxTtl)) {
        bool ok = false;
        o.maxTtl = p.value(maxTtl).toInt(&ok);
        if (!ok || o.maxTtl < 1 || o.maxTtl > 255) {
            out.error = QStringLiteral("--max-ttl must be 1..255");
            return out;
        }
    }
    if (p.isSet(timeout)) {
        bool ok = false;
        const double t = p.value(timeout).toDouble(&ok);
        if (!ok || t < 0.1 || t > 60) {
            out.error = QStringLiteral("--timeout must be 0.1..60 seconds");
            return out;
        }
        o.timeoutSec = t;
    }
    if (p.isSet(source)) {
        double lat = 0, lon = 0;
        if (!parseLatLon(p.value(source), &lat, &lon)) {
            out.error = QStringLiteral("--source-location must be LAT,LON in degrees, e.g. 48.86,2.35");
            return out;
        }
        o.sourceLocation = p.value(source);
    }
    o.quitWhenDone = p.isSet(quit);
    if (o.quitWhenDone && o.host.isEmpty() && o.openPath.isEmpty()) {
        out.error = QStringLiteral("--quit-when-done needs a host to trace (--trace HOST) or --open FILE");
        return out;
    }
    if (p.isSet(repeat)) {
        bool ok = false;
        o.repeat = p.value(repeat).toInt(&ok);
        if (!ok || o.repeat < 1 || o.repeat > 100000 || o.host.isEmpty()) {
            out.error = QStringLiteral("--repeat needs a host and a count of 1..100000");
            return out;
        }
        o.scripted = true;
    }
    o.windowShotPath = p.value(windowShot);
    if (!o.windowShotPath.isEmpty() && !o.scripted) {
        out.error = QStringLiteral("--window-shot needs --trace HOST");
        return out;
    }
    return out;
}

} // namespace tracemap::desktop
