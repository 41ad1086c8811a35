// The desktop app's command line (see docs/desktop.md).
#pragma once

#include "tracetypes.h"

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
    QString exportPath;
    QSize exportSize; // invalid = ScriptedRun::kDefaultExportSize
    bool offline = false;
    QStringList overridePaths;
    QStringList databasePaths;
    std::optional<double> centerLatitude, centerLongitude, zoom;
    std::optional<QString> method;
    int family = 0; // 0 any, 4, 6
    int maxTtl = 0; // 0 = settings
    std::optional<double> timeoutSec;
    std::optional<QString> sourceLocation; // "LAT,LON"
    bool quitWhenDone = false;
    int repeat = 1;         // hidden: traces in a row (soak test, benchmark)
    QString windowShotPath; // hidden: also save a screenshot of the whole window
    QString openPath;       // a trace file to show: positional FILE or --open FILE
    QString reportPath;     // --export-report: the PDF report
    QString comparePath;    // --compare: a trace file compared with the opened one
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
