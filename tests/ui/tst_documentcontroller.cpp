// DocumentController and TraceController::loadDocument: a saved trace opens exactly as it was
// (hops, places, reasons, source, target) without probing; damaged, truncated, huge and hostile
// files are refused with one line and leave the trace shown untouched; every export format
// writes its file (and nothing at all when the folder is missing).
#include "../geo/tst_tracefile_fixture.h"
#include "../unit/simulatednetwork.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "documentexport.h"
#include "tracecontroller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

// A window's worth of state with no geolocation service and a network that answers nothing:
// nothing here may probe or locate.
struct Fixture
{
    Fixture()
    {
        settings = AppSettings::inMemory();
        settings->setOffline(true);
        controller = std::make_unique<TraceController>(settings.get(), nullptr,
                                                       std::make_unique<SimulatedFactory>(network));
        documents = std::make_unique<DocumentController>(controller.get(), settings.get());
    }
    SimulatedNetwork network;
    std::unique_ptr<AppSettings> settings;
    std::unique_ptr<TraceController> controller;
    std::unique_ptr<DocumentController> documents;
};

// Everything the window shows of a trace, for before/after comparisons.
QString shown(const TraceController &c)
{
    QStringList parts{c.model()->toText(),
                      c.host(),
                      c.destination(),
                      c.transport(),
                      QString::number(c.reached()),
                      QString::number(int(c.phase())),
                      QString::number(c.hasSource()),
                      QString::number(c.sourceLatitude()),
                      QString::number(c.sourceLongitude()),
                      c.attributions().join(QLatin1Char('|'))};
    for (int row = 0; row < c.model()->rowCount(); ++row) {
        const QVariantMap m = c.model()->get(row);
        for (auto it = m.cbegin(); it != m.cend(); ++it)
            parts << it.key() + QLatin1Char('=') + it.value().toString();
    }
    return parts.join(QLatin1Char('\n'));
}

QByteArray sampleBytes()
{
    return serializeTraceFile(fixture::sample());
}

QJsonObject sampleJson()
{
    return QJsonDocument::fromJson(sampleBytes()).object();
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestDocumentController : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerTraceTypes(); }

    // The model shows the file's hops and places; saving it again gives the same document.
    void openShowsTheTraceAsSaved()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("saved.tracemap.json"));
        QVERIFY(writeFile(path, sampleBytes()));
        Fixture f;
        QSignalSpy reported(f.documents.get(), &DocumentController::reported);
        QSignalSpy opened(f.documents.get(), &DocumentController::opened);
        QVERIFY2(f.documents->open(QUrl::fromLocalFile(path).toString()),
                 qPrintable(f.documents->errorMessage()));
        QCOMPARE(opened.size(), 1);
        QCOMPARE(reported.size(), 1);
        QCOMPARE(reported.at(0).at(1).toBool(), false);
        QCOMPARE(f.documents->currentPath(), QFileInfo(path).absoluteFilePath());

        TraceController &c = *f.controller;
        QVERIFY(c.showingDocument());
        QVERIFY(!c.running());
        QCOMPARE(c.host(), QStringLiteral("dst.example"));
        QCOMPARE(c.destination(), QStringLiteral("198.18.10.1"));
        QCOMPARE(c.transport(), QStringLiteral("udp/IP_RECVERR"));
        QCOMPARE(c.phase(), TraceController::Reached);
        QCOMPARE(c.pendingLookups(), 0);
        HopListModel *m = c.model();
        QCOMPARE(m->rowCount(), 7);
        QCOMPARE(m->placedCount(), 5); // the silent hop and the unplaced one are listed, not placed
        QCOMPARE(m->get(0).value(QStringLiteral("placeName")).toString(), QStringLiteral("Frankfurt, XX"));
        QCOMPARE(m->get(0).value(QStringLiteral("asn")).toInt(), 64500);
        QCOMPARE(m->get(0).value(QStringLiteral("hostname")).toString(),
                 QStringLiteral("r.frankfurt.example"));
        QCOMPARE(m->get(3).value(QStringLiteral("latitude")).toDouble(), 40.71);
        QCOMPARE(m->get(3).value(QStringLiteral("responders")).toStringList().size(), 2);
        QCOMPARE(m->get(4).value(QStringLiteral("hasLocation")).toBool(), false);
        QCOMPARE(m->get(4).value(QStringLiteral("reason")).toString(),
                 QStringLiteral("no provider knows this address"));
        QCOMPARE(m->get(2).value(QStringLiteral("reason")).toString(), QStringLiteral("no reply"));
        QCOMPARE(c.attributions(), fixture::sample().attributions);
        // No vantage position in the sample: no source drawn.
        QVERIFY(!c.hasSource());

        // Saved again: the same document, byte for byte.
        const QString again = dir.filePath(QStringLiteral("again.tracemap.json"));
        QVERIFY(f.documents->save(again));
        QFile a(path), b(again);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(b.readAll()).split(QLatin1Char('\n')),
                 QString::fromUtf8(a.readAll()).split(QLatin1Char('\n')));
    }

    // The source the map draws travels as the vantage position.
    void sourceRoundTrip()
    {
        TraceFile file = fixture::sample();
        file.meta.vantageLatitude = 50.1;
        file.meta.vantageLongitude = 8.6;
        Fixture f;
        f.controller->loadDocument(file);
        QVERIFY(f.controller->hasSource());
        QCOMPARE(f.controller->sourceLatitude(), 50.1);
        QCOMPARE(f.controller->sourceLongitude(), 8.6);
        // The status line names the saved start, not the idle locator's "unknown".
        QCOMPARE(f.controller->sourceText(), QStringLiteral("Start: 50.10, 8.60 (as saved)"));
        const TraceFile saved = f.controller->currentDocument();
        QCOMPARE(saved.meta.vantageLatitude.value_or(0), 50.1);
        QCOMPARE(QString::fromUtf8(serializeTraceFile(saved)).split(QLatin1Char('\n')),
                 QString::fromUtf8(serializeTraceFile(file)).split(QLatin1Char('\n')));
    }

    void refusedFilesLeaveTheTraceShown_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes"); // null: see the name
        QTest::addColumn<QString>("expected");
        const QByteArray good = sampleBytes();
        QTest::newRow("missing") << "missing.json" << QByteArray() << "cannot";
        QTest::newRow("directory") << "dir.json" << QByteArray() << "";
        QTest::newRow("huge (100 MB)") << "huge.json" << QByteArray() << "";
        QTest::newRow("truncated") << "cut.json" << good.left(good.size() / 2) << "";
        QTest::newRow("not JSON") << "junk.json" << QByteArray("\x89PNG\r\n\x1a\n garbage") << "";
        // A plain trace opens (tst_tracecontroller::opensAndLocatesAPlainTrace), but only a
        // well-formed one: this has no method.
        QTest::newRow("plain trace --json without a method")
            << "plain.json" << QByteArray(R"({"target":"x","ping_time":[]})") << "method";
        QJsonObject wrongType = sampleJson();
        wrongType.insert(QStringLiteral("ping_time"), QStringLiteral("many"));
        QTest::newRow("wrong type") << "type.json" << json(wrongType) << "ping_time";
        QJsonObject badPlace = sampleJson();
        QJsonArray hops = badPlace.value(QStringLiteral("ping_time")).toArray();
        QJsonObject first = hops.at(0).toObject();
        QJsonObject geo = first.value(QStringLiteral("geo")).toObject();
        geo.insert(QStringLiteral("latitude"), 1000.0);
        first.insert(QStringLiteral("geo"), geo);
        hops.replace(0, first);
        badPlace.insert(QStringLiteral("ping_time"), hops);
        QTest::newRow("coordinates out of range") << "place.json" << json(badPlace) << "latitude";
        QJsonObject many = sampleJson();
        QJsonArray lots;
        const QJsonValue hop = many.value(QStringLiteral("ping_time")).toArray().at(0);
        for (int i = 0; i < 100000; ++i)
            lots.append(hop);
        many.insert(QStringLiteral("ping_time"), lots);
        QTest::newRow("100,000 hops") << "many.json" << json(many) << "";
        QTest::newRow("deep nesting")
            << "deep.json" << (QByteArray(20000, '[') + QByteArray(20000, ']')) << "";
        QJsonObject newer = sampleJson();
        newer.insert(QStringLiteral("version"), 99);
        QTest::newRow("newer version") << "newer.json" << json(newer) << "";
    }
    void refusedFilesLeaveTheTraceShown()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        if (name == QLatin1String("dir.json")) {
            QVERIFY(QDir(dir.path()).mkdir(name));
        } else if (name == QLatin1String("huge.json")) {
            QFile huge(path);
            QVERIFY(huge.open(QIODevice::WriteOnly));
            QVERIFY(huge.resize(kTraceFileMaxBytes)); // sparse: costs no disk
        } else if (!bytes.isNull()) {
            QVERIFY(writeFile(path, bytes));
        }
        const QString goodPath = dir.filePath(QStringLiteral("good.tracemap.json"));
        QVERIFY(writeFile(goodPath, sampleBytes()));

        Fixture f;
        QVERIFY(f.documents->open(goodPath));
        const QString before = shown(*f.controller);
        QSignalSpy reported(f.documents.get(), &DocumentController::reported);
        QSignalSpy opened(f.documents.get(), &DocumentController::opened);
        QVERIFY(!f.documents->open(path));
        QCOMPARE(f.documents->error(), DocumentController::ReadFailed);
        QCOMPARE(reported.size(), 1);
        QCOMPARE(reported.at(0).at(1).toBool(), true);
        const QString message = reported.at(0).at(0).toString();
        QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
        QVERIFY2(message.startsWith(QStringLiteral("Cannot open %1: ").arg(name)), qPrintable(message));
        QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
        QCOMPARE(opened.size(), 0);
        QCOMPARE(shown(*f.controller), before);
        QCOMPARE(f.documents->currentPath(), QFileInfo(goodPath).absoluteFilePath());
    }

    void exports_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("starts");
        QTest::newRow("trace file") << int(DocumentController::TraceFileFormat) << "t" << QByteArray("{");
        QTest::newRow("GeoJSON") << int(DocumentController::GeoJson) << "t.geojson" << QByteArray("{");
        QTest::newRow("KML") << int(DocumentController::Kml) << "t.kml" << QByteArray("<?xml");
        QTest::newRow("CSV") << int(DocumentController::Csv) << "t.csv" << QByteArray("target,");
        QTest::newRow("SVG") << int(DocumentController::Svg) << "t.svg" << QByteArray("<?xml");
        QTest::newRow("PDF report") << int(DocumentController::PdfReport) << "t.pdf" << QByteArray("%PDF-");
        QTest::newRow("PNG") << int(DocumentController::Png) << "t.png" << QByteArray("\x89PNG");
    }
    void exports()
    {
        QFETCH(int, format);
        QFETCH(QString, name);
        QFETCH(QByteArray, starts);
        const auto fmt = DocumentController::Format(format);
        QTemporaryDir dir;
        Fixture f;
        // Nothing shown yet: refused, nothing written.
        QVERIFY(!f.documents->exportAs(dir.filePath(name), fmt));
        QCOMPARE(f.documents->error(), DocumentController::NothingToSave);
        f.controller->loadDocument(fixture::sample());
        // A missing folder: refused with its name, nothing written.
        QVERIFY(!f.documents->exportAs(dir.filePath(QStringLiteral("no/such/") + name), fmt));
        QCOMPARE(f.documents->error(), DocumentController::WriteFailed);
        QVERIFY(f.documents->exportAs(dir.filePath(name), fmt));
        // A name without a suffix gets the format's.
        const QString written =
            dir.filePath(QFileInfo(name).suffix().isEmpty() ? name + DocumentController::suffix(fmt) : name);
        QFile file(written);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(written));
        const QByteArray bytes = file.readAll();
        QVERIFY2(bytes.startsWith(starts), bytes.left(40).constData());
        // Only the file: no temporary left beside it.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
        if (fmt == DocumentController::Svg)
            QVERIFY(bytes.contains("<svg"));
        if (fmt == DocumentController::PdfReport)
            QVERIFY(bytes.size() > 10000); // the map and the table, not an empty page
        if (fmt == DocumentController::Csv)
            QVERIFY(bytes.contains("198.18.3.9"));
    }

    // The file dialogs' texts, one table row a format: every format of the Q_ENUM has a suffix
    // and a name filter that offers files with that suffix.
    void dialogTexts_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QString>("filter");
        const QMetaEnum formats = QMetaEnum::fromType<DocumentController::Format>();
        const QStringList suffixes = {QStringLiteral(".tracemap.json"),
                                      QStringLiteral(".geojson"),
                                      QStringLiteral(".kml"),
                                      QStringLiteral(".csv"),
                                      QStringLiteral(".svg"),
                                      QStringLiteral(".pdf"),
                                      QStringLiteral(".png")};
        QCOMPARE(formats.keyCount(), suffixes.size());
        for (int i = 0; i < formats.keyCount(); ++i) {
            const auto format = DocumentController::Format(formats.value(i));
            QTest::newRow(formats.key(i))
                << int(format) << suffixes.at(i) << DocumentController::nameFilter(format);
        }
    }
    void dialogTexts()
    {
        QFETCH(int, format);
        QFETCH(QString, suffix);
        QFETCH(QString, filter);
        QCOMPARE(DocumentController::suffix(DocumentController::Format(format)), suffix);
        QVERIFY2(filter.contains(QLatin1Char('*') + suffix + QLatin1Char(')')) ||
                     filter.contains(QLatin1Char('*') + suffix + QLatin1Char(' ')),
                 qPrintable(filter));
    }

    void reportTimeNamesTheZone()
    {
        const QDateTime t(QDate(2026, 12, 1), QTime(16, 30, 5), QTimeZone(3600));
        QCOMPARE(DocumentExport::reportTime(t, QStringLiteral("Europe/Berlin")),
                 QStringLiteral("2026-12-01 16:30:05 UTC+01:00 (Europe/Berlin)"));
        QCOMPARE(DocumentExport::reportTime({}, {}), QStringLiteral("unknown"));
    }
};

QTEST_MAIN(TestDocumentController)
#include "tst_documentcontroller.moc"
