// callWhileAlive: every waiting callback gets the answer in order, and none runs after one of
// them destroyed the object that was calling back.
#include "callbacks.h"

#include <QObject>
#include <QTest>

#include <functional>
#include <vector>

using namespace tracemap;

class TestCallbacks : public QObject
{
    Q_OBJECT
private slots:
    void deletionStopsTheRest_data()
    {
        QTest::addColumn<int>("callbacks");
        QTest::addColumn<int>("deleteAt"); // -1: nobody deletes the owner
        QTest::addColumn<int>("expectedCalls");
        QTest::addColumn<bool>("expectedAlive");
        QTest::newRow("none") << 0 << -1 << 0 << true;
        QTest::newRow("all called") << 3 << -1 << 3 << true;
        QTest::newRow("first deletes") << 3 << 0 << 1 << false;
        QTest::newRow("last deletes") << 3 << 2 << 3 << false;
    }
    void deletionStopsTheRest()
    {
        QFETCH(int, callbacks);
        QFETCH(int, deleteAt);
        QFETCH(int, expectedCalls);
        QFETCH(bool, expectedAlive);
        auto *owner = new QObject;
        QList<int> seen;
        std::vector<std::function<void(int)>> waiting;
        for (int i = 0; i < callbacks; ++i) {
            waiting.push_back([&seen, owner, i, deleteAt](int answer) {
                seen << answer * 10 + i;
                if (i == deleteAt)
                    delete owner;
            });
        }
        QCOMPARE(callWhileAlive(owner, waiting, 4), expectedAlive);
        QCOMPARE(seen.size(), expectedCalls);
        for (int i = 0; i < seen.size(); ++i)
            QCOMPARE(seen.at(i), 40 + i); // in order, each with the answer
        if (expectedAlive)
            delete owner;
    }
};

QTEST_APPLESS_MAIN(TestCallbacks)
#include "tst_callbacks.moc"
