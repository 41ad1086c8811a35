// tracemap-cli's geolocation commands: locate, geodb, and the hop annotations of trace --geo.
#pragma once

#include "cliargs.h"
#include "geoservice.h"
#include "tracefile.h"
#include "tracetypes.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>

namespace tracemap::cli {

// "Ashburn, Virginia, US (39.0438, -77.4874 ±25 km)" or the status and reason.
QString formatGeoPlace(const GeoResult &result);
// The multi-line block `locate` prints per address.
QString formatGeoResult(const GeoResult &result);

// Runs to completion inside the application's event loop; returns the exit code.
int runLocate(const Options &options);
int runGeoDb(const Options &options);

// Locates every responder of a finished trace. Without --source-location the first public hop
// that is located becomes the source, so later hops are RTT-checked against it.
class TraceGeoAnnotator : public QObject
{
    Q_OBJECT
public:
    explicit TraceGeoAnnotator(const GeoSettings &settings, QObject *parent = nullptr);
    ~TraceGeoAnnotator() override;

    void start(const TraceResult &trace, std::function<void()> done);
    GeoResult resultFor(const QHostAddress &address) const;
    QStringList attributions() const;
    QStringList warnings() const;

    // One line per responding hop: TTL, address, place, provider, AS and name.
    QStringList textLines(const TraceResult &trace) const;

private:
    void locateRest();
    void finishIfDone();

    std::unique_ptr<GeoService> m_service;
    QList<GeoQuery> m_queries; // one per distinct responder, in TTL order
    QHash<QHostAddress, GeoResult> m_results;
    std::function<void()> m_done;
    int m_firstPublic = -1;
    bool m_restStarted = false;
    bool m_finished = false;
};

} // namespace tracemap::cli
