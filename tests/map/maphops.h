#pragma once
// Test helper shared by the map tests: a hop the map can place, built in one place so that
// every test's hops carry the fields the renderer reads (row, TTL, place, RTT, address, label).

#include "maprenderer.h"

#include <QString>

namespace tracemap::maphops {

// Hop `ttl` (row ttl - 1) at the given place, with this average RTT, address and label.
inline MapHop placed(int ttl, double latitude, double longitude, double rttMs, const QString &address = {},
                     const QString &label = {})
{
    MapHop h;
    h.row = ttl - 1;
    h.ttl = ttl;
    h.latitude = latitude;
    h.longitude = longitude;
    h.hasLocation = true;
    h.avgRttMs = rttMs;
    h.address = address;
    h.label = label;
    return h;
}

} // namespace tracemap::maphops
