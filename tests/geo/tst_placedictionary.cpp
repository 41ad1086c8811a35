// The compiled-in place dictionaries (resources/geo/*.tsv): IATA and ICAO codes, carriers'
// codes, GeoNames cities, name normalisation, files with broken lines, and one shared copy per
// process.

#include "geoservice.h"
#include "placedictionary.h"

#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace tracemap;

class TestPlaceDictionary : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const PlaceDictionary> m_places;

private slots:
    void initTestCase()
    {
        m_places = PlaceDictionary::loadBuiltin();
        QVERIFY(m_places);
        QVERIFY2(m_places->loadErrors().isEmpty(), qPrintable(m_places->loadErrors().join('\n')));
        // ~6000 airports under IATA and ~6000 under ICAO codes, ~135,000 GeoNames places, ~80
        // carrier codes.
        QVERIFY2(m_places->size() > 140000, qPrintable(QString::number(m_places->size())));
    }

    void codes_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("countryCode");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("longitude");
        QTest::newRow("iata fra") << "fra"
                                  << "iata"
                                  << "Frankfurt"
                                  << "DE" << 50.03 << 8.57;
        QTest::newRow("iata upper case") << "LHR"
                                         << "iata"
                                         << "London"
                                         << "GB" << 51.47 << -0.46;
        QTest::newRow("carrier code before iata") << "ASH"
                                                  << "metro"
                                                  << "Ashburn"
                                                  << "US" << 39.04 << -77.49;
        QTest::newRow("clli frnkge") << "frnkge"
                                     << "clli"
                                     << "Frankfurt am Main"
                                     << "DE" << 50.11 << 8.68;
        QTest::newRow("clli asbnva") << "asbnva"
                                     << "clli"
                                     << "Ashburn"
                                     << "US" << 39.04 << -77.49;
        QTest::newRow("metro lon") << "lon"
                                   << "metro"
                                   << "London"
                                   << "GB" << 51.51 << -0.13;
        QTest::newRow("metro tyo") << "tyo"
                                   << "metro"
                                   << "Tokyo"
                                   << "JP" << 35.68 << 139.65;
        QTest::newRow("icao eddf") << "eddf"
                                   << "icao"
                                   << "Frankfurt"
                                   << "DE" << 50.03 << 8.57;
        QTest::newRow("icao upper case") << "KJFK"
                                         << "icao"
                                         << "New York"
                                         << "US" << 40.64 << -73.78;
        QTest::newRow("icao egll") << "egll"
                                   << "icao"
                                   << "London"
                                   << "GB" << 51.47 << -0.46;
    }

    // The ICAO code is the same airport as its IATA code, with its rank.
    void icaoMatchesIata()
    {
        const QList<PlaceEntry> icao = m_places->findCode("eddf");
        const QList<PlaceEntry> iata = m_places->findCode("fra");
        QCOMPARE(icao.size(), 1);
        QCOMPARE(icao.first().rank, 2);
        QCOMPARE(icao.first().latitude, iata.last().latitude);
        QVERIFY(m_places->findCode("edd").isEmpty() || m_places->findCode("edd").first().kind != "icao");
    }

    // One dictionary per process: loaded once, on first use, from any thread, and shared by every
    // GeoService unless one is given its own.
    void sharedOncePerProcess()
    {
        std::shared_ptr<const PlaceDictionary> fromThreads[2];
        std::thread a([&] { fromThreads[0] = PlaceDictionary::sharedBuiltin(); });
        std::thread b([&] { fromThreads[1] = PlaceDictionary::sharedBuiltin(); });
        a.join();
        b.join();
        QVERIFY(fromThreads[0]);
        QCOMPARE(fromThreads[0].get(), fromThreads[1].get());
        QCOMPARE(PlaceDictionary::sharedBuiltin().get(), fromThreads[0].get());

        GeoSettings settings;
        settings.offline = true;
        settings.cachePath = QStringLiteral("-");
        settings.databasePaths = {QStringLiteral("/nonexistent/tracemap-test.mmdb")};
        GeoService first(settings);
        GeoService second(settings);
        QCOMPARE(first.placeDictionary().get(), fromThreads[0].get());
        QCOMPARE(second.placeDictionary().get(), first.placeDictionary().get());

        // Injected: that one, not the shared one.
        settings.places = m_places;
        GeoService own(settings);
        QCOMPARE(own.placeDictionary().get(), m_places.get());
    }

    void codes()
    {
        QFETCH(QString, code);
        QFETCH(QString, kind);
        QFETCH(QString, city);
        QFETCH(QString, countryCode);
        QFETCH(double, latitude);
        QFETCH(double, longitude);
        const QList<PlaceEntry> hits = m_places->findCode(code);
        QVERIFY(!hits.isEmpty());
        const PlaceEntry &first = hits.first();
        QCOMPARE(first.kind, kind);
        QCOMPARE(first.code, code.toLower());
        QCOMPARE(first.city, city);
        QCOMPARE(first.countryCode, countryCode);
        QVERIFY(qAbs(first.latitude - latitude) < 0.05);
        QVERIFY(qAbs(first.longitude - longitude) < 0.05);
    }

    void collidingCodeKeepsBothMeanings()
    {
        // Carriers' "ash" is Ashburn VA; IATA ASH is Nashua NH. The carrier's meaning leads.
        const QList<PlaceEntry> hits = m_places->findCode("ash");
        QCOMPARE(hits.size(), 2);
        QCOMPARE(hits.at(0).city, QString("Ashburn"));
        QCOMPARE(hits.at(1).kind, QString("iata"));
        QCOMPARE(hits.at(1).city, QString("Nashua"));
        QCOMPARE(hits.at(0).rank, 2);
        QCOMPARE(hits.at(1).rank, 0);
    }

    void unknownCode()
    {
        QVERIFY(m_places->findCode("qqq").isEmpty());
        QVERIFY(m_places->findCode("").isEmpty());
    }

    void cities_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("countryFilter");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("countryCode");
        QTest::newRow("most populous first") << "London"
                                             << ""
                                             << "London"
                                             << "GB";
        QTest::newRow("country filter") << "London"
                                        << "CA"
                                        << "London"
                                        << "CA";
        QTest::newRow("first-word alias") << "frankfurt"
                                          << ""
                                          << "Frankfurt am Main"
                                          << "DE";
        QTest::newRow("without spaces") << "losangeles"
                                        << "US"
                                        << "Los Angeles"
                                        << "US";
        QTest::newRow("City suffix dropped") << "NewYork"
                                             << ""
                                             << "New York City"
                                             << "US";
        QTest::newRow("accents ignored") << "Sao Paulo"
                                         << ""
                                         << "São Paulo"
                                         << "BR";
        QTest::newRow("umlaut written plainly") << "Dusseldorf"
                                                << ""
                                                << "Düsseldorf"
                                                << "DE";
        QTest::newRow("alternate name") << "Milano"
                                        << ""
                                        << "Milan"
                                        << "IT";
    }

    // The gazetteer holds every place of 1000 inhabitants, so geofeeds and host names may name
    // the small towns where data centres are.
    void smallTowns_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("country");
        QTest::addColumn<QString>("region");
        QTest::newRow("Ashburn") << "Ashburn"
                                 << "US"
                                 << "Virginia";
        QTest::newRow("Secaucus") << "Secaucus"
                                  << "US"
                                  << "New Jersey";
        QTest::newRow("The Dalles") << "The Dalles"
                                    << "US"
                                    << "Oregon";
        QTest::newRow("Eemshaven") << "Eemshaven"
                                   << "NL"
                                   << "Groningen";
    }

    void smallTowns()
    {
        QFETCH(QString, name);
        QFETCH(QString, country);
        QFETCH(QString, region);
        const QList<PlaceEntry> hits = m_places->findCity(name, country);
        QVERIFY(!hits.isEmpty());
        QCOMPARE(hits.first().city, name);
        QCOMPARE(hits.first().region, region);
        QCOMPARE(hits.first().kind, QString("city"));
    }

    void cities()
    {
        QFETCH(QString, name);
        QFETCH(QString, countryFilter);
        QFETCH(QString, city);
        QFETCH(QString, countryCode);
        const QList<PlaceEntry> hits = m_places->findCity(name, countryFilter);
        QVERIFY(!hits.isEmpty());
        QCOMPARE(hits.first().city, city);
        QCOMPARE(hits.first().countryCode, countryCode);
        QCOMPARE(hits.first().kind, QString("city"));
        QVERIFY(hits.first().population >= 100000);
        for (qsizetype i = 1; i < hits.size(); ++i)
            QVERIFY(hits.at(i - 1).population >= hits.at(i).population);
    }

    void codesCarryCityPopulation() { QVERIFY(m_places->findCode("lon").first().population > 1000000); }

    void normalizeName_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("spaces") << "Frankfurt am Main"
                                << "frankfurtammain";
        QTest::newRow("accents") << "São Paulo"
                                 << "saopaulo";
        QTest::newRow("sharp s") << "Gießen"
                                 << "giessen";
        QTest::newRow("nordic") << "Tromsø"
                                << "tromso";
        QTest::newRow("every letter NFKD keeps whole") << "ß ø æ œ ł đ ı þ Ø Æ"
                                                       << "ssoaeoeldithoae";
        QTest::newRow("punctuation") << "'s-Hertogenbosch"
                                     << "shertogenbosch";
        QTest::newRow("other scripts vanish") << "東京"
                                              << "";
    }

    void normalizeName()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(PlaceDictionary::normalizeName(input), expected);
    }

    void countryCodes()
    {
        QVERIFY(m_places->isCountryCode("de"));
        QVERIFY(m_places->isCountryCode("GB"));
        QVERIFY(!m_places->isCountryCode("XX"));
    }

    void brokenFiles()
    {
        QTemporaryDir dir;
        QFile airports(dir.filePath("airports.tsv"));
        QVERIFY(airports.open(QIODevice::WriteOnly));
        airports.write("# header\nFRA\tFrankfurt\tHesse\tDE\t50.03\t8.57\t2\n"
                       "BAD\tnowhere\n"
                       "XXX\tNowhere\t\tZZ\tnorth\t8.5\t1\n"
                       "YYY\tFar\t\tZZ\t95.0\t8.5\t1\n");
        airports.close();
        const auto places = PlaceDictionary::load(airports.fileName(), dir.filePath("missing.tsv"),
                                                  dir.filePath("missing2.tsv"));
        QCOMPARE(places->size(), 1);
        QCOMPARE(places->findCode("fra").size(), 1);
        QVERIFY(places->findCode("bad").isEmpty());
        QCOMPARE(places->loadErrors().size(), 3); // two missing files, one file with skipped lines
        QVERIFY(places->findCity("Frankfurt").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPlaceDictionary)
#include "tst_placedictionary.moc"
