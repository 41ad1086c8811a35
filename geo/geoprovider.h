#pragma once
// One link of the geolocation chain. Providers live in the thread of the GeoService that owns
// them and must never block it: offline providers may answer synchronously, online ones answer
// later from the event loop. Every lookup must end, by its own timeout if need be.

#include "geotypes.h"

#include <functional>
#include <memory>

namespace tracemap {

// What kind of evidence a provider gives. GeoService orders and arbitrates the chain by role
// (arbitration.h), never by recognising ids. Override, Special and Cache are the service's own
// steps before the chain; providers in the chain are Database, Hint or Online.
enum class ProviderRole {
    Override, // the user's own table: always wins
    Special,  // special-purpose address blocks: no place exists
    Cache,    // an earlier decision, remembered
    Database, // an offline IP database
    Hint,     // evidence from the hop's name; may refine a database answer
    Online,   // a network service; asked only when nothing offline placed the address
};

class GeoProvider
{
public:
    using Callback = std::function<void(const GeoAnswer &)>;

    virtual ~GeoProvider() = default;

    // Short stable id, used in results, settings and logs ("mmdb", "hostname", ...).
    virtual QString id() const = 0;

    // The kind of evidence this provider gives (see ProviderRole).
    virtual ProviderRole role() const { return ProviderRole::Database; }

    // Answers the query by calling `done` exactly once (possibly before lookup() returns).
    // Status Unlocatable means "I don't know this address"; the chain goes on to the next provider.
    virtual void lookup(const GeoQuery &query, Callback done) = 0;

    // Drops pending lookups without calling their callbacks (service shutdown).
    virtual void cancelAll() {}
};

} // namespace tracemap
