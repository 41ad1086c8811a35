#include "geotypes.h"

#include "metatypes.h"

namespace tracemap {

QString geoStatusName(GeoStatus status)
{
    switch (status) {
    case GeoStatus::Pending:
        return QStringLiteral("pending");
    case GeoStatus::Located:
        return QStringLiteral("located");
    case GeoStatus::Unlocatable:
        return QStringLiteral("unlocatable");
    case GeoStatus::Failed:
        return QStringLiteral("failed");
    case GeoStatus::TimedOut:
        return QStringLiteral("timed_out");
    }
    return QStringLiteral("failed");
}

QString lookupStatusName(LookupStatus status)
{
    switch (status) {
    case LookupStatus::Pending:
        return QStringLiteral("pending");
    case LookupStatus::Resolved:
        return QStringLiteral("resolved");
    case LookupStatus::NotFound:
        return QStringLiteral("not_found");
    case LookupStatus::Failed:
        return QStringLiteral("failed");
    case LookupStatus::TimedOut:
        return QStringLiteral("timed_out");
    }
    return QStringLiteral("failed");
}

void registerGeoTypes()
{
    registerMetaTypes<GeoPlace, GeoAnswer, AsInfo, GeoQuery, GeoResult>();
}

} // namespace tracemap
