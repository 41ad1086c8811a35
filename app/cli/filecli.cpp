#include "filecli.h"

#include "geocli.h"
#include "tracediff.h"
#include "traceexport.h"
#include "tracehistory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>
#include <QTimeZone>

#include <cstdio>

namespace tracemap::cli {

namespace {

const QStringList kFormats = {QStringLiteral("json"), QStringLiteral("geojson"), QStringLiteral("kml"),
                              QStringLiteral("csv")};

void printErr(const QString &text)
{
    fputs(qPrintable(QStringLiteral("tracemap-cli: %1\n").arg(text)), stderr);
    fflush(stderr);
}

bool readFormat(const QCommandLineParser &p, Options *options, QString *error)
{
    if (!p.isSet(QStringLiteral("format")))
        return true;
    const QString format = p.value(QStringLiteral("format")).trimmed().toLower();
    if (!kFormats.contains(format)) {
        *error = QStringLiteral("--format must be json, geojson, kml or csv, got '%1'")
                     .arg(p.value(QStringLiteral("format")));
        return false;
    }
    options->file.format = format;
    return true;
}

bool readOutput(const QCommandLineParser &p, Options *options, QString *error)
{
    if (!p.isSet(QStringLiteral("output")))
        return true;
    options->file.outputPath = p.value(QStringLiteral("output"));
    if (options->file.outputPath.isEmpty()) {
        *error = QStringLiteral("--output needs a file name");
        return false;
    }
    return true;
}

} // namespace

bool isFileCommand(const QString &command)
{
    return command == QLatin1String("convert") || command == QLatin1String("diff") ||
           command == QLatin1String("history");
}

namespace {

bool parseHistoryCommand(const QCommandLineParser &p, Options *options, QString *error)
{
    const QStringList &args = options->file.args;
    const QString action = args.value(0);
    const bool show = action == QLatin1String("show");
    if (action == QLatin1String("list")) {
        if (args.size() > 2) {
            *error = QStringLiteral("history list: at most one TARGET");
            return false;
        }
    } else if (show || action == QLatin1String("delete")) {
        bool ok = false;
        if (args.size() != 2 || args.at(1).toLongLong(&ok) <= 0 || !ok) {
            *error = QStringLiteral("history %1: give one ID (a number from 'history list')").arg(action);
            return false;
        }
    } else {
        *error = QStringLiteral("history: say 'list', 'show ID' or 'delete ID'");
        return false;
    }
    if (!show && (p.isSet(QStringLiteral("format")) || p.isSet(QStringLiteral("output")))) {
        *error = QStringLiteral("--format and --output apply to history show only");
        return false;
    }
    if (p.isSet(QStringLiteral("history-db")))
        options->file.historyPath = p.value(QStringLiteral("history-db"));
    options->command = Command::History;
    return true;
}

} // namespace

bool parseFileCommand(const QCommandLineParser &p, const QString &command, Options *options, QString *error)
{
    const bool convert = command == QLatin1String("convert");
    const bool history = command == QLatin1String("history");
    const QStringList allowed = history   ? QStringList{QStringLiteral("json"), QStringLiteral("history-db"),
                                                      QStringLiteral("format"), QStringLiteral("output")}
                                : convert ? QStringList{QStringLiteral("format"), QStringLiteral("output")}
                                          : QStringList{QStringLiteral("json"), QStringLiteral("output")};
    for (const QString &name : p.optionNames()) {
        if (!allowed.contains(name)) {
            *error = QStringLiteral("--%1 does not apply to %2").arg(name, command);
            return false;
        }
    }
    options->file.args = p.positionalArguments().mid(1);
    options->json = p.isSet(QStringLiteral("json"));
    if (!readFormat(p, options, error) || !readOutput(p, options, error))
        return false;
    if (history)
        return parseHistoryCommand(p, options, error);
    if (convert) {
        if (options->file.args.size() != 1) {
            *error = QStringLiteral("convert: give one FILE (a .tracemap.json trace file)");
            return false;
        }
        if (options->file.format.isEmpty()) {
            *error = QStringLiteral("convert: say which --format (json, geojson, kml or csv)");
            return false;
        }
        options->command = Command::Convert;
        return true;
    }
    if (options->file.args.size() != 2) {
        *error = QStringLiteral("diff: give two trace files, A (before) and B (after)");
        return false;
    }
    options->command = Command::Diff;
    return true;
}

bool parseTraceFileOptions(const QCommandLineParser &p, Options *options, QString *error)
{
    if (!readFormat(p, options, error) || !readOutput(p, options, error))
        return false;
    const QString &format = options->file.format;
    if (!format.isEmpty() && !options->geo.enabled) {
        *error = QStringLiteral("--format needs --geo (it writes the trace file and its exports)");
        return false;
    }
    if (!format.isEmpty() && options->json && format != QLatin1String("json")) {
        *error = QStringLiteral("--json and --format %1 exclude each other").arg(format);
        return false;
    }
    options->file.keep = p.isSet(QStringLiteral("keep"));
    if (options->file.keep && !options->geo.enabled) {
        *error = QStringLiteral("--keep needs --geo (the history keeps trace files)");
        return false;
    }
    if (p.isSet(QStringLiteral("history-db"))) {
        if (!options->file.keep) {
            *error = QStringLiteral("--history-db needs --keep");
            return false;
        }
        options->file.historyPath = p.value(QStringLiteral("history-db"));
    }
    if (!options->file.outputPath.isEmpty() && !options->json && format.isEmpty()) {
        *error = QStringLiteral("--output needs --json or --format");
        return false;
    }
    if (!format.isEmpty())
        options->json = true; // one document at the end, no text while tracing
    return true;
}

TraceFile makeTraceFile(const TraceResult &result, const Options &options, const TraceGeoAnnotator &geo,
                        const QDateTime &startedAt, const QDateTime &finishedAt)
{
    TraceFile f;
    f.trace = result;
    f.meta.tracemapVersion = QStringLiteral(TRACEMAP_VERSION);
    f.meta.startedAt = startedAt;
    f.meta.finishedAt = finishedAt;
    f.meta.timeZone = QString::fromUtf8(QTimeZone::systemTimeZoneId());
    f.meta.vantageHost = QSysInfo::machineHostName();
    const GeoSettings &settings = options.geo.settings;
    if (settings.sourceLatitude && settings.sourceLongitude) {
        f.meta.vantageLatitude = settings.sourceLatitude;
        f.meta.vantageLongitude = settings.sourceLongitude;
    }
    f.meta.geoEnabled = true;
    f.meta.geo = settings;
    for (const Hop &hop : result.hops) {
        for (const QHostAddress &a : hop.responders()) {
            const GeoResult r = geo.resultFor(a);
            f.places.insert(r.address, r);
        }
    }
    f.attributions = geo.attributions();
    return f;
}

QByteArray renderTraceFile(const TraceFile &file, const QString &format)
{
    if (format == QLatin1String("geojson"))
        return TraceExport::toGeoJson(file);
    if (format == QLatin1String("kml"))
        return TraceExport::toKml(file);
    if (format == QLatin1String("csv"))
        return TraceExport::toCsv(file);
    return serializeTraceFile(file);
}

bool writeOutput(const QByteArray &bytes, const Options &options)
{
    if (options.file.outputPath.isEmpty()) {
        fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
        fflush(stdout);
        return true;
    }
    QString error;
    if (!writeFileAtomically(options.file.outputPath, bytes, &error)) {
        printErr(QStringLiteral("cannot write %1").arg(error));
        return false;
    }
    return true;
}

int runConvert(const Options &options)
{
    const TraceFileReadResult read = readTraceFile(options.file.args.first());
    if (!read.ok()) {
        printErr(read.message);
        return 1;
    }
    return writeOutput(renderTraceFile(read.file, options.file.format), options) ? 0 : 1;
}

int runDiff(const Options &options)
{
    const QString pathA = options.file.args.at(0);
    const QString pathB = options.file.args.at(1);
    const TraceFileReadResult a = readTraceFile(pathA);
    const TraceFileReadResult b = a.ok() ? readTraceFile(pathB) : TraceFileReadResult();
    if (!a.ok() || !b.ok()) {
        printErr(a.ok() ? b.message : a.message);
        return 2;
    }
    if (!sameTarget(a.file, b.file)) {
        printErr(QStringLiteral("%1 traces %2, %3 traces %4: diff compares traces of the same target")
                     .arg(pathA, a.file.trace.target, pathB, b.file.trace.target));
        return 2;
    }
    const TraceDiff diff = diffTraces(a.file, b.file);
    QByteArray out;
    if (options.json) {
        QJsonObject doc = diffToJson(diff);
        doc.insert(QStringLiteral("before"), pathA);
        doc.insert(QStringLiteral("after"), pathB);
        doc.insert(QStringLiteral("target"), a.file.trace.target);
        out = QJsonDocument(doc).toJson(QJsonDocument::Indented);
    } else {
        auto when = [](const TraceFile &f) {
            return f.meta.startedAt.isValid() ? f.meta.startedAt.toString(Qt::ISODate) : QStringLiteral("?");
        };
        QStringList lines{
            QStringLiteral("--- %1 (%2), %3 hops%4")
                .arg(pathA, when(a.file))
                .arg(diff.hopsBefore)
                .arg(diff.reachedBefore ? QStringLiteral(", reached") : QStringLiteral(", not reached")),
            QStringLiteral("+++ %1 (%2), %3 hops%4")
                .arg(pathB, when(b.file))
                .arg(diff.hopsAfter)
                .arg(diff.reachedAfter ? QStringLiteral(", reached") : QStringLiteral(", not reached"))};
        for (const HopChange &c : diff.changes)
            lines << describe(c);
        lines << (diff.identical() ? QStringLiteral("same route")
                                   : QStringLiteral("%1 change(s)").arg(diff.changes.size()));
        out = (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
    }
    if (!writeOutput(out, options))
        return 2;
    return diff.identical() ? 0 : 1;
}

void keepInHistory(const TraceFile &file, const Options &options)
{
    HistorySettings settings;
    settings.path = options.file.historyPath;
    TraceHistory history(settings);
    const qint64 id = history.add(file);
    if (!history.warning().isEmpty())
        printErr(QStringLiteral("warning: %1").arg(history.warning()));
    if (id < 0)
        printErr(QStringLiteral("warning: the trace was not kept: %1").arg(history.errorMessage()));
}

int runHistory(const Options &options)
{
    HistorySettings settings;
    settings.path = options.file.historyPath;
    TraceHistory history(settings);
    const QStringList &args = options.file.args;
    if (!history.open()) {
        printErr(history.errorMessage());
        return 1;
    }
    if (!history.warning().isEmpty())
        printErr(QStringLiteral("warning: %1").arg(history.warning()));
    const QString action = args.first();
    if (action == QLatin1String("show")) {
        const TraceFileReadResult r = history.get(args.at(1).toLongLong());
        if (!r.ok()) {
            printErr(r.message);
            return 1;
        }
        return writeOutput(renderTraceFile(r.file, options.file.format), options) ? 0 : 1;
    }
    if (action == QLatin1String("delete")) {
        if (!history.remove(args.at(1).toLongLong())) {
            printErr(history.errorMessage());
            return 1;
        }
        return 0;
    }
    const QList<HistoryEntry> entries = history.list(args.value(1), {}, {}, 1000);
    QByteArray out;
    if (options.json) {
        QJsonArray list;
        for (const HistoryEntry &e : entries) {
            list.append(QJsonObject{{QStringLiteral("id"), e.id},
                                    {QStringLiteral("target"), e.target},
                                    {QStringLiteral("dest"), e.destination},
                                    {QStringLiteral("started_at"), e.startedAt.toString(Qt::ISODateWithMs)},
                                    {QStringLiteral("hops"), e.hops},
                                    {QStringLiteral("reached"), e.reached},
                                    {QStringLiteral("bytes"), e.bytes}});
        }
        out = QJsonDocument(QJsonObject{{QStringLiteral("entries"), list}}).toJson(QJsonDocument::Indented);
    } else {
        for (const HistoryEntry &e : entries) {
            out += QStringLiteral("%1  %2  %3 (%4)  %5 hops%6\n")
                       .arg(e.id, 6)
                       .arg(e.startedAt.toString(Qt::ISODate), e.target, e.destination)
                       .arg(e.hops)
                       .arg(e.reached ? QString() : QStringLiteral(", not reached"))
                       .toUtf8();
        }
    }
    if (history.error() == HistoryError::Failed) {
        printErr(history.errorMessage());
        return 1;
    }
    return writeOutput(out, options) ? 0 : 1;
}

} // namespace tracemap::cli
