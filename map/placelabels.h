#pragma once
// Pure placement of the basemap's populated-place labels (a small dot and the name) in a view.
// Contract: only places offered at the view's zoom (minZoom <= zoom) are candidates; they are
// taken greedily by rank, then population (largest first), and each tries a few positions around
// its dot (right, left, above, below, then the corners), preferring one that covers no dot of a place still
// to come, else the one covering the least important. A label is skipped when its dot or text would leave the
// view or touch an obstacle (hop markers and their labels, legend, scale bar, attribution) or a
// label already placed, so labels never collide and the route always wins. Every copy of the
// world the view shows is labelled, so it works across the antimeridian. No painting here.

#include "basemap.h"
#include "webmercator.h"

#include <QFont>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QString>

namespace tracemap {

struct PlaceLabel
{
    qsizetype place = -1; // index into the places given
    QString text;
    QPointF dot;   // view pixels
    QRectF dotBox; // the dot's bounds, view pixels
    QRectF box;    // the text's bounds (with room for its halo), view pixels
};

namespace PlaceLabels {

constexpr double DotRadius = 2.5;
// Gap between the dot and its text, and the halo's room around the text.
constexpr double Gap = 3.0;
constexpr double Halo = 1.5;

// The font the labels are measured and drawn in.
QFont font();

// Labels for `places` in `viewport`, in placement order (most important first).
QList<PlaceLabel> place(const MapViewport &viewport, const QList<BasemapPlace> &places,
                        const QList<QRectF> &obstacles, const QFont &font = PlaceLabels::font());

} // namespace PlaceLabels

} // namespace tracemap
