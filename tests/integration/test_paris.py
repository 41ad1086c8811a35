#!/usr/bin/env python3
"""Paris mode vs --classic through a per-flow (L4-hash) ECMP load balancer.

Builds its own diamond topology (namespaces tmp<pid>-*, not topology.sh's chain):

    src --L0-- r1 --L1-- r2a --L3-- r3 --L5-- dst
                 \\--L2-- r2b --L4--/

Link k: upstream side 198.18.k.2/24 fd00:7e58:k::2/64, downstream side 198.18.k.1/24
fd00:7e58:k::1/64 (L1..L4 are numbered the same way: r1/r2x are the upstream sides of L1/L2,
r2a/r2b the upstream sides of L3/L4). r1 routes dst's subnet over an ECMP route via r2a and
r2b with fib_multipath_hash_policy=1 (hash on addresses, protocol and ports); every return
route is single-path (r3 -> r2a). r3 sends ICMPv4 errors from the inbound interface
(icmp_errors_use_inbound_ifaddr=1), so at TTL 3 it also tells which branch a probe took.

Checks, per family:
  * classic UDP (new source port per probe; and classic ICMP, see below) really is split by
    the balancer: TTL 2 shows both r2a and r2b. If it never does, the balancer is not
    balancing and nothing below could prove anything: that is a failure, not a pass.
  * default (Paris) mode, for udp, icmp and tcp: in every trace each TTL has exactly one
    responder, TTL 2 is r2a or r2b, (v4) TTL 3 is r3's address on that same branch, and the
    destination is reached.
Linux' multipath hash has no ports for ICMP (every echo request of one address pair takes
the same nexthop), so for ICMP r1 balances with nftables instead, hashing type, code and
checksum like a classic per-flow router; classic ICMP must then be split too. Without nft
the icmp checks still run but cannot tell Paris from classic (a note is printed).

usage: test_paris.py /path/to/tracemap-cli
"""
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402
from nstest import fmt_hops  # noqa: E402

NSPING = os.path.normpath(os.path.join(nstest.HERE, "..", "netns", "nsping.py"))
NODES = ("src", "r1", "r2a", "r2b", "r3", "dst")
ROUTERS = ("r1", "r2a", "r2b", "r3")
METHODS = ("udp", "icmp", "tcp")
FAMILIES = (4, 6)
CLASSIC_RUNS = 3
PARIS_RUNS = 5
QUERIES = 10


def a4(k, side):
    return f"198.18.{k}.{side}"


def a6(k, side):
    return f"fd00:7e58:{k}::{side}"


def addr(family, k, side):
    return a4(k, side) if family == 4 else a6(k, side)


# (link, upstream node, its ifname, downstream node, its ifname)
LINKS = (
    (0, "src", "eth0", "r1", "up0"),
    (1, "r1", "a0", "r2a", "up0"),
    (2, "r1", "b0", "r2b", "up0"),
    (3, "r2a", "dn0", "r3", "a0"),
    (4, "r2b", "dn0", "r3", "b0"),
    (5, "r3", "dn0", "dst", "eth0"),
)
DST = {f: addr(f, 5, 1) for f in FAMILIES}
HOP1 = {f: addr(f, 0, 1) for f in FAMILIES}                           # r1
BRANCH = {f: {"r2a": addr(f, 1, 1), "r2b": addr(f, 2, 1)} for f in FAMILIES}   # TTL 2
R3_VIA = {"r2a": a4(3, 1), "r2b": a4(4, 1)}                          # TTL 3, v4 only


class Diamond(nstest.Topology):
    """Own namespaces; teardown (down/list/watchdog) reuses topology.sh, which works on any
    prefix: it kills what runs inside PREFIX* namespaces and deletes them."""

    def create(self, ping_group="closed"):
        p = self.prefix
        if self.remaining():
            raise RuntimeError(f"namespaces with prefix {p!r} already exist")
        self.up = True  # from here on, destroy() must run
        # Detached watchdog first: removes PREFIX* once this process is gone, even on SIGKILL.
        subprocess.run(["setsid", "-f", "bash", nstest.TOPOLOGY, "__watch", p, str(os.getpid())],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)

        def sh(*argv):
            r = subprocess.run(list(argv), capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")

        def ipn(node, *argv):
            sh("ip", "-n", p + node, *argv)

        def sysctl(node, *kv):
            sh("ip", "netns", "exec", p + node, "sysctl", "-qw", *kv)

        for node in NODES:
            sh("ip", "netns", "add", p + node)
            sysctl(node, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                   "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0",
                   "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                   "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0",
                   "net.ipv4.icmp_msgs_per_sec=100000", "net.ipv4.icmp_msgs_burst=100000",
                   "net.ipv4.icmp_echo_ignore_all=0")
            fwd = "1" if node in ROUTERS else "0"
            sysctl(node, f"net.ipv4.ip_forward={fwd}", f"net.ipv6.conf.all.forwarding={fwd}")
            ipn(node, "link", "set", "lo", "up")
        # the balancer: L4 hash (addresses, protocol, ports) for v4 and v6
        sysctl("r1", "net.ipv4.fib_multipath_hash_policy=1", "net.ipv6.fib_multipath_hash_policy=1")
        # r3's ICMPv4 errors come from the interface the probe arrived on (= which branch)
        sysctl("r3", "net.ipv4.icmp_errors_use_inbound_ifaddr=1")

        for k, up, up_if, dn, dn_if in LINKS:
            ipn(up, "link", "add", up_if, "type", "veth", "peer", "name", dn_if, "netns", p + dn)
            for node, ifname, side in ((up, up_if, 2), (dn, dn_if, 1)):
                ipn(node, "addr", "add", f"{a4(k, side)}/24", "dev", ifname)
                ipn(node, "-6", "addr", "add", f"{a6(k, side)}/64", "dev", ifname, "nodad")
                ipn(node, "link", "set", ifname, "up")

        def route(node, family, prefix, *via):
            ipn(node, f"-{family}", "route", "add", prefix, *via)

        for f, whole in ((4, "198.18.0.0/15"), (6, "fd00:7e58::/32")):
            net = (lambda k: f"198.18.{k}.0/24") if f == 4 else (lambda k: f"fd00:7e58:{k}::/64")
            route("src", f, whole, "via", addr(f, 0, 1))
            # r1: the ECMP route to dst's subnet, plain routes to the branches' far links
            route("r1", f, net(5), "nexthop", "via", addr(f, 1, 1), "dev", "a0",
                  "nexthop", "via", addr(f, 2, 1), "dev", "b0")
            route("r1", f, net(3), "via", addr(f, 1, 1))
            route("r1", f, net(4), "via", addr(f, 2, 1))
            route("r2a", f, whole, "via", addr(f, 1, 2))
            route("r2a", f, net(5), "via", addr(f, 3, 1))
            route("r2b", f, whole, "via", addr(f, 2, 2))
            route("r2b", f, net(5), "via", addr(f, 4, 1))
            route("r3", f, whole, "via", addr(f, 3, 2))       # single-path return via r2a
            route("dst", f, whole, "via", addr(f, 5, 2))

        # Linux' multipath hash sees no ports in ICMP, so it sends all echo requests of one
        # address pair the same way. For ICMP, r1 balances like a classic per-flow router
        # instead: nftables hashes the first 4 bytes of the ICMP header (type, code, checksum)
        # into a mark, and policy routing picks r2a (mark 1) or r2b (mark 2).
        self.icmp_lb = nstest.have_tool("nft")
        if self.icmp_lb:
            rules = "".join(
                f"    {fam} daddr {net} meta l4proto {proto} meta mark set jhash @th,0,32 mod 2 seed 0x5eed offset 1\n"
                for fam, net, proto in (("ip", "198.18.5.0/24", "icmp"), ("ip6", "fd00:7e58:5::/64", "ipv6-icmp")))
            nft = ("table inet tmlb {\n  chain pre {\n"
                   "    type filter hook prerouting priority mangle; policy accept;\n" + rules + "  }\n}\n")
            r = subprocess.run(["ip", "netns", "exec", p + "r1", "nft", "-f", "-"], input=nft,
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"nft in r1 failed: {r.stderr.strip()}")
            for f in FAMILIES:
                net5 = "198.18.5.0/24" if f == 4 else "fd00:7e58:5::/64"
                for mark, k in ((1, 1), (2, 2)):
                    ipn("r1", f"-{f}", "route", "add", net5, "via", addr(f, k, 1), "table", str(100 + mark))
                    ipn("r1", f"-{f}", "rule", "add", "fwmark", str(mark), "table", str(100 + mark))

        # warm up ARP / neighbour caches on every link, both directions, both families
        for k, up, _, dn, _ in LINKS:
            for node, side in ((up, 1), (dn, 2)):
                r = subprocess.run(["ip", "netns", "exec", p + node, sys.executable, NSPING, "-t", "3",
                                    a4(k, side), a6(k, side)], capture_output=True, text=True)
                if r.returncode != 0:
                    raise RuntimeError(f"warm-up ping from {node} over link {k} failed: {r.stderr.strip()}")
        self.state_silent = False
        self.state_pg = ping_group


def main():
    cli = nstest.cli_path()
    with nstest.Session("netns_paris", deadline=110, needs=("setsid",)) as t:
        if not t.require_binary(cli):
            return
        t.topo = Diamond(f"tmp{os.getpid()}-")
        t.topo.create()

        def trace(name, family, extra):
            argv = [cli, "trace", DST[family], f"-{family}", "--queries", str(QUERIES), "--json", *extra]
            return t.trace_json(name, argv, timeout=30)

        for family in FAMILIES:
            names = {v: k for k, v in BRANCH[family].items()}
            # -- the balancer must balance: classic probes spread over both branches ---------------
            for method in ("udp", "icmp") if t.topo.icmp_lb else ("udp",):
                seen, runs = set(), []
                for i in range(CLASSIC_RUNS):
                    r, doc, hops = trace(f"v{family}/classic/{method} run {i + 1}", family,
                                         ["--classic", "--method", method])
                    if hops is None:
                        continue
                    runs.append(f"run {i + 1}: {fmt_hops(hops)}")
                    seen |= dict(hops).get(2, set())
                t.check(f"v{family}/classic/{method}: balancer splits the probes, TTL 2 answered by r2a and r2b",
                        set(BRANCH[family].values()) <= seen,
                        f"TTL 2 answered only by {sorted(seen) or 'nobody'} over {CLASSIC_RUNS} classic traces "
                        f"of {QUERIES} probes (expected both {BRANCH[family]}): the per-flow balancer does not "
                        f"balance, so this test cannot prove anything about Paris mode\n  " + "\n  ".join(runs),
                        ok_detail=f"{CLASSIC_RUNS} traces x {QUERIES} probes: "
                                  + ", ".join(f"{names.get(a, a)}={a}" for a in sorted(seen)))
            if not t.topo.icmp_lb:
                print(f"     v{family}: nft not installed: icmp goes through the kernel ECMP only, which "
                      "hashes no ICMP fields (the icmp checks below cannot tell Paris from classic)")

            # -- Paris (default): one path per trace ---------------------------------------------
            for method in METHODS:
                taken = []
                for i in range(PARIS_RUNS):
                    name = f"v{family}/paris/{method} trace {i + 1}/{PARIS_RUNS}"
                    r, doc, hops = trace(name, family, ["--method", method])
                    if hops is None:
                        continue
                    problems = []
                    for ttl, addrs in hops:
                        if len(addrs) != 1:
                            problems.append(f"TTL {ttl}: {len(addrs)} responders {sorted(addrs)}, expected exactly 1")
                    by_ttl = {ttl: next(iter(a)) for ttl, a in hops if len(a) == 1}
                    if [ttl for ttl, _ in hops] != [1, 2, 3, 4]:
                        problems.append(f"TTLs {[ttl for ttl, _ in hops]}, expected 1..4")
                    if by_ttl.get(1) and not nstest.same_addr(by_ttl[1], HOP1[family]):
                        problems.append(f"TTL 1 answered by {by_ttl[1]}, expected r1 {HOP1[family]}")
                    branch = names.get(nstest.norm(by_ttl[2])) if 2 in by_ttl else None
                    if 2 in by_ttl and branch is None:
                        problems.append(f"TTL 2 answered by {by_ttl[2]}, expected r2a/r2b {BRANCH[family]}")
                    if family == 4 and branch and 3 in by_ttl and not nstest.same_addr(by_ttl[3], R3_VIA[branch]):
                        problems.append(f"TTL 3 answered by {by_ttl[3]}, expected r3's {branch}-side "
                                        f"{R3_VIA[branch]} (TTL 2 was {branch}: flow changed between TTLs)")
                    if family == 6 and 3 in by_ttl and nstest.norm(by_ttl[3]) not in (a6(3, 1), a6(4, 1)):
                        problems.append(f"TTL 3 answered by {by_ttl[3]}, expected r3 ({a6(3, 1)} or {a6(4, 1)})")
                    if not (doc.get("reached") is True and r.rc == 0 and by_ttl.get(4)
                            and nstest.same_addr(by_ttl[4], DST[family])):
                        problems.append(f"destination not reached: reached={doc.get('reached')!r} exit={r.rc} "
                                        f"last hop {fmt_hops(hops[-1:])}")
                    taken.append(branch or "?")
                    t.check(f"{name}: one responder per TTL, via r2a|r2b, destination reached",
                            not problems, "\n".join(problems) + f"\n  hops: {fmt_hops(hops)}\n" + r.brief(800),
                            ok_detail=f"via {branch}: {fmt_hops(hops)}")
                print(f"     v{family}/paris/{method}: branches taken by the {PARIS_RUNS} traces: {' '.join(taken)}")

        # the topology is removed by the Session; make sure `ip netns list` agrees
        t.topo.destroy()
        left = [n for n in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
                if n.startswith(t.topo.prefix)]
        t.check("cleanup: no tmp<pid>- namespaces left in `ip netns list`", not left, f"left behind: {left}")


if __name__ == "__main__":
    main()
