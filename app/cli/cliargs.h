// Command-line parsing of tracemap-cli: turns arguments into requests, or one clear error.
#pragma once

#include "geoservice.h"
#include "tracetypes.h"
#include "vantagecli.h"
#include "watchtypes.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace tracemap::cli {

enum class Command { Trace, Ping, Locate, GeoDb, Watch, Convert, Diff, History, Vantage, Help, Version };

// Geolocation: `locate`, `geodb` and `trace --geo`.
struct GeoOptions
{
    bool enabled = false; // trace --geo; always true for locate
    GeoSettings settings;
    QList<QHostAddress> addresses; // locate
    QString hostname;              // locate --hostname: the name to use instead of reverse DNS
    bool hostnameGiven = false;
    double rttMs = -1.0;                                                   // locate --rtt
    QString geodbAction;                                                   // "status" or "update"
    QUrl registryUrl = QUrl(QStringLiteral("https://registry.npmjs.org")); // geodb update --registry
};

// Trace files (filecli.h): trace --geo --format/--output, convert, diff, history.
struct FileOptions
{
    QString format;      // json, geojson, kml, csv; empty: the command's default
    QString outputPath;  // --output: written to a temporary name, then renamed; empty: stdout
    QStringList args;    // the command's arguments after its name
    bool keep = false;   // trace --geo --keep: also store the trace in the history
    QString historyPath; // --history-db; empty: defaultHistoryPath()
};

struct Options
{
    Command command = Command::Help;
    TraceRequest trace;
    PingRequest ping;
    GeoOptions geo;
    WatchRequest watch; // watch: the trace options plus --interval and --cycles
    FileOptions file;
    VantageOptions vantage; // atlas, globalping, trace --via
    bool json = false;
    bool report = false;
    bool csv = false; // watch --csv
};

// Exit status for bad usage; 0 is success and 1 a target not reached.
inline constexpr int kExitUsage = 2;

// Returns false with a one-line message in *error on bad usage.
bool parse(const QStringList &arguments, Options *options, QString *error);
QString helpText();
// The geolocation options shared by locate, trace --geo and the vantage commands.
bool readGeoSettings(const QCommandLineParser &p, GeoSettings *s, QString *error);

} // namespace tracemap::cli
