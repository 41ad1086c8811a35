#include "watchcli.h"

#include "enginethread.h"
#include "terminaltext.h"
#include "watchformat.h"
#include "watchsession.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace tracemap::cli {

namespace {

int g_watchSignalPipe[2] = {-1, -1};

void onWatchSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_watchSignalPipe[1], &c, 1);
}

void print(FILE *stream, const QString &text)
{
    fputs(qPrintable(text), stream);
    fflush(stream);
}

// Human-readable text: the target (an IPv6 zone can hold anything), names and messages are
// shown with control characters escaped, as every other CLI printer does. JSON escapes on
// its own, and CSV is data whose CRLF line ends must stay.
void printText(FILE *stream, const QString &text)
{
    print(stream, terminalSafe(text));
}

// Puts the terminal into single-key mode while it lives (q quits), and restores it.
class KeyboardMode
{
public:
    KeyboardMode()
    {
        if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &m_saved) != 0)
            return;
        termios raw = m_saved;
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        m_active = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    ~KeyboardMode()
    {
        if (m_active)
            ::tcsetattr(STDIN_FILENO, TCSANOW, &m_saved);
    }
    bool active() const { return m_active; }
    KeyboardMode(const KeyboardMode &) = delete;
    KeyboardMode &operator=(const KeyboardMode &) = delete;

private:
    termios m_saved{};
    bool m_active = false;
};

bool destinationAnswered(const WatchSnapshot &s)
{
    for (const HopSummary &h : s.hops) {
        for (const ResponderSummary &r : h.responders) {
            if (r.address.isEqual(s.context.destination))
                return true;
        }
    }
    return false;
}

} // namespace

int runWatch(const Options &options)
{
    enum class Output { Live, Lines, Report, Json, Csv };
    const Output output = options.json              ? Output::Json
                          : options.csv             ? Output::Csv
                          : options.report          ? Output::Report
                          : ::isatty(STDOUT_FILENO) ? Output::Live
                                                    : Output::Lines;
    QCoreApplication *app = QCoreApplication::instance();
    EngineThread engine;
    WatchSession watch(&engine, options.watch);
    std::unique_ptr<KeyboardMode> keyboard;
    std::unique_ptr<QSocketNotifier> keys;
    if (output == Output::Live) {
        keyboard = std::make_unique<KeyboardMode>();
        if (keyboard->active()) {
            keys = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
            QObject::connect(keys.get(), &QSocketNotifier::activated, app, [&] {
                char c = 0;
                if (::read(STDIN_FILENO, &c, 1) <= 0) {
                    keys->setEnabled(false); // end of input: only Ctrl+C quits now
                    return;
                }
                if (c == 'q' || c == 'Q')
                    watch.stop();
            });
        }
    }

    // Ctrl+C / SIGTERM stop the watch; the report of what was measured is still printed.
    // A second signal, or a watch that does not end within 3 s, ends the process regardless.
    if (::pipe(g_watchSignalPipe) == 0) {
        std::signal(SIGINT, onWatchSignal);
        std::signal(SIGTERM, onWatchSignal);
    }
    QSocketNotifier signalNotifier(g_watchSignalPipe[0], QSocketNotifier::Read);
    int signalsSeen = 0;
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, app, [&] {
        char c;
        [[maybe_unused]] const ssize_t n = ::read(g_watchSignalPipe[0], &c, 1);
        if (++signalsSeen > 1)
            ::_exit(130);
        watch.stop();
        QTimer::singleShot(3000, app, [] { ::_exit(130); });
    });

    QObject::connect(&watch, &WatchSession::started, app, [&](const TraceResult &context) {
        if (output == Output::Lines)
            printText(stderr, QStringLiteral("watch %1 (%2) from %3, %4, every %5 s\n")
                                  .arg(context.target, context.destination.toString(),
                                       context.source.toString(), toString(context.method))
                                  .arg(options.watch.intervalSec));
    });
    qsizetype changesPrinted = 0;
    QObject::connect(&watch, &WatchSession::roundFinished, app, [&](const WatchRound &round) {
        if (output == Output::Live)
            print(stdout, QStringLiteral("\x1b[H\x1b[2J") + terminalSafe(formatWatchTable(watch.snapshot())) +
                              QLatin1Char('\n'));
        else if (output == Output::Lines)
            printText(stdout, formatWatchRoundLines(round).join(QLatin1Char('\n')) + QLatin1Char('\n'));
        // Path changes are news in a log: each one is printed once, when it is confirmed.
        const QList<PathChange> &changes = watch.pathChanges().changes();
        for (; output == Output::Lines && changesPrinted < changes.size(); ++changesPrinted)
            printText(stdout, formatPathChange(changes.at(changesPrinted)) + QLatin1Char('\n'));
    });
    int exitCode = 0;
    QObject::connect(
        &watch, &WatchSession::finished, app, [&](WatchEndReason reason, const QString &message) {
            const WatchSnapshot s = watch.snapshot();
            if (reason == WatchEndReason::Failed) {
                printText(stderr, QStringLiteral("tracemap-cli: %1\n").arg(message));
                exitCode = 1;
                if (s.rounds == 0 || output == Output::Json || output == Output::Csv) {
                    app->exit(exitCode);
                    return;
                }
            } else {
                exitCode = destinationAnswered(s) ? 0 : 1;
            }
            switch (output) {
            case Output::Json:
                print(stdout,
                      QString::fromUtf8(QJsonDocument(watchToJson(s)).toJson(QJsonDocument::Indented)));
                break;
            case Output::Csv:
                print(stdout, watchToCsv(s));
                break;
            case Output::Live:
            case Output::Lines:
            case Output::Report:
                printText(stdout, formatWatchReport(s) + QLatin1Char('\n'));
                break;
            }
            app->exit(exitCode);
        });

    QTimer::singleShot(0, &watch, &WatchSession::start);
    const int rc = app->exec();
    keys.reset();
    keyboard.reset();
    engine.shutdown(1000);
    return rc;
}

} // namespace tracemap::cli
