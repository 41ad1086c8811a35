// GeoJSON checked against RFC 7946's rules, KML against the KML 2.2 structure (well-formed XML,
// element nesting), CSV read back with Python's csv module.
#include "traceexport.h"
#include "tst_tracefile_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <QXmlStreamReader>

#include <cmath>

using namespace tracemap;

namespace {

double distanceKm(QPointF a, QPointF b) // haversine, spherical Earth
{
    const double d = M_PI / 180;
    const double dLat = (b.y() - a.y()) * d;
    const double dLon = (b.x() - a.x()) * d;
    const double h = std::sin(dLat / 2) * std::sin(dLat / 2) +
                     std::cos(a.y() * d) * std::cos(b.y() * d) * std::sin(dLon / 2) * std::sin(dLon / 2);
    return 2 * 6371.0088 * std::asin(std::min(1.0, std::sqrt(h)));
}

QPointF lonLat(const QJsonValue &position)
{
    const QJsonArray a = position.toArray();
    return QPointF(a.at(0).toDouble(), a.at(1).toDouble());
}

// Tokyo -> San Francisco: the path crosses the antimeridian.
TraceFile pacific()
{
    TraceFile f = fixture::sample();
    f.places.insert(QHostAddress(QStringLiteral("198.18.0.1")),
                    fixture::place("198.18.0.1", 35.68, 139.69, "Tokyo", 64500, "JP-NET"));
    f.places.insert(QHostAddress(QStringLiteral("198.18.1.1")),
                    fixture::place("198.18.1.1", 37.77, -122.42, "San Francisco", 64501, "US-NET"));
    for (const char *a : {"198.18.3.1", "198.18.3.9", "198.18.5.1", "198.18.10.1"})
        f.places.remove(QHostAddress(QString::fromLatin1(a)));
    return f;
}

// RFC 7946 rules every GeoJSON export must satisfy; returns the first violation.
QString rfc7946Problem(const QJsonDocument &doc)
{
    if (!doc.isObject())
        return QStringLiteral("top level is not an object");
    const QJsonObject top = doc.object();
    if (top.value(QStringLiteral("type")).toString() != QLatin1String("FeatureCollection"))
        return QStringLiteral("not a FeatureCollection");
    if (top.contains(QStringLiteral("crs")))
        return QStringLiteral("crs is not part of RFC 7946");
    if (!top.value(QStringLiteral("features")).isArray())
        return QStringLiteral("features is not an array");
    auto checkPosition = [](const QJsonValue &v) -> QString {
        const QJsonArray p = v.toArray();
        if (p.size() != 2 || !p.at(0).isDouble() || !p.at(1).isDouble())
            return QStringLiteral("a position is not [lon, lat]");
        const double lon = p.at(0).toDouble();
        const double lat = p.at(1).toDouble();
        if (!std::isfinite(lon) || !std::isfinite(lat) || std::abs(lon) > 180 || std::abs(lat) > 90)
            return QStringLiteral("position out of range: [%1, %2]").arg(lon).arg(lat);
        return {};
    };
    for (const QJsonValue &fv : top.value(QStringLiteral("features")).toArray()) {
        const QJsonObject f = fv.toObject();
        if (f.value(QStringLiteral("type")).toString() != QLatin1String("Feature") ||
            !f.value(QStringLiteral("properties")).isObject())
            return QStringLiteral("a feature without type Feature or properties");
        const QJsonObject g = f.value(QStringLiteral("geometry")).toObject();
        const QString type = g.value(QStringLiteral("type")).toString();
        const QJsonValue coords = g.value(QStringLiteral("coordinates"));
        QList<QJsonArray> lines;
        if (type == QLatin1String("Point")) {
            if (const QString p = checkPosition(coords); !p.isEmpty())
                return p;
        } else if (type == QLatin1String("LineString")) {
            lines << coords.toArray();
        } else if (type == QLatin1String("MultiLineString")) {
            for (const QJsonValue &l : coords.toArray())
                lines << l.toArray();
        } else {
            return QStringLiteral("unexpected geometry %1").arg(type);
        }
        for (const QJsonArray &line : lines) {
            if (line.size() < 2)
                return QStringLiteral("a line with fewer than two positions");
            for (qsizetype i = 0; i < line.size(); ++i) {
                if (const QString p = checkPosition(line.at(i)); !p.isEmpty())
                    return p;
                // Section 3.1.9: no segment may jump across the antimeridian.
                if (i > 0 && std::abs(lonLat(line.at(i)).x() - lonLat(line.at(i - 1)).x()) > 180)
                    return QStringLiteral("a segment crosses the antimeridian unsplit");
            }
        }
    }
    return {};
}

QJsonObject pathGeometry(const QJsonDocument &doc)
{
    for (const QJsonValue &f : doc.object().value(QStringLiteral("features")).toArray()) {
        const QJsonObject g = f.toObject().value(QStringLiteral("geometry")).toObject();
        if (g.value(QStringLiteral("type")).toString() != QLatin1String("Point"))
            return g;
    }
    return {};
}

} // namespace

class TestExporters : public QObject
{
    Q_OBJECT

private slots:
    void geoJsonFollowsRfc7946()
    {
        const QByteArray bytes = TraceExport::toGeoJson(fixture::sample());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
        QCOMPARE(error.error, QJsonParseError::NoError); // closed, complete document
        QVERIFY2(rfc7946Problem(doc).isEmpty(), qPrintable(rfc7946Problem(doc)));

        const QJsonArray features = doc.object().value(QStringLiteral("features")).toArray();
        QList<QJsonObject> points;
        for (const QJsonValue &f : features) {
            if (f.toObject().value(QStringLiteral("geometry")).toObject().value(QStringLiteral("type")) ==
                QLatin1String("Point"))
                points << f.toObject();
        }
        QCOMPARE(points.size(), 6); // every placed responder; the unlocatable hop 5 is left out
        // Longitude first: Frankfurt is [8.68, 50.11].
        const QJsonObject frankfurt = points.first();
        QCOMPARE(
            lonLat(
                frankfurt.value(QStringLiteral("geometry")).toObject().value(QStringLiteral("coordinates"))),
            QPointF(8.68, 50.11));
        const QJsonObject props = frankfurt.value(QStringLiteral("properties")).toObject();
        QCOMPARE(props.value(QStringLiteral("ttl")).toInt(), 1);
        QCOMPARE(props.value(QStringLiteral("address")).toString(), QStringLiteral("198.18.0.1"));
        QCOMPARE(props.value(QStringLiteral("asn")).toInt(), 64500);
        QCOMPARE(props.value(QStringLiteral("place")).toString(), QStringLiteral("Frankfurt, XX"));
        QCOMPARE(props.value(QStringLiteral("provider")).toString(), QStringLiteral("override"));
        QCOMPARE(props.value(QStringLiteral("rtt_avg_ms")).toDouble(), 0.5);
        QCOMPARE(props.value(QStringLiteral("loss")).toDouble(), 0.0);
        QCOMPARE(points.at(4)
                     .value(QStringLiteral("properties"))
                     .toObject()
                     .value(QStringLiteral("loss"))
                     .toDouble(),
                 0.0);
    }

    void geoJsonPathIsADensifiedGreatCircle()
    {
        const QJsonDocument doc = QJsonDocument::fromJson(TraceExport::toGeoJson(fixture::sample()));
        const QJsonObject path = pathGeometry(doc);
        QCOMPARE(path.value(QStringLiteral("type")).toString(), QStringLiteral("LineString"));
        const QJsonArray line = path.value(QStringLiteral("coordinates")).toArray();
        QCOMPARE(lonLat(line.first()), QPointF(8.68, 50.11));
        QCOMPARE(lonLat(line.last()), QPointF(-73.98, 40.76));
        double northmost = -90;
        for (qsizetype i = 1; i < line.size(); ++i) {
            QVERIFY2(distanceKm(lonLat(line.at(i - 1)), lonLat(line.at(i))) <= 101,
                     qPrintable(QStringLiteral("step %1 too long").arg(i)));
            northmost = std::max(northmost, lonLat(line.at(i)).y());
        }
        // London -> New York on a great circle passes far north of both (about 52.4° N),
        // where a straight line in lon/lat would stay between 40.7 and 51.5.
        QVERIFY2(northmost > 52.0, qPrintable(QString::number(northmost)));
    }

    void geoJsonSplitsAtTheAntimeridian()
    {
        const QJsonDocument doc = QJsonDocument::fromJson(TraceExport::toGeoJson(pacific()));
        QVERIFY2(rfc7946Problem(doc).isEmpty(), qPrintable(rfc7946Problem(doc)));
        const QJsonObject path = pathGeometry(doc);
        QCOMPARE(path.value(QStringLiteral("type")).toString(), QStringLiteral("MultiLineString"));
        const QJsonArray parts = path.value(QStringLiteral("coordinates")).toArray();
        QCOMPARE(parts.size(), 2);
        const QPointF westEnd = lonLat(parts.at(0).toArray().last());
        const QPointF eastStart = lonLat(parts.at(1).toArray().first());
        QCOMPARE(westEnd.x(), 180.0);
        QCOMPARE(eastStart.x(), -180.0);
        QCOMPARE(westEnd.y(), eastStart.y());
        QCOMPARE(lonLat(parts.at(0).toArray().first()), QPointF(139.69, 35.68));
        QCOMPARE(lonLat(parts.at(1).toArray().last()), QPointF(-122.42, 37.77));
    }

    void splitHandlesBothDirectionsAndEdges_data()
    {
        QTest::addColumn<QList<QPointF>>("line");
        QTest::addColumn<int>("parts");
        QTest::newRow("no crossing") << QList<QPointF>{{10, 0}, {20, 0}} << 1;
        QTest::newRow("eastward crossing") << QList<QPointF>{{170, 10}, {-170, 20}} << 2;
        QTest::newRow("westward crossing") << QList<QPointF>{{-170, 10}, {170, 20}} << 2;
        QTest::newRow("starts on the antimeridian") << QList<QPointF>{{180, 0}, {-170, 0}} << 1;
        QTest::newRow("two crossings") << QList<QPointF>{{170, 0}, {-170, 0}, {170, 0}} << 3;
        QTest::newRow("one point") << QList<QPointF>{{170, 0}} << 0;
    }

    void splitHandlesBothDirectionsAndEdges()
    {
        QFETCH(QList<QPointF>, line);
        QFETCH(int, parts);
        const QList<TraceExport::LonLatLine> split = TraceExport::splitAtAntimeridian(line);
        QCOMPARE(split.size(), parts);
        for (const TraceExport::LonLatLine &part : split) {
            QVERIFY(part.size() >= 2);
            for (qsizetype i = 1; i < part.size(); ++i)
                QVERIFY(std::abs(part.at(i).x() - part.at(i - 1).x()) <= 180);
        }
    }

    void geoJsonWithoutPlacesIsAnEmptyCollection()
    {
        TraceFile f = fixture::sample();
        f.places.clear();
        const QJsonDocument doc = QJsonDocument::fromJson(TraceExport::toGeoJson(f));
        QVERIFY2(rfc7946Problem(doc).isEmpty(), qPrintable(rfc7946Problem(doc)));
        QVERIFY(doc.object().value(QStringLiteral("features")).toArray().isEmpty());
    }

    void kmlIsWellFormedKml22()
    {
        TraceFile f = fixture::sample();
        GeoResult hostile = f.placeFor(QHostAddress(QStringLiteral("198.18.0.1")));
        hostile.hostname = QStringLiteral("<script>alert(1)</script>&\"x\"]]>");
        f.places.insert(hostile.address, hostile);
        const QByteArray kml = TraceExport::toKml(f);

        // Which parent each KML element may have here (KML 2.2 schema, the subset we write).
        const QHash<QString, QStringList> parents = {
            {QStringLiteral("kml"), {QString()}},
            {QStringLiteral("Document"), {QStringLiteral("kml")}},
            {QStringLiteral("Folder"), {QStringLiteral("Document")}},
            {QStringLiteral("Style"), {QStringLiteral("Document")}},
            {QStringLiteral("IconStyle"), {QStringLiteral("Style")}},
            {QStringLiteral("LineStyle"), {QStringLiteral("Style")}},
            {QStringLiteral("color"), {QStringLiteral("IconStyle"), QStringLiteral("LineStyle")}},
            {QStringLiteral("width"), {QStringLiteral("LineStyle")}},
            {QStringLiteral("Placemark"), {QStringLiteral("Folder"), QStringLiteral("Document")}},
            {QStringLiteral("name"),
             {QStringLiteral("Document"), QStringLiteral("Folder"), QStringLiteral("Placemark")}},
            {QStringLiteral("description"), {QStringLiteral("Document"), QStringLiteral("Placemark")}},
            {QStringLiteral("styleUrl"), {QStringLiteral("Placemark")}},
            {QStringLiteral("ExtendedData"), {QStringLiteral("Placemark")}},
            {QStringLiteral("Data"), {QStringLiteral("ExtendedData")}},
            {QStringLiteral("value"), {QStringLiteral("Data")}},
            {QStringLiteral("Point"), {QStringLiteral("Placemark")}},
            {QStringLiteral("MultiGeometry"), {QStringLiteral("Placemark")}},
            {QStringLiteral("LineString"), {QStringLiteral("Placemark"), QStringLiteral("MultiGeometry")}},
            {QStringLiteral("tessellate"), {QStringLiteral("LineString")}},
            {QStringLiteral("coordinates"), {QStringLiteral("Point"), QStringLiteral("LineString")}},
        };
        QXmlStreamReader xml(kml);
        QStringList stack;
        QStringList styles, styleUrls, values;
        int placemarks = 0, lines = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement()) {
                const QString name = xml.name().toString();
                QCOMPARE(xml.namespaceUri().toString(), QStringLiteral("http://www.opengis.net/kml/2.2"));
                QVERIFY2(parents.contains(name), qPrintable(QStringLiteral("unexpected element ") + name));
                QVERIFY2(parents.value(name).contains(stack.value(stack.size() - 1)),
                         qPrintable(QStringLiteral("%1 inside %2").arg(name, stack.value(stack.size() - 1))));
                stack << name;
                if (name == QLatin1String("Style"))
                    styles << xml.attributes().value(QStringLiteral("id")).toString();
                if (name == QLatin1String("Placemark"))
                    ++placemarks;
                if (name == QLatin1String("LineString"))
                    ++lines;
                // Leaf elements: readElementText() consumes their end element too.
                if (name == QLatin1String("styleUrl")) {
                    styleUrls << xml.readElementText().mid(1);
                    stack.removeLast();
                } else if (name == QLatin1String("value")) {
                    values << xml.readElementText();
                    stack.removeLast();
                } else if (name == QLatin1String("coordinates")) {
                    const QString text = xml.readElementText();
                    stack.removeLast();
                    for (const QString &tuple : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
                        const QStringList c = tuple.split(QLatin1Char(','));
                        QCOMPARE(c.size(), 3); // lon,lat,alt
                        QVERIFY(std::abs(c.at(0).toDouble()) <= 180 && std::abs(c.at(1).toDouble()) <= 90);
                    }
                }
            } else if (xml.isEndElement()) {
                stack.removeLast();
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(stack.isEmpty());
        QCOMPARE(placemarks, 7); // six placed responders and the path
        QCOMPARE(lines, 1);
        for (const QString &url : std::as_const(styleUrls))
            QVERIFY2(styles.contains(url), qPrintable(url));
        QVERIFY(styleUrls.contains(QStringLiteral("rtt-low"))); // Frankfurt, 0.5 ms
        QVERIFY(styleUrls.contains(QStringLiteral("rtt-mid"))); // New York, about 80 ms
        QVERIFY(values.contains(hostile.hostname)); // escaped on the way out, intact on the way in
    }

    void csvReadsBackWithPython()
    {
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty())
            QSKIP("python3 is not installed");
        TraceFile f = fixture::sample();
        GeoResult tricky = f.placeFor(QHostAddress(QStringLiteral("198.18.3.1")));
        tricky.reason = QStringLiteral("said \"New York, NY\",\nthen\r\nagain");
        f.places.insert(tricky.address, tricky);
        const QByteArray csv = TraceExport::toCsv(f);
        QVERIFY(csv.endsWith("\r\n"));

        QProcess p;
        p.start(python,
                {QStringLiteral("-c"),
                 QStringLiteral("import csv, io, json, sys\n"
                                "data = sys.stdin.buffer.read().decode('utf-8')\n"
                                "rows = list(csv.reader(io.StringIO(data, newline=''), strict=True))\n"
                                "print(json.dumps(rows))\n")});
        QVERIFY(p.waitForStarted());
        p.write(csv);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(30000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const QJsonArray rows = QJsonDocument::fromJson(p.readAllStandardOutput()).array();
        QCOMPARE(rows.size(), 1 + 8); // header; hops 1-7, hop 4 has two responders
        const QJsonArray header = rows.at(0).toArray();
        QCOMPARE(header.at(2).toString(), QStringLiteral("ttl"));
        QCOMPARE(header.at(3).toString(), QStringLiteral("address"));
        auto column = [&](const QString &name) {
            for (qsizetype i = 0; i < header.size(); ++i) {
                if (header.at(i).toString() == name)
                    return int(i);
            }
            return -1;
        };
        for (qsizetype i = 1; i < rows.size(); ++i)
            QCOMPARE(rows.at(i).toArray().size(), header.size());
        const QJsonArray silent = rows.at(3).toArray();
        QCOMPARE(silent.at(column(QStringLiteral("ttl"))).toString(), QStringLiteral("3"));
        QCOMPARE(silent.at(column(QStringLiteral("address"))).toString(), QString());
        QCOMPARE(silent.at(column(QStringLiteral("loss_percent"))).toString(), QStringLiteral("100.0"));
        const QJsonArray ny = rows.at(4).toArray();
        QCOMPARE(ny.at(column(QStringLiteral("address"))).toString(), QStringLiteral("198.18.3.1"));
        QCOMPARE(ny.at(column(QStringLiteral("reason"))).toString(), tricky.reason);
        QCOMPARE(ny.at(column(QStringLiteral("received"))).toString(), QStringLiteral("2"));
        QCOMPARE(ny.at(column(QStringLiteral("rtt_avg_ms"))).toString(), QStringLiteral("80.000"));
        QCOMPARE(ny.at(column(QStringLiteral("longitude"))).toString(), QStringLiteral("-74.010000"));
        QCOMPARE(rows.at(5).toArray().at(column(QStringLiteral("address"))).toString(),
                 QStringLiteral("198.18.3.9"));
        QCOMPARE(rows.at(6).toArray().at(column(QStringLiteral("latitude"))).toString(),
                 QString()); // unplaced
    }
};

QTEST_GUILESS_MAIN(TestExporters)
#include "tst_exporters.moc"
