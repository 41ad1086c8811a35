// The geolocation chain with fake providers: order, overrides beat special ranges, special
// ranges never reach a provider, coalescing, cache hit after restart, negative caching, RTT
// plausibility (implausible candidates rejected, alternatives and the next provider tried),
// hostname hints against the database, providers that fail or never answer, and shutdown with
// lookups pending. The `ash` rows use the real HostnameHintProvider and place dictionary.
#include "geoservice.h"
#include "hostnamehints.h"
#include "loopbackhttpserver.h"
#include "placedictionary.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUdpSocket>
#include <QtEndian>

#include <unistd.h>

using namespace tracemap;

namespace {

// Washington, DC and a few places around it.
constexpr double kDcLat = 38.9072, kDcLon = -77.0369;

GeoPlace place(double lat, double lon, const char *city, const char *cc, double accuracyKm = 50)
{
    GeoPlace p;
    p.latitude = lat;
    p.longitude = lon;
    p.city = QString::fromLatin1(city);
    p.countryCode = QString::fromLatin1(cc);
    p.accuracyKm = accuracyKm;
    return p;
}
const GeoPlace kAshburn = place(39.0438, -77.4874, "Ashburn", "US");
const GeoPlace kNashua = place(42.7654, -71.4676, "Nashua", "US");
const GeoPlace kReston = place(38.9586, -77.3570, "Reston", "US");
const GeoPlace kFrankfurt = place(50.1109, 8.6821, "Frankfurt am Main", "DE");
const GeoPlace kAmsterdam = place(52.3676, 4.9041, "Amsterdam", "NL");
const GeoPlace kLondon = place(51.5074, -0.1278, "London", "GB");

GeoAnswer located(const GeoPlace &p, double confidence = 0.5, QList<GeoPlace> alternatives = {})
{
    GeoAnswer a;
    a.status = GeoStatus::Located;
    a.place = p;
    a.confidence = confidence;
    a.reason = QStringLiteral("fake says %1").arg(p.city);
    a.alternatives = alternatives;
    return a;
}
GeoAnswer unlocatable(const char *reason = "not in the fake")
{
    GeoAnswer a;
    a.status = GeoStatus::Unlocatable;
    a.reason = QString::fromLatin1(reason);
    return a;
}
GeoAnswer failed(const char *error)
{
    GeoAnswer a;
    a.status = GeoStatus::Failed;
    a.error = QString::fromLatin1(error);
    return a;
}

// A provider answering from a function: synchronously, after a delay, or never.
class FakeProvider : public GeoProvider
{
public:
    static constexpr int kSync = -1;
    static constexpr int kNever = -2;
    FakeProvider(const QString &id, std::function<GeoAnswer(const GeoQuery &)> answer, int delayMs = kSync,
                 std::shared_ptr<QList<GeoQuery>> log = std::make_shared<QList<GeoQuery>>())
        : m_id(id), m_answer(std::move(answer)), m_delayMs(delayMs), m_log(std::move(log))
    {}
    QString id() const override { return m_id; }
    // The fakes stand in for the real providers of the same id, roles included.
    ProviderRole role() const override
    {
        return m_id == QLatin1String("hostname") ? ProviderRole::Hint
               : m_id == QLatin1String("ip-api") ? ProviderRole::Online
                                                 : ProviderRole::Database;
    }
    void lookup(const GeoQuery &query, Callback done) override
    {
        m_log->append(query);
        if (m_delayMs == kNever)
            return;
        GeoAnswer a = m_answer(query);
        a.provider = m_id;
        if (m_delayMs == kSync) {
            done(a);
            return;
        }
        // Deliberately not tied to the service: the answer may arrive after it is gone.
        QTimer::singleShot(m_delayMs, QCoreApplication::instance(), [done, a] { done(a); });
    }
    std::shared_ptr<QList<GeoQuery>> log() const { return m_log; }

private:
    QString m_id;
    std::function<GeoAnswer(const GeoQuery &)> m_answer;
    int m_delayMs;
    std::shared_ptr<QList<GeoQuery>> m_log;
};

struct Chain
{
    std::vector<std::unique_ptr<GeoProvider>> providers;
    QList<std::shared_ptr<QList<GeoQuery>>> logs;
    Chain &add(const char *id, std::function<GeoAnswer(const GeoQuery &)> answer,
               int delayMs = FakeProvider::kSync)
    {
        auto p = std::make_unique<FakeProvider>(QString::fromLatin1(id), std::move(answer), delayMs);
        logs << p->log();
        providers.push_back(std::move(p));
        return *this;
    }
    Chain &addHints()
    {
        providers.push_back(std::make_unique<HostnameHintProvider>(PlaceDictionary::loadBuiltin()));
        logs << std::make_shared<QList<GeoQuery>>();
        return *this;
    }
};

GeoSettings offlineSettings(const QString &cachePath = QStringLiteral("-"))
{
    GeoSettings s;
    s.offline = true;
    s.reverseDns = false;
    s.asLookups = false;
    s.cachePath = cachePath;
    s.lookupTimeoutMs = 300;
    return s;
}

GeoQuery query(const char *address, double rttMs = -1, const char *hostname = nullptr)
{
    GeoQuery q;
    q.address = QHostAddress(QString::fromLatin1(address));
    q.rttMs = rttMs;
    if (hostname) {
        q.hostname = QString::fromLatin1(hostname);
        q.hostnameKnown = true;
    }
    return q;
}

// Runs one lookup to its decision and checks `located` came exactly once.
GeoResult decide(GeoService &service, const GeoQuery &q)
{
    QSignalSpy spy(&service, &GeoService::located);
    service.locate(q);
    if (spy.isEmpty())
        spy.wait(5000);
    QTest::qWait(20); // a second emission would show here
    if (spy.size() != 1) {
        qWarning() << "located emitted" << spy.size() << "times";
        return GeoResult();
    }
    return spy.first().first().value<GeoResult>();
}

// Answers every PTR question with one name and counts the questions; nothing else. Qt 6.4's
// QDnsLookup only talks to port 53, so binding needs root.
class PtrResponder
{
public:
    bool listen(const QHostAddress &address, const QByteArray &name)
    {
        m_name = name;
        QObject::connect(&m_socket, &QUdpSocket::readyRead, [this] { serve(); });
        return m_socket.bind(address, 53);
    }
    int questions() const { return m_questions; }

private:
    void serve()
    {
        while (m_socket.hasPendingDatagrams()) {
            QHostAddress peer;
            quint16 port = 0;
            QByteArray query(int(m_socket.pendingDatagramSize()), '\0');
            m_socket.readDatagram(query.data(), query.size(), &peer, &port);
            int end = 12;
            while (end < query.size() && query.at(end) != 0)
                end += quint8(query.at(end)) + 1;
            if (end + 5 > query.size())
                continue;
            ++m_questions;
            QByteArray rdata;
            for (const QByteArray &label : m_name.split('.'))
                rdata += char(label.size()) + label;
            rdata += '\0';
            char header[10];
            qToBigEndian<quint16>(0x8180, header); // response, recursion desired and available
            qToBigEndian<quint16>(1, header + 2);  // one question
            qToBigEndian<quint16>(1, header + 4);  // one answer
            qToBigEndian<quint32>(0, header + 6);
            char record[12];
            qToBigEndian<quint16>(0xc00c, record); // the question's name
            qToBigEndian<quint16>(12, record + 2); // PTR
            qToBigEndian<quint16>(1, record + 4);  // IN
            qToBigEndian<quint32>(60, record + 6);
            qToBigEndian<quint16>(quint16(rdata.size()), record + 10);
            const QByteArray reply = query.left(2) + QByteArray(header, 10) + query.mid(12, end + 5 - 12) +
                                     QByteArray(record, 12) + rdata;
            m_socket.writeDatagram(reply, peer, port);
        }
    }
    QUdpSocket m_socket;
    QByteArray m_name;
    int m_questions = 0;
};

} // namespace

class TestGeoService : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { registerGeoTypes(); }

    void firstAnswerWinsInOrder()
    {
        Chain c;
        c.add("a", [](const GeoQuery &) { return located(kFrankfurt); });
        c.add("b", [](const GeoQuery &) { return located(kLondon); });
        GeoService service(offlineSettings(), std::move(c.providers));
        const GeoResult r = decide(service, query("8.8.8.8"));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("a"));
        QCOMPARE(r.place.city, QStringLiteral("Frankfurt am Main"));
        QCOMPARE(c.logs.at(1)->size(), 0); // the second provider was never asked
        QCOMPARE(service.result(QHostAddress(QStringLiteral("8.8.8.8"))).provider, QStringLiteral("a"));
    }

    void unlocatableAndFailedFallThrough()
    {
        Chain c;
        c.add("a", [](const GeoQuery &) { return unlocatable(); });
        c.add("b", [](const GeoQuery &) { return failed("HTTP 500"); });
        c.add(
            "c", [](const GeoQuery &) { return located(kLondon); }, 10);
        GeoService service(offlineSettings(), std::move(c.providers));
        const GeoResult r = decide(service, query("8.8.4.4"));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("c"));
        QVERIFY2(r.rejected.join(QLatin1Char('|')).contains(QStringLiteral("b: HTTP 500")),
                 qPrintable(r.rejected.join(QLatin1Char('|'))));
    }

    void nothingKnownIsUnlocatableAllFailedIsFailed()
    {
        {
            Chain c;
            c.add("a", [](const GeoQuery &) { return unlocatable("address not in the database"); });
            GeoService service(offlineSettings(), std::move(c.providers));
            const GeoResult r = decide(service, query("9.9.9.9"));
            QCOMPARE(r.status, GeoStatus::Unlocatable);
            QCOMPARE(r.reason, QStringLiteral("a: address not in the database"));
        }
        {
            Chain c;
            c.add("a", [](const GeoQuery &) { return failed("connection refused"); });
            GeoService service(offlineSettings(), std::move(c.providers));
            const GeoResult r = decide(service, query("9.9.9.9"));
            QCOMPARE(r.status, GeoStatus::Failed);
            QVERIFY(r.error.contains(QStringLiteral("connection refused")));
        }
    }

    void specialRangesNeverReachAProvider_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("reasonPart");
        QTest::newRow("private") << "192.168.1.1"
                                 << "private";
        QTest::newRow("CGNAT") << "100.64.1.1"
                               << "carrier-grade NAT";
        QTest::newRow("loopback v6") << "::1"
                                     << "loopback";
        QTest::newRow("documentation v6") << "2001:db8::5"
                                          << "documentation";
        QTest::newRow("mapped private") << "::ffff:10.0.0.1"
                                        << "private";
        QTest::newRow("link-local with scope") << "fe80::1%lo"
                                               << "link-local";
    }
    void specialRangesNeverReachAProvider()
    {
        QFETCH(QString, address);
        QFETCH(QString, reasonPart);
        Chain c;
        c.add("a", [](const GeoQuery &) { return located(kLondon); });
        GeoService service(offlineSettings(), std::move(c.providers));
        const GeoResult r = decide(service, query(qPrintable(address)));
        QCOMPARE(r.status, GeoStatus::Unlocatable);
        QCOMPARE(r.provider, QStringLiteral("special"));
        QVERIFY2(r.reason.contains(reasonPart, Qt::CaseInsensitive), qPrintable(r.reason));
        QCOMPARE(c.logs.at(0)->size(), 0);
    }

    void overridesBeatSpecialRangesAndProviders()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("overrides.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("10.0.0.0/8,52.52,13.405,Berlin lab\n8.8.8.0/24,48.137,11.575,Munich\nbad line\n");
        f.close();
        Chain c;
        c.add("a", [](const GeoQuery &) { return located(kLondon); });
        GeoSettings s = offlineSettings();
        s.overridePaths = {path};
        GeoService service(s, std::move(c.providers));
        QCOMPARE(service.warnings().size(), 1);
        QVERIFY(service.warnings().first().startsWith(path + QStringLiteral(":3: ")));

        GeoResult r = decide(service, query("10.9.8.7", 0.5));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("override"));
        QCOMPARE(r.place.latitude, 52.52);
        QCOMPARE(r.confidence, 1.0);
        QVERIFY2(r.reason.contains(QStringLiteral("Berlin lab")), qPrintable(r.reason));
        QCOMPARE(r.providerDetail, path + QStringLiteral(":1"));

        r = decide(service, query("8.8.8.8", 0.5));
        QCOMPARE(r.provider, QStringLiteral("override"));
        QCOMPARE(r.place.longitude, 11.575);
        QCOMPARE(c.logs.at(0)->size(), 0);
    }

    // The user's word, but not against physics: an override the hop's RTT cannot reach from the
    // source is refused with its reason, and the rest of the chain decides.
    void overrideRefutedByTheRtt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("overrides.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("10.0.0.0/8,52.52,13.405,Berlin lab\n8.8.8.0/24,48.137,11.575,Munich\n");
        f.close();
        Chain c;
        c.add("a", [](const GeoQuery &) { return located(kLondon); });
        GeoSettings s = offlineSettings();
        s.overridePaths = {path};
        s.sourceLatitude = kDcLat;
        s.sourceLongitude = kDcLon;
        GeoService service(s, std::move(c.providers));

        // Berlin is 6700 km from Washington; 0.5 ms allows 105 km. The private address then
        // falls to its special range, still saying why the override did not apply.
        GeoResult r = decide(service, query("10.9.8.7", 0.5));
        QCOMPARE(r.status, GeoStatus::Unlocatable);
        QCOMPARE(r.provider, QStringLiteral("special"));
        QVERIFY2(!r.rejected.isEmpty() &&
                     r.rejected.first().startsWith("override: Berlin lab (" + path + ":1) refused: "),
                 qPrintable(r.rejected.join(" | ")));
        // A public address goes on down the chain (London is no closer: every candidate fails).
        r = decide(service, query("8.8.8.8", 0.5));
        QCOMPARE(r.status, GeoStatus::Unlocatable);
        QCOMPARE(c.logs.at(0)->size(), 1);
        QVERIFY2(r.rejected.first().startsWith("override: Munich"), qPrintable(r.rejected.join(" | ")));
        // With an RTT that allows it, the override decides.
        r = decide(service, query("8.8.4.4", 80));
        QCOMPARE(r.provider, QStringLiteral("a")); // 8.8.4.4 is not in the override file
        r = decide(service, query("8.8.8.9", 80));
        QCOMPARE(r.provider, QStringLiteral("override"));
        QCOMPARE(r.place.longitude, 11.575);
    }

    void geofeedCitiesArePlacedOffline()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("geofeed.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# geofeed\n192.0.2.0/24,DE,DE-HE,Frankfurt am Main,\n198.51.100.0/24,ZZ,,Nowhereville,\n");
        f.close();
        Chain c;
        c.add("a", [](const GeoQuery &) { return located(kLondon); });
        GeoSettings s = offlineSettings();
        s.overridePaths = {path};
        GeoService service(s, std::move(c.providers));

        GeoResult r = decide(service, query("192.0.2.10"));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("override"));
        QVERIFY(std::abs(r.place.latitude - 50.11) < 0.1);
        QVERIFY(std::abs(r.place.longitude - 8.68) < 0.1);
        QCOMPARE(r.place.countryCode, QStringLiteral("DE"));

        // A city the offline dictionary does not know, offline: the special range applies, and
        // the result says why the override did not.
        r = decide(service, query("198.51.100.1"));
        QCOMPARE(r.provider, QStringLiteral("special"));
        QVERIFY2(r.rejected.join(QLatin1Char('|')).contains(QStringLiteral("could not be placed")),
                 qPrintable(r.rejected.join(QLatin1Char('|'))));
    }

    void pendingLookupsAreCoalesced()
    {
        Chain c;
        c.add(
            "slow", [](const GeoQuery &) { return located(kLondon); }, 100);
        GeoService service(offlineSettings(), std::move(c.providers));
        QSignalSpy spy(&service, &GeoService::located);
        for (int i = 0; i < 5; ++i)
            service.locate(query("1.1.1.1"));
        service.locate(query("::ffff:1.1.1.1")); // the same address
        QCOMPARE(service.pendingCount(), 1);
        QCOMPARE(service.result(QHostAddress(QStringLiteral("1.1.1.1"))).status, GeoStatus::Pending);
        QTRY_COMPARE(spy.size(), 1);
        QTest::qWait(150);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(c.logs.at(0)->size(), 1);
        QCOMPARE(service.pendingCount(), 0);
    }

    void cacheHitAfterRestartAndNegativeCaching()
    {
        QTemporaryDir dir;
        const QString cachePath = dir.filePath(QStringLiteral("geo-cache.sqlite"));
        {
            Chain c;
            c.add("a", [](const GeoQuery &q) {
                return q.address == QHostAddress(QStringLiteral("1.0.0.1")) ? located(kLondon, 0.6)
                                                                            : unlocatable();
            });
            GeoService service(offlineSettings(cachePath), std::move(c.providers));
            GeoResult r = decide(service, query("1.0.0.1"));
            QCOMPARE(r.status, GeoStatus::Located);
            QVERIFY(!r.fromCache);
            r = decide(service, query("1.0.0.2"));
            QCOMPARE(r.status, GeoStatus::Unlocatable);
            // Within one service the decision is remembered too.
            r = decide(service, query("1.0.0.1"));
            QVERIFY(r.fromCache);
            QCOMPARE(c.logs.at(0)->size(), 2);
        }
        Chain c;
        c.add("a", [](const GeoQuery &) { return located(kFrankfurt); });
        GeoService service(offlineSettings(cachePath), std::move(c.providers));
        GeoResult r = decide(service, query("1.0.0.1"));
        QCOMPARE(r.status, GeoStatus::Located);
        QVERIFY(r.fromCache);
        QCOMPARE(r.provider, QStringLiteral("a"));
        QCOMPARE(r.place.city, QStringLiteral("London"));
        QCOMPARE(r.confidence, 0.6);
        r = decide(service, query("1.0.0.2"));
        QCOMPARE(r.status, GeoStatus::Unlocatable);
        QVERIFY(r.fromCache);
        QCOMPARE(c.logs.at(0)->size(), 0);
        // Another source location is another question.
        service.setSourceLocation(kDcLat, kDcLon);
        r = decide(service, query("1.0.0.1"));
        QVERIFY(!r.fromCache);
        QCOMPARE(c.logs.at(0)->size(), 1);
    }

    void failedAnswersAreNotCached()
    {
        QTemporaryDir dir;
        const QString cachePath = dir.filePath(QStringLiteral("geo-cache.sqlite"));
        Chain c;
        c.add("a", [](const GeoQuery &) { return failed("HTTP 429"); });
        GeoService service(offlineSettings(cachePath), std::move(c.providers));
        QCOMPARE(decide(service, query("1.0.0.3")).status, GeoStatus::Failed);
        QCOMPARE(decide(service, query("1.0.0.3")).status, GeoStatus::Failed);
        QCOMPARE(c.logs.at(0)->size(), 2);
    }

    void implausibleCandidateIsRejectedAndNextTried()
    {
        Chain c;
        c.add("db", [](const GeoQuery &) { return located(kFrankfurt); });
        c.add("other", [](const GeoQuery &) { return located(kReston); });
        GeoSettings s = offlineSettings();
        s.sourceLatitude = kDcLat;
        s.sourceLongitude = kDcLon;
        GeoService service(s, std::move(c.providers));
        const GeoResult r = decide(service, query("4.2.2.2", 1.0));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("other"));
        QCOMPARE(r.place.city, QStringLiteral("Reston"));
        QCOMPARE(r.rejected.size(), 1);
        QVERIFY2(r.rejected.first().startsWith(QStringLiteral("db: Frankfurt am Main, DE is ")),
                 qPrintable(r.rejected.first()));
        QVERIFY(r.rejected.first().contains(QStringLiteral("1.0 ms allows at most 160 km")));
        QVERIFY2(r.reason.contains(QStringLiteral("within the 1.0 ms RTT bound")), qPrintable(r.reason));
    }

    void everyCandidateImplausible()
    {
        Chain c;
        c.add("db", [](const GeoQuery &) { return located(kFrankfurt); });
        c.add("other", [](const GeoQuery &) { return located(kLondon); });
        GeoSettings s = offlineSettings();
        s.sourceLatitude = kDcLat;
        s.sourceLongitude = kDcLon;
        GeoService service(s, std::move(c.providers));
        const GeoResult r = decide(service, query("4.2.2.3", 2.0));
        QCOMPARE(r.status, GeoStatus::Unlocatable);
        QCOMPARE(r.rejected.size(), 2);
        QCOMPARE(r.reason, QStringLiteral("every candidate was implausible"));
    }

    void alternativesAreTried()
    {
        Chain c;
        c.add("hint", [](const GeoQuery &) { return located(kNashua, 0.6, {kAshburn}); });
        GeoSettings s = offlineSettings();
        s.sourceLatitude = kDcLat;
        s.sourceLongitude = kDcLon;
        GeoService service(s, std::move(c.providers));
        const GeoResult r = decide(service, query("4.2.2.4", 1.0));
        QCOMPARE(r.place.city, QStringLiteral("Ashburn"));
        QCOMPARE(r.rejected.size(), 1);
        QVERIFY(r.rejected.first().contains(QStringLiteral("Nashua")));
    }

    // The carrier's "ash" (Ashburn, VA) against IATA ASH (Nashua, NH), decided by the RTT from
    // where the trace starts, with the real hint provider and dictionary.
    void ashburnOrNashua_data()
    {
        QTest::addColumn<double>("sourceLat");
        QTest::addColumn<double>("sourceLon");
        QTest::addColumn<double>("rttMs");
        QTest::addColumn<QString>("city");
        QTest::newRow("from Washington DC, 1 ms") << kDcLat << kDcLon << 1.0 << "Ashburn";
        QTest::newRow("from Boston, 1 ms") << 42.3601 << -71.0589 << 1.0 << "Nashua";
        QTest::newRow("from Washington DC, RTT unknown") << kDcLat << kDcLon << -1.0 << "Ashburn";
    }
    void ashburnOrNashua()
    {
        QFETCH(double, sourceLat);
        QFETCH(double, sourceLon);
        QFETCH(double, rttMs);
        QFETCH(QString, city);
        Chain c;
        c.add("mmdb", [](const GeoQuery &) { return unlocatable(); });
        c.addHints();
        GeoSettings s = offlineSettings();
        s.sourceLatitude = sourceLat;
        s.sourceLongitude = sourceLon;
        GeoService service(s, std::move(c.providers));
        const GeoResult r = decide(service, query("4.69.1.1", rttMs, "ae-2.r01.ash1.example.net"));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("hostname"));
        QCOMPARE(r.place.city, city);
        QCOMPARE(r.hostname, QStringLiteral("ae-2.r01.ash1.example.net"));
    }

    // A database answer near the hint stands, with more confidence; a plausible hint far from
    // the database answer wins (router addresses are registered where the network's owner is).
    void hintAgainstDatabase_data()
    {
        QTest::addColumn<GeoPlace>("db");
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<double>("rttMs");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("city");
        QTest::addColumn<bool>("moreConfident");
        QTest::newRow("agree: DB Frankfurt, hint fra")
            << kFrankfurt << "ae-1.r21.frnkge13.de.bb.gin.ntt.net" << 12.0 << "mmdb"
            << "Frankfurt am Main" << true;
        QTest::newRow("disagree: DB Amsterdam, hint London, RTT-checked")
            << kAmsterdam << "be2869.ccr41.lon13.atlas.cogentco.com" << 20.0 << "hostname"
            << "London" << false;
        QTest::newRow("hint implausible: DB Amsterdam stays")
            << kAmsterdam << "be2869.ccr41.lon13.atlas.cogentco.com" << 5.0 << "mmdb"
            << "Amsterdam" << false;
    }
    void hintAgainstDatabase()
    {
        QFETCH(GeoPlace, db);
        QFETCH(QString, hostname);
        QFETCH(double, rttMs);
        QFETCH(QString, provider);
        QFETCH(QString, city);
        QFETCH(bool, moreConfident);
        Chain c;
        c.add("mmdb", [db](const GeoQuery &) { return located(db, 0.5); });
        c.addHints();
        GeoSettings s = offlineSettings();
        s.sourceLatitude = kFrankfurt.latitude; // the trace starts in Frankfurt
        s.sourceLongitude = kFrankfurt.longitude;
        GeoService service(s, std::move(c.providers));
        const GeoResult r = decide(service, query("4.69.2.2", rttMs, qPrintable(hostname)));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, provider);
        QVERIFY2(r.place.city.startsWith(city), qPrintable(r.place.city));
        if (moreConfident)
            QVERIFY2(r.confidence > 0.5, qPrintable(r.reason));
    }

    void silentProviderTimesOutAndTheChainGoesOn()
    {
        Chain c;
        c.add(
            "silent", [](const GeoQuery &) { return located(kLondon); }, FakeProvider::kNever);
        c.add(
            "b", [](const GeoQuery &) { return located(kFrankfurt); }, 5);
        GeoService service(offlineSettings(), std::move(c.providers));
        QElapsedTimer t;
        t.start();
        const GeoResult r = decide(service, query("5.5.5.5"));
        QCOMPARE(r.provider, QStringLiteral("b"));
        QVERIFY2(r.rejected.join(QLatin1Char('|')).contains(QStringLiteral("silent: no answer within")),
                 qPrintable(r.rejected.join(QLatin1Char('|'))));
        QVERIFY(t.elapsed() < 3000);
    }

    void onlySilentProvidersTimeOut()
    {
        Chain c;
        c.add(
            "silent", [](const GeoQuery &) { return located(kLondon); }, FakeProvider::kNever);
        GeoService service(offlineSettings(), std::move(c.providers));
        const GeoResult r = decide(service, query("5.5.5.6"));
        QCOMPARE(r.status, GeoStatus::TimedOut);
    }

    void lateAnswersAfterTimeoutAreIgnored()
    {
        Chain c;
        c.add(
            "late", [](const GeoQuery &) { return located(kLondon); }, 1500); // timeout is 300 + 500 ms
        c.add("b", [](const GeoQuery &) { return located(kFrankfurt); });
        GeoService service(offlineSettings(), std::move(c.providers));
        QSignalSpy spy(&service, &GeoService::located);
        service.locate(query("5.5.5.7"));
        QTRY_COMPARE(spy.size(), 1);
        QCOMPARE(spy.first().first().value<GeoResult>().provider, QStringLiteral("b"));
        QTest::qWait(1000);
        QCOMPARE(spy.size(), 1);
    }

    void destroyedWithLookupsPending()
    {
        Chain c;
        c.add(
            "slow", [](const GeoQuery &) { return located(kLondon); }, 50);
        c.add(
            "silent", [](const GeoQuery &) { return located(kLondon); }, FakeProvider::kNever);
        auto service = std::make_unique<GeoService>(offlineSettings(), std::move(c.providers));
        QSignalSpy spy(service.get(), &GeoService::located);
        service->locate(query("6.6.6.6"));
        service->locate(query("6.6.6.7"));
        service.reset();
        QTest::qWait(150); // the slow provider's answers arrive after the service is gone
        QCOMPARE(spy.size(), 0);
    }

    void cancelAllDropsPending()
    {
        Chain c;
        c.add(
            "slow", [](const GeoQuery &) { return located(kLondon); }, 50);
        GeoService service(offlineSettings(), std::move(c.providers));
        QSignalSpy spy(&service, &GeoService::located);
        service.locate(query("6.6.6.8"));
        service.cancelAll();
        QCOMPARE(service.pendingCount(), 0);
        QTest::qWait(150);
        QCOMPARE(spy.size(), 0);
    }

    void invalidAddressFails()
    {
        GeoService service(offlineSettings(), std::vector<std::unique_ptr<GeoProvider>>());
        const GeoResult r = decide(service, GeoQuery());
        QCOMPARE(r.status, GeoStatus::Failed);
    }

    // The default chain with online lookups on, against a loopback server answering like
    // ip-api.com and Nominatim. Reverse DNS and AS lookups are off: no DNS query leaves the test.
    void onlineChainAgainstLoopback()
    {
        using tracemap::test::LoopbackHttpServer;
        LoopbackHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/ip/8.8.4.4"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(
                R"({"status":"success","country":"United States","countryCode":"US",
                "regionName":"California","city":"Mountain View","lat":37.4056,"lon":-122.0775})");
        });
        server.route(QStringLiteral("/ip/8.8.8.8"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::text("oops", 500);
        });
        server.route(QStringLiteral("/search"), [](const LoopbackHttpServer::Request &) {
            return LoopbackHttpServer::json(
                R"([{"lat":"49.4521","lon":"11.0767","display_name":"Kleinstadt, Bayern, Deutschland",
                     "address":{"city":"Kleinstadt","state":"Bayern","country_code":"de"}}])");
        });
        QTemporaryDir dir;
        const QString feed = dir.filePath(QStringLiteral("geofeed.csv"));
        QFile f(feed);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("192.0.2.0/24,DE,DE-BY,Kleinstadt am Nirgendwo,\n");
        f.close();

        GeoSettings s;
        s.offline = false;
        s.onlineLookups = true;
        s.reverseDns = false;
        s.asLookups = false;
        s.cachePath = QStringLiteral("-");
        s.databasePaths = {dir.filePath(QStringLiteral("none.mmdb"))};
        s.overridePaths = {feed};
        s.ipProviderUrl = QUrl(server.url().toString() + QStringLiteral("/ip/{ip}"));
        s.nominatimUrl = server.url();
        s.lookupTimeoutMs = 2000;
        GeoService service(s);

        GeoResult r = decide(service, query("8.8.4.4", -1, ""));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("ip-api"));
        QCOMPARE(r.place.city, QStringLiteral("Mountain View"));

        r = decide(service, query("8.8.8.8", -1, ""));
        QCOMPARE(r.status, GeoStatus::Failed);
        QVERIFY2(r.error.contains(QStringLiteral("ip-api")), qPrintable(r.error));

        // A geofeed city the offline dictionary does not know is placed through Nominatim.
        r = decide(service, query("192.0.2.77"));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("override"));
        QVERIFY(std::abs(r.place.latitude - 49.4521) < 1e-3);
        QCOMPARE(server.requestCount(QStringLiteral("/search")), 1);
        QVERIFY2(service.attributions().join(QLatin1Char('|')).contains(QStringLiteral("OpenStreetMap")),
                 qPrintable(service.attributions().join(QLatin1Char('|'))));
        // The next address of the prefix needs no second request.
        r = decide(service, query("192.0.2.78"));
        QCOMPARE(r.provider, QStringLiteral("override"));
        QCOMPARE(server.requestCount(QStringLiteral("/search")), 1);
    }

    // The default chain looks the hop's name up before asking the hint provider: reverse DNS
    // (from a loopback responder) names the router, the hint places it, and the result carries
    // the name. Only the PTR question is sent, to 127.0.0.61.
    void reverseDnsFeedsTheHostnameHint()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to bind a DNS responder to port 53 on loopback");
        PtrResponder dns;
        const QHostAddress server(QStringLiteral("127.0.0.61"));
        QVERIFY(dns.listen(server, "ae-2.r01.ash1.example.net"));
        QTemporaryDir dir;
        GeoSettings s;
        s.offline = false;
        s.onlineLookups = false;
        s.reverseDns = true;
        s.asLookups = false; // no Team Cymru
        s.dnsServer = server;
        s.cachePath = QStringLiteral("-");
        s.databasePaths = {dir.filePath(QStringLiteral("none.mmdb"))};
        s.sourceLatitude = kDcLat;
        s.sourceLongitude = kDcLon;
        s.lookupTimeoutMs = 2000;
        GeoService service(s);
        GeoQuery q;
        q.address = QHostAddress(QStringLiteral("4.69.1.1"));
        q.rttMs = 1.0;
        const GeoResult r = decide(service, q);
        QCOMPARE(r.hostname, QStringLiteral("ae-2.r01.ash1.example.net"));
        QCOMPARE(r.status, GeoStatus::Located);
        QCOMPARE(r.provider, QStringLiteral("hostname"));
        QCOMPARE(r.place.city, QStringLiteral("Ashburn"));
        QCOMPARE(dns.questions(), 1);
    }

    void defaultChainOfflineWithoutDatabase()
    {
        QTemporaryDir dir;
        GeoSettings s = offlineSettings();
        s.databasePaths = {dir.filePath(QStringLiteral("missing.mmdb"))};
        GeoService service(s);
        const GeoResult r = decide(service, query("8.8.8.8", -1, ""));
        QCOMPARE(r.status, GeoStatus::Unlocatable);
        QVERIFY(!service.warnings().isEmpty());
        QVERIFY2(service.warnings().first().contains(QStringLiteral("missing.mmdb")),
                 qPrintable(service.warnings().join(QLatin1Char('|'))));
        QCOMPARE(service.databaseBuild(), QString());
    }
};

QTEST_GUILESS_MAIN(TestGeoService)
#include "tst_geoservice.moc"
