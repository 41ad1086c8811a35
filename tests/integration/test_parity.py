#!/usr/bin/env python3
"""Parity of `tracemap-cli trace --json` with Debian's `traceroute -n` on the netns topology.

For every method (udp, icmp, tcp) x family (-4, -6) x privilege (root; nobody via setpriv)
and every scenario (plain chain to dst, r3 silent, filtered destination, ICMP-only
destination), the per-TTL set of responding addresses must equal traceroute's.

The reference is always root's traceroute (udp default, -I, -T): Debian's traceroute cannot
do TCP unprivileged at all, and its unprivileged ICMP mode loses every other probe here (a
peer-side problem, see docs/benchmarks.md), so it cannot serve as a reference; the hop list
is a property of the network, not of the prober's privileges. The reference itself is first
checked against the topology's known paths, so a broken topology is not blamed on tracemap.

Root runs happen with net.ipv4.ping_group_range = "1 0" (ICMP datagram sockets forbidden: root
must use raw sockets); nobody's udp/tcp runs too; nobody's icmp runs with the range opened.
Nobody's icmp with the range closed must fail with exit 1 and say why.

usage: test_parity.py /path/to/tracemap-cli
"""
import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402
from nstest import fmt_hops  # noqa: E402

METHODS = ["udp", "icmp", "tcp"]
FAMILIES = [4, 6]
TR_FLAGS = {"udp": [], "icmp": ["-I"], "tcp": ["-T"]}
TARGETS = {
    ("dst", 4): "198.18.10.1", ("dst", 6): "fd00:7e57:10::1",
    ("filt", 4): "198.18.11.1", ("filt", 6): "fd00:7e57:11::1",
    ("icmponly", 4): "198.18.12.1", ("icmponly", 6): "fd00:7e57:12::1",
}
SOURCE = {4: "198.18.0.2", 6: "fd00:7e57::2"}
SILENT_TTL = 3       # r3
MAX_GAP = 5          # tracemap's default --max-gap
FILT_LIMIT_S = 3.0   # tracemap to a filtered destination, default options


def scenario_expect(scenario, method, family, path_db):
    """(expected hop list from the topology, destination answers?)"""
    node = "dst" if scenario in ("plain", "silent") else scenario
    path = path_db[nstest.norm(TARGETS[(node, family)])]["hops"]
    answers = node == "dst" or (node == "icmponly" and method == "icmp")
    silent = (SILENT_TTL,) if scenario == "silent" else ()
    return nstest.expected_hops(path, silent, answers), answers


def main():
    cli = nstest.cli_path()
    with nstest.Session("netns_parity", deadline=220, needs=("traceroute",)) as t:
        if not t.require_binary(cli):
            return
        topo = t.topology(ping_group="closed")
        path_db = nstest.paths()

        for scenario in ("plain", "silent", "filt", "icmponly"):
            topo.silent(scenario == "silent")
            node = "dst" if scenario in ("plain", "silent") else scenario
            for family in FAMILIES:
                target = TARGETS[(node, family)]
                for method in METHODS:
                    expect, answers = scenario_expect(scenario, method, family, path_db)
                    # -- the reference: root traceroute --------------------------------------
                    tr_args = ["traceroute", "-n", f"-{family}", *TR_FLAGS[method], "-w", "1"]
                    tr_args += ["-q", "3"] if answers else ["-q", "1", "-m", "16"]
                    tr = t.run(tr_args + [target], timeout=60)
                    ref = nstest.parse_traceroute(tr.out)
                    if answers:
                        ref_cmp = ref
                    else:  # up to the last responder
                        last = max((ttl for ttl, a in ref if a), default=0)
                        ref_cmp = ref[:last]
                        expect = expect[:-1]
                    name = f"{scenario}/{method}/v{family}"
                    if not t.check(f"reference {name}: traceroute matches the topology", ref_cmp == expect,
                                   f"expected {fmt_hops(expect)}\n got {fmt_hops(ref_cmp)}\n{tr.brief()}"):
                        continue
                    for user in ("root", "nobody"):
                        run_case(t, topo, cli, scenario, method, family, user, target, ref_cmp, answers)
                    run_text_case(t, topo, cli, scenario, method, family, target, ref_cmp, answers)

        # -- unprivileged ICMP without ping_group_range: must fail and say why ---------------
        topo.silent(False)
        topo.ping_group("closed")
        for family in FAMILIES:
            r = t.run([cli, "trace", TARGETS[("dst", family)], f"-{family}", "--method", "icmp", "--json"],
                      user="nobody", timeout=30)
            msg = r.out + r.err
            t.check(f"unprivileged icmp/v{family} with ping_group_range '1 0': exit 1", r.rc == 1,
                    f"expected exit 1, got {r.rc}\n{r.brief()}")
            t.check(f"unprivileged icmp/v{family} with ping_group_range '1 0': message names the cause",
                    re.search(r"ping_group_range|CAP_NET_RAW", msg, re.I) is not None,
                    f"no mention of ping_group_range / CAP_NET_RAW in the output\n{r.brief()}")


def run_case(t, topo, cli, scenario, method, family, user, target, ref, answers):
    name = f"{scenario}/{method}/v{family}/{user}"
    if user == "nobody" and method == "icmp":
        topo.ping_group("open")
    else:
        topo.ping_group("closed")
        if user == "root" and method == "icmp" and topo.ping_group_value() != "1 0":
            t.fail(f"{name}: precondition", f"ping_group_range is {topo.ping_group_value()!r}, wanted '1 0'")
            return
    r = t.run([cli, "trace", target, f"-{family}", "--method", method, "--json"], user=user, timeout=60)
    try:
        doc = nstest.last_json(r.out)
    except (ValueError, KeyError) as e:
        t.fail(f"{name}: JSON", f"{e}\n{r.brief()}")
        return
    try:
        hops = nstest.trace_hops(doc)
    except (KeyError, TypeError) as e:
        t.fail(f"{name}: JSON", f"bad trace document ({e!r})\n{r.brief()}")
        return
    problems = nstest.trace_shape_problems(doc)
    for key, want in (("dest", target), ("source", SOURCE[family]), ("method", method), ("ttl", 30), ("packets", 3)):
        got = doc.get(key)
        if key in ("dest", "source") and isinstance(got, str):
            try:
                got = nstest.norm(got)
                want = nstest.norm(want)
            except ValueError:
                pass
        if got != want:
            problems.append(f"{key}={doc.get(key)!r}, expected {want!r}")
    t.check(f"{name}: document shape", not problems, "\n".join(problems) + "\n" + r.brief(600))
    kinds = nstest.reply_problems(doc, method, family, len(ref) if answers else None)
    t.check(f"{name}: reply kinds (time-exceeded from routers, per-method answer from the destination)",
            not kinds, "\n".join(kinds[:10]) + "\n" + r.brief(600))

    if answers:
        t.check(f"{name}: hop list == traceroute", hops == ref,
                f"traceroute {fmt_hops(ref)}\n tracemap  {fmt_hops(hops)}\n{r.brief(600)}",
                ok_detail=f"{len(hops)} hops, {r.wall:.2f}s")
        t.check(f"{name}: reached=true, exit 0", doc.get("reached") is True and r.rc == 0,
                f"reached={doc.get('reached')!r} exit={r.rc}\n{r.brief(600)}")
    else:
        last = len(ref)
        gap = [(ttl, set()) for ttl in range(last + 1, last + 1 + MAX_GAP)]
        t.check(f"{name}: hops up to the last responder == traceroute", hops[:last] == ref,
                f"traceroute {fmt_hops(ref)}\n tracemap  {fmt_hops(hops[:last])}\n{r.brief(600)}")
        t.check(f"{name}: exactly {MAX_GAP} silent TTLs listed after the last responder, then stop",
                hops[last:] == gap,
                f"expected {fmt_hops(gap)}\n got      {fmt_hops(hops[last:])}\n{r.brief(600)}")
        t.check(f"{name}: reached=false, exit 1", doc.get("reached") is False and r.rc == 1,
                f"reached={doc.get('reached')!r} exit={r.rc}\n{r.brief(600)}")
        if scenario == "filt":
            t.check(f"{name}: finished in < {FILT_LIMIT_S:.0f}s with default options", r.wall < FILT_LIMIT_S,
                    f"took {r.wall:.2f}s\n{r.brief(600)}", ok_detail=f"{r.wall:.2f}s")


def run_text_case(t, topo, cli, scenario, method, family, target, ref, answers):
    """Text mode (as root): the hop lines parse like traceroute's and give the same hop list,
    and they are printed as the trace goes, even into a pipe (checked where the trace ends
    with seconds of silent TTLs: the last answering hop's line must come well before exit)."""
    name = f"{scenario}/{method}/v{family}/root/text"
    topo.ping_group("closed")
    argv = [cli, "trace", target, f"-{family}", "--method", method]
    p = t.spawn(argv, timeout=60)
    t0 = time.monotonic()
    lines = []
    for line in p.stdout:
        lines.append((time.monotonic() - t0, line))
    err = p.stderr.read()
    p.wait()
    r = nstest.Result(argv, p.returncode, "".join(l for _, l in lines), err, time.monotonic() - t0)
    hops = nstest.parse_traceroute(r.out)
    if answers:
        t.check(f"{name}: hop lines == traceroute", hops == ref,
                f"traceroute {fmt_hops(ref)}\n tracemap  {fmt_hops(hops)}\n{r.brief(800)}")
        t.check(f"{name}: exit 0", r.rc == 0, f"exit {r.rc}\n{r.brief(800)}")
        return
    last = len(ref)
    gap = [(ttl, set()) for ttl in range(last + 1, last + 1 + MAX_GAP)]
    t.check(f"{name}: hop lines == traceroute up to the last responder, then {MAX_GAP} silent",
            hops == ref + gap, f"expected {fmt_hops(ref + gap)}\n got      {fmt_hops(hops)}\n{r.brief(800)}")
    t.check(f"{name}: exit 1", r.rc == 1, f"exit {r.rc}\n{r.brief(800)}")
    when = [at for at, line in lines if line.split()[:1] == [str(last)]]
    t.check(f"{name}: hop {last} printed as soon as known (streamed, not at exit)",
            when and when[0] < r.wall - 1.0,
            f"hop {last} line at {when[0] if when else None!r}s, exit at {r.wall:.2f}s\n{r.brief(800)}",
            ok_detail=f"hop {last} at {when[0]:.2f}s, exit at {r.wall:.2f}s" if when else "")


if __name__ == "__main__":
    main()
