// tracemap-cli: trace and ping from the command line, text or JSON.
#include "cliargs.h"
#include "enginethread.h"
#include "filecli.h"
#include "geocli.h"
#include "resultformat.h"
#include "terminaltext.h"
#include "vantagecli.h"
#include "watchcli.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QMap>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <unistd.h>
#include <utility>

using namespace tracemap;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &c, 1);
}

// Labels come from files: both streams go through terminalSafe().
void out(const QString &line)
{
    printSafeLine(stdout, line);
}

void err(const QString &line)
{
    printSafeLine(stderr, line);
}

int exitCodeFor(TraceError error)
{
    return error == TraceError::InvalidRequest ? cli::kExitUsage : 1;
}

// Prints hops in TTL order as soon as every hop before them is complete.
class TracePrinter
{
public:
    explicit TracePrinter(const cli::Options &options) : m_options(options), m_json(options.json) {}
    void started(const TraceResult &r)
    {
        m_startedAt = QDateTime::currentDateTime();
        m_next = r.request.firstTtl;
        if (!m_json)
            err(formatTraceHeader(r));
    }
    void hop(const Hop &h)
    {
        m_hops.insert(h.ttl, h);
        if (m_json)
            return;
        while (m_hops.contains(m_next) && m_hops.value(m_next).complete) {
            out(formatHopLine(m_hops.value(m_next)));
            ++m_next;
        }
    }
    // `geo`: the hops' places (trace --geo), or null. False when the output could not be written.
    bool finished(const TraceResult &r, bool report, const cli::TraceGeoAnnotator *geo = nullptr)
    {
        // With --geo, the trace file (docs/trace-files.md): printed or exported, and kept if asked.
        const TraceFile file =
            geo ? cli::makeTraceFile(r, m_options, *geo, m_startedAt, QDateTime::currentDateTime())
                : TraceFile();
        if (geo && m_options.file.keep)
            cli::keepInHistory(file, m_options);
        if (m_json) {
            const QByteArray document = geo ? cli::renderTraceFile(file, m_options.file.format)
                                            : QJsonDocument(traceToJson(r)).toJson(QJsonDocument::Indented);
            return cli::writeOutput(document, m_options);
        }
        for (const Hop &h : r.hops) {
            if (h.ttl >= m_next)
                out(formatHopLine(h));
        }
        if (report && r.error == TraceError::None)
            out(formatReport(r));
        if (geo) {
            out(QString());
            for (const QString &line : geo->textLines(r))
                out(line);
            if (const QStringList attributions = geo->attributions(); !attributions.isEmpty())
                out(QStringLiteral("\n") + attributions.join(QLatin1Char('\n')));
        }
        err(formatTraceSummary(r));
        return true;
    }

private:
    const cli::Options &m_options;
    bool m_json;
    QDateTime m_startedAt;
    int m_next = 1;
    QMap<int, Hop> m_hops;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tracemap-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));

    cli::Options options;
    QString error;
    if (!cli::parse(QCoreApplication::arguments(), &options, &error)) {
        err(QStringLiteral("tracemap-cli: %1").arg(error));
        return cli::kExitUsage;
    }
    if (options.command == cli::Command::Help) {
        out(cli::helpText());
        return 0;
    }
    if (options.command == cli::Command::Version) {
        out(QStringLiteral("tracemap-cli %1").arg(QStringLiteral(TRACEMAP_VERSION)));
        return 0;
    }
    // The commands with a runner of their own; trace and ping run below, on the engine.
    using Runner = int (*)(const cli::Options &);
    static constexpr std::pair<cli::Command, Runner> kRunners[] = {
        {cli::Command::Locate, cli::runLocate},  {cli::Command::GeoDb, cli::runGeoDb},
        {cli::Command::Watch, cli::runWatch},    {cli::Command::Convert, cli::runConvert},
        {cli::Command::Diff, cli::runDiff},      {cli::Command::History, cli::runHistory},
        {cli::Command::Vantage, cli::runVantage}};
    for (const auto &[command, run] : kRunners) {
        if (options.command == command)
            return run(options);
    }

    EngineThread engine;
    quint64 job = 0;
    int exitCode = 0;

    // Ctrl-C / SIGTERM cancel the job; what was measured so far is still printed.
    if (::pipe(g_signalPipe) == 0) {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
    QSocketNotifier signalNotifier(g_signalPipe[0], QSocketNotifier::Read);
    int signalsSeen = 0;
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [&] {
        char c;
        [[maybe_unused]] const ssize_t n = ::read(g_signalPipe[0], &c, 1);
        // The first signal cancels and prints what was measured; a second one, or an
        // engine that does not finish within a second, ends the process regardless.
        if (++signalsSeen > 1)
            ::_exit(130);
        engine.cancel(job);
        QTimer::singleShot(1000, &app, [] { ::_exit(130); });
    });

    TracePrinter printer(options);
    QObject::connect(engine.engine(), &TraceEngine::traceStarted, &app,
                     [&](quint64, const TraceResult &r) { printer.started(r); });
    QObject::connect(engine.engine(), &TraceEngine::hopUpdated, &app,
                     [&](quint64, const Hop &h) { printer.hop(h); });
    std::unique_ptr<cli::TraceGeoAnnotator> geo;
    QObject::connect(engine.engine(), &TraceEngine::traceFinished, &app, [&](quint64, const TraceResult &r) {
        if (r.error != TraceError::None && r.error != TraceError::Cancelled) {
            if (options.json)
                err(QStringLiteral("tracemap-cli: %1").arg(r.errorMessage));
            exitCode = exitCodeFor(r.error);
        } else {
            exitCode = r.reached ? 0 : 1;
        }
        if (options.geo.enabled && r.error == TraceError::None) {
            // Places are looked up once the path is known; the hops are printed with them.
            geo = std::make_unique<cli::TraceGeoAnnotator>(options.geo.settings);
            for (const QString &w : geo->warnings())
                err(QStringLiteral("tracemap-cli: warning: %1").arg(w));
            geo->start(r, [&, r] {
                if (!printer.finished(r, options.report, geo.get()))
                    exitCode = 1;
                app.exit(exitCode);
            });
            return;
        }
        if (!printer.finished(r, options.report))
            exitCode = 1;
        app.exit(exitCode);
    });

    PingResult pingContext;
    QObject::connect(engine.engine(), &TraceEngine::pingStarted, &app, [&](quint64, const PingResult &r) {
        pingContext = r;
        if (!options.json)
            err(formatPingHeader(r));
    });
    QObject::connect(engine.engine(), &TraceEngine::pingReply, &app, [&](quint64, const ProbeReply &reply) {
        if (!options.json)
            out(formatPingReplyLine(pingContext, reply));
    });
    QObject::connect(engine.engine(), &TraceEngine::pingFinished, &app, [&](quint64, const PingResult &r) {
        if (options.json)
            fputs(QJsonDocument(pingToJson(r)).toJson(QJsonDocument::Indented).constData(), stdout);
        else
            err(formatPingSummary(r));
        if (r.error != TraceError::None && r.error != TraceError::Cancelled) {
            if (options.json)
                err(QStringLiteral("tracemap-cli: %1").arg(r.errorMessage));
            exitCode = exitCodeFor(r.error);
        } else {
            exitCode = r.anyReachedDestination() ? 0 : 1;
        }
        app.exit(exitCode);
    });

    job = options.command == cli::Command::Trace ? engine.startTrace(options.trace)
                                                 : engine.startPing(options.ping);
    const int rc = app.exec();
    engine.shutdown(1000);
    return rc;
}
