#pragma once
// Keeping and sharing the trace shown in the window: File → Open (also drag and drop and
// `tracemap FILE`), File → Save as… (.tracemap.json, docs/trace-files.md) and File → Export
// (GeoJSON, KML, CSV, SVG, the PDF report; PNG stays with the export dialog).
//
// Contract: opening reads and checks the whole file first (geo/tracefile.h refuses damaged,
// truncated, huge and hostile files) and only then hands it to TraceController::loadDocument,
// so a refused file leaves the window, the hops and the source as they were. What `tracemap-cli
// trace --json` prints (no places) opens too, and its hops are located as if traced here
// (TraceController::locateMeasuredTrace). Every action ends
// in exactly one `reported` line for the status area. Files are written to a temporary name
// and renamed.

#include "routeset.h"
#include "tracefile.h"

#include <QObject>
#include <QSize>
#include <QString>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace tracemap {

class AppSettings;
class TraceController;

class DocumentController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    // The file last opened or saved (empty after a new trace starts).
    Q_PROPERTY(QString currentPath READ currentPath NOTIFY currentPathChanged)
    // The comparison: the other trace as a further route on the map (MapPane.routeSets), and
    // one line per change ("ttl 3: responder a -> b"); empty when nothing is compared.
    Q_PROPERTY(tracemap::RouteSet *routes READ routes CONSTANT)
    Q_PROPERTY(QStringList comparison READ comparison NOTIFY comparisonChanged)
    Q_PROPERTY(QString comparisonTitle READ comparisonTitle NOTIFY comparisonChanged)
public:
    enum Format { TraceFileFormat, GeoJson, Kml, Csv, Svg, PdfReport, Png };
    Q_ENUM(Format)
    enum Error { NoError, NothingToSave, ReadFailed, WriteFailed };
    Q_ENUM(Error)

    // trace and settings must outlive this. Map exports from the window draw the built-in
    // basemap, with the credits of what is on (tiles are not fetched for them).
    DocumentController(TraceController *trace, const AppSettings *settings, QObject *parent = nullptr);

    QString currentPath() const { return m_currentPath; }
    Error error() const { return m_error; }
    QString errorMessage() const { return m_errorMessage; }

    // A path or a file: URL (from a dialog or a drop).
    Q_INVOKABLE bool open(const QString &pathOrUrl);
    Q_INVOKABLE bool save(const QString &pathOrUrl);
    Q_INVOKABLE bool exportAs(const QString &pathOrUrl, tracemap::DocumentController::Format format);
    // Shows a trace read elsewhere (the history); `from` names where, for the status line.
    bool show(const TraceFile &file, const QString &from);
    // Compares `before` (a file, a history entry) with the trace shown: geo/tracediff's
    // changes as lines, `before` drawn dashed under the shown route, the changed hops ringed
    // on both. False (reported) when nothing is shown.
    bool compareWith(const TraceFile &before);
    Q_INVOKABLE bool compareWithFile(const QString &pathOrUrl);
    Q_INVOKABLE void clearComparison();
    RouteSet *routes() { return &m_routes; }
    QStringList comparison() const { return m_comparison; }
    QString comparisonTitle() const { return m_comparisonTitle; }

    // For the file dialogs: the suffix, the name filter, and a file name for the trace shown
    // in the home folder (the current file's folder once there is one).
    Q_INVOKABLE static QString suffix(tracemap::DocumentController::Format format);
    Q_INVOKABLE static QString nameFilter(tracemap::DocumentController::Format format);
    Q_INVOKABLE QString suggestedPath(tracemap::DocumentController::Format format) const;
    Q_INVOKABLE QUrl folderUrl() const;
    static QString localPath(const QString &pathOrUrl);

signals:
    void currentPathChanged();
    void comparisonChanged();
    // A file was opened and is shown now.
    void opened();
    // The outcome of each action, one line.
    void reported(const QString &message, bool isError);

private:
    bool fail(Error error, const QString &message);
    bool succeed(const QString &message);
    void setCurrentPath(const QString &path);

    TraceController *m_trace;
    const AppSettings *m_settings;
    QString m_currentPath;
    Error m_error = NoError;
    QString m_errorMessage;
    RouteSet m_routes;
    QStringList m_comparison;
    QString m_comparisonTitle;
};

} // namespace tracemap
