// The desktop app's command line (see docs/desktop.md): its own options (scripted export)
// composed with the trace options of core/traceoptions.h and the geolocation options of
// geo/geooptions.h, which tracemap-cli shares: the same names, help lines and errors.
// Contract: a bad argument gives one line in ParseOutcome::error and nothing else.
#pragma once

#include "scriptedrun.h"
#include "tracetypes.h"

#include <QUrl>

#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

namespace tracemap::desktop {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct DesktopOptions
{
    QString host;          // positional HOST or --trace HOST
    bool scripted = false; // --trace given: trace at once (and export when asked)
    // What the run does and writes (--open FILE or a positional FILE, --export-image, --size,
    // --center/--zoom, --export-report, --compare, --save, --quit-when-done, the hidden --repeat
    // and --window-shot), handed to ScriptedRun as it is.
    ScriptedRunOptions run;
    // Trace options given (unset: the toolbar's and the settings' values).
    std::optional<ProbeMethod> method;
    std::optional<AddressFamily> family;
    int maxTtl = 0; // 0 = settings
    std::optional<double> timeoutSec;
    // Geolocation options given (unset or empty: the settings' values).
    bool offline = false;
    bool onlineLookups = false;
    QStringList overridePaths;
    QStringList databasePaths;
    std::optional<QUrl> nominatimUrl;
    std::optional<QString> sourceLocation; // "LAT,LON"; empty: auto (estimated)
    QUrl atlasUrl;                         // --atlas-url: the RIPE Atlas API base (empty: the real one)
    QUrl globalpingUrl;                    // --globalping-url: the Globalping API base (empty: the real one)
    // --watch HOST: start a watch of host at once, as the Watch button does, with these
    // (unset: one round a second until stopped). With --quit-when-done: exit when it ends.
    bool watch = false;
    double watchIntervalSec = 1.0;
    int watchCycles = 0;
};

struct ParseOutcome
{
    DesktopOptions options;
    QString error; // one line; non-empty = exit kExitUsage
    bool helpShown = false;
    bool versionShown = false;
};

// arguments: QCoreApplication::arguments() (Qt's own options already removed).
ParseOutcome parseDesktopArguments(const QStringList &arguments);
QString desktopHelpText();

} // namespace tracemap::desktop
