#pragma once
// Handing one answer to every caller that waited for it, when a caller may delete the object
// that calls back (a callback may cancel, ask again or destroy the client). Header-only.
// Contract: calls each callback in order with `args` while `owner` is alive; once a callback
// destroyed `owner`, the rest are dropped (they went with it) and false is returned.

#include <QPointer>

namespace tracemap {

template<typename Owner, typename Callbacks, typename... Args>
bool callWhileAlive(Owner *owner, const Callbacks &callbacks, const Args &...args)
{
    const QPointer<Owner> alive(owner);
    for (const auto &callback : callbacks) {
        callback(args...);
        if (!alive)
            return false;
    }
    return true;
}

} // namespace tracemap
