// The watch's timeline in the manner of PingPlotter: RTT over time for chosen hops, lost
// probes marked in red along the top, the focus period shaded. paintWatchChart() is the pure
// drawing (also run by bench/chart_bench); WatchChart is the Qt Quick item over a
// WatchController, redrawn once per round.
//
// The lines themselves come from watchchartgeometry.h: broken at lost probes and across
// paused stretches (the controller's pauses); each update walks only the points that changed
// since the last one (WatchChartColumns in WatchChartMemory).
#pragma once

#include "watchchartgeometry.h"
#include "watchcontroller.h"

#include <QColor>
#include <QImage>
#include <QList>
#include <QPointer>
#include <QQuickPaintedItem>
#include <QtQml/qqmlregistration.h>

class QPainter;

namespace tracemap {

// What a chart keeps between updates: the plot's image (reused when the size stays) and the
// series' pixel columns (only what changed is walked again).
struct WatchChartMemory
{
    QImage plot;
    WatchChartColumns columns;
};

// memory: kept between updates by the caller (null: everything computed afresh).
void paintWatchChart(QPainter *painter, const QSizeF &size, const WatchStats &stats,
                     const WatchChartView &view, WatchChartMemory *memory = nullptr);

class WatchChart : public QQuickPaintedItem
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(
        tracemap::WatchController *controller READ controller WRITE setController NOTIFY controllerChanged)
    // The hops drawn (TTLs); empty: the last hop (the destination).
    Q_PROPERTY(QList<int> ttls READ ttls WRITE setTtls NOTIFY ttlsChanged)
    Q_PROPERTY(QColor textColor READ textColor WRITE setTextColor NOTIFY textColorChanged)
    Q_PROPERTY(
        QColor backgroundColor READ backgroundColor WRITE setBackgroundColor NOTIFY backgroundColorChanged)
public:
    explicit WatchChart(QQuickItem *parent = nullptr);

    WatchController *controller() const { return m_controller; }
    void setController(WatchController *controller);
    QList<int> ttls() const { return m_ttls; }
    void setTtls(const QList<int> &ttls);
    QColor textColor() const { return m_text; }
    void setTextColor(const QColor &color);
    QColor backgroundColor() const { return m_background; }
    void setBackgroundColor(const QColor &color);

    // x in item coordinates <-> time (ms since the epoch) in the span shown.
    Q_INVOKABLE double timeAt(double x) const;
    Q_INVOKABLE double xAt(double timeMs) const;
    // The series colour of a TTL as drawn now (for the legend beside the table).
    Q_INVOKABLE QColor colorOf(int ttl) const;

    void paint(QPainter *painter) override;

signals:
    void controllerChanged();
    void ttlsChanged();
    void textColorChanged();
    void backgroundColorChanged();

private:
    WatchChartView view() const;
    QList<int> drawnTtls() const;

    QPointer<WatchController> m_controller;
    QList<int> m_ttls;
    QColor m_text = Qt::black;
    QColor m_background = Qt::white;
    WatchChartMemory m_memory;
    int m_paintedRounds = 0; // fewer rounds than at the last paint: the watch was reset
};

// A hop's recent RTTs as a small line (the watch table's last column); lost probes in red.
class WatchSparkline : public QQuickPaintedItem
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QList<qreal> values READ values WRITE setValues NOTIFY valuesChanged)
    Q_PROPERTY(QColor color READ color WRITE setColor NOTIFY colorChanged)
public:
    explicit WatchSparkline(QQuickItem *parent = nullptr);
    QList<qreal> values() const { return m_values; }
    void setValues(const QList<qreal> &values);
    QColor color() const { return m_color; }
    void setColor(const QColor &color);
    void paint(QPainter *painter) override;

signals:
    void valuesChanged();
    void colorChanged();

private:
    QList<qreal> m_values;
    QColor m_color = QColor(0x1f, 0x77, 0xb4);
};

} // namespace tracemap
