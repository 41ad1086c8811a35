#pragma once
// Great-circle arcs for drawing: points along the shortest path between two coordinates,
// split wherever the path crosses the antimeridian so no segment spans the whole map. The
// geometry is base/spherepath.h (shared with the exports); this adds the map's defaults and the
// unwrapping for a world that repeats horizontally.

#include "spherepath.h"

#include <QPointF>

namespace tracemap::GreatCircle {

// Distance in kilometres along the great circle (base/geodistance.h).
double distanceKm(const QGeoCoordinate &from, const QGeoCoordinate &to);

// greatCirclePoints() with the map's default step.
inline GeoPolyline interpolate(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm = 100.0)
{
    return greatCirclePoints(from, to, maxStepKm);
}

// `interpolate`, cut at ±180° (base/spherepath.h): each crossing ends one part at ±180 and starts
// the next at ∓180 with the crossing latitude. One part when the arc does not cross.
using tracemap::splitAtAntimeridian;
QList<GeoPolyline> arc(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm = 100.0);

// The same points with longitudes made continuous (e.g. 170, 179, 188 instead of ..., -172), for
// drawing on a world that repeats horizontally.
QList<QPointF> unwrapped(const GeoPolyline &line); // x = longitude, y = latitude

} // namespace tracemap::GreatCircle
