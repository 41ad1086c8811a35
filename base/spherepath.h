#pragma once
// Paths on the sphere, for everything that draws a route (the map, the GeoJSON/KML exports):
// points along a great circle, and the cut of a path at the antimeridian so that no segment spans
// the whole map. The sphere is the one of geodistance.h (radius kEarthRadiusKm); longitudes are
// in [-180, 180]. Pure functions of their arguments.

#include <QGeoCoordinate>
#include <QList>

namespace tracemap {

using GeoPolyline = QList<QGeoCoordinate>;

// Points from `from` to `to` (both included, exactly as given) at most `maxStepKm` apart along the
// great circle, at most 2048 pieces. Empty when an end is invalid; the two ends when they are the
// same place or antipodes (which have no single great circle).
GeoPolyline greatCirclePoints(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm);

// Cut wherever consecutive points are more than 180° of longitude apart: the part ends at ±180
// and the next starts at ∓180 with the interpolated latitude. One part when nothing crosses;
// parts of a single point (a path that only touches ±180) are dropped.
QList<GeoPolyline> splitAtAntimeridian(const GeoPolyline &line);

} // namespace tracemap
