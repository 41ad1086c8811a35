#pragma once
// Reverse DNS names and origin AS numbers of hop addresses, asynchronous, with timeouts and an
// in-memory cache that remembers "not found" too (timeouts and failures are not cached, so a
// later hop lookup may try again).
//
// Reverse DNS: the system resolver through QHostInfo (/etc/hosts, then DNS), or PTR queries
// through QDnsLookup to `dnsServer` when one is set.
// Origin AS: the offline AS table first (AsDatabase, loaded on a worker thread), then, only when
// `cymru` is on, Team Cymru's DNS interface: TXT d.c.b.a.origin.asn.cymru.com (IPv6: nibbles
// under origin6.asn.cymru.com) and TXT AS<n>.asn.cymru.com for the AS name.

#include "boundedcache.h"
#include "geotypes.h"

#include <QHash>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <utility>

Q_DECLARE_LOGGING_CATEGORY(lcHostInfo)

class QDnsLookup;

namespace tracemap {

class AsDatabase;

struct HostInfoSettings
{
    bool reverseDns = true;
    bool cymru = false;
    QStringList asDatabasePaths; // AS MMDB or @ip-location-db/asn CSV files
    QHostAddress dnsServer;      // null = the system resolver (reverse DNS) / system DNS (Cymru)
    int timeoutMs = 3000;        // per DNS query
};

class HostInfoResolver : public QObject
{
    Q_OBJECT
public:
    using NameCallback = std::function<void(LookupStatus, const QString &)>;
    using AsCallback = std::function<void(LookupStatus, const AsInfo &)>;

    explicit HostInfoResolver(const HostInfoSettings &settings, QObject *parent = nullptr);
    ~HostInfoResolver() override;

    // Each callback is called exactly once, possibly before the call returns (cache hits,
    // disabled lookups). Concurrent requests for one address share one query.
    void reverseName(const QHostAddress &address, NameCallback done);
    void originAs(const QHostAddress &address, AsCallback done);

    // True once the offline AS table has been loaded (or there is none).
    bool asTableReady() const;
    QStringList attributions() const;
    const HostInfoSettings &settings() const { return m_settings; }

    // DNS names queried for an address: "4.3.2.1.in-addr.arpa", "…ip6.arpa",
    // "4.3.2.1.origin.asn.cymru.com", "…origin6.asn.cymru.com".
    static QString reverseDnsName(const QHostAddress &address);
    static QString cymruOriginName(const QHostAddress &address);
    // Parses "13335 | 1.1.1.0/24 | AU | apnic | 2011-08-11" (origin) into `info`.
    static bool parseCymruOrigin(const QString &text, AsInfo *info);
    // Parses "13335 | US | arin | 2010-07-14 | CLOUDFLARENET - Cloudflare, Inc., US" (AS name).
    static bool parseCymruAsName(const QString &text, AsInfo *info);

signals:
    void asTableLoaded();

private:
    // One kind of lookup by address key, for names and AS numbers alike: the answers remembered
    // (found and not found; timeouts and failures are asked again) and the callers waiting for
    // a lookup on its way.
    template<typename Value> class LookupBook
    {
    public:
        using Callback = std::function<void(LookupStatus, const Value &)>;
        explicit LookupBook(qsizetype capacity) : m_known(capacity) {}
        // Answers `done` from memory; false when nothing is remembered for `key`.
        bool answer(const QString &key, const Callback &done) const
        {
            const auto entry = m_known.find(key);
            if (entry)
                done(entry->first, entry->second);
            return bool(entry);
        }
        // Queues `done` for `key`'s lookup; false when none was on its way (the caller starts it).
        bool join(const QString &key, Callback done)
        {
            auto it = m_waiting.find(key);
            const bool joined = it != m_waiting.end();
            if (joined)
                it->append(std::move(done));
            else
                m_waiting.insert(key, {std::move(done)});
            return joined;
        }
        // Hands the outcome to every caller waiting for `key`; a late outcome (after a timeout
        // already answered them) is dropped.
        void finish(const QString &key, LookupStatus status, const Value &value)
        {
            const QList<Callback> callbacks = m_waiting.take(key);
            if (callbacks.isEmpty())
                return;
            if (status == LookupStatus::Resolved || status == LookupStatus::NotFound)
                m_known.insert(key, {status, value});
            for (const Callback &callback : callbacks)
                callback(status, value);
        }

    private:
        BoundedCache<QString, std::pair<LookupStatus, Value>> m_known;
        QHash<QString, QList<Callback>> m_waiting;
    };

    static QString reversedName(const QHostAddress &address, const QString &v4Zone, const QString &v6Zone);
    void finishName(const QString &key, LookupStatus status, const QString &name);
    void finishAs(const QString &key, LookupStatus status, const AsInfo &info);
    void resolveAs(const QHostAddress &address);
    void queryCymruOrigin(const QHostAddress &address);
    void queryCymruName(const QString &key, AsInfo info);
    QDnsLookup *startTxt(const QString &name);
    void armTimeout(QObject *lookup, std::function<void()> onTimeout);

    // Hop addresses of many traces over days; far more than a session sees, far less than memory holds.
    static constexpr qsizetype kMaxCachedAddresses = 50000;

    HostInfoSettings m_settings;
    LookupBook<QString> m_names{kMaxCachedAddresses};
    LookupBook<AsInfo> m_as{kMaxCachedAddresses};
    QList<QHostAddress> m_waitingForTable;
    std::shared_ptr<const AsDatabase> m_asTable;
    bool m_asTableReady = true;
};

} // namespace tracemap
