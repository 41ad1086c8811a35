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
    m_layer.paint(painter, viewport, changed, moving, draw);
}

} // namespace tracemap
