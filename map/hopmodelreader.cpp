#include "hopmodelreader.h"

#include <cmath>

namespace tracemap {

void HopModelReader::setModel(const QAbstractItemModel *model)
{
    m_model = model;
    m_ttl = m_latitude = m_longitude = m_hasLocation = m_accuracyKm = m_avgRttMs = m_placeName = m_address =
        m_lossPct = m_highlighted = -1;
    if (!model)
        return;
    const QHash<int, QByteArray> names = model->roleNames();
    const QList<std::pair<QByteArray, int *>> wanted{{"ttl", &m_ttl},
                                                     {"latitude", &m_latitude},
                                                     {"longitude", &m_longitude},
                                                     {"hasLocation", &m_hasLocation},
                                                     {"accuracyKm", &m_accuracyKm},
                                                     {"avgRttMs", &m_avgRttMs},
                                                     {"placeName", &m_placeName},
                                                     {"address", &m_address},
                                                     {"lossPct", &m_lossPct},
                                                     {"highlighted", &m_highlighted}};
    for (auto it = names.cbegin(); it != names.cend(); ++it) {
        for (const auto &[name, role] : wanted) {
            if (it.value() == name)
                *role = it.key();
        }
    }
}

MapHop HopModelReader::readRow(int row) const
{
    MapHop hop;
    hop.row = row;
    if (!m_model)
        return hop;
    const QModelIndex index = m_model->index(row, 0);
    auto number = [&](int role, double fallback) {
        if (role < 0)
            return fallback;
        bool ok = false;
        const double value = index.data(role).toDouble(&ok);
        return ok && std::isfinite(value) ? value : fallback;
    };
    hop.ttl = m_ttl >= 0 ? index.data(m_ttl).toInt() : row + 1;
    hop.latitude = number(m_latitude, qQNaN());
    hop.longitude = number(m_longitude, qQNaN());
    hop.hasLocation = m_hasLocation >= 0 ? index.data(m_hasLocation).toBool()
                                         : std::isfinite(hop.latitude) && std::isfinite(hop.longitude);
    hop.accuracyKm = number(m_accuracyKm, -1.0);
    hop.avgRttMs = number(m_avgRttMs, -1.0);
    // The label: the place when placed, else the address (an unplaced hop still says who it is).
    const QString place = m_placeName >= 0 ? index.data(m_placeName).toString() : QString();
    const QString address = m_address >= 0 ? index.data(m_address).toString() : QString();
    hop.label = hop.hasLocation && !place.isEmpty() ? place : address;
    hop.address = address;
    hop.lossPct = number(m_lossPct, -1.0);
    hop.highlighted = m_highlighted >= 0 && index.data(m_highlighted).toBool();
    return hop;
}

QList<MapHop> HopModelReader::readAll() const
{
    QList<MapHop> hops;
    const int rows = m_model ? m_model->rowCount() : 0;
    hops.reserve(rows);
    for (int row = 0; row < rows; ++row)
        hops.append(readRow(row));
    return hops;
}

} // namespace tracemap
