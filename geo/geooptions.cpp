#include "geooptions.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cmath>

namespace tracemap {

namespace {

QString shown(const QString &name)
{
    return optionDisplayName(name, OptionSyntax::CommandLine);
}

OptionProblem readFile(const QString &name, const QString &path, QStringList *out)
{
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return {OptionError::BadValue, QStringLiteral("%1: cannot read '%2'").arg(shown(name), path), name};
    *out << path;
    return {};
}

const GeoOptionSpec *findGeoOption(const QString &name)
{
    for (const GeoOptionSpec &s : geoOptionSpecs()) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

QList<const GeoOptionSpec *> selected(const QList<GeoOption> &which)
{
    QList<const GeoOptionSpec *> out;
    for (const GeoOptionSpec &s : geoOptionSpecs()) {
        if (which.isEmpty() || which.contains(s.id))
            out << &s;
    }
    return out;
}

OptionProblem applyOne(const GeoOptionSpec &spec, const QString &text, GeoSettings *s)
{
    const QString &name = spec.name;
    switch (spec.id) {
    case GeoOption::Offline:
        s->offline = true;
        return {};
    case GeoOption::Online:
        s->onlineLookups = true;
        return {};
    case GeoOption::GeoDb:
        return readFile(name, text, &s->databasePaths);
    case GeoOption::GeoOverrides:
        return readFile(name, text, &s->overridePaths);
    case GeoOption::NominatimUrl:
        return readHttpUrl(name, text, &s->nominatimUrl);
    case GeoOption::GeoProviderUrl:
        return readHttpUrl(name, text, &s->ipProviderUrl);
    case GeoOption::GeoCache:
        if (text.isEmpty())
            return {OptionError::BadValue, QStringLiteral("--geo-cache needs a file name, or - for no cache"),
                    name};
        s->cachePath = text;
        return {};
    case GeoOption::SourceLocation: {
        if (text.trimmed().compare(QLatin1String("auto"), Qt::CaseInsensitive) == 0) {
            s->sourceLatitude.reset();
            s->sourceLongitude.reset();
            return {};
        }
        double lat = 0, lon = 0;
        if (!parseLatLon(text, &lat, &lon))
            return {OptionError::BadValue,
                    QStringLiteral("--source-location must be LAT,LON in degrees (e.g. 50.11,8.68) or auto, "
                                   "got '%1'")
                        .arg(text),
                    name};
        s->sourceLatitude = lat;
        s->sourceLongitude = lon;
        return {};
    }
    }
    return {};
}

} // namespace

const QList<GeoOptionSpec> &geoOptionSpecs()
{
    using G = GeoOption;
    static const QList<GeoOptionSpec> specs = {
        {G::Offline,
         QStringLiteral("offline"),
         {},
         QStringLiteral(
             "Nothing leaves the machine: no DNS, no online lookups, no map tiles, no server but this one."),
         false},
        {G::Online,
         QStringLiteral("online"),
         {},
         QStringLiteral("Also ask the online IP provider and Nominatim (opt-in)."),
         false},
        {G::GeoDb, QStringLiteral("geo-db"), QStringLiteral("PATH"),
         QStringLiteral("MMDB file to use instead of the installed DB-IP (repeatable)."), true},
        {G::GeoOverrides, QStringLiteral("geo-overrides"), QStringLiteral("PATH"),
         QStringLiteral("CSV (prefix,lat,lon,label) or RFC 8805 geofeed overrides (repeatable)."), true},
        {G::NominatimUrl, QStringLiteral("nominatim-url"), QStringLiteral("URL"),
         QStringLiteral("Nominatim server (https://nominatim.openstreetmap.org)."), false},
        {G::GeoProviderUrl, QStringLiteral("geo-provider-url"), QStringLiteral("URL"),
         QStringLiteral("Online IP provider, {ip} is replaced (http://ip-api.com/json/{ip})."), false},
        {G::SourceLocation, QStringLiteral("source-location"), QStringLiteral("LAT,LON|auto"),
         QStringLiteral("Where the trace starts, for the RTT plausibility check (auto: estimated)."), false},
        {G::GeoCache, QStringLiteral("geo-cache"), QStringLiteral("PATH|-"),
         QStringLiteral("Cache file (~/.cache/tracemap/geo-cache.sqlite); - for none."), false},
    };
    return specs;
}

OptionProblem applyGeoOptions(const OptionValues &values, GeoSettings *settings)
{
    bool offline = false;
    bool online = false;
    for (const auto &[name, text] : values) {
        const GeoOptionSpec *spec = findGeoOption(name);
        if (!spec)
            return {OptionError::UnknownOption, QStringLiteral("unknown option %1").arg(shown(name)), name};
        offline = offline || spec->id == GeoOption::Offline;
        online = online || spec->id == GeoOption::Online;
        if (OptionProblem p = applyOne(*spec, text, settings); !p.ok())
            return p;
    }
    if (offline && online)
        return {OptionError::Conflict, QStringLiteral("--offline and --online exclude each other"), {}};
    settings->reverseDns = !settings->offline;
    return {};
}

QList<QCommandLineOption> geoCommandLineOptions(const QList<GeoOption> &which)
{
    return commandLineOptions(selected(which));
}

OptionValues givenGeoOptions(const QCommandLineParser &parser, const QList<GeoOption> &which)
{
    OptionValues out;
    for (const GeoOptionSpec *s : selected(which)) {
        if (!parser.isSet(s->name))
            continue;
        if (s->valueName.isEmpty()) {
            out.append({s->name, QString()});
            continue;
        }
        // The last value wins for single options, as QCommandLineParser::value() has it.
        const QStringList values = parser.values(s->name);
        for (const QString &v : s->repeatable ? values : values.mid(values.size() - 1))
            out.append({s->name, v});
    }
    return out;
}

QString geoOptionsHelp(const QList<GeoOption> &which)
{
    return optionsHelp(selected(which));
}

bool isGeoOption(const QString &name)
{
    return findGeoOption(name) != nullptr;
}

OptionProblem readHttpUrl(const QString &name, const QString &text, QUrl *out)
{
    // Tolerant parsing: templates such as http://host/json/{ip} must pass (braces become %7B..%7D,
    // which the providers substitute too).
    const QUrl url(text);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty())
        return {OptionError::BadValue,
                QStringLiteral("%1 must be an http:// or https:// URL, got '%2'").arg(shown(name), text),
                name};
    *out = url;
    return {};
}

} // namespace tracemap
