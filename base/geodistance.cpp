#include "geodistance.h"

#include <QStringList>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tracemap {

double greatCircleKm(double latitude1, double longitude1, double latitude2, double longitude2)
{
    constexpr double toRadians = std::numbers::pi / 180.0;
    const double phi1 = latitude1 * toRadians;
    const double phi2 = latitude2 * toRadians;
    const double dPhi = (latitude2 - latitude1) * toRadians;
    const double dLambda = (longitude2 - longitude1) * toRadians;
    const double a = std::sin(dPhi / 2) * std::sin(dPhi / 2) +
                     std::cos(phi1) * std::cos(phi2) * std::sin(dLambda / 2) * std::sin(dLambda / 2);
    if (std::isnan(a))
        return a;
    // Clamp: rounding can push `a` a hair above 1 for antipodal points.
    return 2 * kEarthRadiusKm * std::asin(std::sqrt(std::clamp(a, 0.0, 1.0)));
}

double greatCircleKm(const QGeoCoordinate &from, const QGeoCoordinate &to)
{
    return greatCircleKm(from.latitude(), from.longitude(), to.latitude(), to.longitude());
}

bool parseLatLon(const QString &text, double *latitude, double *longitude)
{
    const QStringList parts = text.split(QLatin1Char(','));
    if (parts.size() != 2)
        return false;
    bool okLat = false, okLon = false;
    const double lat = parts.at(0).trimmed().toDouble(&okLat);
    const double lon = parts.at(1).trimmed().toDouble(&okLon);
    if (!okLat || !okLon || !std::isfinite(lat) || !std::isfinite(lon) || lat < -90 || lat > 90 ||
        lon < -180 || lon > 180)
        return false;
    *latitude = lat;
    *longitude = lon;
    return true;
}

} // namespace tracemap
