// The agent's settings: where it listens, its token, its limits and the destination policy.
// Loaded from an INI file (QSettings) and the command line; see docs/agent.md.
#pragma once

#include "address.h" // unmappedAddress(): ::ffff:a.b.c.d is a.b.c.d, "::" stays "::"
#include "traceoptions.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QtNumeric>

#include <memory>
#include <mutex>

namespace tracemap::agent {

enum class ConfigError {
    None,
    BadArgument,
    BadListenAddress,
    BadConfigFile,
    BadTokenFile,
    BadPrefix,
    Unsafe
};

// A destination prefix such as 10.0.0.0/8 or 2001:db8::/32.
struct Prefix
{
    QHostAddress network;
    int length = 0;
    QString text;
    bool contains(const QHostAddress &address) const;
};

// Parses "ADDR/LEN" (or a bare address: a host prefix). Returns false on garbage.
bool parsePrefix(const QString &text, Prefix *prefix);

// An inclusive range of TCP/UDP ports.
struct PortRange
{
    quint16 first = 0;
    quint16 last = 0;
};

struct Limits
{
    int maxConnections = 256;         // open HTTP connections in total
    int maxConnectionsPerClient = 32; // ... per client address
    int maxProbes = 64;               // pings and traces running at once, in total
    int maxProbesPerClient = 4;       // ... per client address
    int retryAfterSec = 5;            // Retry-After on 429
    int idleTimeoutSec = 10;          // a connection silent this long is closed
    int headerTimeoutSec = 10;        // request line + headers must arrive within this
    int maxRequestSec = 120;          // a probe request is cancelled after this (504)
    int maxHeaderBytes = 8192;        // request line + headers (414 / 431 beyond)
    int maxPendingHeads = 64;         // connections still sending their head, in total ...
    int maxPendingHeadsPerClient = 8; // ... and per client address (beyond: 503)
    // Parameter ranges narrower than the CLI's (an agent must not be a flood tool), in the terms of
    // the option table every program shares (core/traceoptions.h). /mtr's rounds and the time
    // between them: a watch is many traces, so fewer, slower rounds.
    OptionLimits probes{.maxTtl = 64,
                        .maxInFlight = 64,
                        .maxCount = 100,
                        .minInterval = 0.2,
                        .maxInterval = 60.0,
                        .maxTimeout = 10.0,
                        .maxCycles = 100,
                        .minRoundInterval = 1.0,
                        .maxRoundInterval = 60.0};
};

// Where the agent is, as it reports itself to clients (docs/agent.md, "Where the agent is"): set in
// the config file; without it the agent reports nothing (it has no geolocation data of its own).
struct AgentVantage
{
    QString name;              // e.g. "Frankfurt office"; empty: the host's name
    double latitude = qQNaN(); // degrees; NaN when not configured
    double longitude = qQNaN();
    bool hasLocation() const { return !qIsNaN(latitude) && !qIsNaN(longitude); }
};

struct Config
{
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 listenPort = 5000;
    QByteArray token; // empty: no authentication (only allowed on loopback)
    Limits limits;
    QList<Prefix> allow; // empty: every destination not denied
    QList<Prefix> deny;
    int shutdownGraceMs = 3000;
    // TCP/UDP destination ports a caller may use (the traceroute range and web ports).
    QList<PortRange> allowedPorts = {{80, 80}, {443, 443}, {33434, 33534}};
    // Set by finalizeConfig(): a non-loopback listener refuses internal destinations
    // (internalPrefixes(), this host's addresses) unless `allow` names them.
    bool denyInternal = false;
    QList<QHostAddress> ownAddresses;
    QList<QHostAddress> broadcasts;
    // Name resolution (the agent's own resolver, see resolver.h).
    QString dnsServers;           // "127.0.0.1:5353, [::1]:53"; empty: /etc/resolv.conf
    int dnsTimeoutMs = 5000;      // one look-up, all tries included
    int maxLookups = 16;          // look-ups in flight, in total ...
    int maxLookupsPerClient = 2;  // ... and per client address (beyond: 429)
    int dnsFailureCacheSec = 30;  // a name that failed is answered from memory this long
    AgentVantage vantage;         // [vantage] name, location
    QString configFile;           // reloaded on SIGHUP
    QString commandLineTokenFile; // --token-file (wins over the file's, also on reload)
    QStringList warnings;         // printed at start-up (e.g. a token file others can read)
};

// The live configuration, replaced as a whole on SIGHUP and read from the HTTP thread and
// the service; a request keeps the snapshot it took at its start.
class SharedConfig
{
public:
    explicit SharedConfig(const Config &config) : m_config(std::make_shared<const Config>(config)) {}
    std::shared_ptr<const Config> get() const
    {
        std::lock_guard lock(m_mutex);
        return m_config;
    }
    void set(const Config &config)
    {
        auto fresh = std::make_shared<const Config>(config);
        std::lock_guard lock(m_mutex);
        m_config = std::move(fresh);
    }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const Config> m_config;
};

struct ConfigResult
{
    ConfigError error = ConfigError::None;
    QString message;
    bool ok() const { return error == ConfigError::None; }
};

// "127.0.0.1:5000", "[::1]:5000", "localhost:8080". Port 0 picks a free port.
bool parseListen(const QString &text, QHostAddress *address, quint16 *port);

// Reads the INI file into *config (keys missing from the file keep their value).
ConfigResult loadConfigFile(const QString &path, Config *config);
// Reads the first line of the file as the token. Refuses anything but a regular file
// (a FIFO would block start-up); a file group or others can read adds a warning.
ConfigResult loadTokenFile(const QString &path, QByteArray *token, QStringList *warnings = nullptr);
// Parses the command line (without argv[0]) into *config; *help set for --help/--version.
ConfigResult parseArguments(const QStringList &arguments, Config *config, QString *helpOrVersion);
// The final safety check: a non-loopback listener needs a token.
ConfigResult checkSafety(const Config &config);
// Fills the derived fields (denyInternal, own and broadcast addresses) after loading.
void finalizeConfig(Config *config);
// Re-reads --config and --token-file for SIGHUP: token, limits, lists. The listen address
// cannot change without a restart (it is kept; a changed one is an error).
ConfigResult reloadConfig(const Config &current, Config *reloaded);

// Compares without leaking where the inputs differ (nor, through hashing, their lengths).
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

QString usageText();

} // namespace tracemap::agent
