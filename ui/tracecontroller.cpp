#include "tracecontroller.h"

#include "address.h"
#include "appsettings.h"
#include "enginethread.h"
#include "geooptions.h"
#include "geoservice.h"
#include "notifying.h"
#include "resultformat.h"
#include "uilogging.h"

#include <QSysInfo>
#include <QTimeZone>

namespace tracemap {

namespace {
// RFC 6761: "invalid." never resolves, so asking DNS only makes the user wait.
bool isReservedInvalidName(const QString &host)
{
    QString name = host.toLower();
    if (name.endsWith(QLatin1Char('.')))
        name.chop(1);
    return name == QLatin1String("invalid") || name.endsWith(QLatin1String(".invalid"));
}

// RTTs at the precision a trace file keeps (µs): a saved and reopened trace then shows the
// same table and draws the same colours as the live one did.
Hop atFilePrecision(Hop hop)
{
    for (ProbeReply &reply : hop.replies) {
        if (reply.rttMs >= 0)
            reply.rttMs = roundRtt(reply.rttMs);
    }
    return hop;
}
} // namespace

TraceController::TraceController(AppSettings *settings, GeoService *geo,
                                 std::unique_ptr<ProbeTransportFactory> factory, QObject *parent)
    : QObject(parent), m_settings(settings), m_engine(std::make_unique<EngineThread>(std::move(factory))),
      m_model(new HopListModel(this)), m_method(settings->defaultMethod()), m_locator(new TraceLocator(this))
{
    registerGeoTypes();
    connect(m_locator, &TraceLocator::located, this, &TraceController::onLocated);
    connect(m_locator, &TraceLocator::pendingChanged, this, [this] { setPendingChanged(m_pendingShown); });
    connect(m_locator, &TraceLocator::sourceChanged, this, [this] {
        if (m_showingDocument)
            return; // an opened trace keeps the source it was saved with
        m_sourceTtl = m_locator->sourceTtl();
        m_sourceLatitude = m_locator->hasSource() ? m_locator->source().latitude : qQNaN();
        m_sourceLongitude = m_locator->hasSource() ? m_locator->source().longitude : qQNaN();
        emit sourceChanged();
    });
    m_engine->connectTraceProgress(this);
    connect(m_settings, &AppSettings::recentHostsChanged, this, &TraceController::recentHostsChanged);
    m_elapsedTick.setInterval(100);
    connect(&m_elapsedTick, &QTimer::timeout, this, [this] { setElapsedMs(int(m_elapsed.elapsed())); });
    setGeoService(geo);
}

TraceController::~TraceController()
{
    shutdown();
}

bool TraceController::shutdown(int timeoutMs)
{
    m_elapsedTick.stop();
    m_currentId = 0;
    return m_engine->shutdown(timeoutMs);
}

void TraceController::setHost(const QString &host)
{
    setAndNotify(this, m_host, host, &TraceController::hostChanged);
}

ProbeMethod TraceController::toProbeMethod(Method method)
{
    switch (method) {
    case Auto:
        return ProbeMethod::Auto;
    case Udp:
        return ProbeMethod::Udp;
    case Icmp:
        return ProbeMethod::Icmp;
    case Tcp:
        return ProbeMethod::Tcp;
    }
    return ProbeMethod::Udp;
}

TraceController::Method TraceController::fromProbeMethod(ProbeMethod method)
{
    switch (method) {
    case ProbeMethod::Auto:
        return Auto;
    case ProbeMethod::Udp:
        return Udp;
    case ProbeMethod::Icmp:
        return Icmp;
    case ProbeMethod::Tcp:
        return Tcp;
    }
    return Udp;
}

AddressFamily TraceController::toAddressFamily(Family family)
{
    return family == IPv4 ? AddressFamily::IPv4 : family == IPv6 ? AddressFamily::IPv6 : AddressFamily::Any;
}

TraceController::Family TraceController::fromAddressFamily(AddressFamily family)
{
    return family == AddressFamily::IPv4 ? IPv4 : family == AddressFamily::IPv6 ? IPv6 : AnyFamily;
}

std::optional<TraceController::Method> TraceController::methodFromString(const QString &name)
{
    const std::optional<ProbeMethod> parsed = probeMethodFromString(name);
    if (!parsed)
        return std::nullopt;
    return fromProbeMethod(*parsed);
}

void TraceController::setMethod(Method method)
{
    if (method < Auto || method > Tcp) {
        qCWarning(lcUi) << "unknown probe method" << int(method);
        return;
    }
    setAndNotify(this, m_method, method, &TraceController::methodChanged);
}

void TraceController::setFamily(Family family)
{
    if (family < AnyFamily || family > IPv6) {
        qCWarning(lcUi) << "unknown address family" << int(family);
        return;
    }
    setAndNotify(this, m_family, family, &TraceController::familyChanged);
}

void TraceController::setPhase(Phase phase)
{
    setAndNotify(this, m_phase, phase, &TraceController::phaseChanged);
}

void TraceController::clearSource()
{
    if (m_sourceTtl <= 0)
        return;
    m_sourceTtl = -1;
    m_sourceLatitude = qQNaN();
    m_sourceLongitude = qQNaN();
    emit sourceChanged();
}

QStringList TraceController::recentHosts() const
{
    return m_settings->recentHosts();
}

void TraceController::clearRecentHosts()
{
    m_settings->clearRecentHosts();
}

void TraceController::setGeoService(GeoService *geo)
{
    if (m_geo == geo)
        return;
    m_geo = geo;
    m_locator->setService(geo);
    if (m_showingDocument)
        return; // an opened trace is not located again, and keeps its credits
    const QStringList attributions = m_geo ? m_geo->attributions() : QStringList();
    if (attributions != m_attributions) {
        m_attributions = attributions;
        emit attributionsChanged();
    }
    if (m_geo) {
        applySettingsSource();
        locateHops(!running());
    }
    setPendingChanged(m_pendingShown);
}

void TraceController::applySettingsSource()
{
    double lat = 0, lon = 0;
    if (!parseLatLon(m_settings->sourceLocation(), &lat, &lon))
        return;
    m_locator->setConfiguredSource(SourceLocation{lat, lon});
}

bool TraceController::start()
{
    const QString target = m_host.trimmed();
    QString invalid =
        target.isEmpty() ? QStringLiteral("Enter a host name or address to trace.") : validateHost(target);
    if (invalid.isEmpty() && isReservedInvalidName(target))
        invalid = QStringLiteral("'%1' cannot resolve: names under .invalid are reserved never to exist "
                                 "(RFC 6761).")
                      .arg(target);
    if (!invalid.isEmpty()) {
        // The refused input is what the status area shows now, not the previous trace's progress.
        setPhase(Idle);
        setErrorMessage(invalid);
        return false;
    }
    if (running())
        stop();

    TraceRequest request;
    request.target = target;
    request.method = toProbeMethod(m_method);
    request.family = toAddressFamily(m_family);
    request.timeoutSec = m_settings->probeTimeoutSec();
    request.maxTtl = m_maxTtlOverride > 0 ? m_maxTtlOverride : m_settings->maxTtl();
    const QString problem = validate(request);
    if (!problem.isEmpty()) {
        setPhase(Idle);
        setErrorMessage(problem);
        return false;
    }

    setErrorMessage({});
    m_model->clear();
    m_locator->reset();
    leaveDocument();
    if (!m_destination.isEmpty()) {
        m_destination.clear();
        emit destinationChanged();
    }
    if (!m_transport.isEmpty()) {
        m_transport.clear();
        emit transportChanged();
    }
    if (m_reached) {
        m_reached = false;
        emit reachedChanged();
    }
    updateHopsAnswered();
    // A source taken from the previous trace's first hop is not this trace's.
    clearSource();
    m_traceHost = target;
    m_lastResult = TraceResult();
    m_lastResult.target = target;
    m_lastResult.request = request;
    m_startedAt = QDateTime::currentDateTime();
    m_finishedAt = QDateTime();
    m_measuredElsewhere = false;

    m_elapsed.start();
    setElapsedMs(0);
    m_elapsedTick.start();
    setRunningId(m_engine->startTrace(request));
    setPhase(Resolving);
    qCDebug(lcUi) << "trace" << m_currentId << "to" << target << "started";
    return true;
}

void TraceController::stop()
{
    if (!running())
        return;
    m_engine->cancel(m_currentId);
    m_elapsedTick.stop();
    setElapsedMs(int(m_elapsed.elapsed()));
    // Late hop signals of the cancelled trace carry its id and are ignored from now on.
    setRunningId(0);
    m_lastResult.error = TraceError::Cancelled;
    m_finishedAt = QDateTime::currentDateTime();
    locateHops(true); // what was seen is all there will be
    setPhase(Stopped);
    emit finished(false);
}

void TraceController::setRunningId(quint64 id)
{
    const bool wasRunning = running();
    m_currentId = id;
    if (wasRunning != running())
        emit runningChanged();
}

void TraceController::setErrorMessage(const QString &message)
{
    setAndNotify(this, m_errorMessage, message, &TraceController::errorMessageChanged);
}

void TraceController::setElapsedMs(int ms)
{
    setAndNotify(this, m_elapsedMs, ms, &TraceController::elapsedMsChanged);
}

void TraceController::setPendingChanged(qsizetype before)
{
    m_pendingShown = pendingLookups();
    if (before != m_pendingShown)
        emit pendingLookupsChanged();
}

void TraceController::updateHopsAnswered()
{
    int answered = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->hopAt(row).anyAnswer())
            ++answered;
    }
    setAndNotify(this, m_hopsAnswered, answered, &TraceController::hopsAnsweredChanged);
}

void TraceController::onTraceStarted(quint64 id, const TraceResult &initial)
{
    if (id != m_currentId)
        return;
    const QString destination = initial.destination.toString();
    if (destination != m_destination) {
        m_destination = destination;
        emit destinationChanged();
    }
    m_lastResult.destination = initial.destination;
    m_lastResult.source = initial.source;
    m_lastResult.method = initial.method;
    m_lastResult.transport = initial.transport;
    if (initial.transport != m_transport) {
        m_transport = initial.transport;
        emit transportChanged();
    }
    // Only a host that resolved joins the recent hosts.
    if (!initial.destination.isNull() && !m_traceHost.isEmpty()) {
        m_settings->rememberHost(m_traceHost);
        m_traceHost.clear();
    }
    setPhase(Tracing);
}

void TraceController::onHopUpdated(quint64 id, const Hop &hop)
{
    if (id != m_currentId)
        return;
    m_model->updateHop(atFilePrecision(hop));
    updateHopsAnswered();
    locateHops(false);
}

void TraceController::locateHops(bool traceOver)
{
    QList<Hop> hops;
    hops.reserve(m_model->rowCount());
    for (int row = 0; row < m_model->rowCount(); ++row)
        hops << m_model->hopAt(row);
    // Decisions may arrive before this returns (cached answers); the connections are in place.
    m_locator->update(hops, traceOver);
}

void TraceController::onTraceFinished(quint64 id, const TraceResult &result)
{
    if (id != m_currentId)
        return;
    for (const Hop &hop : result.hops)
        m_model->updateHop(atFilePrecision(hop));
    m_lastResult = result;
    m_finishedAt = QDateTime::currentDateTime();
    updateHopsAnswered();
    locateHops(true);
    m_elapsedTick.stop();
    setElapsedMs(int(result.elapsedMs));
    if (result.reached != m_reached) {
        m_reached = result.reached;
        emit reachedChanged();
    }
    const bool failed = result.error != TraceError::None && result.error != TraceError::Cancelled;
    if (failed)
        setErrorMessage(result.errorMessage.isEmpty() ? toString(result.error) : result.errorMessage);
    else if (!result.reached)
        setErrorMessage(QStringLiteral("The destination did not answer."));
    if (!failed && !m_traceHost.isEmpty() && !result.destination.isNull())
        m_settings->rememberHost(m_traceHost); // resolved, but traceStarted was not seen
    m_traceHost.clear();
    setRunningId(0);
    setPhase(failed ? Failed : result.reached ? Reached : NotReached);
    ++m_tracesCompleted;
    emit tracesCompletedChanged();
    qCDebug(lcUi) << "trace" << id << "finished; reached" << result.reached;
    emit finished(result.reached);
}

void TraceController::onLocated(const GeoResult &result)
{
    m_model->applyGeoResult(result);
}

} // namespace tracemap

namespace tracemap {

TraceFile TraceController::currentDocument() const
{
    TraceFile file;
    file.trace = m_lastResult;
    file.trace.hops.clear();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const Hop hop = m_model->hopAt(row);
        file.trace.hops << hop;
        // Every responder's place, also those the table does not show (second responders).
        for (const QHostAddress &address : hop.responders()) {
            const QHostAddress key = normalizedAddress(address);
            const GeoResult geo = m_showingDocument ? m_documentPlaces.value(key) : m_locator->resultFor(key);
            if (geo.status != GeoStatus::Pending)
                file.places.insert(key, geo);
        }
    }
    file.attributions = m_attributions;
    if (m_showingDocument) {
        file.meta = m_documentMeta;
        return file;
    }
    file.meta.tracemapVersion = QStringLiteral(TRACEMAP_VERSION);
    file.meta.startedAt = m_startedAt;
    file.meta.finishedAt = m_finishedAt;
    if (!m_measuredElsewhere) { // an opened `trace --json` does not say where or when it ran
        file.meta.timeZone = QString::fromUtf8(QTimeZone::systemTimeZoneId());
        file.meta.vantageHost = QSysInfo::machineHostName();
    }
    // The source the map draws (configured, or the first placed hop): an opened file draws
    // the same route.
    if (hasSource()) {
        file.meta.vantageLatitude = m_sourceLatitude;
        file.meta.vantageLongitude = m_sourceLongitude;
    }
    file.meta.geoEnabled = true;
    if (m_geo)
        file.meta.geo = m_geo->settings();
    return file;
}

void TraceController::showFinishedTrace(const TraceResult &trace)
{
    if (running())
        stop();
    m_locator->reset(); // no lookup of the previous trace lands on this one
    m_lastResult = trace;
    m_traceHost.clear();
    m_model->clear();
    for (const Hop &hop : trace.hops)
        m_model->updateHop(hop);
    updateHopsAnswered();
    setHost(trace.target);
    if (m_destination != trace.destination.toString()) {
        m_destination = trace.destination.toString();
        emit destinationChanged();
    }
    if (m_transport != trace.transport) {
        m_transport = trace.transport;
        emit transportChanged();
    }
    if (m_reached != trace.reached) {
        m_reached = trace.reached;
        emit reachedChanged();
    }
    setElapsedMs(int(trace.elapsedMs));
    setErrorMessage({});
    const TraceError error = trace.error;
    setPhase(error == TraceError::Cancelled ? Stopped
             : error != TraceError::None    ? Failed
             : trace.reached                ? Reached
                                            : NotReached);
}

void TraceController::loadDocument(const TraceFile &file)
{
    if (running())
        stop(); // before the document shows: the stopped trace is still a trace of ours (History)
    m_showingDocument = true;
    m_documentMeta = file.meta;
    m_documentPlaces = file.places;
    showFinishedTrace(file.trace);
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QHostAddress first = m_model->firstResponderAt(row);
        if (!first.isNull() && file.places.contains(normalizedAddress(first))) {
            GeoResult geo = file.placeFor(first);
            geo.address = first; // the model matches rows by the responder as received
            m_model->applyGeoResult(geo);
        }
    }
    if (file.attributions != m_attributions) {
        m_attributions = file.attributions;
        emit attributionsChanged();
    }
    const bool hasVantage = file.meta.vantageLatitude && file.meta.vantageLongitude;
    m_sourceTtl = hasVantage ? 0 : -1;
    m_sourceLatitude = hasVantage ? *file.meta.vantageLatitude : qQNaN();
    m_sourceLongitude = hasVantage ? *file.meta.vantageLongitude : qQNaN();
    emit sourceChanged();
    setPendingChanged(m_pendingShown);
}

void TraceController::locateMeasuredTrace(const TraceResult &trace)
{
    if (running())
        stop(); // first: the stopped trace goes to History with its own time and host
    leaveDocument();
    m_startedAt = QDateTime(); // measured elsewhere, at a time the trace does not say
    m_finishedAt = QDateTime();
    m_measuredElsewhere = true;
    showFinishedTrace(trace);
    clearSource();
    applySettingsSource();
    // Like a trace that just finished: every hop is settled, so the start can be decided.
    locateHops(true);
}

QString TraceController::sourceText() const
{
    if (!m_showingDocument)
        return m_locator->sourceDescription();
    if (m_sourceTtl < 0)
        return QStringLiteral("Start: not recorded in the file — speed-of-light check off");
    return QStringLiteral("Start: %1, %2 (as saved)")
        .arg(m_sourceLatitude, 0, 'f', 2)
        .arg(m_sourceLongitude, 0, 'f', 2);
}

// Back from an opened file to tracing: the service's credits and the locator's source again.
void TraceController::leaveDocument()
{
    if (!m_showingDocument)
        return;
    m_showingDocument = false;
    const QStringList attributions = m_geo ? m_geo->attributions() : QStringList();
    if (attributions != m_attributions) {
        m_attributions = attributions;
        emit attributionsChanged();
    }
    m_sourceTtl = m_locator->hasSource() ? m_locator->sourceTtl() : -1;
    m_sourceLatitude = m_locator->hasSource() ? m_locator->source().latitude : qQNaN();
    m_sourceLongitude = m_locator->hasSource() ? m_locator->source().longitude : qQNaN();
    emit sourceChanged();
}

} // namespace tracemap
