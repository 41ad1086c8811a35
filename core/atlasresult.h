// RIPE Atlas traceroute results: a pure parser (QtCore only, no I/O) from the JSON the Atlas API
// serves to the engine's types.
//
// Two layers. parseAtlasResults() mirrors the document the way RIPE's own parser
// (ripe.atlas.sagan 1.1.9, traceroute.py) reads it, checked hop for hop against sagan's output by
// tests/unit/tst_atlassagan.cpp: sagan's rules for rounding, medians, errors and the summary values
// (total_hops, last_median_rtt, destination_ip_responded, last_hop_responded, is_success,
// last_hop_errors, ip_path). Every entry of a hop's `result` array becomes one AtlasPacket; late
// answers (a `late` key) are kept but flagged, and like sagan every summary value and median skips
// them. Deliberate difference: destinationIpResponded() compares addresses, not spellings.
// toVantageTrace() then turns one result into a route: late and duplicate answers and reply-level
// errors leave the probe list (they would skew loss and RTT) and are counted in the hop's notes
// instead; `err` codes become ICMP unreachable kinds.
//
// Accepted documents: an array of results (the results download), a single result object, the
// "latest" shape {"<prb_id>": [result, ...]}, or one result per line (format=txt). Every firmware
// still served is read: fw >= 4470 (af), 4460..4469 and older (pf instead of af); fw 1 (legacy
// text) and damaged documents are refused as a whole with one error naming the result.
#pragma once

#include "vantage.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace tracemap {

struct AtlasMplsEntry
{
    qint64 label = 0;
    int exp = 0;
    int bottomOfStack = 0; // `s`
    int ttl = 0;
    friend bool operator==(const AtlasMplsEntry &, const AtlasMplsEntry &) = default;
};

// One entry of a hop's `result` array, as sagan's Packet sees it.
struct AtlasPacket
{
    bool timeout = false; // {"x": "*"}
    QString origin;       // `from`; empty when absent (timeouts, reply-level errors)
    double rtt = -1.0;    // ms, rounded to 3 decimals like sagan; -1 when absent
    int size = -1;
    int ttl = -1;      // TTL of the reply as it arrived
    int ittl = 1;      // TTL of the quoted packet (sagan's internal_ttl, default 1)
    int mtu = -1;      // packet too big
    bool late = false; // has a `late` key: answers an earlier probe; sagan leaves it out of the hop
    int lateBy = 0;    // `late`: the answer belongs to a probe this many probes earlier
    bool duplicate = false;
    QString err;          // raw `err`: N, H, A, P, p or a number
    QString errorMessage; // sagan's message for `err` ("Network unreachable", ...), empty without one
    QString replyError;   // a reply-level `error` ("sendto failed: ..."): nothing was measured
    QString edst;         // `edst`: destination of the quoted packet
    QString flags;        // TCP flags of the answer (TCP traceroutes)
    int icmpExtVersion = -1;
    bool rfc4884 = false;
    QList<AtlasMplsEntry> mpls; // every MPLS entry of every `icmpext` object, in order
    bool hasIcmpExt = false;

    bool isError() const { return !errorMessage.isEmpty(); } // sagan's packet.is_error
};

struct AtlasHop
{
    int index = 0;              // `hop`: the TTL
    QString error;              // hop-level `error`; sagan's hop.is_error
    QList<AtlasPacket> packets; // late answers included (flagged `late`), unlike sagan's hop.packets
    double medianRtt = -1.0;    // sagan's median over the non-late packets with a non-zero rtt; -1 when none
};

struct AtlasResult
{
    int firmware = 0;
    qint64 measurementId = -1;
    qint64 probeId = -1;
    qint64 timestamp = -1;
    qint64 endTime = -1;
    int af = 0; // 4 or 6; 0 when missing
    QString destinationAddress;
    QString destinationName;
    QString sourceAddress; // the probe's local address (often private)
    QString origin;        // `from`: its public address as the controller sees it; may be empty
    int parisId = -1;
    int size = -1;
    QString protocol; // ICMP, UDP or TCP (sagan's clean_protocol); empty when missing
    QString measurementName;
    int lts = -1;        // seconds since the probe's clock was synchronised; -1 when unknown
    QString resultError; // top-level `err` or `dnserr`: the whole measurement failed
    QList<AtlasHop> hops;

    // sagan's summary values; all of them skip late answers.
    int totalHops() const { return int(hops.size()); }
    double lastMedianRtt() const;        // the last hop's median that is non-zero; -1 when none
    bool destinationIpResponded() const; // a last-hop answer from dst_addr (compared as addresses)
    bool lastHopResponded() const;       // a last-hop answer with a non-zero rtt
    bool isSuccess() const;              // a last-hop answer with a non-zero rtt and no `err`
    QStringList lastHopErrors() const;   // when not a success: the hop's error, else each packet's
    QList<QStringList> ipPath() const;   // per hop, each non-late packet's origin ("" for none)
};

enum class AtlasParseError {
    None,
    Empty,         // nothing but whitespace
    NotJson,       // not JSON (or JSON cut short)
    NotAResult,    // JSON, but a result lacks timestamp/msm_id/prb_id/fw/type or has the wrong shape
    NotTraceroute, // a result of another type (ping, dns, ...)
    LegacyFormat,  // fw 1: traceroute output as text, which cannot be read hop by hop
    BadValue,      // a field has a value of the wrong kind (unknown protocol, hop that is not an object)
};
QString toString(AtlasParseError error);

struct AtlasParseOutcome
{
    QList<AtlasResult> results;
    AtlasParseError error = AtlasParseError::None;
    QString message; // one line naming the result (index and probe) that is damaged
    bool ok() const { return error == AtlasParseError::None; }
};

// Parses a whole document. Nothing is returned when any result is damaged: a file either opens
// completely or says which result is wrong.
AtlasParseOutcome parseAtlasResults(const QByteArray &document);

// One result as a route. The vantage is the probe: id "atlas:<prb_id>", public address `from`;
// its place comes from the probe API (see atlasapi.h).
VantageTrace toVantageTrace(const AtlasResult &result);

} // namespace tracemap
