// The RIPE Atlas REST API (v2) as pure functions: the URLs to ask, the body that creates a one-off
// traceroute, the credits it is expected to cost, and the answers read back (a probe's place, the
// created measurement's ID, a measurement's status, an error's message). No I/O; the client in
// geo/atlasclient.h sends what these build. A key is never part of a URL or a message built here:
// it only travels in the Authorization header the client adds.
#pragma once

#include "vantage.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringView>
#include <QUrl>

#include <optional>

namespace tracemap {

inline const QUrl kAtlasDefaultBase{QStringLiteral("https://atlas.ripe.net")};

// GET {base}/api/v2/measurements/{id}/results/?format=json[&start=][&stop=][&probe_ids=1,2]
// start/stop: Unix seconds, < 0 to leave out.
QUrl atlasResultsUrl(const QUrl &base, qint64 measurementId, qint64 start = -1, qint64 stop = -1,
                     const QList<qint64> &probeIds = {});
QUrl atlasMeasurementUrl(const QUrl &base, qint64 measurementId); // GET: status and participants
QUrl atlasProbeUrl(const QUrl &base, qint64 probeId);
QUrl atlasCreateUrl(const QUrl &base); // POST /api/v2/measurements/

// Where the probes come from: N probes of a country, an AS or one of Atlas' areas.
struct AtlasProbeSelection
{
    enum class Type { Country, Asn, Area };
    Type type = Type::Area;
    QString value; // "DE", "3320", "WW"
    int requested = 5;
};

struct AtlasTraceSpec
{
    QString target;
    int af = 4;
    QString protocol = QStringLiteral("ICMP"); // ICMP, UDP or TCP
    int packets = 3;
    int maxHops = 32;
    int paris = 16;
    QString description;
    AtlasProbeSelection probes;
};

// The API's name of a probe selection type ("country", "asn", "area"): also the CLI's option and
// the desktop dialog's choice; read back case-sensitively (nothing when unknown).
constexpr AtlasProbeSelection::Type kAtlasSelectionTypes[] = {
    AtlasProbeSelection::Type::Country, AtlasProbeSelection::Type::Asn, AtlasProbeSelection::Type::Area};
QString atlasSelectionName(AtlasProbeSelection::Type type);
std::optional<AtlasProbeSelection::Type> atlasSelectionFromName(QStringView name);

// Empty when fine, else one line saying what is wrong (bad country code, unknown area, ...).
QString validate(const AtlasTraceSpec &spec);
// {"definitions":[{type: traceroute, ...}], "probes":[{requested, type, value}], "is_oneoff": true}
QJsonObject atlasCreationBody(const AtlasTraceSpec &spec);
// Credits a one-off traceroute is expected to cost if every requested probe answers: Atlas charges
// 10 credits per packet per hop-set result and doubles one-offs (3 packets: 60 per probe).
int atlasExpectedCredits(const AtlasTraceSpec &spec);
QStringList atlasAreas(); // WW, West, North-Central, South-Central, North-East, South-East

// GET /api/v2/probes/{id}/: id, country_code, asn_v4/asn_v6, description, and geometry as GeoJSON
// (longitude first). A probe without coordinates keeps NaN latitude/longitude. False (and *error)
// for a document that is not a probe.
bool parseAtlasProbe(const QByteArray &body, VantagePoint *probe, QString *error);

// POST answer {"measurements": [id]}: the first ID, or -1 with *error.
qint64 parseAtlasCreated(const QByteArray &body, QString *error);

struct AtlasMeasurementStatus
{
    int statusId = -1;        // 0 specified, 1 scheduled, 2 ongoing, 4 stopped, 5 forced to stop,
    QString statusName;       // 6 no suitable probes, 7 failed, 8 archived
    int probesRequested = -1; // probes_requested
    int participants = -1;    // participant_count (null while scheduling)
    bool finished() const { return statusId >= 4; } // no more results will come
    bool failed() const { return statusId == 5 || statusId == 6 || statusId == 7; }
};
bool parseAtlasMeasurement(const QByteArray &body, AtlasMeasurementStatus *status, QString *error);

// A one-line message for an error answer: 401/403 say the key is wrong (or lacks the permission),
// else the API's own `error.detail` / `error.title`, else the status. Never contains the key.
QString atlasErrorMessage(int httpStatus, const QByteArray &body);

} // namespace tracemap
