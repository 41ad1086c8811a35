#pragma once
// Nominatim's answers, remembered: in memory (bounded, base/boundedcache.h) and in an SQLite
// file opened by the one recovery policy of base/sqlitestore.h. Places live 30 days, "no such
// place" 7 (NominatimClient's constants); failures are never stored. Time is an argument
// (seconds since the epoch), so tests step it. Belongs to the thread that opened it.

#include "boundedcache.h"
#include "nominatim.h"
#include "sqlitestore.h"

#include <optional>

namespace tracemap {

class NominatimCache
{
public:
    static constexpr qsizetype kMaxMemoryEntries = 10000; // the memory cache starts over beyond this

    // `path` empty = memory only; an unusable file is set aside or bypassed with a warning.
    void open(const QString &path);
    bool isPersistent() const { return m_store.isOpen(); }

    std::optional<NominatimAnswer> find(const QString &key, qint64 now);
    // Stores Resolved and NotFound answers until now + their lifetime.
    void store(const QString &key, const NominatimAnswer &answer, qint64 now);

private:
    struct Entry
    {
        NominatimAnswer answer;
        qint64 expiresAt = 0; // seconds since the epoch
    };
    BoundedCache<QString, Entry> m_memory{kMaxMemoryEntries};
    SqliteStore m_store{QStringLiteral("Nominatim cache"), QStringLiteral("tracemap-nominatim")};
    bool m_warnedWriteFailure = false;
};

} // namespace tracemap
