// Populated-place labels on the basemap: they never overlap each other, a hop marker, its label
// or an overlay; they stay inside the view; national capitals show at world zoom, more places
// show deeper in; the route wins over a place; and the antimeridian is labelled on both sides.

#include "maphops.h"
#include "maprenderer.h"
#include "placelabels.h"

#include <QTest>

using namespace tracemap;

namespace {

const QSizeF ViewSize(1280, 800);

MapScene emptyScene()
{
    MapScene scene;
    scene.attribution = MapRenderer::basemapAttribution();
    return scene;
}

MapHop hopAt(int ttl, double latitude, double longitude, const QString &label = {})
{
    return maphops::placed(ttl, latitude, longitude, 20.0 * ttl, {}, label);
}

BasemapPlace placeAt(const QString &name, double latitude, double longitude, qint64 population,
                     BasemapPlace::Rank rank = BasemapPlace::Rank::Other, int minZoom = 0)
{
    return {name, latitude, longitude, population, rank, minZoom};
}

QStringList names(const QList<PlaceLabel> &labels)
{
    QStringList out;
    for (const PlaceLabel &label : labels)
        out.append(label.text);
    return out;
}

// Labels in `viewport` around the route of `scene`, through the renderer as it paints them.
QList<PlaceLabel> labelsFor(const MapViewport &viewport, const MapScene &scene)
{
    return MapRenderer(Basemap::builtIn()).placeLabels(viewport, scene);
}

} // namespace

class TestPlaceLabels : public QObject
{
    Q_OBJECT

private slots:
    void neverOverlap_data();
    void neverOverlap();
    void capitalsAtWorldZoom_data();
    void capitalsAtWorldZoom();
    void moreLabelsDeeperIn();
    void theRouteWins();
    void antimeridian();
    void greedyByRankThenPopulation();
    void minZoomAndObstacles();
};

void TestPlaceLabels::neverOverlap_data()
{
    QTest::addColumn<double>("latitude");
    QTest::addColumn<double>("longitude");
    QTest::addColumn<double>("zoom");
    QTest::addColumn<int>("minLabels");
    QTest::newRow("world (start view)") << 25.0 << 0.0 << 1.5 << 60;
    QTest::newRow("world (fits the width)") << 20.0 << 0.0 << 2.33 << 60;
    QTest::newRow("continent (europe)") << 50.0 << 10.0 << 4.0 << 30;
    QTest::newRow("country (france)") << 46.5 << 2.5 << 6.0 << 20;
    QTest::newRow("city (paris)") << 48.85 << 2.35 << 10.0 << 3;
    QTest::newRow("dense (east asia)") << 32.0 << 118.0 << 5.0 << 30;
}

void TestPlaceLabels::neverOverlap()
{
    QFETCH(double, latitude);
    QFETCH(double, longitude);
    QFETCH(double, zoom);
    QFETCH(int, minLabels);
    const MapViewport viewport(latitude, longitude, zoom, ViewSize);
    // A route through the middle of the view, with labels beside its markers.
    MapScene scene = emptyScene();
    scene.showLabels = true;
    const GeoPoint a = viewport.pixelToCoordinate(QPointF(640, 400));
    const GeoPoint b = viewport.pixelToCoordinate(QPointF(760, 330));
    scene.hops = {hopAt(1, a.latitude, a.longitude, QStringLiteral("router one")),
                  hopAt(2, b.latitude, b.longitude, QStringLiteral("router two"))};
    const QList<PlaceLabel> labels = labelsFor(viewport, scene);
    QVERIFY2(labels.size() >= minLabels, qPrintable(names(labels).join(QLatin1String(", "))));

    const QList<QRectF> obstacles = MapRenderer::placeLabelObstacles(viewport, scene);
    QVERIFY(obstacles.size() >= 2 + 2 + 3); // markers, hop labels, legend, scale bar, attribution
    const QRectF view(QPointF(0, 0), ViewSize);
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const PlaceLabel &label = labels[i];
        QVERIFY2(view.contains(label.box) && view.contains(label.dotBox), qPrintable(label.text));
        for (const QRectF &obstacle : obstacles) {
            QVERIFY2(!obstacle.intersects(label.box) && !obstacle.intersects(label.dotBox),
                     qPrintable(label.text));
        }
        for (qsizetype j = 0; j < i; ++j) {
            const PlaceLabel &other = labels[j];
            for (const QRectF &mine : {label.box, label.dotBox}) {
                for (const QRectF &theirs : {other.box, other.dotBox})
                    QVERIFY2(!mine.intersects(theirs),
                             qPrintable(label.text + QLatin1String(" / ") + other.text));
            }
        }
    }
}

void TestPlaceLabels::capitalsAtWorldZoom_data()
{
    QTest::addColumn<double>("zoom");
    QTest::addColumn<QString>("name");
    for (const char *capital : {"Paris", "Tokyo", "Washington, D.C.", "Beijing", "Moscow", "Canberra"}) {
        // A world view: the world as wide as the view, and a little less.
        QTest::addRow("%s, world fits the width", capital) << 2.33 << QString::fromUtf8(capital);
        QTest::addRow("%s, zoom 2", capital) << 2.0 << QString::fromUtf8(capital);
    }
}

void TestPlaceLabels::capitalsAtWorldZoom()
{
    QFETCH(double, zoom);
    QFETCH(QString, name);
    const QList<PlaceLabel> labels = labelsFor(MapViewport(20.0, 0.0, zoom, ViewSize), emptyScene());
    QVERIFY2(names(labels).contains(name), qPrintable(names(labels).join(QLatin1String(", "))));
    // A world view shows capitals and the largest cities only.
    const QList<BasemapPlace> &places = Basemap::builtIn()->places();
    for (const PlaceLabel &label : labels) {
        const BasemapPlace &place = places[label.place];
        QVERIFY2(place.rank == BasemapPlace::Rank::NationalCapital || place.population >= 1000000 ||
                     place.minZoom <= 2,
                 qPrintable(label.text));
    }
}

void TestPlaceLabels::moreLabelsDeeperIn()
{
    // The places labelled inside France's box, with France in view at each zoom.
    const QRectF france(QPointF(-5.0, 42.0), QPointF(8.5, 51.5)); // lon, lat
    int previous = 0;
    for (double zoom : {3.0, 4.0, 5.0, 6.0}) {
        int inFrance = 0;
        const QList<BasemapPlace> &places = Basemap::builtIn()->places();
        for (const PlaceLabel &label : labelsFor(MapViewport(46.5, 2.0, zoom, ViewSize), emptyScene())) {
            const BasemapPlace &place = places[label.place];
            inFrance += france.contains(QPointF(place.longitude, place.latitude)) ? 1 : 0;
        }
        QVERIFY2(inFrance > previous,
                 qPrintable(QStringLiteral("zoom %1: %2 after %3").arg(zoom).arg(inFrance).arg(previous)));
        previous = inFrance;
    }
}

void TestPlaceLabels::theRouteWins()
{
    const MapViewport viewport(48.0, 5.0, 5.0, ViewSize);
    QVERIFY(names(labelsFor(viewport, emptyScene())).contains(QStringLiteral("Paris")));
    MapScene scene = emptyScene();
    scene.hops = {hopAt(1, 48.853, 2.349)}; // a hop in Paris
    const QList<PlaceLabel> labels = labelsFor(viewport, scene);
    QVERIFY(!names(labels).contains(QStringLiteral("Paris")));
    const MarkerPlacement marker = MapRenderer::placeMarkers(viewport, scene).constFirst();
    const QRectF markerBox(marker.position - QPointF(marker.radius, marker.radius),
                           QSizeF(2 * marker.radius, 2 * marker.radius));
    for (const PlaceLabel &label : labels)
        QVERIFY(!markerBox.intersects(label.box) && !markerBox.intersects(label.dotBox));
    // A further route's dot (another vantage point) wins too, and so does its legend.
    MapScene further = emptyScene();
    MapRoute route;
    route.id = QStringLiteral("other");
    route.name = QStringLiteral("other vantage point");
    route.hops = {hopAt(1, 48.853, 2.349)};
    further.routes = {route};
    const QRectF routeLegend = MapRenderer::routeLegendRect(viewport, further);
    QVERIFY(routeLegend.isValid());
    const QList<PlaceLabel> withRoute = labelsFor(viewport, further);
    QVERIFY(!names(withRoute).contains(QStringLiteral("Paris")));
    for (const PlaceLabel &label : withRoute)
        QVERIFY(!routeLegend.intersects(label.box) && !routeLegend.intersects(label.dotBox));
}

void TestPlaceLabels::antimeridian()
{
    // Centred on 180°: Suva (178.4°E) left of the centre, Apia (171.8°W) right of it.
    const MapViewport viewport(-16.0, 180.0, 5.0, ViewSize);
    const QList<PlaceLabel> labels = labelsFor(viewport, emptyScene());
    const QStringList shown = names(labels);
    QVERIFY2(shown.contains(QStringLiteral("Suva")) && shown.contains(QStringLiteral("Apia")),
             qPrintable(shown.join(QLatin1String(", "))));
    for (const PlaceLabel &label : labels) {
        if (label.text == QLatin1String("Suva"))
            QVERIFY(label.dot.x() < 640 && label.dot.x() > 540);
        if (label.text == QLatin1String("Apia"))
            QVERIFY(label.dot.x() > 640 && label.dot.x() < 1000);
    }
}

void TestPlaceLabels::greedyByRankThenPopulation()
{
    // Three places on one spot: only one fits, the capital, though it is the smallest.
    const QList<BasemapPlace> places{
        placeAt(QStringLiteral("Big"), 10.0, 10.0, 5000000),
        placeAt(QStringLiteral("Capital"), 10.0, 10.0, 100000, BasemapPlace::Rank::NationalCapital),
        placeAt(QStringLiteral("Bigger"), 10.0, 10.0, 9000000),
        placeAt(QStringLiteral("Elsewhere"), 10.0, 30.0, 200000),
    };
    const MapViewport viewport(10.0, 20.0, 4.0, ViewSize);
    const QList<PlaceLabel> labels = PlaceLabels::place(viewport, places, {});
    QCOMPARE(names(labels), QStringList({QStringLiteral("Capital"), QStringLiteral("Elsewhere")}));
    QCOMPARE(labels[0].place, 1);
    // Among equals, the larger goes first; the smaller still fits on another side of its dot
    // when its dot is clear.
    const QList<BasemapPlace> near{placeAt(QStringLiteral("Small"), 10.0, 20.0, 100000),
                                   placeAt(QStringLiteral("Large"), 10.3, 20.0, 900000)};
    QCOMPARE(names(PlaceLabels::place(viewport, near, {})).constFirst(), QStringLiteral("Large"));
}

void TestPlaceLabels::minZoomAndObstacles()
{
    const QList<BasemapPlace> places{placeAt(QStringLiteral("Early"), 0.0, 0.0, 100000, {}, 2),
                                     placeAt(QStringLiteral("Late"), 0.0, 20.0, 100000, {}, 6)};
    QCOMPARE(names(PlaceLabels::place(MapViewport(0, 10, 3.0, ViewSize), places, {})),
             QStringList{QStringLiteral("Early")});
    QCOMPARE(names(PlaceLabels::place(MapViewport(0, 10, 6.0, ViewSize), places, {})).size(), 2);
    // An obstacle on the dot drops the place; one beside it moves the text to another side.
    const MapViewport viewport(0, 0, 4.0, ViewSize);
    const QPointF dot = viewport.coordinateToPixel(0, 0);
    const QList<BasemapPlace> one{places.constFirst()};
    QVERIFY(PlaceLabels::place(viewport, one, {QRectF(dot - QPointF(4, 4), QSizeF(8, 8))}).isEmpty());
    const QList<PlaceLabel> moved =
        PlaceLabels::place(viewport, one, {QRectF(dot + QPointF(6, -20), QSizeF(200, 40))});
    QCOMPARE(moved.size(), 1);
    QVERIFY(moved[0].box.right() < dot.x());
    // Nothing outside the view, nothing in an empty one.
    QVERIFY(PlaceLabels::place(MapViewport(0, 120, 4.0, ViewSize), one, {}).isEmpty());
    QVERIFY(PlaceLabels::place(MapViewport(0, 0, 4.0, QSizeF()), one, {}).isEmpty());
}

QTEST_MAIN(TestPlaceLabels)
#include "tst_placelabels.moc"
