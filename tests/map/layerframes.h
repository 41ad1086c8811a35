#pragma once
// Test helpers shared by the map's layer tests (tst_routelayer, tst_basemaplayer): a view panned
// by pixels, a frame painted as the live item paints it, and a pixel comparison.

#include "maprenderer.h"

#include <QImage>
#include <QPainter>

#include <cstdlib>

namespace tracemap::layerframes {

// The view moved by `pixels` (a drag moves it by whole pixels).
inline MapViewport panned(const MapViewport &viewport, QPointF pixels)
{
    const GeoPoint c =
        WebMercator::worldPixelToCoordinate(viewport.centerWorldPixel() + pixels, viewport.zoom());
    return MapViewport(c.latitude, c.longitude, viewport.zoom(), viewport.size());
}

// A frame as the live item paints it, at a device scale of `dpr`.
inline QImage frame(MapRenderer &renderer, const MapViewport &viewport, const MapScene &scene,
                    MapRenderer::RouteCache cache, double dpr = 1.0, const TileLoader *tiles = nullptr)
{
    QImage image((viewport.size() * dpr).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(dpr);
    image.fill(Qt::white);
    QPainter painter(&image);
    renderer.paint(painter, viewport, scene, tiles, cache);
    return image;
}

// Pixels of `a` and `b` whose channels differ by more than `tolerance` (-1: other sizes).
inline int differing(const QImage &a, const QImage &b, int tolerance = 0)
{
    if (a.size() != b.size())
        return -1;
    int count = 0;
    for (int y = 0; y < a.height(); ++y) {
        const QRgb *pa = reinterpret_cast<const QRgb *>(a.constScanLine(y));
        const QRgb *pb = reinterpret_cast<const QRgb *>(b.constScanLine(y));
        for (int x = 0; x < a.width(); ++x) {
            if (std::abs(qRed(pa[x]) - qRed(pb[x])) > tolerance ||
                std::abs(qGreen(pa[x]) - qGreen(pb[x])) > tolerance ||
                std::abs(qBlue(pa[x]) - qBlue(pb[x])) > tolerance ||
                std::abs(qAlpha(pa[x]) - qAlpha(pb[x])) > tolerance)
                ++count;
        }
    }
    return count;
}

} // namespace tracemap::layerframes
