// The map item in an offscreen QQuickWindow: markers at the predicted pixels (checked by colour),
// fitRoute, a route across the antimeridian, repaint in the next frame after a model change (and
// none after a watch round that changes nothing the map shows),
// input, tiles from a loopback server, image export, a legend that never covers a marker, and a
// one-line attribution on a short view.
// TRACEMAP_MAP_DUMP_DIR=/some/dir keeps the rendered images for a human to look at.

#include "loopbackhttpserver.h"
#include "maprenderer.h"
#include "mapview.h"
#include "tileloader.h"

#include <QAbstractListModel>
#include <QBuffer>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

namespace {

struct Hop
{
    int ttl;
    double latitude;
    double longitude;
    bool hasLocation;
    double rttMs;
    double accuracyKm = 10;
    double lossPct = -1;
};

// The shape of the ui's hop model, as far as the map reads it (by role name).
class HopModel : public QAbstractListModel
{
public:
    enum Role {
        Ttl = Qt::UserRole + 1,
        Latitude,
        Longitude,
        HasLocation,
        AccuracyKm,
        AvgRttMs,
        Address,
        LossPct
    };
    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(hops.size());
    }
    QVariant data(const QModelIndex &index, int role) const override
    {
        const Hop &hop = hops.at(index.row());
        switch (role) {
        case Ttl:
            return hop.ttl;
        case Latitude:
            return hop.hasLocation ? QVariant(hop.latitude) : QVariant(qQNaN());
        case Longitude:
            return hop.hasLocation ? QVariant(hop.longitude) : QVariant(qQNaN());
        case HasLocation:
            return hop.hasLocation;
        case AccuracyKm:
            return hop.accuracyKm;
        case AvgRttMs:
            return hop.rttMs;
        case Address:
            return QStringLiteral("192.0.2.%1").arg(hop.ttl);
        case LossPct:
            return hop.lossPct;
        }
        return {};
    }
    QHash<int, QByteArray> roleNames() const override
    {
        return {{Ttl, "ttl"},
                {Latitude, "latitude"},
                {Longitude, "longitude"},
                {HasLocation, "hasLocation"},
                {AccuracyKm, "accuracyKm"},
                {AvgRttMs, "avgRttMs"},
                {Address, "address"},
                {LossPct, "lossPct"}};
    }
    void append(const Hop &hop)
    {
        beginInsertRows({}, int(hops.size()), int(hops.size()));
        hops.append(hop);
        endInsertRows();
    }
    void set(const QList<Hop> &all)
    {
        beginResetModel();
        hops = all;
        endResetModel();
    }
    void update(int row, const Hop &hop)
    {
        hops[row] = hop;
        emit dataChanged(index(row), index(row));
    }
    // As the watch's model does each round: every row rewritten and announced at once.
    void round(const QList<Hop> &all)
    {
        hops = all;
        emit dataChanged(index(0), index(int(hops.size()) - 1));
    }
    QList<Hop> hops;
};

const Hop London{1, 51.5074, -0.1278, true, 5.0};
const Hop Frankfurt{2, 50.1109, 8.6821, true, 15.0};
const Hop Unplaced{3, 0, 0, false, 40.0};
const Hop NewYork{4, 40.7128, -74.0060, true, 80.0, 300.0};
const Hop Chicago{5, 41.8781, -87.6298, true, 250.0};

bool near(QColor a, QColor b, int tolerance = 40)
{
    return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue()) <=
           tolerance;
}

// Any pixel within `radius` of `at` close to `colour`.
bool colourNear(const QImage &image, QPointF at, QColor colour, int radius = 2, int tolerance = 40)
{
    for (int dy = -radius; dy <= radius; ++dy) {
        for (int dx = -radius; dx <= radius; ++dx) {
            const QPoint p = at.toPoint() + QPoint(dx, dy);
            if (image.rect().contains(p) && near(image.pixelColor(p), colour, tolerance))
                return true;
        }
    }
    return false;
}

// Inside the marker disc, above the TTL digits.
QPointF markerFill(QPointF center)
{
    return center + QPointF(0, -MapRenderer::MarkerRadius + 3.5);
}

QByteArray solidPng(QColor colour)
{
    QImage image(256, 256, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

void dump(const QImage &image, const QString &name)
{
    const QString dir = qEnvironmentVariable("TRACEMAP_MAP_DUMP_DIR");
    if (!dir.isEmpty())
        image.save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

} // namespace

class TestMapView : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void markersAtProjectedPixels();
    void fitRouteFramesAllHops();
    void antimeridianRoute();
    void nextFrameAfterModelChange();
    void notifyOnlyOnRealChange();
    void watchRoundRepaintsOnlyWhatShows_data();
    void watchRoundRepaintsOnlyWhatShows();
    void clickAndHover();
    void wheelZoomsAroundCursor();
    void dragPans();
    void keysZoomAndPan();
    void tilesFromLoopbackServer();
    void failingTilesShowTheBasemap();
    void exportImage_data();
    void exportImage();
    void exportErrors();
    void followsTheRouteUntilTheUserMoves();
    void labelsBesideMarkers();
    void legendAvoidsMarkers_data();
    void legendAvoidsMarkers();
    void attributionIsOneLineOnAShortView();

private:
    std::unique_ptr<QQuickWindow> m_window;
    MapView *m_map = nullptr;
    std::unique_ptr<HopModel> m_model;
    QTemporaryDir m_cache;
};

void TestMapView::initTestCase()
{
    // Deterministic pixels on any machine: the software scene graph.
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    QVERIFY(m_cache.isValid());
}

void TestMapView::init()
{
    m_window = std::make_unique<QQuickWindow>();
    m_window->resize(800, 600);
    m_model = std::make_unique<HopModel>();
    m_map = new MapView(m_window->contentItem());
    m_map->setSize(QSizeF(800, 600));
    m_map->setTilesEnabled(false);
    m_map->setNetworkEnabled(false); // nothing in this test may reach the internet
    m_map->setTileCacheDirectory(m_cache.path());
    m_map->setModel(m_model.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMapView::cleanup()
{
    m_window.reset();
    m_map = nullptr;
    m_model.reset();
}

void TestMapView::markersAtProjectedPixels()
{
    m_model->set({London, Frankfurt, Unplaced, NewYork, Chicago});
    m_map->setHasSource(true);
    m_map->setSourceLatitude(48.8566); // Paris
    m_map->setSourceLongitude(2.3522);
    m_map->fitRoute();
    const QImage image = m_map->renderImage(QSize(800, 600));
    dump(image, QStringLiteral("markers"));
    for (const Hop &hop : {London, Frankfurt, NewYork, Chicago}) {
        const QPointF p = m_map->coordinateToPixel(hop.latitude, hop.longitude);
        QVERIFY2(QRectF(0, 0, 800, 600).contains(p),
                 qPrintable(QStringLiteral("TTL %1 off screen").arg(hop.ttl)));
        const QColor expected = MapRenderer::rttColor(hop.rttMs);
        QVERIFY2(colourNear(image, markerFill(p), expected, 1),
                 qPrintable(QStringLiteral("TTL %1 at %2,%3: %4, expected %5")
                                .arg(hop.ttl)
                                .arg(p.x())
                                .arg(p.y())
                                .arg(image.pixelColor(markerFill(p).toPoint()).name(), expected.name())));
    }
    // RTT colours differ: green near, red far.
    QVERIFY(!near(MapRenderer::rttColor(5), MapRenderer::rttColor(250), 100));
    QCOMPARE(MapRenderer::rttColor(-1), QColor(0x8b, 0x95, 0x9e));
    // The source marker: a dark centre in a white ring.
    const QPointF source = m_map->coordinateToPixel(48.8566, 2.3522);
    QVERIFY(near(image.pixelColor(source.toPoint()), QColor(0x1b, 0x24, 0x30)));
    // Between Frankfurt (TTL 2) and New York (TTL 4) the route is dashed: along the arc some
    // pixels are route-coloured and some are not. (Checked loosely: the arc exists.)
    // The same picture on screen (grabWindow) as in the export.
    const QImage screen = m_window->grabWindow();
    const QPointF ny = m_map->coordinateToPixel(NewYork.latitude, NewYork.longitude);
    QVERIFY(colourNear(screen, markerFill(ny) * screen.devicePixelRatio(),
                       MapRenderer::rttColor(NewYork.rttMs), 1));
}

void TestMapView::fitRouteFramesAllHops()
{
    const QList<Hop> route{London, Frankfurt, NewYork, Chicago, {6, -33.8688, 151.2093, true, 300.0}};
    m_model->set(route);
    m_map->setZoom(9);
    m_map->fitRoute();
    QVERIFY(m_map->zoom() < 3.0);
    double minX = 1e9, maxX = -1e9, minY = 1e9, maxY = -1e9;
    for (const Hop &hop : route) {
        const QPointF p = m_map->coordinateToPixel(hop.latitude, hop.longitude);
        QVERIFY2(QRectF(20, 20, 760, 560).contains(p),
                 qPrintable(QStringLiteral("TTL %1 at %2,%3").arg(hop.ttl).arg(p.x()).arg(p.y())));
        minX = std::min(minX, p.x());
        maxX = std::max(maxX, p.x());
        minY = std::min(minY, p.y());
        maxY = std::max(maxY, p.y());
    }
    // Framed tightly: the route fills the view in at least one direction.
    QVERIFY(maxX - minX > 600 || maxY - minY > 400);

    // One place only: centred, and not zoomed to street level.
    m_model->set({Frankfurt});
    m_map->fitRoute();
    QVERIFY((m_map->coordinateToPixel(Frankfurt.latitude, Frankfurt.longitude) - QPointF(400, 300))
                .manhattanLength() < 1.0);
    QVERIFY(m_map->zoom() <= 12.0);
    // Basemap only: framed with its surroundings, since the basemap has no street detail.
    QVERIFY(!m_map->tilesEnabled());
    QCOMPARE(m_map->zoom(), 5.0);
}

void TestMapView::antimeridianRoute()
{
    const Hop tokyo{1, 35.6762, 139.6503, true, 10};
    const Hop honolulu{2, 21.3069, -157.8583, true, 90};
    const Hop sanFrancisco{3, 37.7749, -122.4194, true, 120};
    m_model->set({tokyo, honolulu, sanFrancisco});
    m_map->fitRoute();
    // Framed across the Pacific, not across the whole world the long way round.
    QVERIFY2(std::abs(m_map->centerLongitude()) > 150.0,
             qPrintable(QString::number(m_map->centerLongitude())));
    QVERIFY(m_map->zoom() > 2.0);
    const QImage image = m_map->renderImage(QSize(800, 600));
    dump(image, QStringLiteral("antimeridian"));
    for (const Hop &hop : {tokyo, honolulu, sanFrancisco}) {
        const QPointF p = m_map->coordinateToPixel(hop.latitude, hop.longitude);
        QVERIFY(QRectF(0, 0, 800, 600).contains(p));
        QVERIFY(colourNear(image, markerFill(p), MapRenderer::rttColor(hop.rttMs), 1));
    }
    // Tokyo is west of Honolulu on screen (same copy of the world, no wrap-around line).
    QVERIFY(m_map->coordinateToPixel(tokyo.latitude, tokyo.longitude).x() <
            m_map->coordinateToPixel(honolulu.latitude, honolulu.longitude).x());
    // The Tokyo -> Honolulu arc crosses 180°: route ink where it crosses. The crossing latitude
    // of that great circle, from its closed-form equation, is 30.99°.
    const QPointF crossing = m_map->coordinateToPixel(30.99, 180.0);
    QVERIFY2(colourNear(image, crossing, QColor(0x1f, 0x3f, 0x66), 3, 60),
             qPrintable(QStringLiteral("%1,%2").arg(crossing.x()).arg(crossing.y())));
}

void TestMapView::nextFrameAfterModelChange()
{
    m_model->set({London});
    m_map->setCenterLatitude(50);
    m_map->setCenterLongitude(0);
    m_map->setZoom(5);
    QSignalSpy frames(m_window.get(), &QQuickWindow::frameSwapped);
    QTRY_VERIFY(frames.count() > 0);
    QTest::qWait(50); // idle: no frame is pending any more
    frames.clear();

    m_model->append(Frankfurt);
    // The insert itself schedules the frame (no timer in between) ...
    QTRY_VERIFY_WITH_TIMEOUT(frames.count() > 0, 2000);
    // ... and that frame shows the new marker.
    const QImage screen = m_window->grabWindow();
    const QPointF p =
        m_map->coordinateToPixel(Frankfurt.latitude, Frankfurt.longitude) * screen.devicePixelRatio();
    QVERIFY(colourNear(screen, markerFill(p), MapRenderer::rttColor(Frankfurt.rttMs), 1));

    // A hop that gets its place later (dataChanged) is drawn as well.
    m_model->append(Unplaced);
    QTRY_VERIFY(frames.count() > 1);
    Hop placed = Unplaced;
    placed.hasLocation = true;
    placed.latitude = 52.52;
    placed.longitude = 13.405;
    frames.clear();
    m_model->update(2, placed);
    QTRY_VERIFY_WITH_TIMEOUT(frames.count() > 0, 2000);
    const QImage after = m_window->grabWindow();
    const QPointF berlin = m_map->coordinateToPixel(52.52, 13.405) * after.devicePixelRatio();
    QVERIFY(colourNear(after, markerFill(berlin), MapRenderer::rttColor(Unplaced.rttMs), 1));

    // Rows removed or reset: the markers go.
    m_model->set({});
    QCOMPARE(m_map->currentIndex(), -1);
}

void TestMapView::watchRoundRepaintsOnlyWhatShows_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<bool>("repainted");
    QTest::addColumn<bool>("labelsLaidOut"); // the basemap's place labels placed again
    QTest::newRow("nothing") << QString() << false << false;
    QTest::newRow("average within a colour step") << QStringLiteral("tiny rtt") << false << false;
    QTest::newRow("loss within an arc step") << QStringLiteral("tiny loss") << false << false;
    QTest::newRow("colour") << QStringLiteral("colour") << true << false;
    QTest::newRow("loss mark") << QStringLiteral("loss") << true << false;
    QTest::newRow("place") << QStringLiteral("place") << true << true;
}

void TestMapView::watchRoundRepaintsOnlyWhatShows()
{
    QFETCH(QString, change);
    QFETCH(bool, repainted);
    QFETCH(bool, labelsLaidOut);
    Hop lossy = NewYork;
    lossy.lossPct = 20.0;
    QList<Hop> hops{London, Frankfurt, lossy};
    m_model->set(hops);
    m_map->setCenterLatitude(48);
    m_map->setCenterLongitude(-30);
    m_map->setZoom(3);
    const MapRenderer &renderer = m_map->renderer();
    QTRY_VERIFY(renderer.paints() > 0);
    QTest::qWait(100); // settled: no frame pending
    const int paints = renderer.paints();
    const int layouts = renderer.placeLabelLayouts();
    QVERIFY(layouts > 0);

    if (change == QLatin1String("tiny rtt"))
        hops[1].rttMs += 0.001;
    else if (change == QLatin1String("tiny loss"))
        hops[2].lossPct += 0.001;
    else if (change == QLatin1String("colour"))
        hops[1].rttMs = 180.0;
    else if (change == QLatin1String("loss"))
        hops[1].lossPct = 10.0;
    else if (change == QLatin1String("place"))
        hops[1].latitude += 2.0;
    m_model->round(hops);
    if (repainted) {
        QTRY_VERIFY(renderer.paints() > paints);
    } else {
        QTest::qWait(100); // a repaint would have come by now
        QCOMPARE(renderer.paints(), paints);
    }
    QCOMPARE(renderer.placeLabelLayouts() > layouts, labelsLaidOut);
    if (change == QLatin1String("colour")) { // the new colour is on screen
        const QImage screen = m_window->grabWindow();
        const QPointF p =
            m_map->coordinateToPixel(Frankfurt.latitude, Frankfurt.longitude) * screen.devicePixelRatio();
        QVERIFY(colourNear(screen, markerFill(p), MapRenderer::rttColor(180.0), 1));
    }
}

void TestMapView::notifyOnlyOnRealChange()
{
    QSignalSpy zoom(m_map, &MapView::zoomChanged);
    QSignalSpy latitude(m_map, &MapView::centerLatitudeChanged);
    QSignalSpy longitude(m_map, &MapView::centerLongitudeChanged);
    QSignalSpy current(m_map, &MapView::currentIndexChanged);
    QSignalSpy extra(m_map, &MapView::extraAttributionsChanged);
    QSignalSpy attribution(m_map, &MapView::attributionChanged);
    m_map->setZoom(4);
    m_map->setZoom(4);
    QCOMPARE(zoom.count(), 1);
    m_map->setZoom(40); // clamped to 19
    m_map->setZoom(19);
    QCOMPARE(zoom.count(), 2);
    QCOMPARE(m_map->zoom(), 19.0);
    m_map->setCenterLongitude(190);
    QCOMPARE(m_map->centerLongitude(), -170.0);
    m_map->setCenterLongitude(-170);
    QCOMPARE(longitude.count(), 1);
    m_map->setCenterLatitude(89);
    m_map->setCenterLatitude(88);
    QCOMPARE(latitude.count(), 1); // both clamp to 85.05
    m_map->setCurrentIndex(2);
    m_map->setCurrentIndex(2);
    QCOMPARE(current.count(), 1);
    m_map->setExtraAttributions({QStringLiteral("IP Geolocation by DB-IP")});
    m_map->setExtraAttributions({QStringLiteral("IP Geolocation by DB-IP")});
    QCOMPARE(extra.count(), 1);
    QCOMPARE(m_map->attribution(),
             QStringLiteral("Basemap: Natural Earth (public domain), places: GeoNames (CC BY 4.0)"));
    m_map->setTilesEnabled(true);
    QCOMPARE(attribution.count(), 1);
    QCOMPARE(m_map->attribution(), QStringLiteral("© OpenStreetMap contributors"));
    QCOMPARE(m_map->tileStatus(), QStringLiteral("off")); // network disabled in init()
    QVERIFY(m_map->tilesSettled());
}

void TestMapView::clickAndHover()
{
    m_model->set({London, Frankfurt, Unplaced, NewYork});
    m_map->fitRoute();
    QTRY_VERIFY(m_window->isExposed());
    QSignalSpy clicked(m_map, &MapView::hopClicked);
    const QPointF ny = m_map->coordinateToPixel(NewYork.latitude, NewYork.longitude);
    QTest::mouseMove(m_window.get(), ny.toPoint());
    QTRY_COMPARE(m_map->hoveredIndex(), 3);
    QCOMPARE(m_map->hoveredPosition(), ny);
    QTest::mouseClick(m_window.get(), Qt::LeftButton, {}, ny.toPoint());
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.first().first().toInt(), 3);
    QCOMPARE(m_map->currentIndex(), 3);
    // The pointer stays; the view zooms out under it: the hover follows the markers.
    m_map->setZoom(m_map->zoom() - 2);
    QVERIFY(m_map->hoveredIndex() != 3 || (m_map->hoveredPosition() - ny).manhattanLength() > 1.0);
    m_map->fitRoute(); // back to the same view: the marker is under the pointer again
    QCOMPARE(m_map->hoveredIndex(), 3);
    QVERIFY((m_map->hoveredPosition() - ny).manhattanLength() < 1e-6);
    // Empty sea: nothing hovered, a click selects nothing new.
    QTest::mouseMove(m_window.get(), QPoint(5, 5));
    QTRY_COMPARE(m_map->hoveredIndex(), -1);
    QTest::mouseClick(m_window.get(), Qt::LeftButton, {}, QPoint(5, 5));
    QCOMPARE(clicked.count(), 1);
    const QImage image = m_map->renderImage(QSize(800, 600));
    dump(image, QStringLiteral("selected"));
}

void TestMapView::wheelZoomsAroundCursor()
{
    m_map->setCenterLatitude(48);
    m_map->setCenterLongitude(5);
    m_map->setZoom(4);
    const QPointF cursor(600, 150);
    const QPointF before = m_map->pixelToCoordinate(cursor);
    QWheelEvent wheel(cursor, m_window->mapToGlobal(cursor.toPoint()), {}, QPoint(0, 240), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(m_map, &wheel);
    QCOMPARE(m_map->zoom(), 5.0);
    const QPointF after = m_map->pixelToCoordinate(cursor);
    QVERIFY(std::abs(before.x() - after.x()) < 1e-6);
    QVERIFY(std::abs(before.y() - after.y()) < 1e-6);
}

void TestMapView::dragPans()
{
    m_map->setCenterLatitude(0);
    m_map->setCenterLongitude(0);
    m_map->setZoom(3);
    const QPointF grabbed = m_map->pixelToCoordinate(QPointF(400, 300));
    QTest::mousePress(m_window.get(), Qt::LeftButton, {}, QPoint(400, 300));
    for (int step = 1; step <= 10; ++step)
        QTest::mouseMove(m_window.get(), QPoint(400 + 20 * step, 300 + 5 * step));
    QTest::mouseRelease(m_window.get(), Qt::LeftButton, {}, QPoint(600, 350));
    // The coordinate grabbed follows the pointer.
    const QPointF now = m_map->coordinateToPixel(grabbed.x(), grabbed.y());
    QVERIFY2((now - QPointF(600, 350)).manhattanLength() < 1.0,
             qPrintable(QStringLiteral("%1,%2").arg(now.x()).arg(now.y())));
    QCOMPARE(m_map->currentIndex(), -1); // a drag is not a click

    // Dragging across the antimeridian wraps.
    m_map->setCenterLongitude(178);
    m_map->setZoom(6);
    QTest::mousePress(m_window.get(), Qt::LeftButton, {}, QPoint(600, 300));
    for (int step = 1; step <= 10; ++step)
        QTest::mouseMove(m_window.get(), QPoint(600 - 40 * step, 300));
    QTest::mouseRelease(m_window.get(), Qt::LeftButton, {}, QPoint(200, 300));
    QVERIFY2(m_map->centerLongitude() < -170.0, qPrintable(QString::number(m_map->centerLongitude())));
}

void TestMapView::keysZoomAndPan()
{
    m_map->forceActiveFocus();
    m_map->setCenterLatitude(0);
    m_map->setCenterLongitude(0);
    m_map->setZoom(3);
    QTest::keyClick(m_window.get(), Qt::Key_Plus);
    QCOMPARE(m_map->zoom(), 4.0);
    QTest::keyClick(m_window.get(), Qt::Key_Minus);
    QCOMPARE(m_map->zoom(), 3.0);
    QTest::keyClick(m_window.get(), Qt::Key_Right);
    QVERIFY(m_map->centerLongitude() > 0);
    QTest::keyClick(m_window.get(), Qt::Key_Up);
    QVERIFY(m_map->centerLatitude() > 0);
}

void TestMapView::tilesFromLoopbackServer()
{
    test::LoopbackHttpServer server;
    QVERIFY(server.listen());
    const QColor tileColour(0xaa, 0x33, 0xcc);
    const QByteArray png = solidPng(tileColour);
    server.setDefaultHandler([&](const test::LoopbackHttpServer::Request &) {
        test::LoopbackHttpServer::Response r;
        r.body = png;
        r.header("Content-Type", "image/png");
        return r;
    });
    QTemporaryDir cache;
    m_map->setTileCacheDirectory(cache.path());
    m_map->setTileUrlTemplate(server.url().toString() + QStringLiteral("/{z}/{x}/{y}.png"));
    m_map->setCenterLatitude(47);
    m_map->setCenterLongitude(8);
    m_map->setZoom(5);
    m_map->setNetworkEnabled(true);
    m_map->setTilesEnabled(true);
    QVERIFY(!m_map->tilesSettled());
    QCOMPARE(m_map->tileStatus(), QStringLiteral("loading"));
    QTRY_VERIFY_WITH_TIMEOUT(m_map->tilesSettled(), 10000);
    QCOMPARE(m_map->tileStatus(), QStringLiteral("ok"));
    QVERIFY(server.maxOpenConnections() <= 2);
    // Only the view plus one tile around it: 800x600 at zoom 5 is at most 5x4 tiles, 7x6 with the margin.
    QVERIFY2(server.requestCount() <= 42, qPrintable(QString::number(server.requestCount())));
    for (const auto &request : server.requests())
        QCOMPARE(request.header("User-Agent"), TileLoader::userAgent().toLatin1());
    const QImage image = m_map->renderImage(QSize(800, 600));
    dump(image, QStringLiteral("tiles"));
    QVERIFY(near(image.pixelColor(400, 100), tileColour, 10));

    // Zoomed in, while the new tiles are slow to come: the parent tiles, scaled, are drawn.
    server.setDefaultHandler([&](const test::LoopbackHttpServer::Request &) {
        test::LoopbackHttpServer::Response r;
        r.body = png;
        r.delayMs = 3000;
        return r;
    });
    m_map->setZoom(6);
    QCOMPARE(m_map->tileStatus(), QStringLiteral("loading"));
    const QImage zoomed = m_map->renderImage(QSize(800, 600));
    QVERIFY(near(zoomed.pixelColor(400, 100), tileColour, 10));
    m_map->setNetworkEnabled(false);
}

void TestMapView::failingTilesShowTheBasemap()
{
    test::LoopbackHttpServer server;
    QVERIFY(server.listen());
    server.setDefaultHandler([](const test::LoopbackHttpServer::Request &) {
        return test::LoopbackHttpServer::text("blocked", 403);
    });
    QTemporaryDir cache;
    m_map->setTileCacheDirectory(cache.path());
    m_map->setTileUrlTemplate(server.url().toString() + QStringLiteral("/{z}/{x}/{y}.png"));
    m_map->setCenterLatitude(47);
    m_map->setCenterLongitude(8);
    m_map->setZoom(5);
    m_map->setNetworkEnabled(true);
    m_map->setTilesEnabled(true);
    QTRY_COMPARE_WITH_TIMEOUT(m_map->tileStatus(), QStringLiteral("failing"), 10000);
    QVERIFY(m_map->tilesSettled());
    // The world is still drawn: land around Switzerland, sea in the Bay of Biscay.
    const QImage image = m_map->renderImage(QSize(800, 600));
    const BasemapStyle style;
    QVERIFY(near(image.pixelColor(m_map->coordinateToPixel(48.5, 9.0).toPoint()), style.land, 12));
    QVERIFY(near(image.pixelColor(m_map->coordinateToPixel(45.5, -4.0).toPoint()), style.ocean, 12));
    // Nothing of OpenStreetMap is drawn, so nothing is credited to it, and the map says why.
    QCOMPARE(m_map->attribution(), MapRenderer::basemapAttribution());
    QVERIFY2(m_map->tileProblem().contains(QLatin1String("refused")), qPrintable(m_map->tileProblem()));
    m_map->setNetworkEnabled(false);
}

void TestMapView::exportImage_data()
{
    QTest::addColumn<QSize>("requested");
    QTest::addColumn<QSize>("expected");
    QTest::newRow("item size") << QSize(0, 0) << QSize(800, 600);
    QTest::newRow("full hd") << QSize(1920, 1080) << QSize(1920, 1080);
    QTest::newRow("small") << QSize(320, 240) << QSize(320, 240);
}

void TestMapView::exportImage()
{
    QFETCH(QSize, requested);
    QFETCH(QSize, expected);
    m_model->set({London, Frankfurt, Unplaced, NewYork, Chicago});
    m_map->setExtraAttributions({QStringLiteral("IP Geolocation by DB-IP")});
    m_map->fitRoute();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("map.png"));
    QCOMPARE(m_map->exportImage(path, requested.width(), requested.height()), QString());
    QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), expected);
    dump(image, QStringLiteral("export-%1x%2").arg(expected.width()).arg(expected.height()));
    // Not blank: ocean, land, borders, route, markers.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    // Markers where coordinateToImagePixel predicts.
    for (const Hop &hop : {London, NewYork, Chicago}) {
        const QPointF p =
            m_map->coordinateToImagePixel(hop.latitude, hop.longitude, expected.width(), expected.height());
        QVERIFY(colourNear(image, markerFill(p), MapRenderer::rttColor(hop.rttMs), 1));
    }
    // Attribution bottom-right: dark text on a light box.
    int ink = 0, paper = 0;
    for (int y = image.height() - 14; y < image.height() - 3; ++y) {
        for (int x = image.width() - 120; x < image.width() - 4; ++x) {
            const QColor c = image.pixelColor(x, y);
            ink += c.lightness() < 110;
            paper += c.lightness() > 220;
        }
    }
    QVERIFY2(ink > 30 && paper > 300, qPrintable(QStringLiteral("ink %1 paper %2").arg(ink).arg(paper)));
}

void TestMapView::exportErrors()
{
    QTemporaryDir dir;
    QVERIFY(!m_map->exportImage(QString(), 10, 10).isEmpty());
    QVERIFY(!m_map->exportImage(dir.filePath(QStringLiteral("x.png")), -1, 10).isEmpty());
    QVERIFY(!m_map->exportImage(dir.filePath(QStringLiteral("x.png")), 20000, 10).isEmpty());
    QVERIFY(m_map->exportImage(dir.filePath(QStringLiteral("missing/dir/x.png")), 100, 100)
                .contains(QLatin1String("does not exist")));
    MapView detached;
    QVERIFY(!detached.exportImage(dir.filePath(QStringLiteral("x.png"))).isEmpty()); // no size yet
    QCOMPARE(detached.exportImage(dir.filePath(QStringLiteral("y.png")), 64, 48), QString());
}

void TestMapView::followsTheRouteUntilTheUserMoves()
{
    m_map->setFollowRoute(true);
    const auto allShown = [&](const QList<Hop> &hops) {
        for (const Hop &hop : hops) {
            if (!QRectF(0, 0, m_map->width(), m_map->height())
                     .contains(m_map->coordinateToPixel(hop.latitude, hop.longitude)))
                return false;
        }
        return true;
    };
    m_model->append(London);
    m_model->append(Frankfurt);
    QVERIFY(allShown({London, Frankfurt}));
    const double zoomForTwo = m_map->zoom();
    m_model->append(NewYork); // far away: the view widens to keep it
    QVERIFY(allShown({London, Frankfurt, NewYork}));
    QVERIFY(m_map->zoom() < zoomForTwo);
    // A hop already inside the view moves nothing (no jump on every hop).
    const double zoom = m_map->zoom(), latitude = m_map->centerLatitude();
    m_model->append({5, 51.0, 4.0, true, 12.0});
    QCOMPARE(m_map->zoom(), zoom);
    QCOMPARE(m_map->centerLatitude(), latitude);
    // A bigger window: framed again.
    m_map->setSize(QSizeF(800, 900));
    QVERIFY(m_map->zoom() >= zoom);
    QVERIFY(allShown({London, Frankfurt, NewYork}));
    // The user zooms: following stops, new hops and resizes leave the view alone.
    QWheelEvent wheel(QPointF(400, 300), m_window->mapToGlobal(QPoint(400, 300)), {}, QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(m_map, &wheel);
    QVERIFY(!m_map->followRoute());
    const double userZoom = m_map->zoom();
    m_model->append(Chicago);
    m_map->setSize(QSizeF(800, 600));
    QCOMPARE(m_map->zoom(), userZoom);
    m_map->fitRoute(); // follows again
    QVERIFY(m_map->followRoute());
    QVERIFY(allShown({London, Frankfurt, NewYork, Chicago}));
}

void TestMapView::labelsBesideMarkers()
{
    m_model->set({London, NewYork});
    m_map->fitRoute();
    const QImage plain = m_map->renderImage(QSize(800, 600));
    m_map->setLabelsVisible(true);
    const QImage labelled = m_map->renderImage(QSize(800, 600));
    dump(labelled, QStringLiteral("labels"));
    // Beside each marker, on one side only (right, or left where the view ends), the label's box
    // and text change pixels.
    const QRect inside = plain.rect();
    const auto changedPixels = [&](QPoint p, int direction) {
        int count = 0;
        for (int y = p.y() - 6; y <= p.y() + 6; ++y) {
            for (int dx = 16; dx < 60; ++dx) {
                const QPoint q(p.x() + direction * dx, y);
                count += inside.contains(q) && plain.pixel(q) != labelled.pixel(q);
            }
        }
        return count;
    };
    for (const Hop &hop : {London, NewYork}) {
        const QPoint p = m_map->coordinateToPixel(hop.latitude, hop.longitude).toPoint();
        const int right = changedPixels(p, 1), left = changedPixels(p, -1);
        QVERIFY2((right > 100) != (left > 100) && std::min(right, left) == 0,
                 qPrintable(QStringLiteral("TTL %1: %2 right, %3 left").arg(hop.ttl).arg(right).arg(left)));
    }
}

void TestMapView::legendAvoidsMarkers_data()
{
    // Markers put in the legend's corners, by index: 0 bottom-left, 1 top-left, 2 bottom-right.
    QTest::addColumn<QList<int>>("occupied");
    QTest::addColumn<int>("expectedCorner"); // -1: no legend
    QTest::newRow("no marker in a corner: bottom-left") << QList<int>{} << 0;
    QTest::newRow("bottom-left taken: top-left") << QList<int>{0} << 1;
    QTest::newRow("both left corners taken: bottom-right") << QList<int>{0, 1} << 2;
    QTest::newRow("all corners taken: no legend") << QList<int>{0, 1, 2} << -1;
}

void TestMapView::legendAvoidsMarkers()
{
    QFETCH(QList<int>, occupied);
    QFETCH(int, expectedCorner);
    const MapViewport view(30.0, 10.0, 3.0, QSizeF(900, 560));
    MapScene scene;
    scene.attribution = MapRenderer::basemapAttribution();
    // The corners as the legend would take them one after another.
    QList<QRectF> corners;
    for (int i = 0; i < 3; ++i) {
        corners << MapRenderer::legendRect(view, scene);
        QVERIFY(corners.last().isValid());
        const GeoPoint at = view.pixelToCoordinate(corners.last().center());
        scene.hops.append(MapHop{i, i + 1, at.latitude, at.longitude, true, -1.0, 10.0, {}, {}, -1.0, false});
    }
    QVERIFY(corners[0].left() < 100 && corners[0].top() > 280);
    QVERIFY(corners[1].left() < 100 && corners[1].top() < 100);
    QVERIFY(corners[2].left() > 450 && corners[2].top() > 280);
    // A marker in the middle, and one in each occupied corner.
    scene.hops.clear();
    const GeoPoint middle = view.pixelToCoordinate(QPointF(450, 280));
    scene.hops.append(MapHop{0, 1, middle.latitude, middle.longitude, true, -1.0, 10.0, {}, {}, -1.0, false});
    for (const int corner : occupied) {
        const GeoPoint at = view.pixelToCoordinate(corners[corner].topRight() + QPointF(-20, 12));
        scene.hops.append(MapHop{int(scene.hops.size()),
                                 int(scene.hops.size()) + 1,
                                 at.latitude,
                                 at.longitude,
                                 true,
                                 -1.0,
                                 10.0,
                                 {},
                                 {},
                                 -1.0,
                                 false});
    }
    const QRectF legend = MapRenderer::legendRect(view, scene);
    QCOMPARE(legend, expectedCorner < 0 ? QRectF() : corners[expectedCorner]);
    for (const MarkerPlacement &m : MapRenderer::placeMarkers(view, scene)) {
        const QRectF disc(m.position - QPointF(m.radius, m.radius), QSizeF(2 * m.radius, 2 * m.radius));
        QVERIFY2(!legend.intersects(disc),
                 qPrintable(QStringLiteral("marker %1 under the legend").arg(m.ttl)));
    }
    MapRenderer renderer;
    dump(renderer.render(view, scene, nullptr), QStringLiteral("legend-%1").arg(expectedCorner));
}

// At the window's minimum size the map is about 160 px tall: on screen the attribution is one
// line (its whole text for a tooltip), while an export still wraps it in full.
void TestMapView::attributionIsOneLineOnAShortView()
{
    m_map->setSize(QSizeF(744, 160));
    const QStringList extra{QStringLiteral("IP geolocation by DB-IP.com (CC BY 4.0)"),
                            QStringLiteral("Place names © OpenStreetMap contributors via Nominatim (ODbL)"),
                            QStringLiteral("Hints from host names: GeoNames (CC BY 4.0)"),
                            QStringLiteral("Your own overrides and geofeeds (RFC 8805)")};
    m_map->setExtraAttributions(extra);
    const QRectF area = m_map->attributionArea();
    QVERIFY(area.isValid());
    QVERIFY2(area.height() <= 24, qPrintable(QString::number(area.height())));
    QCOMPARE(area.bottom(), 160.0);
    const QString full = m_map->attributionText();
    QVERIFY(full.startsWith(MapRenderer::basemapAttribution()));
    for (const QString &part : extra)
        QVERIFY(full.contains(part));
    MapScene exported;
    exported.attribution = m_map->attribution();
    exported.extraAttributions = extra;
    QString wrapped;
    const QRectF exportArea = MapRenderer::attributionRect(m_map->viewport(), exported, &wrapped);
    QCOMPARE(wrapped, full);
    QVERIFY(exportArea.height() > 1.5 * area.height());
    dump(m_map->renderImage(QSize(744, 160)), QStringLiteral("short-view"));
}

QTEST_MAIN(TestMapView)
#include "tst_mapview.moc"
