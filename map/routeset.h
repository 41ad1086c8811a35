#pragma once
// RouteSet: further routes for a MapView (other vantage points, the other side of a comparison,
// the path before a change), set from C++ by whoever owns them and shown by listing the set in
// MapView.routeSets from QML. Routes are drawn under the main route in list order; the set
// announces routesChanged only when what it holds really changes.
// RouteSetList: the MapView side, which keeps the listed sets and repaints its item when any of
// them changes.

#include "maprenderer.h"

#include <QObject>
#include <QPointer>
#include <QQmlListProperty>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

class QQuickItem;

namespace tracemap {

class RouteSet : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int count READ count NOTIFY routesChanged)
    // For QML legends and toggles: [{id, name, color, visible, failed}] in drawing order.
    Q_PROPERTY(QVariantList legend READ legend NOTIFY routesChanged)
    // The legend's name for the main route (the MapView's model) while this set is shown.
    Q_PROPERTY(QString mainRouteName READ mainRouteName WRITE setMainRouteName NOTIFY mainRouteNameChanged)
public:
    explicit RouteSet(QObject *parent = nullptr);

    QList<MapRoute> routes() const { return m_routes; }
    void setRoutes(const QList<MapRoute> &routes);
    int count() const { return int(m_routes.size()); }
    QVariantList legend() const;
    QString mainRouteName() const { return m_mainRouteName; }
    void setMainRouteName(const QString &name);

    Q_INVOKABLE void setRouteVisible(const QString &id, bool visible);
    Q_INVOKABLE void clear();

signals:
    void routesChanged();
    void mainRouteNameChanged();

private:
    QList<MapRoute> m_routes;
    QString m_mainRouteName;
};

bool operator==(const MapHop &a, const MapHop &b);
bool operator==(const MapRoute &a, const MapRoute &b);

class RouteSetList
{
public:
    explicit RouteSetList(QQuickItem *owner) : m_owner(owner) {}
    QQmlListProperty<RouteSet> property();
    // The routes of every listed set, in order, and the main route's name (the first given).
    QList<MapRoute> routes() const;
    QString mainRouteName() const;

private:
    static void append(QQmlListProperty<RouteSet> *list, RouteSet *set);
    static qsizetype count(QQmlListProperty<RouteSet> *list);
    static RouteSet *at(QQmlListProperty<RouteSet> *list, qsizetype index);
    static void clear(QQmlListProperty<RouteSet> *list);

    QQuickItem *m_owner;
    QList<QPointer<RouteSet>> m_sets;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace tracemap
