#include "pannedlayer.h"

#include <QPainter>

#include <chrono>
#include <cmath>
#include <system_error>
#include <utility>

namespace tracemap {

namespace {

// Closer to a whole device pixel than the rasteriser's precision (1/64 px): the same pixels.
constexpr double WholePixel = 1.0 / 256.0;

bool whole(double value)
{
    return std::abs(value - std::round(value)) < WholePixel;
}

bool done(const std::future<QImage> &image)
{
    return image.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

} // namespace

bool PannedLayer::Pending::finished() const
{
    return result || done(image);
}

PannedLayer::~PannedLayer()
{
    waitForPrefetch(); // the worker owns what it reads; its image is ours to free
}

void PannedLayer::waitForPrefetch() const
{
    if (m_pending && !m_pending->finished())
        m_pending->image.wait();
}

void PannedLayer::clear()
{
    m_image = QImage();
    m_spare = QImage();
    m_layout = {};
    ++m_generation; // one still being drawn is stale: dropped once done, never shown
    if (m_pending && m_pending->finished())
        m_pending.reset();
}

PannedLayer::Layout PannedLayer::layout(const MapViewport &viewport, double scale, QPointF translation)
{
    Layout l;
    // The margin is whole device pixels, so the image's pixels fall on the view's, and whole view
    // pixels where the scale allows, so that what is rounded to view pixels (tile edges) rounds
    // the same in the layer as in the view.
    l.margin = MarginPixels / scale;
    for (int margin = int(std::ceil(l.margin)); margin <= int(std::ceil(l.margin)) + 64; ++margin) {
        if (whole(margin * scale)) {
            l.margin = margin;
            break;
        }
    }
    const QSizeF size = viewport.size() + QSizeF(2 * l.margin, 2 * l.margin);
    l.layer = MapViewport(viewport.centerLatitude(), viewport.centerLongitude(), viewport.zoom(), size);
    l.originWorld = l.layer.pixelToWorldPixel({0, 0});
    l.zoom = viewport.zoom();
    l.viewSize = viewport.size();
    l.scale = scale;
    // The view's own sub-pixel position on the device, so the image's pixels are the view's.
    l.phase = translation - QPointF(std::floor(translation.x()), std::floor(translation.y()));
    l.pixels = QSize(int(std::ceil(size.width() * scale - WholePixel)),
                     int(std::ceil(size.height() * scale - WholePixel)));
    return l;
}

void PannedLayer::drawInto(QImage &image, const Layout &layout, bool opaque, QPainter::RenderHints hints,
                           const Draw &draw)
{
    if (image.size() != layout.pixels) // reused across redraws: no reallocation while panning
        image = QImage(layout.pixels, opaque ? QImage::Format_RGB32 : QImage::Format_ARGB32_Premultiplied);
    // An opaque layer covers its image but, shifted by a sub-pixel phase, not its first row and
    // column entirely: those start black rather than as leftovers of the last drawing.
    if (!opaque)
        image.fill(Qt::transparent);
    else if (!layout.phase.isNull())
        image.fill(Qt::black);
    QPainter painter(&image);
    painter.setRenderHints(hints); // drawn as it would be straight onto the view's painter
    painter.translate(layout.phase);
    painter.scale(layout.scale, layout.scale);
    draw(painter, layout.layer);
}

QPointF PannedLayer::offsetIn(const Layout &layout, const MapViewport &viewport)
{
    // In the copy of the world nearest the middle of the margin.
    QPointF offset = viewport.pixelToWorldPixel({0, 0}) - layout.originWorld;
    const double world = viewport.worldSize();
    offset.rx() -= std::round((offset.x() - layout.margin) / world) * world;
    return offset;
}

bool PannedLayer::matches(const Layout &layout, const MapViewport &viewport, double scale) const
{
    return layout.zoom == viewport.zoom() && layout.viewSize == viewport.size() && layout.scale == scale;
}

void PannedLayer::paint(QPainter &painter, const MapViewport &viewport, bool changed, bool moving,
                        const Draw &draw, const Draw &background)
{
    // Which way the view moves (world copies folded), for drawing ahead of it.
    const QPointF viewWorld = viewport.pixelToWorldPixel({0, 0});
    QPointF motion = viewWorld - m_lastViewWorld.value_or(viewWorld);
    motion.rx() -= std::round(motion.x() / viewport.worldSize()) * viewport.worldSize();
    m_lastViewWorld = viewWorld;
    const QTransform device = painter.deviceTransform();
    const double scale = device.m11();
    if (device.type() > QTransform::TxScale || scale <= 0.0 || device.m22() != scale) {
        draw(painter, viewport); // rotated or sheared: nothing a blit could reproduce
        return;
    }
    if (changed)
        ++m_generation; // an image being drawn ahead shows what was: never adopted
    const bool same = !changed && !m_image.isNull() && matches(m_layout, viewport, scale);
    const QPointF translation(device.dx(), device.dy());
    if (!same)
        render(viewport, scale, translation, painter.renderHints(), draw);
    else
        adoptPrefetch(viewport, scale, false);
    // Where the view's top-left corner is in the image (view pixels), and the device pixel of
    // the image's top-left corner.
    QPointF offset = offsetIn(m_layout, viewport);
    const auto inside = [&] {
        return offset.x() >= 0 && offset.y() >= 0 && offset.x() <= 2 * m_layout.margin &&
               offset.y() <= 2 * m_layout.margin;
    };
    // Left the margin while the next image is being drawn: it is partly done, so wait for it.
    if (same && moving && !inside() && adoptPrefetch(viewport, scale, true))
        offset = offsetIn(m_layout, viewport);
    const auto at = [&] {
        return translation - offset * scale - m_layout.phase;
    };
    if (same) {
        const bool exact = whole(at().x()) && whole(at().y());
        const bool centred = std::abs(offset.x() - m_layout.margin) <= m_layout.margin / 2 &&
                             std::abs(offset.y() - m_layout.margin) <= m_layout.margin / 2;
        if (!inside() || (!moving && !(exact && centred))) {
            render(viewport, scale, translation, painter.renderHints(), draw);
            offset = offsetIn(m_layout, viewport);
        } else if (moving && !m_pending && background) {
            // Started early (an eighth of the margin from the centre) and centred half a margin
            // further along the drag, so the worker has most of the margin's width to finish
            // before the view leaves this image, even when frames follow back to back.
            const QPointF drift = offset - QPointF(m_layout.margin, m_layout.margin);
            const double start = m_layout.margin / 8;
            const double lead = std::round(m_layout.margin / 2 * scale) / scale; // whole device pixels
            // Along an axis where the view has gone past the centre the way it is moving.
            const auto along = [&](double d, double m) {
                return std::abs(d) > start && d * m > 0.0;
            };
            const QPointF ahead(along(drift.x(), motion.x()) ? std::copysign(lead, drift.x()) : 0.0,
                                along(drift.y(), motion.y()) ? std::copysign(lead, drift.y()) : 0.0);
            if (!ahead.isNull()) {
                // Laid out from this image's centre by whole device pixels, so that the view
                // lands on its pixels wherever it lands on this image's.
                const QPointF snapped(std::round(drift.x() * scale) / scale,
                                      std::round(drift.y() * scale) / scale);
                const GeoPoint centre = WebMercator::worldPixelToCoordinate(
                    m_layout.layer.centerWorldPixel() + snapped + ahead, viewport.zoom());
                startPrefetch(
                    MapViewport(centre.latitude, centre.longitude, viewport.zoom(), viewport.size()), scale,
                    translation, painter.renderHints(), background);
            }
        }
    }
    painter.save();
    painter.resetTransform();
    if (m_opaque) // a copy, not a blend: every pixel of the view is the layer's
        painter.setCompositionMode(QPainter::CompositionMode_Source);
    painter.drawImage(QPoint(int(std::round(at().x())), int(std::round(at().y()))), m_image);
    painter.restore();
}

void PannedLayer::render(const MapViewport &viewport, double scale, QPointF translation,
                         QPainter::RenderHints hints, const Draw &draw)
{
    m_layout = layout(viewport, scale, translation);
    drawInto(m_image, m_layout, m_opaque, hints, draw);
    ++m_renders;
}

void PannedLayer::startPrefetch(const MapViewport &viewport, double scale, QPointF translation,
                                QPainter::RenderHints hints, const Draw &background)
{
    Pending pending;
    pending.layout = layout(viewport, scale, translation);
    pending.generation = m_generation;
    try {
        pending.image =
            std::async(std::launch::async, [image = std::exchange(m_spare, QImage()), layout = pending.layout,
                                            opaque = m_opaque, hints, background]() mutable {
                drawInto(image, layout, opaque, hints, background);
                return image;
            });
    } catch (const std::system_error &) {
        return; // no thread to spare: the layer is drawn here when the view leaves the margin
    }
    m_pending = std::move(pending);
    ++m_prefetches;
}

bool PannedLayer::adoptPrefetch(const MapViewport &viewport, double scale, bool wait)
{
    if (!m_pending)
        return false;
    const bool stale = m_pending->generation != m_generation || !matches(m_pending->layout, viewport, scale);
    if (wait && !stale)
        waitForPrefetch();
    if (!m_pending->finished())
        return false;
    if (!m_pending->result)
        m_pending->result = m_pending->image.get();
    if (stale) {
        m_spare = std::move(*m_pending->result);
        m_pending.reset();
        return false;
    }
    // Only once it puts the view nearer the middle of the margin: it was drawn ahead of the
    // drag, so it is kept until the view gets there (or leaves this image: `wait`).
    const auto fromCentre = [&](const Layout &l) {
        const QPointF offset = offsetIn(l, viewport);
        return std::max(std::abs(offset.x() - l.margin), std::abs(offset.y() - l.margin));
    };
    if (!wait && fromCentre(m_pending->layout) > fromCentre(m_layout))
        return false;
    m_spare = std::exchange(m_image, std::move(*m_pending->result));
    m_layout = m_pending->layout;
    m_pending.reset();
    return true;
}

} // namespace tracemap
