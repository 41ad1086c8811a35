#pragma once
// RouteLayer: the further routes of the live map (MapScene::routes; the main route stays live)
// kept as a PannedLayer (see pannedlayer.h), so that while the view only pans, ~100 routes are
// one blit instead of being drawn again; while dragged, the next image is drawn ahead on a
// worker thread, so the frame that leaves the margin is a blit too.
// Contract: the layer is drawn again when what it shows changes (the routes, their visibility,
// the convergence marks), and as a PannedLayer when the zoom, the view's size or the device scale
// change or the view leaves the margin. Painted from one thread at a time (the live item's render
// thread); `Draw` runs there and on the worker, on a copy of the content.

#include "maprenderer.h"
#include "pannedlayer.h"

#include <QList>
#include <QSet>
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
    // Draws `content` for the layer's own viewport. Called on the painting thread and on a
    // worker at once, so it reads nothing but its arguments (e.g. a static function).
    using Draw =
        std::function<void(QPainter &painter, const MapViewport &layerViewport, const Content &content)>;

    static constexpr int MarginPixels = PannedLayer::MarginPixels;

    // Paints the layer for `viewport` onto `painter` (see PannedLayer::paint).
    void paint(QPainter &painter, const MapViewport &viewport, const Content &content, bool moving,
               const Draw &draw);
    // How many times the layer was drawn, and drawn ahead (tests and benchmarks).
    int renders() const { return m_layer.renders(); }
    int prefetches() const { return m_layer.prefetches(); }
    // Tests: returns once the image being drawn ahead, if any, is done.
    void waitForPrefetch() const { m_layer.waitForPrefetch(); }
    void clear();

private:
    PannedLayer m_layer;
    Content m_content;
    bool m_hasContent = false;
};

} // namespace tracemap
