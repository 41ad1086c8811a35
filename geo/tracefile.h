#pragma once
// The trace file (.tracemap.json, docs/trace-files.md): one finished trace with the places of
// its hops and the metadata that says where, when and how it was measured. The document is the
// CLI's `trace --json` document (same keys, so scripts keep working) plus "format"/"version",
// metadata and a "geo" object per hop.
//
// Contract: writing never leaves a half-written file (QSaveFile: temporary name, then rename);
// reading never trusts the file. A damaged, truncated, huge (>= 100 MB, refused by size before
// parsing) or hostile document (wrong types, NaN or out-of-range coordinates, too many hops,
// deep nesting) yields one TraceFileError with a one-line message naming the offending field.
// Qt Core only: no GUI types, no I/O besides the one file.

#include "geoservice.h"
#include "geotypes.h"
#include "tracetypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace tracemap {

inline constexpr auto kTraceFileFormat = "tracemap-trace";
inline constexpr int kTraceFileVersion = 1;
inline constexpr qint64 kTraceFileMaxBytes = 100LL * 1024 * 1024; // files this large are refused
inline constexpr int kTraceFileMaxHops = 255;                     // TTLs are 1..255
inline constexpr int kTraceFileMaxRepliesPerHop = 1000;
inline constexpr int kTraceFileMaxResponders = 64; // per hop

enum class TraceFileError {
    None,
    CannotOpen,         // missing, unreadable, or a directory
    TooLarge,           // >= kTraceFileMaxBytes
    NotJson,            // damaged or truncated (the JSON parser's message and offset)
    NotATraceFile,      // valid JSON, but no "format": "tracemap-trace"
    UnsupportedVersion, // a newer format version than this build reads
    InvalidContent,     // wrong type, out-of-range value, too many entries
    WriteFailed,
};
QString toString(TraceFileError error); // "cannot-open", "too-large", ...

// Where, when and how the trace was made: everything that shaped the result but is not in it.
struct TraceFileMeta
{
    QString kind = QStringLiteral("trace"); // only "trace" in version 1
    QString tracemapVersion;
    QDateTime startedAt;  // with the offset of the vantage point's time zone
    QDateTime finishedAt; // after the geolocation, when there was one
    QString timeZone;     // IANA id of the vantage point's zone, e.g. "Europe/Berlin"
    QString vantageHost;  // machine name of the vantage point
    std::optional<double> vantageLatitude, vantageLongitude;
    bool geoEnabled = false;
    GeoSettings geo; // only the fields documented in docs/trace-files.md are stored
};

struct TraceFile
{
    TraceFileMeta meta;
    TraceResult trace;
    QHash<QHostAddress, GeoResult> places; // by (normalized) responder address
    QStringList attributions;

    // The place decided for a responder; status Pending when none is stored.
    GeoResult placeFor(const QHostAddress &address) const;
};

struct TraceFileReadResult
{
    TraceFileError error = TraceFileError::None;
    QString message; // one line; empty when error == None
    TraceFile file;
    bool plainTrace = false; // read as PlainTrace::Accept allows: the trace alone, no places
    bool ok() const { return error == TraceFileError::None; }
};

// What `tracemap-cli trace --json` prints without --geo has the trace file's keys but no
// "format", no metadata and no places. Refused by default, with a hint naming the command that
// writes a trace file; accepted (and checked like any trace file) by a caller that locates the
// hops itself, the desktop app.
enum class PlainTrace { Refuse, Accept };

// "Ashburn, Virginia, US": city, region and country code (or the display name), for people.
QString placeName(const GeoPlace &place);

// The geolocation result as stored per hop (also what `locate --json` prints).
QJsonObject geoResultToJson(const GeoResult &result);

QJsonObject traceFileToJson(const TraceFile &file);
QByteArray serializeTraceFile(const TraceFile &file); // indented UTF-8 JSON
TraceFileReadResult traceFileFromJson(const QJsonObject &document, PlainTrace plain = PlainTrace::Refuse);
TraceFileReadResult parseTraceFile(const QByteArray &bytes, PlainTrace plain = PlainTrace::Refuse);
TraceFileReadResult readTraceFile(const QString &path, PlainTrace plain = PlainTrace::Refuse);

// Writes `bytes` to `path` atomically. False with a one-line message on failure; the file that
// was there before is then unchanged.
bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error);

} // namespace tracemap
