// HostPacer on a stepped clock: one request in flight per host, a minimum interval between
// requests and after answers, back-off, and hosts kept apart.
#include "hostpacer.h"

#include <QTest>

using namespace tracemap;

namespace {
const QString kHost = QStringLiteral("https://nominatim.example:443");
const QString kOther = QStringLiteral("http://other.example:80");
} // namespace

class TestHostPacer : public QObject
{
    Q_OBJECT
private slots:
    void hostKey_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("key");
        QTest::newRow("https default port") << "https://Example.ORG/search?q=x"
                                            << "https://example.org:443";
        QTest::newRow("http default port") << "http://example.org/"
                                           << "http://example.org:80";
        QTest::newRow("explicit port") << "http://127.0.0.1:8080/x"
                                       << "http://127.0.0.1:8080";
    }
    void hostKey()
    {
        QFETCH(QString, url);
        QFETCH(QString, key);
        QCOMPARE(HostPacer::hostKey(QUrl(url)), key);
    }

    // Each row: a script of steps at times; "a" = tryAcquire (expect the wait), "r" = release.
    void schedule_data()
    {
        QTest::addColumn<QList<qint64>>("times");
        QTest::addColumn<QString>("ops");
        QTest::addColumn<QList<qint64>>("waits"); // expected tryAcquire result; -1 for other ops
        // interval 1100 ms, gap after answer 1000 ms, hold 5000 ms
        QTest::newRow("first request goes at once") << QList<qint64>{0} << "a" << QList<qint64>{0};
        QTest::newRow("busy host: poll again soon")
            << QList<qint64>{0, 10} << "aa" << QList<qint64>{0, HostPacer::kBusyPollMs};
        QTest::newRow("interval after a fast answer")
            << QList<qint64>{0, 50, 60, 1100} << "araa" << QList<qint64>{0, -1, 1040, 0};
        QTest::newRow("gap after a slow answer")
            << QList<qint64>{0, 3000, 3500, 4000} << "araa" << QList<qint64>{0, -1, 500, 0};
        QTest::newRow("a lost release frees the slot after the hold")
            << QList<qint64>{0, 4999, 5000} << "aaa" << QList<qint64>{0, 1, 0};
    }
    void schedule()
    {
        QFETCH(QList<qint64>, times);
        QFETCH(QString, ops);
        QFETCH(QList<qint64>, waits);
        HostPacer pacer;
        for (int i = 0; i < ops.size(); ++i) {
            const qint64 now = times.at(i);
            if (ops.at(i) == QLatin1Char('a'))
                QCOMPARE(pacer.tryAcquire(kHost, now, 1100, 5000), waits.at(i));
            else
                pacer.release(kHost, now, 1000);
        }
    }

    void backOffAndHostsApart()
    {
        HostPacer pacer;
        QCOMPARE(pacer.tryAcquire(kHost, 0, 1000, 5000), 0);
        pacer.release(kHost, 100, 0);
        pacer.backOff(kHost, 100, 60000);
        QCOMPARE(pacer.backOffRemainingMs(kHost, 100), 60000);
        QCOMPARE(pacer.tryAcquire(kHost, 30100, 1000, 5000), 30000);
        // Another host is not held back.
        QCOMPARE(pacer.backOffRemainingMs(kOther, 100), 0);
        QCOMPARE(pacer.tryAcquire(kOther, 100, 1000, 5000), 0);
        // A shorter back-off never shortens a longer one.
        pacer.backOff(kHost, 200, 10);
        QCOMPARE(pacer.backOffRemainingMs(kHost, 60100), 0);
        QCOMPARE(pacer.backOffRemainingMs(kHost, 60000), 100);
    }
};

QTEST_APPLESS_MAIN(TestHostPacer)
#include "tst_hostpacer.moc"
