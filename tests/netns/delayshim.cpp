// tm-delayshim: holds the packets of one NFQUEUE for a delay ± jitter, then accepts them.
// This kernel has no netem; a router namespace of the test topology gets realistic RTTs with
//
//   ip netns exec PREFIXr3 iptables -A FORWARD -j NFQUEUE --queue-num 7
//   ip netns exec PREFIXr3 tm-delayshim --queue 7 --delay 20 --jitter 5 &
//
// Contract: every packet queued is accepted exactly once, after delay + uniform(-jitter,
// +jitter) ms (at least 0), measured from when the shim read it; packets may be reordered
// by jitter as on a real link. "ready" on stdout once the queue is bound. SIGINT/SIGTERM
// accept everything still held and exit 0. Bad arguments: one line on stderr, exit 2.
// glibc's netinet/in.h before the kernel's headers, or both define struct in_addr.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;

void onSignal(int)
{
    g_stop = 1;
}

long long nowUs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

struct Held
{
    long long releaseUs;
    unsigned id;
    bool operator>(const Held &o) const { return releaseUs > o.releaseUs; }
};

struct Shim
{
    double delayMs = 0;
    double jitterMs = 0;
    std::mt19937_64 random{std::random_device{}()};
    std::priority_queue<Held, std::vector<Held>, std::greater<>> held;
    nfq_q_handle *queue = nullptr;
};

int onPacket(nfq_q_handle *, nfgenmsg *, nfq_data *data, void *context)
{
    auto *shim = static_cast<Shim *>(context);
    const nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(data);
    if (!header)
        return 0;
    double ms = shim->delayMs;
    if (shim->jitterMs > 0)
        ms += std::uniform_real_distribution<double>(-shim->jitterMs, shim->jitterMs)(shim->random);
    shim->held.push({nowUs() + static_cast<long long>(ms > 0 ? ms * 1000 : 0), ntohl(header->packet_id)});
    return 0;
}

void releaseDue(Shim *shim, bool all)
{
    const long long now = nowUs();
    while (!shim->held.empty() && (all || shim->held.top().releaseUs <= now)) {
        nfq_set_verdict(shim->queue, shim->held.top().id, NF_ACCEPT, 0, nullptr);
        shim->held.pop();
    }
}

bool number(const char *text, double min, double max, double *out)
{
    char *end = nullptr;
    errno = 0;
    const double v = std::strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

int usage(const std::string &message)
{
    std::fprintf(stderr, "tm-delayshim: %s\nusage: tm-delayshim --queue N --delay MS [--jitter MS]\n",
                 message.c_str());
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    Shim shim;
    double queueNum = -1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc)
            return usage(arg + " needs a value");
        const char *value = argv[++i];
        bool ok = false;
        if (arg == "--queue")
            ok = number(value, 0, 65535, &queueNum) && queueNum == static_cast<int>(queueNum);
        else if (arg == "--delay")
            ok = number(value, 0, 10000, &shim.delayMs);
        else if (arg == "--jitter")
            ok = number(value, 0, 10000, &shim.jitterMs);
        else
            return usage("unknown option " + arg);
        if (!ok)
            return usage("bad value '" + std::string(value) + "' for " + arg);
    }
    if (queueNum < 0)
        return usage("--queue is required");

    nfq_handle *handle = nfq_open();
    if (!handle) {
        std::fprintf(stderr, "tm-delayshim: cannot open netfilter queue: %s\n", std::strerror(errno));
        return 1;
    }
    shim.queue = nfq_create_queue(handle, static_cast<uint16_t>(queueNum), &onPacket, &shim);
    if (!shim.queue || nfq_set_mode(shim.queue, NFQNL_COPY_META, 0) < 0) {
        std::fprintf(stderr, "tm-delayshim: cannot bind queue %d: %s\n", static_cast<int>(queueNum),
                     std::strerror(errno));
        nfq_close(handle);
        return 1;
    }
    nfq_set_queue_maxlen(shim.queue, 65536);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    std::printf("ready\n");
    std::fflush(stdout);

    const int fd = nfq_fd(handle);
    std::vector<char> buffer(65536);
    while (!g_stop) {
        int waitMs = 1000;
        if (!shim.held.empty())
            waitMs = static_cast<int>(std::max(0LL, (shim.held.top().releaseUs - nowUs() + 999) / 1000));
        pollfd p{fd, POLLIN, 0};
        const int n = poll(&p, 1, waitMs);
        if (n > 0) {
            const ssize_t len = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
            if (len > 0)
                nfq_handle_packet(handle, buffer.data(), static_cast<int>(len));
        }
        releaseDue(&shim, false);
    }
    releaseDue(&shim, true);
    nfq_destroy_queue(shim.queue);
    nfq_close(handle);
    return 0;
}
