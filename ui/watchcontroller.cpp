#include "watchcontroller.h"

#include "appsettings.h"
#include "enginethread.h"
#include "geooptions.h"
#include "maprenderer.h"
#include "notifying.h"
#include "routeset.h"
#include "tracecontroller.h"
#include "traceengine.h"
#include "uilogging.h"

#include <QDateTime>

#include <limits>

namespace tracemap {

WatchController::WatchController(AppSettings *settings, EngineThread *engine, GeoService *geo,
                                 QObject *parent)
    : QObject(parent), m_settings(settings), m_engine(engine), m_model(new WatchHopModel(this)),
      m_routes(new RouteSet(this)), m_locator(new TraceLocator(this))
{
    registerWatchTypes();
    registerGeoTypes();
    m_routes->setMainRouteName(tr("now"));
    m_model->setVisibleColumns(settings->watchColumns());
    connect(settings, &AppSettings::watchColumnsChanged, this,
            [this] { m_model->setVisibleColumns(m_settings->watchColumns()); });
    // Places arrive after the rounds that asked for them: the table and the routes catch up.
    connect(m_locator, &TraceLocator::located, this, [this] {
        refreshRows();
        updateRoutes();
    });
    connect(m_locator, &TraceLocator::sourceChanged, this, [this] {
        emit sourceChanged();
        updateRoutes();
    });
    setGeoService(geo);
}

WatchController::~WatchController() = default;

qint64 WatchController::windowSpanMs(TimeWindow window)
{
    switch (window) {
    case LastMinute:
        return 60 * 1000;
    case Last10Minutes:
        return 10 * 60 * 1000;
    case LastHour:
        return 60 * 60 * 1000;
    case All:
        break;
    }
    return 0;
}

void WatchController::setGeoService(GeoService *geo)
{
    if (m_locator->service() == geo)
        return;
    m_locator->setService(geo);
    double lat = 0, lon = 0;
    if (geo && parseLatLon(m_settings->sourceLocation(), &lat, &lon))
        m_locator->setConfiguredSource(SourceLocation{lat, lon});
}

void WatchController::setTimeWindow(TimeWindow window)
{
    if (window < LastMinute || window > All || window == m_window)
        return;
    m_window = window;
    emit timeWindowChanged();
    emit viewChanged();
}

double WatchController::windowStartMs() const
{
    const qint64 span = windowSpanMs(m_window);
    if (span == 0 || m_latestRoundMs - span < m_firstRoundMs)
        return double(m_firstRoundMs);
    return double(m_latestRoundMs - span);
}

bool WatchController::start(const QString &host, int method, int family)
{
    const QString target = host.trimmed();
    QString invalid = target.isEmpty() ? tr("Enter a host name or address to watch.") : validateHost(target);
    WatchRequest request;
    request.trace.target = target;
    request.trace.method = TraceController::toProbeMethod(TraceController::Method(method));
    request.trace.family = family == TraceController::IPv4   ? AddressFamily::IPv4
                           : family == TraceController::IPv6 ? AddressFamily::IPv6
                                                             : AddressFamily::Any;
    request.trace.timeoutSec = m_settings->probeTimeoutSec();
    request.trace.maxTtl = m_settings->maxTtl();
    request.intervalSec = m_intervalSec;
    request.cycles = m_cycles;
    if (invalid.isEmpty())
        invalid = validate(request);
    if (!invalid.isEmpty()) {
        setErrorMessage(invalid);
        return false;
    }
    if (m_session) {
        m_session->disconnect(this);
        m_session->stop();
    }
    clearWatchData();
    m_pauses.clear(); // a new watch, even when the previous one was paused
    setErrorMessage({});
    m_session = std::make_unique<WatchSession>(m_engine, request);
    if (m_clock)
        m_session->setClock(m_clock);
    connect(m_session.get(), &WatchSession::started, this, [this](const TraceResult &context) {
        const QString destination = context.destination.toString();
        if (destination != m_destination) {
            m_destination = destination;
            emit destinationChanged();
        }
    });
    connect(m_session.get(), &WatchSession::roundFinished, this, &WatchController::onRound);
    connect(m_session.get(), &WatchSession::finished, this, &WatchController::onFinished);
    if (m_target != target) {
        m_target = target;
        emit targetChanged();
    }
    m_locator->reset();
    setState(Running);
    m_session->start();
    qCDebug(lcUi) << "watch of" << target << "started";
    return true;
}

void WatchController::pause()
{
    if (m_state != Running)
        return;
    m_session->pause();
    m_pauses.append({nowMs(), std::numeric_limits<qint64>::max()});
    setState(Paused);
}

void WatchController::resume()
{
    if (m_state != Paused)
        return;
    if (!m_pauses.isEmpty())
        m_pauses.last().toMs = std::max(m_pauses.last().fromMs, nowMs());
    m_session->resume();
    setState(Running);
}

void WatchController::stop()
{
    if (active())
        m_session->stop(); // finished() follows
}

void WatchController::reset()
{
    if (!m_session)
        return;
    if (active()) {
        m_session->resetStatistics();
        clearWatchData();
        return;
    }
    m_session.reset();
    clearWatchData();
    setErrorMessage({});
    setState(Idle);
}

void WatchController::clearWatchData()
{
    m_rounds = 0;
    m_firstRoundMs = m_latestRoundMs = 0;
    m_focusStartMs = m_focusEndMs = 0;
    m_changes.clear();
    m_lastPath.clear();
    m_pauses.clear();
    if (m_state == Paused) // reset while paused: the pause goes on
        m_pauses.append({nowMs(), std::numeric_limits<qint64>::max()});
    m_selectedChange = -1;
    m_model->setRows({});
    m_routes->clear();
    emit roundsChanged();
    emit focusChanged();
    emit viewChanged();
    emit pathChangesChanged();
    emit selectedChangeChanged();
}

qint64 WatchController::nowMs() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

void WatchController::setFocusPeriod(double startMs, double endMs)
{
    const qint64 from = qint64(std::min(startMs, endMs));
    const qint64 to = qint64(std::max(startMs, endMs));
    if (to <= from) {
        clearFocus();
        return;
    }
    if (from == m_focusStartMs && to == m_focusEndMs)
        return;
    m_focusStartMs = from;
    m_focusEndMs = to;
    emit focusChanged();
    refreshRows();
}

void WatchController::clearFocus()
{
    if (!hasFocus())
        return;
    m_focusStartMs = m_focusEndMs = 0;
    emit focusChanged();
    refreshRows();
}

void WatchController::selectChange(int index)
{
    if (index < -1 || index >= m_changes.size())
        index = -1;
    if (!setAndNotify(this, m_selectedChange, index, &WatchController::selectedChangeChanged))
        return;
    refreshRows(); // the changed TTLs are highlighted
    updateRoutes();
}

void WatchController::setState(State state)
{
    setAndNotify(this, m_state, state, &WatchController::stateChanged);
}

void WatchController::setErrorMessage(const QString &message)
{
    setAndNotify(this, m_errorMessage, message, &WatchController::errorMessageChanged);
}

void WatchController::onRound(const WatchRound &round)
{
    ++m_rounds;
    if (m_firstRoundMs == 0)
        m_firstRoundMs = round.startedMs;
    m_latestRoundMs = round.startedMs;
    m_locator->update(round.result.hops, true);

    const QMap<int, QHostAddress> now = currentPath();
    const QList<PathChange> &changes = m_session->pathChanges().changes();
    if (changes.size() > m_changes.size()) {
        for (qsizetype i = m_changes.size(); i < changes.size(); ++i)
            m_changes.append({changes.at(i), m_lastPath, now});
        emit pathChangesChanged();
        updateRoutes();
    }
    m_lastPath = now;
    refreshRows();
    emit roundsChanged();
    emit viewChanged();
}

void WatchController::onFinished(WatchEndReason reason, const QString &message)
{
    if (reason == WatchEndReason::Failed)
        setErrorMessage(message.isEmpty() ? tr("The watch failed.") : message);
    setState(Finished);
    const QString outcome =
        reason == WatchEndReason::Failed ? m_errorMessage
        : reason == WatchEndReason::Completed
            ? tr("Watch of %1 done: %n round(s).", nullptr, m_rounds).arg(m_target)
            : tr("Watch of %1 stopped after %n round(s).", nullptr, m_rounds).arg(m_target);
    emit finished(outcome);
}

QMap<int, QHostAddress> WatchController::currentPath() const
{
    QMap<int, QHostAddress> path;
    const PathChangeDetector &paths = m_session->pathChanges();
    const int length = m_session->stats().pathLength();
    for (int ttl : paths.ttls()) {
        const QHostAddress a = paths.dominant(ttl);
        if (!a.isNull() && (length == 0 || ttl <= length))
            path.insert(ttl, a);
    }
    return path;
}

void WatchController::refreshRows()
{
    if (!m_session) {
        m_model->setRows({});
        return;
    }
    const int highlightTtl = m_selectedChange >= 0 ? m_changes.at(m_selectedChange).change.ttl : -1;
    const QList<WatchHopRow> rows = watchHopRows(
        m_session->stats(), m_session->pathChanges(), m_focusStartMs, hasFocus() ? m_focusEndMs + 1 : 0,
        highlightTtl, [this](const QHostAddress &a) { return m_locator->resultFor(a); });
    m_model->setRows(rows);
}

QString WatchController::placeOf(const QHostAddress &address) const
{
    const GeoResult geo = m_locator->resultFor(address);
    return geo.status == GeoStatus::Located ? HopListModel::placeName(geo.place) : QString();
}

QVariantList WatchController::pathChanges() const
{
    QVariantList out;
    for (qsizetype i = 0; i < m_changes.size(); ++i) {
        const PathChange &c = m_changes.at(i).change;
        const QString time = QDateTime::fromMSecsSinceEpoch(c.timeMs).toString(QStringLiteral("HH:mm:ss"));
        const QString from = c.from.isNull() ? QStringLiteral("*") : c.from.toString();
        const QString to = c.to.isNull() ? QStringLiteral("*") : c.to.toString();
        QString text = tr("%1  hop %2: %3 → %4").arg(time).arg(c.ttl).arg(from, to);
        const QString fromPlace = placeOf(c.from), toPlace = placeOf(c.to);
        if (!fromPlace.isEmpty() || !toPlace.isEmpty())
            text += QStringLiteral("  (%1 → %2)")
                        .arg(fromPlace.isEmpty() ? QStringLiteral("?") : fromPlace,
                             toPlace.isEmpty() ? QStringLiteral("?") : toPlace);
        out << QVariantMap{{QStringLiteral("index"), int(i)},    {QStringLiteral("timeMs"), double(c.timeMs)},
                           {QStringLiteral("ttl"), c.ttl},       {QStringLiteral("from"), from},
                           {QStringLiteral("to"), to},           {QStringLiteral("fromPlace"), fromPlace},
                           {QStringLiteral("toPlace"), toPlace}, {QStringLiteral("text"), text}};
    }
    return out;
}

MapRoute WatchController::routeOf(const QMap<int, QHostAddress> &path, const QString &id,
                                  const QString &name) const
{
    MapRoute route;
    route.id = id;
    route.name = name;
    if (m_locator->hasSource()) {
        route.hasSource = true;
        route.sourceLatitude = m_locator->source().latitude;
        route.sourceLongitude = m_locator->source().longitude;
    }
    for (auto it = path.cbegin(); it != path.cend(); ++it) {
        MapHop hop;
        hop.ttl = it.key();
        hop.address = it.value().toString();
        const GeoResult geo = m_locator->resultFor(it.value());
        if (geo.status == GeoStatus::Located && geo.place.hasCoordinates()) {
            hop.hasLocation = true;
            hop.latitude = geo.place.latitude;
            hop.longitude = geo.place.longitude;
            hop.label = HopListModel::placeName(geo.place);
        } else {
            hop.label = hop.address;
        }
        route.hops << hop;
    }
    return route;
}

void WatchController::updateRoutes()
{
    if (m_changes.isEmpty()) {
        m_routes->clear();
        return;
    }
    // Without a selection the latest change's previous path stays on the map, faint.
    const int shown = m_selectedChange >= 0 ? m_selectedChange : int(m_changes.size()) - 1;
    const ChangeRecord &record = m_changes.at(shown);
    const QString time =
        QDateTime::fromMSecsSinceEpoch(record.change.timeMs).toString(QStringLiteral("HH:mm:ss"));
    QList<MapRoute> routes;
    MapRoute before = routeOf(record.before, QStringLiteral("before"), tr("before %1").arg(time));
    before.color = MapRenderer::routePaletteColor(6); // grey
    before.opacity = 0.4;
    before.dashed = true;
    routes << before;
    if (m_selectedChange >= 0) {
        MapRoute after = routeOf(record.after, QStringLiteral("after"), tr("after %1").arg(time));
        after.color = MapRenderer::routePaletteColor(0);
        after.opacity = 0.9;
        routes << after;
    }
    m_routes->setRoutes(routes);
}

} // namespace tracemap
