#pragma once
// Value types of the geolocation pipeline. Shared by the CLI, the agent and the desktop app;
// Qt Core + Network only.

#include <QDateTime>
#include <QHostAddress>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QtNumeric>

#include <optional>

namespace tracemap {

// Status of a single lookup (reverse DNS, AS, Nominatim, ...). NotFound is an answer too and
// is cached like one.
enum class LookupStatus { Pending, Resolved, NotFound, Failed, TimedOut };

// Where a lookup stands. Unlocatable covers both "no provider knows this address" and
// "this address has no place" (special ranges); the reason says which.
enum class GeoStatus { Pending, Located, Unlocatable, Failed, TimedOut };

// A place on Earth as far as a provider knows it. Coordinates are NaN when unknown.
struct GeoPlace
{
    double latitude = qQNaN();
    double longitude = qQNaN();
    double accuracyKm = -1.0; // radius; < 0 when the provider gave none
    QString city;
    QString region;
    QString countryCode; // ISO 3166-1 alpha-2, upper case
    QString country;     // display name when known
    QString displayName; // e.g. from Nominatim /reverse

    bool hasCoordinates() const { return !qIsNaN(latitude) && !qIsNaN(longitude); }
};

// One provider's answer for one query.
struct GeoAnswer
{
    GeoStatus status = GeoStatus::Failed;
    GeoPlace place;
    QString provider;        // short stable id: "special", "override", "cache", "mmdb", "hostname", "ip-api",
                             // "nominatim"
    QString providerDetail;  // e.g. database build "DBIP-City-Lite 2026-06", matched rule "iata:fra"
    QString reason;          // one human sentence: why this answer (or why none)
    double confidence = 0.0; // 0..1
    QString error;           // for Failed / TimedOut
    // Other places the same evidence may mean, best first (e.g. a hostname code that is both a
    // carrier's code and another city's IATA code). The chain tries them in order when `place`
    // fails the RTT plausibility check.
    QList<GeoPlace> alternatives;
};

// Origin AS of an address (Team Cymru or an offline prefix table).
struct AsInfo
{
    quint32 number = 0; // 0 when unknown
    QString name;
    QString prefix;
    QString countryCode;
    QString registry;
    bool isValid() const { return number != 0; }
};

// Where a trace starts: the origin of the speed-of-light check. NaN when unknown.
struct SourceLocation
{
    double latitude = qQNaN();
    double longitude = qQNaN();
    bool isValid() const { return !qIsNaN(latitude) && !qIsNaN(longitude); }
};

// What the chain is asked.
struct GeoQuery
{
    QHostAddress address;
    QString hostname;           // reverse DNS name; empty = unknown/none
    bool hostnameKnown = false; // true when hostname was given (possibly empty): do not look it up
    double rttMs = -1.0;        // hop RTT for the plausibility check; < 0 = unknown
    // The start of this query's trace (an invalid one: no RTT check). None: the service's
    // (GeoService::setSourceLocation). Per query, so one service serves routes measured from
    // many places at once (vantage points) without being reconfigured between them.
    std::optional<SourceLocation> source;
};

// What the chain decided for one address.
struct GeoResult
{
    QHostAddress address;
    GeoStatus status = GeoStatus::Pending;
    GeoPlace place;
    QString provider;
    QString providerDetail;
    QString reason;
    double confidence = 0.0;
    QString hostname; // reverse DNS name (looked up or given)
    AsInfo as;
    // Candidates refused, e.g. "hostname: Nashua, US is 635 km from the source; 1.0 ms allows at most 160
    // km".
    QStringList rejected;
    QString error;
    QDateTime resolvedAt;
    bool fromCache = false; // answered from the persistent cache (provider is the original one)
    SourceLocation source;  // the start the RTT check was made from (invalid: none)
};

QString geoStatusName(GeoStatus status);       // "pending", "located", "unlocatable", "failed", "timed_out"
QString lookupStatusName(LookupStatus status); // "pending", "resolved", "not_found", "failed", "timed_out"

void registerGeoTypes(); // qRegisterMetaType for queued connections

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::GeoPlace)
Q_DECLARE_METATYPE(tracemap::GeoAnswer)
Q_DECLARE_METATYPE(tracemap::AsInfo)
Q_DECLARE_METATYPE(tracemap::GeoQuery)
Q_DECLARE_METATYPE(tracemap::GeoResult)
