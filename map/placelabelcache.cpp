#include "placelabelcache.h"

namespace tracemap {

QList<PlaceLabel> PlaceLabelCache::labels(const MapViewport &viewport, const QList<BasemapPlace> &places,
                                          const QList<QRectF> &obstacles)
{
    const bool same = m_valid && m_latitude == viewport.centerLatitude() &&
                      m_longitude == viewport.centerLongitude() && m_zoom == viewport.zoom() &&
                      m_size == viewport.size() && m_places == places.constData() &&
                      m_placeCount == places.size() && m_obstacles == obstacles;
    if (same)
        return m_labels;
    m_labels = PlaceLabels::place(viewport, places, obstacles);
    m_latitude = viewport.centerLatitude();
    m_longitude = viewport.centerLongitude();
    m_zoom = viewport.zoom();
    m_size = viewport.size();
    m_places = places.constData();
    m_placeCount = places.size();
    m_obstacles = obstacles;
    m_valid = true;
    ++m_layouts;
    return m_labels;
}

} // namespace tracemap
