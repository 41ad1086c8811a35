// The one User-Agent: names tracemap, its version and where to reach its authors.
#include "useragent.h"

#include <QTest>

using namespace tracemap;

class TestUserAgent : public QObject
{
    Q_OBJECT
private slots:
    void agent_data()
    {
        QTest::addColumn<QByteArray>("purpose");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << QByteArray()
                               << QByteArray("tracemap/" TRACEMAP_VERSION
                                             " (+https://github.com/tracemap/tracemap)");
        QTest::newRow("with purpose") << QByteArray("geodb update")
                                      << QByteArray("tracemap/" TRACEMAP_VERSION
                                                    " (geodb update; +https://github.com/tracemap/tracemap)");
    }
    void agent()
    {
        QFETCH(QByteArray, purpose);
        QFETCH(QByteArray, expected);
        QCOMPARE(userAgent(purpose), expected);
        if (purpose.isEmpty())
            QCOMPARE(userAgent(), expected);
    }
};

QTEST_APPLESS_MAIN(TestUserAgent)
#include "tst_useragent.moc"
