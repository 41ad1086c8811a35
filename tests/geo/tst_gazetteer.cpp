// The compiled-in GeoNames gazetteer (resources/geo/gazetteer.tsv, admin1.tsv): the small
// towns where the Internet meets, alternate names, regions, prefixes, and broken files.

#include "gazetteer.h"
#include "placedictionary.h"

#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

class TestGazetteer : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const Gazetteer> m_gazetteer;

    // The first row of `key` in `country` (and `region` when given), or -1.
    int firstIn(const QByteArray &key, const QString &country, const QString &region = {}) const
    {
        for (int row : m_gazetteer->find(key)) {
            if (m_gazetteer->countryCode(row) == country &&
                (region.isEmpty() || m_gazetteer->regionCode(row) == region))
                return row;
        }
        return -1;
    }

private slots:
    void initTestCase()
    {
        QStringList errors;
        m_gazetteer = Gazetteer::load(":/geo/gazetteer.tsv", ":/geo/admin1.tsv", &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        // GeoNames cities1000: about 135,000 places.
        QVERIFY2(m_gazetteer->size() > 130000, qPrintable(QString::number(m_gazetteer->size())));
    }

    void interconnectionTowns_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QString>("country");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("longitude");
        QTest::newRow("Ashburn VA") << QByteArray("ashburn") << "US"
                                    << "VA"
                                    << "Ashburn" << 39.04 << -77.49;
        QTest::newRow("Secaucus NJ") << QByteArray("secaucus") << "US"
                                     << "NJ"
                                     << "Secaucus" << 40.79 << -74.06;
        QTest::newRow("Council Bluffs IA") << QByteArray("councilbluffs") << "US"
                                           << "IA"
                                           << "Council Bluffs" << 41.26 << -95.86;
        QTest::newRow("The Dalles OR") << QByteArray("thedalles") << "US"
                                       << "OR"
                                       << "The Dalles" << 45.59 << -121.18;
        QTest::newRow("Hillsboro OR") << QByteArray("hillsboro") << "US"
                                      << "OR"
                                      << "Hillsboro" << 45.52 << -122.99;
        QTest::newRow("Slough") << QByteArray("slough") << "GB"
                                << ""
                                << "Slough" << 51.51 << -0.60;
        QTest::newRow("Eemshaven (added by hand)") << QByteArray("eemshaven") << "NL"
                                                   << ""
                                                   << "Eemshaven" << 53.44 << 6.83;
        QTest::newRow("Middenmeer") << QByteArray("middenmeer") << "NL"
                                    << ""
                                    << "Middenmeer" << 52.81 << 5.00;
    }

    void interconnectionTowns()
    {
        QFETCH(QByteArray, key);
        QFETCH(QString, country);
        QFETCH(QString, region);
        QFETCH(QString, name);
        QFETCH(double, latitude);
        QFETCH(double, longitude);
        const int row = firstIn(key, country, region);
        QVERIFY(row >= 0);
        const GazetteerPlace place = m_gazetteer->place(row);
        QCOMPARE(place.name, name);
        QCOMPARE(place.key, QString::fromLatin1(key));
        QVERIFY(qAbs(place.latitude - latitude) < 0.05);
        QVERIFY(qAbs(place.longitude - longitude) < 0.05);
        QVERIFY(place.population >= 1000);
    }

    void regionsHaveNames()
    {
        const GazetteerPlace ashburn = m_gazetteer->place(firstIn("ashburn", "US", "VA"));
        QCOMPARE(ashburn.region, QString("Virginia"));
        QCOMPARE(ashburn.regionCode, QString("VA"));
    }

    void alternateNames_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("country");
        QTest::newRow("Italian for Milan") << QByteArray("milano") << "Milan"
                                           << "IT";
        QTest::newRow("French for Frankfurt") << QByteArray("francfort") << "Frankfurt am Main"
                                              << "DE";
        QTest::newRow("first word of a long name") << QByteArray("frankfurt") << "Frankfurt am Main"
                                                   << "DE";
        QTest::newRow("Italian for São Paulo") << QByteArray("sanpaolo") << "São Paulo"
                                               << "BR";
        QTest::newRow("Saint spelt St") << QByteArray("stpetersburg") << "Saint Petersburg"
                                        << "RU";
        QTest::newRow("City dropped") << QByteArray("newyork") << "New York City"
                                      << "US";
    }

    void alternateNames()
    {
        QFETCH(QByteArray, key);
        QFETCH(QString, name);
        QFETCH(QString, country);
        const QList<int> rows = m_gazetteer->find(key);
        QVERIFY(!rows.isEmpty());
        const GazetteerPlace first = m_gazetteer->place(rows.first());
        QCOMPARE(first.name, name);
        QCOMPARE(first.countryCode, country);
    }

    void mostPopulousFirst()
    {
        const QList<int> rows = m_gazetteer->find("london");
        QVERIFY(rows.size() >= 2);
        QCOMPARE(m_gazetteer->countryCode(rows.first()), QString("GB"));
        for (qsizetype i = 1; i < rows.size(); ++i)
            QVERIFY(m_gazetteer->population(rows.at(i - 1)) >= m_gazetteer->population(rows.at(i)));
    }

    // The index the in-order abbreviation scans walk: every place of the initial once, most
    // populous first, the same rows findPrefix() gives for that letter.
    void byInitial()
    {
        const std::vector<int> &rows = m_gazetteer->byInitial('t');
        QVERIFY(rows.size() > 1000);
        const QList<int> prefixed = m_gazetteer->findPrefix("t", QString(), QString());
        QCOMPARE(QList<int>(rows.cbegin(), rows.cend()), prefixed);
        for (size_t i = 0; i < rows.size(); ++i) {
            QVERIFY(m_gazetteer->key(rows[i]).startsWith('t'));
            if (i > 0)
                QVERIFY(m_gazetteer->population(rows[i - 1]) >= m_gazetteer->population(rows[i]));
        }
        QVERIFY(m_gazetteer->byInitial('1').empty());
        QVERIFY(m_gazetteer->byInitial('T').empty());
    }

    void unknownAndEmpty()
    {
        QVERIFY(m_gazetteer->find("qqqqqqzz").isEmpty());
        QVERIFY(m_gazetteer->find("").isEmpty());
        QVERIFY(m_gazetteer->findPrefix("", "US", "").isEmpty());
    }

    void prefixWithinRegion()
    {
        // Comcast cuts long names: "portcharlott.fl".
        const QList<int> rows = m_gazetteer->findPrefix("portcharlott", "US", "FL");
        QVERIFY(!rows.isEmpty());
        QCOMPARE(m_gazetteer->place(rows.first()).name, QString("Port Charlotte"));
        QVERIFY(m_gazetteer->findPrefix("portcharlott", "US", "TX").isEmpty());
    }

    void regionAbbreviations()
    {
        QVERIFY(m_gazetteer->regionsForAbbreviation("va").contains("US.VA"));
        QVERIFY(m_gazetteer->regionsForAbbreviation("on").contains("CA.08"));
        QVERIFY(m_gazetteer->regionsForAbbreviation("nsw").contains("AU.02"));
        QVERIFY(m_gazetteer->regionsForAbbreviation("zz").isEmpty());
    }

    void brokenFiles()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath("gazetteer.tsv"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# header\n"
                   "alpha\tAlpha\t01\tDE\t50.0\t8.0\t5000\talfa\n"
                   "beta\tBeta\t01\tDE\tnorth\t8.0\t5000\t\n"   // bad latitude
                   "aaa\tAaa\t01\tDE\t50.0\t8.0\t5000\t\n"      // out of order
                   "gamma\tGamma\t01\tDEU\t50.0\t8.0\t5000\t\n" // bad country
                   "delta\tDelta\t01\tDE\t95.0\t8.0\t5000\t\n"  // latitude out of range
                   "zeta\tZeta\t01\tFR\t48.0\t2.0\t7000\n");    // no alternates column: fine
        file.close();
        QStringList errors;
        const auto g = Gazetteer::load(file.fileName(), dir.filePath("admin1.tsv"), &errors);
        QCOMPARE(g->size(), 2);
        QCOMPARE(g->find("alfa").size(), 1);
        QCOMPARE(g->find("zeta").size(), 1);
        QVERIFY(g->find("beta").isEmpty());
        QCOMPARE(errors.size(), 2); // four bad lines in one message, and the missing admin-1 table
        QVERIFY2(errors.first().contains("4 unreadable"), qPrintable(errors.first()));

        errors.clear();
        const auto missing =
            Gazetteer::load(dir.filePath("missing.tsv"), dir.filePath("admin1.tsv"), &errors);
        QCOMPARE(missing->size(), 0);
        QCOMPARE(errors.size(), 1);
        QVERIFY(missing->find("alpha").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestGazetteer)
#include "tst_gazetteer.moc"
