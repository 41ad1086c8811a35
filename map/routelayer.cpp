#include "routelayer.h"

#include "routeset.h"

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

bool operator==(const RouteLayer::Content &a, const RouteLayer::Content &b)
{
    return a.routes == b.routes && a.converged == b.converged;
}

void RouteLayer::clear()
{
    m_image = QImage();
    m_content = {};
    m_zoom = -1.0;
}

void RouteLayer::paint(QPainter &painter, const MapViewport &viewport, const Content &content, bool moving,
                       const Draw &draw)
{
    const QTransform device = painter.deviceTransform();
    const double scale = device.m11();
    if (device.type() > QTransform::TxScale || scale <= 0.0 || device.m22() != scale) {
        draw(painter, viewport); // rotated or sheared: nothing a blit could reproduce
        return;
    }
    if (content.routes.isEmpty()) {
        clear();
        return;
    }
    const bool same = !m_image.isNull() && m_zoom == viewport.zoom() && m_viewSize == viewport.size() &&
                      m_scale == scale && m_content == content;
    if (!same)
        m_content = content;
    const QPointF translation(device.dx(), device.dy());
    bool drawn = false;
    if (!same) {
        render(viewport, scale, translation, draw);
        drawn = true;
    }
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
    if (!drawn) {
        const bool inside =
            offset.x() >= 0 && offset.y() >= 0 && offset.x() <= 2 * m_margin && offset.y() <= 2 * m_margin;
        const bool exact = whole(at.x()) && whole(at.y());
        const bool centred = std::abs(offset.x() - m_margin) <= m_margin / 2 &&
                             std::abs(offset.y() - m_margin) <= m_margin / 2;
        if (!inside || (!moving && !(exact && centred))) {
            render(viewport, scale, translation, draw);
            place(at);
        }
    }
    painter.save();
    painter.resetTransform();
    painter.drawImage(QPoint(int(std::round(at.x())), int(std::round(at.y()))), m_image);
    painter.restore();
}

void RouteLayer::render(const MapViewport &viewport, double scale, QPointF translation, const Draw &draw)
{
    // The margin is whole device pixels, so the image's pixels fall on the view's.
    m_margin = MarginPixels / scale;
    const QSizeF size = viewport.size() + QSizeF(2 * m_margin, 2 * m_margin);
    const MapViewport layer(viewport.centerLatitude(), viewport.centerLongitude(), viewport.zoom(), size);
    m_originWorld = layer.pixelToWorldPixel({0, 0});
    m_zoom = viewport.zoom();
    m_viewSize = viewport.size();
    m_scale = scale;
    // The view's own sub-pixel position on the device, so the image's pixels are the view's.
    m_phase = translation - QPointF(std::floor(translation.x()), std::floor(translation.y()));
    m_image = QImage(QSize(int(std::ceil(size.width() * scale - WholePixel)),
                           int(std::ceil(size.height() * scale - WholePixel))),
                     QImage::Format_ARGB32_Premultiplied);
    m_image.fill(Qt::transparent);
    QPainter painter(&m_image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.translate(m_phase);
    painter.scale(scale, scale);
    draw(painter, layer);
    ++m_renders;
}

} // namespace tracemap
