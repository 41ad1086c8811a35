// tracemap-cli's trace-file commands (docs/trace-files.md): the document `trace --geo --json`
// writes, `--format json|geojson|kml|csv` and `--output FILE` on trace --geo, `convert FILE`
// and `diff A B`, and the history (`history list|show|delete`, `trace --geo --keep`). Output files are
// written to a temporary name and renamed.
#pragma once

#include "cliargs.h"
#include "tracefile.h"

#include <QCommandLineParser>
#include <QDateTime>

namespace tracemap::cli {

class TraceGeoAnnotator;

bool isFileCommand(const QString &command);
// convert / diff: fills options->file and the command, or one line in *error.
bool parseFileCommand(const QCommandLineParser &p, const QString &command, Options *options, QString *error);
// trace: --format (needs --geo) and --output (needs --json or --format).
bool parseTraceFileOptions(const QCommandLineParser &p, Options *options, QString *error);

// The trace file of a finished `trace --geo`: the result, every responder's place, and the
// metadata (version, vantage, times, settings).
TraceFile makeTraceFile(const TraceResult &result, const Options &options, const TraceGeoAnnotator &geo,
                        const QDateTime &startedAt, const QDateTime &finishedAt);
// Renders `file` in options.file.format (json when empty).
QByteArray renderTraceFile(const TraceFile &file, const QString &format);
// Writes `bytes` to --output (atomically) or stdout; false after printing a one-line error.
bool writeOutput(const QByteArray &bytes, const Options &options);

int runConvert(const Options &options); // 0 written, 1 unreadable input or failed write
int runDiff(const Options &options);    // 0 same route, 1 differences, 2 unreadable or different targets
int runHistory(const Options &options); // list [TARGET] | show ID | delete ID; 0 done, 1 failed

// trace --geo --keep: stores the finished trace; a failure is a warning, not an error.
void keepInHistory(const TraceFile &file, const Options &options);

} // namespace tracemap::cli
