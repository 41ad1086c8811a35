#pragma once
// One trace-level locating policy for every program (the desktop app, the CLI, the agent):
//  - which addresses: every responder of every hop, once each (IPv4-mapped addresses as
//    IPv4, base/address.h), in TTL order;
//  - with which RTT: the best one seen for that responder anywhere in the trace (the best RTT
//    bounds the distance most tightly), counted only from hops that are settled: complete,
//    or the trace is over;
//  - where the trace starts: the configured source location; without one, the place of the
//    first public responder (the first one outside the special ranges, at the lowest TTL),
//    located without an RTT check because it defines the source. The others wait for it, so
//    the RTT check of every hop uses the same source whatever order the answers come in.
// tracePlan() and sourceCandidate() are the pure policy; TraceLocator drives a GeoService
// with it, fed the hops as they arrive (the desktop app) or the finished trace (the CLI).

#include "geoservice.h"
#include "plausibility.h"
#include "tracetypes.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <optional>

namespace tracemap {

struct HopQuery
{
    GeoQuery query; // normalized address and best RTT
    int ttl = 0;    // the first hop it answered at
    bool isPublic = false;
};

// Every distinct responder of the settled hops, TTL order, with its best RTT.
// `hostnameKnown`: do not look names up (offline runs).
QList<HopQuery> tracePlan(const QList<Hop> &hops, bool traceOver, bool hostnameKnown);

struct SourceCandidate
{
    bool decidable = false;        // false: an earlier hop is not settled yet
    std::optional<HopQuery> query; // the first public responder; none when the trace has none
};
// Where an automatic source would come from, given what has arrived so far.
SourceCandidate sourceCandidate(const QList<Hop> &hops, bool traceOver, bool hostnameKnown);

// The value of --source-location and of the desktop's setting: "auto" (or empty) estimates the
// start from the trace (the default); "LAT,LON" configures it. Nullopt with a one-line `error`
// for anything else.
struct SourceLocationSetting
{
    bool automatic = true;
    SourceLocation configured; // valid when !automatic
};
std::optional<SourceLocationSetting> parseSourceLocationSetting(const QString &text, QString *error);

// How the trace's start was decided, for the status line: "Start: configured 50.11, 8.68",
// "Start: estimated from hop 3, Frankfurt (2.1 ms)", "Start: unknown — speed-of-light check off".
// `sourceTtl` as TraceLocator::sourceTtl(); `place` and `rttMs` of the hop it came from.
QString describeTraceSource(int sourceTtl, const SourceLocation &source, const GeoPlace &place, double rttMs);

class TraceLocator : public QObject
{
    Q_OBJECT
public:
    explicit TraceLocator(QObject *parent = nullptr);

    // The service asked (not owned; may be null). Forgets what was asked of the previous one.
    void setService(GeoService *service);
    GeoService *service() const { return m_service; }

    // The configured source location (none: the first public responder's place is used).
    void setConfiguredSource(std::optional<SourceLocation> source);

    // A new trace: nothing asked, the automatic source undecided.
    void reset();
    // The hops so far (all of them each time) and whether the trace is over; asks the service
    // about whatever the policy allows now.
    void update(const QList<Hop> &hops, bool traceOver);

    bool hasSource() const { return m_source.isValid(); }
    SourceLocation source() const { return m_source; }
    int sourceTtl() const { return m_sourceTtl; } // 0: configured; > 0: the hop it came from; -1: none
    // describeTraceSource() of the current source.
    QString sourceDescription() const;
    int pendingCount() const { return int(m_pending.size()); }
    // The trace is over, its source decided and every address answered.
    bool isDone() const;
    // The decision for an address of this trace; status Pending when none yet.
    GeoResult resultFor(const QHostAddress &address) const;
    void cancelAll();

signals:
    void located(const tracemap::GeoResult &result); // for the addresses this locator asked
    void sourceChanged();
    void pendingChanged();
    void done(); // isDone() became true

private:
    enum class SourceState { Undecided, Waiting, Decided };
    void pump();
    void step();
    void ask(GeoQuery query);
    void onServiceLocated(const GeoResult &result);
    bool hostnameKnown() const;

    QPointer<GeoService> m_service;
    QMetaObject::Connection m_connection;
    std::optional<SourceLocation> m_configured;
    QList<Hop> m_hops;
    bool m_traceOver = false;
    SourceState m_sourceState = SourceState::Undecided;
    QHostAddress m_sourceAddress;
    int m_sourceAddressTtl = -1;
    SourceLocation m_source;
    int m_sourceTtl = -1;
    QSet<QHostAddress> m_asked;
    QHash<QHostAddress, QString> m_pending; // asked, not answered: the start asked with (sourceKey)
    QHash<QHostAddress, GeoResult> m_results;
    bool m_pumping = false;
    bool m_pumpAgain = false;
    bool m_doneSignalled = false;
};

} // namespace tracemap
