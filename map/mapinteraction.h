#pragma once
// Pointer, wheel, pinch, key and hover input of the map item. MapView forwards its events here;
// this class turns them into view changes (pan, zoom around a point), hover and clicks on
// markers, and tells the view when the user moved it (so automatic framing stops).
// Contract: owned by one MapView and used on the GUI thread only.

#include <QPointF>

class QEvent;
class QHoverEvent;
class QKeyEvent;
class QMouseEvent;
class QTouchEvent;
class QWheelEvent;

namespace tracemap {

class MapView;

class MapInteraction
{
public:
    explicit MapInteraction(MapView &view) : m_view(view) {}

    void mousePress(QMouseEvent *event);
    void mouseMove(QMouseEvent *event);
    void mouseRelease(QMouseEvent *event);
    void wheel(QWheelEvent *event);
    bool key(QKeyEvent *event); // false: not a map key, let the item pass it on
    void hoverMove(QHoverEvent *event);
    void hoverLeave();
    void touch(QTouchEvent *event);
    bool nativeGesture(QEvent *event); // true when consumed

    bool dragging() const { return m_dragging; }
    // Re-tests what is under a still pointer (markers moved under it).
    void refreshHover();

private:
    MapView &m_view;
    QPointF m_pressPosition;
    QPointF m_pressCenterWorld;
    bool m_dragging = false;
    bool m_pressed = false;
    QPointF m_hoverPointer;       // last pointer position over the item
    bool m_pointerInside = false; // re-test the hover when markers move under a still pointer
    double m_pinchStartDistance = 0.0;
    double m_pinchStartZoom = 0.0;
};

} // namespace tracemap
