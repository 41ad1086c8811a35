// Command-line parsing of tracemap-cli: turns arguments into requests, or one clear error.
#pragma once

#include "geoservice.h"
#include "tracetypes.h"
#include "vantagecli.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace tracemap::cli {

enum class Command { Trace, Ping, Locate, GeoDb, Help, Version, Vantage };

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

struct Options
{
    Command command = Command::Help;
    TraceRequest trace;
    PingRequest ping;
    GeoOptions geo;
    VantageOptions vantage; // atlas, globalping, trace --via
    bool json = false;
    bool report = false;
};

// Exit status for bad usage; 0 is success and 1 a target not reached.
inline constexpr int kExitUsage = 2;

// Returns false with a one-line message in *error on bad usage.
bool parse(const QStringList &arguments, Options *options, QString *error);
QString helpText();
// The geolocation options shared by locate, trace --geo and the vantage commands.
bool readGeoSettings(const QCommandLineParser &p, GeoSettings *s, QString *error);

} // namespace tracemap::cli
