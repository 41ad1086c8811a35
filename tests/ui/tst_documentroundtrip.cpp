// The round trip of issue 14: a trace (the simulated network, places from a table provider) is
// saved, then opened in a NEW tracemap process (--open FILE --export-image --export-report
// --offline --quit-when-done, offscreen): its PNG equals, pixel for pixel, the one exported from
// the original trace through the scripted export's code path; the table opened from the file
// equals the original's; the report PDF, turned into PNG pages by pdftoppm, has one page that
// is neither blank nor only the map. Nothing leaves the process: no geolocation service exists
// in the new process' run (--offline) and an opened file is never located or probed.
#include "../geo/tst_tracefile_fixture.h"
#include "../unit/simulatednetwork.h"
#include "processrun.h"

#include "appsettings.h"
#include "documentcontroller.h"
#include "documentexport.h"
#include "geoservice.h"
#include "scriptedrun.h"
#include "tracecontroller.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;
using namespace tracemap::test;

namespace {

const QString kTarget = QStringLiteral("203.0.113.9");

// Places 62.115.N.1 at the N-th city; the RTTs (20 ms a hop) pass the speed-of-light check.
class CityProvider final : public GeoProvider
{
public:
    QString id() const override { return QStringLiteral("cities"); }
    void lookup(const GeoQuery &query, Callback done) override
    {
        static const QList<QPair<QPointF, QString>> cities = {{{52.52, 13.40}, QStringLiteral("Berlin")},
                                                              {{50.11, 8.68}, QStringLiteral("Frankfurt")},
                                                              {{48.85, 2.35}, QStringLiteral("Paris")},
                                                              {{51.51, -0.13}, QStringLiteral("London")}};
        GeoAnswer answer;
        answer.provider = id();
        answer.status = GeoStatus::Unlocatable;
        answer.reason = QStringLiteral("not a city router");
        const QStringList octets = query.address.toString().split(QLatin1Char('.'));
        const int n = octets.value(2).toInt() - 1;
        if (octets.size() == 4 && octets.at(3) == QLatin1String("1") && n >= 0 && n < cities.size()) {
            answer.status = GeoStatus::Located;
            answer.place.latitude = cities.at(n).first.x();
            answer.place.longitude = cities.at(n).first.y();
            answer.place.city = cities.at(n).second;
            answer.place.countryCode = QStringLiteral("ZZ");
            answer.place.accuracyKm = 25;
            answer.confidence = 0.9;
            answer.reason = QStringLiteral("city table");
        }
        done(answer);
    }
    void cancelAll() override {}
};

// Without a display: tracemap starts offscreen by itself, as a scripted export on a server.
int run(const QStringList &args, QByteArray *err)
{
    static QTemporaryDir runtimeDir; // 0700, as Qt wants XDG_RUNTIME_DIR
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtimeDir.path());
    const ProcessRun r = runProcess(args.first(), args.mid(1), 90000, env);
    *err = r.err;
    return r.exitCode;
}

// Share of pixels that are not (near) white.
double inkShare(const QImage &image)
{
    qint64 ink = 0;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2) {
            if (qGray(image.pixel(x, y)) < 235)
                ++ink;
        }
    }
    return double(ink) / ((image.width() / 2.0) * (image.height() / 2.0));
}

} // namespace

class TestDocumentRoundTrip : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        registerTraceTypes();
        if (qEnvironmentVariableIsEmpty("TRACEMAP_GUI"))
            QSKIP("TRACEMAP_GUI is not set (run through ctest)");
    }

    void traceSaveOpenInANewProcess()
    {
        QTemporaryDir dir;
        SimulatedNetwork net;
        SimPath path;
        for (int i = 1; i <= 5; ++i) // 62.115.5.1 is in no city: listed with its reason
            path.routers << SimHop{QHostAddress(QStringLiteral("62.115.%1.1").arg(i)), 20.0 * i};
        path.destinationRttMs = 120;
        net.paths.insert(kTarget, path);

        GeoSettings geoSettings;
        geoSettings.offline = true;
        geoSettings.reverseDns = false;
        geoSettings.asLookups = false;
        geoSettings.cachePath = QStringLiteral("-");
        std::vector<std::unique_ptr<GeoProvider>> chain;
        chain.push_back(std::make_unique<CityProvider>());
        GeoService geo(geoSettings, std::move(chain));
        std::unique_ptr<AppSettings> settings = AppSettings::inMemory();
        settings->setOffline(true);
        settings->setProbeTimeoutSec(0.5);
        TraceController original(settings.get(), &geo, std::make_unique<SimulatedFactory>(net));
        DocumentController documents(&original, settings.get());
        original.setHost(kTarget);
        QSignalSpy finished(&original, &TraceController::finished);
        QVERIFY(original.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(original.pendingLookups(), 0, 5000);
        QCOMPARE(original.model()->placedCount(), 4);
        QVERIFY(original.hasSource());

        // The original's image, as `tracemap --trace HOST --export-image` renders it.
        const MapScene scene = DocumentExport::sceneOf(original, true);
        MapRenderer renderer;
        const QImage before = renderer.render(
            DocumentExport::fittedViewport(scene, ScriptedRun::kDefaultExportSize), scene, nullptr);
        QVERIFY(!before.isNull());
        const QString file = dir.filePath(QStringLiteral("route.tracemap.json"));
        QVERIFY2(documents.save(file), qPrintable(documents.errorMessage()));

        // The same table from the file.
        TraceController reopened(settings.get(), nullptr,
                                 std::make_unique<SimulatedFactory>(SimulatedNetwork()));
        DocumentController reader(&reopened, settings.get());
        QVERIFY(reader.open(file));
        QCOMPARE(reopened.model()->toText().split(QLatin1Char('\n')),
                 original.model()->toText().split(QLatin1Char('\n')));
        QCOMPARE(reopened.model()->placedCount(), 4);

        // A new process opens it and exports the image and the report.
        const QString png = dir.filePath(QStringLiteral("reopened.png"));
        const QString pdf = dir.filePath(QStringLiteral("report.pdf"));
        QByteArray err;
        const int code = run({qEnvironmentVariable("TRACEMAP_GUI"), QStringLiteral("--open"), file,
                              QStringLiteral("--export-image"), png, QStringLiteral("--export-report"), pdf,
                              QStringLiteral("--offline"), QStringLiteral("--quit-when-done")},
                             &err);
        QVERIFY2(code == 0, err.constData());
        const QImage after(png);
        QCOMPARE(after.size(), before.size());
        QVERIFY(after.convertToFormat(QImage::Format_ARGB32) ==
                before.convertToFormat(QImage::Format_ARGB32));

        // The report as images: one page, with the title block, the map and the table.
        const QString pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
        QVERIFY2(!pdftoppm.isEmpty(), "pdftoppm is missing: scripts/deps.sh test (poppler-utils)");
        QVERIFY2(run({pdftoppm, QStringLiteral("-r"), QStringLiteral("60"), QStringLiteral("-png"), pdf,
                      dir.filePath(QStringLiteral("page"))},
                     &err) == 0,
                 err.constData());
        const QStringList pages =
            QDir(dir.path()).entryList({QStringLiteral("page*.png")}, QDir::Files, QDir::Name);
        QCOMPARE(pages.size(), 1);
        const QImage page(dir.filePath(pages.first()));
        if (const QByteArray shots = qgetenv("TRACEMAP_UI_SHOTS"); !shots.isEmpty()) {
            page.save(QString::fromLocal8Bit(shots) + QStringLiteral("/report-page1.png"));
            after.save(QString::fromLocal8Bit(shots) + QStringLiteral("/reopened.png"));
        }
        QVERIFY(page.height() > page.width()); // A4 portrait
        const double ink = inkShare(page);
        QVERIFY2(ink > 0.10 && ink < 0.9, qPrintable(QString::number(ink)));
        // The hop table right under the map (which ends near half the page's height).
        QVERIFY(inkShare(page.copy(0, page.height() * 55 / 100, page.width(), page.height() * 7 / 100)) >
                0.01);
    }

    // Two saved traces differing in one hop (TTL 2 answers from a router in Madrid instead of
    // London), the later opened and compared with the earlier under Xvfb (offscreen without it):
    // the window shot shows the earlier route in the comparison colour, the plain one does not.
    void comparisonWindowShot()
    {
        QTemporaryDir dir;
        TraceFile before = fixture::sample();
        before.meta.vantageLatitude = 50.11;
        before.meta.vantageLongitude = 8.68;
        TraceFile after = before;
        after.meta.startedAt = after.meta.startedAt.addSecs(3600);
        after.trace.hops[1] =
            fixture::hop(2, {fixture::reply(1, "198.18.7.1", 1.5), fixture::reply(2, "198.18.7.1", 1.7),
                             fixture::reply(3, "198.18.7.1", 1.6)});
        GeoResult madrid = fixture::place("198.18.7.1", 40.42, -3.70, "Madrid", 64500, "FRANKFURT-NET");
        after.places.insert(madrid.address, madrid);
        const QString a = dir.filePath(QStringLiteral("before.tracemap.json"));
        const QString b = dir.filePath(QStringLiteral("after.tracemap.json"));
        QString error;
        QVERIFY(writeFileAtomically(a, serializeTraceFile(before), &error));
        QVERIFY(writeFileAtomically(b, serializeTraceFile(after), &error));

        QStringList wrapper;
        if (!QStandardPaths::findExecutable(QStringLiteral("xvfb-run")).isEmpty())
            wrapper = {QStandardPaths::findExecutable(QStringLiteral("xvfb-run")),
                       QStringLiteral("-a"),
                       QStringLiteral("-n"),
                       QStringLiteral("51"),
                       QStringLiteral("-s"),
                       QStringLiteral("-screen 0 1600x1200x24")};
        const QColor compared = MapRenderer::routePaletteColor(0);
        const auto shoot = [&](const QString &name, const QStringList &extra) {
            const QString shot = dir.filePath(name);
            QByteArray err;
            const int code =
                run(wrapper +
                        QStringList{qEnvironmentVariable("TRACEMAP_GUI"), QStringLiteral("--open"), b,
                                    QStringLiteral("--export-image"), dir.filePath(QStringLiteral("x.png")),
                                    QStringLiteral("--window-shot"), shot, QStringLiteral("--offline"),
                                    QStringLiteral("--quit-when-done")} +
                        extra,
                    &err);
            if (code != 0)
                qWarning() << "tracemap:" << code << err;
            if (const QByteArray shots = qgetenv("TRACEMAP_UI_SHOTS"); !shots.isEmpty())
                QFile::copy(shot, QString::fromLocal8Bit(shots) + QLatin1Char('/') + name);
            const QImage image(shot);
            int count = 0;
            for (int y = 0; y < image.height(); ++y) {
                for (int x = 0; x < image.width(); ++x) {
                    const QColor c = image.pixelColor(x, y);
                    if (std::abs(c.red() - compared.red()) + std::abs(c.green() - compared.green()) +
                            std::abs(c.blue() - compared.blue()) <
                        24)
                        ++count;
                }
            }
            return image.isNull() ? -1 : count;
        };
        const int plain = shoot(QStringLiteral("opened.png"), {});
        const int comparing = shoot(QStringLiteral("comparison.png"), {QStringLiteral("--compare"), a});
        QVERIFY2(plain >= 0 && comparing >= 0, "no window shot");
        QVERIFY2(comparing > plain + 100, qPrintable(QStringLiteral("%1 vs %2").arg(comparing).arg(plain)));
    }

    // A damaged file given to a scripted run: one line, exit 1, no image; bad combinations of
    // options: exit 2.
    void refusals_data()
    {
        QTest::addColumn<QStringList>("args"); // FILE stands for a truncated trace file
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated file")
            << QStringList{"--open", "FILE", "--export-image", "OUT", "--offline", "--quit-when-done"} << 1
            << "tracemap: cannot open";
        QTest::newRow("file given as HOST")
            << QStringList{"FILE", "--export-report", "OUT", "--offline", "--quit-when-done"} << 1
            << "tracemap: cannot open";
        QTest::newRow("open and trace") << QStringList{"--open", "FILE", "--trace", "127.0.0.1"} << 2
                                        << "--open needs a file name, and no host";
        QTest::newRow("report without input")
            << QStringList{"--export-report", "OUT"} << 2 << "--export-report needs";
    }
    void refusals()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("cut.tracemap.json"));
        QFile cut(file);
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write("{\"format\": \"tracemap-trace\", \"version\": 1, \"ping_t");
        cut.close();
        const QString out = dir.filePath(QStringLiteral("out.png"));
        args.replaceInStrings(QStringLiteral("FILE"), file);
        args.replaceInStrings(QStringLiteral("OUT"), out);
        QByteArray err;
        QCOMPARE(run(QStringList{qEnvironmentVariable("TRACEMAP_GUI")} + args, &err), exitCode);
        const QStringList lines = QString::fromUtf8(err).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().contains(message), err.constData());
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_MAIN(TestDocumentRoundTrip)
#include "tst_documentroundtrip.moc"
