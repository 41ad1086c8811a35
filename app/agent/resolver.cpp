#include "resolver.h"

#include "agentlog.h"

#include <ares.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace tracemap::agent {

struct Resolver::Private
{
    ares_channel channel = nullptr;
    std::thread thread;
    int wake[2] = {-1, -1};
    std::mutex mutex;
    struct Request
    {
        quint64 id;
        QByteArray name;
        Family family;
    };
    std::deque<Request> queue;                       // guarded by mutex
    std::unordered_map<quint64, Callback> callbacks; // guarded by mutex
    quint64 nextId = 0;                              // guarded by mutex
    std::atomic<bool> stopping{false};

    struct QueryContext
    {
        Private *d;
        quint64 id;
    };

    void finish(quint64 id, const ResolveResult &result)
    {
        Callback callback;
        {
            std::lock_guard lock(mutex);
            auto it = callbacks.find(id);
            if (it == callbacks.end())
                return; // cancelled
            callback = std::move(it->second);
            callbacks.erase(it);
        }
        callback(result);
    }

    static void answered(void *arg, int status, int, ares_addrinfo *info)
    {
        auto *context = static_cast<QueryContext *>(arg);
        ResolveResult result;
        if (status == ARES_SUCCESS && info) {
            for (ares_addrinfo_node *n = info->nodes; n; n = n->ai_next) {
                const QHostAddress a(n->ai_addr);
                if (!a.isNull() && !result.addresses.contains(a))
                    result.addresses.append(a);
            }
        }
        if (status == ARES_SUCCESS && result.addresses.isEmpty())
            status = ARES_ENODATA;
        switch (status) {
        case ARES_SUCCESS:
            break;
        case ARES_ENOTFOUND:
        case ARES_ENODATA:
        case ARES_ENONAME:
            result.error = ResolveResult::Error::NotFound;
            result.message = QStringLiteral("the name does not resolve");
            break;
        case ARES_ETIMEOUT:
        case ARES_ECONNREFUSED:
            result.error = ResolveResult::Error::NoAnswer;
            result.message = QStringLiteral("no answer from the DNS servers");
            break;
        case ARES_EDESTRUCTION:
        case ARES_ECANCELLED:
            result.error = ResolveResult::Error::Cancelled;
            result.message = QStringLiteral("the look-up was cancelled");
            break;
        default:
            result.error = ResolveResult::Error::Failed;
            result.message = QString::fromLatin1(ares_strerror(status));
            break;
        }
        if (info)
            ares_freeaddrinfo(info);
        context->d->finish(context->id, result);
        delete context;
    }

    void startQueued()
    {
        std::deque<Request> pending;
        {
            std::lock_guard lock(mutex);
            pending.swap(queue);
        }
        for (const Request &r : pending) {
            ares_addrinfo_hints hints{};
            hints.ai_family = r.family == Family::IPv4   ? AF_INET
                              : r.family == Family::IPv6 ? AF_INET6
                                                         : AF_UNSPEC;
            hints.ai_flags = ARES_AI_NOSORT; // sorting would connect() to the candidates
            ares_getaddrinfo(channel, r.name.constData(), nullptr, &hints, &answered,
                             new QueryContext{this, r.id});
        }
    }

    void run()
    {
        while (!stopping) {
            ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
            const int mask = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
            pollfd fds[ARES_GETSOCK_MAXNUM + 1];
            ares_socket_t owners[ARES_GETSOCK_MAXNUM + 1];
            nfds_t n = 0;
            fds[n++] = {wake[0], POLLIN, 0};
            for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
                short events = 0;
                if (ARES_GETSOCK_READABLE(mask, i))
                    events |= POLLIN;
                if (ARES_GETSOCK_WRITABLE(mask, i))
                    events |= POLLOUT;
                if (events) {
                    owners[n] = sockets[i];
                    fds[n++] = {sockets[i], events, 0};
                }
            }
            timeval max{1, 0};
            timeval tv{};
            const timeval *t = ares_timeout(channel, &max, &tv);
            const int timeoutMs = int(t->tv_sec * 1000 + t->tv_usec / 1000) + 1;
            const int ready = ::poll(fds, n, timeoutMs);
            if (fds[0].revents & POLLIN) {
                char buffer[64];
                while (::read(wake[0], buffer, sizeof buffer) > 0) {
                }
            }
            if (stopping)
                break;
            startQueued();
            bool any = false;
            for (nfds_t i = 1; ready > 0 && i < n; ++i) {
                if (fds[i].revents == 0)
                    continue;
                any = true;
                const bool readable = fds[i].revents & (POLLIN | POLLHUP | POLLERR);
                const bool writable = fds[i].revents & POLLOUT;
                ares_process_fd(channel, readable ? owners[i] : ARES_SOCKET_BAD,
                                writable ? owners[i] : ARES_SOCKET_BAD);
            }
            if (!any)
                ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); // timeouts
        }
    }

    void poke() const
    {
        const char c = 1;
        [[maybe_unused]] const ssize_t w = ::write(wake[1], &c, 1);
    }
};

Resolver::Resolver() : d(std::make_unique<Private>()) {}

Resolver::~Resolver()
{
    shutdown();
}

bool Resolver::start(const QString &servers, int timeoutMs, QString *error)
{
    static const int initialised = ares_library_init(ARES_LIB_INIT_ALL);
    if (initialised != ARES_SUCCESS) {
        *error = QStringLiteral("cannot initialise c-ares");
        return false;
    }
    ares_options options{};
    // Two tries; c-ares doubles the wait on the retry, so one try gets a third of the budget.
    options.timeout = std::max(100, timeoutMs / 3);
    options.tries = 2;
    const int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    if (ares_init_options(&d->channel, &options, mask) != ARES_SUCCESS) {
        *error = QStringLiteral("cannot initialise the resolver (c-ares)");
        return false;
    }
    if (!servers.trimmed().isEmpty() &&
        ares_set_servers_ports_csv(d->channel,
                                   servers.simplified().remove(QLatin1Char(' ')).toLatin1().constData()) !=
            ARES_SUCCESS) {
        *error = QStringLiteral("bad DNS server list '%1' (expected 127.0.0.1:53,[::1]:53)").arg(servers);
        ares_destroy(d->channel);
        d->channel = nullptr;
        return false;
    }
    if (::pipe2(d->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        *error = QStringLiteral("cannot create the resolver's wake-up pipe");
        return false;
    }
    d->thread = std::thread([this] { d->run(); });
    return true;
}

quint64 Resolver::lookup(const QString &name, Family family, Callback done)
{
    quint64 id = 0;
    {
        std::lock_guard lock(d->mutex);
        id = ++d->nextId;
        d->callbacks.emplace(id, std::move(done));
        d->queue.push_back({id, name.toUtf8(), family});
    }
    d->poke();
    return id;
}

void Resolver::cancel(quint64 id)
{
    std::lock_guard lock(d->mutex);
    d->callbacks.erase(id);
}

void Resolver::shutdown()
{
    if (!d->channel)
        return;
    d->stopping = true;
    d->poke();
    if (d->thread.joinable())
        d->thread.join();
    ares_destroy(d->channel); // every pending query's callback: ARES_EDESTRUCTION -> Cancelled
    d->channel = nullptr;
    for (int &fd : d->wake) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
    std::unordered_map<quint64, Callback> left;
    {
        std::lock_guard lock(d->mutex);
        left.swap(d->callbacks);
        d->queue.clear();
    }
    ResolveResult cancelled{
        ResolveResult::Error::Cancelled, QStringLiteral("the agent is shutting down"), {}};
    for (auto &entry : left)
        entry.second(cancelled);
}

void FailureCache::add(const QString &name, const ResolveResult &failure, qint64 nowMs)
{
    if (m_ttlMs <= 0)
        return;
    if (m_entries.size() >= m_capacity) {
        // Drop the expired ones; if none, the cache is full of fresh failures: forget them all
        // rather than grow (a flood of random names must not grow memory).
        for (auto it = m_entries.begin(); it != m_entries.end();)
            it = it->expiresMs <= nowMs ? m_entries.erase(it) : std::next(it);
        if (m_entries.size() >= m_capacity)
            m_entries.clear();
    }
    m_entries.insert(name.toLower(), {failure, nowMs + m_ttlMs});
}

const ResolveResult *FailureCache::find(const QString &name, qint64 nowMs) const
{
    const auto it = m_entries.constFind(name.toLower());
    if (it == m_entries.cend() || it->expiresMs <= nowMs)
        return nullptr;
    return &it->failure;
}

} // namespace tracemap::agent
