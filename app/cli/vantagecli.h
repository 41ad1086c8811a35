// tracemap-cli's vantage-point commands: routes measured elsewhere, printed with their hops located.
//   atlas show FILE | --measurement ID [--probe-ids 1,2] [--start T] [--stop T]
//   atlas trace HOST --probes N (--country CC | --asn N | --area NAME) --key-file F [--yes]
//   globalping trace HOST --from LOCATION [--limit N] [--mtr] [--token-file F]
//   trace HOST --via URL [--token-file F] [--geo [geo options]]
//     (the route's start: the agent's configured place, else with --geo its public address as the
//     chain places it, else the first public router's place; geo/vantagestart.h)
// Secrets come from files only (never the command line, where `ps` shows them): a file readable by
// group or others is refused, and no key or token is ever printed, in text, JSON or errors.
#pragma once

#include "atlasapi.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace tracemap::cli {

struct Options;

struct VantageOptions
{
    enum class Action { None, AtlasShow, AtlasTrace, GlobalpingTrace, TraceVia };
    Action action = Action::None;
    QString file;              // atlas show FILE
    qint64 measurementId = -1; // atlas show --measurement
    QList<qint64> probeIds;
    qint64 start = -1;
    qint64 stop = -1;
    QString target;             // atlas trace / globalping trace / trace --via
    AtlasProbeSelection probes; // atlas trace
    bool yes = false;           // atlas trace: spend the credits
    QStringList from;           // globalping --from (repeatable)
    int limit = 1;
    bool mtr = false;
    QString protocol; // --method as ICMP/UDP/TCP; empty: the service's default
    int family = 0;   // -4 / -6
    int port = 0;
    QString secretFile; // --key-file / --token-file
    QUrl via;
    QUrl atlasUrl = kAtlasDefaultBase;
    QUrl globalpingUrl = QUrl(QStringLiteral("https://api.globalping.io"));
    int timeoutSec = 0; // overall deadline; 0: the command's default
};

// The options this file adds to tracemap-cli (name, value name, help).
struct VantageSpec
{
    QString name;
    QString valueName;
    QString help;
};
const QList<VantageSpec> &vantageSpecs();
bool isVantageOption(const QString &name);

// `command` is atlas, globalping or trace (with --via). Fills options->vantage and options->geo.
bool parseVantageCommand(const QCommandLineParser &p, const QString &command, Options *options,
                         QString *error);

// Reads the first line of a key/token file; refuses files others can read. Empty + *error on failure.
QByteArray readSecretFile(const QString &path, QString *error);

int runVantage(const Options &options);
// trace HOST --via URL (viarun.cpp): streams the agent's hops, then says where the route starts
// and, with --geo, prints the hops located from there. `secret` is the token (may be empty).
int runTraceVia(const Options &options, const QByteArray &secret);

} // namespace tracemap::cli
