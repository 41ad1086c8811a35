#include "documentcontroller.h"

#include "appsettings.h"
#include "documentexport.h"
#include "notifying.h"
#include "scriptedrun.h"
#include "tracecontroller.h"
#include "tracediff.h"
#include "traceexport.h"
#include "uilogging.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace tracemap {

DocumentController::DocumentController(TraceController *trace, const AppSettings *settings, QObject *parent)
    : QObject(parent), m_trace(trace), m_settings(settings)
{
    // A new trace is no longer the file that was open.
    connect(trace, &TraceController::runningChanged, this, [this] {
        if (m_trace->running()) {
            setCurrentPath({});
            clearComparison();
        }
    });
}

QString DocumentController::localPath(const QString &pathOrUrl)
{
    if (pathOrUrl.startsWith(QLatin1String("file:")))
        return QUrl(pathOrUrl).toLocalFile();
    return pathOrUrl.trimmed();
}

namespace {
// What the file dialogs show for each format: one row a format, so a new format is one line.
struct FormatText
{
    DocumentController::Format format;
    const char *suffix;
    const char *nameFilter;
};
constexpr FormatText kFormatTexts[] = {
    {DocumentController::TraceFileFormat, ".tracemap.json", "Trace files (*.tracemap.json *.json)"},
    {DocumentController::GeoJson, ".geojson", "GeoJSON (*.geojson *.json)"},
    {DocumentController::Kml, ".kml", "KML for Google Earth (*.kml)"},
    {DocumentController::Csv, ".csv", "CSV tables (*.csv)"},
    {DocumentController::Svg, ".svg", "SVG images (*.svg)"},
    {DocumentController::PdfReport, ".pdf", "PDF reports (*.pdf)"},
    {DocumentController::Png, ".png", "PNG images (*.png)"},
};

const FormatText *formatText(DocumentController::Format format)
{
    for (const FormatText &text : kFormatTexts) {
        if (text.format == format)
            return &text;
    }
    return nullptr;
}
} // namespace

QString DocumentController::suffix(Format format)
{
    const FormatText *text = formatText(format);
    return text ? QString::fromLatin1(text->suffix) : QString();
}

QString DocumentController::nameFilter(Format format)
{
    const FormatText *text = formatText(format);
    return text ? QString::fromLatin1(text->nameFilter) : QString();
}

QString DocumentController::suggestedPath(Format format) const
{
    const QString folder =
        m_currentPath.isEmpty() ? QDir::homePath() : QFileInfo(m_currentPath).absolutePath();
    QString name = m_trace->host().trimmed();
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    if (name.isEmpty())
        name = QStringLiteral("trace");
    return QDir(folder).filePath(QStringLiteral("tracemap-%1%2").arg(name, suffix(format)));
}

QUrl DocumentController::folderUrl() const
{
    return QUrl::fromLocalFile(QFileInfo(suggestedPath(TraceFileFormat)).absolutePath());
}

bool DocumentController::fail(Error error, const QString &message)
{
    m_error = error;
    m_errorMessage = message;
    qCInfo(lcUi) << "document:" << message;
    emit reported(message, true);
    return false;
}

bool DocumentController::succeed(const QString &message)
{
    m_error = NoError;
    m_errorMessage.clear();
    emit reported(message, false);
    return true;
}

void DocumentController::setCurrentPath(const QString &path)
{
    setAndNotify(this, m_currentPath, path, &DocumentController::currentPathChanged);
}

bool DocumentController::open(const QString &pathOrUrl)
{
    const QString path = localPath(pathOrUrl);
    if (path.isEmpty())
        return fail(ReadFailed, QStringLiteral("No file was given to open."));
    const TraceFileReadResult read = readTraceFile(path, PlainTrace::Accept);
    if (!read.ok())
        return fail(ReadFailed, QStringLiteral("Cannot open %1: %2")
                                    .arg(QDir::toNativeSeparators(QFileInfo(path).fileName()), read.message));
    if (read.plainTrace) {
        // `trace --json` without places: located here, and saved (if at all) as a new trace file,
        // never over the script's own output.
        clearComparison();
        m_trace->locateMeasuredTrace(read.file.trace);
        setCurrentPath({});
        emit opened();
        const qsizetype hops = read.file.trace.hops.size();
        // Short enough for the status area at the default window size.
        return succeed(QStringLiteral("%1 has no places (trace --json): locating its %2 %3 here.")
                           .arg(QFileInfo(path).fileName())
                           .arg(hops)
                           .arg(hops == 1 ? QStringLiteral("hop") : QStringLiteral("hops")));
    }
    if (!show(read.file, QDir::toNativeSeparators(path)))
        return false;
    setCurrentPath(QFileInfo(path).absoluteFilePath());
    return true;
}

bool DocumentController::show(const TraceFile &file, const QString &from)
{
    clearComparison();
    m_trace->loadDocument(file);
    setCurrentPath({});
    emit opened();
    return succeed(QStringLiteral("Opened %1 from %2: %3 hops, traced %4.")
                       .arg(file.trace.target, from)
                       .arg(file.trace.hops.size())
                       .arg(DocumentExport::reportTime(file.meta.startedAt, file.meta.timeZone)));
}

bool DocumentController::save(const QString &pathOrUrl)
{
    if (!exportAs(pathOrUrl, TraceFileFormat))
        return false;
    QString path = localPath(pathOrUrl);
    if (QFileInfo(path).suffix().isEmpty())
        path += suffix(TraceFileFormat);
    setCurrentPath(QFileInfo(path).absoluteFilePath());
    return true;
}

bool DocumentController::exportAs(const QString &pathOrUrl, Format format)
{
    QString path = localPath(pathOrUrl);
    if (path.isEmpty())
        return fail(WriteFailed, QStringLiteral("Give the file a name."));
    if (QFileInfo(path).suffix().isEmpty())
        path += suffix(format);
    if (m_trace->model()->rowCount() == 0)
        return fail(NothingToSave,
                    QStringLiteral("There is no trace to save yet: trace a host or open a file."));
    if (m_trace->running())
        return fail(NothingToSave,
                    QStringLiteral("The trace is still running: stop it or wait until it ends."));
    const TraceFile file = m_trace->currentDocument();
    const MapScene scene = DocumentExport::sceneOf(*m_trace, m_settings->offline());
    QString error;
    const auto write = [&](const QByteArray &bytes) {
        if (!writeFileAtomically(path, bytes, &error))
            error = QStringLiteral("Could not write %1.").arg(error);
    };
    switch (format) {
    case TraceFileFormat:
        write(serializeTraceFile(file));
        break;
    case GeoJson:
        write(TraceExport::toGeoJson(file));
        break;
    case Kml:
        write(TraceExport::toKml(file));
        break;
    case Csv:
        write(TraceExport::toCsv(file));
        break;
    case Svg:
        error = DocumentExport::writeSvg(
            path, scene, DocumentExport::fittedViewport(scene, ScriptedRun::kDefaultExportSize));
        break;
    case PdfReport:
        error = DocumentExport::writeReport(path, file, scene);
        break;
    case Png: {
        MapRenderer renderer;
        const QImage image = renderer.render(
            DocumentExport::fittedViewport(scene, ScriptedRun::kDefaultExportSize), scene, nullptr);
        error = MapRenderer::writePng(image, path);
        break;
    }
    }
    if (!error.isEmpty())
        return fail(WriteFailed, error);
    return succeed(QStringLiteral("Saved %1.").arg(QDir::toNativeSeparators(path)));
}

bool DocumentController::compareWithFile(const QString &pathOrUrl)
{
    const QString path = localPath(pathOrUrl);
    const TraceFileReadResult read = readTraceFile(path);
    if (!read.ok())
        return fail(ReadFailed, QStringLiteral("Cannot open %1: %2")
                                    .arg(QDir::toNativeSeparators(QFileInfo(path).fileName()), read.message));
    return compareWith(read.file);
}

namespace {
// In this computer's time zone, as the History panel lists the traces.
QString minuteText(const QDateTime &time, const QString &otherwise)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : otherwise;
}
} // namespace

bool DocumentController::compareWith(const TraceFile &before)
{
    if (m_trace->model()->rowCount() == 0 || m_trace->running())
        return fail(NothingToSave, QStringLiteral("Nothing to compare with: open or finish a trace first."));
    const TraceFile after = m_trace->currentDocument();
    const TraceDiff diff = diffTraces(before, after);
    QSet<int> changed;
    QStringList lines;
    for (const HopChange &change : diff.changes) {
        changed.insert(change.ttl);
        lines << describe(change);
    }
    if (diff.reachedBefore != diff.reachedAfter)
        lines << (diff.reachedAfter ? QStringLiteral("the destination answers now")
                                    : QStringLiteral("the destination no longer answers"));
    if (lines.isEmpty())
        lines << QStringLiteral("the same path: no hop added, removed or changed");

    // The other trace: dashed, in the first palette colour, its changed hops ringed.
    MapRoute route;
    route.id = QStringLiteral("compared");
    const QString when = minuteText(before.meta.startedAt, QStringLiteral("the other trace"));
    route.name = QStringLiteral("before: %1").arg(when);
    route.color = MapRenderer::routePaletteColor(0);
    route.dashed = true;
    if (before.meta.vantageLatitude && before.meta.vantageLongitude) {
        route.hasSource = true;
        route.sourceLatitude = *before.meta.vantageLatitude;
        route.sourceLongitude = *before.meta.vantageLongitude;
    }
    for (const Hop &hop : before.trace.hops) {
        const QList<QHostAddress> responders = hop.responders();
        if (responders.isEmpty())
            continue;
        const GeoResult geo = before.placeFor(responders.first());
        MapHop mapHop;
        mapHop.ttl = hop.ttl;
        mapHop.address = responders.first().toString();
        mapHop.hasLocation = geo.status == GeoStatus::Located && geo.place.hasCoordinates();
        mapHop.latitude = geo.place.latitude;
        mapHop.longitude = geo.place.longitude;
        mapHop.avgRttMs = hop.stats().avgMs;
        mapHop.label = placeName(geo.place);
        mapHop.highlighted = changed.contains(hop.ttl);
        route.hops << mapHop;
    }
    m_routes.setMainRouteName(
        QStringLiteral("shown: %1").arg(minuteText(after.meta.startedAt, m_trace->host())));
    m_routes.setRoutes({route});
    m_trace->model()->setHighlightedTtls(changed);
    m_comparison = lines;
    m_comparisonTitle =
        QStringLiteral("%1: %2 and %3").arg(after.trace.target, route.name, m_routes.mainRouteName());
    emit comparisonChanged();
    const qsizetype count = diff.changes.size();
    return succeed(
        count == 0 ? QStringLiteral("Compared with %1: the same path.").arg(when)
        : count == 1
            ? QStringLiteral("Compared with %1: 1 change, ringed on the map.").arg(when)
            : QStringLiteral("Compared with %1: %2 changes, ringed on the map.").arg(when).arg(count));
}

void DocumentController::clearComparison()
{
    m_trace->model()->setHighlightedTtls({});
    m_routes.clear();
    if (m_comparison.isEmpty())
        return;
    m_comparison.clear();
    m_comparisonTitle.clear();
    emit comparisonChanged();
}

} // namespace tracemap
