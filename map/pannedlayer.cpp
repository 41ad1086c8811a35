#include "pannedlayer.h"

#include <QPainter>

#include <cmath>

namespace tracemap {

namespace {

// Closer to a whole device pixel than the rasteriser's precision (1/64 px): the same pixels.
constexpr double WholePixel = 1.0 / 256.0;

bool whole(double value)
{
    return std::abs(value - std::round(value)) < WholePixel;
}

} // namespace

void PannedLayer::clear()
{
    m_image = QImage();
    m_zoom = -1.0;
}

void PannedLayer::paint(QPainter &painter, const MapViewport &viewport, bool changed, bool moving,
                        const Draw &draw)
{
    const QTransform device = painter.deviceTransform();
    const double scale = device.m11();
    if (device.type() > QTransform::TxScale || scale <= 0.0 || device.m22() != scale) {
        draw(painter, viewport); // rotated or sheared: nothing a blit could reproduce
        return;
    }
    const bool same = !changed && !m_image.isNull() && m_zoom == viewport.zoom() &&
                      m_viewSize == viewport.size() && m_scale == scale;
    const QPointF translation(device.dx(), device.dy());
    if (!same)
        render(viewport, scale, translation, painter.renderHints(), draw);
    // Where the view's top-left corner is in the image (view pixels), in the copy of the world
    // nearest the middle of the margin, and the device pixel of the image's top-left corner.
    const auto place = [&](QPointF &at) {
        QPointF offset = viewport.pixelToWorldPixel({0, 0}) - m_originWorld;
        const double world = viewport.worldSize();
        offset.rx() -= std::round((offset.x() - m_margin) / world) * world;
        at = translation - offset * scale - m_phase;
        return offset;
    };
    QPointF at;
    const QPointF offset = place(at);
    if (same) {
        const bool inside =
            offset.x() >= 0 && offset.y() >= 0 && offset.x() <= 2 * m_margin && offset.y() <= 2 * m_margin;
        const bool exact = whole(at.x()) && whole(at.y());
        const bool centred = std::abs(offset.x() - m_margin) <= m_margin / 2 &&
                             std::abs(offset.y() - m_margin) <= m_margin / 2;
        if (!inside || (!moving && !(exact && centred))) {
            render(viewport, scale, translation, painter.renderHints(), draw);
            place(at);
        }
    }
    painter.save();
    painter.resetTransform();
    if (m_opaque) // a copy, not a blend: every pixel of the view is the layer's
        painter.setCompositionMode(QPainter::CompositionMode_Source);
    painter.drawImage(QPoint(int(std::round(at.x())), int(std::round(at.y()))), m_image);
    painter.restore();
}

void PannedLayer::render(const MapViewport &viewport, double scale, QPointF translation,
                         QPainter::RenderHints hints, const Draw &draw)
{
    // The margin is whole device pixels, so the image's pixels fall on the view's, and whole view
    // pixels where the scale allows, so that what is rounded to view pixels (tile edges) rounds
    // the same in the layer as in the view.
    m_margin = MarginPixels / scale;
    for (int margin = int(std::ceil(m_margin)); margin <= int(std::ceil(m_margin)) + 64; ++margin) {
        if (whole(margin * scale)) {
            m_margin = margin;
            break;
        }
    }
    const QSizeF size = viewport.size() + QSizeF(2 * m_margin, 2 * m_margin);
    const MapViewport layer(viewport.centerLatitude(), viewport.centerLongitude(), viewport.zoom(), size);
    m_originWorld = layer.pixelToWorldPixel({0, 0});
    m_zoom = viewport.zoom();
    m_viewSize = viewport.size();
    m_scale = scale;
    // The view's own sub-pixel position on the device, so the image's pixels are the view's.
    m_phase = translation - QPointF(std::floor(translation.x()), std::floor(translation.y()));
    const QSize pixels(int(std::ceil(size.width() * scale - WholePixel)),
                       int(std::ceil(size.height() * scale - WholePixel)));
    if (m_image.size() != pixels) // reused across redraws: no reallocation while panning
        m_image = QImage(pixels, m_opaque ? QImage::Format_RGB32 : QImage::Format_ARGB32_Premultiplied);
    // An opaque layer covers its image but, shifted by a sub-pixel phase, not its first row and
    // column entirely: those start black rather than as leftovers of the last drawing.
    if (!m_opaque)
        m_image.fill(Qt::transparent);
    else if (!m_phase.isNull())
        m_image.fill(Qt::black);
    QPainter painter(&m_image);
    painter.setRenderHints(hints); // drawn as it would be straight onto the view's painter
    painter.translate(m_phase);
    painter.scale(scale, scale);
    draw(painter, layer);
    ++m_renders;
}

} // namespace tracemap
