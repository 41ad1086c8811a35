#pragma once
// The online IP geolocation provider (opt-in; see docs/online-services.md): asks an
// ip-api.com-style HTTP JSON service where an address is. The URL is a template in which
// "{ip}" is replaced by the address (default http://ip-api.com/json/{ip}); without "{ip}" the
// address is appended to the path.
//
// Understood answers: ip-api.com (status/message, lat, lon, city, regionName, countryCode,
// country) and, because it costs a few field names, the common shapes of ipapi.co, ipwho.is and
// ipinfo.io (latitude/longitude or "loc": "lat,lon", region/region_name, country_code,
// country_name, error/reason, success:false/message).
//
// Rate limits: the X-Rl (requests left) and X-Ttl (seconds to the window's reset) headers and
// HTTP 429 stop all requests until the window resets; lookups meanwhile fail at once with
// "rate limited, retry in N s". At most two requests are in flight and 64 more may wait;
// beyond that lookups fail at once. Bodies above 64 KiB are aborted; each request has a
// deadline. Each lookup's callback is called exactly once, unless cancelAll() or destroying
// the provider drops it.

#include "geoprovider.h"

#include <QLoggingCategory>
#include <QObject>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

Q_DECLARE_LOGGING_CATEGORY(lcOnlineIp)

namespace tracemap {

class OnlineIpProvider : public QObject, public GeoProvider
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxBodyBytes = 64 * 1024;
    static constexpr int kDefaultMaxInFlight = 2;
    static constexpr int kDefaultMaxQueued = 64;
    static constexpr int kDefaultRateLimitSeconds = 60; // after a 429 that names no window

    // `network` must outlive the provider.
    OnlineIpProvider(QNetworkAccessManager *network, const QUrl &urlTemplate, int timeoutMs,
                     QObject *parent = nullptr);
    ~OnlineIpProvider() override;

    QString id() const override; // "ip-api"
    ProviderRole role() const override { return ProviderRole::Online; }
    void lookup(const GeoQuery &query, Callback done) override;
    void cancelAll() override;

    void setMaxInFlight(int count);
    void setMaxQueued(int count);
    int pendingCount() const;        // distinct addresses queued or in flight
    qint64 rateLimitedForMs() const; // > 0 while the service asked us to wait

    // The URL asked for `address`.
    QUrl urlFor(const QHostAddress &address) const;

    // Reads one answer body. `host` names the service in reasons and errors.
    static GeoAnswer parseAnswer(const QByteArray &body, const QString &host);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace tracemap
