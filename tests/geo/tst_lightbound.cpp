// Property: no placed hop of a traced route lies farther from the trace's start than light in
// fibre can go in its best RTT (plausibility.h: maxPlausibleKm). Hundreds of random routes
// (fixed seeds) go through one GeoService and one TraceLocator, as in the desktop app that keeps
// both for its lifetime and in the CLI: the hops either arrive one by one (the desktop path) or
// as a finished trace (the CLI path). Candidate places come from fake providers (a database
// with alternatives, a hostname hint) and from user overrides, all random; addresses repeat
// across routes with other RTTs and other sources, so remembered decisions are tested too.
// A hop whose every candidate fails is "no place" with a reason.
#include "geoservice.h"
#include "tracelocator.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

namespace {

// A random place; latitudes stay within ±70° so distances are easy to read in messages.
GeoPlace randomPlace(QRandomGenerator &random)
{
    GeoPlace p;
    p.latitude = random.bounded(140.0) - 70.0;
    p.longitude = random.bounded(360.0) - 180.0;
    p.accuracyKm = 25;
    p.city = QStringLiteral("somewhere");
    p.countryCode = QStringLiteral("XX");
    return p;
}

// A place near `origin` (within `km` or so), for candidates the RTT may allow.
GeoPlace placeNear(QRandomGenerator &random, const SourceLocation &origin, double km)
{
    GeoPlace p = randomPlace(random);
    const double degrees = km / 111.0;
    p.latitude = std::clamp(origin.latitude + (random.bounded(2.0) - 1.0) * degrees, -80.0, 80.0);
    p.longitude = std::fmod(origin.longitude + (random.bounded(2.0) - 1.0) * degrees + 540.0, 360.0) - 180.0;
    return p;
}

// Answers every query at once with places drawn from the address (the same address always
// gets the same candidates, whatever its RTT), some far, some near the "home" of the world.
class RandomProvider final : public GeoProvider
{
public:
    RandomProvider(QString id, ProviderRole role, quint32 salt, SourceLocation home)
        : m_id(std::move(id)), m_role(role), m_salt(salt), m_home(home)
    {}
    QString id() const override { return m_id; }
    ProviderRole role() const override { return m_role; }
    void lookup(const GeoQuery &query, Callback done) override
    {
        QRandomGenerator random(query.address.toIPv4Address() ^ m_salt);
        GeoAnswer a;
        a.provider = m_id;
        if (random.bounded(5) == 0) {
            a.status = GeoStatus::Unlocatable;
            a.reason = QStringLiteral("not in the fake table");
            done(a);
            return;
        }
        a.status = GeoStatus::Located;
        a.confidence = m_role == ProviderRole::Hint ? 0.5 + random.bounded(0.4) : 0.45 + random.bounded(0.1);
        a.providerDetail = QStringLiteral("fake:%1").arg(query.address.toString());
        a.reason = QStringLiteral("the fake %1 says so").arg(m_id);
        auto candidate = [&] {
            return random.bounded(2) == 0 ? randomPlace(random)
                                          : placeNear(random, m_home, random.bounded(3000.0));
        };
        a.place = candidate();
        const int alternatives = random.bounded(4);
        for (int i = 0; i < alternatives; ++i)
            a.alternatives << candidate();
        done(a);
    }

private:
    QString m_id;
    ProviderRole m_role;
    quint32 m_salt;
    SourceLocation m_home;
};

ProbeReply reply(const QHostAddress &from, double rttMs, int query)
{
    ProbeReply r;
    r.query = query;
    r.responder = from;
    r.rttMs = rttMs;
    r.kind = ReplyKind::TimeExceeded;
    return r;
}

struct Route
{
    QList<Hop> hops;
    std::optional<SourceLocation> configured;
};

// A route of 4-14 hops: maybe a private first hop, then addresses from `pool` with RTTs that
// grow along the route, with noise and the odd second responder or silent probe.
Route randomRoute(QRandomGenerator &random, const QList<QHostAddress> &pool, const SourceLocation &home)
{
    Route route;
    if (random.bounded(2) == 0) {
        const GeoPlace start = placeNear(random, home, 2000);
        route.configured = SourceLocation{start.latitude, start.longitude};
    }
    const int length = 4 + random.bounded(11);
    double rtt = 0.2 + random.bounded(2.0);
    for (int ttl = 1; ttl <= length; ++ttl) {
        Hop hop;
        hop.ttl = ttl;
        hop.complete = true;
        const QHostAddress main = ttl == 1 && random.bounded(2) == 0
                                      ? QHostAddress(QStringLiteral("192.168.1.1"))
                                      : pool.at(random.bounded(int(pool.size())));
        const QHostAddress other = pool.at(random.bounded(int(pool.size())));
        for (int q = 1; q <= 3; ++q) {
            if (random.bounded(8) == 0) {
                ProbeReply silent;
                silent.query = q;
                hop.replies << silent;
                continue;
            }
            const QHostAddress &from = random.bounded(6) == 0 ? other : main;
            hop.replies << reply(from, rtt + random.bounded(rtt * 0.3 + 0.5), q);
        }
        hop.probesSent = 3;
        route.hops << hop;
        rtt += random.bounded(25.0);
    }
    return route;
}

// Overrides for some /24s of the pool: random places, near or far.
QString writeOverrides(QRandomGenerator &random, const QString &path, const SourceLocation &home)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return file.errorString();
    for (int i = 0; i < 12; ++i) {
        const GeoPlace p = random.bounded(2) == 0 ? randomPlace(random) : placeNear(random, home, 1500);
        file.write(QStringLiteral("45.%1.%2.0/24,%3,%4,override %5\n")
                       .arg(random.bounded(4))
                       .arg(random.bounded(20))
                       .arg(p.latitude, 0, 'f', 4)
                       .arg(p.longitude, 0, 'f', 4)
                       .arg(i)
                       .toUtf8());
    }
    return {};
}

} // namespace

class TestLightBound : public QObject
{
    Q_OBJECT

private slots:
    void placedHopsRespectTheBound_data()
    {
        QTest::addColumn<bool>("incremental");
        QTest::addColumn<quint32>("seed");
        QTest::newRow("desktop path: hops as they arrive") << true << 20261201u;
        QTest::newRow("cli path: the finished trace") << false << 20261202u;
        QTest::newRow("desktop path, another world") << true << 7u;
        QTest::newRow("cli path, another world") << false << 8u;
    }

    void placedHopsRespectTheBound()
    {
        QFETCH(bool, incremental);
        QFETCH(quint32, seed);
        QRandomGenerator random(seed);
        const SourceLocation home{random.bounded(100.0) - 50.0, random.bounded(360.0) - 180.0};

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString overrides = dir.filePath(QStringLiteral("overrides.csv"));
        QCOMPARE(writeOverrides(random, overrides, home), QString());

        GeoSettings settings;
        settings.offline = true;
        settings.reverseDns = false;
        settings.asLookups = false;
        settings.cachePath = QStringLiteral("-");
        settings.overridePaths = {overrides};
        std::vector<std::unique_ptr<GeoProvider>> chain;
        chain.push_back(
            std::make_unique<RandomProvider>(QStringLiteral("mmdb"), ProviderRole::Database, seed, home));
        chain.push_back(std::make_unique<RandomProvider>(QStringLiteral("hostname"), ProviderRole::Hint,
                                                         seed * 31u, home));
        GeoService service(settings, std::move(chain));
        TraceLocator locator;
        locator.setService(&service);

        QList<QHostAddress> pool;
        for (int i = 0; i < 80; ++i)
            pool << QHostAddress(QStringLiteral("45.%1.%2.%3")
                                     .arg(random.bounded(4))
                                     .arg(random.bounded(20))
                                     .arg(1 + random.bounded(250)));

        int placed = 0, checked = 0, refused = 0;
        for (int n = 0; n < 150; ++n) {
            const Route route = randomRoute(random, pool, home);
            locator.reset();
            locator.setConfiguredSource(route.configured);
            if (incremental) {
                for (qsizetype k = 1; k <= route.hops.size(); ++k)
                    locator.update(route.hops.mid(0, k), false);
            }
            locator.update(route.hops, true);
            QVERIFY2(locator.isDone(), qPrintable(QStringLiteral("route %1 did not finish").arg(n)));

            for (const HopQuery &q : tracePlan(route.hops, true, true)) {
                const GeoResult r = locator.resultFor(q.query.address);
                if (r.status != GeoStatus::Located) {
                    QVERIFY2(!r.reason.isEmpty(), qPrintable(q.query.address.toString()));
                    refused += r.reason.contains(QLatin1String("implausible"));
                    continue;
                }
                ++placed;
                const bool isSource = locator.sourceTtl() > 0 && q.ttl == locator.sourceTtl() &&
                                      locator.source().latitude == r.place.latitude &&
                                      locator.source().longitude == r.place.longitude;
                if (!locator.hasSource() || q.query.rttMs < 0 || isSource)
                    continue;
                ++checked;
                const double km = greatCircleKm(locator.source().latitude, locator.source().longitude,
                                                r.place.latitude, r.place.longitude);
                const double bound = maxPlausibleKm(q.query.rttMs);
                QVERIFY2(
                    km <= bound + 1e-6,
                    qPrintable(QStringLiteral("route %1, TTL %2, %3 (%4): placed %5 km from the start, %6 ms "
                                              "allows %7 km; %8")
                                   .arg(n)
                                   .arg(q.ttl)
                                   .arg(q.query.address.toString(), r.provider)
                                   .arg(qRound64(km))
                                   .arg(q.query.rttMs)
                                   .arg(qRound64(bound))
                                   .arg(r.reason)));
            }
        }
        // Not vacuous: many hops were placed and checked, and the check refused some.
        QVERIFY2(checked > 300, qPrintable(QString::number(checked)));
        QVERIFY2(placed > checked, qPrintable(QString::number(placed)));
        QVERIFY2(refused > 20, qPrintable(QString::number(refused)));
    }
};

QTEST_GUILESS_MAIN(TestLightBound)
#include "tst_lightbound.moc"
