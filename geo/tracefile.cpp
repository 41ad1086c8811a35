#include "tracefile.h"

#include "hintrule.h"
#include "resultformat.h"
#include "specialranges.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>

#include <cmath>

namespace tracemap {

Q_LOGGING_CATEGORY(lcTraceFile, "tracemap.geo.tracefile", QtWarningMsg)

namespace {

const QString kFormatKey = QStringLiteral("format");

QJsonValue numberOrNull(double v, int decimals)
{
    if (!std::isfinite(v))
        return QJsonValue::Null;
    const double scale = std::pow(10.0, decimals);
    return std::round(v * scale) / scale;
}

QJsonValue stringOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QJsonValue timeOrNull(const QDateTime &t)
{
    if (!t.isValid())
        return QJsonValue::Null;
    // Always with the offset, so the reader knows the vantage point's local time.
    return t.toOffsetFromUtc(t.offsetFromUtc()).toString(Qt::ISODateWithMs);
}

QString familyName(AddressFamily f)
{
    return f == AddressFamily::IPv4   ? QStringLiteral("ipv4")
           : f == AddressFamily::IPv6 ? QStringLiteral("ipv6")
                                      : QStringLiteral("any");
}

QJsonObject settingsToJson(const TraceFile &f)
{
    const TraceRequest &r = f.trace.request;
    QJsonObject settings{
        {QStringLiteral("method"), toString(r.method)},
        {QStringLiteral("family"), familyName(r.family)},
        {QStringLiteral("flow"),
         r.flow == FlowMode::Paris ? QStringLiteral("paris") : QStringLiteral("classic")},
        {QStringLiteral("port"), int(r.port)},
        {QStringLiteral("first_ttl"), r.firstTtl},
        {QStringLiteral("max_ttl"), r.maxTtl},
        {QStringLiteral("queries"), r.queries},
        {QStringLiteral("timeout_s"), r.timeoutSec},
        {QStringLiteral("here_factor"), r.hereFactor},
        {QStringLiteral("near_factor"), r.nearFactor},
        {QStringLiteral("max_gap"), r.maxGap},
        {QStringLiteral("max_in_flight"), r.maxInFlight},
        {QStringLiteral("geo"), QJsonValue::Null},
    };
    if (f.meta.geoEnabled) {
        const GeoSettings &g = f.meta.geo;
        QJsonValue source = QJsonValue::Null;
        if (g.sourceLatitude && g.sourceLongitude)
            source = QJsonArray{*g.sourceLatitude, *g.sourceLongitude};
        settings.insert(
            QStringLiteral("geo"),
            QJsonObject{{QStringLiteral("offline"), g.offline},
                        {QStringLiteral("online"), g.onlineLookups},
                        {QStringLiteral("reverse_dns"), g.reverseDns},
                        {QStringLiteral("as_lookups"), g.asLookups},
                        {QStringLiteral("databases"), QJsonArray::fromStringList(g.databasePaths)},
                        {QStringLiteral("overrides"), QJsonArray::fromStringList(g.overridePaths)},
                        {QStringLiteral("source_location"), source}});
    }
    return settings;
}

} // namespace

QString toString(TraceFileError error)
{
    switch (error) {
    case TraceFileError::None:
        return QStringLiteral("none");
    case TraceFileError::CannotOpen:
        return QStringLiteral("cannot-open");
    case TraceFileError::TooLarge:
        return QStringLiteral("too-large");
    case TraceFileError::NotJson:
        return QStringLiteral("not-json");
    case TraceFileError::NotATraceFile:
        return QStringLiteral("not-a-trace-file");
    case TraceFileError::UnsupportedVersion:
        return QStringLiteral("unsupported-version");
    case TraceFileError::InvalidContent:
        return QStringLiteral("invalid-content");
    case TraceFileError::WriteFailed:
        return QStringLiteral("write-failed");
    }
    return {};
}

GeoResult TraceFile::placeFor(const QHostAddress &address) const
{
    const QHostAddress key = normalizedAddress(address);
    GeoResult r = places.value(key);
    r.address = key;
    return r;
}

QString placeName(const GeoPlace &p)
{
    QStringList parts;
    for (const QString &part : {p.city, p.region, p.countryCode}) {
        if (!part.isEmpty() && !parts.contains(part))
            parts << part;
    }
    if (parts.isEmpty() && !p.displayName.isEmpty())
        parts << p.displayName;
    return parts.join(QStringLiteral(", "));
}

QJsonObject geoResultToJson(const GeoResult &r)
{
    QJsonObject as;
    if (r.as.isValid()) {
        as = QJsonObject{{QStringLiteral("number"), qint64(r.as.number)},
                         {QStringLiteral("name"), stringOrNull(r.as.name)},
                         {QStringLiteral("prefix"), stringOrNull(r.as.prefix)},
                         {QStringLiteral("country_code"), stringOrNull(r.as.countryCode)},
                         {QStringLiteral("registry"), stringOrNull(r.as.registry)}};
    }
    const std::optional<HintRule> hint = hintRuleOf(r);
    return QJsonObject{
        {QStringLiteral("address"), r.address.toString()},
        {QStringLiteral("status"), geoStatusName(r.status)},
        {QStringLiteral("latitude"), numberOrNull(r.place.latitude, 6)},
        {QStringLiteral("longitude"), numberOrNull(r.place.longitude, 6)},
        {QStringLiteral("accuracy_km"),
         r.place.accuracyKm < 0 ? QJsonValue() : numberOrNull(r.place.accuracyKm, 1)},
        {QStringLiteral("city"), stringOrNull(r.place.city)},
        {QStringLiteral("region"), stringOrNull(r.place.region)},
        {QStringLiteral("country_code"), stringOrNull(r.place.countryCode)},
        {QStringLiteral("country"), stringOrNull(r.place.country)},
        {QStringLiteral("display_name"), stringOrNull(r.place.displayName)},
        {QStringLiteral("provider"), stringOrNull(r.provider)},
        {QStringLiteral("provider_detail"), stringOrNull(r.providerDetail)},
        {QStringLiteral("reason"), stringOrNull(r.reason)},
        {QStringLiteral("hint"), hint ? QJsonValue(hintRuleToJson(*hint)) : QJsonValue()},
        {QStringLiteral("confidence"), numberOrNull(r.confidence, 2)},
        {QStringLiteral("hostname"), stringOrNull(r.hostname)},
        {QStringLiteral("as"), r.as.isValid() ? QJsonValue(as) : QJsonValue()},
        {QStringLiteral("rejected"), QJsonArray::fromStringList(r.rejected)},
        {QStringLiteral("error"), stringOrNull(r.error)},
        {QStringLiteral("from_cache"), r.fromCache},
        {QStringLiteral("resolved_at"),
         r.resolvedAt.isValid() ? QJsonValue(r.resolvedAt.toUTC().toString(Qt::ISODate)) : QJsonValue()},
    };
}

QJsonObject traceFileToJson(const TraceFile &f)
{
    // RTTs at the file's precision first, so the hop statistics written are the ones a reader
    // recomputes from the stored RTTs: a file read and written again is the same file.
    TraceResult stored = f.trace;
    for (Hop &hop : stored.hops) {
        for (ProbeReply &reply : hop.replies) {
            if (reply.rttMs >= 0)
                reply.rttMs = roundRtt(reply.rttMs);
        }
    }
    QJsonObject doc = traceToJson(stored);
    if (f.meta.geoEnabled) {
        QJsonArray hops = doc.value(QStringLiteral("ping_time")).toArray();
        for (qsizetype i = 0; i < hops.size() && i < f.trace.hops.size(); ++i) {
            QJsonObject hop = hops.at(i).toObject();
            const QList<QHostAddress> responders = f.trace.hops.at(i).responders();
            QJsonValue geo = QJsonValue::Null;
            if (!responders.isEmpty()) {
                QJsonObject first = geoResultToJson(f.placeFor(responders.first()));
                if (responders.size() > 1) {
                    QJsonArray others;
                    for (qsizetype k = 1; k < responders.size(); ++k)
                        others.append(geoResultToJson(f.placeFor(responders.at(k))));
                    first.insert(QStringLiteral("other_responders"), others);
                }
                geo = first;
            }
            hop.insert(QStringLiteral("geo"), geo);
            hops.replace(i, hop);
        }
        doc.insert(QStringLiteral("ping_time"), hops);
        doc.insert(QStringLiteral("attribution"), QJsonArray::fromStringList(f.attributions));
    }
    doc.insert(kFormatKey, QString::fromLatin1(kTraceFileFormat));
    doc.insert(QStringLiteral("version"), kTraceFileVersion);
    doc.insert(QStringLiteral("kind"), f.meta.kind);
    doc.insert(QStringLiteral("tracemap_version"), f.meta.tracemapVersion);
    doc.insert(QStringLiteral("started_at"), timeOrNull(f.meta.startedAt));
    doc.insert(QStringLiteral("finished_at"), timeOrNull(f.meta.finishedAt));
    doc.insert(QStringLiteral("time_zone"), stringOrNull(f.meta.timeZone));
    QJsonObject vantage{{QStringLiteral("hostname"), stringOrNull(f.meta.vantageHost)},
                        {QStringLiteral("address"), f.trace.source.isNull()
                                                        ? QJsonValue(QJsonValue::Null)
                                                        : QJsonValue(f.trace.source.toString())},
                        {QStringLiteral("latitude"), QJsonValue::Null},
                        {QStringLiteral("longitude"), QJsonValue::Null}};
    if (f.meta.vantageLatitude && f.meta.vantageLongitude) {
        vantage.insert(QStringLiteral("latitude"), numberOrNull(*f.meta.vantageLatitude, 6));
        vantage.insert(QStringLiteral("longitude"), numberOrNull(*f.meta.vantageLongitude, 6));
    }
    doc.insert(QStringLiteral("vantage"), vantage);
    doc.insert(QStringLiteral("settings"), settingsToJson(f));
    return doc;
}

QByteArray serializeTraceFile(const TraceFile &file)
{
    return QJsonDocument(traceFileToJson(file)).toJson(QJsonDocument::Indented);
}

bool writeFileAtomically(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        file.cancelWriting();
        return false;
    }
    return true;
}

} // namespace tracemap
