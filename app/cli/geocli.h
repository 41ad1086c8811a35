// tracemap-cli's geolocation commands: locate, geodb, and the hop annotations of trace --geo.
#pragma once

#include "cliargs.h"
#include "geoservice.h"
#include "tracefile.h"
#include "tracelocator.h"
#include "tracetypes.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace tracemap::cli {

// "Ashburn, Virginia, US (39.0438, -77.4874 ±25 km)" or the status and reason.
QString formatGeoPlace(const GeoResult &result);
// The multi-line block `locate` prints per address.
QString formatGeoResult(const GeoResult &result);

// Runs to completion inside the application's event loop; returns the exit code.
int runLocate(const Options &options);
int runGeoDb(const Options &options);

// Locates a finished trace by the one policy of geo/tracelocator.h: every responder with its
// best RTT; without --source-location the first public responder's place is the source, so
// later hops are RTT-checked against it.
class TraceGeoAnnotator : public QObject
{
    Q_OBJECT
public:
    explicit TraceGeoAnnotator(const GeoSettings &settings, QObject *parent = nullptr);
    // With a given service (tests: an explicit provider chain). The configured source is the
    // service's settings' source location.
    explicit TraceGeoAnnotator(std::unique_ptr<GeoService> service, QObject *parent = nullptr);
    // With a service shared by several traces (not owned; it outlives this), each with its own
    // start: routes from many vantage points through one geolocation chain, set up once.
    TraceGeoAnnotator(GeoService *shared, std::optional<SourceLocation> source, QObject *parent = nullptr);
    ~TraceGeoAnnotator() override;

    void start(const TraceResult &trace, std::function<void()> done);
    GeoResult resultFor(const QHostAddress &address) const;
    QStringList attributions() const;
    QStringList warnings() const;

    // One line per responding hop: TTL, address, place, provider, AS and name.
    QStringList textLines(const TraceResult &trace) const;

private:
    void finish();

    std::unique_ptr<GeoService> m_owned;
    GeoService *m_service = nullptr; // m_owned, or the shared one
    TraceLocator m_locator;
    std::function<void()> m_done;
    bool m_finished = false;
};

} // namespace tracemap::cli
