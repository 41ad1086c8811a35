// One trace session of the desktop window: what to trace (host, method, family), the
// running trace's progress, and the hop model it fills. Owns the worker thread running
// the probe engine; the GeoService is passed in (the application owns it and may replace
// it when the geolocation settings change).
#pragma once

#include "hoplistmodel.h"
#include "probetransport.h"
#include "tracefile.h"
#include "tracelocator.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <optional>

namespace tracemap {

class AppSettings;
class EngineThread;
class GeoService;

class TraceController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(QString host READ host WRITE setHost NOTIFY hostChanged)
    Q_PROPERTY(Method method READ method WRITE setMethod NOTIFY methodChanged)
    Q_PROPERTY(Family family READ family WRITE setFamily NOTIFY familyChanged)
    Q_PROPERTY(Phase phase READ phase NOTIFY phaseChanged)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(int hopsAnswered READ hopsAnswered NOTIFY hopsAnsweredChanged)
    Q_PROPERTY(int elapsedMs READ elapsedMs NOTIFY elapsedMsChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    Q_PROPERTY(QString destination READ destination NOTIFY destinationChanged)
    Q_PROPERTY(QString transport READ transport NOTIFY transportChanged)
    Q_PROPERTY(bool reached READ reached NOTIFY reachedChanged)
    Q_PROPERTY(int pendingLookups READ pendingLookups NOTIFY pendingLookupsChanged)
    Q_PROPERTY(int tracesCompleted READ tracesCompleted NOTIFY tracesCompletedChanged)
    Q_PROPERTY(QStringList recentHosts READ recentHosts NOTIFY recentHostsChanged)
    Q_PROPERTY(bool hasSource READ hasSource NOTIFY sourceChanged)
    Q_PROPERTY(double sourceLatitude READ sourceLatitude NOTIFY sourceChanged)
    Q_PROPERTY(double sourceLongitude READ sourceLongitude NOTIFY sourceChanged)
    // "Start: configured 50.11, 8.68" / "Start: estimated from hop 3, Frankfurt (2.1 ms)" /
    // "Start: unknown — speed-of-light check off" (geo/tracelocator.h).
    Q_PROPERTY(QString sourceText READ sourceText NOTIFY sourceChanged)
    Q_PROPERTY(QStringList attributions READ attributions NOTIFY attributionsChanged)
    Q_PROPERTY(tracemap::HopListModel *model READ model CONSTANT)
public:
    // The probe method and address family as QML sees them (TraceController.Udp, .IPv6, ...).
    enum Method { Auto, Udp, Icmp, Tcp };
    Q_ENUM(Method)
    enum Family { AnyFamily, IPv4, IPv6 };
    Q_ENUM(Family)
    // Where the current (or last) trace is: what the status area says.
    enum Phase {
        Idle,      // nothing traced yet, or the last request was refused
        Resolving, // running, the destination's address not known yet
        Tracing,
        Reached,
        NotReached, // finished without an answer from the destination
        Failed,     // finished with an error (resolution, sockets, ...)
        Stopped     // stopped by the user
    };
    Q_ENUM(Phase)

    static ProbeMethod toProbeMethod(Method method);
    static Method fromProbeMethod(ProbeMethod method);
    static AddressFamily toAddressFamily(Family family);
    static Family fromAddressFamily(AddressFamily family);
    // "udp", "ICMP", ... -> Method; nothing when unknown.
    static std::optional<Method> methodFromString(const QString &name);

    // settings must outlive the controller; geo may be null (hops are listed, not placed).
    // factory: the probe transports (null = the system's sockets; tests simulate a network).
    TraceController(AppSettings *settings, GeoService *geo,
                    std::unique_ptr<ProbeTransportFactory> factory = {}, QObject *parent = nullptr);
    ~TraceController() override;

    QString host() const { return m_host; }
    void setHost(const QString &host);
    Method method() const { return m_method; }
    void setMethod(Method method);
    Family family() const { return m_family; }
    void setFamily(Family family);
    Phase phase() const { return m_phase; }
    bool running() const { return m_currentId != 0; }
    int hopsAnswered() const { return m_hopsAnswered; }
    int elapsedMs() const { return m_elapsedMs; }
    QString errorMessage() const { return m_errorMessage; }
    QString destination() const { return m_destination; }
    QString transport() const { return m_transport; }
    bool reached() const { return m_reached; }
    int pendingLookups() const { return m_locator->pendingCount(); }
    int tracesCompleted() const { return m_tracesCompleted; }
    QStringList recentHosts() const;
    bool hasSource() const { return m_sourceTtl >= 0; }
    double sourceLatitude() const { return m_sourceLatitude; }
    // An opened file's start is the vantage it recorded, not the locator's (which is idle then).
    QString sourceText() const;
    double sourceLongitude() const { return m_sourceLongitude; }
    QStringList attributions() const { return m_attributions; }
    HopListModel *model() const { return m_model; }
    // The probe engine's thread, shared with the watch mode (WatchController).
    EngineThread *engineThread() const { return m_engine.get(); }

    // Replaces the geolocation service (not owned) and asks it about the hops shown.
    void setGeoService(GeoService *geo);
    GeoService *geoService() const { return m_geo; }
    // Per-trace limits (the settings' values are used otherwise); for scripted runs.
    void setMaxTtl(int ttl) { m_maxTtlOverride = ttl; }

    // Starts tracing host() (a running trace is stopped first). False, with errorMessage
    // set, when the request is invalid.
    Q_INVOKABLE bool start();
    Q_INVOKABLE void stop();
    Q_INVOKABLE void clearRecentHosts();
    // Stops the engine thread; waits at most timeoutMs. Also run by the destructor.
    bool shutdown(int timeoutMs = 1000);

    // The trace shown as a trace file (geo/tracefile.h): the hops, the places decided so far,
    // the source drawn (as the vantage's position), when and how it was traced. An opened
    // file comes back with its own metadata.
    TraceFile currentDocument() const;
    // Shows a saved trace as it was saved: a running trace is stopped, nothing is probed or
    // located, the geolocation service is not asked. start() leaves the document.
    void loadDocument(const TraceFile &file);
    bool showingDocument() const { return m_showingDocument; }
    // Shows a trace measured elsewhere without places (what `tracemap-cli trace --json` prints)
    // and locates its hops as if it had just finished here: the settings' source or the first
    // public hop, the speed-of-light check, the geolocation service. Nothing is probed.
    void locateMeasuredTrace(const TraceResult &trace);

signals:
    void hostChanged();
    void methodChanged();
    void familyChanged();
    void phaseChanged();
    void runningChanged();
    void hopsAnsweredChanged();
    void elapsedMsChanged();
    void errorMessageChanged();
    void destinationChanged();
    void transportChanged();
    void reachedChanged();
    void pendingLookupsChanged();
    void tracesCompletedChanged();
    void recentHostsChanged();
    void sourceChanged();
    void attributionsChanged();
    // A trace ended: finished, failed or stopped (errorMessage says why when it failed).
    void finished(bool reached);

private:
    friend class EngineThread; // connectTraceProgress() reaches these handlers
    void onTraceStarted(quint64 id, const tracemap::TraceResult &initial);
    void onHopUpdated(quint64 id, const tracemap::Hop &hop);
    void onTraceFinished(quint64 id, const tracemap::TraceResult &result);
    void onLocated(const tracemap::GeoResult &result);
    void locateHops(bool traceOver); // hands the hops shown to the locating policy
    void setRunningId(quint64 id);
    void setPhase(Phase phase);
    void clearSource();
    void setErrorMessage(const QString &message);
    void setElapsedMs(int ms);
    void setPendingChanged(qsizetype before);
    void updateHopsAnswered();
    void applySettingsSource();
    void leaveDocument();
    void showFinishedTrace(const TraceResult &trace); // hops, target, outcome; stops a running one

    AppSettings *m_settings;
    GeoService *m_geo = nullptr;
    std::unique_ptr<EngineThread> m_engine;
    HopListModel *m_model;
    QTimer m_elapsedTick;
    QElapsedTimer m_elapsed;

    QString m_host;
    Method m_method = Udp;
    Family m_family = AnyFamily;
    Phase m_phase = Idle;
    QString m_traceHost; // the host of the running trace: remembered once it resolves
    quint64 m_currentId = 0;
    int m_hopsAnswered = 0;
    int m_elapsedMs = 0;
    int m_tracesCompleted = 0;
    int m_maxTtlOverride = 0;
    QString m_errorMessage;
    QString m_destination;
    QString m_transport;
    bool m_reached = false;
    TraceLocator *m_locator; // which hops to locate, with which RTT, from which source (geo/)
    int m_pendingShown = 0;  // pendingLookups() when pendingLookupsChanged was last emitted
    int m_sourceTtl = -1;    // 0: from settings; > 0: the hop it was taken from
    double m_sourceLatitude = qQNaN();
    double m_sourceLongitude = qQNaN();
    QStringList m_attributions;
    // What currentDocument() needs beyond the model: the engine's result and the times.
    TraceResult m_lastResult;
    QDateTime m_startedAt, m_finishedAt;
    bool m_measuredElsewhere = false; // shown by locateMeasuredTrace(): no time, host or zone of ours
    bool m_showingDocument = false;
    TraceFileMeta m_documentMeta; // of the opened file, while showingDocument()
    QHash<QHostAddress, GeoResult> m_documentPlaces;
};

} // namespace tracemap
