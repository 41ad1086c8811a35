#include "geocli.h"

#include "address.h"
#include "specialranges.h"
#include "terminaltext.h"

#include "geodbupdater.h"
#include "mmdbprovider.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QTimer>

#include <cmath>
#include <cstdio>

namespace tracemap::cli {

namespace {

// Labels come from files: both streams go through terminalSafe().
void printOut(const QString &text)
{
    printSafeLine(stdout, text);
}

void printErr(const QString &text)
{
    printSafeLine(stderr, text);
}

QJsonValue stringOrNull(const QString &s)
{
    return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
}

QString asText(const AsInfo &as)
{
    if (!as.isValid())
        return {};
    return as.name.isEmpty() ? QStringLiteral("AS%1").arg(as.number)
                             : QStringLiteral("AS%1 %2").arg(as.number).arg(as.name);
}

// Time for a whole run of lookups before the CLI gives up on stragglers; the service's own
// watchdogs end every lookup well before this.
int overallDeadlineMs(const GeoSettings &s)
{
    return s.lookupTimeoutMs * 6 + 5000;
}

} // namespace

QString formatGeoPlace(const GeoResult &r)
{
    if (r.status != GeoStatus::Located)
        return QStringLiteral("%1: %2").arg(geoStatusName(r.status), r.reason.isEmpty() ? r.error : r.reason);
    QString text = placeName(r.place);
    if (r.place.hasCoordinates()) {
        QString coords =
            QStringLiteral("%1, %2").arg(r.place.latitude, 0, 'f', 4).arg(r.place.longitude, 0, 'f', 4);
        if (r.place.accuracyKm > 0)
            coords += QStringLiteral(" ±%1 km").arg(qRound64(r.place.accuracyKm));
        text = text.isEmpty() ? coords : QStringLiteral("%1 (%2)").arg(text, coords);
    }
    return text;
}

QString formatGeoResult(const GeoResult &r)
{
    QStringList lines;
    lines << QStringLiteral("%1  %2").arg(r.address.toString(), formatGeoPlace(r));
    auto field = [&lines](const char *name, const QString &value) {
        if (!value.isEmpty())
            lines << QStringLiteral("  %1 %2").arg(QString::fromLatin1(name).leftJustified(10), value);
    };
    if (!r.provider.isEmpty()) {
        QString provider = r.provider;
        if (!r.providerDetail.isEmpty())
            provider += QStringLiteral(" (%1)").arg(r.providerDetail);
        provider += QStringLiteral(", confidence %1").arg(r.confidence, 0, 'f', 2);
        if (r.fromCache)
            provider += QStringLiteral(", cached");
        field("provider", provider);
    }
    if (r.status == GeoStatus::Located)
        field("reason", r.reason);
    field("hostname", r.hostname);
    field("as", asText(r.as));
    for (const QString &rejected : r.rejected)
        field("rejected", rejected);
    return lines.join(QLatin1Char('\n'));
}

int runLocate(const Options &options)
{
    const GeoOptions &geo = options.geo;
    GeoService service(geo.settings);
    for (const QString &w : service.warnings())
        printErr(QStringLiteral("tracemap-cli: warning: %1").arg(w));

    QHash<QHostAddress, GeoResult> results;
    QList<QHostAddress> order;
    for (const QHostAddress &a : geo.addresses) {
        const QHostAddress key = normalizedAddress(a);
        if (!order.contains(key))
            order << key;
    }
    QObject::connect(&service, &GeoService::located, &service, [&](const GeoResult &r) {
        results.insert(r.address, r);
        if (results.size() >= order.size())
            QCoreApplication::exit(0);
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &service, [] { QCoreApplication::exit(0); });
    deadline.start(overallDeadlineMs(geo.settings));
    for (const QHostAddress &a : order) {
        GeoQuery q;
        q.address = a;
        q.rttMs = geo.rttMs;
        if (geo.hostnameGiven) {
            q.hostname = geo.hostname;
            q.hostnameKnown = true;
        } else if (geo.settings.offline) {
            q.hostnameKnown = true; // no reverse DNS offline: the name is "none"
        }
        service.locate(q);
    }
    if (results.size() < order.size())
        QCoreApplication::exec();

    bool allLocated = true;
    QJsonArray json;
    QStringList text;
    for (const QHostAddress &a : std::as_const(order)) {
        GeoResult r = results.value(a);
        if (!results.contains(a)) {
            r.address = a;
            r.status = GeoStatus::TimedOut;
            r.reason = QStringLiteral("no decision within %1 s").arg(overallDeadlineMs(geo.settings) / 1000);
            r.error = r.reason;
        }
        allLocated = allLocated && r.status == GeoStatus::Located;
        json.append(geoResultToJson(r));
        text << formatGeoResult(r);
    }
    const QStringList attributions = service.attributions();
    if (options.json) {
        const QJsonObject doc{{QStringLiteral("results"), json},
                              {QStringLiteral("attribution"), QJsonArray::fromStringList(attributions)},
                              {QStringLiteral("warnings"), QJsonArray::fromStringList(service.warnings())}};
        fputs(QJsonDocument(doc).toJson(QJsonDocument::Indented).constData(), stdout);
        fflush(stdout);
    } else {
        printOut(text.join(QLatin1Char('\n')));
        if (!attributions.isEmpty())
            printOut(QStringLiteral("\n") + attributions.join(QLatin1Char('\n')));
    }
    return allLocated ? 0 : 1;
}

int runGeoDb(const Options &options)
{
    const GeoOptions &geo = options.geo;
    if (geo.geodbAction == QLatin1String("update")) {
        QNetworkAccessManager network;
        GeoDatabaseUpdater updater(&network, defaultDataDirectory(), geo.registryUrl);
        bool ok = false;
        QString message;
        QObject::connect(&updater, &GeoDatabaseUpdater::progress, &updater, [&](const QString &line) {
            if (!options.json)
                printErr(line);
        });
        QObject::connect(&updater, &GeoDatabaseUpdater::finished, &updater,
                         [&](bool success, const QString &m) {
                             ok = success;
                             message = m;
                             QCoreApplication::exit(0);
                         });
        updater.start();
        QCoreApplication::exec();
        if (options.json) {
            const QJsonObject doc{{QStringLiteral("ok"), ok},
                                  {QStringLiteral("message"), message},
                                  {QStringLiteral("data_directory"), defaultDataDirectory()}};
            fputs(QJsonDocument(doc).toJson(QJsonDocument::Indented).constData(), stdout);
        } else {
            (ok ? printOut(message) : printErr(QStringLiteral("tracemap-cli: %1").arg(message)));
        }
        return ok ? 0 : 1;
    }
    const QStringList paths =
        geo.settings.databasePaths.isEmpty() ? defaultDatabasePaths() : geo.settings.databasePaths;
    const QList<GeoDatabaseInfo> infos = geoDatabaseStatus(paths);
    bool ok = !infos.isEmpty();
    QJsonArray json;
    QStringList text;
    text << QStringLiteral("data directory: %1").arg(defaultDataDirectory());
    if (infos.isEmpty())
        text << QStringLiteral("no IP database installed; run 'tracemap-cli geodb update'");
    for (const GeoDatabaseInfo &i : infos) {
        ok = ok && i.present && i.error.isEmpty();
        json.append(QJsonObject{
            {QStringLiteral("path"), i.path},
            {QStringLiteral("present"), i.present},
            {QStringLiteral("build"), stringOrNull(i.build)},
            {QStringLiteral("size_bytes"), i.sizeBytes},
            {QStringLiteral("modified"),
             i.modified.isValid() ? QJsonValue(i.modified.toUTC().toString(Qt::ISODate)) : QJsonValue()},
            {QStringLiteral("error"), stringOrNull(i.error)},
        });
        if (!i.present || !i.error.isEmpty()) {
            text << QStringLiteral("%1: %2").arg(i.path,
                                                 i.error.isEmpty() ? QStringLiteral("missing") : i.error);
        } else {
            text << QStringLiteral("%1: %2, %3 MB, modified %4")
                        .arg(i.path, i.build)
                        .arg(double(i.sizeBytes) / 1e6, 0, 'f', 1)
                        .arg(i.modified.toUTC().toString(Qt::ISODate));
        }
    }
    QStringList attributions;
    if (ok) {
        MmdbProvider provider(paths);
        attributions = provider.attributions();
    }
    if (options.json) {
        const QJsonObject doc{{QStringLiteral("data_directory"), defaultDataDirectory()},
                              {QStringLiteral("databases"), json},
                              {QStringLiteral("ok"), ok},
                              {QStringLiteral("attribution"), QJsonArray::fromStringList(attributions)}};
        fputs(QJsonDocument(doc).toJson(QJsonDocument::Indented).constData(), stdout);
    } else {
        printOut(text.join(QLatin1Char('\n')));
        if (!attributions.isEmpty())
            printOut(QStringLiteral("\n") + attributions.join(QLatin1Char('\n')));
    }
    return ok ? 0 : 1;
}

// --- trace --geo --------------------------------------------------------------------------

TraceGeoAnnotator::TraceGeoAnnotator(const GeoSettings &settings, QObject *parent)
    : TraceGeoAnnotator(std::make_unique<GeoService>(settings), parent)
{}

namespace {
std::optional<SourceLocation> configuredSource(const GeoSettings &settings)
{
    if (settings.sourceLatitude && settings.sourceLongitude)
        return SourceLocation{*settings.sourceLatitude, *settings.sourceLongitude};
    return std::nullopt;
}
} // namespace

TraceGeoAnnotator::TraceGeoAnnotator(std::unique_ptr<GeoService> service, QObject *parent)
    : TraceGeoAnnotator(service.get(), configuredSource(service->settings()), parent)
{
    m_owned = std::move(service);
}

TraceGeoAnnotator::TraceGeoAnnotator(GeoService *shared, std::optional<SourceLocation> source,
                                     QObject *parent)
    : QObject(parent), m_service(shared)
{
    m_locator.setService(m_service);
    m_locator.setConfiguredSource(source);
    // Decisions may come synchronously (cached ones): report the end from the event loop.
    connect(&m_locator, &TraceLocator::done, this,
            [this] { QTimer::singleShot(0, this, [this] { finish(); }); });
}

TraceGeoAnnotator::~TraceGeoAnnotator() = default;

void TraceGeoAnnotator::start(const TraceResult &trace, std::function<void()> done)
{
    m_done = std::move(done);
    QTimer::singleShot(overallDeadlineMs(m_service->settings()), this, [this] {
        m_locator.cancelAll();
        finish();
    });
    m_locator.update(trace.hops, true);
}

void TraceGeoAnnotator::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_done();
}

GeoResult TraceGeoAnnotator::resultFor(const QHostAddress &address) const
{
    GeoResult r = m_locator.resultFor(address);
    if (r.status == GeoStatus::Pending) {
        r.status = GeoStatus::TimedOut;
        r.reason = QStringLiteral("no decision in time");
    }
    return r;
}

QStringList TraceGeoAnnotator::attributions() const
{
    return m_service->attributions();
}

QStringList TraceGeoAnnotator::warnings() const
{
    return m_service->warnings();
}

QStringList TraceGeoAnnotator::textLines(const TraceResult &trace) const
{
    QStringList lines;
    for (const Hop &hop : trace.hops) {
        for (const QHostAddress &responder : hop.responders()) {
            const GeoResult r = resultFor(responder);
            QStringList parts;
            parts << QStringLiteral("%1").arg(hop.ttl, 2) + QStringLiteral("  ") +
                         responder.toString().leftJustified(15);
            if (r.status == GeoStatus::Located) {
                parts << placeName(r.place).leftJustified(24);
                parts << QStringLiteral("[%1 %2]").arg(r.provider).arg(r.confidence, 0, 'f', 2);
            } else {
                parts << (r.reason.isEmpty() ? geoStatusName(r.status) : r.reason);
            }
            if (const QString as = asText(r.as); !as.isEmpty())
                parts << as;
            if (!r.hostname.isEmpty())
                parts << r.hostname;
            lines << parts.join(QStringLiteral("  "));
        }
    }
    return lines;
}

} // namespace tracemap::cli
