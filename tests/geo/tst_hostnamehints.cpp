// HostnameHintProvider on router names in the styles of large carriers, including codes that
// collide with other places' IATA codes, where the RTT plausibility check has to choose.

#include "hostnamehints.h"
#include "plausibility.h"

#include <QTest>

using namespace tracemap;

class TestHostnameHints : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<HostnameHintProvider> m_hints;

private slots:
    void initTestCase()
    {
        m_hints = std::make_unique<HostnameHintProvider>(PlaceDictionary::loadBuiltin());
        QCOMPARE(m_hints->id(), QString("hostname"));
    }

    void routerNames_data()
    {
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("countryCode");
        QTest::addColumn<QString>("rule");        // providerDetail
        QTest::addColumn<QString>("alternative"); // a city among the alternatives, or empty

        QTest::newRow("ntt clli + country label") << "ae-1.r21.frnkge13.de.bb.gin.ntt.net"
                                                  << "Frankfurt am Main"
                                                  << "DE"
                                                  << "clli:frnkge"
                                                  << "";
        QTest::newRow("ntt clli us") << "ae-2.r01.asbnva02.us.bb.gin.ntt.net"
                                     << "Ashburn"
                                     << "US"
                                     << "clli:asbnva"
                                     << "";
        QTest::newRow("ntt clli london") << "ae-5.r24.londen12.uk.bb.gin.ntt.net"
                                         << "London"
                                         << "GB"
                                         << "clli:londen"
                                         << "";
        QTest::newRow("ntt clli los angeles") << "ae-3.r23.lsanca07.us.bb.gin.ntt.net"
                                              << "Los Angeles"
                                              << "US"
                                              << "clli:lsanca"
                                              << "";
        QTest::newRow("cogent metro lon") << "be2869.ccr41.lon13.atlas.cogentco.com"
                                          << "London"
                                          << "GB"
                                          << "metro:lon"
                                          << "";
        QTest::newRow("cogent iata fra") << "be2846.ccr42.fra03.atlas.cogentco.com"
                                         << "Frankfurt"
                                         << "DE"
                                         << "iata:fra"
                                         << "";
        QTest::newRow("cogent iata sjc") << "be3.ccr21.sjc04.atlas.cogentco.com"
                                         << "San Jose"
                                         << "US"
                                         << "iata:sjc"
                                         << "";
        QTest::newRow("he metro nyc") << "100ge1-1.core1.nyc4.he.net"
                                      << "New York"
                                      << "US"
                                      << "metro:nyc"
                                      << "";
        QTest::newRow("he metro fmt") << "port-channel8.core3.fmt2.he.net"
                                      << "Fremont"
                                      << "US"
                                      << "metro:fmt"
                                      << "";
        QTest::newRow("collision ash") << "et-0-0-2.cr1.ash1.example.net"
                                       << "Ashburn"
                                       << "US"
                                       << "metro:ash"
                                       << "Nashua, US";
        QTest::newRow("zayo iata + uk") << "xe-0.mpr1.lhr15.uk.zip.zayo.com"
                                        << "London"
                                        << "GB"
                                        << "iata:lhr"
                                        << "";
        QTest::newRow("level3 city name") << "ae12.edge3.Frankfurt1.Level3.net"
                                          << "Frankfurt am Main"
                                          << "DE"
                                          << "city:frankfurt"
                                          << "";
        QTest::newRow("level3 newyork") << "ae-1-60.ear1.NewYork1.Level3.net"
                                        << "New York City"
                                        << "US"
                                        << "city:newyork"
                                        << "";
        QTest::newRow("tata city beats pvu") << "ix-ae-4-0.tcore1.pvu-paris.as6453.net"
                                             << "Paris"
                                             << "FR"
                                             << "city:paris"
                                             << "Provo, US";
        QTest::newRow("arelion ffm") << "ffm-bb2-link.ip.twelve99.net"
                                     << "Frankfurt am Main"
                                     << "DE"
                                     << "metro:ffm"
                                     << "";
        QTest::newRow("arelion sjo + us") << "sjo-b23-link.us.ip.twelve99.net"
                                          << "San Jose"
                                          << "US"
                                          << "metro:sjo"
                                          << "San Jose, CR";
        QTest::newRow("city split by dash") << "ae-2.los-angeles.example.com"
                                            << "Los Angeles"
                                            << "US"
                                            << "city:losangeles"
                                            << "";
        QTest::newRow("cctld helps") << "gw1.tokyo.example.jp"
                                     << "Tokyo"
                                     << "JP"
                                     << "city:tokyo"
                                     << "";
        QTest::newRow("access line in a clli-named site") << "pool-71-105-2-3.nycmny.fios.verizon.net"
                                                          << "New York"
                                                          << "US"
                                                          << "clli:nycmny"
                                                          << "";
        QTest::newRow("cdn edge beside an address label") << "server-1-2-3-4.fra2.r.cloudfront.net"
                                                          << "Frankfurt"
                                                          << "DE"
                                                          << "iata:fra"
                                                          << "";
        QTest::newRow("trailing dot, upper case") << "BE2869.CCR41.LON13.ATLAS.COGENTCO.COM."
                                                  << "London"
                                                  << "GB"
                                                  << "metro:lon"
                                                  << "";
    }

    void routerNames()
    {
        QFETCH(QString, hostname);
        QFETCH(QString, city);
        QFETCH(QString, countryCode);
        QFETCH(QString, rule);
        QFETCH(QString, alternative);

        GeoAnswer answer;
        int calls = 0;
        GeoQuery query;
        query.address = QHostAddress("192.0.2.1");
        query.hostname = hostname;
        query.hostnameKnown = true;
        m_hints->lookup(query, [&](const GeoAnswer &a) {
            answer = a;
            ++calls;
        });
        QCOMPARE(calls, 1);
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.provider, QString("hostname"));
        QCOMPARE(answer.place.city, city);
        QCOMPARE(answer.place.countryCode, countryCode);
        QCOMPARE(answer.providerDetail, rule);
        QVERIFY(answer.place.hasCoordinates());
        QVERIFY(answer.place.accuracyKm > 0);
        QVERIFY(answer.confidence > 0.3 && answer.confidence <= 0.85);
        QVERIFY2(answer.reason.contains(rule.section(':', 1)), qPrintable(answer.reason));
        if (!alternative.isEmpty()) {
            QStringList cities;
            for (const GeoPlace &p : answer.alternatives)
                cities.append(QStringLiteral("%1, %2").arg(p.city, p.countryCode));
            QVERIFY2(cities.contains(alternative), qPrintable(cities.join(" | ")));
            QVERIFY2(answer.reason.contains(alternative.section(',', 0, 0)), qPrintable(answer.reason));
        }
    }

    void reasonSentence()
    {
        const GeoAnswer answer = m_hints->hintFor("et-0-0-2.cr1.ash1.example.net");
        QVERIFY2(answer.reason.startsWith("carrier code 'ash' (Ashburn, US)"), qPrintable(answer.reason));
    }

    void noHint_data()
    {
        QTest::addColumn<QString>("hostname");
        QTest::newRow("empty") << "";
        QTest::newRow("address literal") << "192.0.2.7";
        QTest::newRow("no place") << "host-1-2-3-4.static.example.com";
        QTest::newRow("only the domain") << "cogentco.com";
        QTest::newRow("interface words only") << "ae-1.core2.edge3.example.net";
        QTest::newRow("access network words") << "mobile-2-3.pool.dyn.example.se";
        QTest::newRow("garbage") << "....---...";
        QTest::newRow("address spelled out, state label") << "c-73-15-22-1.hsd1.ca.comcast.net";
        QTest::newRow("address label with an airport-like word") << "unn-1-2-3-4.datapacket.com";
    }

    void noHint()
    {
        QFETCH(QString, hostname);
        const GeoAnswer answer = m_hints->hintFor(hostname);
        QCOMPARE(answer.status, GeoStatus::Unlocatable);
        QVERIFY(!answer.reason.isEmpty());
        QVERIFY(answer.alternatives.isEmpty());
    }

    // What the chain does with the alternatives: the first candidate the RTT allows wins.
    void rttPicksAmongCollisions_data()
    {
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<double>("sourceLatitude");
        QTest::addColumn<double>("sourceLongitude");
        QTest::addColumn<double>("rttMs");
        QTest::addColumn<QString>("city");
        QTest::newRow("ash near Washington: Ashburn")
            << "et-0-0-2.cr1.ash1.example.net" << 38.9072 << -77.0369 << 1.0 << "Ashburn, US";
        QTest::newRow("ash near Boston: Nashua")
            << "et-0-0-2.cr1.ash1.example.net" << 42.3601 << -71.0589 << 1.0 << "Nashua, US";
        QTest::newRow("ash far away, long RTT: Ashburn")
            << "et-0-0-2.cr1.ash1.example.net" << 51.5 << -0.12 << 80.0 << "Ashburn, US";
        QTest::newRow("sjo from Palo Alto: San Jose CA")
            << "sjo-b23-link.us.ip.twelve99.net" << 37.44 << -122.14 << 1.0 << "San Jose, US";
        QTest::newRow("sjo from Panama: San José CR")
            << "sjo-b23-link.us.ip.twelve99.net" << 8.98 << -79.52 << 6.0 << "San Jose, CR";
        QTest::newRow("pvu from Lyon: Paris")
            << "ix-ae-4-0.tcore1.pvu-paris.as6453.net" << 45.76 << 4.83 << 5.0 << "Paris, FR";
        QTest::newRow("pvu from Salt Lake City: Provo")
            << "ix-ae-4-0.tcore1.pvu-paris.as6453.net" << 40.76 << -111.89 << 1.0 << "Provo, US";
    }

    void rttPicksAmongCollisions()
    {
        QFETCH(QString, hostname);
        QFETCH(double, sourceLatitude);
        QFETCH(double, sourceLongitude);
        QFETCH(double, rttMs);
        QFETCH(QString, city);
        const GeoAnswer answer = m_hints->hintFor(hostname);
        QCOMPARE(answer.status, GeoStatus::Located);
        QList<GeoPlace> candidates{answer.place};
        candidates += answer.alternatives;
        SourceLocation source;
        source.latitude = sourceLatitude;
        source.longitude = sourceLongitude;
        QString chosen;
        for (const GeoPlace &candidate : candidates) {
            if (!checkPlausibility(candidate, source, rttMs).isImplausible()) {
                chosen = candidate.city + ", " + candidate.countryCode;
                break;
            }
        }
        QCOMPARE(chosen, city);
    }
};

QTEST_GUILESS_MAIN(TestHostnameHints)
#include "tst_hostnamehints.moc"
