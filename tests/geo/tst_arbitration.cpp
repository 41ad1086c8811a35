// Arbitration: the pure decision between one lookup's provider answers. Each row feeds a chain
// of answers in order (skipping providers the arbitration no longer wants, as GeoService does)
// and checks the decision: status, winning provider and place, and what was rejected.
#include "arbitration.h"

#include <QTest>

using namespace tracemap;

namespace {

struct Step
{
    ProviderRole role = ProviderRole::Database;
    QString id;
    GeoAnswer answer;
};

GeoPlace place(const char *city, double latitude, double longitude, double accuracyKm = -1)
{
    GeoPlace p;
    p.city = QString::fromLatin1(city);
    p.countryCode = QStringLiteral("ZZ");
    p.latitude = latitude;
    p.longitude = longitude;
    p.accuracyKm = accuracyKm;
    return p;
}

const GeoPlace kFrankfurt = place("Frankfurt", 50.11, 8.68, 50);
const GeoPlace kOffenbach = place("Offenbach", 50.10, 8.77);
const GeoPlace kLondon = place("London", 51.51, -0.13, 50);
const GeoPlace kNewYork = place("New York", 40.71, -74.0, 50);
const SourceLocation kSourceFrankfurt{50.11, 8.68};

Step located(ProviderRole role, const char *id, const GeoPlace &where, double confidence,
             QList<GeoPlace> alternatives = {})
{
    Step s;
    s.role = role;
    s.id = QString::fromLatin1(id);
    s.answer.status = GeoStatus::Located;
    s.answer.place = where;
    s.answer.confidence = confidence;
    s.answer.reason = QStringLiteral("%1 says so.").arg(s.id);
    s.answer.alternatives = alternatives;
    return s;
}

Step unknown(ProviderRole role, const char *id)
{
    Step s;
    s.role = role;
    s.id = QString::fromLatin1(id);
    s.answer.status = GeoStatus::Unlocatable;
    s.answer.reason = QStringLiteral("not in the table.");
    return s;
}

Step failing(ProviderRole role, const char *id, GeoStatus status)
{
    Step s;
    s.role = role;
    s.id = QString::fromLatin1(id);
    s.answer.status = status;
    s.answer.error = QStringLiteral("HTTP 500");
    return s;
}

} // namespace

Q_DECLARE_METATYPE(QList<Step>)

class TestArbitration : public QObject
{
    Q_OBJECT
private slots:
    void decides_data()
    {
        QTest::addColumn<QList<Step>>("chain");
        QTest::addColumn<bool>("withSource");
        QTest::addColumn<double>("rttMs");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("provider"); // the winner; empty when none
        QTest::addColumn<QString>("city");
        QTest::addColumn<int>("asked");        // answers the arbitration wanted
        QTest::addColumn<QString>("rejected"); // part of the joined rejections; empty = none

        const auto db = ProviderRole::Database;
        const auto hint = ProviderRole::Hint;
        const auto online = ProviderRole::Online;
        const int locatedStatus = int(GeoStatus::Located);
        QTest::newRow("first plausible answer wins, online never asked")
            << QList<Step>{located(db, "mmdb", kFrankfurt, 0.6), located(online, "ip-api", kLondon, 0.7)}
            << true << 5.0 << locatedStatus << "mmdb"
            << "Frankfurt" << 1 << "";
        QTest::newRow("implausible database answer falls to the next provider")
            << QList<Step>{located(db, "mmdb", kNewYork, 0.6), located(online, "ip-api", kFrankfurt, 0.7)}
            << true << 2.0 << locatedStatus << "ip-api"
            << "Frankfurt" << 2 << "mmdb: New York";
        QTest::newRow("an alternative is taken when the first reading is implausible")
            << QList<Step>{located(hint, "hostname", kNewYork, 0.8, {kOffenbach})} << true << 2.0
            << locatedStatus << "hostname"
            << "Offenbach" << 1 << "hostname: New York";
        QTest::newRow("agreeing hint keeps the database answer")
            << QList<Step>{located(db, "mmdb", kFrankfurt, 0.6), located(hint, "hostname", kOffenbach, 0.7),
                           located(online, "ip-api", kLondon, 0.9)}
            << true << 5.0 << locatedStatus << "mmdb"
            << "Frankfurt" << 2 << "";
        QTest::newRow("checked hint beats a distant database answer")
            << QList<Step>{located(db, "mmdb", kLondon, 0.6), located(hint, "hostname", kFrankfurt, 0.5)}
            << true << 20.0 << locatedStatus << "hostname"
            << "Frankfurt" << 2 << "mmdb: London, ZZ is";
        QTest::newRow("unchecked, less confident hint loses")
            << QList<Step>{located(db, "mmdb", kLondon, 0.6), located(hint, "hostname", kFrankfurt, 0.5)}
            << false << 20.0 << locatedStatus << "mmdb"
            << "London" << 2 << "could not be checked";
        QTest::newRow("nobody knows: unlocatable with their reasons")
            << QList<Step>{unknown(db, "mmdb"), unknown(hint, "hostname")} << true << 5.0
            << int(GeoStatus::Unlocatable) << ""
            << "" << 2 << "";
        QTest::newRow("every candidate implausible")
            << QList<Step>{located(db, "mmdb", kNewYork, 0.6), located(online, "ip-api", kNewYork, 0.6)}
            << true << 1.0 << int(GeoStatus::Unlocatable) << ""
            << "" << 2 << "ip-api: New York";
        QTest::newRow("a failing provider makes the lookup fail, not unknowable")
            << QList<Step>{unknown(db, "mmdb"), failing(online, "ip-api", GeoStatus::Failed)} << true << 5.0
            << int(GeoStatus::Failed) << ""
            << "" << 2 << "ip-api: HTTP 500";
        QTest::newRow("a timed-out provider makes it time out")
            << QList<Step>{failing(online, "ip-api", GeoStatus::TimedOut)} << true << 5.0
            << int(GeoStatus::TimedOut) << ""
            << "" << 1 << "ip-api: HTTP 500";
        QTest::newRow("a failure does not hide a located answer")
            << QList<Step>{failing(db, "mmdb", GeoStatus::Failed), located(online, "ip-api", kFrankfurt, 0.7)}
            << true << 5.0 << locatedStatus << "ip-api"
            << "Frankfurt" << 2 << "mmdb: HTTP 500";
    }
    void decides()
    {
        QFETCH(QList<Step>, chain);
        QFETCH(bool, withSource);
        QFETCH(double, rttMs);
        QFETCH(int, status);
        QFETCH(QString, provider);
        QFETCH(QString, city);
        QFETCH(int, asked);
        QFETCH(QString, rejected);
        Arbitration arbitration(withSource ? kSourceFrankfurt : SourceLocation{}, rttMs);
        int wanted = 0;
        for (const Step &step : chain) {
            if (!arbitration.wants(step.role))
                continue;
            arbitration.asking(step.role);
            ++wanted;
            arbitration.consider(step.role, step.id, step.answer);
        }
        QCOMPARE(wanted, asked);
        const GeoResult r = arbitration.decide(QStringLiteral("no source knows this address"));
        QCOMPARE(int(r.status), status);
        QCOMPARE(r.provider, provider);
        QCOMPARE(r.place.city, city);
        QCOMPARE(r.place.hasCoordinates(), status == int(GeoStatus::Located));
        const QString joined = r.rejected.join(QStringLiteral(" | "));
        if (rejected.isEmpty())
            QVERIFY2(r.rejected.isEmpty(), qPrintable(joined));
        else
            QVERIFY2(joined.contains(rejected), qPrintable(joined));
        if (status == int(GeoStatus::Failed) || status == int(GeoStatus::TimedOut))
            QVERIFY(!r.error.isEmpty());
        QVERIFY(!r.reason.isEmpty());
        QVERIFY(!r.reason.contains(QStringLiteral(".;"))); // providers' full stops are dropped
    }

    // The next reading stands in for the first one, less surely.
    void alternativeIsLessSure()
    {
        Arbitration arbitration(kSourceFrankfurt, 2.0);
        arbitration.consider(ProviderRole::Hint, QStringLiteral("hostname"),
                             located(ProviderRole::Hint, "hostname", kNewYork, 0.8, {kOffenbach}).answer);
        const GeoResult r = arbitration.decide(QString());
        QCOMPARE(r.place.city, kOffenbach.city);
        QVERIFY(qFuzzyCompare(r.confidence, 0.8 * Arbitration::kAlternativeFactor));
        QVERIFY2(r.reason.contains(QStringLiteral("is out of reach, so the next reading")),
                 qPrintable(r.reason));
    }

    void agreementRaisesConfidence()
    {
        Arbitration arbitration(kSourceFrankfurt, 5.0);
        arbitration.consider(ProviderRole::Database, QStringLiteral("mmdb"),
                             located(ProviderRole::Database, "mmdb", kFrankfurt, 0.6).answer);
        arbitration.consider(ProviderRole::Hint, QStringLiteral("hostname"),
                             located(ProviderRole::Hint, "hostname", kOffenbach, 0.7).answer);
        const GeoResult r = arbitration.decide(QString());
        QCOMPARE(r.provider, QStringLiteral("mmdb"));
        QVERIFY(qFuzzyCompare(r.confidence, 0.85));
        QVERIFY(r.reason.contains(QStringLiteral("hostname hint")));
    }

    void reasonsWhenNothingWasAsked_data()
    {
        QTest::addColumn<QString>("missingDatabase");
        QTest::addColumn<QString>("reason");
        QTest::newRow("plain") << ""
                               << "no source knows this address";
        QTest::newRow("database missing") << " (install one)"
                                          << "no source knows this address (install one)";
    }
    void reasonsWhenNothingWasAsked()
    {
        QFETCH(QString, missingDatabase);
        QFETCH(QString, reason);
        Arbitration arbitration(SourceLocation{}, -1);
        const GeoResult r =
            arbitration.decide(QStringLiteral("no source knows this address"), missingDatabase);
        QCOMPARE(r.status, GeoStatus::Unlocatable);
        QCOMPARE(r.reason, reason);
        arbitration.addNote(QStringLiteral("override: x could not be placed"));
        QCOMPARE(arbitration.decide(QString()).rejected.value(0),
                 QStringLiteral("override: x could not be placed"));
    }
};

QTEST_APPLESS_MAIN(TestArbitration)
#include "tst_arbitration.moc"
