// Runs the vantage-point commands parsed in vantagecli.cpp: gets the routes (a file, RIPE Atlas or
// Globalping), locates every route's hops with its vantage as the start, and prints. An agent's
// trace (--via) runs in viarun.cpp.
#include "atlasclient.h"
#include "cliargs.h"
#include "geocli.h"
#include "globalpingclient.h"
#include "resultformat.h"
#include "tracefile.h"
#include "vantagecli.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>

#include <cstdio>
#include <functional>
#include <memory>

namespace tracemap::cli {

namespace {

using Action = VantageOptions::Action;

void out(const QString &line)
{
    fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    fflush(stdout);
}

void err(const QString &line)
{
    fputs(qPrintable(QStringLiteral("tracemap-cli: ") + line + QLatin1Char('\n')), stderr);
    fflush(stderr);
}

QJsonValue numberOrNull(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QJsonObject vantageToJson(const VantagePoint &v)
{
    return QJsonObject{
        {QStringLiteral("kind"), toString(v.kind)},
        {QStringLiteral("id"), v.id},
        {QStringLiteral("name"), v.name},
        {QStringLiteral("city"), v.city.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(v.city)},
        {QStringLiteral("country"),
         v.country.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(v.country)},
        {QStringLiteral("asn"), v.asn > 0 ? QJsonValue(v.asn) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("latitude"), numberOrNull(v.latitude)},
        {QStringLiteral("longitude"), numberOrNull(v.longitude)},
        {QStringLiteral("public_address"),
         v.publicAddress.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(v.publicAddress.toString())},
    };
}

QJsonArray notesToJson(const QList<VantageHopNotes> &notes)
{
    QJsonArray array;
    for (const VantageHopNotes &n : notes) {
        QJsonObject o{{QStringLiteral("ttl"), n.ttl}};
        if (!n.error.isEmpty())
            o.insert(QStringLiteral("error"), n.error);
        if (!n.replyErrors.isEmpty())
            o.insert(QStringLiteral("reply_errors"), QJsonArray::fromStringList(n.replyErrors));
        if (n.lateReplies)
            o.insert(QStringLiteral("late_replies"), n.lateReplies);
        if (n.duplicateReplies)
            o.insert(QStringLiteral("duplicate_replies"), n.duplicateReplies);
        if (!n.mpls.isEmpty())
            o.insert(QStringLiteral("mpls"), QJsonArray::fromStringList(n.mpls));
        if (!n.hostnames.isEmpty())
            o.insert(QStringLiteral("hostnames"), QJsonArray::fromStringList(n.hostnames));
        array.append(o);
    }
    return array;
}

QString noteText(const VantageHopNotes &n)
{
    QStringList parts;
    if (!n.error.isEmpty())
        parts << QStringLiteral("error: %1").arg(n.error);
    if (!n.replyErrors.isEmpty())
        parts << QStringLiteral("not sent: %1").arg(n.replyErrors.join(QStringLiteral("; ")));
    if (n.lateReplies)
        parts << QStringLiteral("%1 late").arg(n.lateReplies);
    if (n.duplicateReplies)
        parts << QStringLiteral("%1 duplicate").arg(n.duplicateReplies);
    if (!n.mpls.isEmpty())
        parts << QStringLiteral("MPLS %1").arg(n.mpls.join(QStringLiteral(", ")));
    if (!n.hostnames.isEmpty())
        parts << n.hostnames.join(QStringLiteral(", "));
    return QStringLiteral("   hop %1: %2").arg(n.ttl).arg(parts.join(QStringLiteral("; ")));
}

QString vantageLine(const VantageTrace &r, int index, int count)
{
    QString line = QStringLiteral("route %1 of %2: %3").arg(index + 1).arg(count).arg(r.vantage.name);
    if (!r.vantage.place().isEmpty())
        line += QStringLiteral(", %1").arg(r.vantage.place());
    line += r.vantage.hasLocation() ? QStringLiteral(" (%1, %2)")
                                          .arg(r.vantage.latitude, 0, 'f', 4)
                                          .arg(r.vantage.longitude, 0, 'f', 4)
                                    : QStringLiteral(" (place unknown)");
    line += QStringLiteral(" -> %1").arg(r.trace.target);
    if (!r.trace.destination.isNull() && r.trace.destination.toString() != r.trace.target)
        line += QStringLiteral(" (%1)").arg(r.trace.destination.toString());
    line += r.failed          ? QStringLiteral(", failed: %1").arg(r.failure)
            : r.trace.reached ? QStringLiteral(", reached")
                              : QStringLiteral(", not reached");
    return line;
}

// Locates every route's hops, one route after the other (each with its vantage as the start for
// the RTT check), then prints them all.
class RoutesPrinter : public QObject
{
public:
    RoutesPrinter(const Options &options, QList<VantageTrace> routes, std::function<void(int)> done)
        : m_options(options), m_routes(std::move(routes)), m_done(std::move(done))
    {}

    void start() { next(); }

private:
    void next()
    {
        if (m_index >= m_routes.size()) {
            print();
            return;
        }
        if (!m_service) {
            // One chain for every route (setting one up per route cost 0.2 s each); each route's
            // queries carry its own start.
            m_service = std::make_unique<GeoService>(m_options.geo.settings);
            for (const QString &w : m_service->warnings())
                err(QStringLiteral("warning: %1").arg(w));
        }
        const VantagePoint &v = m_routes.at(m_index).vantage;
        std::optional<SourceLocation> source;
        if (v.hasLocation())
            source = SourceLocation{v.latitude, v.longitude};
        else if (m_options.geo.settings.sourceLatitude && m_options.geo.settings.sourceLongitude)
            source = SourceLocation{*m_options.geo.settings.sourceLatitude,
                                    *m_options.geo.settings.sourceLongitude};
        auto annotator = std::make_shared<TraceGeoAnnotator>(m_service.get(), source);
        m_annotator = annotator;
        annotator->start(m_routes.at(m_index).trace, [this] {
            const TraceResult &trace = m_routes.at(m_index).trace;
            // The route as a trace file document: the trace's keys plus each hop's place.
            TraceFile file;
            file.trace = trace;
            file.meta.geoEnabled = true;
            for (const Hop &hop : trace.hops) {
                for (const QHostAddress &a : hop.responders()) {
                    const GeoResult r = m_annotator->resultFor(a);
                    file.places.insert(r.address, r);
                }
            }
            QJsonObject json = traceFileToJson(file);
            json.remove(QStringLiteral("attribution"));
            m_located.append(json);
            m_lines.append(m_annotator->textLines(trace));
            if (m_attributions.isEmpty())
                m_attributions = m_annotator->attributions();
            ++m_index;
            QMetaObject::invokeMethod(
                this,
                [this] {
                    m_annotator.reset();
                    next();
                },
                Qt::QueuedConnection);
        });
    }

    void print()
    {
        const QStringList &attributions = m_attributions;
        if (m_options.json) {
            QJsonArray routes;
            for (qsizetype i = 0; i < m_routes.size(); ++i) {
                const VantageTrace &r = m_routes.at(i);
                QJsonObject route{
                    {QStringLiteral("vantage"), vantageToJson(r.vantage)},
                    {QStringLiteral("trace"), m_located.at(i)},
                    {QStringLiteral("notes"), notesToJson(r.notes)},
                    {QStringLiteral("failed"), r.failed},
                    {QStringLiteral("failure"), r.failed ? QJsonValue(r.failure) : QJsonValue()}};
                if (r.measurementId >= 0)
                    route.insert(QStringLiteral("measurement_id"), r.measurementId);
                if (!r.measurementKey.isEmpty())
                    route.insert(QStringLiteral("measurement_id"), r.measurementKey);
                if (r.firmware > 0)
                    route.insert(QStringLiteral("firmware"), r.firmware);
                if (r.startedAt >= 0)
                    route.insert(QStringLiteral("timestamp"), r.startedAt);
                routes.append(route);
            }
            const QJsonObject document{
                {QStringLiteral("routes"), routes},
                {QStringLiteral("attribution"), QJsonArray::fromStringList(attributions)}};
            fputs(QJsonDocument(document).toJson(QJsonDocument::Indented).constData(), stdout);
        } else {
            for (qsizetype i = 0; i < m_routes.size(); ++i) {
                const VantageTrace &r = m_routes.at(i);
                out(vantageLine(r, int(i), int(m_routes.size())));
                for (const Hop &h : r.trace.hops)
                    out(formatHopLine(h));
                for (const VantageHopNotes &n : r.notes)
                    out(noteText(n));
                for (const QString &line : m_lines.at(i))
                    out(QStringLiteral("   ") + line);
                out(QString());
            }
            if (!attributions.isEmpty())
                out(attributions.join(QLatin1Char('\n')));
        }
        m_done(0);
    }

    const Options &m_options;
    QList<VantageTrace> m_routes;
    std::function<void(int)> m_done;
    std::unique_ptr<GeoService> m_service;
    std::shared_ptr<TraceGeoAnnotator> m_annotator;
    QList<QJsonObject> m_located; // per route: its trace document with a place per hop
    QList<QStringList> m_lines;   // per route: the located hops as text
    QStringList m_attributions;
    qsizetype m_index = 0;
};

int deadlineMs(const VantageOptions &v, int defaultSec)
{
    return (v.timeoutSec > 0 ? v.timeoutSec : defaultSec) * 1000;
}

} // namespace

int runVantage(const Options &options)
{
    registerVantageTypes();
    const VantageOptions &v = options.vantage;
    QNetworkAccessManager network;
    int exitCode = 0;
    std::unique_ptr<RoutesPrinter> printer;
    // Prints what arrived (even after a failure: partial results count) and ends the event loop.
    auto show = [&](const QList<VantageTrace> &routes, int code) {
        exitCode = code;
        printer =
            std::make_unique<RoutesPrinter>(options, routes, [&](int) { QCoreApplication::exit(exitCode); });
        printer->start();
    };

    QByteArray secret;
    if (!v.secretFile.isEmpty()) {
        QString error;
        secret = readSecretFile(v.secretFile, &error);
        if (secret.isEmpty()) {
            err(error);
            return kExitUsage;
        }
    }

    if (v.action == Action::AtlasShow && !v.file.isEmpty()) {
        QFile f(v.file);
        if (!f.open(QIODevice::ReadOnly)) {
            err(QStringLiteral("cannot read '%1'").arg(v.file));
            return 1;
        }
        const AtlasParseOutcome parsed = parseAtlasResults(f.read(512LL * 1024 * 1024));
        if (!parsed.ok()) {
            err(QStringLiteral("%1: %2").arg(v.file, parsed.message));
            return 1;
        }
        QList<VantageTrace> routes;
        for (const AtlasResult &r : parsed.results)
            routes << toVantageTrace(r);
        QMetaObject::invokeMethod(
            qApp, [&, routes] { show(routes, 0); }, Qt::QueuedConnection);
        return QCoreApplication::exec();
    }

    AtlasClient atlas(&network);
    GlobalpingClient globalping(&network);
    QObject::connect(&atlas, &AtlasClient::waiting, [](const QString &message, int) { err(message); });
    QObject::connect(&globalping, &GlobalpingClient::waiting,
                     [](const QString &message, int) { err(message); });
    QObject::connect(&atlas, &AtlasClient::finished, [&](AtlasClient::Error e, const QString &message) {
        if (e != AtlasClient::Error::None)
            err(message);
        const int code = e == AtlasClient::Error::None             ? 0
                         : e == AtlasClient::Error::InvalidRequest ? kExitUsage
                                                                   : 1;
        show(atlas.routes(), code);
    });
    QObject::connect(&globalping, &GlobalpingClient::finished,
                     [&](GlobalpingClient::Error e, const QString &message) {
                         if (e != GlobalpingClient::Error::None)
                             err(message);
                         const int code = e == GlobalpingClient::Error::None             ? 0
                                          : e == GlobalpingClient::Error::InvalidRequest ? kExitUsage
                                                                                         : 1;
                         show(globalping.measurement().routes, code);
                     });

    switch (v.action) {
    case Action::AtlasShow:
        atlas.setBaseUrl(v.atlasUrl);
        atlas.setOverallTimeoutMs(deadlineMs(v, 300));
        atlas.fetchResults(v.measurementId, v.start, v.stop, v.probeIds);
        break;
    case Action::AtlasTrace: {
        AtlasTraceSpec spec;
        spec.target = v.target;
        spec.probes = v.probes;
        spec.af = v.family == 6 ? 6 : 4;
        if (!v.protocol.isEmpty())
            spec.protocol = v.protocol;
        if (const QString problem = validate(spec); !problem.isEmpty()) {
            err(QStringLiteral("atlas trace: %1").arg(problem));
            return kExitUsage;
        }
        const QString cost =
            QStringLiteral("a one-off RIPE Atlas traceroute to %1 from %2 probes costs about %3 credits")
                .arg(spec.target)
                .arg(spec.probes.requested)
                .arg(atlasExpectedCredits(spec));
        if (!v.yes) {
            err(cost + QStringLiteral("; add --yes to create it (nothing was created)"));
            return kExitUsage;
        }
        err(cost + QStringLiteral("; creating it"));
        atlas.setBaseUrl(v.atlasUrl);
        atlas.setKey(secret);
        atlas.setOverallTimeoutMs(deadlineMs(v, 15 * 60));
        QObject::connect(&atlas, &AtlasClient::created, [](qint64 id) {
            err(QStringLiteral("created measurement %1; waiting for results").arg(id));
        });
        atlas.createTrace(spec);
        break;
    }
    case Action::GlobalpingTrace: {
        GlobalpingSpec spec;
        spec.type = v.mtr ? QStringLiteral("mtr") : QStringLiteral("traceroute");
        spec.target = v.target;
        spec.locations = v.from;
        spec.limit = v.limit;
        spec.protocol = v.protocol;
        spec.ipVersion = v.family;
        spec.port = v.port;
        globalping.setBaseUrl(v.globalpingUrl);
        globalping.setToken(secret);
        globalping.setOverallTimeoutMs(deadlineMs(v, 5 * 60));
        globalping.start(spec);
        break;
    }
    case Action::TraceVia:
        return runTraceVia(options, secret);
    case Action::None:
        return kExitUsage;
    }
    return QCoreApplication::exec();
}

} // namespace tracemap::cli
