#pragma once
// The Qt Quick map item: a thin QQuickPaintedItem over MapRenderer (which also renders exports),
// reading hops from any list model by role name, with panning, zooming and selection.

#include "hopmodelreader.h"
#include "mapinteraction.h"
#include "maprenderer.h"
#include "routeset.h"
#include "webmercator.h"

#include <QAbstractItemModel>
#include <QImage>
#include <QPointer>
#include <QQuickPaintedItem>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace tracemap {

class TileLoader;

class MapView : public QQuickPaintedItem
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QAbstractItemModel *model READ model WRITE setModel NOTIFY modelChanged)
    Q_PROPERTY(double centerLatitude READ centerLatitude WRITE setCenterLatitude NOTIFY centerLatitudeChanged)
    Q_PROPERTY(
        double centerLongitude READ centerLongitude WRITE setCenterLongitude NOTIFY centerLongitudeChanged)
    Q_PROPERTY(double zoom READ zoom WRITE setZoom NOTIFY zoomChanged)
    Q_PROPERTY(
        QString tileUrlTemplate READ tileUrlTemplate WRITE setTileUrlTemplate NOTIFY tileUrlTemplateChanged)
    Q_PROPERTY(bool tilesEnabled READ tilesEnabled WRITE setTilesEnabled NOTIFY tilesEnabledChanged)
    Q_PROPERTY(bool networkEnabled READ networkEnabled WRITE setNetworkEnabled NOTIFY networkEnabledChanged)
    Q_PROPERTY(QString tileCacheDirectory READ tileCacheDirectory WRITE setTileCacheDirectory NOTIFY
                   tileCacheDirectoryChanged)
    Q_PROPERTY(QString tileStatus READ tileStatus NOTIFY tileStatusChanged)
    Q_PROPERTY(bool tilesSettled READ tilesSettled NOTIFY tilesSettledChanged)
    // Why tiles are not shown while they are wanted (empty when fine): for the status area.
    Q_PROPERTY(QString tileProblem READ tileProblem NOTIFY tileProblemChanged)
    Q_PROPERTY(bool hasSource READ hasSource WRITE setHasSource NOTIFY hasSourceChanged)
    Q_PROPERTY(double sourceLatitude READ sourceLatitude WRITE setSourceLatitude NOTIFY sourceLatitudeChanged)
    Q_PROPERTY(
        double sourceLongitude READ sourceLongitude WRITE setSourceLongitude NOTIFY sourceLongitudeChanged)
    Q_PROPERTY(int currentIndex READ currentIndex WRITE setCurrentIndex NOTIFY currentIndexChanged)
    Q_PROPERTY(int hoveredIndex READ hoveredIndex NOTIFY hoveredIndexChanged)
    Q_PROPERTY(QPointF hoveredPosition READ hoveredPosition NOTIFY hoveredPositionChanged)
    Q_PROPERTY(QString attribution READ attribution NOTIFY attributionChanged)
    Q_PROPERTY(QStringList extraAttributions READ extraAttributions WRITE setExtraAttributions NOTIFY
                   extraAttributionsChanged)
    Q_PROPERTY(bool legendVisible READ legendVisible WRITE setLegendVisible NOTIFY legendVisibleChanged)
    Q_PROPERTY(bool labelsVisible READ labelsVisible WRITE setLabelsVisible NOTIFY labelsVisibleChanged)
    // While true the view frames the route as it grows and on resize; the user's pan or zoom
    // sets it false, fitRoute() sets it true again.
    Q_PROPERTY(bool followRoute READ followRoute WRITE setFollowRoute NOTIFY followRouteChanged)
    // Further routes drawn under the model's route (see routeset.h), e.g. `routeSets: [a.routes]`.
    Q_PROPERTY(QQmlListProperty<tracemap::RouteSet> routeSets READ routeSets)

public:
    explicit MapView(QQuickItem *parent = nullptr);
    ~MapView() override;

    QAbstractItemModel *model() const { return m_model; }
    void setModel(QAbstractItemModel *model);
    double centerLatitude() const { return m_centerLatitude; }
    void setCenterLatitude(double latitude);
    double centerLongitude() const { return m_centerLongitude; }
    void setCenterLongitude(double longitude);
    double zoom() const { return m_zoom; }
    void setZoom(double zoom);
    QString tileUrlTemplate() const;
    void setTileUrlTemplate(const QString &urlTemplate);
    bool tilesEnabled() const { return m_tilesEnabled; }
    void setTilesEnabled(bool enabled);
    bool networkEnabled() const;
    void setNetworkEnabled(bool enabled);
    QString tileCacheDirectory() const;
    void setTileCacheDirectory(const QString &directory);
    QString tileStatus() const;
    bool tilesSettled() const;
    QString tileProblem() const { return m_tileProblem; }
    bool hasSource() const { return m_hasSource; }
    void setHasSource(bool hasSource);
    double sourceLatitude() const { return m_sourceLatitude; }
    void setSourceLatitude(double latitude);
    double sourceLongitude() const { return m_sourceLongitude; }
    void setSourceLongitude(double longitude);
    int currentIndex() const { return m_currentIndex; }
    void setCurrentIndex(int row);
    int hoveredIndex() const { return m_hoveredIndex; }
    QPointF hoveredPosition() const { return m_hoveredPosition; }
    QString attribution() const;
    QStringList extraAttributions() const { return m_extraAttributions; }
    void setExtraAttributions(const QStringList &attributions);
    bool legendVisible() const { return m_legendVisible; }
    void setLegendVisible(bool visible);
    bool labelsVisible() const { return m_labelsVisible; }
    void setLabelsVisible(bool visible);
    bool followRoute() const { return m_followRoute; }
    void setFollowRoute(bool follow);
    QQmlListProperty<RouteSet> routeSets() { return m_routeSetList.property(); }
    QList<MapRoute> extraRoutes() const { return m_routeSetList.routes(); }

    // Frames every placed hop and the source with padding, across the antimeridian when shorter,
    // and follows the route from then on (followRoute).
    Q_INVOKABLE void fitRoute();
    // Item pixel of a coordinate (the copy of the world nearest the centre).
    Q_INVOKABLE QPointF coordinateToPixel(double latitude, double longitude) const;
    // Pixel of a coordinate in an image from exportImage / renderImage of that size.
    Q_INVOKABLE QPointF coordinateToImagePixel(double latitude, double longitude, int width,
                                               int height) const;
    Q_INVOKABLE QPointF pixelToCoordinate(QPointF pixel) const; // x = latitude, y = longitude
    // The attribution as the item draws it: one line in the bottom-right corner (the area, and
    // the whole text for a tooltip when that line is cut short).
    Q_INVOKABLE QRectF attributionArea() const;
    Q_INVOKABLE QString attributionText() const;
    // Writes map, legend and attribution as PNG (0, 0 = item size). Empty on success, else why not.
    Q_INVOKABLE QString exportImage(const QString &path, int width = 0, int height = 0) const;
    // The same image in memory (the clipboard). Shows the item's area: the zoom is scaled with
    // the size. Tiles not in memory are drawn from the basemap; nothing is waited for.
    QImage renderImage(const QSize &size) const;

    void paint(QPainter *painter) override;
    TileLoader *tileLoader() const { return m_tiles; }
    // The renderer's counters (paints, layer renders, label layouts) for tests and benchmarks.
    const MapRenderer &renderer() const { return *m_renderer; }
    MapViewport viewport() const;

signals:
    void modelChanged();
    void centerLatitudeChanged();
    void centerLongitudeChanged();
    void zoomChanged();
    void tileUrlTemplateChanged();
    void tilesEnabledChanged();
    void networkEnabledChanged();
    void tileCacheDirectoryChanged();
    void tileStatusChanged();
    void tilesSettledChanged();
    void tileProblemChanged();
    void hasSourceChanged();
    void sourceLatitudeChanged();
    void sourceLongitudeChanged();
    void currentIndexChanged();
    void hoveredIndexChanged();
    void hoveredPositionChanged();
    void attributionChanged();
    void extraAttributionsChanged();
    void legendVisibleChanged();
    void labelsVisibleChanged();
    void followRouteChanged();
    void hopClicked(int row);

protected:
    void geometryChange(const QRectF &newGeometry, const QRectF &oldGeometry) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void hoverMoveEvent(QHoverEvent *event) override;
    void hoverLeaveEvent(QHoverEvent *event) override;
    void touchEvent(QTouchEvent *event) override;
    bool event(QEvent *event) override;

private:
    friend class MapInteraction;
    // compactAttribution: as drawn in the item (a one-line attribution), not as exported.
    MapScene scene(bool compactAttribution = false) const;
    void reloadAll();
    void hopsChanged();
    void setCenter(double latitude, double longitude);
    void zoomAround(QPointF pixel, double newZoom);
    void panBy(QPointF pixels);
    void userMoved(); // the user panned or zoomed: stop following the route
    void frame(bool onlyWhenNeeded);
    int markerAt(QPointF pixel) const;
    void viewportChanged();
    void requestTiles();
    void updateHover(QPointF pixel);
    void setHovered(int row, QPointF position);
    void updateTileState();
    MapViewport exportViewport(const QSize &size) const;

    QPointer<QAbstractItemModel> m_model;
    QList<QMetaObject::Connection> m_modelConnections;
    HopModelReader m_reader;
    QList<MapHop> m_hops;
    double m_centerLatitude = 25.0;
    double m_centerLongitude = 0.0;
    double m_zoom = 1.5;
    bool m_tilesEnabled = true;
    QString m_tileCacheDirectory;
    bool m_hasSource = false;
    double m_sourceLatitude = 0.0;
    double m_sourceLongitude = 0.0;
    int m_currentIndex = -1;
    int m_hoveredIndex = -1;
    QPointF m_hoveredPosition;
    QStringList m_extraAttributions;
    bool m_legendVisible = true;
    bool m_labelsVisible = false;
    bool m_followRoute = false;
    RouteSetList m_routeSetList{this};
    QString m_tileStatus;
    bool m_tilesSettled = true;
    QString m_tileProblem;
    QString m_attribution;
    bool m_fitPending = false;

    TileLoader *m_tiles = nullptr;
    std::unique_ptr<MapRenderer> m_renderer;
    MapInteraction m_input{*this};
};

} // namespace tracemap
