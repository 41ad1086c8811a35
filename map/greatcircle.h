#pragma once
// Great-circle arcs for drawing: points along the shortest path between two coordinates,
// split wherever the path crosses the antimeridian so no segment spans the whole map.

#include <QGeoCoordinate>
#include <QList>

namespace tracemap {

using GeoPolyline = QList<QGeoCoordinate>;

namespace GreatCircle {

// Distance in kilometres along the great circle (WGS84 as Qt Positioning computes it).
double distanceKm(const QGeoCoordinate &from, const QGeoCoordinate &to);

// Points from `from` to `to` (both included) at most `maxStepKm` apart, walked with
// QGeoCoordinate::atDistanceAndAzimuth. Longitudes are in [-180, 180].
GeoPolyline interpolate(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm = 100.0);

// `interpolate`, cut at ±180°: each crossing ends one part at ±180 and starts the next at ∓180
// with the crossing latitude. One part when the arc does not cross.
QList<GeoPolyline> splitAtAntimeridian(const GeoPolyline &line);
QList<GeoPolyline> arc(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm = 100.0);

// The same points with longitudes made continuous (e.g. 170, 179, 188 instead of ..., -172), for
// drawing on a world that repeats horizontally.
QList<QPointF> unwrapped(const GeoPolyline &line); // x = longitude, y = latitude

} // namespace GreatCircle
} // namespace tracemap
