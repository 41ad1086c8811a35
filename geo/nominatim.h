#pragma once
// OpenStreetMap Nominatim: place names to coordinates (/search) and coordinates to a place name
// (/reverse), following the usage policy (docs/online-services.md):
//  - at most one request per second to a server, counted across the whole program (every
//    NominatimClient shares one limiter per server, see nominatim.cpp), one at a time;
//  - a User-Agent naming tracemap and its version; a configurable server;
//  - every answer cached, in memory and in SQLite at `cachePath` (places for 30 days, "no such
//    place" for 7); identical pending requests are sent once;
//  - HTTP 429/503: the server is left alone for its Retry-After (60 s when it gives none);
//    lookups during that time fail at once instead of queueing.
// A client lives in the thread that created it (its SQLite connection belongs to that thread);
// clients in other threads share the same one-request-a-second budget.
// Answers of any shape are tolerated: wrong types, missing fields, error objects, empty or
// non-JSON bodies; bodies above 1 MiB are aborted; every request has a deadline.

#include "geotypes.h"

#include <QByteArray>
#include <QLoggingCategory>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

Q_DECLARE_LOGGING_CATEGORY(lcNominatim)

namespace tracemap {

struct NominatimAnswer
{
    LookupStatus status = LookupStatus::Pending;
    GeoPlace place;
    QString error; // why Failed / TimedOut / NotFound
    bool fromCache = false;
};

class NominatimClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const NominatimAnswer &)>;

    enum class Endpoint { Search, Reverse };

    // Shortest time between two requests to one server, program-wide. The policy says one a
    // second; the margin keeps timer and scheduling jitter from ever making it less.
    static constexpr int kMinRequestIntervalMs = 1100;
    // ...and between the end of one answer and the next request (one request in flight per server).
    static constexpr int kMinGapAfterAnswerMs = 1000;
    static constexpr qint64 kMaxBodyBytes = 1 << 20;
    static constexpr int kDefaultMaxQueued = 32;
    static constexpr int kMaxQueryLength = 500; // longer place names are refused, not sent
    static constexpr int kResolvedTtlDays = 30;
    static constexpr int kNotFoundTtlDays = 7;
    static constexpr int kDefaultBackoffSeconds = 60;
    static constexpr int kMaxBackoffSeconds = 3600;

    // `network` must outlive the client. `server` is the base URL (e.g.
    // https://nominatim.openstreetmap.org); `cachePath` an SQLite file ("" = memory only; an
    // unusable file is set aside or bypassed with a warning, never fatal); `timeoutMs` the
    // deadline of each HTTP request.
    NominatimClient(QNetworkAccessManager *network, const QUrl &server, const QString &cachePath,
                    int timeoutMs, QObject *parent = nullptr);
    ~NominatimClient() override; // pending callbacks are dropped, never called

    // Each calls `done` exactly once: synchronously (before returning) for cached answers,
    // invalid input, a full queue or a server in back-off; later from the event loop otherwise.
    // cancelAll() and destroying the client drop callbacks instead.
    void search(const QString &query, Callback done);
    void reverse(double latitude, double longitude, int zoom, Callback done);
    void cancelAll();

    // Distinct lookups waiting or in flight before new ones fail fast ("queue full").
    void setMaxQueued(int count);
    int maxQueued() const;
    int pendingCount() const; // distinct lookups queued or in flight

    QUrl server() const;
    bool hasPersistentCache() const;

    static QString attribution();  // "Place names © OpenStreetMap contributors, ODbL 1.0"
    static QByteArray userAgent(); // "tracemap/<version> (+https://github.com/tracemap/tracemap)"

    // Reads one answer body (jsonv2) of either endpoint. For /reverse, (fallbackLatitude,
    // fallbackLongitude) are used when the answer carries no usable coordinates.
    static NominatimAnswer parseAnswer(const QByteArray &body, Endpoint endpoint,
                                       double fallbackLatitude = qQNaN(), double fallbackLongitude = qQNaN());

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace tracemap
