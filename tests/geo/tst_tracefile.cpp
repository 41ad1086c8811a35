// The trace file: a lossless round trip, atomic writes, and one clear error (never a crash) for
// every kind of damaged or hostile file.
#include "resultformat.h"
#include "tracefile.h"
#include "tst_tracefile_fixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

namespace {

QJsonObject sampleDocument()
{
    return traceFileToJson(fixture::sample());
}

// The sample document with one value replaced; `path` is a list of keys and array indices.
QByteArray patched(const QList<QVariant> &path, const QJsonValue &value)
{
    std::function<QJsonValue(const QJsonValue &, qsizetype)> set = [&](const QJsonValue &node,
                                                                       qsizetype depth) -> QJsonValue {
        if (depth == path.size())
            return value;
        const QVariant &step = path.at(depth);
        if (step.typeId() == QMetaType::Int) {
            QJsonArray a = node.toArray();
            a.replace(step.toInt(), set(a.at(step.toInt()), depth + 1));
            return a;
        }
        QJsonObject o = node.toObject();
        o.insert(step.toString(), set(o.value(step.toString()), depth + 1));
        return o;
    };
    return QJsonDocument(set(sampleDocument(), 0).toObject()).toJson();
}

} // namespace

class TestTraceFile : public QObject
{
    Q_OBJECT

private slots:
    void roundTripIsLossless()
    {
        const TraceFile original = fixture::sample();
        const QByteArray first = serializeTraceFile(original);
        const TraceFileReadResult read = parseTraceFile(first);
        QVERIFY2(read.ok(), qPrintable(read.message));
        // Written again, the document is byte for byte the same: nothing was lost or invented.
        QCOMPARE(serializeTraceFile(read.file), first);

        const TraceFile &f = read.file;
        QCOMPARE(f.trace.hops.size(), 7);
        QCOMPARE(f.trace.hops.at(3).responders().size(), 2);
        QVERIFY(!f.trace.hops.at(2).anyAnswer());
        QVERIFY(f.trace.hops.at(6).reachedDestination());
        QVERIFY(!f.trace.hops.at(5).reachedDestination());
        QCOMPARE(f.trace.hops.at(0).replies.at(1).rttMs, 0.6);
        QCOMPARE(f.trace.destination, QHostAddress(QStringLiteral("198.18.10.1")));
        QCOMPARE(f.meta.startedAt, original.meta.startedAt);
        QCOMPARE(f.meta.startedAt.offsetFromUtc(), 3600);
        QCOMPARE(f.meta.timeZone, QStringLiteral("Europe/Berlin"));
        QCOMPARE(f.meta.geo.sourceLatitude.value_or(0), 50.11);
        QCOMPARE(f.meta.geo.overridePaths, original.meta.geo.overridePaths);
        const GeoResult ny = f.placeFor(QHostAddress(QStringLiteral("198.18.3.9")));
        QCOMPARE(ny.status, GeoStatus::Located);
        QCOMPARE(ny.place.city, QStringLiteral("New York"));
        QCOMPARE(ny.place.longitude, -74.0);
        QCOMPARE(ny.as.number, 64501u);
        QCOMPARE(ny.provider, QStringLiteral("override"));
        QCOMPARE(f.placeFor(QHostAddress(QStringLiteral("198.18.4.1"))).status, GeoStatus::Unlocatable);
        QCOMPARE(f.attributions, original.attributions);
    }

    // A hop placed by a hostname hint carries the rule as its own object, and reads back.
    void hintRoundTrips()
    {
        TraceFile original = fixture::sample();
        GeoResult &london = original.places[QHostAddress(QStringLiteral("198.18.1.1"))];
        london.provider = QStringLiteral("hostname");
        london.providerDetail = QStringLiteral("ntt.net/clli:londen");
        london.place.countryCode = QStringLiteral("GB");
        const QByteArray first = serializeTraceFile(original);
        const QJsonObject geo = QJsonDocument::fromJson(first)
                                    .object()
                                    .value(QStringLiteral("ping_time"))
                                    .toArray()
                                    .at(1)
                                    .toObject()
                                    .value(QStringLiteral("geo"))
                                    .toObject();
        QCOMPARE(geo.value(QStringLiteral("hint")).toObject(),
                 (QJsonObject{{QStringLiteral("rule"), QStringLiteral("operator rule ntt.net")},
                              {QStringLiteral("kind"), QStringLiteral("clli")},
                              {QStringLiteral("token"), QStringLiteral("londen")},
                              {QStringLiteral("place"), QStringLiteral("London, GB")}}));
        QCOMPARE(geo.value(QStringLiteral("provider_detail")).toString(),
                 QStringLiteral("ntt.net/clli:londen"));
        // Hops placed otherwise say null.
        QVERIFY(QJsonDocument::fromJson(first)
                    .object()
                    .value(QStringLiteral("ping_time"))
                    .toArray()
                    .at(0)
                    .toObject()
                    .value(QStringLiteral("geo"))
                    .toObject()
                    .value(QStringLiteral("hint"))
                    .isNull());

        const TraceFileReadResult read = parseTraceFile(first);
        QVERIFY2(read.ok(), qPrintable(read.message));
        QCOMPARE(read.file.placeFor(QHostAddress(QStringLiteral("198.18.1.1"))).providerDetail,
                 QStringLiteral("ntt.net/clli:londen"));
        QCOMPARE(serializeTraceFile(read.file), first);

        // A file whose provider_detail is missing takes the rule from the hint.
        QJsonObject doc = QJsonDocument::fromJson(first).object();
        QJsonArray hops = doc.value(QStringLiteral("ping_time")).toArray();
        QJsonObject hop = hops.at(1).toObject();
        QJsonObject place = hop.value(QStringLiteral("geo")).toObject();
        place.remove(QStringLiteral("provider_detail"));
        hop.insert(QStringLiteral("geo"), place);
        hops.replace(1, hop);
        doc.insert(QStringLiteral("ping_time"), hops);
        const TraceFileReadResult withoutDetail = parseTraceFile(QJsonDocument(doc).toJson());
        QVERIFY2(withoutDetail.ok(), qPrintable(withoutDetail.message));
        QCOMPARE(withoutDetail.file.placeFor(QHostAddress(QStringLiteral("198.18.1.1"))).providerDetail,
                 QStringLiteral("ntt.net/clli:londen"));
    }

    void documentKeepsTheCliKeys()
    {
        const QJsonObject doc = sampleDocument();
        for (const char *key :
             {"target",  "dest",       "source",      "ttl",       "packets", "method",      "transport",
              "flow",    "reached",    "elapsed_ms",  "ping_time", "error",   "attribution", "format",
              "version", "started_at", "finished_at", "time_zone", "vantage", "settings"})
            QVERIFY2(doc.contains(QLatin1String(key)), key);
        QCOMPARE(doc.value(QStringLiteral("format")).toString(), QStringLiteral("tracemap-trace"));
        QCOMPARE(doc.value(QStringLiteral("started_at")).toString(),
                 QStringLiteral("2026-12-01T16:30:00.125+01:00"));
        const QJsonObject hop4 = doc.value(QStringLiteral("ping_time")).toArray().at(3).toObject();
        QCOMPARE(hop4.value(QStringLiteral("geo"))
                     .toObject()
                     .value(QStringLiteral("other_responders"))
                     .toArray()
                     .size(),
                 1);
        QVERIFY(doc.value(QStringLiteral("ping_time"))
                    .toArray()
                    .at(2)
                    .toObject()
                    .value(QStringLiteral("geo"))
                    .isNull());
    }

    void writeIsAtomic()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.tracemap.json"));
        QString error;
        QVERIFY(writeFileAtomically(path, serializeTraceFile(fixture::sample()), &error));
        const TraceFileReadResult read = readTraceFile(path);
        QVERIFY2(read.ok(), qPrintable(read.message));
        // A write that cannot finish leaves no file and no temporary behind.
        const QString blocked = dir.filePath(QStringLiteral("missing/b.tracemap.json"));
        QVERIFY(!writeFileAtomically(blocked, "{}", &error));
        QVERIFY(error.contains(QStringLiteral("b.tracemap.json")));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("a.tracemap.json")});
    }

    void refusesBySizeBeforeParsing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("huge.tracemap.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(kTraceFileMaxBytes)); // sparse: nothing is read or written
        f.close();
        const TraceFileReadResult r = readTraceFile(path);
        QCOMPARE(toString(r.error), toString(TraceFileError::TooLarge));
        QVERIFY2(r.message.contains(QStringLiteral("too large")), qPrintable(r.message));
    }

    void refusesWhatIsNoFile()
    {
        QTemporaryDir dir;
        QCOMPARE(toString(readTraceFile(dir.path()).error), toString(TraceFileError::CannotOpen));
        const TraceFileReadResult missing = readTraceFile(dir.filePath(QStringLiteral("nope.json")));
        QCOMPARE(toString(missing.error), toString(TraceFileError::CannotOpen));
        QVERIFY(missing.message.contains(QStringLiteral("no such file")));
    }

    void hostile_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("error"); // toString(TraceFileError)
        QTest::addColumn<QString>("says");

        const QByteArray good = QJsonDocument(sampleDocument()).toJson();
        QTest::newRow("empty") << QByteArray() << toString(TraceFileError::NotJson) << "damaged";
        QTest::newRow("truncated") << good.left(good.size() / 2) << toString(TraceFileError::NotJson)
                                   << "at byte";
        QTest::newRow("binary") << QByteArray("\x89PNG\r\n\x1a\n\0\0", 10)
                                << toString(TraceFileError::NotJson) << "damaged";
        QTest::newRow("NaN literal") << QByteArray(good).replace("50.11", "NaN")
                                     << toString(TraceFileError::NotJson) << "damaged";
        QTest::newRow("deep nesting")
            << QByteArray(100000, '[') << toString(TraceFileError::NotJson) << "damaged";
        QTest::newRow("deep nesting inside")
            << QByteArray(good).replace("\"kind\"", QByteArray("\"x\": ") + QByteArray(5000, '[') +
                                                        QByteArray(5000, ']') + ", \"kind\"")
            << toString(TraceFileError::NotJson) << "damaged";
        QTest::newRow("array") << QByteArray("[1, 2]") << toString(TraceFileError::NotATraceFile)
                               << "not a tracemap";
        QTest::newRow("format null") << patched({QStringLiteral("format")}, QJsonValue())
                                     << toString(TraceFileError::NotATraceFile) << "format";
        QTest::newRow("another format") << patched({QStringLiteral("format")}, QStringLiteral("gpx"))
                                        << toString(TraceFileError::NotATraceFile) << "format";
        QTest::newRow("plain trace --json (no format key)")
            << patched({QStringLiteral("format")}, QJsonValue(QJsonValue::Undefined))
            << toString(TraceFileError::NotATraceFile) << "--geo --json";
        QTest::newRow("newer version") << patched({QStringLiteral("version")}, 99)
                                       << toString(TraceFileError::UnsupportedVersion) << "newer";
        QTest::newRow("version as text") << patched({QStringLiteral("version")}, QStringLiteral("1"))
                                         << toString(TraceFileError::InvalidContent) << "version";
        QTest::newRow("target is a number")
            << patched({QStringLiteral("target")}, 5) << toString(TraceFileError::InvalidContent)
            << "target: expected a string";
        QTest::newRow("hops are an object")
            << patched({QStringLiteral("ping_time")}, QJsonObject())
            << toString(TraceFileError::InvalidContent) << "ping_time: expected an array";
        QJsonArray many;
        for (int i = 0; i < 100000; ++i)
            many.append(QJsonObject{{QStringLiteral("ttl"), 1}});
        QTest::newRow("100000 hops") << patched({QStringLiteral("ping_time")}, many)
                                     << toString(TraceFileError::InvalidContent) << "100000 entries";
        QTest::newRow("ttl 0") << patched({QStringLiteral("ping_time"), 0, QStringLiteral("ttl")}, 0)
                               << toString(TraceFileError::InvalidContent) << "ping_time[0].ttl";
        QTest::newRow("ttl 300") << patched({QStringLiteral("ping_time"), 0, QStringLiteral("ttl")}, 300)
                                 << toString(TraceFileError::InvalidContent) << "ping_time[0].ttl";
        QTest::newRow("ttl gap") << patched({QStringLiteral("ping_time"), 1, QStringLiteral("ttl")}, 5)
                                 << toString(TraceFileError::InvalidContent) << "consecutive";
        QTest::newRow("ttl fraction") << patched({QStringLiteral("ping_time"), 0, QStringLiteral("ttl")}, 1.5)
                                      << toString(TraceFileError::InvalidContent) << "whole number";
        QTest::newRow("bad address") << patched({QStringLiteral("ping_time"), 0, QStringLiteral("ping_time"),
                                                 0, QStringLiteral("address")},
                                                QStringLiteral("999.1.1.1"))
                                     << toString(TraceFileError::InvalidContent) << "not an IP address";
        QTest::newRow("negative rtt")
            << patched(
                   {QStringLiteral("ping_time"), 0, QStringLiteral("ping_time"), 0, QStringLiteral("time")},
                   -3)
            << toString(TraceFileError::InvalidContent) << "ping_time[0].ping_time[0].time";
        QTest::newRow("unknown reply kind")
            << patched(
                   {QStringLiteral("ping_time"), 0, QStringLiteral("ping_time"), 0, QStringLiteral("reply")},
                   QStringLiteral("teapot"))
            << toString(TraceFileError::InvalidContent) << "teapot";
        QTest::newRow("latitude as text NaN")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"), QStringLiteral("latitude")},
                       QStringLiteral("NaN"))
            << toString(TraceFileError::InvalidContent) << "geo.latitude";
        QTest::newRow("latitude 91") << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"),
                                                 QStringLiteral("latitude")},
                                                91)
                                     << toString(TraceFileError::InvalidContent) << "geo.latitude";
        QTest::newRow("longitude 1e308")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"), QStringLiteral("longitude")},
                       1e308)
            << toString(TraceFileError::InvalidContent) << "geo.longitude";
        QTest::newRow("latitude without longitude")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"), QStringLiteral("longitude")},
                       QJsonValue())
            << toString(TraceFileError::InvalidContent) << "both";
        QTest::newRow("confidence 7")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"), QStringLiteral("confidence")},
                       7)
            << toString(TraceFileError::InvalidContent) << "confidence";
        QTest::newRow("geo status unknown")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"), QStringLiteral("status")},
                       QStringLiteral("everywhere"))
            << toString(TraceFileError::InvalidContent) << "everywhere";
        QTest::newRow("as number negative") << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"),
                                                        QStringLiteral("as"), QStringLiteral("number")},
                                                       -5)
                                            << toString(TraceFileError::InvalidContent) << "as.number";
        QTest::newRow("hint is text")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"), QStringLiteral("hint")},
                       QStringLiteral("ntt.net"))
            << toString(TraceFileError::InvalidContent) << "geo.hint: expected an object";
        QTest::newRow("hint without a token")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo"), QStringLiteral("hint")},
                       QJsonObject{{QStringLiteral("rule"), QStringLiteral("generic reading")},
                                   {QStringLiteral("kind"), QStringLiteral("iata")},
                                   {QStringLiteral("place"), QStringLiteral("Frankfurt, DE")}})
            << toString(TraceFileError::InvalidContent) << "geo.hint: 'token' must be a non-empty string";
        QTest::newRow("geo is a list")
            << patched({QStringLiteral("ping_time"), 0, QStringLiteral("geo")}, QJsonArray{1})
            << toString(TraceFileError::InvalidContent) << "expected an object";
        QTest::newRow("started_at garbage")
            << patched({QStringLiteral("started_at")}, QStringLiteral("yesterday"))
            << toString(TraceFileError::InvalidContent) << "started_at";
        QTest::newRow("line break in a quoted value")
            << patched({QStringLiteral("kind")}, QStringLiteral("trace\nsecond line"))
            << toString(TraceFileError::InvalidContent) << "'trace second";
        QTest::newRow("unknown kind") << patched({QStringLiteral("kind")}, QStringLiteral("movie"))
                                      << toString(TraceFileError::InvalidContent) << "kind";
        QTest::newRow("settings queries 0")
            << patched({QStringLiteral("settings"), QStringLiteral("queries")}, 0)
            << toString(TraceFileError::InvalidContent) << "settings.queries";
        QTest::newRow("source location wrong")
            << patched({QStringLiteral("settings"), QStringLiteral("geo"), QStringLiteral("source_location")},
                       QJsonArray{QStringLiteral("north"), 2})
            << toString(TraceFileError::InvalidContent) << "source_location";
    }

    void hostile()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, error);
        QFETCH(QString, says);
        const TraceFileReadResult r = parseTraceFile(bytes);
        QCOMPARE(toString(r.error), error);
        QVERIFY2(r.message.contains(says), qPrintable(r.message));
        QVERIFY2(!r.message.contains(QLatin1Char('\n')), "one line");
    }

    // What `tracemap-cli trace --json` prints (core/resultformat.h): refused with the hint by
    // default, read and checked like any trace file when the caller locates the hops itself.
    void plainTraceWhenAccepted()
    {
        const TraceFile sample = fixture::sample();
        const QByteArray plain = QJsonDocument(traceToJson(sample.trace)).toJson();

        const TraceFileReadResult refused = parseTraceFile(plain);
        QCOMPARE(toString(refused.error), toString(TraceFileError::NotATraceFile));
        QVERIFY2(refused.message.contains("--geo --json"), qPrintable(refused.message));
        QVERIFY(!refused.plainTrace);

        const TraceFileReadResult read = parseTraceFile(plain, PlainTrace::Accept);
        QVERIFY2(read.ok(), qPrintable(read.message));
        QVERIFY(read.plainTrace);
        QVERIFY(read.file.places.isEmpty());
        QCOMPARE(read.file.trace.target, sample.trace.target);
        QCOMPARE(read.file.trace.destination, sample.trace.destination);
        QCOMPARE(read.file.trace.reached, sample.trace.reached);
        QCOMPARE(read.file.trace.hops.size(), sample.trace.hops.size());
        for (qsizetype i = 0; i < read.file.trace.hops.size(); ++i) {
            QCOMPARE(read.file.trace.hops[i].ttl, sample.trace.hops[i].ttl);
            QCOMPARE(read.file.trace.hops[i].responders(), sample.trace.hops[i].responders());
        }

        // Accepting plain traces does not make trace files plain, nor loosen any check.
        const TraceFileReadResult file = parseTraceFile(serializeTraceFile(sample), PlainTrace::Accept);
        QVERIFY(file.ok());
        QVERIFY(!file.plainTrace);
        QJsonObject bad = traceToJson(sample.trace);
        QJsonArray hops = bad.value(QStringLiteral("ping_time")).toArray();
        QJsonObject first = hops.at(0).toObject();
        first.insert(QStringLiteral("ttl"), 0);
        hops.replace(0, first);
        bad.insert(QStringLiteral("ping_time"), hops);
        const TraceFileReadResult hostile = parseTraceFile(QJsonDocument(bad).toJson(), PlainTrace::Accept);
        QCOMPARE(toString(hostile.error), toString(TraceFileError::InvalidContent));
        QVERIFY2(hostile.message.contains("ping_time[0].ttl"), qPrintable(hostile.message));
        const TraceFileReadResult empty =
            parseTraceFile(R"({"target":"x","ping_time":[]})", PlainTrace::Accept);
        QCOMPARE(toString(empty.error),
                 toString(TraceFileError::InvalidContent)); // no method: not what trace --json prints
    }
};

QTEST_GUILESS_MAIN(TestTraceFile)
#include "tst_tracefile.moc"
