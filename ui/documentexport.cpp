#include "documentexport.h"

#include "hopmodelreader.h"
#include "scriptedrun.h"
#include "tracecontroller.h"

#include <QDir>
#include <QFileInfo>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace tracemap::DocumentExport {

namespace {

// Opens the temporary file the writer fills; an empty string, else why not.
QString openTarget(QSaveFile &file)
{
    const QFileInfo info(file.fileName());
    if (info.fileName().isEmpty())
        return QStringLiteral("No file name was given.");
    if (!info.absoluteDir().exists())
        return QStringLiteral("The folder %1 does not exist.")
            .arg(QDir::toNativeSeparators(info.absolutePath()));
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("Could not write %1: %2.")
            .arg(QDir::toNativeSeparators(file.fileName()), file.errorString());
    return {};
}

QString commit(QSaveFile &file)
{
    if (file.commit())
        return {};
    return QStringLiteral("Could not write %1: %2.")
        .arg(QDir::toNativeSeparators(file.fileName()), file.errorString());
}

QString offsetText(int seconds)
{
    const int minutes = std::abs(seconds) / 60;
    return QStringLiteral("UTC%1%2:%3")
        .arg(seconds < 0 ? QLatin1Char('-') : QLatin1Char('+'))
        .arg(minutes / 60, 2, 10, QLatin1Char('0'))
        .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

QString statusText(const GeoResult &geo)
{
    if (!geo.reason.isEmpty())
        return geo.reason;
    if (!geo.error.isEmpty())
        return geo.error;
    return geoStatusName(geo.status);
}

// One row of the report's hop table.
QStringList tableRow(const TraceFile &file, const Hop &hop)
{
    const QList<QHostAddress> responders = hop.responders();
    if (responders.isEmpty())
        return {QString::number(hop.ttl), QStringLiteral("*"),       {}, {}, {}, QStringLiteral("-"),
                QStringLiteral("100%"),   QStringLiteral("no reply")};
    const GeoResult geo = file.placeFor(responders.first());
    const RttStats stats = hop.stats();
    QString address = responders.first().toString();
    if (responders.size() > 1)
        address += QStringLiteral(" (+%1)").arg(responders.size() - 1);
    const bool placed = geo.status == GeoStatus::Located && geo.place.hasCoordinates();
    QString reason = statusText(geo);
    if (!geo.provider.isEmpty())
        reason = QStringLiteral("%1: %2").arg(geo.provider, reason);
    return {QString::number(hop.ttl),
            address,
            geo.hostname,
            placed ? placeName(geo.place) : QString(),
            geo.as.isValid() ? QStringLiteral("AS%1 %2").arg(geo.as.number).arg(geo.as.name).trimmed()
                             : QString(),
            stats.avgMs < 0 ? QStringLiteral("-") : QStringLiteral("%1 ms").arg(stats.avgMs, 0, 'f', 1),
            QStringLiteral("%1%").arg(qRound(stats.lossPercent)),
            reason};
}

QStringList titleLines(const TraceFile &file)
{
    const TraceResult &t = file.trace;
    QString vantage =
        file.meta.vantageHost.isEmpty() ? QStringLiteral("unknown host") : file.meta.vantageHost;
    if (file.meta.vantageLatitude && file.meta.vantageLongitude)
        vantage += QStringLiteral(" at %1, %2")
                       .arg(*file.meta.vantageLatitude, 0, 'f', 4)
                       .arg(*file.meta.vantageLongitude, 0, 'f', 4);
    const QString result =
        t.reached                          ? QStringLiteral("reached in %1 hops").arg(t.hops.size())
        : t.error == TraceError::Cancelled ? QStringLiteral("stopped after %1 hops").arg(t.hops.size())
        : t.errorMessage.isEmpty()         ? QStringLiteral("not reached (%1 hops)").arg(t.hops.size())
                                           : t.errorMessage;
    return {
        QStringLiteral("Resolved address: %1")
            .arg(t.destination.isNull() ? QStringLiteral("-") : t.destination.toString()),
        QStringLiteral("Vantage: %1").arg(vantage),
        QStringLiteral("Traced: %1").arg(reportTime(file.meta.startedAt, file.meta.timeZone)),
        QStringLiteral("Probes: %1; result: %2")
            .arg(t.transport.isEmpty() ? toString(t.method) : t.transport, result),
        QStringLiteral("tracemap %1")
            .arg(file.meta.tracemapVersion.isEmpty() ? QStringLiteral(TRACEMAP_VERSION)
                                                     : file.meta.tracemapVersion),
    };
}

} // namespace

MapScene sceneOf(const TraceController &controller, bool offline)
{
    HopModelReader reader;
    reader.setModel(controller.model());
    MapScene scene;
    scene.hops = reader.readAll();
    scene.hasSource = controller.hasSource();
    scene.sourceLatitude = controller.sourceLatitude();
    scene.sourceLongitude = controller.sourceLongitude();
    scene.attribution = offline ? MapRenderer::basemapAttribution() : MapRenderer::tileAttribution();
    scene.extraAttributions = controller.attributions();
    return scene;
}

MapViewport fittedViewport(const MapScene &scene, QSize size)
{
    ScriptedRunOptions options;
    options.exportSize = size;
    return ScriptedRun::exportViewport(options, scene);
}

QString reportTime(const QDateTime &time, const QString &timeZone)
{
    if (!time.isValid())
        return QStringLiteral("unknown");
    QString text = time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss ")) + offsetText(time.offsetFromUtc());
    if (!timeZone.isEmpty())
        text += QStringLiteral(" (%1)").arg(timeZone);
    return text;
}

QString writeSvg(const QString &path, const MapScene &scene, const MapViewport &viewport,
                 const TileLoader *tiles)
{
    QSaveFile file(path);
    if (QString error = openTarget(file); !error.isEmpty())
        return error;
    const QSize size = viewport.size().toSize();
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(QStringLiteral("tracemap"));
    QPainter painter;
    if (!painter.begin(&svg)) {
        file.cancelWriting();
        return QStringLiteral("The SVG image could not be started.");
    }
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    MapRenderer renderer;
    renderer.paint(painter, viewport, scene, tiles);
    painter.end();
    return commit(file);
}

QString writeReport(const QString &path, const TraceFile &file, const MapScene &scene,
                    const TileLoader *tiles)
{
    QSaveFile out(path);
    if (QString error = openTarget(out); !error.isEmpty())
        return error;
    QPdfWriter pdf(&out);
    pdf.setResolution(144);
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setPageMargins(QMarginsF(14, 14, 14, 14), QPageLayout::Millimeter);
    pdf.setTitle(QStringLiteral("tracemap: %1").arg(file.trace.target));
    pdf.setCreator(QStringLiteral("tracemap " TRACEMAP_VERSION));
    QPainter p;
    if (!p.begin(&pdf)) {
        out.cancelWriting();
        return QStringLiteral("The PDF report could not be started.");
    }
    const double width = pdf.width();
    const double height = pdf.height();
    double y = 0;

    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPointSizeF(16);
    font.setBold(true);
    p.setFont(font);
    const double titleHeight = p.fontMetrics().height();
    p.drawText(QRectF(0, y, width, titleHeight), Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("Route to %1").arg(file.trace.target));
    y += titleHeight * 1.3;
    font.setPointSizeF(9);
    font.setBold(false);
    p.setFont(font);
    const double line = p.fontMetrics().height();
    for (const QString &text : titleLines(file)) {
        p.drawText(QRectF(0, y, width, line), Qt::AlignLeft | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(text, Qt::ElideRight, int(width)));
        y += line;
    }
    y += line * 0.6;

    // The map: vector arcs and markers over the basemap, framed on the route.
    const QRectF mapRect(0, y, width, width * 0.62);
    const MapViewport viewport = fittedViewport(scene, mapRect.size().toSize());
    p.save();
    p.translate(mapRect.topLeft());
    p.setClipRect(QRectF(QPointF(0, 0), mapRect.size()));
    p.fillRect(QRectF(QPointF(0, 0), mapRect.size()), Qt::white);
    MapRenderer renderer;
    renderer.paint(p, viewport, scene, tiles);
    p.restore();
    p.setPen(QPen(Qt::gray, 1));
    p.drawRect(mapRect);
    y = mapRect.bottom() + line;

    // The hop table, continued on further pages as needed.
    static const QStringList headers = {
        QStringLiteral("TTL"), QStringLiteral("Address"), QStringLiteral("Host"), QStringLiteral("Place"),
        QStringLiteral("AS"),  QStringLiteral("Avg RTT"), QStringLiteral("Loss"), QStringLiteral("Reason")};
    static const QList<double> share = {0.04, 0.15, 0.16, 0.15, 0.14, 0.08, 0.05, 0.23};
    font.setPointSizeF(7.5);
    const auto drawRow = [&](const QStringList &cells, bool bold) {
        font.setBold(bold);
        p.setFont(font);
        const double rowHeight = p.fontMetrics().height() * 1.25;
        if (y + rowHeight > height) {
            pdf.newPage();
            y = 0;
        }
        double x = 0;
        for (qsizetype c = 0; c < cells.size() && c < share.size(); ++c) {
            const double w = share.at(c) * width;
            p.drawText(QRectF(x, y, w - 6, rowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                       p.fontMetrics().elidedText(cells.at(c), Qt::ElideRight, int(w - 6)));
            x += w;
        }
        y += rowHeight;
        if (bold) {
            p.setPen(QPen(Qt::gray, 1));
            p.drawLine(QPointF(0, y), QPointF(width, y));
            p.setPen(Qt::black);
        }
    };
    p.setPen(Qt::black);
    drawRow(headers, true);
    for (const Hop &hop : file.trace.hops)
        drawRow(tableRow(file, hop), false);
    // The credits the map and the places need, under the table.
    QStringList creditList = file.attributions;
    creditList.prepend(scene.attribution);
    const QString credits = creditList.join(QStringLiteral("; "));
    font.setBold(false);
    p.setFont(font);
    const QRectF creditRect =
        p.fontMetrics().boundingRect(QRect(0, 0, int(width), 10000), Qt::TextWordWrap, credits);
    if (y + line * 0.5 + creditRect.height() > height) {
        pdf.newPage();
        y = 0;
    }
    p.drawText(QRectF(0, y + line * 0.5, width, creditRect.height()), Qt::TextWordWrap, credits);
    if (!p.end()) {
        out.cancelWriting();
        return QStringLiteral("The PDF report could not be finished.");
    }
    return commit(out);
}

} // namespace tracemap::DocumentExport
