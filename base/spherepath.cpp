#include "spherepath.h"

#include "geodistance.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {

constexpr double kDegree = M_PI / 180.0;
constexpr int kMaxPieces = 2048; // a half-circumference at 10 km steps

struct Vec3
{
    double x, y, z;
};

Vec3 toVector(const QGeoCoordinate &c)
{
    const double lat = c.latitude() * kDegree;
    const double lon = c.longitude() * kDegree;
    return {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
}

QGeoCoordinate toCoordinate(const Vec3 &v)
{
    return QGeoCoordinate(std::atan2(v.z, std::hypot(v.x, v.y)) / kDegree, std::atan2(v.y, v.x) / kDegree);
}

} // namespace

GeoPolyline greatCirclePoints(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm)
{
    if (!from.isValid() || !to.isValid())
        return {};
    const Vec3 a = toVector(from);
    const Vec3 b = toVector(to);
    const Vec3 cross{a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
    const double angle = std::atan2(std::sqrt(cross.x * cross.x + cross.y * cross.y + cross.z * cross.z),
                                    a.x * b.x + a.y * b.y + a.z * b.z);
    const double sinAngle = std::sin(angle);
    if (angle < 1e-12 || sinAngle < 1e-9)
        return {from, to};
    const int pieces =
        std::clamp(int(std::ceil(angle * kEarthRadiusKm / std::max(1.0, maxStepKm))), 1, kMaxPieces);
    GeoPolyline line;
    line.reserve(pieces + 1);
    line.append(from);
    for (int i = 1; i < pieces; ++i) {
        // Spherical linear interpolation between the two unit vectors: every point is computed
        // from the ends, so rounding errors do not accumulate along the way.
        const double t = double(i) / pieces;
        const double wa = std::sin((1 - t) * angle) / sinAngle;
        const double wb = std::sin(t * angle) / sinAngle;
        line.append(toCoordinate({wa * a.x + wb * b.x, wa * a.y + wb * b.y, wa * a.z + wb * b.z}));
    }
    line.append(to);
    return line;
}

QList<GeoPolyline> splitAtAntimeridian(const GeoPolyline &line)
{
    QList<GeoPolyline> parts;
    if (line.isEmpty())
        return parts;
    parts.append({line.first()});
    for (qsizetype i = 1; i < line.size(); ++i) {
        const QGeoCoordinate &a = line.at(i - 1);
        const QGeoCoordinate &b = line.at(i);
        if (std::abs(b.longitude() - a.longitude()) > 180.0) {
            // a is on one side (east when its longitude is positive), b on the other.
            const double edge = a.longitude() > 0 ? 180.0 : -180.0;
            const double bLongitude = b.longitude() + 2 * edge; // b moved to a's side of the map
            const double span = bLongitude - a.longitude();
            const double t = span == 0.0 ? 0.0 : (edge - a.longitude()) / span;
            const double latitude = a.latitude() + t * (b.latitude() - a.latitude());
            if (parts.last().last() != QGeoCoordinate(latitude, edge))
                parts.last().append(QGeoCoordinate(latitude, edge));
            parts.append({QGeoCoordinate(latitude, -edge)});
        }
        if (parts.last().last() != b)
            parts.last().append(b);
    }
    parts.removeIf([](const GeoPolyline &part) { return part.size() < 2; });
    return parts;
}

} // namespace tracemap
