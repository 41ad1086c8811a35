// One description of the geolocation options (--offline, --online, --geo-db, --geo-overrides,
// --nominatim-url, --geo-provider-url, --source-location, --geo-cache): name, value name and
// help line, and one function that applies given values to GeoSettings. tracemap-cli and the
// desktop app compose it (the same names, help lines and error sentences in both), beside the
// trace options of core/traceoptions.h.
// Contract: only the options given change the settings; the first bad value ends it with one
// OptionProblem (files must be readable, URLs http(s) with a host, LAT,LON in range).
// --source-location auto means "estimate where the trace starts" (no configured source).
#pragma once

#include "geodistance.h" // parseLatLon: how the LAT,LON options are read
#include "geoservice.h"
#include "traceoptions.h"

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QUrl>

class QCommandLineParser;

namespace tracemap {

enum class GeoOption {
    Offline,
    Online,
    GeoDb,
    GeoOverrides,
    NominatimUrl,
    GeoProviderUrl,
    SourceLocation,
    GeoCache
};

struct GeoOptionSpec
{
    GeoOption id;
    QString name;
    QString valueName; // empty: a flag
    QString help;      // one line, the same in every program's --help
    bool repeatable;
};

const QList<GeoOptionSpec> &geoOptionSpecs();

// Applies the given options (command-line names, see OptionValues) to *settings.
OptionProblem applyGeoOptions(const OptionValues &values, GeoSettings *settings);

// Command-line glue. `which` empty: every geolocation option.
QList<QCommandLineOption> geoCommandLineOptions(const QList<GeoOption> &which = {});
// The options of `which` set in a parser that has them, each value of a repeated one.
OptionValues givenGeoOptions(const QCommandLineParser &parser, const QList<GeoOption> &which = {});
QString geoOptionsHelp(const QList<GeoOption> &which = {});
bool isGeoOption(const QString &name);

// An http:// or https:// URL with a host (templates such as http://host/json/{ip} pass); the
// problem names the option as `name` (command-line spelling).
OptionProblem readHttpUrl(const QString &name, const QString &text, QUrl *out);

} // namespace tracemap
