#pragma once
// PlaceLabelCache: the last placement of the basemap's place labels (PlaceLabels::place) kept
// with what it was computed from, so that a repaint whose inputs are unchanged (a watch round
// that recoloured a marker, a hover, the legend toggled elsewhere) reuses it instead of laying
// out a few hundred labels again.
// Contract: `labels` returns exactly what PlaceLabels::place returns for the same view, places
// and obstacles; it lays them out again when the view (centre, zoom, size), the places list or
// any obstacle differs from the last call. Pure, not thread-safe: the caller serialises.

#include "placelabels.h"

#include <QList>
#include <QRectF>

namespace tracemap {

class PlaceLabelCache
{
public:
    QList<PlaceLabel> labels(const MapViewport &viewport, const QList<BasemapPlace> &places,
                             const QList<QRectF> &obstacles);
    // How many times the labels were laid out (tests and benchmarks).
    int layouts() const { return m_layouts; }

private:
    bool m_valid = false;
    double m_latitude = 0.0;
    double m_longitude = 0.0;
    double m_zoom = 0.0;
    QSizeF m_size;
    const BasemapPlace *m_places = nullptr; // identity of the (shared, immutable) places list
    qsizetype m_placeCount = 0;
    QList<QRectF> m_obstacles;
    QList<PlaceLabel> m_labels;
    int m_layouts = 0;
};

} // namespace tracemap
