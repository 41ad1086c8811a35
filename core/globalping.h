// The Globalping API (v1) as pure functions: the body that creates a traceroute or mtr measurement,
// the answers read back (the created ID, a measurement with one route per probe), the rate-limit
// headers, and error messages. No I/O; geo/globalpingclient.h sends what these build. A token only
// travels in the Authorization header the client adds, never in a URL or a message built here.
#pragma once

#include "vantage.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <utility>

namespace tracemap {

inline const QUrl kGlobalpingDefaultBase{QStringLiteral("https://api.globalping.io")};

QUrl globalpingCreateUrl(const QUrl &base);                         // POST /v1/measurements
QUrl globalpingMeasurementUrl(const QUrl &base, const QString &id); // GET /v1/measurements/{id}

struct GlobalpingSpec
{
    QString type = QStringLiteral("traceroute"); // or "mtr"
    QString target;
    QStringList locations; // `magic` strings: "Germany", "Tokyo", "AS3320", "Europe+AS3320"; empty: anywhere
    int limit = 1;         // probes in all
    QString protocol;      // ICMP, UDP or TCP; empty: the API's default
    int port = 0;          // TCP only; 0: default
    int ipVersion = 0;     // 4 or 6; 0: default
    int packets = 0;       // mtr only; 0: default
};

QString validate(const GlobalpingSpec &spec); // empty when fine
// {"type", "target", "locations": [{"magic": ...}], "limit", "measurementOptions": {...}}. With one
// location the global limit applies to it; with several, each gets limit/N rounded up (the API
// refuses a global limit together with per-location ones).
QJsonObject globalpingCreationBody(const GlobalpingSpec &spec);

// 202 {"id": "...", "probesCount": N}: the ID, or empty with *error.
QString parseGlobalpingCreated(const QByteArray &body, int *probesCount, QString *error);

struct GlobalpingMeasurement
{
    QString id;
    QString type;
    QString status; // "in-progress", "finished", ...
    QString target;
    int probesCount = -1;
    QList<VantageTrace> routes; // one per probe result, in the API's order
    bool inProgress() const { return status == QLatin1String("in-progress"); }
};

enum class GlobalpingParseError { None, NotJson, NotAMeasurement, UnsupportedType };
struct GlobalpingParseOutcome
{
    GlobalpingMeasurement measurement;
    GlobalpingParseError error = GlobalpingParseError::None;
    QString message;
    bool ok() const { return error == GlobalpingParseError::None; }
};

// A measurement document (GET answer or a saved file). Probe results still running are routes with
// the hops that have arrived; a probe whose result is "failed" or "offline" is a failed route.
GlobalpingParseOutcome parseGlobalpingMeasurement(const QByteArray &body);

struct RateLimitInfo
{
    int limit = -1;            // X-RateLimit-Limit
    int remaining = -1;        // X-RateLimit-Remaining
    int resetSeconds = -1;     // X-RateLimit-Reset: seconds until the window resets
    int retryAfter = -1;       // Retry-After, seconds
    int creditsRemaining = -1; // X-Credits-Remaining
    // How long to wait before asking again after a 429: Retry-After, else the reset, else `fallback`.
    int waitSeconds(int fallback) const;
};
RateLimitInfo parseRateLimit(const QList<std::pair<QByteArray, QByteArray>> &headers,
                             const QDateTime &nowUtc);

// One line for an error answer: 401/403 say the token is wrong; else the API's error.message.
QString globalpingErrorMessage(int httpStatus, const QByteArray &body);

} // namespace tracemap
