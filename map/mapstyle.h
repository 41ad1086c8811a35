#pragma once
// The map's drawing style shared by the renderer's layers (map/maprenderer.cpp) and its
// overlays (map/mapoverlays.cpp): ink, route and place-label colours and the font of every map
// text.

#include <QColor>
#include <QFont>

namespace tracemap::mapstyle {

inline const QColor RouteColor(0x1f, 0x3f, 0x66);
inline const QColor InkColor(0x1b, 0x24, 0x30);
inline const QColor SelectionColor(0x1f, 0x6f, 0xeb);
inline const QColor UnknownRttColor(0x8b, 0x95, 0x9e);
// Place labels on the basemap: subdued grey text in a halo of the basemap's land colour, so they
// read on land, sea and under the route without competing with the hop markers.
inline const QColor PlaceTextColor(0x4f, 0x57, 0x61);
inline const QColor CapitalTextColor(0x2f, 0x37, 0x42);
inline const QColor PlaceHaloColor(0xf6, 0xf4, 0xee, 215);
inline const QColor PlaceDotColor(0x6a, 0x72, 0x7c);

inline QFont uiFont(double pixelSize, bool bold = false)
{
    QFont font;
    font.setPixelSize(int(pixelSize));
    font.setBold(bold);
    font.setStyleHint(QFont::SansSerif);
    return font;
}

} // namespace tracemap::mapstyle
