#pragma once
// The map's drawing style shared by the renderer's layers (map/maprenderer.cpp) and its
// overlays (map/mapoverlays.cpp): ink and route colours and the font of every map text.

#include <QColor>
#include <QFont>

namespace tracemap::mapstyle {

inline const QColor RouteColor(0x1f, 0x3f, 0x66);
inline const QColor InkColor(0x1b, 0x24, 0x30);
inline const QColor SelectionColor(0x1f, 0x6f, 0xeb);
inline const QColor UnknownRttColor(0x8b, 0x95, 0x9e);

inline QFont uiFont(double pixelSize, bool bold = false)
{
    QFont font;
    font.setPixelSize(int(pixelSize));
    font.setBold(bold);
    font.setStyleHint(QFont::SansSerif);
    return font;
}

} // namespace tracemap::mapstyle
