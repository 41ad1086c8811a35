#include "routelayer.h"

#include "routeset.h"

namespace tracemap {

bool operator==(const RouteLayer::Content &a, const RouteLayer::Content &b)
{
    return a.routes == b.routes && a.converged == b.converged;
}

void RouteLayer::clear()
{
    m_layer.clear();
    m_content = {};
    m_hasContent = false;
}

void RouteLayer::paint(QPainter &painter, const MapViewport &viewport, const Content &content, bool moving,
                       const Draw &draw)
{
    if (content.routes.isEmpty()) {
        clear();
        return;
    }
    const bool changed = !m_hasContent || !(m_content == content);
    if (changed) {
        m_content = content;
        m_hasContent = true;
    }
    // The worker's copy: implicitly shared, so a copy costs nothing, and this thread's later
    // changes to its own detach from it.
    m_layer.paint(
        painter, viewport, changed, moving,
        [&](QPainter &layer, const MapViewport &layerViewport) { draw(layer, layerViewport, m_content); },
        [draw, content = m_content](QPainter &layer, const MapViewport &layerViewport) {
            draw(layer, layerViewport, content);
        });
}

} // namespace tracemap
