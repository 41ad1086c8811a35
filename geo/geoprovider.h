#pragma once
// One link of the geolocation chain. Providers live in the thread of the GeoService that owns
// them and must never block it: offline providers may answer synchronously, online ones answer
// later from the event loop. Every lookup must end, by its own timeout if need be.

#include "geotypes.h"

#include <functional>

namespace tracemap {

class GeoProvider
{
public:
    using Callback = std::function<void(const GeoAnswer &)>;

    virtual ~GeoProvider() = default;

    // Short stable id, used in results, settings and logs ("mmdb", "hostname", ...).
    virtual QString id() const = 0;

    // Answers the query by calling `done` exactly once (possibly before lookup() returns).
    // Status Unlocatable means "I don't know this address"; the chain goes on to the next provider.
    virtual void lookup(const GeoQuery &query, Callback done) = 0;

    // Drops pending lookups without calling their callbacks (service shutdown).
    virtual void cancelAll() {}
};

} // namespace tracemap
