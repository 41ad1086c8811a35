// The hint's rule as a value (geo/hintrule.h): read back from what HostnameHintProvider writes,
// described for the desktop's note, and carried through JSON.

#include "hintrule.h"
#include "hostnamehints.h"

#include <QJsonDocument>
#include <QTest>

using namespace tracemap;

class TestHintRule : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<HostnameHintProvider> m_hints;

    GeoResult decided(const QString &hostname) const
    {
        const GeoAnswer answer = m_hints->hintFor(hostname);
        GeoResult r;
        r.status = answer.status;
        r.place = answer.place;
        r.provider = answer.provider;
        r.providerDetail = answer.providerDetail;
        r.reason = answer.reason;
        return r;
    }

private slots:
    void initTestCase()
    {
        m_hints = std::make_unique<HostnameHintProvider>(PlaceDictionary::sharedBuiltin());
    }

    void fromHints_data()
    {
        QTest::addColumn<QString>("hostname");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("place");
        QTest::addColumn<QString>("description");
        QTest::newRow("ntt operator table")
            << "ae-1.r21.frnkge13.de.bb.gin.ntt.net"
            << "operator rule ntt.net"
            << "operator"
            << "frnkge"
            << "Frankfurt am Main, DE"
            << "operator rule ntt.net: operator's code 'frnkge' → Frankfurt am Main, DE";
        QTest::newRow("ntt clli") << "ae-2.r01.asbnva02.us.bb.gin.ntt.net"
                                  << "operator rule ntt.net"
                                  << "clli"
                                  << "asbnva"
                                  << "Ashburn, US"
                                  << "operator rule ntt.net: CLLI-style code 'asbnva' → Ashburn, US";
        QTest::newRow("generic city and region")
            << "cr01.ashburn.va.example.net"
            << "generic reading"
            << "region"
            << "ashburn.va"
            << "Ashburn, US"
            << "generic reading: city and region 'ashburn.va' → Ashburn, US";
        QTest::newRow("generic icao") << "edge.eddf.live.glimesh.tv"
                                      << "generic reading"
                                      << "icao"
                                      << "eddf"
                                      << "Frankfurt, DE"
                                      << "generic reading: ICAO airport code 'eddf' → Frankfurt, DE";
    }

    void fromHints()
    {
        QFETCH(QString, hostname);
        QFETCH(QString, rule);
        QFETCH(QString, kind);
        QFETCH(QString, token);
        QFETCH(QString, place);
        QFETCH(QString, description);
        const std::optional<HintRule> hint = hintRuleOf(decided(hostname));
        QVERIFY(hint);
        QCOMPARE(hint->ruleName(), rule);
        QCOMPARE(hint->kind, kind);
        QCOMPARE(hint->token, token);
        QCOMPARE(hint->place, place);
        QCOMPARE(hint->describe(), description);

        // Through JSON and back: the same rule.
        const QJsonObject json = hintRuleToJson(*hint);
        QCOMPARE(json.value("rule").toString(), rule);
        QCOMPARE(json.value("kind").toString(), kind);
        QCOMPARE(json.value("token").toString(), token);
        QCOMPARE(json.value("place").toString(), place);
        QString error;
        const std::optional<HintRule> back = hintRuleFromJson(json, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(*back, *hint);
    }

    void noRule_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("detail");
        QTest::addColumn<bool>("located");
        QTest::newRow("the database decided") << "mmdb"
                                              << "DBIP-City-Lite 2026-06" << true;
        QTest::newRow("an override decided") << "override"
                                             << "overrides.csv" << true;
        QTest::newRow("hint without a place") << "hostname"
                                              << "ntt.net/none" << false;
        QTest::newRow("hint detail without a token") << "hostname"
                                                     << "iata:" << true;
        QTest::newRow("hint detail without a kind") << "hostname"
                                                    << "ntt.net/:fra" << true;
        QTest::newRow("empty detail") << "hostname"
                                      << "" << true;
    }

    void noRule()
    {
        QFETCH(QString, provider);
        QFETCH(QString, detail);
        QFETCH(bool, located);
        GeoResult r;
        r.status = located ? GeoStatus::Located : GeoStatus::Unlocatable;
        r.provider = provider;
        r.providerDetail = detail;
        QVERIFY(!hintRuleOf(r));
    }

    void badJson_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        QTest::newRow("missing token")
            << QByteArray(R"({"rule":"generic reading","kind":"iata","place":"X"})")
            << "'token' must be a non-empty string";
        QTest::newRow("number kind") << QByteArray(
                                            R"({"rule":"generic reading","kind":3,"token":"a","place":"X"})")
                                     << "'kind' must be a non-empty string";
        QTest::newRow("unknown rule")
            << QByteArray(R"({"rule":"magic","kind":"iata","token":"a","place":"X"})")
            << "'rule' must be \"generic reading\" or \"operator rule DOMAIN\"";
    }

    void badJson()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        QString message;
        QVERIFY(!hintRuleFromJson(QJsonDocument::fromJson(json).object(), &message));
        QCOMPARE(message, error);
    }
};

QTEST_GUILESS_MAIN(TestHintRule)
#include "tst_hintrule.moc"
