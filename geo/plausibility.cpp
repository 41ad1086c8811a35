#include "plausibility.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tracemap {

double greatCircleKm(double latitude1, double longitude1, double latitude2, double longitude2)
{
    constexpr double earthRadiusKm = 6371.0;
    constexpr double toRadians = std::numbers::pi / 180.0;
    const double phi1 = latitude1 * toRadians;
    const double phi2 = latitude2 * toRadians;
    const double dPhi = (latitude2 - latitude1) * toRadians;
    const double dLambda = (longitude2 - longitude1) * toRadians;
    const double a = std::sin(dPhi / 2) * std::sin(dPhi / 2) +
                     std::cos(phi1) * std::cos(phi2) * std::sin(dLambda / 2) * std::sin(dLambda / 2);
    // Clamp: rounding can push `a` a hair above 1 for antipodal points.
    return 2 * earthRadiusKm * std::asin(std::sqrt(std::clamp(a, 0.0, 1.0)));
}

double maxPlausibleKm(double rttMs)
{
    return std::max(0.0, rttMs) * kKmPerRttMs * kRttTolerance + kMetroSlackKm;
}

QString describePlace(const GeoPlace &place)
{
    QStringList parts;
    if (!place.city.isEmpty())
        parts << place.city;
    else if (!place.region.isEmpty())
        parts << place.region;
    if (!place.countryCode.isEmpty())
        parts << place.countryCode;
    if (!parts.isEmpty())
        return parts.join(QStringLiteral(", "));
    if (!place.displayName.isEmpty())
        return place.displayName;
    if (place.hasCoordinates())
        return QStringLiteral("%1, %2").arg(place.latitude, 0, 'f', 2).arg(place.longitude, 0, 'f', 2);
    return QStringLiteral("an unnamed place");
}

PlausibilityVerdict checkPlausibility(const GeoPlace &candidate, const SourceLocation &source, double rttMs)
{
    PlausibilityVerdict v;
    if (!candidate.hasCoordinates()) {
        v.sentence = QStringLiteral("no coordinates to check");
        return v;
    }
    if (!source.isValid()) {
        v.sentence = QStringLiteral("source location unknown, RTT bound not checked");
        return v;
    }
    if (rttMs < 0 || !std::isfinite(rttMs)) {
        v.sentence = QStringLiteral("RTT unknown, RTT bound not checked");
        return v;
    }
    v.distanceKm = greatCircleKm(source.latitude, source.longitude, candidate.latitude, candidate.longitude);
    v.boundKm = maxPlausibleKm(rttMs);
    const QString where = describePlace(candidate);
    if (v.distanceKm > v.boundKm) {
        v.kind = PlausibilityVerdict::Kind::Implausible;
        v.sentence = QStringLiteral("%1 is %2 km from the source; %3 ms allows at most %4 km")
                         .arg(where)
                         .arg(qRound64(v.distanceKm))
                         .arg(rttMs, 0, 'f', 1)
                         .arg(qRound64(v.boundKm));
    } else {
        v.kind = PlausibilityVerdict::Kind::Plausible;
        v.sentence = QStringLiteral("%1 is %2 km from the source, within the %3 ms RTT bound of %4 km")
                         .arg(where)
                         .arg(qRound64(v.distanceKm))
                         .arg(rttMs, 0, 'f', 1)
                         .arg(qRound64(v.boundKm));
    }
    return v;
}

} // namespace tracemap
