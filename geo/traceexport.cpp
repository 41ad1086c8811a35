#include "traceexport.h"

#include "resultformat.h"
#include "spherepath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QXmlStreamWriter>

#include <algorithm>
#include <cmath>

namespace tracemap::TraceExport {

namespace {

// The exports' coordinates are (lon, lat) points; base/spherepath.h speaks QGeoCoordinate.
GeoPolyline toCoordinates(const LonLatLine &line)
{
    GeoPolyline out(line.size());
    std::transform(line.cbegin(), line.cend(), out.begin(),
                   [](QPointF p) { return QGeoCoordinate(p.y(), p.x()); });
    return out;
}

LonLatLine toLonLat(const GeoPolyline &line)
{
    LonLatLine out(line.size());
    std::transform(line.cbegin(), line.cend(), out.begin(),
                   [](const QGeoCoordinate &c) { return QPointF(c.longitude(), c.latitude()); });
    return out;
}

double round6(double v)
{
    return std::round(v * 1e6) / 1e6;
}

// The replies of one responder at a hop: its RTT statistics (loss is the hop's).
RttStats responderStats(const Hop &hop, const QHostAddress &responder)
{
    QList<ProbeReply> mine;
    for (const ProbeReply &r : hop.replies) {
        if (r.responder == responder)
            mine << r;
    }
    return computeStats(mine);
}

// One placed responder of one hop: what every export shows for it.
struct PlacedResponder
{
    const Hop *hop;
    QHostAddress address;
    GeoResult geo;
    RttStats rtt;
};

QList<PlacedResponder> placedResponders(const TraceFile &file)
{
    QList<PlacedResponder> out;
    for (const Hop &hop : file.trace.hops) {
        for (const QHostAddress &a : hop.responders()) {
            const GeoResult g = file.placeFor(a);
            if (g.status == GeoStatus::Located && g.place.hasCoordinates())
                out << PlacedResponder{&hop, a, g, responderStats(hop, a)};
        }
    }
    return out;
}

QJsonValue msOrNull(double ms)
{
    return ms < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(roundRtt(ms));
}

QJsonValue textOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QJsonArray position(QPointF p)
{
    return QJsonArray{round6(p.x()), round6(p.y())}; // RFC 7946: longitude first
}

QString title(const TraceFile &file)
{
    const TraceResult &t = file.trace;
    if (t.destination.isNull() || t.destination.toString() == t.target)
        return QStringLiteral("tracemap: %1").arg(t.target);
    return QStringLiteral("tracemap: %1 (%2)").arg(t.target, t.destination.toString());
}

QString rttStyle(const RttStats &s)
{
    if (s.avgMs < 0)
        return QStringLiteral("rtt-none");
    return s.avgMs < 50    ? QStringLiteral("rtt-low")
           : s.avgMs < 150 ? QStringLiteral("rtt-mid")
                           : QStringLiteral("rtt-high");
}

QString kmlCoordinates(const LonLatLine &line)
{
    QStringList points;
    for (const QPointF &p : line)
        points << QStringLiteral("%1,%2,0").arg(round6(p.x()), 0, 'g', 10).arg(round6(p.y()), 0, 'g', 10);
    return points.join(QLatin1Char(' '));
}

QString csvField(const QString &text)
{
    // RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString csvNumber(double v, int decimals, bool valid)
{
    return valid && std::isfinite(v) ? QString::number(v, 'f', decimals) : QString();
}

} // namespace

LonLatLine placedPath(const TraceFile &file)
{
    LonLatLine path;
    if (file.meta.vantageLatitude && file.meta.vantageLongitude)
        path << QPointF(*file.meta.vantageLongitude, *file.meta.vantageLatitude);
    for (const Hop &hop : file.trace.hops) {
        for (const QHostAddress &a : hop.responders()) {
            const GeoResult g = file.placeFor(a);
            if (g.status != GeoStatus::Located || !g.place.hasCoordinates())
                continue;
            const QPointF p(g.place.longitude, g.place.latitude);
            if (path.isEmpty() || path.last() != p)
                path << p;
            break; // the first placed responder stands for the hop
        }
    }
    return path;
}

LonLatLine greatCircle(QPointF from, QPointF to, double maxStepKm)
{
    return toLonLat(
        greatCirclePoints(QGeoCoordinate(from.y(), from.x()), QGeoCoordinate(to.y(), to.x()), maxStepKm));
}

QList<LonLatLine> splitAtAntimeridian(const LonLatLine &line)
{
    QList<LonLatLine> parts;
    for (const GeoPolyline &part : tracemap::splitAtAntimeridian(toCoordinates(line)))
        parts.append(toLonLat(part));
    return parts;
}

QList<LonLatLine> drawnPath(const TraceFile &file, double maxStepKm)
{
    const LonLatLine path = placedPath(file);
    LonLatLine dense;
    for (qsizetype i = 1; i < path.size(); ++i) {
        LonLatLine leg = greatCircle(path.at(i - 1), path.at(i), maxStepKm);
        if (!dense.isEmpty())
            leg.removeFirst(); // the previous leg ended here
        dense << leg;
    }
    return splitAtAntimeridian(dense);
}

QByteArray toGeoJson(const TraceFile &file)
{
    QJsonArray features;
    for (const PlacedResponder &p : placedResponders(file)) {
        const RttStats hopStats = p.hop->stats();
        const QJsonObject properties{
            {QStringLiteral("ttl"), p.hop->ttl},
            {QStringLiteral("address"), p.address.toString()},
            {QStringLiteral("hostname"), textOrNull(p.geo.hostname)},
            {QStringLiteral("asn"), p.geo.as.isValid() ? QJsonValue(qint64(p.geo.as.number)) : QJsonValue()},
            {QStringLiteral("as_name"), textOrNull(p.geo.as.name)},
            {QStringLiteral("place"), textOrNull(placeName(p.geo.place))},
            {QStringLiteral("country_code"), textOrNull(p.geo.place.countryCode)},
            {QStringLiteral("provider"), textOrNull(p.geo.provider)},
            {QStringLiteral("confidence"), std::round(p.geo.confidence * 100) / 100},
            {QStringLiteral("reason"), textOrNull(p.geo.reason)},
            {QStringLiteral("rtt_best_ms"), msOrNull(p.rtt.bestMs)},
            {QStringLiteral("rtt_avg_ms"), msOrNull(p.rtt.avgMs)},
            {QStringLiteral("rtt_worst_ms"), msOrNull(p.rtt.worstMs)},
            {QStringLiteral("rtt_stddev_ms"), msOrNull(p.rtt.stddevMs)},
            {QStringLiteral("rtt_last_ms"), msOrNull(p.rtt.lastMs)},
            {QStringLiteral("sent"), hopStats.sent},
            {QStringLiteral("received"), p.rtt.received},
            {QStringLiteral("loss"), std::round(hopStats.lossPercent * 10) / 10},
        };
        features.append(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("Feature")},
            {QStringLiteral("geometry"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("Point")},
                         {QStringLiteral("coordinates"),
                          position(QPointF(p.geo.place.longitude, p.geo.place.latitude))}}},
            {QStringLiteral("properties"), properties},
        });
    }
    const QList<LonLatLine> parts = drawnPath(file);
    if (!parts.isEmpty()) {
        QJsonArray lines;
        for (const LonLatLine &part : parts) {
            QJsonArray line;
            for (const QPointF &p : part)
                line.append(position(p));
            lines.append(line);
        }
        const bool single = lines.size() == 1;
        features.append(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("Feature")},
            {QStringLiteral("geometry"),
             QJsonObject{{QStringLiteral("type"),
                          single ? QStringLiteral("LineString") : QStringLiteral("MultiLineString")},
                         {QStringLiteral("coordinates"), single ? lines.first() : QJsonValue(lines)}}},
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("name"), QStringLiteral("path")},
                         {QStringLiteral("target"), file.trace.target},
                         {QStringLiteral("dest"), file.trace.destination.isNull()
                                                      ? QJsonValue()
                                                      : QJsonValue(file.trace.destination.toString())}}},
        });
    }
    const QJsonObject collection{{QStringLiteral("type"), QStringLiteral("FeatureCollection")},
                                 {QStringLiteral("features"), features}};
    return QJsonDocument(collection).toJson(QJsonDocument::Indented);
}

QByteArray toKml(const TraceFile &file)
{
    QByteArray out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    xml.writeDefaultNamespace(QStringLiteral("http://www.opengis.net/kml/2.2"));
    xml.writeStartElement(QStringLiteral("kml"));
    xml.writeStartElement(QStringLiteral("Document"));
    xml.writeTextElement(QStringLiteral("name"), title(file));
    QString when =
        file.meta.startedAt.isValid()
            ? file.meta.startedAt.toOffsetFromUtc(file.meta.startedAt.offsetFromUtc()).toString(Qt::ISODate)
            : QStringLiteral("an unknown time");
    xml.writeTextElement(
        QStringLiteral("description"),
        QStringLiteral("Traced from %1 at %2 with tracemap %3")
            .arg(file.trace.source.isNull() ? QStringLiteral("?") : file.trace.source.toString(), when,
                 file.meta.tracemapVersion));
    // KML colours are aabbggrr.
    const QList<std::pair<QString, QString>> styles = {
        {QStringLiteral("rtt-low"), QStringLiteral("ff00c000")},
        {QStringLiteral("rtt-mid"), QStringLiteral("ff00c0ff")},
        {QStringLiteral("rtt-high"), QStringLiteral("ff0000ff")},
        {QStringLiteral("rtt-none"), QStringLiteral("ff888888")}};
    for (const auto &[id, colour] : styles) {
        xml.writeStartElement(QStringLiteral("Style"));
        xml.writeAttribute(QStringLiteral("id"), id);
        xml.writeStartElement(QStringLiteral("IconStyle"));
        xml.writeTextElement(QStringLiteral("color"), colour);
        xml.writeEndElement();
        xml.writeEndElement();
    }
    xml.writeStartElement(QStringLiteral("Style"));
    xml.writeAttribute(QStringLiteral("id"), QStringLiteral("path"));
    xml.writeStartElement(QStringLiteral("LineStyle"));
    xml.writeTextElement(QStringLiteral("color"), QStringLiteral("ffff8000"));
    xml.writeTextElement(QStringLiteral("width"), QStringLiteral("3"));
    xml.writeEndElement();
    xml.writeEndElement();

    xml.writeStartElement(QStringLiteral("Folder"));
    xml.writeTextElement(QStringLiteral("name"), QStringLiteral("Hops"));
    for (const PlacedResponder &p : placedResponders(file)) {
        xml.writeStartElement(QStringLiteral("Placemark"));
        xml.writeTextElement(QStringLiteral("name"),
                             QStringLiteral("%1  %2").arg(p.hop->ttl).arg(p.address.toString()));
        QStringList lines{placeName(p.geo.place)};
        if (!p.geo.hostname.isEmpty())
            lines << p.geo.hostname;
        if (p.geo.as.isValid())
            lines << QStringLiteral("AS%1 %2").arg(p.geo.as.number).arg(p.geo.as.name).trimmed();
        if (p.rtt.avgMs >= 0)
            lines << QStringLiteral("RTT %1 ms avg (%2–%3)")
                         .arg(p.rtt.avgMs, 0, 'f', 3)
                         .arg(p.rtt.bestMs, 0, 'f', 3)
                         .arg(p.rtt.worstMs, 0, 'f', 3);
        lines << QStringLiteral("%1 (confidence %2): %3")
                     .arg(p.geo.provider)
                     .arg(p.geo.confidence, 0, 'f', 2)
                     .arg(p.geo.reason);
        xml.writeTextElement(QStringLiteral("description"), lines.join(QLatin1Char('\n')));
        xml.writeTextElement(QStringLiteral("styleUrl"), QLatin1Char('#') + rttStyle(p.rtt));
        xml.writeStartElement(QStringLiteral("ExtendedData"));
        const QList<std::pair<QString, QString>> data = {
            {QStringLiteral("ttl"), QString::number(p.hop->ttl)},
            {QStringLiteral("address"), p.address.toString()},
            {QStringLiteral("hostname"), p.geo.hostname},
            {QStringLiteral("asn"), p.geo.as.isValid() ? QString::number(p.geo.as.number) : QString()},
            {QStringLiteral("place"), placeName(p.geo.place)},
            {QStringLiteral("provider"), p.geo.provider},
            {QStringLiteral("confidence"), QString::number(p.geo.confidence, 'f', 2)},
            {QStringLiteral("rtt_avg_ms"), csvNumber(p.rtt.avgMs, 3, p.rtt.avgMs >= 0)},
            {QStringLiteral("loss"), QString::number(p.hop->stats().lossPercent, 'f', 1)},
        };
        for (const auto &[name, value] : data) {
            xml.writeStartElement(QStringLiteral("Data"));
            xml.writeAttribute(QStringLiteral("name"), name);
            xml.writeTextElement(QStringLiteral("value"), value);
            xml.writeEndElement();
        }
        xml.writeEndElement(); // ExtendedData
        xml.writeStartElement(QStringLiteral("Point"));
        xml.writeTextElement(QStringLiteral("coordinates"),
                             kmlCoordinates({QPointF(p.geo.place.longitude, p.geo.place.latitude)}));
        xml.writeEndElement();
        xml.writeEndElement(); // Placemark
    }
    xml.writeEndElement(); // Folder

    const QList<LonLatLine> parts = drawnPath(file);
    if (!parts.isEmpty()) {
        xml.writeStartElement(QStringLiteral("Placemark"));
        xml.writeTextElement(QStringLiteral("name"), QStringLiteral("Path"));
        xml.writeTextElement(QStringLiteral("styleUrl"), QStringLiteral("#path"));
        if (parts.size() > 1)
            xml.writeStartElement(QStringLiteral("MultiGeometry"));
        for (const LonLatLine &part : parts) {
            xml.writeStartElement(QStringLiteral("LineString"));
            xml.writeTextElement(QStringLiteral("tessellate"), QStringLiteral("1"));
            xml.writeTextElement(QStringLiteral("coordinates"), kmlCoordinates(part));
            xml.writeEndElement();
        }
        if (parts.size() > 1)
            xml.writeEndElement();
        xml.writeEndElement();
    }
    xml.writeEndElement(); // Document
    xml.writeEndElement(); // kml
    xml.writeEndDocument();
    return out;
}

QByteArray toCsv(const TraceFile &file)
{
    const QStringList header = {
        QStringLiteral("target"),     QStringLiteral("dest"),         QStringLiteral("ttl"),
        QStringLiteral("address"),    QStringLiteral("hostname"),     QStringLiteral("asn"),
        QStringLiteral("as_name"),    QStringLiteral("place"),        QStringLiteral("country_code"),
        QStringLiteral("latitude"),   QStringLiteral("longitude"),    QStringLiteral("provider"),
        QStringLiteral("confidence"), QStringLiteral("reason"),       QStringLiteral("sent"),
        QStringLiteral("received"),   QStringLiteral("loss_percent"), QStringLiteral("rtt_best_ms"),
        QStringLiteral("rtt_avg_ms"), QStringLiteral("rtt_worst_ms"), QStringLiteral("rtt_stddev_ms"),
        QStringLiteral("rtt_last_ms")};
    QStringList rows{header.join(QLatin1Char(','))};
    const QString dest = file.trace.destination.isNull() ? QString() : file.trace.destination.toString();
    for (const Hop &hop : file.trace.hops) {
        const RttStats hopStats = hop.stats();
        QList<QHostAddress> responders = hop.responders();
        if (responders.isEmpty())
            responders << QHostAddress(); // a silent hop is a row too
        for (const QHostAddress &a : std::as_const(responders)) {
            const GeoResult g = a.isNull() ? GeoResult() : file.placeFor(a);
            const RttStats s = a.isNull() ? RttStats() : responderStats(hop, a);
            const bool placed = g.status == GeoStatus::Located && g.place.hasCoordinates();
            const QStringList fields = {
                file.trace.target,
                dest,
                QString::number(hop.ttl),
                a.isNull() ? QString() : a.toString(),
                g.hostname,
                g.as.isValid() ? QString::number(g.as.number) : QString(),
                g.as.name,
                placeName(g.place),
                g.place.countryCode,
                csvNumber(g.place.latitude, 6, placed),
                csvNumber(g.place.longitude, 6, placed),
                g.provider,
                a.isNull() || g.status == GeoStatus::Pending ? QString()
                                                             : QString::number(g.confidence, 'f', 2),
                g.reason,
                QString::number(hopStats.sent),
                QString::number(s.received),
                QString::number(hopStats.lossPercent, 'f', 1),
                csvNumber(s.bestMs, 3, s.bestMs >= 0),
                csvNumber(s.avgMs, 3, s.avgMs >= 0),
                csvNumber(s.worstMs, 3, s.worstMs >= 0),
                csvNumber(s.stddevMs, 3, s.stddevMs >= 0),
                csvNumber(s.lastMs, 3, s.lastMs >= 0),
            };
            QStringList quoted;
            for (const QString &f : fields)
                quoted << csvField(f);
            rows << quoted.join(QLatin1Char(','));
        }
    }
    return (rows.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n")).toUtf8();
}

} // namespace tracemap::TraceExport
