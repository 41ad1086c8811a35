// MapView's image export (File → Export image, the clipboard, --export-image): the item's area
// rendered at any size through the same MapRenderer, with further routes drawn straight (never
// from the live item's route layer, which belongs to the render thread).

#include "mapview.h"

#include "tileloader.h"

#include <algorithm>
#include <cmath>

namespace tracemap {

MapViewport MapView::exportViewport(const QSize &size) const
{
    double zoom = m_zoom;
    if (!this->size().isEmpty() && !size.isEmpty())
        zoom += std::log2(std::min(size.width() / width(), size.height() / height()));
    return MapViewport(m_centerLatitude, m_centerLongitude, std::clamp(zoom, 0.0, WebMercator::MaxZoom),
                       QSizeF(size));
}

QPointF MapView::coordinateToImagePixel(double latitude, double longitude, int width, int height) const
{
    const QSize size = width > 0 && height > 0 ? QSize(width, height) : this->size().toSize();
    return exportViewport(size).coordinateToPixel(latitude, longitude);
}

QImage MapView::renderImage(const QSize &size) const
{
    return m_renderer->render(exportViewport(size), scene(), m_tilesEnabled ? m_tiles : nullptr);
}

QString MapView::exportImage(const QString &path, int width, int height) const
{
    if (path.isEmpty())
        return tr("No file name was given for the image.");
    if (width < 0 || height < 0 || width > 16384 || height > 16384)
        return tr("The image size %1x%2 is out of range (1 to 16384 pixels a side).").arg(width).arg(height);
    QSize size(width, height);
    if (width == 0 || height == 0)
        size = this->size().toSize();
    if (size.isEmpty())
        return tr("The map has no size yet; give the image a size.");
    const QImage image = renderImage(size);
    if (image.isNull())
        return tr("The map could not be rendered at %1x%2.").arg(size.width()).arg(size.height());
    return MapRenderer::writePng(image, path);
}

} // namespace tracemap
