#include "greatcircle.h"

#include "geodistance.h"

namespace tracemap::GreatCircle {

double distanceKm(const QGeoCoordinate &from, const QGeoCoordinate &to)
{
    return greatCircleKm(from, to); // the one distance of base/
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
