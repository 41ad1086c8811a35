// The one description of the trace, ping and watch options (core/traceoptions.h): every option
// given on a command line (as tracemap-cli and the desktop app parse it) and as an HTTP query
// parameter (as the agent reads it, max_ttl or max-ttl) makes the same request; bad values give
// one line naming the option as it was written; an agent's narrower limits narrow the ranges.
#include "traceoptions.h"

#include <QCommandLineParser>
#include <QTest>
#include <QUrlQuery>

using namespace tracemap;

Q_DECLARE_METATYPE(tracemap::RequestKind)
Q_DECLARE_METATYPE(tracemap::OptionError)
Q_DECLARE_METATYPE(tracemap::OptionSyntax)

namespace {

// Every field of a request, as text, so that two requests compare field by field.
QMap<QString, QString> fields(const TraceRequest &r)
{
    return {{"family", QString::number(int(r.family))},
            {"method", toString(r.method)},
            {"port", QString::number(r.port)},
            {"timeout", QString::number(r.timeoutSec)},
            {"first-ttl", QString::number(r.firstTtl)},
            {"max-ttl", QString::number(r.maxTtl)},
            {"queries", QString::number(r.queries)},
            {"max-gap", QString::number(r.maxGap)},
            {"max-in-flight", QString::number(r.maxInFlight)},
            {"flow", QString::number(int(r.flow))}};
}

QMap<QString, QString> fields(const PingRequest &r)
{
    return {{"family", QString::number(int(r.family))},
            {"method", toString(r.method)},
            {"port", QString::number(r.port)},
            {"timeout", QString::number(r.timeoutSec)},
            {"count", QString::number(r.count)},
            {"interval", QString::number(r.intervalSec)},
            {"ttl", QString::number(r.ttl)}};
}

QMap<QString, QString> fields(const WatchRequest &w)
{
    QMap<QString, QString> f = fields(w.trace);
    f.insert("interval", QString::number(w.intervalSec));
    f.insert("cycles", QString::number(w.cycles));
    return f;
}

OptionValues fromQuery(const QString &query)
{
    OptionValues values;
    for (const auto &[name, value] : QUrlQuery(query).queryItems(QUrl::FullyDecoded))
        values.append({name, value});
    return values;
}

OptionValues fromArgv(const QStringList &args, bool *ok)
{
    QCommandLineParser p;
    p.addOptions(traceCommandLineOptions());
    *ok = p.parse(QStringList{QStringLiteral("prog")} + args);
    return givenTraceOptions(p);
}

// Applies values to a default request of the kind; returns its fields (or the problem).
QMap<QString, QString> applied(RequestKind kind, const OptionValues &values, OptionSyntax syntax,
                               OptionProblem *problem, const OptionLimits &limits = {})
{
    switch (kind) {
    case RequestKind::Trace: {
        TraceRequest r;
        *problem = applyTraceOptions(values, syntax, limits, &r);
        return fields(r);
    }
    case RequestKind::Ping: {
        PingRequest r;
        *problem = applyTraceOptions(values, syntax, limits, &r);
        return fields(r);
    }
    case RequestKind::Watch: {
        WatchRequest r;
        *problem = applyTraceOptions(values, syntax, limits, &r);
        return fields(r);
    }
    }
    return {};
}

QMap<QString, QString> defaults(RequestKind kind)
{
    OptionProblem unused;
    return applied(kind, {}, OptionSyntax::CommandLine, &unused);
}

struct Row
{
    const char *name;
    RequestKind kind;
    QStringList argv;
    QString query;
    QString field;
    QString value;
};

const QList<Row> &rows()
{
    const auto T = RequestKind::Trace;
    const auto P = RequestKind::Ping;
    const auto W = RequestKind::Watch;
    static const QList<Row> all = {
        {"-4 / family=4", T, {"-4"}, "family=4", "family", "1"},
        {"-6 / family=ipv6", P, {"-6"}, "family=ipv6", "family", "2"},
        {"method tcp", T, {"--method", "tcp"}, "method=TCP", "method", "tcp"},
        {"method auto for ping", P, {"--method", "auto"}, "method=auto", "method", "auto"},
        {"port", T, {"--port", "443"}, "port=443", "port", "443"},
        {"timeout", P, {"--timeout", "0.5"}, "timeout=0.5", "timeout", "0.5"},
        {"first-ttl / first_ttl", T, {"--first-ttl", "3"}, "first_ttl=3", "first-ttl", "3"},
        {"max-ttl / max_ttl", T, {"--max-ttl", "12"}, "max_ttl=12", "max-ttl", "12"},
        {"max-ttl / max-ttl in a query", T, {"--max-ttl", "12"}, "max-ttl=12", "max-ttl", "12"},
        {"queries", T, {"--queries", "5"}, "queries=5", "queries", "5"},
        {"max-gap", T, {"--max-gap", "2"}, "max_gap=2", "max-gap", "2"},
        {"max-in-flight", T, {"--max-in-flight", "8"}, "max_in_flight=8", "max-in-flight", "8"},
        {"classic", T, {"--classic"}, "classic=1", "flow", "1"},
        {"count", P, {"--count", "7"}, "count=7", "count", "7"},
        {"ping interval", P, {"--interval", "0.2"}, "interval=0.2", "interval", "0.2"},
        {"ttl", P, {"--ttl", "9"}, "ttl=9", "ttl", "9"},
        {"watch interval", W, {"--interval", "2.5"}, "interval=2.5", "interval", "2.5"},
        {"cycles", W, {"--cycles", "4"}, "cycles=4", "cycles", "4"},
        {"watch takes trace options", W, {"--queries", "2"}, "queries=2", "queries", "2"},
    };
    return all;
}

} // namespace

class tst_TraceOptions : public QObject
{
    Q_OBJECT

private slots:
    // Each row: one option as argv and as a query, and the one field it must change.
    void sameRequestEverywhere_data()
    {
        QTest::addColumn<RequestKind>("kind");
        QTest::addColumn<QStringList>("argv");
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        for (const Row &row : rows())
            QTest::newRow(row.name) << row.kind << row.argv << row.query << row.field << row.value;
    }
    void sameRequestEverywhere()
    {
        QFETCH(RequestKind, kind);
        QFETCH(QStringList, argv);
        QFETCH(QString, query);
        QFETCH(QString, field);
        QFETCH(QString, value);
        bool parsed = false;
        const OptionValues given = fromArgv(argv, &parsed);
        QVERIFY(parsed);
        OptionProblem cliProblem, queryProblem;
        const auto fromCli = applied(kind, given, OptionSyntax::CommandLine, &cliProblem);
        const auto fromHttp = applied(kind, fromQuery(query), OptionSyntax::Query, &queryProblem);
        QVERIFY2(cliProblem.ok(), qPrintable(cliProblem.message));
        QVERIFY2(queryProblem.ok(), qPrintable(queryProblem.message));
        QCOMPARE(fromCli, fromHttp);
        QMap<QString, QString> expected = defaults(kind);
        QVERIFY(expected.contains(field));
        QVERIFY2(expected.value(field) != value, "the row must change its field");
        expected.insert(field, value);
        QCOMPARE(fromCli, expected);
    }

    // Every option of the table is exercised by a row above, in each form it is offered.
    void everyOptionHasARow()
    {
        QSet<QString> argvNames, queryNames;
        for (const Row &row : rows()) {
            for (const QString &arg : row.argv) {
                if (arg.startsWith(QLatin1Char('-')))
                    argvNames.insert(arg.mid(arg.startsWith(QLatin1String("--")) ? 2 : 1));
            }
            for (const auto &[name, value] : fromQuery(row.query))
                queryNames.insert(QString(name).replace(QLatin1Char('_'), QLatin1Char('-')));
        }
        for (const TraceOptionSpec &spec : traceOptionSpecs()) {
            QVERIFY2(!spec.commandLine || argvNames.contains(spec.name),
                     qPrintable(spec.name + QStringLiteral(" has no command-line row")));
            QVERIFY2(!spec.query || queryNames.contains(spec.name),
                     qPrintable(spec.name + QStringLiteral(" has no query row")));
        }
    }

    void badValues_data()
    {
        QTest::addColumn<RequestKind>("kind");
        QTest::addColumn<OptionSyntax>("syntax");
        QTest::addColumn<QString>("given"); // argv joined by spaces, or a query
        QTest::addColumn<OptionError>("error");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("message");
        const auto T = RequestKind::Trace;
        const auto P = RequestKind::Ping;
        const auto W = RequestKind::Watch;
        const auto C = OptionSyntax::CommandLine;
        const auto Q = OptionSyntax::Query;
        QTest::newRow("max-ttl 0") << T << C << "--max-ttl 0" << OptionError::BadValue << "max-ttl"
                                   << "--max-ttl must be a whole number from 1 to 255, got '0'";
        QTest::newRow("max_ttl text") << T << Q << "max_ttl=ten" << OptionError::BadValue << "max_ttl"
                                      << "'max_ttl' must be a whole number from 1 to 255, got 'ten'";
        QTest::newRow("count fraction") << P << Q << "count=1.5" << OptionError::BadValue << "count"
                                        << "'count' must be a whole number from 1 to 100000, got '1.5'";
        QTest::newRow("timeout nan") << T << C << "--timeout nan" << OptionError::BadValue << "timeout"
                                     << "--timeout must be a number of seconds from 0.1 to 60, got 'nan'";
        QTest::newRow("watch interval too short")
            << W << C << "--interval 0.05" << OptionError::BadValue << "interval"
            << "--interval must be a number of seconds from 0.1 to 3600, got '0.05'";
        QTest::newRow("cycles 0") << W << C << "--cycles 0" << OptionError::BadValue << "cycles"
                                  << "--cycles must be a whole number from 1 to 1000000, got '0'";
        QTest::newRow("bad method") << T << C << "--method sctp" << OptionError::BadValue << "method"
                                    << "--method must be udp, icmp, tcp or auto, got 'sctp'";
        QTest::newRow("bad family") << T << Q << "family=5" << OptionError::BadValue << "family"
                                    << "'family' must be 4, 6 or any, got '5'";
        QTest::newRow("bad classic") << T << Q << "classic=maybe" << OptionError::BadValue << "classic"
                                     << "'classic' must be 0 or 1, got 'maybe'";
        QTest::newRow("port 0") << P << C << "--port 0" << OptionError::BadValue << "port"
                                << "--port must be a whole number from 1 to 65535, got '0'";
        QTest::newRow("both families") << T << C << "-4 -6" << OptionError::Conflict << ""
                                       << "-4 and -6 exclude each other";
        QTest::newRow("first above max")
            << T << Q << "max_ttl=3&first_ttl=4" << OptionError::Conflict << "first_ttl"
            << "first TTL (4) is above max TTL (3)";
        QTest::newRow("count for trace") << T << C << "--count 3" << OptionError::NotApplicable << "count"
                                         << "--count does not apply to trace";
        QTest::newRow("max-ttl for ping")
            << P << C << "--max-ttl 3" << OptionError::NotApplicable << "max-ttl"
            << "--max-ttl does not apply to ping";
        QTest::newRow("cycles for trace") << T << Q << "cycles=2" << OptionError::NotApplicable << "cycles"
                                          << "'cycles' does not apply to trace";
        QTest::newRow("unknown parameter") << T << Q << "hops=3" << OptionError::UnknownOption << "hops"
                                           << "unknown parameter 'hops'";
        QTest::newRow("-4 is not a query parameter") << T << Q << "4=1" << OptionError::UnknownOption << "4"
                                                     << "unknown parameter '4'";
        QTest::newRow("both spellings")
            << T << Q << "max_ttl=3&max-ttl=4" << OptionError::Duplicate << "max-ttl"
            << "parameter 'max-ttl' is given more than once";
    }
    void badValues()
    {
        QFETCH(RequestKind, kind);
        QFETCH(OptionSyntax, syntax);
        QFETCH(QString, given);
        QFETCH(OptionError, error);
        QFETCH(QString, option);
        QFETCH(QString, message);
        OptionValues values;
        if (syntax == OptionSyntax::Query) {
            values = fromQuery(given);
        } else {
            bool parsed = false;
            values = fromArgv(given.split(QLatin1Char(' ')), &parsed);
            QVERIFY(parsed);
        }
        OptionProblem problem;
        applied(kind, values, syntax, &problem);
        QCOMPARE(problem.error, error);
        QCOMPARE(problem.option, option);
        QCOMPARE(problem.message, message);
        QVERIFY(!problem.message.contains(QLatin1Char('\n')));
    }

    // The agent's limits narrow the table's ranges, and the message says the narrower one.
    void limitsNarrowRanges_data()
    {
        QTest::addColumn<RequestKind>("kind");
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("message");
        QTest::newRow("max_ttl") << RequestKind::Trace << "max_ttl=65"
                                 << "'max_ttl' must be a whole number from 1 to 64, got '65'";
        QTest::newRow("timeout") << RequestKind::Ping << "timeout=11"
                                 << "'timeout' must be a number of seconds from 0.1 to 10, got '11'";
        QTest::newRow("ping interval") << RequestKind::Ping << "interval=0.1"
                                       << "'interval' must be a number of seconds from 0.2 to 60, got '0.1'";
        QTest::newRow("mtr interval") << RequestKind::Watch << "interval=0.5"
                                      << "'interval' must be a number of seconds from 1 to 60, got '0.5'";
        QTest::newRow("cycles") << RequestKind::Watch << "cycles=101"
                                << "'cycles' must be a whole number from 1 to 100, got '101'";
    }
    void limitsNarrowRanges()
    {
        QFETCH(RequestKind, kind);
        QFETCH(QString, query);
        QFETCH(QString, message);
        OptionLimits limits;
        limits.maxTtl = 64;
        limits.maxTimeout = 10;
        limits.minInterval = 0.2;
        limits.maxInterval = 60;
        limits.minRoundInterval = 1;
        limits.maxRoundInterval = 60;
        limits.maxCycles = 100;
        OptionProblem problem;
        applied(kind, fromQuery(query), OptionSyntax::Query, &problem, limits);
        QCOMPARE(problem.error, OptionError::BadValue);
        QCOMPARE(problem.message, message);
    }

    // A watch is one probe per hop per round unless --queries says otherwise (as mtr).
    void watchKeepsItsDefaults()
    {
        WatchRequest w;
        QVERIFY(applyTraceOptions({{"max-ttl", "9"}}, OptionSyntax::CommandLine, {}, &w).ok());
        QCOMPARE(w.trace.queries, 1);
        QCOMPARE(w.trace.maxTtl, 9);
    }

    // Help lines come from the table: one per command-line option, in the shared layout.
    void helpLines()
    {
        const QStringList lines = traceOptionsHelp().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        int offered = 0;
        for (const TraceOptionSpec &spec : traceOptionSpecs())
            offered += spec.commandLine ? 1 : 0;
        QCOMPARE(lines.size(), offered);
        QCOMPARE(lines.first(), QStringLiteral("  -4                           Use IPv4 only."));
        QVERIFY(
            traceOptionsHelp({TraceOption::MaxTtl})
                .startsWith(QStringLiteral("  --max-ttl N                  trace: last TTL probed, 1-255")));
        QVERIFY(!traceOptionsHelp().contains(QStringLiteral("--family")));
    }
};

QTEST_GUILESS_MAIN(tst_TraceOptions)
#include "tst_traceoptions.moc"
