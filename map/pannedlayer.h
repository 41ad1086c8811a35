#pragma once
// PannedLayer: one layer of the live map (the basemap under everything, the further routes)
// drawn once into an image with a margin around the view, so that while the view only pans a
// frame is one blit of that image, moved, instead of drawing the layer again.
// Contract: the caller says when what the layer shows besides the view changed (`changed`); the
// layer is also drawn again when the zoom, the view's size or the device scale change, and when
// the view leaves the margin. A blit is exact when the view moved by whole device pixels (a mouse
// drag); otherwise, while the user drags (`moving`), it goes to the nearest whole pixel and, once
// the view is still, the layer is drawn again exactly, and centred on the view when the view
// went far from its centre. No timers. Painted from one thread at a time (the live item's render
// thread).
// Drawing ahead (`background`, optional): while the user drags and the view has gone more than
// an eighth of the margin past the image's centre the way it moves, the next image, centred half
// a margin further along the drag (whole device pixels from this one), is drawn on a worker
// thread while the current one is still blitted; a later paint adopts it once it is done and
// nearer the view's centre, if it still matches (zoom, view size, device scale, no `changed` or
// clear() since), and when
// the view leaves the margin while it is still being drawn, the paint waits for it instead of
// drawing a second one. Both paths lay the image out alike (layout()), so they give the same
// pixels. At most one worker runs; clear() and a stale worker never block (the worker owns what
// it reads and is discarded once done); the destructor waits for it.

#include "webmercator.h"

#include <QImage>
#include <QPainter>
#include <QPointF>
#include <QSizeF>

#include <functional>
#include <future>
#include <optional>

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
    ~PannedLayer();
    PannedLayer(const PannedLayer &) = delete;
    PannedLayer &operator=(const PannedLayer &) = delete;

    // Paints the layer for `viewport` onto `painter` (a scale and translation from view pixels to
    // device pixels; any other transform draws straight through `draw`, uncached). `draw` is
    // called on this thread, now; `background`, when given, draws the same on a worker thread,
    // later, so it must own everything it reads (copies) and draw what `draw` would have.
    void paint(QPainter &painter, const MapViewport &viewport, bool changed, bool moving, const Draw &draw,
               const Draw &background = {});
    // How many times the layer was drawn on the painting thread, and ahead on a worker (tests
    // and benchmarks).
    int renders() const { return m_renders; }
    int prefetches() const { return m_prefetches; }
    // Tests: returns once the worker drawing ahead, if any, is done (a later paint adopts it).
    void waitForPrefetch() const;
    // Forgets the image (its memory too) and the one being drawn ahead.
    void clear();

private:
    // Where an image is drawn for a view: its margin (view pixels), its own viewport, the world
    // pixel of its top-left corner, the device sub-pixel phase it is drawn with, its size in
    // device pixels, and what it must still match to be blitted.
    struct Layout
    {
        double margin = 0.0;
        MapViewport layer;
        QPointF originWorld;
        QPointF phase;
        QSize pixels;
        double zoom = -1.0;
        QSizeF viewSize;
        double scale = 0.0;
    };
    struct Pending
    {
        std::future<QImage> image;
        std::optional<QImage> result; // taken from `image` once done, kept until it is nearer
        Layout layout;
        quint64 generation = 0;
        // Done drawing (`image` may no longer be asked once `result` holds what it gave).
        bool finished() const;
    };

    static Layout layout(const MapViewport &viewport, double scale, QPointF translation);
    // Draws the layer for `layout` into `image` (reused when it has the size).
    static void drawInto(QImage &image, const Layout &layout, bool opaque, QPainter::RenderHints hints,
                         const Draw &draw);
    // Where the view's top-left corner is in an image laid out as `layout` (view pixels).
    static QPointF offsetIn(const Layout &layout, const MapViewport &viewport);
    bool matches(const Layout &layout, const MapViewport &viewport, double scale) const;
    void render(const MapViewport &viewport, double scale, QPointF translation, QPainter::RenderHints hints,
                const Draw &draw);
    void startPrefetch(const MapViewport &viewport, double scale, QPointF translation,
                       QPainter::RenderHints hints, const Draw &background);
    // Takes the image drawn ahead when it is done (or, with `wait`, once it is) and still
    // matches; a stale one is dropped once done. True when one was adopted.
    bool adoptPrefetch(const MapViewport &viewport, double scale, bool wait);

    bool m_opaque = false;
    QImage m_image;
    QImage m_spare; // the last image replaced by one drawn ahead: the next one is drawn into it
    Layout m_layout;
    quint64 m_generation = 0; // bumped on every `changed` and clear()
    std::optional<Pending> m_pending;
    std::optional<QPointF> m_lastViewWorld; // the view's top-left world pixel at the last paint
    int m_renders = 0;
    int m_prefetches = 0;
};

} // namespace tracemap
