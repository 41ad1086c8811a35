#include "mapinteraction.h"

#include "mapview.h"

#include <QHoverEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QTouchEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace tracemap {

namespace {
constexpr double DragThreshold = 4.0;
} // namespace

void MapInteraction::mousePress(QMouseEvent *event)
{
    m_view.forceActiveFocus(Qt::MouseFocusReason);
    m_pressed = true;
    m_dragging = false;
    m_pressPosition = event->position();
    m_pressCenterWorld = m_view.viewport().centerWorldPixel();
    event->accept();
}

void MapInteraction::mouseMove(QMouseEvent *event)
{
    if (!m_pressed)
        return;
    const QPointF delta = event->position() - m_pressPosition;
    if (!m_dragging && delta.manhattanLength() < DragThreshold)
        return;
    if (!m_dragging) {
        m_dragging = true;
        m_view.setKeepMouseGrab(true);
        m_view.setHovered(-1, {});
    }
    const GeoPoint center = WebMercator::worldPixelToCoordinate(m_pressCenterWorld - delta, m_view.zoom());
    m_view.userMoved();
    m_view.setCenter(center.latitude, center.longitude);
    event->accept();
}

void MapInteraction::mouseRelease(QMouseEvent *event)
{
    const bool click = m_pressed && !m_dragging;
    m_pressed = false;
    m_dragging = false;
    m_view.setKeepMouseGrab(false);
    if (click) {
        const int row = m_view.markerAt(event->position());
        if (row >= 0) {
            m_view.setCurrentIndex(row);
            emit m_view.hopClicked(row);
        }
    }
    event->accept();
}

void MapInteraction::wheel(QWheelEvent *event)
{
    // A notch (120) zooms by half a level; trackpads send smaller deltas for smooth zooming.
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0) {
        event->ignore();
        return;
    }
    m_view.userMoved();
    m_view.zoomAround(event->position(), m_view.zoom() + steps * 0.5);
    event->accept();
}

bool MapInteraction::key(QKeyEvent *event)
{
    const QPointF center(m_view.width() / 2.0, m_view.height() / 2.0);
    const double step = std::max(40.0, std::min(m_view.width(), m_view.height()) / 4.0);
    QPointF pan;
    double zoomBy = 0.0;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy = 1.0;
        break;
    case Qt::Key_Minus:
        zoomBy = -1.0;
        break;
    case Qt::Key_Left:
        pan = {-step, 0};
        break;
    case Qt::Key_Right:
        pan = {step, 0};
        break;
    case Qt::Key_Up:
        pan = {0, -step};
        break;
    case Qt::Key_Down:
        pan = {0, step};
        break;
    default:
        return false;
    }
    m_view.userMoved();
    if (zoomBy != 0.0)
        m_view.zoomAround(center, m_view.zoom() + zoomBy);
    else
        m_view.panBy(pan);
    event->accept();
    return true;
}

void MapInteraction::refreshHover()
{
    if (m_pointerInside && !m_dragging)
        m_view.updateHover(m_hoverPointer);
    else if (!m_pointerInside)
        m_view.setHovered(-1, {});
}

void MapInteraction::hoverMove(QHoverEvent *event)
{
    m_pointerInside = true;
    m_hoverPointer = event->position();
    if (!m_dragging)
        m_view.updateHover(event->position());
}

void MapInteraction::hoverLeave()
{
    m_pointerInside = false;
    m_view.setHovered(-1, {});
}

void MapInteraction::touch(QTouchEvent *event)
{
    const auto &points = event->points();
    if (points.size() != 2) {
        m_pinchStartDistance = 0.0;
        event->ignore(); // one finger: delivered again as a mouse drag
        return;
    }
    const QPointF a = points[0].position(), b = points[1].position();
    const double distance = std::hypot(a.x() - b.x(), a.y() - b.y());
    if (m_pinchStartDistance <= 0.0 || event->type() == QEvent::TouchBegin) {
        m_pinchStartDistance = std::max(1.0, distance);
        m_pinchStartZoom = m_view.zoom();
    } else {
        m_view.userMoved();
        m_view.zoomAround((a + b) / 2.0,
                          m_pinchStartZoom + std::log2(std::max(1.0, distance) / m_pinchStartDistance));
    }
    if (event->type() == QEvent::TouchEnd || event->type() == QEvent::TouchCancel)
        m_pinchStartDistance = 0.0;
    event->accept();
}

bool MapInteraction::nativeGesture(QEvent *event)
{
    if (event->type() != QEvent::NativeGesture)
        return false;
    auto *gesture = static_cast<QNativeGestureEvent *>(event);
    if (gesture->gestureType() != Qt::ZoomNativeGesture)
        return false;
    m_view.userMoved();
    m_view.zoomAround(gesture->position(), m_view.zoom() + std::log2(std::max(0.1, 1.0 + gesture->value())));
    return true;
}

} // namespace tracemap
