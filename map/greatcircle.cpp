#include "greatcircle.h"

#include "geodistance.h"

#include <QPointF>

#include <algorithm>
#include <cmath>

namespace tracemap::GreatCircle {

double distanceKm(const QGeoCoordinate &from, const QGeoCoordinate &to)
{
    return greatCircleKm(from, to); // the one distance of base/
}

GeoPolyline interpolate(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm)
{
    GeoPolyline points;
    if (!from.isValid() || !to.isValid())
        return points;
    const double totalMetres = from.distanceTo(to);
    const double stepMetres = std::max(1.0, maxStepKm) * 1000.0;
    // At most 2048 pieces: a half-circumference at 10 km steps.
    const int pieces = std::clamp(int(std::ceil(totalMetres / stepMetres)), 1, 2048);
    points.reserve(pieces + 1);
    points.append(from);
    // Walk from `from` each time (rather than chaining steps) so errors do not accumulate.
    const double azimuth = from.azimuthTo(to);
    for (int i = 1; i < pieces; ++i)
        points.append(from.atDistanceAndAzimuth(totalMetres * i / pieces, azimuth));
    points.append(to);
    return points;
}

QList<GeoPolyline> splitAtAntimeridian(const GeoPolyline &line)
{
    QList<GeoPolyline> parts;
    if (line.isEmpty())
        return parts;
    parts.append({line.first()});
    for (qsizetype i = 1; i < line.size(); ++i) {
        const QGeoCoordinate &a = line[i - 1];
        const QGeoCoordinate &b = line[i];
        const double delta = b.longitude() - a.longitude();
        if (std::abs(delta) > 180.0) {
            // Crossing: a is on one side (east if a.lon > 0), b on the other.
            const double edge = a.longitude() > 0 ? 180.0 : -180.0;
            const double bUnwrapped = b.longitude() + (edge > 0 ? 360.0 : -360.0);
            const double span = bUnwrapped - a.longitude();
            const double t = span == 0.0 ? 0.0 : (edge - a.longitude()) / span;
            const double latitude = a.latitude() + t * (b.latitude() - a.latitude());
            parts.last().append(QGeoCoordinate(latitude, edge));
            parts.append({QGeoCoordinate(latitude, -edge)});
        }
        parts.last().append(b);
    }
    // A part that is only the crossing point itself (the arc ends exactly at ±180) is dropped.
    parts.removeIf([](const GeoPolyline &part) { return part.size() < 2; });
    return parts;
}

QList<GeoPolyline> arc(const QGeoCoordinate &from, const QGeoCoordinate &to, double maxStepKm)
{
    return splitAtAntimeridian(interpolate(from, to, maxStepKm));
}

QList<QPointF> unwrapped(const GeoPolyline &line)
{
    QList<QPointF> points;
    points.reserve(line.size());
    double offset = 0.0;
    for (qsizetype i = 0; i < line.size(); ++i) {
        if (i > 0) {
            const double delta = line[i].longitude() - line[i - 1].longitude();
            if (delta > 180.0)
                offset -= 360.0;
            else if (delta < -180.0)
                offset += 360.0;
        }
        points.append(QPointF(line[i].longitude() + offset, line[i].latitude()));
    }
    return points;
}

} // namespace tracemap::GreatCircle
