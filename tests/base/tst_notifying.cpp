// assignIfChanged / setAndNotify / setAndRepaint: a value is stored and the signal emitted (and,
// for a painted item, a repaint scheduled) exactly when it differs from the stored one; NaN set
// over NaN is no change.
#include "notifying.h"

#include <QObject>
#include <QSignalSpy>
#include <QStringList>
#include <QTest>

#include <limits>

using namespace tracemap;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class Holder : public QObject
{
    Q_OBJECT
public:
    void setName(const QString &name) { setAndNotify(this, m_name, name, &Holder::nameChanged); }
    QString name() const { return m_name; }
    // As a QQuickPaintedItem's: a property it draws repaints it.
    void setZoom(double zoom) { setAndRepaint(this, m_zoom, zoom, &Holder::zoomChanged); }
    void update() { ++repaints; }
    int repaints = 0;
signals:
    void nameChanged();
    void zoomChanged();

private:
    QString m_name;
    double m_zoom = kNaN;
};

} // namespace

class TestNotifying : public QObject
{
    Q_OBJECT
private slots:
    void doubles_data()
    {
        QTest::addColumn<double>("before");
        QTest::addColumn<double>("value");
        QTest::addColumn<bool>("expectChanged");
        QTest::newRow("same value") << 1.5 << 1.5 << false;
        QTest::newRow("new value") << 1.5 << 2.5 << true;
        QTest::newRow("zero and minus zero are equal") << 0.0 << -0.0 << false;
        QTest::newRow("NaN over NaN") << kNaN << kNaN << false;
        QTest::newRow("number over NaN") << kNaN << 3.0 << true;
        QTest::newRow("NaN over number") << 3.0 << kNaN << true;
    }
    void doubles()
    {
        QFETCH(double, before);
        QFETCH(double, value);
        QFETCH(bool, expectChanged);
        double field = before;
        QCOMPARE(assignIfChanged(field, value), expectChanged);
        if (std::isnan(value))
            QVERIFY(std::isnan(field));
        else if (expectChanged)
            QCOMPARE(field, value);
        else
            QVERIFY(sameValue(field, before));
    }

    void containersCompareByValue()
    {
        QStringList field{QStringLiteral("a")};
        QVERIFY(!assignIfChanged(field, QStringList{QStringLiteral("a")}));
        QVERIFY(assignIfChanged(field, QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(field.size(), 2);
    }

    void signalOnlyOnRealChange()
    {
        Holder holder;
        QSignalSpy spy(&holder, &Holder::nameChanged);
        holder.setName(QStringLiteral("x"));
        holder.setName(QStringLiteral("x"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(holder.name(), QStringLiteral("x"));
        holder.setName(QString());
        QCOMPARE(spy.count(), 2);
        QVERIFY(holder.name().isEmpty());
    }

    // Each real change is one signal and one repaint; NaN again, or the same number, neither.
    void repaintOnlyOnRealChange()
    {
        Holder item;
        QSignalSpy zoomSpy(&item, &Holder::zoomChanged);
        for (const double zoom : {kNaN, 4.0, 4.0, 5.5})
            item.setZoom(zoom);
        QCOMPARE(zoomSpy.count(), 2);
        QCOMPARE(item.repaints, 2);
    }
};

QTEST_APPLESS_MAIN(TestNotifying)
#include "tst_notifying.moc"
