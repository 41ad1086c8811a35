#pragma once
// Pure framing maths for the map: which centre and zoom show a set of places with padding
// (across the antimeridian when that is shorter), and whether a view already shows them.
// Used by MapView (fit, follow while tracing) and by the scripted export, which has no item.

#include "maprenderer.h"
#include "webmercator.h"

#include <QList>
#include <QSizeF>

#include <optional>

namespace tracemap {

struct MapFrame
{
    double centerLatitude = 0.0;
    double centerLongitude = 0.0;
    double zoom = 0.0;
};

// The placed hops and the source of a scene, and the hops of its visible further routes (a
// comparison's other trace, other vantage points): clamped and wrapped.
QList<GeoPoint> routePoints(const MapScene &scene);

// Frames `points` in a view of `size` with `padding` pixels on every side. A single place is
// shown at `closestZoom`. Empty without points or with an empty size.
std::optional<MapFrame> frameRoute(const QList<GeoPoint> &points, QSizeF size, double padding,
                                   double closestZoom);

// True when every point is inside `view`, at least `margin` pixels from its edges.
bool viewShowsAll(const MapViewport &view, const QList<GeoPoint> &points, double margin);

} // namespace tracemap
