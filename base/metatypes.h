#pragma once
// Registers the value types a layer sends across threads in queued signals (house rule: value
// types across threads), so each layer's register function is one list of its types.
// Contract: every T must be declared with Q_DECLARE_METATYPE; calling again is harmless.

#include <QMetaType>

namespace tracemap {

template<typename... T> void registerMetaTypes()
{
    (void(qRegisterMetaType<T>()), ...);
}

} // namespace tracemap
