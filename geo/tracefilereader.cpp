#include "tracefile.h"

#include "hintrule.h"
#include "specialranges.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <cmath>

// The reading half of tracefile.h: every value is checked for type and range before use.

namespace tracemap {

Q_DECLARE_LOGGING_CATEGORY(lcTraceFile)

namespace {

const QString kFormatKey = QStringLiteral("format");

// --- reading --------------------------------------------------------------------------------

QString join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

// Walks a document with a path for messages; the first problem wins and stops the walk.
class Reader
{
public:
    bool failed() const { return !m_message.isEmpty(); }
    QString message() const { return m_message; }

    void fail(const QString &path, const QString &what)
    {
        if (m_message.isEmpty())
            m_message = QStringLiteral("%1: %2").arg(path, what);
    }

    QJsonValue field(const QJsonObject &o, const QString &path, const QString &key, bool required)
    {
        const QJsonValue v = o.value(key);
        if (required && v.isUndefined())
            fail(join(path, key), QStringLiteral("missing"));
        return v;
    }

    QString string(const QJsonObject &o, const QString &path, const QString &key, bool required = false)
    {
        const QJsonValue v = field(o, path, key, required);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isString())
            fail(join(path, key), QStringLiteral("expected a string"));
        return v.toString();
    }

    bool boolean(const QJsonObject &o, const QString &path, const QString &key, bool fallback)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isBool())
            fail(join(path, key), QStringLiteral("expected true or false"));
        return v.toBool();
    }

    // NaN when null or missing (and not required); a failure when out of [min, max].
    double number(const QJsonObject &o, const QString &path, const QString &key, double min, double max,
                  bool required = false)
    {
        const QJsonValue v = field(o, path, key, required);
        if (v.isUndefined() || v.isNull())
            return qQNaN();
        const double d = v.toDouble(qQNaN());
        if (!v.isDouble() || !std::isfinite(d) || d < min || d > max) {
            fail(join(path, key),
                 QStringLiteral("expected a number from %1 to %2").arg(min, 0, 'g', 10).arg(max, 0, 'g', 10));
            return qQNaN();
        }
        return d;
    }

    qint64 integer(const QJsonObject &o, const QString &path, const QString &key, qint64 min, qint64 max,
                   qint64 fallback, bool required = false)
    {
        const double d = number(o, path, key, double(min), double(max), required);
        if (std::isnan(d))
            return fallback;
        if (d != std::floor(d)) {
            fail(join(path, key), QStringLiteral("expected a whole number"));
            return fallback;
        }
        return qint64(d);
    }

    QHostAddress address(const QJsonObject &o, const QString &path, const QString &key, bool required = false)
    {
        const QString text = string(o, path, key, required);
        if (text.isEmpty())
            return {};
        const QHostAddress a(text);
        if (a.isNull())
            fail(join(path, key), QStringLiteral("'%1' is not an IP address").arg(text.left(64)));
        return a;
    }

    QDateTime time(const QJsonObject &o, const QString &path, const QString &key)
    {
        const QString text = string(o, path, key);
        if (text.isEmpty())
            return {};
        const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!t.isValid())
            fail(join(path, key), QStringLiteral("not an ISO 8601 date and time"));
        return t;
    }

    // An array of at most `max` entries; empty when null or missing (and not required).
    QJsonArray array(const QJsonObject &o, const QString &path, const QString &key, qsizetype max,
                     bool required = false)
    {
        const QJsonValue v = field(o, path, key, required);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isArray()) {
            fail(join(path, key), QStringLiteral("expected an array"));
            return {};
        }
        const QJsonArray a = v.toArray();
        if (a.size() > max) {
            fail(join(path, key),
                 QStringLiteral("%1 entries, at most %2 are accepted").arg(a.size()).arg(max));
            return {};
        }
        return a;
    }

    QStringList strings(const QJsonObject &o, const QString &path, const QString &key, qsizetype max)
    {
        QStringList out;
        const QJsonArray a = array(o, path, key, max);
        for (qsizetype i = 0; i < a.size() && !failed(); ++i) {
            if (!a.at(i).isString())
                fail(QStringLiteral("%1[%2]").arg(join(path, key)).arg(i),
                     QStringLiteral("expected a string"));
            out << a.at(i).toString();
        }
        return out;
    }

    QJsonObject object(const QJsonValue &v, const QString &path)
    {
        if (!v.isObject())
            fail(path, QStringLiteral("expected an object"));
        return v.toObject();
    }

    GeoResult geoResult(const QJsonObject &o, const QString &path);
    bool hop(const QJsonObject &o, const QString &path, TraceFile *file, int expectedTtl);
    void settings(const QJsonObject &o, TraceFile *file);

private:
    QString m_message;
};

template<typename Enum, typename Names>
std::optional<Enum> enumFromName(const QString &name, std::initializer_list<Enum> values, Names names)
{
    for (Enum e : values) {
        if (names(e) == name)
            return e;
    }
    return std::nullopt;
}

GeoResult Reader::geoResult(const QJsonObject &o, const QString &path)
{
    GeoResult r;
    r.address = normalizedAddress(address(o, path, QStringLiteral("address"), true));
    const QString status = string(o, path, QStringLiteral("status"), true);
    const auto s = enumFromName<GeoStatus>(status,
                                           {GeoStatus::Pending, GeoStatus::Located, GeoStatus::Unlocatable,
                                            GeoStatus::Failed, GeoStatus::TimedOut},
                                           geoStatusName);
    if (!s && !failed())
        fail(path + QStringLiteral(".status"), QStringLiteral("unknown status '%1'").arg(status.left(32)));
    r.status = s.value_or(GeoStatus::Failed);
    r.place.latitude = number(o, path, QStringLiteral("latitude"), -90, 90);
    r.place.longitude = number(o, path, QStringLiteral("longitude"), -180, 180);
    if (std::isnan(r.place.latitude) != std::isnan(r.place.longitude))
        fail(path, QStringLiteral("latitude and longitude must both be numbers or both be null"));
    const double accuracy = number(o, path, QStringLiteral("accuracy_km"), 0, 40075);
    r.place.accuracyKm = std::isnan(accuracy) ? -1.0 : accuracy;
    r.place.city = string(o, path, QStringLiteral("city"));
    r.place.region = string(o, path, QStringLiteral("region"));
    r.place.countryCode = string(o, path, QStringLiteral("country_code"));
    r.place.country = string(o, path, QStringLiteral("country"));
    r.place.displayName = string(o, path, QStringLiteral("display_name"));
    r.provider = string(o, path, QStringLiteral("provider"));
    r.providerDetail = string(o, path, QStringLiteral("provider_detail"));
    r.reason = string(o, path, QStringLiteral("reason"));
    const QJsonValue hintValue = o.value(QStringLiteral("hint"));
    if (!hintValue.isNull() && !hintValue.isUndefined()) {
        const QString hintPath = path + QStringLiteral(".hint");
        QString error;
        const std::optional<HintRule> hint = hintRuleFromJson(object(hintValue, hintPath), &error);
        if (!hint)
            fail(hintPath, error);
        else if (r.providerDetail.isEmpty()) // the hint alone says what placed the hop
            r.providerDetail = hintProviderDetail(hint->suffix, hint->kind, hint->token);
    }
    const double confidence = number(o, path, QStringLiteral("confidence"), 0, 1);
    r.confidence = std::isnan(confidence) ? 0.0 : confidence;
    r.hostname = string(o, path, QStringLiteral("hostname"));
    const QJsonValue as = o.value(QStringLiteral("as"));
    if (!as.isNull() && !as.isUndefined()) {
        const QString asPath = path + QStringLiteral(".as");
        const QJsonObject a = object(as, asPath);
        r.as.number = quint32(integer(a, asPath, QStringLiteral("number"), 1, 4294967295LL, 0, true));
        r.as.name = string(a, asPath, QStringLiteral("name"));
        r.as.prefix = string(a, asPath, QStringLiteral("prefix"));
        r.as.countryCode = string(a, asPath, QStringLiteral("country_code"));
        r.as.registry = string(a, asPath, QStringLiteral("registry"));
    }
    r.rejected = strings(o, path, QStringLiteral("rejected"), 100);
    r.error = string(o, path, QStringLiteral("error"));
    r.fromCache = boolean(o, path, QStringLiteral("from_cache"), false);
    r.resolvedAt = time(o, path, QStringLiteral("resolved_at"));
    return r;
}

bool Reader::hop(const QJsonObject &o, const QString &path, TraceFile *file, int expectedTtl)
{
    Hop hop;
    hop.ttl = int(integer(o, path, QStringLiteral("ttl"), 1, 255, 0, true));
    if (!failed() && expectedTtl > 0 && hop.ttl != expectedTtl)
        fail(path + QStringLiteral(".ttl"),
             QStringLiteral("%1, expected %2 (TTLs are consecutive)").arg(hop.ttl).arg(expectedTtl));
    const bool reached = boolean(o, path, QStringLiteral("reached"), false);
    const QJsonArray replies = array(o, path, QStringLiteral("ping_time"), kTraceFileMaxRepliesPerHop, true);
    for (qsizetype i = 0; i < replies.size() && !failed(); ++i) {
        const QString rp = QStringLiteral("%1.ping_time[%2]").arg(path).arg(i);
        const QJsonObject e = object(replies.at(i), rp);
        ProbeReply r;
        r.query = int(integer(e, rp, QStringLiteral("attempt"), 0, 1000000, 0, true));
        r.responder = address(e, rp, QStringLiteral("address"));
        const double rtt = number(e, rp, QStringLiteral("time"), 0, 3600000);
        r.rttMs = std::isnan(rtt) ? -1.0 : rtt;
        r.icmpType = int(integer(e, rp, QStringLiteral("type"), 0, 255, -1));
        r.icmpCode = int(integer(e, rp, QStringLiteral("code"), 0, 255, -1));
        const QString kind = string(e, rp, QStringLiteral("reply"), true);
        const auto k = enumFromName<ReplyKind>(
            kind,
            {ReplyKind::None, ReplyKind::TimeExceeded, ReplyKind::Unreachable, ReplyKind::EchoReply,
             ReplyKind::TcpConnected, ReplyKind::TcpRefused, ReplyKind::OtherIcmp},
            [](ReplyKind v) { return toString(v); });
        if (!k && !failed())
            fail(rp + QStringLiteral(".reply"), QStringLiteral("unknown reply kind '%1'").arg(kind.left(32)));
        r.kind = k.value_or(ReplyKind::None);
        if (r.answered() && (r.responder.isNull() || r.rttMs < 0))
            fail(rp, QStringLiteral("an answer needs an address and a time"));
        // The file says per hop whether the destination answered; its answers are the ones
        // from the destination address that are not a router's time-exceeded.
        r.fromDestination = reached && r.answered() && r.kind != ReplyKind::TimeExceeded &&
                            r.responder == file->trace.destination;
        hop.replies << r;
    }
    hop.probesSent = int(hop.replies.size());
    hop.complete = true;

    const QJsonValue geo = o.value(QStringLiteral("geo"));
    if (!geo.isNull() && !geo.isUndefined() && !failed()) {
        const QString gp = path + QStringLiteral(".geo");
        const QJsonObject g = object(geo, gp);
        QList<GeoResult> results{geoResult(g, gp)};
        const QJsonArray others = array(g, gp, QStringLiteral("other_responders"), kTraceFileMaxResponders);
        for (qsizetype i = 0; i < others.size() && !failed(); ++i) {
            const QString op = QStringLiteral("%1.other_responders[%2]").arg(gp).arg(i);
            results << geoResult(object(others.at(i), op), op);
        }
        for (const GeoResult &r : std::as_const(results))
            file->places.insert(r.address, r);
    }
    file->trace.hops << hop;
    return !failed();
}

void Reader::settings(const QJsonObject &o, TraceFile *file)
{
    const QString path = QStringLiteral("settings");
    TraceRequest &r = file->trace.request;
    r.target = file->trace.target;
    const QString method = string(o, path, QStringLiteral("method"));
    if (!method.isEmpty()) {
        const auto m = probeMethodFromString(method);
        if (!m)
            fail(path + QStringLiteral(".method"),
                 QStringLiteral("unknown method '%1'").arg(method.left(16)));
        r.method = m.value_or(ProbeMethod::Udp);
    }
    const QString family = string(o, path, QStringLiteral("family"));
    r.family = family == QLatin1String("ipv4")   ? AddressFamily::IPv4
               : family == QLatin1String("ipv6") ? AddressFamily::IPv6
                                                 : AddressFamily::Any;
    r.port = quint16(integer(o, path, QStringLiteral("port"), 0, 65535, 0));
    r.firstTtl = int(integer(o, path, QStringLiteral("first_ttl"), 1, 255, r.firstTtl));
    r.maxTtl = int(integer(o, path, QStringLiteral("max_ttl"), 1, 255, r.maxTtl));
    r.queries = int(integer(o, path, QStringLiteral("queries"), 1, 1000, r.queries));
    const double timeout = number(o, path, QStringLiteral("timeout_s"), 0, 3600);
    r.timeoutSec = std::isnan(timeout) ? r.timeoutSec : timeout;
    const double here = number(o, path, QStringLiteral("here_factor"), 0, 1000);
    r.hereFactor = std::isnan(here) ? r.hereFactor : here;
    const double nearF = number(o, path, QStringLiteral("near_factor"), 0, 1000);
    r.nearFactor = std::isnan(nearF) ? r.nearFactor : nearF;
    r.maxGap = int(integer(o, path, QStringLiteral("max_gap"), 1, 255, r.maxGap));
    r.maxInFlight = int(integer(o, path, QStringLiteral("max_in_flight"), 1, 1024, r.maxInFlight));

    const QJsonValue geo = o.value(QStringLiteral("geo"));
    file->meta.geoEnabled = !geo.isNull() && !geo.isUndefined();
    if (!file->meta.geoEnabled)
        return;
    const QString gp = path + QStringLiteral(".geo");
    const QJsonObject g = object(geo, gp);
    GeoSettings &s = file->meta.geo;
    s.offline = boolean(g, gp, QStringLiteral("offline"), false);
    s.onlineLookups = boolean(g, gp, QStringLiteral("online"), false);
    s.reverseDns = boolean(g, gp, QStringLiteral("reverse_dns"), !s.offline);
    s.asLookups = boolean(g, gp, QStringLiteral("as_lookups"), true);
    s.databasePaths = strings(g, gp, QStringLiteral("databases"), 100);
    s.overridePaths = strings(g, gp, QStringLiteral("overrides"), 100);
    const QJsonArray source = array(g, gp, QStringLiteral("source_location"), 2);
    if (!source.isEmpty()) {
        const double lat = source.at(0).toDouble(qQNaN());
        const double lon = source.size() == 2 ? source.at(1).toDouble(qQNaN()) : qQNaN();
        if (!std::isfinite(lat) || !std::isfinite(lon) || std::abs(lat) > 90 || std::abs(lon) > 180)
            fail(gp + QStringLiteral(".source_location"), QStringLiteral("expected [latitude, longitude]"));
        s.sourceLatitude = lat;
        s.sourceLongitude = lon;
    }
}

TraceFileReadResult failure(TraceFileError error, const QString &message)
{
    TraceFileReadResult r;
    r.error = error;
    // Messages quote the file's own text: its control characters must not break the one line.
    r.message = message;
    for (QChar &c : r.message) {
        if (c.category() == QChar::Other_Control)
            c = QLatin1Char(' ');
    }
    qCDebug(lcTraceFile) << toString(error) << message;
    return r;
}

} // namespace

TraceFileReadResult traceFileFromJson(const QJsonObject &doc, PlainTrace plain)
{
    const QJsonValue format = doc.value(kFormatKey);
    // What `trace --json` prints without --geo looks like a trace file but has no places.
    const bool plainTrace = format.isUndefined() && doc.value(QStringLiteral("ping_time")).isArray();
    if (format.toString() != QLatin1String(kTraceFileFormat) &&
        !(plainTrace && plain == PlainTrace::Accept)) {
        if (plainTrace)
            return failure(
                TraceFileError::NotATraceFile,
                QStringLiteral("a trace printed without --geo, not a tracemap trace file (it has no "
                               "places): 'tracemap-cli trace HOST --geo --json' writes one"));
        return failure(TraceFileError::NotATraceFile,
                       QStringLiteral("not a tracemap trace file (no \"format\": \"%1\")")
                           .arg(QLatin1String(kTraceFileFormat)));
    }
    const QJsonValue version = doc.value(QStringLiteral("version"));
    if (!plainTrace && (!version.isDouble() || version.toDouble() != std::floor(version.toDouble()) ||
                        version.toDouble() < 1))
        return failure(TraceFileError::InvalidContent,
                       QStringLiteral("version: expected a whole number >= 1"));
    if (!plainTrace && version.toDouble() > kTraceFileVersion)
        return failure(
            TraceFileError::UnsupportedVersion,
            QStringLiteral("format version %1 is newer than this tracemap reads (%2); update tracemap")
                .arg(version.toDouble())
                .arg(kTraceFileVersion));

    Reader rd;
    const QString top; // field paths of the top level are the bare keys
    TraceFileReadResult result;
    result.plainTrace = plainTrace;
    TraceFile &f = result.file;
    // A plain trace is one trace and says nothing more about itself.
    f.meta.kind = plainTrace ? QStringLiteral("trace") : rd.string(doc, top, QStringLiteral("kind"), true);
    if (!rd.failed() && f.meta.kind != QLatin1String("trace"))
        rd.fail(QStringLiteral("kind"),
                QStringLiteral("'%1' is not a kind this version reads").arg(f.meta.kind.left(16)));
    f.meta.tracemapVersion = rd.string(doc, top, QStringLiteral("tracemap_version"));
    f.meta.startedAt = rd.time(doc, top, QStringLiteral("started_at"));
    f.meta.finishedAt = rd.time(doc, top, QStringLiteral("finished_at"));
    f.meta.timeZone = rd.string(doc, top, QStringLiteral("time_zone"));
    const QJsonValue vantageValue = doc.value(QStringLiteral("vantage"));
    if (!vantageValue.isUndefined() && !vantageValue.isNull()) {
        const QString vp = QStringLiteral("vantage");
        const QJsonObject v = rd.object(vantageValue, vp);
        f.meta.vantageHost = rd.string(v, vp, QStringLiteral("hostname"));
        const double lat = rd.number(v, vp, QStringLiteral("latitude"), -90, 90);
        const double lon = rd.number(v, vp, QStringLiteral("longitude"), -180, 180);
        if (!std::isnan(lat) && !std::isnan(lon)) {
            f.meta.vantageLatitude = lat;
            f.meta.vantageLongitude = lon;
        }
    }

    TraceResult &t = f.trace;
    t.target = rd.string(doc, top, QStringLiteral("target"), true);
    t.destination = rd.address(doc, top, QStringLiteral("dest"));
    t.source = rd.address(doc, top, QStringLiteral("source"));
    const QString method = rd.string(doc, top, QStringLiteral("method"), true);
    if (!rd.failed()) {
        const auto m = probeMethodFromString(method);
        if (!m)
            rd.fail(QStringLiteral("method"), QStringLiteral("unknown method '%1'").arg(method.left(16)));
        t.method = m.value_or(ProbeMethod::Udp);
    }
    t.transport = rd.string(doc, top, QStringLiteral("transport"));
    t.reached = rd.boolean(doc, top, QStringLiteral("reached"), false);
    const double elapsed = rd.number(doc, top, QStringLiteral("elapsed_ms"), 0, 1e10);
    t.elapsedMs = std::isnan(elapsed) ? 0.0 : elapsed;
    const QJsonValue error = doc.value(QStringLiteral("error"));
    if (!error.isNull() && !error.isUndefined() && !rd.failed()) {
        const QJsonObject e = rd.object(error, QStringLiteral("error"));
        const QString code = rd.string(e, QStringLiteral("error"), QStringLiteral("code"), true);
        const auto c = enumFromName<TraceError>(code,
                                                {TraceError::InvalidRequest, TraceError::ResolveFailed,
                                                 TraceError::NoAddressForFamily, TraceError::PermissionDenied,
                                                 TraceError::SocketError, TraceError::Cancelled},
                                                [](TraceError v) { return toString(v); });
        if (!c && !rd.failed())
            rd.fail(QStringLiteral("error.code"), QStringLiteral("unknown error '%1'").arg(code.left(32)));
        t.error = c.value_or(TraceError::SocketError);
        t.errorMessage = rd.string(e, QStringLiteral("error"), QStringLiteral("message"));
    }
    // Without a settings object (hand-made files), the request comes from the top-level keys.
    t.request.maxTtl = int(rd.integer(doc, top, QStringLiteral("ttl"), 1, 255, 30));
    t.request.queries = int(rd.integer(doc, top, QStringLiteral("packets"), 1, 1000, 3));
    t.request.flow = rd.string(doc, top, QStringLiteral("flow")) == QLatin1String("classic")
                         ? FlowMode::Classic
                         : FlowMode::Paris;
    const QJsonValue settings = doc.value(QStringLiteral("settings"));
    if (!settings.isUndefined() && !settings.isNull() && !rd.failed())
        rd.settings(rd.object(settings, QStringLiteral("settings")), &f);
    t.request.target = t.target;

    const QJsonArray hops = rd.array(doc, top, QStringLiteral("ping_time"), kTraceFileMaxHops, true);
    int expectedTtl = 0;
    for (qsizetype i = 0; i < hops.size() && !rd.failed(); ++i) {
        const QString hp = QStringLiteral("ping_time[%1]").arg(i);
        if (!rd.hop(rd.object(hops.at(i), hp), hp, &f, expectedTtl))
            break;
        expectedTtl = f.trace.hops.last().ttl + 1;
    }
    f.attributions = rd.strings(doc, top, QStringLiteral("attribution"), 100);
    if (rd.failed())
        return failure(TraceFileError::InvalidContent, rd.message());
    return result;
}

TraceFileReadResult parseTraceFile(const QByteArray &bytes, PlainTrace plain)
{
    if (bytes.size() >= kTraceFileMaxBytes)
        return failure(TraceFileError::TooLarge,
                       QStringLiteral("%1 MB is too large for a trace file (limit %2 MB)")
                           .arg(bytes.size() / (1024 * 1024))
                           .arg(kTraceFileMaxBytes / (1024 * 1024)));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return failure(TraceFileError::NotJson, QStringLiteral("damaged or truncated: %1 at byte %2")
                                                    .arg(parseError.errorString())
                                                    .arg(parseError.offset));
    if (!doc.isObject())
        return failure(TraceFileError::NotATraceFile,
                       QStringLiteral("not a tracemap trace file (not a JSON object)"));
    return traceFileFromJson(doc.object(), plain);
}

TraceFileReadResult readTraceFile(const QString &path, PlainTrace plain)
{
    const QFileInfo info(path);
    if (!info.exists())
        return failure(TraceFileError::CannotOpen, QStringLiteral("%1: no such file").arg(path));
    if (!info.isFile())
        return failure(TraceFileError::CannotOpen, QStringLiteral("%1: not a regular file").arg(path));
    if (info.size() >= kTraceFileMaxBytes)
        return failure(TraceFileError::TooLarge,
                       QStringLiteral("%1: %2 MB is too large for a trace file (limit %3 MB)")
                           .arg(path)
                           .arg(info.size() / (1024 * 1024))
                           .arg(kTraceFileMaxBytes / (1024 * 1024)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failure(TraceFileError::CannotOpen, QStringLiteral("%1: %2").arg(path, file.errorString()));
    // Read at most the limit: the file may have grown since it was measured.
    const QByteArray bytes = file.read(kTraceFileMaxBytes);
    TraceFileReadResult r = parseTraceFile(bytes, plain);
    if (!r.ok())
        r.message = QStringLiteral("%1: %2").arg(path, r.message);
    return r;
}

} // namespace tracemap
