// The persistent cache: survives a restart, expires positive and negative answers on their own
// clocks, misses on another database build / hostname / source, recovers a corrupt file and
// bypasses an unwritable one without failing.
#include "geocache.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace tracemap;

namespace {

GeoResult locatedResult(const char *address)
{
    GeoResult r;
    r.address = QHostAddress(QString::fromLatin1(address));
    r.status = GeoStatus::Located;
    r.place.latitude = 50.11;
    r.place.longitude = 8.68;
    r.place.accuracyKm = 50;
    r.place.city = QStringLiteral("Frankfurt am Main");
    r.place.region = QStringLiteral("Hesse");
    r.place.countryCode = QStringLiteral("DE");
    r.provider = QStringLiteral("mmdb");
    r.providerDetail = QStringLiteral("dbip-city-ipv4 2026-06");
    r.reason = QStringLiteral("DB-IP city");
    r.confidence = 0.55;
    r.hostname = QStringLiteral("ae-1.r21.frnkge13.de.bb.gin.ntt.net");
    r.as.number = 2914;
    r.as.name = QStringLiteral("NTT-LTD-2914");
    r.rejected << QStringLiteral("hostname: somewhere else");
    r.resolvedAt = QDateTime::currentDateTimeUtc();
    return r;
}

GeoCacheContext context(const char *build = "build-1")
{
    GeoCacheContext c;
    c.databaseBuild = QString::fromLatin1(build);
    c.sourceKey = GeoCache::sourceKey(38.9, -77.0);
    return c;
}

} // namespace

class TestGeoCache : public QObject
{
    Q_OBJECT
private slots:
    void survivesRestart()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/geo-cache.sqlite"));
        const GeoResult stored = locatedResult("203.0.113.9");
        {
            GeoCache cache(path);
            QVERIFY(cache.isOpen());
            cache.store(stored, context());
            QCOMPARE(cache.count(), 1);
        }
        GeoCache cache(path);
        QVERIFY(cache.isOpen());
        const std::optional<GeoResult> r = cache.find(stored.address, context());
        QVERIFY(r);
        QVERIFY(r->fromCache);
        QCOMPARE(r->status, GeoStatus::Located);
        QCOMPARE(r->place.city, stored.place.city);
        QCOMPARE(r->place.region, stored.place.region);
        QCOMPARE(r->place.countryCode, QStringLiteral("DE"));
        QCOMPARE(r->place.latitude, 50.11);
        QCOMPARE(r->place.longitude, 8.68);
        QCOMPARE(r->place.accuracyKm, 50.0);
        QCOMPARE(r->provider, QStringLiteral("mmdb"));
        QCOMPARE(r->providerDetail, stored.providerDetail);
        QCOMPARE(r->reason, stored.reason);
        QCOMPARE(r->confidence, 0.55);
        QCOMPARE(r->hostname, stored.hostname);
        QCOMPARE(r->as.number, 2914u);
        QCOMPARE(r->as.name, stored.as.name);
        QCOMPARE(r->rejected, stored.rejected);
        QCOMPARE(r->resolvedAt.toSecsSinceEpoch(), stored.resolvedAt.toSecsSinceEpoch());
    }

    void unlocatableKeepsNaNCoordinates()
    {
        QTemporaryDir dir;
        GeoCache cache(dir.filePath(QStringLiteral("c.sqlite")));
        GeoResult r;
        r.address = QHostAddress(QStringLiteral("2001:db8::1"));
        r.status = GeoStatus::Unlocatable;
        r.reason = QStringLiteral("no source knows this address");
        cache.store(r, context());
        const std::optional<GeoResult> back = cache.find(r.address, context());
        QVERIFY(back);
        QCOMPARE(back->status, GeoStatus::Unlocatable);
        QVERIFY(!back->place.hasCoordinates());
        QVERIFY(back->place.accuracyKm < 0);
    }

    void transientStatusesAreNotStored()
    {
        QTemporaryDir dir;
        GeoCache cache(dir.filePath(QStringLiteral("c.sqlite")));
        GeoResult r = locatedResult("203.0.113.1");
        r.status = GeoStatus::TimedOut;
        cache.store(r, context());
        r.status = GeoStatus::Failed;
        cache.store(r, context());
        QCOMPARE(cache.count(), 0);
    }

    void lifetimes_data()
    {
        QTest::addColumn<bool>("located");
        QTest::addColumn<qint64>("ageSeconds");
        QTest::addColumn<bool>("hit");
        QTest::newRow("located, 1 hour") << true << qint64(3600) << true;
        QTest::newRow("located, 29 days") << true << qint64(29 * 86400) << true;
        QTest::newRow("located, 31 days") << true << qint64(31 * 86400) << false;
        QTest::newRow("unlocatable, 1 hour") << false << qint64(3600) << true;
        QTest::newRow("unlocatable, 25 hours") << false << qint64(25 * 3600) << false;
    }
    void lifetimes()
    {
        QFETCH(bool, located);
        QFETCH(qint64, ageSeconds);
        QFETCH(bool, hit);
        QTemporaryDir dir;
        GeoCache cache(dir.filePath(QStringLiteral("c.sqlite")));
        GeoResult r = locatedResult("203.0.113.2");
        if (!located) {
            r.status = GeoStatus::Unlocatable;
            r.place = GeoPlace();
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        cache.store(r, context(), now);
        QCOMPARE(cache.find(r.address, context(), now.addSecs(ageSeconds)).has_value(), hit);
    }

    void contextMismatchIsAMiss_data()
    {
        QTest::addColumn<QString>("what");
        QTest::newRow("new database build") << "build";
        QTest::newRow("other source location") << "source";
        QTest::newRow("other given hostname") << "hostname";
    }
    void contextMismatchIsAMiss()
    {
        QFETCH(QString, what);
        QTemporaryDir dir;
        GeoCache cache(dir.filePath(QStringLiteral("c.sqlite")));
        const GeoResult r = locatedResult("203.0.113.3");
        cache.store(r, context());
        GeoCacheContext c = context();
        // A query without a given hostname accepts whatever name was cached.
        QVERIFY(cache.find(r.address, c));
        if (what == QLatin1String("build"))
            c.databaseBuild = QStringLiteral("build-2");
        else if (what == QLatin1String("source"))
            c.sourceKey = GeoCache::sourceKey(50.1, 8.7);
        else {
            c.hostnameGiven = true;
            c.hostname = QStringLiteral("other.example.net");
        }
        QVERIFY(!cache.find(r.address, c));
    }

    void corruptFileIsMovedAsideAndRecreated()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("geo-cache.sqlite"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x')); // not a database
        f.close();
        GeoCache cache(path);
        QVERIFY(cache.isOpen());
        QVERIFY2(cache.warning().contains(QStringLiteral("corrupt")), qPrintable(cache.warning()));
        const QStringList aside = QDir(dir.path()).entryList({QStringLiteral("geo-cache.sqlite.corrupt-*")});
        QCOMPARE(aside.size(), 1);
        cache.store(locatedResult("203.0.113.4"), context());
        QVERIFY(cache.find(QHostAddress(QStringLiteral("203.0.113.4")), context()));
    }

    void truncatedDatabaseIsRecovered()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("geo-cache.sqlite"));
        {
            GeoCache cache(path);
            for (int i = 0; i < 200; ++i)
                cache.store(locatedResult(qPrintable(QStringLiteral("198.18.0.%1").arg(i))), context());
        }
        QFile::remove(path + QStringLiteral("-wal"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(100);
        f.write(QByteArray(4000, '\xff')); // garbage over the first page's content
        f.close();
        GeoCache cache(path);
        QVERIFY(cache.isOpen());
        QVERIFY2(cache.warning().contains(QStringLiteral("corrupt")), qPrintable(cache.warning()));
        QVERIFY(!cache.find(QHostAddress(QStringLiteral("198.18.0.1")), context()));
        cache.store(locatedResult("198.18.0.1"), context());
        QVERIFY(cache.find(QHostAddress(QStringLiteral("198.18.0.1")), context()));
    }

    void unwritableLocationIsBypassed_data()
    {
        QTest::addColumn<bool>("needsNonRoot");
        QTest::newRow("parent is a file") << false;
        QTest::newRow("read-only directory") << true;
    }
    void unwritableLocationIsBypassed()
    {
        QFETCH(bool, needsNonRoot);
        if (needsNonRoot && ::geteuid() == 0)
            QSKIP("root writes into read-only directories; covered by the 'parent is a file' row");
        QTemporaryDir dir;
        QString path;
        if (needsNonRoot) {
            QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
            path = dir.filePath(QStringLiteral("sub/geo-cache.sqlite"));
        } else {
            QFile blocker(dir.filePath(QStringLiteral("file")));
            QVERIFY(blocker.open(QIODevice::WriteOnly));
            path = dir.filePath(QStringLiteral("file/geo-cache.sqlite"));
        }
        GeoCache cache(path);
        QCOMPARE(cache.state(), GeoCache::State::Bypassed);
        QVERIFY(cache.warning().contains(QStringLiteral("not used")));
        cache.store(locatedResult("203.0.113.5"), context()); // no-op, no crash
        QVERIFY(!cache.find(QHostAddress(QStringLiteral("203.0.113.5")), context()));
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void dashDisablesTheCache()
    {
        GeoCache cache(QStringLiteral("-"));
        QCOMPARE(cache.state(), GeoCache::State::Disabled);
        cache.store(locatedResult("203.0.113.6"), context());
        QVERIFY(!cache.find(QHostAddress(QStringLiteral("203.0.113.6")), context()));
    }

    void severalCachesInOneProcess()
    {
        QTemporaryDir dir;
        GeoCache a(dir.filePath(QStringLiteral("a.sqlite")));
        GeoCache b(dir.filePath(QStringLiteral("b.sqlite")));
        GeoCache c(dir.filePath(QStringLiteral("a.sqlite"))); // same file, own connection
        a.store(locatedResult("203.0.113.7"), context());
        QVERIFY(c.find(QHostAddress(QStringLiteral("203.0.113.7")), context()));
        QVERIFY(!b.find(QHostAddress(QStringLiteral("203.0.113.7")), context()));
    }
};

QTEST_GUILESS_MAIN(TestGeoCache)
#include "tst_geocache.moc"
