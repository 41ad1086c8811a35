// tracemap-cli trace HOST --via URL: the trace runs on a tracemap-agent and streams back hop by
// hop; then the route's start is decided by geo/vantagestart.h (the agent's configured place,
// else — with --geo — its public address as this chain places it, else the first public
// router's place) and said: on stderr as "start: <note>", in --json as the vantage's `source`,
// `note` and place. With --geo the hops are located with that start for the RTT check.
#include "agentclient.h"
#include "cliargs.h"
#include "geocli.h"
#include "resultformat.h"
#include "terminaltext.h"
#include "vantagecli.h"
#include "vantagestart.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QNetworkAccessManager>

#include <cstdio>
#include <memory>

namespace tracemap::cli {

namespace {

// What the agent sends (names, places) is shown through terminalSafe(): no control sequences.
void out(const QString &line)
{
    printSafeLine(stdout, line);
}

void err(const QString &line)
{
    printSafeLine(stderr, QStringLiteral("tracemap-cli: ") + line);
}

// The agent's own `vantage` report (if any) plus what it is, where it was asked, and where its
// route starts: `source` configured | address | estimated | none, `note`, and that place.
QJsonObject vantageJson(const QJsonObject &reported, const QUrl &via, const AgentPlace &place,
                        const VantageStart &start)
{
    QJsonObject vantage = reported;
    vantage.insert(QStringLiteral("kind"), toString(VantageKind::Agent));
    vantage.insert(QStringLiteral("url"), via.toString(QUrl::RemoveUserInfo));
    vantage.insert(QStringLiteral("source"), toString(start.source));
    vantage.insert(QStringLiteral("note"), start.note);
    if (!place.address.isNull())
        vantage.insert(QStringLiteral("address"), place.address.toString());
    if (start.location.isValid()) {
        vantage.insert(QStringLiteral("latitude"), start.location.latitude);
        vantage.insert(QStringLiteral("longitude"), start.location.longitude);
    } else {
        vantage.remove(QStringLiteral("latitude"));
        vantage.remove(QStringLiteral("longitude"));
    }
    return vantage;
}

} // namespace

int runTraceVia(const Options &options, const QByteArray &secret)
{
    const VantageOptions &v = options.vantage;
    QNetworkAccessManager network;
    AgentTraceClient agent(&network);
    std::unique_ptr<GeoService> geo;
    std::unique_ptr<TraceGeoAnnotator> annotator;
    QJsonObject document;
    TraceResult trace;
    const QString where = v.via.toString(QUrl::RemoveUserInfo);

    // Says where the route starts (and the located hops with --geo), then ends the event loop.
    const auto report = [&](const VantageStartInput &in) {
        const VantageStart start = chooseVantageStart(in);
        const AgentPlace place{in.agentAddress, in.addressResult};
        if (options.json) {
            document.insert(
                QStringLiteral("vantage"),
                vantageJson(document.value(QStringLiteral("vantage")).toObject(), v.via, place, start));
            fputs(QJsonDocument(document).toJson(QJsonDocument::Indented).constData(), stdout);
        } else {
            if (annotator) {
                for (const QString &line : annotator->textLines(trace))
                    out(QStringLiteral("   ") + line);
                for (const QString &line : annotator->attributions())
                    out(line);
            }
            err(QStringLiteral("start: %1").arg(start.note));
            err(QStringLiteral("via %1: %2").arg(where, formatTraceSummary(trace)));
        }
        QCoreApplication::exit(trace.reached ? 0 : 1);
    };

    QObject::connect(&agent, &AgentTraceClient::hop, [&](const Hop &h, const QJsonObject &) {
        if (!options.json)
            out(formatHopLine(h));
    });
    QObject::connect(&agent, &AgentTraceClient::vantageReported, [&](const VantagePoint &place) {
        if (!options.json && place.hasLocation())
            err(QStringLiteral("the agent is at %1 (%2, %3)")
                    .arg(place.city.isEmpty() ? place.name : place.city)
                    .arg(place.latitude, 0, 'f', 4)
                    .arg(place.longitude, 0, 'f', 4));
    });
    QObject::connect(
        &agent, &AgentTraceClient::finished, [&](AgentTraceClient::Error e, const QString &message) {
            if (e != AgentTraceClient::Error::None) {
                err(message);
                QCoreApplication::exit(e == AgentTraceClient::Error::BadToken ? kExitUsage : 1);
                return;
            }
            document = agent.document();
            trace = traceFromJson(document);
            VantageStartInput in;
            if (document.value(QLatin1String("vantage")).isObject())
                in.reported =
                    agentVantageFromJson(document.value(QLatin1String("vantage")).toObject(), v.via);
            if (!options.geo.enabled) { // no chain: only a configured place is known
                report(in);
                return;
            }
            geo = std::make_unique<GeoService>(options.geo.settings);
            for (const QString &w : geo->warnings())
                err(QStringLiteral("warning: %1").arg(w));
            // A configured place wins: the agent's address is then not asked about.
            findAgentPlace(in.reported.hasLocation() ? nullptr : geo.get(), v.via, QHostAddress(), qApp,
                           [&, in](const AgentPlace &place) mutable {
                               in.agentAddress = place.address;
                               in.addressResult = place.result;
                               annotator = std::make_unique<TraceGeoAnnotator>(
                                   geo.get(), chooseVantageStart(in).locatorStart());
                               annotator->start(trace, [&, in]() mutable {
                                   addEstimate(&in, trace.hops, true, [&](const QHostAddress &a) {
                                       return annotator->resultFor(a);
                                   });
                                   report(in);
                               });
                           });
        });

    QList<std::pair<QString, QString>> query;
    if (!v.protocol.isEmpty())
        query.append({QStringLiteral("method"), v.protocol.toLower()});
    if (v.family)
        query.append({QStringLiteral("family"), QString::number(v.family)});
    if (v.port)
        query.append({QStringLiteral("port"), QString::number(v.port)});
    agent.setToken(secret);
    agent.setTimeoutMs((v.timeoutSec > 0 ? v.timeoutSec : 10 * 60) * 1000);
    if (!options.json)
        err(QStringLiteral("traceroute to %1 via the agent at %2").arg(v.target, where));
    agent.start(v.via, v.target, query);
    return QCoreApplication::exec();
}

} // namespace tracemap::cli
