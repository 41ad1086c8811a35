#pragma once
// Where a route measured by a tracemap-agent starts: one decision for the desktop app
// (VantageController) and `tracemap-cli trace HOST --via URL --geo`. In order:
//  1. configured — the agent reported a place (`[vantage] location` in its config);
//  2. address    — the address the client connected to is public and the client's own
//                  geolocation chain (overrides, cache, offline database, the online provider
//                  only when opted in) places it; the agent itself never asks anyone about itself;
//  3. estimated  — the place of the route's first public router (TraceLocator's automatic start);
//  4. none       — no start: the speed-of-light check is off.
// chooseVantageStart() is pure: callers pass what they know (the report, the address and the
// chain's answer for it, the locator's estimate). findAgentPlace() gathers the address part: it
// takes the URL's host (resolved like the connection resolves it, bounded by a deadline) and asks
// the chain about it only when it is public; private, loopback and other special addresses are
// never asked about, so their routes keep the estimate.

#include "geotypes.h"
#include "vantage.h"

#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <functional>
#include <optional>

namespace tracemap {

class GeoService;

enum class VantageStartSource { None, Configured, Address, Estimated };
// "none", "configured", "address", "estimated" (the `source` of --via JSON and the route list).
QString toString(VantageStartSource source);

struct VantageStartInput
{
    VantagePoint reported;     // as the agent reported itself; hasLocation(): configured
    QHostAddress agentAddress; // the address connected to; null when unknown
    GeoResult addressResult;   // the chain's answer for agentAddress; Pending: not asked (yet)
    int estimatedTtl = -1;     // the hop the locator estimated the start from (> 0); else none
    SourceLocation estimated;  // that start
    GeoPlace estimatedPlace;   // its place, for the note
};

struct VantageStart
{
    VantageStartSource source = VantageStartSource::None;
    SourceLocation location; // where the route starts; invalid for none
    GeoPlace place;          // what is known of it (city, country) for configured / address
    // One line for the user: "configured on the agent", "located by its address 81.2.69.160
    // (DB-IP, city)", "estimated from hop 3, Frankfurt", "unknown — speed-of-light check off".
    QString note;
    // The start to give a TraceLocator: the place when configured or located by address;
    // nothing (estimate it from the first public router) otherwise.
    std::optional<SourceLocation> locatorStart() const;
};

VantageStart chooseVantageStart(const VantageStartInput &input);

// Fills the estimate part of `in` by TraceLocator's rule for an automatic start: the first public
// responder of `hops` (once the hops before it are settled, or the trace is over) and its place
// as `resultFor` (the locator's or annotator's decisions) gives it; nothing when it has none.
void addEstimate(VantageStartInput *in, const QList<Hop> &hops, bool traceOver,
                 const std::function<GeoResult(const QHostAddress &)> &resultFor);

// True for an address the chain may be asked about: not null, outside the special ranges.
bool isLocatableAgentAddress(const QHostAddress &address);
// The question about the agent's own address: no RTT check (it defines the start), no name look-up.
GeoQuery agentAddressQuery(const QHostAddress &address);

// The agent's address and the chain's answer for it (status Pending when not asked: no service,
// a special address, or a host that did not resolve within the deadline).
struct AgentPlace
{
    QHostAddress address;
    GeoResult result;
};
// Finds `agent`'s address — `known` when not null (tests inject it: loopback agents have no
// place), else the URL's host when it is an address literal, else the first address the system
// resolver gives within `resolveTimeoutMs` — and asks `service` (may be null) about it when it
// is locatable. `done` runs once, never before this returns, and not once `context` is gone.
void findAgentPlace(GeoService *service, const QUrl &agent, const QHostAddress &known, QObject *context,
                    std::function<void(const AgentPlace &)> done, int resolveTimeoutMs = 5000);

} // namespace tracemap
