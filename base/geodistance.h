#pragma once
// Distance on the sphere, one formula for the whole program: the haversine great-circle
// distance on a sphere of radius 6371 km (the mean Earth radius). Good to about 0.5 % against
// the ellipsoid, far finer than anything geolocation knows. Coordinates are QGeoCoordinate, the
// one coordinate type of tracemap (Qt Positioning is a Core-level module).

#include <QGeoCoordinate>
#include <QString>

namespace tracemap {

inline constexpr double kEarthRadiusKm = 6371.0;

// Kilometres between two points given in degrees. NaN when any coordinate is NaN.
double greatCircleKm(double latitude1, double longitude1, double latitude2, double longitude2);
double greatCircleKm(const QGeoCoordinate &from, const QGeoCoordinate &to);

// "LAT,LON" in degrees (-90..90, -180..180) -> values; false when malformed or out of range.
// The one reader of a written position: command lines, settings, the agent's config.
bool parseLatLon(const QString &text, double *latitude, double *longitude);

} // namespace tracemap
