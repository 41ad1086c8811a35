#pragma once
// RouteLayer: the further routes of the live map (MapScene::routes; the main route stays live)
// drawn once into an image with a margin around the view, and while the view only pans, that
// image is blitted moved instead of drawing ~100 routes again.
// Contract: the layer is drawn again when what it shows changes (the routes, their visibility,
// the convergence marks), when the zoom, the view's size or the device scale change, and when
// the view leaves the margin. A blit is exact when the view moved by whole device pixels (a mouse
// drag); otherwise, while the user drags (`moving`), it goes to the nearest whole pixel and, once
// the view is still, the layer is drawn again exactly, and centred on the view when the view
// went far from its centre. Pure: no timers; the caller says whether the view is moving.
// One thread at a time (the live item's render thread).

#include "maprenderer.h"

#include <QImage>
#include <QList>
#include <QPointF>
#include <QSet>
#include <QSizeF>
#include <QString>

#include <functional>

class QPainter;

namespace tracemap {

class RouteLayer
{
public:
    // What the layer shows besides the view: drawn again when it changes.
    struct Content
    {
        QList<MapRoute> routes;
        QSet<QString> converged; // empty when convergence is not marked
        friend bool operator==(const Content &a, const Content &b);
    };
    // Draws the routes of the layer's own viewport (view pixels) onto a painter set up for it.
    using Draw = std::function<void(QPainter &painter, const MapViewport &layerViewport)>;

    // Margin drawn around the view on every side, in device pixels.
    static constexpr int MarginPixels = 256;

    // Paints the layer for `viewport` onto `painter` (a scale and translation from view pixels to
    // device pixels; any other transform draws straight through `draw`, uncached).
    void paint(QPainter &painter, const MapViewport &viewport, const Content &content, bool moving,
               const Draw &draw);
    // How many times the layer was drawn (tests and benchmarks).
    int renders() const { return m_renders; }
    void clear();

private:
    void render(const MapViewport &viewport, double scale, QPointF translation, const Draw &draw);

    QImage m_image;
    Content m_content;
    double m_zoom = -1.0;
    QSizeF m_viewSize;
    double m_scale = 0.0;
    double m_margin = 0.0; // view pixels
    QPointF m_originWorld; // world pixel of the image's top-left corner
    QPointF m_phase;       // device sub-pixel offset the image was drawn with
    int m_renders = 0;
};

} // namespace tracemap
