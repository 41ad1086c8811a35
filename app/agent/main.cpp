// tracemap-agent: ping and traceroute over HTTP (see docs/agent.md).
#include "agentconfig.h"
#include "agentlog.h"
#include "agentservice.h"
#include "enginethread.h"
#include "httpfrontend.h"
#include "probelimiter.h"
#include "resolver.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace tracemap;
using namespace tracemap::agent;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int signal)
{
    const char c = char(signal);
    [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &c, 1);
}

int usageError(const QString &message)
{
    std::fprintf(stderr, "tracemap-agent: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tracemap-agent"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRACEMAP_VERSION));
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{category} %{message}"));

    Config config;
    QString helpOrVersion;
    const ConfigResult parsed = parseArguments(app.arguments().mid(1), &config, &helpOrVersion);
    if (!helpOrVersion.isEmpty()) {
        std::fputs(qPrintable(helpOrVersion + QLatin1Char('\n')), stdout);
        return 0;
    }
    if (!parsed.ok())
        return usageError(parsed.message);

    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return usageError(QStringLiteral("cannot create the signal pipe"));
    // SIGHUP reloads; every other signal that would end the process ends it gracefully
    // (streams get their error line and terminator).
    for (const int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT})
        std::signal(s, onSignal);
    std::signal(SIGPIPE, SIG_IGN);
    for (const QString &warning : std::as_const(config.warnings))
        std::fprintf(stderr, "tracemap-agent: warning: %s\n", qPrintable(warning));

    QString error;
    Resolver resolver;
    if (!resolver.start(config.dnsServers, config.dnsTimeoutMs, &error))
        return usageError(error);
    SharedConfig shared(config);
    EngineThread engine;
    ProbeLimiter limiter(config.limits.maxProbes, config.limits.maxProbesPerClient);
    AgentService service(config, &engine, &limiter, &resolver);
    HttpFrontend frontend(&shared, &service, &limiter);
    if (!frontend.start(&error)) {
        std::fprintf(stderr, "tracemap-agent: %s\n", qPrintable(error));
        return 1;
    }
    const QString shown = config.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
                              ? QLatin1Char('[') + config.listenAddress.toString() + QLatin1Char(']')
                              : config.listenAddress.toString();
    // Tests and scripts read the chosen port from this line.
    std::fprintf(stderr, "tracemap-agent: listening on http://%s:%u/%s\n", qPrintable(shown), frontend.port(),
                 config.token.isEmpty() ? "" : " (token required)");
    std::fflush(stderr);

    // Graceful shutdown, bounded: stop accepting, cancel probes and let their answers
    // (503) go out, then close everything. A second signal (half a second later) exits at once.
    bool stopping = false;
    QElapsedTimer sinceFirstSignal;
    QDeadlineTimer deadline;
    QTimer poll;
    poll.setInterval(50);
    auto finish = [&] {
        poll.stop();
        if (limiter.active() > 0)
            service.abortAll();
        // A moment for resumed connections to write their answers.
        QTimer::singleShot(200, &app, [&] {
            frontend.stop();
            engine.shutdown(1000);
            app.quit();
        });
    };
    QObject::connect(&poll, &QTimer::timeout, &app, [&] {
        if (limiter.active() == 0 || deadline.hasExpired())
            finish();
    });
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    const auto reload = [&] {
        Config fresh;
        const ConfigResult r = reloadConfig(*shared.get(), &fresh);
        if (!r.ok()) {
            qCWarning(lcAgent).noquote() << "SIGHUP: keeping the old configuration:" << r.message;
            return;
        }
        for (const QString &warning : std::as_const(fresh.warnings))
            qCWarning(lcAgent).noquote() << "warning:" << warning;
        shared.set(fresh); // new requests and connections see it; running ones keep theirs
        limiter.setLimits(fresh.limits.maxProbes, fresh.limits.maxProbesPerClient);
        service.reconfigure(fresh);
        qCInfo(lcAgent) << "SIGHUP: configuration reloaded";
    };
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        char buffer[16];
        bool terminate = false;
        bool hangup = false;
        for (ssize_t n; (n = ::read(g_signalPipe[0], buffer, sizeof buffer)) > 0;) {
            for (ssize_t i = 0; i < n; ++i)
                (buffer[i] == SIGHUP ? hangup : terminate) = true;
        }
        if (hangup && !stopping)
            reload();
        if (!terminate)
            return;
        if (stopping) {
            // `timeout` and process-group kills deliver one SIGTERM twice (to the process and
            // to its group) within microseconds: only a signal sent later means "now".
            if (sinceFirstSignal.elapsed() < 500)
                return;
            qCWarning(lcAgent) << "second signal: exiting now";
            std::_Exit(1);
        }
        stopping = true;
        sinceFirstSignal.start();
        qCInfo(lcAgent) << "shutting down";
        frontend.stopAccepting();
        service.shutdown(); // stuck look-ups end here: nothing waits for the DNS
        deadline.setRemainingTime(config.shutdownGraceMs);
        poll.start();
    });

    const int code = app.exec();
    frontend.stop();
    engine.shutdown(1000);
    resolver.shutdown();
    qCInfo(lcAgent) << "stopped";
    return code;
}
