#!/usr/bin/env python3
"""A watch keeps one Paris flow across its rounds, seen on the wire and in its report.

Uses test_paris.py's diamond (namespaces tmf<pid>-*): r1 balances dst's subnet per flow over
r2a and r2b (kernel L4 multipath hash for UDP and TCP, an nftables hash of the ICMP type,
code and checksum for ICMP). A packet socket in src captures every probe the watch sends
on src's only link; its flow identity is what a per-flow balancer hashes:

    udp, tcp   source and destination port
    icmp       type, code, checksum and echo identifier

Checks, IPv4 and IPv6:
  * Paris watch of ROUNDS rounds (udp, tcp, icmp on a raw socket, v4 icmp on a ping socket):
    every probe of every round, that is every trace of the watch, shows ONE flow identity;
    the report has one responder at TTL 2 (r2a or r2b), no path change, all rounds done.
  * the same watch with --classic: many flow identities, TTL 2 answered by both r2a and r2b,
    and still no path change (a load-balanced hop is not a change).

usage: test_watchflow.py /path/to/tracemap-cli
"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402
from test_paris import BRANCH, DST, Diamond  # noqa: E402

ROUNDS = 8
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def capture_main(ifname, family, dst):
    """Runs inside src (--capture): prints one JSON line per probe to dst until SIGTERM."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    dst_bytes = socket.inet_pton(socket.AF_INET if family == 4 else socket.AF_INET6, dst)
    print("ready", flush=True)
    while not stop:
        try:
            frame, meta = s.recvfrom(65535)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if meta[2] != PACKET_OUTGOING or len(frame) < 14:
            continue
        ethertype = struct.unpack("!H", frame[12:14])[0]
        ip = frame[14:]
        if family == 4 and ethertype == 0x0800 and len(ip) >= 20:
            if ip[16:20] != dst_bytes:
                continue
            proto, l4 = ip[9], ip[(ip[0] & 0x0F) * 4:]
        elif family == 6 and ethertype == 0x86DD and len(ip) >= 40:
            if ip[24:40] != dst_bytes:
                continue
            proto, l4 = ip[6], ip[40:]
        else:
            continue
        if len(l4) < 8:
            continue
        if proto in (6, 17):
            if proto == 6 and not (l4[13] & 0x02):  # SYNs only, not the kernel's RSTs
                continue
            flow = {"proto": proto, "sport": struct.unpack("!H", l4[0:2])[0],
                    "dport": struct.unpack("!H", l4[2:4])[0]}
        elif proto in (1, 58) and l4[0] in (8, 128):  # echo requests
            flow = {"proto": proto, "type": l4[0], "code": l4[1],
                    "checksum": struct.unpack("!H", l4[2:4])[0], "id": struct.unpack("!H", l4[4:6])[0]}
        else:
            continue
        print(json.dumps(flow, sort_keys=True), flush=True)


class Capture:
    """A packet capture on src's link for the duration of a `with` block."""

    def __init__(self, t, family):
        self.t, self.family = t, family

    def __enter__(self):
        argv = ["ip", "netns", "exec", self.t.topo.ns("src"), sys.executable, os.path.abspath(__file__),
                "--capture", "eth0", str(self.family), DST[self.family]]
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if line.strip() != "ready":
            self.p.kill()
            raise RuntimeError(f"capture did not start: {line!r} {self.p.stderr.read()}")
        return self

    def __exit__(self, *exc):
        if self.p.poll() is None:
            time.sleep(0.3)  # the last probes' frames
            self.p.terminate()
        try:
            out, _ = self.p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
        self.flows = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
        return False


def distinct(flows):
    return sorted({json.dumps(f, sort_keys=True) for f in flows})


def watch(t, name, family, method, extra=(), env=()):
    argv = ["env", *env, t.cli, "watch", DST[family], f"-{family}", "--method", method, "--interval", "0.2",
            "--cycles", str(ROUNDS), "--queries", "3", "--json", *extra]
    with Capture(t, family) as cap:
        r = t.run(argv, timeout=60)
    try:
        doc = nstest.last_json(r.out)
    except ValueError as e:
        t.fail(f"{name}: JSON document", f"{e}\n{r.brief()}")
        return None, None, cap.flows
    return r, doc, cap.flows


def ttl2(doc):
    hop = next((h for h in doc.get("hops", []) if h.get("ttl") == 2), {})
    return {nstest.norm(x["address"]) for x in hop.get("responders", [])}


def paris(t, family, method, env=(), label=None):
    name = f"v{family}/{label or method}"
    r, doc, flows = watch(t, name, family, method, env=env)
    if doc is None:
        return
    ids = distinct(flows)
    t.check(f"{name}: exit 0, {ROUNDS} rounds completed",
            r.rc == 0 and doc.get("cycles") == ROUNDS and doc.get("end_reason") == "completed", r.brief(600))
    t.check(f"{name}: every probe of the {ROUNDS} rounds has one flow identity on the wire",
            len(flows) >= ROUNDS * 3 and len(ids) == 1,
            f"{len(flows)} probes captured, {len(ids)} identities: {ids[:6]}",
            ok_detail=f"{len(flows)} probes, {ids[0] if ids else '-'}")
    seen = ttl2(doc)
    branches = set(BRANCH[family].values())
    t.check(f"{name}: TTL 2 one responder (r2a or r2b) over the watch, no path change",
            len(seen) == 1 and seen <= branches and doc.get("path_changes") == [],
            f"TTL 2 responders {sorted(seen)}, path_changes {doc.get('path_changes')}",
            ok_detail=f"TTL 2 {sorted(seen)}")


def classic(t, family, method):
    name = f"v{family}/classic/{method}"
    r, doc, flows = watch(t, name, family, method, extra=("--classic",))
    if doc is None:
        return
    ids = distinct(flows)
    t.check(f"{name}: probes carry many flow identities", len(ids) > ROUNDS,
            f"{len(flows)} probes, {len(ids)} identities", ok_detail=f"{len(flows)} probes, {len(ids)} identities")
    seen = ttl2(doc)
    t.check(f"{name}: TTL 2 load-balanced over r2a and r2b, not reported as a path change",
            seen == set(BRANCH[family].values()) and doc.get("path_changes") == [] and r.rc == 0,
            f"TTL 2 responders {sorted(seen)}, path_changes {doc.get('path_changes')}\n{r.brief(600)}",
            ok_detail=f"TTL 2 {sorted(seen)}")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--capture":
        capture_main(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    cli = nstest.cli_path()
    with nstest.Session("netns_watchflow", deadline=200, needs=("setsid", "nft")) as t:
        if not t.require_binary(cli):
            return
        t.cli = cli
        t.topo = Diamond(f"tmf{os.getpid()}-")
        t.topo.create()
        for family in (4, 6):
            for method in ("udp", "tcp", "icmp"):
                paris(t, family, method, env=("TRACEMAP_ICMP_SOCKET=raw",) if method == "icmp" else ())
            classic(t, family, "udp")
            classic(t, family, "icmp")
        # ICMP on a ping socket: the kernel's echo id is the bound flow id.
        subprocess.run(["ip", "netns", "exec", t.topo.ns("src"), "sysctl", "-qw",
                        "net.ipv4.ping_group_range=0 2147483647"], check=True)
        paris(t, 4, "icmp", env=("TRACEMAP_ICMP_SOCKET=dgram",), label="icmp (ping socket)")


if __name__ == "__main__":
    main()
