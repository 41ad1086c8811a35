// hoproles.h: the trace's and the watch's hop models give the map's roles the same numbers and
// the same names (map/hopmodelreader.h finds them by name), and their own roles never take a
// shared role's number or name.
#include "hoplistmodel.h"
#include "hoproles.h"
#include "watchhopmodel.h"

#include <QTest>

#include <utility>

using namespace tracemap;
using enum HopRoles::SharedHopRole;

class tst_HopRoles : public QObject
{
    Q_OBJECT
private slots:
    void sharedRoles_data()
    {
        QTest::addColumn<int>("role");
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("ttl") << int(TtlRole) << QByteArray("ttl");
        QTest::newRow("latitude") << int(LatitudeRole) << QByteArray("latitude");
        QTest::newRow("longitude") << int(LongitudeRole) << QByteArray("longitude");
        QTest::newRow("hasLocation") << int(HasLocationRole) << QByteArray("hasLocation");
        QTest::newRow("accuracyKm") << int(AccuracyKmRole) << QByteArray("accuracyKm");
        QTest::newRow("avgRttMs") << int(AvgRttMsRole) << QByteArray("avgRttMs");
        QTest::newRow("address") << int(AddressRole) << QByteArray("address");
        QTest::newRow("placeName") << int(PlaceNameRole) << QByteArray("placeName");
        QTest::newRow("highlighted") << int(HighlightedRole) << QByteArray("highlighted");
    }

    void sharedRoles()
    {
        QFETCH(int, role);
        QFETCH(QByteArray, name);
        QCOMPARE(sharedHopRoleNames().value(role), name);
        QCOMPARE(HopListModel().roleNames().value(role), name);
        QCOMPARE(WatchHopModel().roleNames().value(role), name);
        // In the models' own scope too, as their code and tests name them.
        QCOMPARE(int(HopListModel::TtlRole), int(TtlRole));
        QCOMPARE(int(WatchHopModel::HighlightedRole), int(HighlightedRole));
    }

    // Both models: every name once, a shared number keeps its shared name, and no own role
    // borrows a shared name under another number.
    void ownRolesStayApart()
    {
        const QHash<int, QByteArray> shared = sharedHopRoleNames();
        const std::pair<const char *, QHash<int, QByteArray>> models[] = {
            {"HopListModel", HopListModel().roleNames()}, {"WatchHopModel", WatchHopModel().roleNames()}};
        for (const auto &[model, names] : models) {
            QSet<QByteArray> seen;
            for (auto it = names.cbegin(); it != names.cend(); ++it) {
                const QByteArray where = QByteArray(model) + ": " + it.value();
                QVERIFY2(!seen.contains(it.value()), where.constData());
                seen.insert(it.value());
                if (shared.contains(it.key()))
                    QCOMPARE(it.value(), shared.value(it.key()));
                else
                    QVERIFY2(!shared.values().contains(it.value()), where.constData());
            }
            for (auto it = shared.cbegin(); it != shared.cend(); ++it)
                QVERIFY2(names.contains(it.key()), (QByteArray(model) + ": " + it.value()).constData());
        }
    }
};

QTEST_GUILESS_MAIN(tst_HopRoles)
#include "tst_hoproles.moc"
