#include "routeset.h"

#include "notifying.h"

#include <QQuickItem>

#include <cmath>

namespace tracemap {

namespace {

bool sameNumber(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace

bool operator==(const MapHop &a, const MapHop &b)
{
    return a.row == b.row && a.ttl == b.ttl && sameNumber(a.latitude, b.latitude) &&
           sameNumber(a.longitude, b.longitude) && a.hasLocation == b.hasLocation &&
           sameNumber(a.accuracyKm, b.accuracyKm) && sameNumber(a.avgRttMs, b.avgRttMs) &&
           a.label == b.label && a.address == b.address && sameNumber(a.lossPct, b.lossPct) &&
           a.highlighted == b.highlighted;
}

bool operator==(const MapRoute &a, const MapRoute &b)
{
    return a.id == b.id && a.name == b.name && a.color == b.color && a.opacity == b.opacity &&
           a.dashed == b.dashed && a.visible == b.visible && a.failed == b.failed &&
           a.hasSource == b.hasSource && sameNumber(a.sourceLatitude, b.sourceLatitude) &&
           sameNumber(a.sourceLongitude, b.sourceLongitude) && a.hops == b.hops;
}

RouteSet::RouteSet(QObject *parent) : QObject(parent) {}

void RouteSet::setRoutes(const QList<MapRoute> &routes)
{
    setAndNotify(this, m_routes, routes, &RouteSet::routesChanged);
}

QVariantList RouteSet::legend() const
{
    QVariantList rows;
    for (const MapRoute &route : m_routes) {
        rows.append(QVariantMap{{QStringLiteral("id"), route.id},
                                {QStringLiteral("name"), route.name},
                                {QStringLiteral("color"), route.color},
                                {QStringLiteral("visible"), route.visible},
                                {QStringLiteral("failed"), route.failed}});
    }
    return rows;
}

void RouteSet::setMainRouteName(const QString &name)
{
    setAndNotify(this, m_mainRouteName, name, &RouteSet::mainRouteNameChanged);
}

void RouteSet::setRouteVisible(const QString &id, bool visible)
{
    QList<MapRoute> routes = m_routes;
    for (MapRoute &route : routes) {
        if (route.id == id)
            route.visible = visible;
    }
    setRoutes(routes);
}

void RouteSet::clear()
{
    setRoutes({});
}

QQmlListProperty<RouteSet> RouteSetList::property()
{
    return QQmlListProperty<RouteSet>(m_owner, this, &RouteSetList::append, &RouteSetList::count,
                                      &RouteSetList::at, &RouteSetList::clear);
}

QList<MapRoute> RouteSetList::routes() const
{
    QList<MapRoute> routes;
    for (const QPointer<RouteSet> &set : m_sets) {
        if (set)
            routes += set->routes();
    }
    return routes;
}

QString RouteSetList::mainRouteName() const
{
    for (const QPointer<RouteSet> &set : m_sets) {
        if (set && !set->mainRouteName().isEmpty() && set->count() > 0)
            return set->mainRouteName();
    }
    return {};
}

void RouteSetList::append(QQmlListProperty<RouteSet> *list, RouteSet *set)
{
    auto *self = static_cast<RouteSetList *>(list->data);
    if (!set)
        return;
    self->m_sets.append(set);
    QQuickItem *owner = self->m_owner;
    self->m_connections.append(
        QObject::connect(set, &RouteSet::routesChanged, owner, [owner] { owner->update(); }));
    self->m_connections.append(
        QObject::connect(set, &RouteSet::mainRouteNameChanged, owner, [owner] { owner->update(); }));
    owner->update();
}

qsizetype RouteSetList::count(QQmlListProperty<RouteSet> *list)
{
    return static_cast<RouteSetList *>(list->data)->m_sets.size();
}

RouteSet *RouteSetList::at(QQmlListProperty<RouteSet> *list, qsizetype index)
{
    return static_cast<RouteSetList *>(list->data)->m_sets.value(index);
}

void RouteSetList::clear(QQmlListProperty<RouteSet> *list)
{
    auto *self = static_cast<RouteSetList *>(list->data);
    for (const QMetaObject::Connection &connection : std::as_const(self->m_connections))
        QObject::disconnect(connection);
    self->m_connections.clear();
    self->m_sets.clear();
    self->m_owner->update();
}

} // namespace tracemap
