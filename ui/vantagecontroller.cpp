#include "vantagecontroller.h"
#include "vantagecontroller_p.h"

#include "agentclient.h"
#include "atlasapi.h"
#include "atlasclient.h"
#include "atlasresult.h"
#include "geoservice.h"
#include "globalping.h"
#include "globalpingclient.h"
#include "hopmodelreader.h"
#include "mapframing.h"
#include "notifying.h"
#include "tracefile.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>

Q_LOGGING_CATEGORY(lcVantage, "tracemap.ui.vantage", QtWarningMsg)

namespace tracemap {

namespace {

constexpr qint64 kMaxDocumentBytes = 256LL * 1024 * 1024;

QString localPath(const QString &pathOrUrl)
{
    const QUrl url(pathOrUrl);
    return url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
}

QString stateText(VantageController::State state)
{
    switch (state) {
    case VantageController::Loading:
        return QStringLiteral("loading");
    case VantageController::Streaming:
        return QStringLiteral("streaming");
    case VantageController::Done:
        return QStringLiteral("done");
    case VantageController::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

} // namespace

VantageDocumentKind vantageDocumentKind(const QByteArray &document)
{
    const QJsonDocument json = QJsonDocument::fromJson(document);
    if (json.isArray()) {
        const QJsonArray results = json.array();
        const QJsonObject first = results.isEmpty() ? QJsonObject() : results.first().toObject();
        return first.contains(QLatin1String("prb_id")) && first.contains(QLatin1String("msm_id"))
                   ? VantageDocumentKind::RipeAtlas
                   : VantageDocumentKind::Unknown;
    }
    const QJsonObject o = json.object();
    return o.value(QLatin1String("results")).isArray() && o.contains(QLatin1String("type"))
               ? VantageDocumentKind::Globalping
               : VantageDocumentKind::Unknown;
}

QList<VantageTrace> readVantageDocument(const QByteArray &document, QString *error)
{
    QList<VantageTrace> routes;
    switch (vantageDocumentKind(document)) {
    case VantageDocumentKind::RipeAtlas: {
        const AtlasParseOutcome parsed = parseAtlasResults(document);
        if (!parsed.ok()) {
            *error = parsed.message;
            return {};
        }
        for (const AtlasResult &r : parsed.results)
            routes << toVantageTrace(r);
        break;
    }
    case VantageDocumentKind::Globalping: {
        const GlobalpingParseOutcome parsed = parseGlobalpingMeasurement(document);
        if (!parsed.ok()) {
            *error = parsed.message;
            return {};
        }
        routes = parsed.measurement.routes;
        break;
    }
    case VantageDocumentKind::Unknown: {
        // What File → Open… takes (a trace file, or what `trace --json` prints) opens there; said
        // briefly, so that the status area shows it whole.
        *error = parseTraceFile(document, PlainTrace::Accept).ok()
                     ? QStringLiteral("a tracemap trace: open it with File → Open…")
                     : QStringLiteral("neither RIPE Atlas traceroute results nor a Globalping measurement");
        return {};
    }
    }
    if (routes.isEmpty())
        *error = QStringLiteral("the document holds no route");
    return routes;
}

VantageController::VantageController(GeoService *geo, QObject *parent)
    : QObject(parent), m_routeSet(new RouteSet(this)), m_atlasUrl(kAtlasDefaultBase),
      m_globalpingUrl(kGlobalpingDefaultBase)
{
    registerVantageTypes();
    registerGeoTypes();
    m_routeSet->setMainRouteName(QStringLiteral("This machine"));
    // Many answers arrive in one pass of the event loop (offline lookups are synchronous): the
    // map's routes are rebuilt once after them, not once per answer.
    m_rebuild.setSingleShot(true);
    m_rebuild.setInterval(0);
    connect(&m_rebuild, &QTimer::timeout, this, &VantageController::rebuild);
    // An agent's start also moves with its reported place and its state (routesChanged).
    connect(this, &VantageController::routesChanged, this, &VantageController::updateSelectedStart);
    // Show/hide from the map's own legend toggles goes through the set: keep routeList in step.
    connect(m_routeSet, &RouteSet::routesChanged, this, [this] {
        const QList<MapRoute> shown = m_routeSet->routes();
        bool changed = false;
        for (const MapRoute &r : shown) {
            for (auto &route : m_routes) {
                if (route->id == r.id && route->visible != r.visible) {
                    route->visible = r.visible;
                    changed = true;
                }
            }
        }
        if (changed)
            emit routesChanged();
    });
    m_geo = geo;
}

VantageController::~VantageController() = default;

void VantageController::setGeoService(GeoService *geo)
{
    m_geo = geo;
    // Every route is located again: settled() is announced again once they are, even when the new
    // service answers at once (the view frames them anew on it).
    m_wasSettled = m_routes.empty();
    for (auto &route : m_routes) {
        route->model->clear();
        for (const Hop &hop : route->trace.trace.hops)
            route->model->updateHop(hop);
        locate(*route);
        if (route->trace.vantage.kind == VantageKind::Agent)
            findAgentStart(*route); // the new chain may place the agent's address otherwise
    }
    scheduleRebuild();
}

VantageController::Route &VantageController::makeRoute(const VantageTrace &trace, State state)
{
    auto route = std::make_unique<Route>();
    route->trace = trace;
    route->state = trace.failed ? Failed : state;
    route->reason = trace.failure;
    route->color = MapRenderer::routePaletteColor(m_colorIndex);
    route->id = QStringLiteral("vantage-%1").arg(m_colorIndex++);
    route->model = new HopListModel(this);
    for (const Hop &hop : trace.trace.hops)
        route->model->updateHop(hop);
    route->locator = new TraceLocator(this);
    Route *r = route.get();
    connect(route->locator, &TraceLocator::located, this, [this, r](const GeoResult &result) {
        r->model->applyGeoResult(result);
        scheduleRebuild();
    });
    // An agent route's note ("estimated from hop 3, ...") follows its locator's start, and so
    // does the status bar's start line while the route is the one listed.
    connect(route->locator, &TraceLocator::sourceChanged, this, [this, r] {
        if (r->trace.vantage.kind == VantageKind::Agent)
            emit routesChanged();
        updateSelectedStart();
    });
    connect(route->locator, &TraceLocator::pendingChanged, this, [this] {
        emit pendingLookupsChanged();
        scheduleRebuild();
    });
    m_routes.push_back(std::move(route));
    return *r;
}

void VantageController::locate(Route &route)
{
    route.locator->setService(m_geo);
    // The vantage's own place is the start of its route; without one, the first public responder's.
    route.locator->setConfiguredSource(route.trace.vantage.hasLocation()
                                           ? std::optional<SourceLocation>(SourceLocation{
                                                 route.trace.vantage.latitude, route.trace.vantage.longitude})
                                           : std::nullopt);
    route.locator->reset();
    route.locator->update(route.trace.trace.hops, route.state != Streaming && route.state != Loading);
}

int VantageController::addRoutes(const QList<VantageTrace> &routes, State state)
{
    const int first = count();
    for (const VantageTrace &trace : routes) {
        Route &route = makeRoute(trace, state);
        locate(route);
    }
    m_wasSettled = false; // announce settled() once these are located, even at once
    emit routesChanged();
    scheduleRebuild();
    return first;
}

bool VantageController::openFile(const QString &pathOrUrl)
{
    const QString path = localPath(pathOrUrl);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setStatus(QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
        return false;
    }
    if (file.size() > kMaxDocumentBytes) {
        setStatus(QStringLiteral("%1 is too large for a result document").arg(path));
        return false;
    }
    QString error;
    const QList<VantageTrace> routes = readVantageDocument(file.readAll(), &error);
    if (routes.isEmpty()) {
        setStatus(QStringLiteral("%1: %2").arg(path, error));
        return false;
    }
    addRoutes(routes);
    setStatus(QStringLiteral("%1 from %2").arg(routesText(routes.size()), QFileInfo(path).fileName()));
    return true;
}

bool VantageController::isVantageFile(const QString &pathOrUrl)
{
    QFile file(localPath(pathOrUrl));
    if (!file.open(QIODevice::ReadOnly) || file.size() > kMaxDocumentBytes)
        return false;
    return vantageDocumentKind(file.readAll()) != VantageDocumentKind::Unknown;
}

void VantageController::setState(Route &route, State state, const QString &reason)
{
    route.state = state;
    route.reason = reason;
    route.trace.failed = state == Failed;
    route.trace.failure = state == Failed ? reason : QString();
    if (state == Done || state == Failed)
        route.locator->update(route.trace.trace.hops, true);
    emit routesChanged();
    scheduleRebuild();
}

VantageController::State VantageController::state(int index) const
{
    return index >= 0 && index < count() ? m_routes.at(index)->state : Failed;
}

QString VantageController::reason(int index) const
{
    return index >= 0 && index < count() ? m_routes.at(index)->reason : QString();
}

VantageTrace VantageController::route(int index) const
{
    return index >= 0 && index < count() ? m_routes.at(index)->trace : VantageTrace{};
}

QVariantList VantageController::routeList() const
{
    QVariantList list;
    for (const auto &r : m_routes) {
        const bool agent = r->trace.vantage.kind == VantageKind::Agent;
        const VantageStart start = agent ? agentStart(*r) : VantageStart{};
        list.append(QVariantMap{{QStringLiteral("start"), agent ? toString(start.source) : QString()},
                                {QStringLiteral("startNote"), start.note},
                                {QStringLiteral("name"), r->trace.vantage.name},
                                {QStringLiteral("place"), r->trace.vantage.place()},
                                {QStringLiteral("color"), r->color},
                                {QStringLiteral("state"), int(r->state)},
                                {QStringLiteral("stateText"), stateText(r->state)},
                                {QStringLiteral("reason"), r->reason},
                                {QStringLiteral("visible"), r->visible}});
    }
    return list;
}

void VantageController::setSelectedIndex(int index)
{
    index = index >= 0 && index < count() ? index : -1;
    setAndNotify(this, m_selected, index, &VantageController::selectedIndexChanged);
    updateSelectedStart();
}

void VantageController::updateSelectedStart()
{
    QString text;
    if (m_selected >= 0) {
        const Route &r = *m_routes.at(m_selected);
        text = r.trace.vantage.kind == VantageKind::Agent
                   ? QStringLiteral("Start: %1").arg(agentStart(r).note)
                   : r.locator->sourceDescription();
    }
    setAndNotify(this, m_selectedStartText, text, &VantageController::selectedStartTextChanged);
}

HopListModel *VantageController::selectedModel() const
{
    return m_selected >= 0 ? m_routes.at(m_selected)->model : nullptr;
}

int VantageController::pendingLookups() const
{
    int pending = 0;
    for (const auto &r : m_routes)
        pending += r->locator->pendingCount();
    return pending;
}

void VantageController::setAtlasUrl(const QUrl &url)
{
    setAndNotify(this, m_atlasUrl, url, &VantageController::apiUrlsChanged);
}

void VantageController::setRouteVisible(int index, bool visible)
{
    if (index < 0 || index >= count() || m_routes.at(index)->visible == visible)
        return;
    m_routes.at(index)->visible = visible;
    emit routesChanged();
    rebuild();
}

void VantageController::clear()
{
    if (m_routes.empty())
        return;
    m_selected = -1;
    // Measurements still running stop here: nothing they send later may add routes again.
    for (QObject *client : findChildren<QObject *>(QString(), Qt::FindDirectChildrenOnly)) {
        if (qobject_cast<AtlasClient *>(client) || qobject_cast<GlobalpingClient *>(client) ||
            qobject_cast<AgentTraceClient *>(client)) {
            client->disconnect(this);
            client->deleteLater();
        }
    }
    for (auto &r : m_routes) {
        // Their Route goes now: nothing may reach it through a late answer.
        r->locator->setService(nullptr);
        r->locator->disconnect(this);
        r->locator->deleteLater();
        r->model->deleteLater();
    }
    m_routes.clear();
    m_colorIndex = 0;
    emit selectedIndexChanged();
    updateSelectedStart();
    emit routesChanged();
    emit pendingLookupsChanged();
    rebuild();
}

QVariantMap VantageController::frame(double width, double height) const
{
    MapScene scene;
    QList<GeoPoint> points;
    for (const MapRoute &r : m_routeSet->routes()) {
        if (!r.visible || r.failed)
            continue;
        scene.hops = r.hops;
        scene.hasSource = r.hasSource;
        scene.sourceLatitude = r.sourceLatitude;
        scene.sourceLongitude = r.sourceLongitude;
        points << routePoints(scene);
    }
    const std::optional<MapFrame> fit = frameRoute(points, QSizeF(width, height), 48.0, 5.0);
    if (!fit)
        return {};
    return QVariantMap{{QStringLiteral("centerLatitude"), fit->centerLatitude},
                       {QStringLiteral("centerLongitude"), fit->centerLongitude},
                       {QStringLiteral("zoom"), fit->zoom}};
}

MapScene VantageController::scene() const
{
    MapScene scene;
    scene.routes = m_routeSet->routes();
    scene.mainRouteName = m_routeSet->mainRouteName();
    scene.attribution = MapRenderer::basemapAttribution();
    if (m_geo)
        scene.extraAttributions = m_geo->attributions();
    return scene;
}

QString VantageController::exportImage(const QString &path, int width, int height) const
{
    const QSize size(width, height);
    const QVariantMap f = frame(width, height);
    const MapViewport viewport = f.isEmpty()
                                     ? MapViewport(25.0, 0.0, 1.5, size)
                                     : MapViewport(f.value(QStringLiteral("centerLatitude")).toDouble(),
                                                   f.value(QStringLiteral("centerLongitude")).toDouble(),
                                                   f.value(QStringLiteral("zoom")).toDouble(), size);
    MapRenderer renderer;
    const QImage image = renderer.render(viewport, scene(), nullptr);
    if (image.isNull())
        return QStringLiteral("The map could not be rendered at %1x%2.").arg(width).arg(height);
    return MapRenderer::writePng(image, path);
}

bool VantageController::isSettled() const
{
    for (const auto &r : m_routes) {
        if (r->state == Loading || r->state == Streaming || r->locator->pendingCount() > 0 ||
            r->awaitingAgentPlace)
            return false;
        if (m_geo && !r->trace.failed && !r->locator->isDone())
            return false;
    }
    return true;
}

void VantageController::setStatus(const QString &message)
{
    setAndNotify(this, m_status, message, &VantageController::statusMessageChanged);
}

void VantageController::scheduleRebuild()
{
    if (!m_rebuild.isActive())
        m_rebuild.start();
}

void VantageController::rebuild()
{
    m_rebuild.stop();
    QList<MapRoute> routes;
    routes.reserve(qsizetype(m_routes.size()));
    HopModelReader reader;
    for (const auto &r : m_routes) {
        MapRoute route;
        route.id = r->id;
        const QString place = r->trace.vantage.place();
        route.name = place.isEmpty() ? r->trace.vantage.name
                                     : QStringLiteral("%1, %2").arg(r->trace.vantage.name, place);
        route.color = r->color;
        route.visible = r->visible;
        route.failed = r->state == Failed;
        if (r->locator->hasSource()) {
            route.hasSource = true;
            route.sourceLatitude = r->locator->source().latitude;
            route.sourceLongitude = r->locator->source().longitude;
        }
        reader.setModel(r->model);
        route.hops = reader.readAll();
        routes.append(route);
    }
    m_routeSet->setRoutes(routes);
    const bool nowSettled = isSettled();
    if (nowSettled && !m_wasSettled)
        emit settled();
    m_wasSettled = nowSettled;
}

} // namespace tracemap
