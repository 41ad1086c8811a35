#pragma once
// One bounded memory cache: a hash that empties itself when it reaches its capacity. Long-running
// programs (the agent, a desktop app left open for days) must not grow without bound, and the
// caches it serves are all backed by something slower (a SQLite file, a database, the network),
// so starting over is cheap and far simpler than an LRU. Not thread-safe; one owner.

#include <QHash>

#include <optional>

namespace tracemap {

template<typename Key, typename Value> class BoundedCache
{
public:
    explicit BoundedCache(qsizetype capacity) : m_capacity(std::max<qsizetype>(1, capacity)) {}

    // Stores `value`; when the cache is full and `key` is new, everything else is dropped first.
    void insert(const Key &key, const Value &value)
    {
        if (m_items.size() >= m_capacity && !m_items.contains(key)) {
            m_items.clear();
            ++m_clears;
        }
        m_items.insert(key, value);
    }
    std::optional<Value> find(const Key &key) const
    {
        const auto it = m_items.constFind(key);
        if (it == m_items.cend())
            return std::nullopt;
        return *it;
    }
    bool contains(const Key &key) const { return m_items.contains(key); }
    void remove(const Key &key) { m_items.remove(key); }
    void clear() { m_items.clear(); }
    qsizetype size() const { return m_items.size(); }
    qsizetype capacity() const { return m_capacity; }
    int clears() const { return m_clears; } // how often it started over (for logs and tests)

private:
    qsizetype m_capacity;
    QHash<Key, Value> m_items;
    int m_clears = 0;
};

} // namespace tracemap
