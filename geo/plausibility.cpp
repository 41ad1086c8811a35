#include "plausibility.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

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
    const bool tooFar = v.distanceKm > v.boundKm;
    v.kind = tooFar ? PlausibilityVerdict::Kind::Implausible : PlausibilityVerdict::Kind::Plausible;
    const QString pattern =
        tooFar ? QStringLiteral("%1 is %2 km from the source; %3 ms allows at most %4 km")
               : QStringLiteral("%1 is %2 km from the source, within the %3 ms RTT bound of %4 km");
    v.sentence = pattern.arg(describePlace(candidate))
                     .arg(qRound64(v.distanceKm))
                     .arg(rttMs, 0, 'f', 1)
                     .arg(qRound64(v.boundKm));
    return v;
}

} // namespace tracemap
