// When an operator rule's reading of a code is one light could not have reached, the chain falls
// back on the other readings the hint offers (geo/hostnamehints.cpp addFallbackReadings(),
// geo/hostnamehintsabbrev.h worldCitiesAbbreviated(), geo/arbitration.h). The names are real
// (tests/data/router-names-heldout5.tsv: PCCW's "tap" is Taipei, Sparkle's "buc" Bucharest); the
// code tables here are cut so that those codes are not listed, as they were not before held-out
// set 5 was read. The RTTs and sources are set by each row, not measured.

#include "arbitration.h"
#include "gazetteer.h"
#include "hostnamehints.h"
#include "hostnamehintsabbrev.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

class TestHintFallback : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const PlaceDictionary> m_places;
    QTemporaryDir m_dir;
    std::unique_ptr<HostnameHintProvider> m_sparse; // real rules, PCCW and Sparkle tables cut
    std::unique_ptr<HostnameHintProvider> m_full;   // the compiled-in rules and tables

    SourceLocation cityAt(const QString &city, const QString &country) const
    {
        const QList<PlaceEntry> found = m_places->findCity(city, country);
        return found.isEmpty() ? SourceLocation{}
                               : SourceLocation{found.first().latitude, found.first().longitude};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_places = PlaceDictionary::loadBuiltin();
        QFile codes(m_dir.filePath("codes.tsv"));
        QVERIFY(codes.open(QIODevice::WriteOnly));
        codes.write("pccw\tsjo\tSan Jose\tCA\tUS\n"
                    "pccw\ttok\tTokyo\t\tJP\n"
                    "seabone\tmil\tMilan\t\tIT\n"
                    "seabone\tmia\tMiami\tFL\tUS\n");
        codes.close();
        const auto rules = OperatorRules::load(":/geo/operator-rules.tsv", codes.fileName());
        QVERIFY2(rules->loadErrors().isEmpty(), qPrintable(rules->loadErrors().join('\n')));
        m_sparse = std::make_unique<HostnameHintProvider>(m_places, rules);
        m_full = std::make_unique<HostnameHintProvider>(m_places);
    }

    void worldCities_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QString>("first"); // empty: none
        QTest::newRow("tap: Taipei") << "tap" << 3 << "Taipei";
        QTest::newRow("buc: Bucharest") << "buc" << 3 << "Bucharest";
        QTest::newRow("nyc: New York City") << "nyc" << 3 << "New York City";
        QTest::newRow("no city of a million") << "qxz" << 3 << "";
        QTest::newRow("two letters are too few") << "ta" << 3 << "";
        QTest::newRow("limit 0") << "tap" << 0 << "";
    }

    void worldCities()
    {
        QFETCH(QString, code);
        QFETCH(int, limit);
        QFETCH(QString, first);
        const Gazetteer &g = m_places->gazetteer();
        const QList<int> rows = worldCitiesAbbreviated(g, code, limit);
        QVERIFY(rows.size() <= limit);
        if (first.isEmpty()) {
            QVERIFY(rows.isEmpty());
            return;
        }
        QVERIFY(!rows.isEmpty());
        QCOMPARE(g.place(rows.first()).name, first);
        for (qsizetype i = 0; i < rows.size(); ++i) {
            QVERIFY(g.population(rows[i]) >= 1000000);
            QVERIFY(isAbbreviationOf(code.toLatin1(), g.key(rows[i])));
            if (i > 0)
                QVERIFY(g.population(rows[i - 1]) >= g.population(rows[i]));
        }
    }

    // name, where the trace starts, the hop's RTT: what the chain draws.
    void chainFallsBack_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("firstReading"); // the hint's own first place
        QTest::addColumn<QString>("fromCity");
        QTest::addColumn<QString>("fromCountry");
        QTest::addColumn<double>("rttMs");
        QTest::addColumn<QString>("drawn"); // empty: no place

        // IATA TAP is Tapachula, Mexico; 25 ms from Hong Kong reaches Taipei, not Mexico.
        QTest::newRow("pccw tap from Hong Kong") << "Bundle-Ether45.br02.tap04.pccwbtn.net"
                                                 << "Tapachula"
                                                 << "Hong Kong"
                                                 << "HK" << 25.0 << "Taipei";
        // From Mexico City Tapachula is within reach: the first reading stands.
        QTest::newRow("pccw tap from Mexico City") << "Bundle-Ether45.br02.tap04.pccwbtn.net"
                                                   << "Tapachula"
                                                   << "Mexico City"
                                                   << "MX" << 15.0 << "Tapachula";
        // An RTT that long rules out nothing: the first reading stands.
        QTest::newRow("pccw tap far away, long RTT") << "ncic.be6.br01.tap04.pccwbtn.net"
                                                     << "Tapachula"
                                                     << "Hong Kong"
                                                     << "HK" << 300.0 << "Tapachula";
        // IATA BUC is Burketown, Australia: a small airport, while Bucharest is a city of millions
        // whose name the code begins, so Bucharest is read first and Burketown kept behind it.
        QTest::newRow("sparkle buc from Milan") << "ae6.bucarest1.buc.seabone.net"
                                                << "Bucharest"
                                                << "Milan"
                                                << "IT" << 30.0 << "Bucharest";
        QTest::newRow("sparkle buc from Brisbane") << "cloudflare.bucarest1.buc.seabone.net"
                                                   << "Bucharest"
                                                   << "Brisbane"
                                                   << "AU" << 20.0 << "Burketown";
        // Nothing within reach: no place, never a wrong one.
        QTest::newRow("pccw tap, 2 ms from Milan") << "Bundle-Ether45.br02.tap04.pccwbtn.net"
                                                   << "Tapachula"
                                                   << "Milan"
                                                   << "IT" << 2.0 << "";
    }

    void chainFallsBack()
    {
        QFETCH(QString, name);
        QFETCH(QString, firstReading);
        QFETCH(QString, fromCity);
        QFETCH(QString, fromCountry);
        QFETCH(double, rttMs);
        QFETCH(QString, drawn);
        const GeoAnswer hint = m_sparse->hintFor(name);
        QCOMPARE(hint.status, GeoStatus::Located);
        QCOMPARE(hint.place.city, firstReading);
        const SourceLocation from = cityAt(fromCity, fromCountry);
        QVERIFY(from.isValid());
        Arbitration arbitration(from, rttMs);
        arbitration.asking(ProviderRole::Hint);
        arbitration.consider(ProviderRole::Hint, m_sparse->id(), hint);
        const GeoResult result = arbitration.decide(QStringLiteral("no hint"));
        if (drawn.isEmpty()) {
            QCOMPARE(result.status, GeoStatus::Unlocatable);
            QCOMPARE(result.reason, QString::fromLatin1(kEveryCandidateImplausible));
            return;
        }
        QCOMPARE(result.status, GeoStatus::Located);
        QCOMPARE(result.place.city, drawn);
        QVERIFY(!checkPlausibility(result.place, from, rttMs).isImplausible());
        if (drawn != firstReading)
            QVERIFY2(result.reason.contains(QStringLiteral("%1, %2 is out of reach, so the next reading, %3")
                                                .arg(firstReading, hint.place.countryCode, drawn)),
                     qPrintable(result.reason));
    }

    // The fallbacks never change the hint's first reading or its confidence, and a table code
    // (the operator's own word for the place) gets none.
    void fallbacksStayBehind()
    {
        const GeoAnswer sparse = m_sparse->hintFor("Bundle-Ether45.br02.tap04.pccwbtn.net");
        QCOMPARE(sparse.place.city, QStringLiteral("Tapachula"));
        bool taipei = false;
        for (const GeoPlace &p : sparse.alternatives)
            taipei = taipei || p.city == QLatin1String("Taipei");
        QVERIFY2(taipei, qPrintable(sparse.reason));
        QVERIFY2(sparse.reason.contains("could also be Taipei"), qPrintable(sparse.reason));

        const GeoAnswer full = m_full->hintFor("Bundle-Ether45.br02.tap04.pccwbtn.net");
        QCOMPARE(full.place.city, QStringLiteral("Taipei"));
        QVERIFY(full.alternatives.isEmpty());
        QVERIFY(full.confidence >= 0.85);
    }
};

QTEST_GUILESS_MAIN(TestHintFallback)
#include "tst_hintfallback.moc"
