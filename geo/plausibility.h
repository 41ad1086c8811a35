#pragma once
// The speed-of-light check: a hop answering after RTT ms cannot be farther from the source
// than light in fibre travels in that time. Light in fibre covers about 200 km per ms, i.e.
// 100 km per ms of round trip; we allow 10 % more for measurement noise, plus a fixed slack
// for the size of a metro area (both places are city centres, not exact router sites).

#include "geodistance.h" // greatCircleKm()
#include "geotypes.h"

namespace tracemap {

inline constexpr double kKmPerRttMs = 100.0;
inline constexpr double kRttTolerance = 1.1;
inline constexpr double kMetroSlackKm = 50.0;

// Farthest a hop with this RTT can be from the source: RTT × 100 km × 1.1 + metro slack.
double maxPlausibleKm(double rttMs);

struct PlausibilityVerdict
{
    enum class Kind { Unknown, Plausible, Implausible };
    Kind kind = Kind::Unknown;
    double distanceKm = -1.0; // from the source; < 0 when not computed
    double boundKm = -1.0;    // what the RTT allows; < 0 when not computed
    QString sentence;         // e.g. "Nashua, US is 620 km from the source; 1.0 ms allows at most 160 km"

    bool isImplausible() const { return kind == Kind::Implausible; }
};

// Unknown (with a sentence saying why) when the source, the RTT or the candidate's coordinates
// are missing; otherwise whether `candidate` lies within the RTT bound from `source`.
PlausibilityVerdict checkPlausibility(const GeoPlace &candidate, const SourceLocation &source, double rttMs);

// "Ashburn, US", "US", "39.04, -77.49": how places are named in reasons and rejections.
QString describePlace(const GeoPlace &place);

} // namespace tracemap
