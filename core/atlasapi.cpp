#include "atlasapi.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>

#include <cmath>

namespace tracemap {

QString atlasSelectionName(AtlasProbeSelection::Type type)
{
    switch (type) {
    case AtlasProbeSelection::Type::Country:
        return QStringLiteral("country");
    case AtlasProbeSelection::Type::Asn:
        return QStringLiteral("asn");
    case AtlasProbeSelection::Type::Area:
        return QStringLiteral("area");
    }
    return {};
}

std::optional<AtlasProbeSelection::Type> atlasSelectionFromName(QStringView name)
{
    for (const AtlasProbeSelection::Type type : kAtlasSelectionTypes) {
        if (atlasSelectionName(type) == name)
            return type;
    }
    return std::nullopt;
}

QUrl atlasResultsUrl(const QUrl &base, qint64 measurementId, qint64 start, qint64 stop,
                     const QList<qint64> &probeIds)
{
    QUrl url = apiUrl(base, QStringLiteral("/api/v2/measurements/%1/results/").arg(measurementId));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("format"), QStringLiteral("json"));
    if (start >= 0)
        query.addQueryItem(QStringLiteral("start"), QString::number(start));
    if (stop >= 0)
        query.addQueryItem(QStringLiteral("stop"), QString::number(stop));
    if (!probeIds.isEmpty()) {
        QStringList ids;
        for (qint64 id : probeIds)
            ids << QString::number(id);
        query.addQueryItem(QStringLiteral("probe_ids"), ids.join(QLatin1Char(',')));
    }
    url.setQuery(query);
    return url;
}

QUrl atlasMeasurementUrl(const QUrl &base, qint64 measurementId)
{
    return apiUrl(base, QStringLiteral("/api/v2/measurements/%1/").arg(measurementId));
}

QUrl atlasProbeUrl(const QUrl &base, qint64 probeId)
{
    return apiUrl(base, QStringLiteral("/api/v2/probes/%1/").arg(probeId));
}

QUrl atlasCreateUrl(const QUrl &base)
{
    return apiUrl(base, QStringLiteral("/api/v2/measurements/"));
}

QStringList atlasAreas()
{
    return {QStringLiteral("WW"),
            QStringLiteral("West"),
            QStringLiteral("North-Central"),
            QStringLiteral("South-Central"),
            QStringLiteral("North-East"),
            QStringLiteral("South-East")};
}

QString validate(const AtlasTraceSpec &spec)
{
    if (spec.target.trimmed().isEmpty())
        return QStringLiteral("no target to trace");
    if (spec.af != 4 && spec.af != 6)
        return QStringLiteral("the address family must be 4 or 6");
    if (spec.protocol != QLatin1String("ICMP") && spec.protocol != QLatin1String("UDP") &&
        spec.protocol != QLatin1String("TCP"))
        return QStringLiteral("the protocol must be ICMP, UDP or TCP, not '%1'").arg(spec.protocol);
    if (spec.packets < 1 || spec.packets > 16)
        return QStringLiteral("packets per hop must be 1 to 16");
    if (spec.probes.requested < 1 || spec.probes.requested > 1000)
        return QStringLiteral("the number of probes must be 1 to 1000, not %1").arg(spec.probes.requested);
    const QString value = spec.probes.value;
    switch (spec.probes.type) {
    case AtlasProbeSelection::Type::Country:
        if (!QRegularExpression(QStringLiteral("^[A-Za-z]{2}$")).match(value).hasMatch())
            return QStringLiteral("'%1' is not a two-letter country code").arg(value);
        break;
    case AtlasProbeSelection::Type::Asn: {
        bool ok = false;
        const qint64 asn =
            QString(value).remove(QRegularExpression(QStringLiteral("^(?i)AS"))).toLongLong(&ok);
        if (!ok || asn <= 0 || asn > 4294967295LL)
            return QStringLiteral("'%1' is not an AS number").arg(value);
        break;
    }
    case AtlasProbeSelection::Type::Area:
        if (!atlasAreas().contains(value))
            return QStringLiteral("'%1' is not an area; use one of %2")
                .arg(value, atlasAreas().join(QStringLiteral(", ")));
        break;
    }
    return {};
}

QJsonObject atlasCreationBody(const AtlasTraceSpec &spec)
{
    QJsonObject definition{
        {QStringLiteral("type"), QStringLiteral("traceroute")},
        {QStringLiteral("af"), spec.af},
        {QStringLiteral("target"), spec.target.trimmed()},
        {QStringLiteral("description"),
         spec.description.isEmpty() ? QStringLiteral("tracemap traceroute to %1").arg(spec.target.trimmed())
                                    : spec.description},
        {QStringLiteral("protocol"), spec.protocol},
        {QStringLiteral("packets"), spec.packets},
        {QStringLiteral("paris"), spec.paris},
        {QStringLiteral("max_hops"), spec.maxHops},
    };
    QString value = spec.probes.value;
    if (spec.probes.type == AtlasProbeSelection::Type::Country)
        value = value.toUpper();
    else if (spec.probes.type == AtlasProbeSelection::Type::Asn)
        value.remove(QRegularExpression(QStringLiteral("^(?i)AS")));
    const QJsonObject probes{{QStringLiteral("requested"), spec.probes.requested},
                             {QStringLiteral("type"), atlasSelectionName(spec.probes.type)},
                             {QStringLiteral("value"), value}};
    return QJsonObject{{QStringLiteral("definitions"), QJsonArray{definition}},
                       {QStringLiteral("probes"), QJsonArray{probes}},
                       {QStringLiteral("is_oneoff"), true}};
}

int atlasExpectedCredits(const AtlasTraceSpec &spec)
{
    return spec.probes.requested * spec.packets * 10 * 2;
}

bool parseAtlasProbe(const QByteArray &body, VantagePoint *probe, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    const QJsonObject o = doc.object();
    if (parseError.error != QJsonParseError::NoError || !o.value(QLatin1String("id")).isDouble()) {
        *error = QStringLiteral("the probe answer is not a RIPE Atlas probe document");
        return false;
    }
    const qint64 id = qint64(o.value(QLatin1String("id")).toDouble());
    VantagePoint p;
    p.kind = VantageKind::RipeAtlas;
    p.id = QStringLiteral("atlas:%1").arg(id);
    p.name = QStringLiteral("RIPE Atlas probe %1").arg(id);
    p.country = jsonLabel(o.value(QLatin1String("country_code")), 8).toUpper();
    p.network = jsonLabel(o.value(QLatin1String("description")));
    for (const char *key : {"asn_v4", "asn_v6"}) {
        if (p.asn < 0 && o.value(QLatin1String(key)).isDouble())
            p.asn = int(o.value(QLatin1String(key)).toDouble());
    }
    for (const char *key : {"address_v4", "address_v6"}) {
        if (p.publicAddress.isNull())
            p.publicAddress = QHostAddress(jsonLabel(o.value(QLatin1String(key)), 64));
    }
    // GeoJSON: [longitude, latitude]. A probe that never reported a place has geometry null.
    const QJsonArray coordinates =
        o.value(QLatin1String("geometry")).toObject().value(QLatin1String("coordinates")).toArray();
    if (coordinates.size() >= 2 && coordinates.at(0).isDouble() && coordinates.at(1).isDouble()) {
        const double lon = coordinates.at(0).toDouble();
        const double lat = coordinates.at(1).toDouble();
        if (std::isfinite(lat) && std::isfinite(lon) && std::abs(lat) <= 90 && std::abs(lon) <= 180) {
            p.latitude = lat;
            p.longitude = lon;
        }
    }
    *probe = p;
    return true;
}

qint64 parseAtlasCreated(const QByteArray &body, QString *error)
{
    const QJsonArray ids =
        QJsonDocument::fromJson(body).object().value(QLatin1String("measurements")).toArray();
    if (ids.isEmpty() || !ids.first().isDouble()) {
        *error = QStringLiteral("the API did not say which measurement it created");
        return -1;
    }
    return qint64(ids.first().toDouble());
}

bool parseAtlasMeasurement(const QByteArray &body, AtlasMeasurementStatus *status, QString *error)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QJsonObject s = o.value(QLatin1String("status")).toObject();
    if (!s.value(QLatin1String("id")).isDouble()) {
        *error = QStringLiteral("the measurement answer has no status");
        return false;
    }
    status->statusId = int(s.value(QLatin1String("id")).toDouble());
    status->statusName = jsonLabel(s.value(QLatin1String("name")), 60);
    const QJsonValue requested = o.value(QLatin1String("probes_requested"));
    status->probesRequested = requested.isDouble() ? int(requested.toDouble()) : -1;
    const QJsonValue participants = o.value(QLatin1String("participant_count"));
    status->participants = participants.isDouble() ? int(participants.toDouble()) : -1;
    return true;
}

QString atlasErrorMessage(int httpStatus, const QByteArray &body)
{
    if (httpStatus == 401)
        return QStringLiteral("RIPE Atlas refused the API key (HTTP 401): the key is wrong or has expired");
    if (httpStatus == 403)
        return QStringLiteral("RIPE Atlas refused the API key (HTTP 403): the key is wrong or lacks the "
                              "permission for this (creating measurements needs \"Create a new user defined "
                              "measurement\")");
    const QJsonObject e = QJsonDocument::fromJson(body).object().value(QLatin1String("error")).toObject();
    QString detail = jsonLabel(e.value(QLatin1String("detail")));
    const QJsonArray errors = e.value(QLatin1String("errors")).toArray();
    if (!errors.isEmpty()) {
        const QString first = jsonLabel(errors.first().toObject().value(QLatin1String("detail")));
        if (!first.isEmpty() && !detail.contains(first))
            detail = detail.isEmpty() ? first : detail + QStringLiteral(": ") + first;
    }
    if (detail.isEmpty())
        detail = jsonLabel(e.value(QLatin1String("title")));
    if (detail.isEmpty())
        detail = jsonLabel(QJsonDocument::fromJson(body).object().value(QLatin1String("detail")));
    return detail.isEmpty() ? QStringLiteral("RIPE Atlas answered HTTP %1").arg(httpStatus)
                            : QStringLiteral("RIPE Atlas answered HTTP %1: %2").arg(httpStatus).arg(detail);
}

} // namespace tracemap
