#pragma once
// The trace shown in the window as files for people: the map as SVG (QSvgGenerator, vector
// arcs and markers over the basemap) and the one-file PDF report a ticket gets (title block:
// target, resolved address, vantage, date and time with time zone, tracemap version; the map;
// the hop table with places and reasons, over as many pages as it needs). PNG stays with
// MapRenderer::writePng; GeoJSON, KML and CSV are geo/traceexport.h.
//
// Contract: every writer goes through a temporary file renamed into place (QSaveFile), so a
// failure leaves whatever was at the path before; it returns an empty string on success, else
// one line saying why. The map is drawn by MapRenderer from a MapScene, exactly as the scripted
// PNG export draws it.

#include "maprenderer.h"
#include "tracefile.h"

#include <QSize>
#include <QString>

namespace tracemap {

class AppSettings;
class TileLoader;
class TraceController;

namespace DocumentExport {

// The hop model and the source as the map draws them, with the credits of the tiles (or the
// built-in basemap when offline) and of the geolocation sources.
MapScene sceneOf(const TraceController &controller, bool offline);

// The map framed on the route (or the world when nothing is placed).
MapViewport fittedViewport(const MapScene &scene, QSize size);

QString writeSvg(const QString &path, const MapScene &scene, const MapViewport &viewport,
                 const TileLoader *tiles = nullptr);

// A4 portrait. `file` supplies the title block and the table, `scene` the map.
QString writeReport(const QString &path, const TraceFile &file, const MapScene &scene,
                    const TileLoader *tiles = nullptr);

// "2026-12-01 19:03:12 CET (Europe/Berlin)": the report's date line.
QString reportTime(const QDateTime &time, const QString &timeZone);

} // namespace DocumentExport
} // namespace tracemap
