#include "agentconfig.h"

#include "destinationpolicy.h"
#include "geodistance.h"
#include "watchtypes.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>

#include <cmath>
#include <fcntl.h>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>

namespace tracemap::agent {

namespace {

ConfigResult failure(ConfigError error, const QString &message)
{
    return {error, message};
}

// Reads a number key (int or double) within [min, max]; a missing key keeps *value.
template<typename T>
bool readNumber(QSettings &settings, const QString &key, T min, T max, T *value, ConfigResult *result)
{
    static_assert(std::is_same_v<T, int> || std::is_same_v<T, double>);
    if (!settings.contains(key))
        return true;
    const QString text = settings.value(key).toString().trimmed();
    bool ok = false;
    T v{};
    if constexpr (std::is_same_v<T, int>)
        v = text.toInt(&ok);
    else
        v = text.toDouble(&ok);
    if (!ok || !(v >= min && v <= max)) { // !(>= && <=): NaN is out of range too
        *result =
            failure(ConfigError::BadConfigFile, QStringLiteral("%1: '%2' must be %3 from %4 to %5")
                                                    .arg(settings.fileName(), key,
                                                         std::is_same_v<T, int> ? QStringLiteral("an integer")
                                                                                : QStringLiteral("a number"))
                                                    .arg(min)
                                                    .arg(max));
        return false;
    }
    *value = v;
    return true;
}

bool readPrefixes(QSettings &settings, const QString &key, QList<Prefix> *prefixes, ConfigResult *result)
{
    if (!settings.contains(key))
        return true;
    // INI lists are comma-separated; QSettings already splits them, spaces are allowed too.
    QStringList items;
    for (const QString &part : settings.value(key).toStringList())
        items += part.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    prefixes->clear();
    for (const QString &item : items) {
        Prefix p;
        if (!parsePrefix(item.trimmed(), &p)) {
            *result = failure(ConfigError::BadPrefix,
                              QStringLiteral("%1: '%2' has a bad prefix '%3' (expected ADDRESS/LENGTH)")
                                  .arg(settings.fileName(), key, item));
            return false;
        }
        prefixes->append(p);
    }
    return true;
}

bool readPorts(QSettings &settings, const QString &key, QList<PortRange> *ports, ConfigResult *result)
{
    if (!settings.contains(key))
        return true;
    if (!parsePortRanges(settings.value(key).toStringList().join(QLatin1Char(',')), ports)) {
        *result =
            failure(ConfigError::BadConfigFile,
                    QStringLiteral("%1: '%2' must list ports or ranges from 1 to 65535 (80, 33434-33534)")
                        .arg(settings.fileName(), key));
        return false;
    }
    return true;
}

bool readString(QSettings &settings, const QString &key, QString *value)
{
    if (settings.contains(key))
        *value = settings.value(key).toStringList().join(QLatin1Char(','));
    return true;
}

} // namespace

bool Prefix::contains(const QHostAddress &address) const
{
    return unmappedAddress(address).isInSubnet(network, length);
}

bool parsePrefix(const QString &text, Prefix *prefix)
{
    const QString t = text.trimmed();
    const qsizetype slash = t.indexOf(QLatin1Char('/'));
    QHostAddress network;
    if (!network.setAddress(slash < 0 ? t : t.left(slash)))
        return false;
    if (!network.scopeId().isEmpty())
        return false;
    network = unmappedAddress(network);
    const int maxLength = network.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
    int length = maxLength;
    if (slash >= 0) {
        bool ok = false;
        const QString lengthText = t.mid(slash + 1);
        length = lengthText.toInt(&ok);
        if (!ok || lengthText.isEmpty() || !lengthText.at(0).isDigit() || length < 0 || length > maxLength)
            return false;
    }
    *prefix = {network, length, network.toString() + QLatin1Char('/') + QString::number(length)};
    return true;
}

bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    bool ok = false;
    const QString portText = text.mid(colon + 1);
    const int p = portText.toInt(&ok);
    if (!ok || portText.isEmpty() || !portText.at(0).isDigit() || p < 0 || p > 65535)
        return false;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    else if (host.contains(QLatin1Char(':')))
        return false; // IPv6 needs brackets: [::1]:5000
    QHostAddress a;
    // Only literals (and "localhost"): the listener must never depend on DNS.
    if (host == QLatin1String("localhost"))
        a = QHostAddress(QHostAddress::LocalHost);
    else if (!a.setAddress(host) || !a.scopeId().isEmpty())
        return false;
    *address = unmappedAddress(a);
    *port = quint16(p);
    return true;
}

ConfigResult loadConfigFile(const QString &path, Config *config)
{
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return failure(ConfigError::BadConfigFile, QStringLiteral("cannot read config file '%1'").arg(path));
    QSettings settings(path, QSettings::IniFormat);
    if (settings.status() != QSettings::NoError)
        return failure(ConfigError::BadConfigFile,
                       QStringLiteral("config file '%1' is not valid INI").arg(path));
    ConfigResult result;
    static const QStringList known = {
        QStringLiteral("server/listen"),
        QStringLiteral("server/token_file"),
        QStringLiteral("server/shutdown_grace_ms"),
        QStringLiteral("limits/max_connections"),
        QStringLiteral("limits/max_connections_per_client"),
        QStringLiteral("limits/max_probes"),
        QStringLiteral("limits/max_probes_per_client"),
        QStringLiteral("limits/retry_after"),
        QStringLiteral("limits/idle_timeout"),
        QStringLiteral("limits/header_timeout"),
        QStringLiteral("limits/max_request_time"),
        QStringLiteral("limits/max_header_bytes"),
        QStringLiteral("limits/max_pending_heads"),
        QStringLiteral("limits/max_pending_heads_per_client"),
        QStringLiteral("destinations/allowed_ports"),
        QStringLiteral("dns/servers"),
        QStringLiteral("dns/timeout_ms"),
        QStringLiteral("dns/max_lookups"),
        QStringLiteral("dns/max_lookups_per_client"),
        QStringLiteral("dns/failure_cache_s"),
        QStringLiteral("limits/max_count"),
        QStringLiteral("limits/min_interval"),
        QStringLiteral("limits/max_timeout"),
        QStringLiteral("limits/max_ttl"),
        QStringLiteral("limits/max_in_flight"),
        QStringLiteral("limits/max_mtr_cycles"),
        QStringLiteral("limits/min_mtr_interval"),
        QStringLiteral("limits/max_mtr_interval"),
        QStringLiteral("destinations/allow"),
        QStringLiteral("destinations/deny"),
        QStringLiteral("vantage/name"),
        QStringLiteral("vantage/location"),
    };
    // A misspelt key would silently leave a limit at its default: refuse it instead.
    for (const QString &key : settings.allKeys()) {
        if (!known.contains(key))
            return failure(ConfigError::BadConfigFile, QStringLiteral("%1: unknown key '%2'").arg(path, key));
    }
    if (settings.contains(QStringLiteral("server/listen"))) {
        const QString listen = settings.value(QStringLiteral("server/listen")).toString();
        if (!parseListen(listen, &config->listenAddress, &config->listenPort))
            return failure(
                ConfigError::BadListenAddress,
                QStringLiteral("%1: bad listen address '%2' (expected ADDR:PORT)").arg(path, listen));
    }
    if (settings.contains(QStringLiteral("server/token_file"))) {
        QString tokenPath = settings.value(QStringLiteral("server/token_file")).toString();
        if (QFileInfo(tokenPath).isRelative())
            tokenPath = info.absoluteDir().filePath(tokenPath);
        result = loadTokenFile(tokenPath, &config->token, &config->warnings);
        if (!result.ok())
            return result;
    }
    Limits &l = config->limits;
    const bool ok =
        readNumber<int>(settings, QStringLiteral("server/shutdown_grace_ms"), 0, 60000,
                        &config->shutdownGraceMs, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_connections"), 1, 10000, &l.maxConnections,
                        &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_connections_per_client"), 1, 10000,
                        &l.maxConnectionsPerClient, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_probes"), 1, 1024, &l.maxProbes, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_probes_per_client"), 1, 1024,
                        &l.maxProbesPerClient, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/retry_after"), 1, 3600, &l.retryAfterSec, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/idle_timeout"), 1, 3600, &l.idleTimeoutSec,
                        &result) &&
        readNumber<int>(settings, QStringLiteral("limits/header_timeout"), 1, 3600, &l.headerTimeoutSec,
                        &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_request_time"), 1, 3600, &l.maxRequestSec,
                        &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_header_bytes"), 1024, 1024 * 1024,
                        &l.maxHeaderBytes, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_count"), 1, 100000, &l.probes.maxCount,
                        &result) &&
        readNumber<double>(settings, QStringLiteral("limits/min_interval"), 0.01, 3600, &l.probes.minInterval,
                           &result) &&
        readNumber<double>(settings, QStringLiteral("limits/max_timeout"), 0.1, 60, &l.probes.maxTimeout,
                           &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_ttl"), 1, 255, &l.probes.maxTtl, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_in_flight"), 1, 1024, &l.probes.maxInFlight,
                        &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_mtr_cycles"), 1, 100000, &l.probes.maxCycles,
                        &result) &&
        readNumber<double>(settings, QStringLiteral("limits/min_mtr_interval"), kMinWatchIntervalSec,
                           kMaxWatchIntervalSec, &l.probes.minRoundInterval, &result) &&
        readNumber<double>(settings, QStringLiteral("limits/max_mtr_interval"), kMinWatchIntervalSec,
                           kMaxWatchIntervalSec, &l.probes.maxRoundInterval, &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_pending_heads"), 1, 10000, &l.maxPendingHeads,
                        &result) &&
        readNumber<int>(settings, QStringLiteral("limits/max_pending_heads_per_client"), 1, 10000,
                        &l.maxPendingHeadsPerClient, &result) &&
        readPrefixes(settings, QStringLiteral("destinations/allow"), &config->allow, &result) &&
        readPrefixes(settings, QStringLiteral("destinations/deny"), &config->deny, &result) &&
        readPorts(settings, QStringLiteral("destinations/allowed_ports"), &config->allowedPorts, &result) &&
        readString(settings, QStringLiteral("dns/servers"), &config->dnsServers) &&
        readNumber<int>(settings, QStringLiteral("dns/timeout_ms"), 100, 60000, &config->dnsTimeoutMs,
                        &result) &&
        readNumber<int>(settings, QStringLiteral("dns/max_lookups"), 1, 1024, &config->maxLookups, &result) &&
        readNumber<int>(settings, QStringLiteral("dns/max_lookups_per_client"), 1, 1024,
                        &config->maxLookupsPerClient, &result) &&
        readNumber<int>(settings, QStringLiteral("dns/failure_cache_s"), 0, 3600, &config->dnsFailureCacheSec,
                        &result);
    if (!ok)
        return result;
    if (settings.contains(QStringLiteral("vantage/location"))) {
        // QSettings splits "50.11, 8.68" at the comma; join it back.
        const QString text =
            settings.value(QStringLiteral("vantage/location")).toStringList().join(QLatin1Char(','));
        if (!parseLatLon(text, &config->vantage.latitude, &config->vantage.longitude))
            return failure(ConfigError::BadConfigFile,
                           QStringLiteral("%1: 'vantage/location' must be LAT,LON in degrees, not '%2'")
                               .arg(path, text));
    }
    readString(settings, QStringLiteral("vantage/name"), &config->vantage.name);
    config->vantage.name = config->vantage.name.simplified().left(100);
    if (l.probes.minRoundInterval > l.probes.maxRoundInterval)
        return failure(
            ConfigError::BadConfigFile,
            QStringLiteral("%1: 'limits/min_mtr_interval' (%2) is above 'limits/max_mtr_interval' (%3)")
                .arg(settings.fileName())
                .arg(l.probes.minRoundInterval)
                .arg(l.probes.maxRoundInterval));
    return {};
}

ConfigResult loadTokenFile(const QString &path, QByteArray *token, QStringList *warnings)
{
    // O_NONBLOCK: a FIFO must not block start-up; fstat then refuses it.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return failure(ConfigError::BadTokenFile,
                       QStringLiteral("cannot read token file '%1': %2").arg(path, qt_error_string(errno)));
    struct stat st
    {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return failure(ConfigError::BadTokenFile,
                       QStringLiteral("token file '%1' is not a regular file").arg(path));
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0 && warnings)
        warnings->append(
            QStringLiteral("token file '%1' can be read by group or others (mode %2): chmod 600 it")
                .arg(path)
                .arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')));
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle))
        return failure(ConfigError::BadTokenFile,
                       QStringLiteral("cannot read token file '%1': %2").arg(path, file.errorString()));
    const QByteArray line = file.read(4096).split('\n').value(0).trimmed();
    if (line.size() < 16)
        return failure(
            ConfigError::BadTokenFile,
            QStringLiteral("token file '%1' must hold a token of at least 16 characters").arg(path));
    for (const char c : line) {
        if (c < 0x21 || c > 0x7e)
            return failure(ConfigError::BadTokenFile,
                           QStringLiteral("token file '%1': the token must be printable ASCII without spaces")
                               .arg(path));
    }
    *token = line;
    return {};
}

ConfigResult parseArguments(const QStringList &arguments, Config *config, QString *helpOrVersion)
{
    QString listen;
    QString tokenFile;
    QString configFile;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            *helpOrVersion = usageText();
            return {};
        }
        if (arg == QLatin1String("--version")) {
            *helpOrVersion = QStringLiteral("tracemap-agent " TRACEMAP_VERSION);
            return {};
        }
        QString *target = nullptr;
        QString name = arg;
        QString value;
        bool inlineValue = false;
        if (const qsizetype eq = arg.indexOf(QLatin1Char('='));
            arg.startsWith(QLatin1String("--")) && eq > 0) {
            name = arg.left(eq);
            value = arg.mid(eq + 1);
            inlineValue = true;
        }
        if (name == QLatin1String("--listen"))
            target = &listen;
        else if (name == QLatin1String("--token-file"))
            target = &tokenFile;
        else if (name == QLatin1String("--config"))
            target = &configFile;
        else
            return failure(ConfigError::BadArgument,
                           QStringLiteral("unknown argument '%1' (see --help)").arg(arg));
        if (!inlineValue) {
            if (i + 1 >= arguments.size())
                return failure(ConfigError::BadArgument, QStringLiteral("%1 needs a value").arg(name));
            value = arguments.at(++i);
        }
        *target = value;
    }
    // The file first, so that the command line overrides it.
    if (!configFile.isEmpty()) {
        const ConfigResult r = loadConfigFile(configFile, config);
        if (!r.ok())
            return r;
    }
    if (!listen.isEmpty() && !parseListen(listen, &config->listenAddress, &config->listenPort))
        return failure(
            ConfigError::BadListenAddress,
            QStringLiteral("bad --listen '%1' (expected ADDR:PORT, e.g. 127.0.0.1:5000 or [::1]:5000)")
                .arg(listen));
    if (!tokenFile.isEmpty()) {
        config->commandLineTokenFile = tokenFile;
        const ConfigResult r = loadTokenFile(tokenFile, &config->token, &config->warnings);
        if (!r.ok())
            return r;
    }
    config->configFile = configFile;
    finalizeConfig(config);
    return checkSafety(*config);
}

void finalizeConfig(Config *config)
{
    config->denyInternal = !config->listenAddress.isLoopback();
    config->ownAddresses = config->denyInternal ? ownAddresses() : QList<QHostAddress>();
    config->broadcasts = ownBroadcasts();
}

ConfigResult reloadConfig(const Config &current, Config *reloaded)
{
    Config fresh;
    fresh.listenAddress = current.listenAddress;
    fresh.listenPort = current.listenPort;
    if (!current.configFile.isEmpty()) {
        const ConfigResult r = loadConfigFile(current.configFile, &fresh);
        if (!r.ok())
            return r;
        if (fresh.listenAddress != current.listenAddress ||
            (fresh.listenPort != current.listenPort && current.listenPort != 0))
            return failure(ConfigError::BadListenAddress,
                           QStringLiteral("the listen address cannot change on reload (restart the agent)"));
    }
    // --token-file on the command line wins over the file, as at start-up.
    fresh.listenAddress = current.listenAddress;
    fresh.listenPort = current.listenPort;
    if (!current.commandLineTokenFile.isEmpty()) {
        fresh.commandLineTokenFile = current.commandLineTokenFile;
        const ConfigResult r = loadTokenFile(current.commandLineTokenFile, &fresh.token, &fresh.warnings);
        if (!r.ok())
            return r;
    }
    fresh.configFile = current.configFile;
    finalizeConfig(&fresh);
    if (const ConfigResult r = checkSafety(fresh); !r.ok())
        return r;
    *reloaded = fresh;
    return {};
}

ConfigResult checkSafety(const Config &config)
{
    if (!config.listenAddress.isLoopback() && config.token.isEmpty())
        return failure(
            ConfigError::Unsafe,
            QStringLiteral("refusing to listen on %1 without a token: anyone who can reach it could "
                           "probe through it (use --token-file, or listen on 127.0.0.1)")
                .arg(config.listenAddress.toString()));
    return {};
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    // Comparing digests makes the work independent of the inputs' lengths and contents.
    const QByteArray da = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray db = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (qsizetype i = 0; i < da.size(); ++i)
        diff |= static_cast<unsigned char>(da.at(i) ^ db.at(i));
    return diff == 0;
}

QString usageText()
{
    return QStringLiteral(
        "Usage: tracemap-agent [--listen ADDR:PORT] [--token-file FILE] [--config FILE]\n"
        "\n"
        "Answers GET /ping?dest=HOST, /traceroute?dest=HOST[&stream=1],\n"
        "/mtr?dest=HOST&cycles=N&interval=SEC[&stream=1], /health and /version\n"
        "with the JSON documents of 'tracemap-cli --json'.\n"
        "\n"
        "  --listen ADDR:PORT   where to listen (default 127.0.0.1:5000; [::1]:5000 for IPv6;\n"
        "                       port 0 picks a free port). A non-loopback address needs a token.\n"
        "  --token-file FILE    require 'Authorization: Bearer <first line of FILE>'\n"
        "  --config FILE        INI file with limits and destination prefixes (docs/agent.md)\n"
        "  --help, --version\n");
}

} // namespace tracemap::agent
