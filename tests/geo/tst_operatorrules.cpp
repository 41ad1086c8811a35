// Operators' naming conventions (resources/geo/operator-rules.tsv, operator-codes.tsv): every
// rule is tried on the real router names of tests/data/router-names.tsv that it matches, and
// must place each within 100 km of its labelled city (or leave it alone for "none" rules).

#include "hostnamehints.h"
#include "operatorrules.h"
#include "plausibility.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace tracemap;

namespace {

struct LabelledName
{
    QString name, city, region, country, kind;
};

QList<LabelledName> routerNames(const QString &fileName = QStringLiteral("router-names.tsv"))
{
    QList<LabelledName> out;
    QFile file(qEnvironmentVariable("TRACEMAP_TEST_DATA") + u'/' + fileName);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QStringList f = line.split('\t');
        if (f.size() >= 5)
            out.append({f[0], f[1], f[2], f[3], f[4]});
    }
    return out;
}

} // namespace

class TestOperatorRules : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const PlaceDictionary> m_places;
    std::shared_ptr<const OperatorRules> m_rules;
    std::unique_ptr<HostnameHintProvider> m_hints;
    QList<LabelledName> m_names;

private slots:
    void initTestCase()
    {
        m_places = PlaceDictionary::loadBuiltin();
        m_rules = OperatorRules::loadBuiltin();
        m_hints = std::make_unique<HostnameHintProvider>(m_places, m_rules);
        m_names = routerNames();
        QVERIFY2(m_names.size() >= 300, "tests/data/router-names.tsv is missing or short");
    }

    void rulesLoadAndEveryCodeHasAPlace()
    {
        QVERIFY2(m_rules->loadErrors().isEmpty(), qPrintable(m_rules->loadErrors().join('\n')));
        QVERIFY2(m_hints->ruleErrors().isEmpty(), qPrintable(m_hints->ruleErrors().join('\n')));
        QSet<QString> suffixes;
        for (const OperatorRule &rule : m_rules->rules())
            suffixes.insert(rule.suffix);
        QVERIFY2(suffixes.size() >= 25, qPrintable(QString::number(suffixes.size())));
    }

    void eachRuleOnItsRealNames_data()
    {
        QTest::addColumn<int>("ruleIndex");
        const QList<OperatorRule> &rules = m_rules->rules();
        for (qsizetype i = 0; i < rules.size(); ++i) {
            const QString tag = QStringLiteral("%1 line %2 (%3)")
                                    .arg(rules.at(i).suffix)
                                    .arg(rules.at(i).line)
                                    .arg(OperatorRules::readingName(rules.at(i).reading));
            QTest::newRow(qPrintable(tag)) << int(i);
        }
    }

    // The names this rule decides (the first matching rule decides) are placed where their
    // label says, or left alone; every rule decides at least one real name.
    void eachRuleOnItsRealNames()
    {
        QFETCH(int, ruleIndex);
        const OperatorRule &rule = m_rules->rules().at(ruleIndex);
        int decided = 0;
        for (const LabelledName &n : std::as_const(m_names)) {
            const auto match = m_rules->match(n.name.toLower());
            if (!match || match->rule != &rule)
                continue;
            ++decided;
            const GeoAnswer answer = m_hints->hintFor(n.name);
            if (n.city == QLatin1String("none")) {
                QVERIFY2(answer.status != GeoStatus::Located,
                         qPrintable(n.name + " -> " + answer.place.city));
                continue;
            }
            QVERIFY2(answer.status == GeoStatus::Located, qPrintable(n.name + ": " + answer.reason));
            PlaceEntry truth;
            for (const PlaceEntry &p : m_places->findCity(n.city, n.country)) {
                if (n.region.isEmpty() || p.regionCode == n.region) {
                    truth = p;
                    break;
                }
            }
            QVERIFY2(!truth.city.isEmpty(), qPrintable("label not in the gazetteer: " + n.city));
            const double km =
                greatCircleKm(answer.place.latitude, answer.place.longitude, truth.latitude, truth.longitude);
            QVERIFY2(km <= 100.0, qPrintable(QStringLiteral("%1 -> %2 (%3 km from %4)")
                                                 .arg(n.name, answer.place.city)
                                                 .arg(qRound(km))
                                                 .arg(n.city)));
            QVERIFY2(answer.reason.startsWith("operator rule " + rule.suffix), qPrintable(answer.reason));
            QVERIFY2(answer.providerDetail.startsWith(rule.suffix + '/'), qPrintable(answer.providerDetail));
            // An abbreviation of a code no table lists is read less surely (hostnamehintsabbrev.h).
            QVERIFY(answer.confidence >= (answer.providerDetail.contains(u"/abbrev:") ? 0.5 : 0.6));
        }
        // Rules written after a held-out run may have their real names only there (the rows of
        // tst_hostnameabbrev check those); the placement above is checked on training names.
        for (const QString &set : {u"router-names-heldout.tsv"_qs, u"router-names-heldout2.tsv"_qs,
                                   u"router-names-heldout3.tsv"_qs, u"router-names-heldout4.tsv"_qs,
                                   u"router-names-heldout5.tsv"_qs, u"router-names-heldout6.tsv"_qs,
                                   u"router-names-heldout7.tsv"_qs, u"router-names-heldout8.tsv"_qs}) {
            for (const LabelledName &n : routerNames(set)) {
                const auto match = m_rules->match(n.name.toLower());
                decided += match && match->rule == &rule ? 1 : 0;
            }
        }
        QVERIFY2(decided > 0, "no real name in tests/data/router-names*.tsv for this rule");
    }

    void reasonNamesTheRule()
    {
        const GeoAnswer answer = m_hints->hintFor("ae-5.r24.frnkge13.de.bb.gin.ntt.net");
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.reason, QString("operator rule ntt.net (NTT (AS2914)): operator's code 'frnkge' → "
                                        "Frankfurt am Main, DE."));
        QCOMPARE(answer.providerDetail, QString("ntt.net/operator:frnkge"));
    }

    // bench/geo_accuracy splits its names by this: a rule is written for the domain, whether or
    // not one of its patterns matches the name.
    void hasRuleFor_data()
    {
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<bool>("hasRule");
        QTest::newRow("rule and pattern") << "ae-1.r21.frnkge13.de.bb.gin.ntt.net" << true;
        QTest::newRow("rule, no pattern matches") << "lg-in-f100.1e100.net" << true;
        QTest::newRow("none rule") << "nordunet-ic-358161.ip.twelve99-cust.net" << true;
        QTest::newRow("upper case, trailing dot") << "0.AE4.XL4.NYC1.ALTER.NET." << true;
        QTest::newRow("the suffix itself") << "he.net" << true;
        QTest::newRow("no rule for the domain") << "ae4.sabey-sea2.netarch.akamai.com" << false;
        QTest::newRow("suffix inside a longer label") << "helpmio-front1100.per.2iij.net" << false;
        QTest::newRow("empty") << "" << false;
    }

    void hasRuleFor()
    {
        QFETCH(QString, hostname);
        QFETCH(bool, hasRule);
        QCOMPARE(m_rules->hasRuleFor(hostname), hasRule);
    }

    void noneRuleLeavesNameAlone()
    {
        const GeoAnswer answer = m_hints->hintFor("63-216-176-73.static.pccwglobal.net");
        QCOMPARE(answer.status, GeoStatus::Unlocatable);
        QCOMPARE(answer.providerDetail, QString("pccwglobal.net/none"));
        QVERIFY2(answer.reason.contains("carry no place"), qPrintable(answer.reason));
    }

    // A rule whose code is unknown falls back to the generic reading, inside the state the
    // name states: Naples, Florida, not Naples, Italy.
    void unknownCodeFallsBackWithinTheRegion()
    {
        const GeoAnswer answer = m_hints->hintFor("te-7-1-ar01.qqqqqq.fl.naples.comcast.net");
        QCOMPARE(answer.status, GeoStatus::Located);
        QCOMPARE(answer.place.city, QString("Naples"));
        QCOMPARE(answer.place.countryCode, QString("US"));
        QCOMPARE(answer.place.region, QString("Florida"));
    }

    void badFiles()
    {
        QTemporaryDir dir;
        QFile rules(dir.filePath("rules.tsv"));
        QVERIFY(rules.open(QIODevice::WriteOnly));
        rules.write("# comment\n"
                    "example.net\tiata\t\t\\.(?<code>[a-z]{3})\\d+\\.example\\.net$\tExample\n"
                    "bad.net\tsideways\t\t.*\tBad reading\n"
                    "bad.net\tiata\t\t(unclosed\tBad pattern\n"
                    "bad.net\tiata\t\t\\.([a-z]{3})\\.bad\\.net$\tNo code group\n"
                    "short.net\n");
        rules.close();
        QFile codes(dir.filePath("codes.tsv"));
        QVERIFY(codes.open(QIODevice::WriteOnly));
        codes.write("example\tfoo\tFrankfurt am Main\t\tDE\n"
                    "example\tbar\tNowhere\n");
        codes.close();
        const auto loaded = OperatorRules::load(rules.fileName(), codes.fileName());
        QCOMPARE(loaded->rules().size(), 1);
        QCOMPARE(loaded->loadErrors().size(), 5);
        QVERIFY(loaded->code("example", "foo").has_value());
        QVERIFY(!loaded->code("example", "bar").has_value());
        const auto match = loaded->match("xe-1.fra3.example.net");
        QVERIFY(match.has_value());
        QCOMPARE(match->code, QString("fra"));
        QVERIFY(!loaded->match("xe-1.fra3.example.org").has_value());

        const auto missing = OperatorRules::load(dir.filePath("none.tsv"), dir.filePath("none2.tsv"));
        QCOMPARE(missing->rules().size(), 0);
        QCOMPARE(missing->loadErrors().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestOperatorRules)
#include "tst_operatorrules.moc"
