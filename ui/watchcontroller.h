// Watch mode of the desktop window: one WatchSession (core/watchsession.h) on the app's
// EngineThread, repeated rounds to one host with mtr-grade statistics. The controller owns
// the watch's hop table (WatchHopModel: statistics over the focus period, places from the same
// TraceLocator policy as the trace mode, so places and verdicts match), the path-change list
// and a RouteSet with the path before a change (faint, dashed) for the map.
//
// Contract: lives in the GUI thread; the engine thread is shared with the TraceController
// (not owned) and must outlive it. States: Idle -> Running <-> Paused -> Finished; reset()
// forgets the statistics (a running watch goes on; a finished one returns to Idle). The focus
// period (start/end in ms since the epoch) selects the rounds the table and the map are
// computed over; without one, the whole watch. The time window (1 min ... all) is the chart's
// span, ending at the latest round. Times come from the watch clock (injectable for tests).
#pragma once

#include "geoservice.h"
#include "routeset.h"
#include "tracelocator.h"
#include "watchchartgeometry.h"
#include "watchhopmodel.h"
#include "watchsession.h"

#include <QObject>
#include <QPointer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace tracemap {

class AppSettings;
class EngineThread;

class WatchController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(bool active READ active NOTIFY stateChanged)
    Q_PROPERTY(int rounds READ rounds NOTIFY roundsChanged)
    Q_PROPERTY(QString target READ target NOTIFY targetChanged)
    Q_PROPERTY(QString destination READ destination NOTIFY destinationChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    Q_PROPERTY(TimeWindow timeWindow READ timeWindow WRITE setTimeWindow NOTIFY timeWindowChanged)
    Q_PROPERTY(bool hasFocus READ hasFocus NOTIFY focusChanged)
    Q_PROPERTY(double focusStartMs READ focusStartMs NOTIFY focusChanged)
    Q_PROPERTY(double focusEndMs READ focusEndMs NOTIFY focusChanged)
    // The chart's span: [windowStartMs, latestRoundMs]; the watch's: [firstRoundMs, latestRoundMs]
    // (0 before the first round).
    Q_PROPERTY(double windowStartMs READ windowStartMs NOTIFY viewChanged)
    Q_PROPERTY(double firstRoundMs READ firstRoundMs NOTIFY viewChanged)
    Q_PROPERTY(double latestRoundMs READ latestRoundMs NOTIFY viewChanged)
    Q_PROPERTY(tracemap::WatchHopModel *model READ model CONSTANT)
    Q_PROPERTY(tracemap::RouteSet *routes READ routes CONSTANT)
    // [{index, time, ttl, from, to, fromPlace, toPlace, text}] oldest first.
    Q_PROPERTY(QVariantList pathChanges READ pathChanges NOTIFY pathChangesChanged)
    Q_PROPERTY(int selectedChange READ selectedChange WRITE selectChange NOTIFY selectedChangeChanged)
    Q_PROPERTY(bool hasSource READ hasSource NOTIFY sourceChanged)
    Q_PROPERTY(double sourceLatitude READ sourceLatitude NOTIFY sourceChanged)
    Q_PROPERTY(double sourceLongitude READ sourceLongitude NOTIFY sourceChanged)
public:
    enum State { Idle, Running, Paused, Finished };
    Q_ENUM(State)
    enum TimeWindow { LastMinute, Last10Minutes, LastHour, All };
    Q_ENUM(TimeWindow)
    static qint64 windowSpanMs(TimeWindow window); // 0: all

    // settings and engine must outlive the controller; geo may be null (hops are not placed).
    WatchController(AppSettings *settings, EngineThread *engine, GeoService *geo, QObject *parent = nullptr);
    ~WatchController() override;

    State state() const { return m_state; }
    bool active() const { return m_state == Running || m_state == Paused; }
    int rounds() const { return m_rounds; } // since the start or the last reset
    QString target() const { return m_target; }
    QString destination() const { return m_destination; }
    QString errorMessage() const { return m_errorMessage; }
    TimeWindow timeWindow() const { return m_window; }
    void setTimeWindow(TimeWindow window);
    bool hasFocus() const { return m_focusEndMs > m_focusStartMs; }
    double focusStartMs() const { return double(m_focusStartMs); }
    double focusEndMs() const { return double(m_focusEndMs); }
    double windowStartMs() const;
    double firstRoundMs() const { return double(m_firstRoundMs); }
    double latestRoundMs() const { return double(m_latestRoundMs); }
    WatchHopModel *model() const { return m_model; }
    RouteSet *routes() const { return m_routes; }
    QVariantList pathChanges() const;
    int selectedChange() const { return m_selectedChange; }
    bool hasSource() const { return m_locator->hasSource(); }
    double sourceLatitude() const { return m_locator->hasSource() ? m_locator->source().latitude : 0; }
    double sourceLongitude() const { return m_locator->hasSource() ? m_locator->source().longitude : 0; }

    void setGeoService(GeoService *geo);
    // For tests and scripted runs: the watch clock, the interval and a round limit (0: none).
    void setClock(WatchSession::Clock clock) { m_clock = std::move(clock); }
    void setIntervalSec(double seconds) { m_intervalSec = seconds; }
    void setCycles(int cycles) { m_cycles = cycles; }
    // The statistics so far (null before the first start); for the chart.
    const WatchStats *stats() const { return m_session ? &m_session->stats() : nullptr; }
    // The paused stretches since the start or the last reset, on the watch clock, oldest
    // first; the chart does not join its lines across them.
    const QList<WatchPause> &pauses() const { return m_pauses; }
    // The running watch's session (null before the first start); for benches that feed it
    // rounds at accelerated time (WatchSession::injectRound).
    WatchSession *session() const { return m_session.get(); }

    // Starts watching host (a running watch is stopped first). method/family are
    // TraceController::Method / Family values. False, with errorMessage set, when refused.
    Q_INVOKABLE bool start(const QString &host, int method, int family);
    Q_INVOKABLE void pause();
    Q_INVOKABLE void resume();
    Q_INVOKABLE void stop();
    Q_INVOKABLE void reset();
    // Computes the table and the map over [startMs, endMs] (either order); clearFocus(): all.
    Q_INVOKABLE void setFocusPeriod(double startMs, double endMs);
    Q_INVOKABLE void clearFocus();
    // Shows the path before and after change `index` on the map (-1: none selected).
    Q_INVOKABLE void selectChange(int index);

signals:
    void stateChanged();
    void roundsChanged();
    void targetChanged();
    void destinationChanged();
    void errorMessageChanged();
    void timeWindowChanged();
    void focusChanged();
    void viewChanged();
    void pathChangesChanged();
    void selectedChangeChanged();
    void sourceChanged();
    // A watch ended; outcome is one line for the status area.
    void finished(const QString &outcome);

private:
    struct ChangeRecord
    {
        PathChange change;
        QMap<int, QHostAddress> before;
        QMap<int, QHostAddress> after;
    };
    void onRound(const WatchRound &round);
    void onFinished(WatchEndReason reason, const QString &message);
    void setState(State state);
    void setErrorMessage(const QString &message);
    void refreshRows();
    void updateRoutes();
    QMap<int, QHostAddress> currentPath() const;
    MapRoute routeOf(const QMap<int, QHostAddress> &path, const QString &id, const QString &name) const;
    QString placeOf(const QHostAddress &address) const;
    void clearWatchData();
    qint64 nowMs() const;

    AppSettings *m_settings;
    EngineThread *m_engine;
    WatchHopModel *m_model;
    RouteSet *m_routes;
    TraceLocator *m_locator;
    std::unique_ptr<WatchSession> m_session;
    WatchSession::Clock m_clock;
    double m_intervalSec = 1.0;
    int m_cycles = 0;
    State m_state = Idle;
    TimeWindow m_window = Last10Minutes;
    QString m_target;
    QString m_destination;
    QString m_errorMessage;
    qint64 m_focusStartMs = 0;
    qint64 m_focusEndMs = 0;
    qint64 m_firstRoundMs = 0;
    qint64 m_latestRoundMs = 0;
    int m_selectedChange = -1;
    int m_rounds = 0;
    QList<ChangeRecord> m_changes;
    QList<WatchPause> m_pauses;
    QMap<int, QHostAddress> m_lastPath; // the dominant responders after the previous round
};

} // namespace tracemap
