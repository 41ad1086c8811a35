#!/usr/bin/env python3
"""20 `tracemap-cli trace --json` processes at once, to 20 different targets at path lengths
1..7, mixed methods (udp/icmp/tcp), families and privileges (root / nobody). Each process's
hop list must be exactly its target's known path: an answer meant for another process (a
raw ICMP socket sees every process's errors) must never show up as a hop. Three rounds, the
methods rotated each time so every target is traced with every method; in the third, r3 is
silent (no time-exceeded), so TTL 3 must be a hole in every path longer than 3 hops.
Debian's traceroute runs alongside in every round (UDP, raw ICMP and raw TCP, as root), so
another traceroute program on the host sees the same ICMP traffic: its hop lists must be
exact too, and ours must not pick up its answers.

usage: test_concurrent.py /path/to/tracemap-cli
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402
from nstest import fmt_hops  # noqa: E402

# (target, method); family follows from the address. Path lengths 1..7.
CASES = [
    ("198.18.0.1", "udp"), ("fd00:7e57:1::2", "icmp"),                                    # 1
    ("198.19.0.2", "tcp"), ("fd00:7e57:1::1", "udp"),                                     # 2
    ("198.18.2.1", "icmp"), ("fd00:7e57:ff::3", "tcp"),                                   # 3
    ("198.18.4.2", "udp"), ("fd00:7e57:3::1", "icmp"),                                    # 4
    ("198.19.0.5", "tcp"), ("fd00:7e57:5::2", "udp"), ("198.18.4.1", "icmp"),             # 5
    ("fd00:7e57:ff::6", "tcp"), ("198.18.10.2", "udp"), ("fd00:7e57:5::1", "icmp"),       # 6
    ("198.18.10.1", "tcp"), ("fd00:7e57:ff10::1", "udp"), ("198.19.10.2", "icmp"),        # 7
    ("fd00:7e57:ff10::3", "tcp"), ("198.19.10.4", "udp"), ("fd00:7e57:ff10::5", "icmp"),  # 7
]
ROTATE = {"udp": "icmp", "icmp": "tcp", "tcp": "udp"}
# Peer traceroutes that run at the same time as the 20 tracemap processes.
PEERS = [("198.19.10.6", []), ("fd00:7e57:ff10::6", ["-I"]), ("198.19.10.7", ["-T", "-p", "80"])]


def main():
    cli = nstest.cli_path()
    with nstest.Session("netns_concurrent", deadline=100) as t:
        if not t.require_binary(cli):
            return
        topo = t.topology(ping_group="open")   # nobody's icmp runs need ICMP datagram sockets
        db = nstest.paths()
        assert len(CASES) == 20 and len({a for a, _ in CASES}) == 20
        for rnd in (1, 2, 3):
            cases = CASES if rnd == 1 else [(a, ROTATE[m]) for a, m in CASES]
            if rnd == 3:   # r3 silent: TTL 3 is a hole in every path longer than 3
                cases = [(a, ROTATE[m]) for a, m in cases]
                topo.silent(True)
            # The peers start first, so their probes are on the wire while ours are.
            peers = []
            if nstest.have_tool("traceroute"):
                for addr, flags in PEERS:
                    fam = db[nstest.norm(addr)]["family"]
                    argv = ["traceroute", "-n", f"-{fam}", *flags, "-w", "2", addr]
                    peers.append((addr, argv, t.spawn(argv, timeout=60)))
            procs = []
            t0 = time.monotonic()
            for i, (addr, method) in enumerate(cases):
                fam = db[nstest.norm(addr)]["family"]
                user = "nobody" if i % 3 == 1 else "root"
                argv = [cli, "trace", addr, f"-{fam}", "--method", method, "--json"]
                procs.append((addr, method, fam, user, argv, t.spawn(argv, user=user, timeout=60)))
            for addr, argv, p in peers:
                out, err = p.communicate()
                known = db[nstest.norm(addr)]["hops"]
                expect = nstest.expected_hops(known, (3,) if rnd == 3 and len(known) > 3 else ())
                got = nstest.parse_traceroute(out)
                t.check(f"round {rnd}: peer {' '.join(argv[1:])}: hop list == known path", got == expect,
                        f"expected {fmt_hops(expect)}\n got      {fmt_hops(got)}\n{out}{err}",
                        ok_detail=f"{len(got)} hops")
            for addr, method, fam, user, argv, p in procs:
                out, err = p.communicate()
                r = nstest.Result(argv, p.returncode, out, err, time.monotonic() - t0)
                name = f"round {rnd}: {method}/v{fam}/{user} -> {addr}"
                hops_known = db[nstest.norm(addr)]["hops"]
                silent = (3,) if rnd == 3 and len(hops_known) > 3 else ()
                expect = nstest.expected_hops(hops_known, silent)
                try:
                    doc = nstest.last_json(out)
                    hops = nstest.trace_hops(doc)
                except (ValueError, KeyError, TypeError) as e:
                    t.fail(name, f"no usable JSON ({e!r})\n{r.brief()}")
                    continue
                t.check(f"{name}: hop list == known path", hops == expect,
                        f"expected {fmt_hops(expect)}\n got      {fmt_hops(hops)}\n{r.brief(800)}",
                        ok_detail=f"{len(hops)} hops")
                problems = [f"exit {r.rc}"] if r.rc != 0 else []
                if doc.get("reached") is not True:
                    problems.append(f"reached={doc.get('reached')!r}")
                if not nstest.same_addr(doc.get("dest"), addr):
                    problems.append(f"dest={doc.get('dest')!r}")
                problems += nstest.trace_shape_problems(doc)
                problems += nstest.reply_problems(doc, method, fam, len(expect))
                t.check(f"{name}: reached, exit 0, well-formed", not problems,
                        "\n".join(problems[:10]) + "\n" + r.brief(800))
            print(f"round {rnd}: 20 traces took {time.monotonic() - t0:.2f}s", flush=True)


if __name__ == "__main__":
    main()
