#pragma once
// PannedLayer: one layer of the live map (the basemap under everything, the further routes)
// drawn once into an image with a margin around the view, so that while the view only pans a
// frame is one blit of that image, moved, instead of drawing the layer again.
// Contract: the caller says when what the layer shows besides the view changed (`changed`); the
// layer is also drawn again when the zoom, the view's size or the device scale change, and when
// the view leaves the margin. A blit is exact when the view moved by whole device pixels (a mouse
// drag); otherwise, while the user drags (`moving`), it goes to the nearest whole pixel and, once
// the view is still, the layer is drawn again exactly, and centred on the view when the view
// went far from its centre. Pure: no timers. One thread at a time (the live item's render thread).

#include "webmercator.h"

#include <QImage>
#include <QPainter>
#include <QPointF>
#include <QSizeF>

#include <functional>

namespace tracemap {

class PannedLayer
{
public:
    // Draws the layer's own viewport (view pixels) onto a painter set up for it.
    using Draw = std::function<void(QPainter &painter, const MapViewport &layerViewport)>;

    // Margin drawn around the view on every side, in device pixels (at least).
    static constexpr int MarginPixels = 256;

    // `opaque`: the layer covers every pixel (the basemap); it is kept without alpha and copied,
    // not blended, onto the painter. Otherwise it starts transparent and is drawn over.
    explicit PannedLayer(bool opaque = false) : m_opaque(opaque) {}

    // Paints the layer for `viewport` onto `painter` (a scale and translation from view pixels to
    // device pixels; any other transform draws straight through `draw`, uncached).
    void paint(QPainter &painter, const MapViewport &viewport, bool changed, bool moving, const Draw &draw);
    // How many times the layer was drawn (tests and benchmarks).
    int renders() const { return m_renders; }
    // Forgets the image (its memory too).
    void clear();

private:
    void render(const MapViewport &viewport, double scale, QPointF translation, QPainter::RenderHints hints,
                const Draw &draw);

    bool m_opaque = false;
    QImage m_image;
    double m_zoom = -1.0;
    QSizeF m_viewSize;
    double m_scale = 0.0;
    double m_margin = 0.0; // view pixels
    QPointF m_originWorld; // world pixel of the image's top-left corner
    QPointF m_phase;       // device sub-pixel offset the image was drawn with
    int m_renders = 0;
};

} // namespace tracemap
