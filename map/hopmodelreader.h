#pragma once
// Reads the rows of any list model into MapHops by role name (ttl, latitude, longitude,
// hasLocation, accuracyKm, avgRttMs, placeName, address, and the watch and comparison views'
// lossPct and highlighted); roles a model lacks get defaults.
// Shared by MapView (live, row by row) and the scripted export (whole model at once).

#include "maprenderer.h"

#include <QAbstractItemModel>
#include <QList>

namespace tracemap {

class HopModelReader
{
public:
    // Looks the roles up again (call after a reset; the model may be null).
    void setModel(const QAbstractItemModel *model);
    MapHop readRow(int row) const;
    QList<MapHop> readAll() const;

private:
    const QAbstractItemModel *m_model = nullptr;
    int m_ttl = -1, m_latitude = -1, m_longitude = -1, m_hasLocation = -1, m_accuracyKm = -1, m_avgRttMs = -1,
        m_placeName = -1, m_address = -1, m_lossPct = -1, m_highlighted = -1;
};

} // namespace tracemap
