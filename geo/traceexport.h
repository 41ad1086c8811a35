#pragma once
// Exports of a trace file for other tools, as pure functions of the document (no I/O):
//   GeoJSON (RFC 7946): a FeatureCollection with a Point per placed responder ([lon, lat]) and the
//     path as a LineString of densified great-circle points, a MultiLineString when it crosses
//     the antimeridian (RFC 7946 section 3.1.9);
//   KML 2.2: a placemark per placed responder (styled by RTT) and the path as a line;
//   CSV (RFC 4180): one row per hop and responder, CRLF line ends, a header row.
// Unplaced hops are left out of the drawn path but stay in the CSV. Qt Core only.

#include "tracefile.h"

#include <QByteArray>
#include <QList>
#include <QPointF>

namespace tracemap::TraceExport {

using LonLatLine = QList<QPointF>; // x = longitude, y = latitude, degrees

// The path the route takes on the map: the vantage point (when known), then the first placed
// responder of each hop in TTL order, repeated places merged.
LonLatLine placedPath(const TraceFile &file);

// Points along the great circle from `from` to `to` (both included), at most `maxStepKm` apart
// (spherical Earth). Antipodal ends have no single great circle: the two ends are returned.
LonLatLine greatCircle(QPointF from, QPointF to, double maxStepKm = 100.0);

// Cut wherever consecutive points are more than 180° of longitude apart: the part ends at ±180
// and the next starts at ∓180 with the interpolated latitude. One part when nothing crosses.
QList<LonLatLine> splitAtAntimeridian(const LonLatLine &line);

// placedPath densified leg by leg and split: the parts the exports draw.
QList<LonLatLine> drawnPath(const TraceFile &file, double maxStepKm = 100.0);

QByteArray toGeoJson(const TraceFile &file);
QByteArray toKml(const TraceFile &file);
QByteArray toCsv(const TraceFile &file);

} // namespace tracemap::TraceExport
