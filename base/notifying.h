#pragma once
// The one "store a property, tell only on a real change" step every QObject setter takes (the
// house rule: a NOTIFY signal fires only when the value really changed). Header-only.
// Contract: assignIfChanged(field, value) stores `value` and returns true when it differs from
// `field` by ==, where two NaNs count as the same (a NaN coordinate set again is no change);
// otherwise it leaves `field` alone and returns false. setAndNotify() does the same and, on a
// change, emits `signal` (a parameterless signal of `object`) before it returns true.
// setAndRepaint() is setAndNotify() for a property a painted item draws: on a change it also
// schedules a repaint (`item->update()`), so the item never shows a stale value.

#include <QObject>

#include <cmath>
#include <type_traits>
#include <utility>

namespace tracemap {

template<typename T> bool sameValue(const T &a, const T &b)
{
    if constexpr (std::is_floating_point_v<T>)
        return a == b || (std::isnan(a) && std::isnan(b));
    else
        return a == b;
}

template<typename T, typename U> bool assignIfChanged(T &field, U &&value)
{
    if (sameValue<T>(field, value))
        return false;
    field = std::forward<U>(value);
    return true;
}

template<typename Object, typename T, typename U, typename Signal>
bool setAndNotify(Object *object, T &field, U &&value, Signal signal)
{
    if (!assignIfChanged(field, std::forward<U>(value)))
        return false;
    Q_EMIT(object->*signal)();
    return true;
}

template<typename Item, typename T, typename U, typename Signal>
bool setAndRepaint(Item *item, T &field, U &&value, Signal signal)
{
    if (!setAndNotify(item, field, std::forward<U>(value), signal))
        return false;
    item->update();
    return true;
}

} // namespace tracemap
