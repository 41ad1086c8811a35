// BoundedCache: finds what it stores, never holds more than its capacity, and starts over
// (rather than evicting one by one) when a new key would overflow it.
#include "boundedcache.h"

#include <QTest>

using namespace tracemap;

class TestBoundedCache : public QObject
{
    Q_OBJECT
private slots:
    void staysBounded_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("inserts");
        QTest::addColumn<int>("expectedSize");
        QTest::addColumn<int>("expectedClears");
        QTest::newRow("below capacity") << 10 << 5 << 5 << 0;
        QTest::newRow("exactly full") << 10 << 10 << 10 << 0;
        QTest::newRow("one more starts over") << 10 << 11 << 1 << 1;
        QTest::newRow("many rounds") << 4 << 13 << 1 << 3;
        QTest::newRow("capacity 0 acts as 1") << 0 << 3 << 1 << 2;
    }
    void staysBounded()
    {
        QFETCH(int, capacity);
        QFETCH(int, inserts);
        QFETCH(int, expectedSize);
        QFETCH(int, expectedClears);
        BoundedCache<int, QString> cache(capacity);
        for (int i = 0; i < inserts; ++i) {
            cache.insert(i, QString::number(i));
            QVERIFY(cache.size() <= cache.capacity());
            QCOMPARE(cache.find(i), std::optional<QString>(QString::number(i)));
        }
        QCOMPARE(cache.size(), expectedSize);
        QCOMPARE(cache.clears(), expectedClears);
    }

    void replacingAKeyNeverClears()
    {
        BoundedCache<QString, int> cache(2);
        cache.insert(QStringLiteral("a"), 1);
        cache.insert(QStringLiteral("b"), 2);
        cache.insert(QStringLiteral("b"), 3); // full, but not a new key
        QCOMPARE(cache.clears(), 0);
        QCOMPARE(cache.find(QStringLiteral("a")), std::optional<int>(1));
        QCOMPARE(cache.find(QStringLiteral("b")), std::optional<int>(3));
        cache.remove(QStringLiteral("a"));
        QVERIFY(!cache.contains(QStringLiteral("a")));
        QCOMPARE(cache.find(QStringLiteral("zz")), std::nullopt);
    }
};

QTEST_APPLESS_MAIN(TestBoundedCache)
#include "tst_boundedcache.moc"
