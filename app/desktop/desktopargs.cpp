#include "desktopargs.h"

#include "geooptions.h"
#include "traceengine.h"
#include "traceoptions.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace tracemap::desktop {

namespace {

// The trace and geolocation options the window takes from the shared tables.
const QList<TraceOption> kTraceOptions = {TraceOption::Method, TraceOption::IPv4, TraceOption::IPv6,
                                          TraceOption::MaxTtl, TraceOption::Timeout};
const QList<GeoOption> kGeoOptions = {GeoOption::Offline,      GeoOption::Online,
                                      GeoOption::GeoDb,        GeoOption::GeoOverrides,
                                      GeoOption::NominatimUrl, GeoOption::SourceLocation};
// The watch's own options, from the same table as tracemap-cli watch's.
const QList<TraceOption> kWatchOptions = {TraceOption::Interval, TraceOption::Cycles};

bool given(const OptionValues &values, const QString &name)
{
    for (const auto &value : values) {
        if (value.first == name)
            return true;
    }
    return false;
}

// The shared options' values into the options the window applies.
QString applyShared(const QCommandLineParser &p, DesktopOptions *o)
{
    const OptionValues trace = givenTraceOptions(p, kTraceOptions);
    TraceRequest request;
    if (const OptionProblem problem = applyTraceOptions(trace, OptionSyntax::CommandLine, {}, &request);
        !problem.ok())
        return problem.message;
    if (given(trace, QStringLiteral("method")))
        o->method = request.method;
    if (given(trace, QStringLiteral("4")) || given(trace, QStringLiteral("6")))
        o->family = request.family;
    if (given(trace, QStringLiteral("max-ttl")))
        o->maxTtl = request.maxTtl;
    if (given(trace, QStringLiteral("timeout")))
        o->timeoutSec = request.timeoutSec;

    OptionValues geo = givenGeoOptions(p, kGeoOptions);
    if (p.isSet(QStringLiteral("source"))) // the old spelling of --source-location
        geo.append({QStringLiteral("source-location"), p.value(QStringLiteral("source"))});
    GeoSettings settings;
    if (const OptionProblem problem = applyGeoOptions(geo, &settings); !problem.ok())
        return problem.message;
    o->offline = settings.offline;
    o->onlineLookups = settings.onlineLookups;
    o->overridePaths = settings.overridePaths;
    o->databasePaths = settings.databasePaths;
    if (given(geo, QStringLiteral("nominatim-url")))
        o->nominatimUrl = settings.nominatimUrl;
    if (given(geo, QStringLiteral("source-location"))) {
        o->sourceLocation = settings.sourceLatitude ? QStringLiteral("%1,%2")
                                                          .arg(*settings.sourceLatitude, 0, 'g', 12)
                                                          .arg(*settings.sourceLongitude, 0, 'g', 12)
                                                    : QString();
    }
    return {};
}

// --watch HOST and its --interval/--cycles; the other ways to start are refused beside it.
QString applyWatch(const QCommandLineParser &p, const QStringList &conflicts, DesktopOptions *o)
{
    const OptionValues values = givenTraceOptions(p, kWatchOptions);
    if (!p.isSet(QStringLiteral("watch"))) {
        return values.isEmpty() ? QString()
                                : QStringLiteral("--%1 needs --watch HOST").arg(values.first().first);
    }
    for (const QString &name : conflicts) {
        if (p.isSet(name))
            return QStringLiteral("--watch does not go with --%1").arg(name);
    }
    WatchRequest request;
    if (const OptionProblem problem = applyTraceOptions(values, OptionSyntax::CommandLine, {}, &request);
        !problem.ok())
        return problem.message;
    o->watch = true;
    o->watchIntervalSec = request.intervalSec;
    o->watchCycles = request.cycles;
    return {};
}

} // namespace

QString desktopHelpText()
{
    const auto line = [](const char *name, const char *value, const char *help) {
        return optionHelpLine({QString::fromLatin1(name)}, QString::fromLatin1(value),
                              QString::fromLatin1(help));
    };
    return QStringLiteral("Usage: tracemap [HOST | FILE] [options]\n"
                          "A visual traceroute: type a host, press Trace, watch the route drawn on a map.\n"
                          "\n"
                          "Scripted export (no interaction; under xvfb-run or -platform offscreen):\n"
                          "  tracemap --trace HOST --export-image FILE [--size WxH] [--offline]\n"
                          "           [--geo-overrides FILE] [--geo-db PATH] [--center LAT,LON --zoom Z]\n"
                          "           [--method M] --quit-when-done\n"
                          "  tracemap --open FILE [--export-image PNG] [--export-report PDF] [--save FILE]\n"
                          "           --quit-when-done\n"
                          "Watch (as the Watch button, with the chart pane):\n"
                          "  tracemap --watch HOST [trace options] [--interval SEC] [--cycles N]\n"
                          "           [--quit-when-done]\n"
                          "\n"
                          "Options:\n") +
           line("trace", "HOST", "Trace HOST as soon as the window is up.") +
           line("watch", "HOST", "Watch HOST as soon as the window is up: rounds and the chart pane.") +
           line("open", "FILE",
                "Show a saved trace (.tracemap.json) or RIPE Atlas / Globalping results without probing; a "
                "FILE given in place of HOST is opened too.") +
           line("export-report", "FILE", "When done, save the PDF report (title, map, hop table).") +
           line("compare", "FILE", "With --open: compare FILE (before) with the opened trace.") +
           line("save", "FILE", "When done, save the trace file (.tracemap.json), as File > Save does.") +
           line("export-image", "FILE", "When the trace is done, save the map as a PNG.") +
           line("size", "WxH", "Image size in pixels, 64-8192 each (1280x800).") +
           line("center", "LAT,LON", "Map centre for the image (with --zoom; default: fit the route).") +
           line("zoom", "Z", "Map zoom 1-19 (with --center).") +
           line("quit-when-done", "",
                "Exit after the trace (and export): 0 reached and saved, 1 otherwise, 2 bad arguments.") +
           optionHelpLine({QStringLiteral("h"), QStringLiteral("help")}, {},
                          QStringLiteral("Show this help.")) +
           line("atlas-url", "URL", "The RIPE Atlas API base (a mirror, or a test's fake).") +
           line("globalping-url", "URL", "The Globalping API base (a mirror, or a test's fake).") +
           line("version", "", "Show the version.") + QStringLiteral("\nTrace options:\n") +
           traceOptionsHelp(kTraceOptions) + QStringLiteral("\nWatch options (with --watch):\n") +
           traceOptionsHelp(kWatchOptions) + QStringLiteral("\nGeolocation options:\n") +
           geoOptionsHelp(kGeoOptions);
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
    const QCommandLineOption watch(QStringLiteral("watch"), {}, QStringLiteral("HOST"));
    const QCommandLineOption exportImage(QStringLiteral("export-image"), {}, QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"), {}, QStringLiteral("WxH"));
    const QCommandLineOption center(QStringLiteral("center"), {}, QStringLiteral("LAT,LON"));
    const QCommandLineOption zoom(QStringLiteral("zoom"), {}, QStringLiteral("Z"));
    // --source-location as in tracemap-cli; --source is the desktop app's older spelling.
    QCommandLineOption source(QStringLiteral("source"), {}, QStringLiteral("LAT,LON"));
    source.setFlags(QCommandLineOption::HiddenFromHelp);
    const QCommandLineOption quit(QStringLiteral("quit-when-done"));
    const QCommandLineOption repeat(QStringLiteral("repeat"), {}, QStringLiteral("N"));
    const QCommandLineOption windowShot(QStringLiteral("window-shot"), {}, QStringLiteral("FILE"));
    const QCommandLineOption open(QStringLiteral("open"), {}, QStringLiteral("FILE"));
    const QCommandLineOption report(QStringLiteral("export-report"), {}, QStringLiteral("FILE"));
    const QCommandLineOption compare(QStringLiteral("compare"), {}, QStringLiteral("FILE"));
    const QCommandLineOption save(QStringLiteral("save"), {}, QStringLiteral("FILE"));
    const QCommandLineOption atlasUrl(QStringLiteral("atlas-url"), {}, QStringLiteral("URL"));
    const QCommandLineOption globalpingUrl(QStringLiteral("globalping-url"), {}, QStringLiteral("URL"));
    p.addOptions({help, version, trace, exportImage, size, center, zoom, source, quit, repeat, windowShot,
                  open, report, compare, save, atlasUrl, globalpingUrl, watch});
    p.addOptions(traceCommandLineOptions(kTraceOptions));
    p.addOptions(traceCommandLineOptions(kWatchOptions));
    p.addOptions(geoCommandLineOptions(kGeoOptions));
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
        o.run.openPath = positional.takeFirst();
        if (p.isSet(open) || !positional.isEmpty()) {
            out.error = QStringLiteral("give one trace file to open");
            return out;
        }
    }
    if (p.isSet(open)) {
        o.run.openPath = p.value(open);
        if (o.run.openPath.isEmpty() || p.isSet(trace) || !positional.isEmpty()) {
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
    if (const QString problem =
            applyWatch(p,
                       {QStringLiteral("trace"), QStringLiteral("open"), QStringLiteral("export-image"),
                        QStringLiteral("export-report"), QStringLiteral("compare"), QStringLiteral("save"),
                        QStringLiteral("repeat"), QStringLiteral("window-shot")},
                       &o);
        !problem.isEmpty()) {
        out.error = problem;
        return out;
    }
    if (o.watch && (!positional.isEmpty() || !o.run.openPath.isEmpty() || p.value(watch).isEmpty())) {
        out.error = QStringLiteral("--watch needs one host, and no other host or file beside it");
        return out;
    }
    o.host = p.isSet(trace) ? p.value(trace) : o.watch ? p.value(watch) : positional.value(0);
    o.scripted = p.isSet(trace);
    if (!o.host.isEmpty()) {
        const QString problem = validateHost(o.host);
        if (!problem.isEmpty()) {
            out.error = problem;
            return out;
        }
    }
    if (p.isSet(exportImage)) {
        o.run.exportPath = p.value(exportImage);
        if (o.run.exportPath.isEmpty()) {
            out.error = QStringLiteral("--export-image needs a file name");
            return out;
        }
        if (o.host.isEmpty() && o.run.openPath.isEmpty()) {
            out.error = QStringLiteral("--export-image needs a host to trace (--trace HOST) or --open FILE");
            return out;
        }
        o.scripted = true;
    }
    if (p.isSet(compare)) {
        o.run.comparePath = p.value(compare);
        if (o.run.comparePath.isEmpty() || o.run.openPath.isEmpty()) {
            out.error = QStringLiteral("--compare needs a file name and --open FILE");
            return out;
        }
    }
    // The report and the saved trace are written from the trace shown: a host or a file first.
    for (const auto &[option, path] :
         {std::pair{&report, &o.run.reportPath}, std::pair{&save, &o.run.savePath}}) {
        if (!p.isSet(*option))
            continue;
        *path = p.value(*option);
        if (path->isEmpty() || (o.host.isEmpty() && o.run.openPath.isEmpty())) {
            out.error = QStringLiteral("--%1 needs a file name and --trace HOST or --open FILE")
                            .arg(option->names().constFirst());
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
        o.run.exportSize = QSize(w, h);
    }
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
        o.run.centerLatitude = lat;
        o.run.centerLongitude = lon;
        o.run.zoom = z;
    }
    for (const auto &[option, url] :
         {std::pair{&atlasUrl, &o.atlasUrl}, std::pair{&globalpingUrl, &o.globalpingUrl}}) {
        if (!p.isSet(*option))
            continue;
        *url = QUrl(p.value(*option));
        if (!url->isValid() ||
            (url->scheme() != QLatin1String("http") && url->scheme() != QLatin1String("https")) ||
            url->host().isEmpty()) {
            out.error = QStringLiteral("--%1 must be an http(s) URL").arg(option->names().constFirst());
            return out;
        }
    }
    if (const QString problem = applyShared(p, &o); !problem.isEmpty()) {
        out.error = problem;
        return out;
    }
    o.run.quitWhenDone = p.isSet(quit);
    if (o.run.quitWhenDone && o.host.isEmpty() && o.run.openPath.isEmpty()) {
        out.error = QStringLiteral("--quit-when-done needs a host to trace (--trace HOST) or --open FILE");
        return out;
    }
    if (p.isSet(repeat)) {
        bool ok = false;
        o.run.repeat = p.value(repeat).toInt(&ok);
        if (!ok || o.run.repeat < 1 || o.run.repeat > 100000 || o.host.isEmpty()) {
            out.error = QStringLiteral("--repeat needs a host and a count of 1..100000");
            return out;
        }
        o.scripted = true;
    }
    o.run.windowShotPath = p.value(windowShot);
    if (!o.run.windowShotPath.isEmpty() && !o.scripted) {
        out.error = QStringLiteral("--window-shot needs --trace HOST");
        return out;
    }
    return out;
}

} // namespace tracemap::desktop
