// The agent's settings: where it listens, its token, its limits and the destination policy.
// Loaded from an INI file (QSettings) and the command line; see docs/agent.md.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

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
    // Parameter ranges narrower than the CLI's: an agent must not be a flood tool.
    int maxCount = 100;
    double minInterval = 0.2;
    double maxTimeout = 10.0;
    int maxTtl = 64;
    int maxInFlight = 64;
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
// Reads the first line of the file as the token.
ConfigResult loadTokenFile(const QString &path, QByteArray *token);
// Parses the command line (without argv[0]) into *config; *help set for --help/--version.
ConfigResult parseArguments(const QStringList &arguments, Config *config, QString *helpOrVersion);
// The final safety check: a non-loopback listener needs a token.
ConfigResult checkSafety(const Config &config);

// Prefixes every destination is checked against in addition to the configured lists.
const QList<Prefix> &alwaysDenied();

// Why an address may not be probed; empty when it may.
QString destinationRefusal(const Config &config, const QHostAddress &address);

// Compares without leaking where the inputs differ (nor, through hashing, their lengths).
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

QString usageText();

} // namespace tracemap::agent
