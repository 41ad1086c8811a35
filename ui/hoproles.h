#pragma once
// The roles every hop model shares with the map (map/hopmodelreader.h reads them by name): one
// numbering and one set of names for the trace's HopListModel and the watch's WatchHopModel, so
// the same map item reads either model. Each model pulls these into its scope (`using enum
// HopRoles::SharedHopRole`) and numbers its own roles from FirstOwnHopRole on.

#include <QByteArray>
#include <QHash>
#include <QObject>

namespace tracemap {

// A namespace of its own, so the role names stay out of tracemap's and the enum is a Q_ENUM.
namespace HopRoles {
Q_NAMESPACE
enum SharedHopRole {
    TtlRole = Qt::UserRole + 1,
    LatitudeRole,
    LongitudeRole,
    HasLocationRole,
    AccuracyKmRole,
    AvgRttMsRole,
    AddressRole,
    PlaceNameRole,
    HighlightedRole, // the hop differs in a comparison (the map rings it)
    FirstOwnHopRole,
};
Q_ENUM_NS(SharedHopRole)
} // namespace HopRoles

// The shared roles' names: the half of a model's roleNames() the map reads.
inline QHash<int, QByteArray> sharedHopRoleNames()
{
    using enum HopRoles::SharedHopRole;
    return {{TtlRole, "ttl"},
            {LatitudeRole, "latitude"},
            {LongitudeRole, "longitude"},
            {HasLocationRole, "hasLocation"},
            {AccuracyKmRole, "accuracyKm"},
            {AvgRttMsRole, "avgRttMs"},
            {AddressRole, "address"},
            {PlaceNameRole, "placeName"},
            {HighlightedRole, "highlighted"}};
}

} // namespace tracemap
