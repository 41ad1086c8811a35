// tracemap: the desktop window. Creates the settings, the geolocation service, the trace
// controller and the first-run offer of the offline IP database, hands them to Main.qml as
// initial properties, and starts the scripted mode (ui/scriptedrun.h) for the command line
// (see docs/desktop.md).
#include "appsettings.h"
#include "desktopargs.h"
#include "documentcontroller.h"
#include "geodbsetup.h"
#include "geoservice.h"
#include "historymodel.h"
#include "scriptedrun.h"
#include "secretstore.h"
#include "tracecontroller.h"
#include "vantagecontroller.h"
#include "watchcontroller.h"

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>

using namespace tracemap;
using namespace tracemap::desktop;

namespace {

void errLine(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stderr);
}

void outLine(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    fflush(stdout);
}

// True when Qt would find no display: no X11 or Wayland session and no platform chosen.
// Qt aborts in QGuiApplication's constructor then, before we could even report a bad argument.
bool noDisplay(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
        !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        return false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-platform" || arg == "--platform" || arg.startsWith("-platform=") ||
            arg.startsWith("--platform="))
            return false;
    }
    return true;
}

// --export-image for a vantage document: once every route is located (or after a deadline),
// writes the image and, with --quit-when-done, ends the program.
void runVantageExport(VantageController &vantage, const ScriptedRunOptions &options)
{
    const auto finish = [&vantage, options] {
        int code = kExitOk;
        if (!options.exportPath.isEmpty()) {
            const QSize size =
                options.exportSize.isValid() ? options.exportSize : ScriptedRun::kDefaultExportSize;
            const QString error = vantage.exportImage(options.exportPath, size.width(), size.height());
            if (!error.isEmpty()) {
                errLine(QStringLiteral("tracemap: %1").arg(error));
                code = kExitFailure;
            }
        }
        if (options.quitWhenDone)
            QCoreApplication::exit(code);
    };
    auto once = std::make_shared<bool>(false);
    const auto finishOnce = [finish, once] {
        if (!*once) {
            *once = true;
            finish();
        }
    };
    QObject::connect(&vantage, &VantageController::settled, &vantage, finishOnce);
    QTimer::singleShot(60000, &vantage, finishOnce);
}

} // namespace

int main(int argc, char *argv[])
{
    // Without a display, start offscreen: argument errors are reported as usual, a scripted
    // export works without Xvfb, and an interactive start says what is missing.
    const bool headless = noDisplay(argc, argv);
    if (headless)
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("tracemap"));
    QGuiApplication::setApplicationName(QStringLiteral("tracemap"));
    QGuiApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("tracemap"));

    const ParseOutcome parsed = parseDesktopArguments(QGuiApplication::arguments());
    if (!parsed.error.isEmpty()) {
        errLine(QStringLiteral("tracemap: %1 (see tracemap --help)").arg(parsed.error));
        return kExitUsage;
    }
    if (parsed.helpShown) {
        fputs(qPrintable(desktopHelpText()), stdout);
        return kExitOk;
    }
    if (parsed.versionShown) {
        outLine(QStringLiteral("tracemap " TRACEMAP_VERSION));
        return kExitOk;
    }
    const DesktopOptions &options = parsed.options;
    if (headless && !((options.scripted || options.watch) && options.run.quitWhenDone)) {
        errLine(QStringLiteral("tracemap: no display to show the window on (DISPLAY and WAYLAND_DISPLAY are "
                               "unset): start it in a desktop session or under xvfb-run, or export without "
                               "one with --trace HOST --export-image FILE --quit-when-done"));
        return kExitFailure;
    }

    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    // The window's content is QPainter-painted (the map) or simple controls, so Qt Quick's
    // software renderer costs no speed and avoids the GL stack: under Xvfb or in a VM (Mesa
    // llvmpipe) that is about 90 MB instead of 220 MB resident, and no GPU driver issues.
    // QT_QUICK_BACKEND (e.g. "rhi") still picks another renderer.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND"))
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);

    // Scripted runs neither read nor change the user's settings.
    std::unique_ptr<AppSettings> settings =
        options.scripted ? AppSettings::inMemory() : std::make_unique<AppSettings>();
    // The command line's choices hold for this run; the saved settings stay as they were.
    settings->setSessionOnly(true);
    if (options.offline)
        settings->setOffline(true);
    if (options.onlineLookups)
        settings->setOnlineLookups(true);
    if (options.nominatimUrl)
        settings->setNominatimUrl(options.nominatimUrl->toString());
    if (!options.overridePaths.isEmpty())
        settings->setOverridePaths(options.overridePaths);
    if (!options.databasePaths.isEmpty())
        settings->setDatabasePaths(options.databasePaths);
    if (options.timeoutSec)
        settings->setProbeTimeoutSec(*options.timeoutSec);
    if (options.sourceLocation)
        settings->setSourceLocation(*options.sourceLocation);
    settings->setSessionOnly(false);

    const auto makeGeoSettings = [&] {
        GeoSettings geoSettings = settings->geoSettings();
        if (options.scripted)
            geoSettings.cachePath = QStringLiteral("-"); // every scripted run decides afresh
        return geoSettings;
    };
    std::unique_ptr<GeoService> geo = std::make_unique<GeoService>(makeGeoSettings());
    TraceController controller(settings.get(), geo.get());
    controller.setHost(options.host);
    if (options.method)
        controller.setMethod(TraceController::fromProbeMethod(*options.method));
    if (options.family)
        controller.setFamily(TraceController::fromAddressFamily(*options.family));
    if (options.maxTtl > 0)
        controller.setMaxTtl(options.maxTtl);
    // Watch mode runs its rounds on the trace controller's engine thread.
    WatchController watch(settings.get(), controller.engineThread(), geo.get());
    // New geolocation settings take effect with a new service; the old one goes after the
    // controller has let go of it.
    // Routes from other vantage points share this machine's geolocation service.
    VantageController vantage(geo.get());
    // API keys: the desktop keyring, else a 0600 file (scripted runs keep nothing of their own).
    SecretStore secrets(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                            QStringLiteral("/secrets.json"),
                        options.scripted ? SecretStore::Backend::FileOnly : SecretStore::Backend::Keyring);
    vantage.setSecretStore(&secrets);
    if (!options.atlasUrl.isEmpty())
        vantage.setAtlasUrl(options.atlasUrl);
    if (!options.globalpingUrl.isEmpty())
        vantage.setGlobalpingUrl(options.globalpingUrl);
    const auto rebuildGeo = [&] {
        auto replacement = std::make_unique<GeoService>(makeGeoSettings());
        controller.setGeoService(replacement.get());
        vantage.setGeoService(replacement.get());
        watch.setGeoService(replacement.get());
        geo = std::move(replacement);
    };
    QObject::connect(settings.get(), &AppSettings::geoSettingsChanged, &controller, rebuildGeo);

    // The offline IP database, when none is installed: offered above the map; once installed,
    // the service is rebuilt to use it. Scripted runs do not remember "not now".
    GeoDbSetup::Options setupOptions;
    setupOptions.persistent = !options.scripted;
    setupOptions.databasesConfigured = !settings->databasePaths().isEmpty();
    setupOptions.offline = settings->offline();
    GeoDbSetup geoDbSetup(setupOptions);
    QObject::connect(&geoDbSetup, &GeoDbSetup::installed, &controller, rebuildGeo);
    // Closing the window mid-trace: the engine thread stops within a bounded time.
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &controller, [&] {
        watch.stop();
        controller.shutdown(800);
    });

    DocumentController documents(&controller, settings.get());
    // Scripted runs keep nothing: the history is the user's.
    HistorySettings historySettings;
    historySettings.enabled = !options.scripted;
    HistoryModel history(historySettings, &controller, &documents, settings.get());
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/"));
    engine.setInitialProperties({{QStringLiteral("controller"), QVariant::fromValue(&controller)},
                                 {QStringLiteral("watch"), QVariant::fromValue(&watch)},
                                 {QStringLiteral("settings"), QVariant::fromValue(settings.get())},
                                 {QStringLiteral("geoDbSetup"), QVariant::fromValue(&geoDbSetup)},
                                 {QStringLiteral("vantage"), QVariant::fromValue(&vantage)},
                                 {QStringLiteral("documents"), QVariant::fromValue(&documents)},
                                 {QStringLiteral("history"), QVariant::fromValue(&history)},
                                 {QStringLiteral("scripted"), options.scripted}});
    engine.load(QUrl(QStringLiteral("qrc:/Tracemap/App/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        errLine(QStringLiteral("tracemap: the window could not be created"));
        return kExitFailure;
    }
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        errLine(QStringLiteral("tracemap: Main.qml is not a window"));
        return kExitFailure;
    }

    std::unique_ptr<ScriptedRun> scripted;
    if (!options.run.openPath.isEmpty() && VantageController::isVantageFile(options.run.openPath)) {
        // Saved RIPE Atlas / Globalping results (recognised by content); trace files go to the
        // document controller below.
        if (!vantage.openFile(options.run.openPath)) {
            errLine(QStringLiteral("tracemap: %1").arg(vantage.statusMessage()));
            return kExitFailure;
        }
        if (options.scripted)
            runVantageExport(vantage, options.run);
    } else if (options.scripted) {
        scripted = std::make_unique<ScriptedRun>(options.run, &controller, settings.get(), window);
        scripted->setDocuments(&documents);
        QTimer::singleShot(0, scripted.get(), [&] { scripted->start(); });
    } else if (!options.run.openPath.isEmpty()) {
        QTimer::singleShot(0, &documents, [&] {
            if (documents.open(options.run.openPath) && !options.run.comparePath.isEmpty())
                documents.compareWithFile(options.run.comparePath);
        });
    } else if (options.watch) {
        // As the Watch button: Main.qml's startWatch() takes the host field (the controller's
        // host), stops a trace, starts the watch and shows its table and chart pane.
        watch.setIntervalSec(options.watchIntervalSec);
        watch.setCycles(options.watchCycles);
        if (options.run.quitWhenDone) {
            QObject::connect(&watch, &WatchController::finished, &app, [&watch](const QString &outcome) {
                outLine(QStringLiteral("tracemap: %1").arg(outcome));
                QCoreApplication::exit(watch.errorMessage().isEmpty() ? kExitOk : kExitFailure);
            });
        }
        QTimer::singleShot(0, window, [window, &watch, quit = options.run.quitWhenDone] {
            QMetaObject::invokeMethod(window, "startWatch");
            if (watch.state() == WatchController::Idle) { // refused: the status line says why
                errLine(QStringLiteral("tracemap: %1").arg(watch.errorMessage()));
                if (quit)
                    QCoreApplication::exit(kExitFailure);
            }
        });
    } else if (!options.host.isEmpty()) {
        QTimer::singleShot(0, &controller, [&] { controller.start(); });
    }
    const int code = QGuiApplication::exec();
    controller.shutdown(800);
    return code;
}
