#!/usr/bin/env python3
"""tracemap-cli trace options and name handling against the netns topology's known paths:
names (resolved from the namespace's own /etc/hosts, see topology.sh; no DNS traffic leaves
the namespace), --first-ttl, --max-ttl, --queries, --max-gap, --timeout, --port (TCP to a
listening and to a closed port), --classic, and ping --ttl.

usage: test_options.py /path/to/tracemap-cli
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402
from nstest import fmt_hops  # noqa: E402

DST = {4: "198.18.10.1", 6: "fd00:7e57:10::1"}
FILT = {4: "198.18.11.1", 6: "fd00:7e57:11::1"}
LISTEN_PORT = 8080
CLOSED_PORT = 8081
LISTENER = f"""
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", {LISTEN_PORT}))
s.listen(128)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    c.close()
"""


# Options both programs take: described once, so each one's --help line must be identical.
SHARED = ["-4", "-6", "--method", "--max-ttl", "--timeout", "--offline", "--online", "--geo-db",
          "--geo-overrides", "--nominatim-url", "--source-location"]


def option_lines(help_text):
    """{'--max-ttl': '  --max-ttl N   trace: last TTL ...', ...} from a --help text."""
    lines = {}
    for line in help_text.splitlines():
        if line.startswith("  -"):
            for name in line.split()[0:2]:
                lines.setdefault(name.rstrip(","), line)
    return lines


def check_shared_help(t, cli, gui):
    r = t.run([cli, "--help"], timeout=20)
    cli_lines = option_lines(r.out)
    t.check("tracemap-cli --help: exit 0, lists the trace and geolocation options",
            r.rc == 0 and all(o in cli_lines for o in SHARED),
            f"exit {r.rc}, missing {[o for o in SHARED if o not in cli_lines]}\n{r.brief(600)}")
    if not os.access(gui, os.X_OK):
        t.fail("tracemap --help", f"{gui} is not an executable file (is the desktop app built?)")
        return
    g = t.run(["env", "QT_QPA_PLATFORM=offscreen", gui, "--help"], timeout=20)
    gui_lines = option_lines(g.out)
    differ = [f"cli: {cli_lines.get(o)!r}\ngui: {gui_lines.get(o)!r}" for o in SHARED
              if cli_lines.get(o) is None or cli_lines.get(o) != gui_lines.get(o)]
    t.check("tracemap --help and tracemap-cli --help: the same line for every shared option",
            g.rc == 0 and not differ, f"exit {g.rc}\n" + "\n".join(differ[:6]))
    hidden = "--source " in g.out or "--source," in g.out
    t.check("tracemap --help: the old --source spelling stays hidden", not hidden, g.out[:600])


def main():
    cli = nstest.cli_path()
    with nstest.Session("netns_options", deadline=100) as t:
        if not t.require_binary(cli):
            return
        t.topology(ping_group="closed")
        db = nstest.paths()
        check_shared_help(t, cli, os.path.join(os.path.dirname(cli), "tracemap"))

        def trace(name, args, timeout=30):
            return t.trace_json(name, [cli, "trace", *args, "--json"], timeout=timeout)

        def path(addr, silent_last=False):
            return nstest.expected_hops(db[nstest.norm(addr)]["hops"], answers_at_end=not silent_last)

        # -- names ---------------------------------------------------------------------------
        for fam_args, fams in (([], (4, 6)), (["-4"], (4,)), (["-6"], (6,))):
            name = f"name dst.tm.test {' '.join(fam_args) or '(any family)'}"
            r, doc, hops = trace(name, ["dst.tm.test", *fam_args])
            if doc is None:
                continue
            dest = doc.get("dest")
            fam = next((f for f in fams if nstest.same_addr(dest, DST[f])), None)
            t.check(f"{name}: target as given, dest resolved in the family asked for",
                    doc.get("target") == "dst.tm.test" and fam is not None,
                    f"target={doc.get('target')!r} dest={dest!r}, expected dest in "
                    f"{[DST[f] for f in fams]}\n{r.brief(600)}")
            if fam is not None:
                t.check(f"{name}: hop list == known path, reached, exit 0",
                        hops == path(DST[fam]) and doc.get("reached") is True and r.rc == 0,
                        f"expected {fmt_hops(path(DST[fam]))}\n got      {fmt_hops(hops)}\n"
                        f"reached={doc.get('reached')!r} exit={r.rc}\n{r.brief(600)}")
        r = t.run([cli, "trace", "nonexistent.tm.test"], timeout=30)
        t.check("unresolvable name: exit 1, says which name, quickly",
                r.rc == 1 and "nonexistent.tm.test" in r.out + r.err and r.wall < 5,
                f"exit {r.rc}, {r.wall:.2f}s\n{r.brief()}")
        r = t.run([cli, "trace", "v4only.tm.test", "-6"], timeout=30)
        t.check("name without an address in the family asked for (-6): exit 1", r.rc == 1,
                f"exit {r.rc}\n{r.brief()}")

        # -- TTL range, queries ----------------------------------------------------------------
        for fam in (4, 6):
            full = path(DST[fam])
            name = f"--first-ttl 3 v{fam}"
            r, doc, hops = trace(name, [DST[fam], f"-{fam}", "--first-ttl", "3"])
            if doc is not None:
                t.check(f"{name}: TTLs 3..7 == known path from hop 3, reached",
                        hops == full[2:] and doc.get("reached") is True and r.rc == 0,
                        f"expected {fmt_hops(full[2:])}\n got      {fmt_hops(hops)}\nexit {r.rc}\n{r.brief(600)}")
            name = f"--first-ttl 9 v{fam} (beyond the destination)"
            r, doc, hops = trace(name, [DST[fam], f"-{fam}", "--first-ttl", "9"])
            if doc is not None:
                want = [(9, {nstest.norm(DST[fam])})]
                t.check(f"{name}: only TTL 9, answered by dst, reached",
                        hops == want and doc.get("reached") is True and r.rc == 0,
                        f"expected {fmt_hops(want)}\n got      {fmt_hops(hops)}\nexit {r.rc}\n{r.brief(600)}")
            name = f"--max-ttl 4 v{fam}"
            r, doc, hops = trace(name, [DST[fam], f"-{fam}", "--max-ttl", "4"])
            if doc is not None:
                t.check(f"{name}: TTLs 1..4 only, not reached, exit 1",
                        hops == full[:4] and doc.get("reached") is False and r.rc == 1 and doc.get("ttl") == 4,
                        f"expected {fmt_hops(full[:4])}\n got      {fmt_hops(hops)}\n"
                        f"reached={doc.get('reached')!r} ttl={doc.get('ttl')!r} exit {r.rc}\n{r.brief(600)}")
            for q in (1, 10):
                name = f"--queries {q} v{fam}"
                r, doc, hops = trace(name, [DST[fam], f"-{fam}", "--queries", str(q)])
                if doc is not None:
                    problems = nstest.trace_shape_problems(doc, queries=q)
                    if doc.get("packets") != q:
                        problems.append(f"packets={doc.get('packets')!r}")
                    t.check(f"{name}: {q} attempt(s) per TTL, hop list == known path",
                            not problems and hops == full and r.rc == 0,
                            "\n".join(problems[:8]) + f"\n got {fmt_hops(hops)}\n{r.brief(600)}")
            name = f"--classic v{fam}"
            r, doc, hops = trace(name, [DST[fam], f"-{fam}", "--classic"])
            if doc is not None:
                t.check(f"{name}: hop list == known path, reached", hops == full and r.rc == 0,
                        f"expected {fmt_hops(full)}\n got      {fmt_hops(hops)}\nexit {r.rc}\n{r.brief(600)}")

            # -- silence handling ----------------------------------------------------------------
            fpath = path(FILT[fam], silent_last=True)[:-1]
            name = f"--max-gap 2 filt v{fam}"
            r, doc, hops = trace(name, [FILT[fam], f"-{fam}", "--max-gap", "2"])
            if doc is not None:
                want = fpath + [(7, set()), (8, set())]
                t.check(f"{name}: 6 hops then exactly 2 silent TTLs, exit 1, < 3 s",
                        hops == want and r.rc == 1 and r.wall < 3,
                        f"expected {fmt_hops(want)}\n got      {fmt_hops(hops)}\nexit {r.rc}, {r.wall:.2f}s\n"
                        f"{r.brief(600)}")
            name = f"--timeout 0.5 filt v{fam}"
            r, doc, hops = trace(name, [FILT[fam], f"-{fam}", "--timeout", "0.5"])
            if doc is not None:
                want = fpath + [(ttl, set()) for ttl in range(7, 12)]
                t.check(f"{name}: 6 hops then 5 silent, exit 1, done in < 1.5 s",
                        hops == want and r.rc == 1 and r.wall < 1.5,
                        f"expected {fmt_hops(want)}\n got      {fmt_hops(hops)}\nexit {r.rc}, {r.wall:.2f}s\n"
                        f"{r.brief(600)}", ok_detail=f"{r.wall:.2f}s")

        # -- TCP to a listening port and to a closed one ------------------------------------------
        listener = t.spawn(["python3", "-c", LISTENER], node="dst", timeout=90)
        try:
            ready = listener.stdout.readline().strip() == "listening"
            t.check("listener on dst:8080 started", ready, "python3 listener did not start")
            for fam in (4, 6):
                for port, kind in ((LISTEN_PORT, "tcp-connected"), (CLOSED_PORT, "tcp-refused")):
                    name = f"tcp --port {port} v{fam}"
                    r, doc, hops = trace(name, [DST[fam], f"-{fam}", "--method", "tcp", "--port", str(port)])
                    if doc is None:
                        continue
                    last = doc["ping_time"][-1] if doc.get("ping_time") else {}
                    kinds = {e.get("reply") for e in last.get("ping_time", [])}
                    t.check(f"{name}: destination answers {kind}, hop list == known path",
                            kinds == {kind} and hops == path(DST[fam]) and r.rc == 0,
                            f"last hop replies {kinds}, expected {{{kind!r}}}\n got {fmt_hops(hops)}\n"
                            f"exit {r.rc}\n{r.brief(600)}")
        finally:
            listener.terminate()   # `timeout` passes SIGTERM on to the listener (a SIGKILL would not)
            try:
                listener.communicate(timeout=5)
            except Exception:       # noqa: BLE001 -- topology teardown kills what is left in dst
                listener.kill()

        # -- SIGTERM / SIGINT during a long trace: it ends promptly, output stays well-formed -------
        for sig in (signal.SIGTERM, signal.SIGINT):
            name = f"{signal.Signals(sig).name} during a trace to filt"
            argv = [cli, "trace", FILT[4], "-4", "--timeout", "20", "--max-gap", "10"]
            p = t.spawn(argv, timeout=60)   # `timeout` (the spawned process) passes the signal on
            time.sleep(1.0)
            t0 = time.monotonic()
            p.send_signal(sig)
            try:
                out, err = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            took = time.monotonic() - t0
            r = nstest.Result(argv, p.returncode, out, err, took)
            t.check(f"{name}: process ends within 2 s of the signal", took < 2.0,
                    f"took {took:.2f}s\n{r.brief(600)}", ok_detail=f"{took:.3f}s, exit {r.rc}")
            empty = [line for line in out.splitlines()
                     if re.fullmatch(r"\s*\d+\s*", line)]
            t.check(f"{name}: no empty hop lines (each TTL line shows an address or '*')", not empty,
                    f"{len(empty)} hop lines with neither address nor '*': {empty[:5]}\n{r.brief(1200)}")

        # -- ping --ttl: the router at that distance answers ----------------------------------------
        for fam in (4, 6):
            r3 = path(DST[fam])[2][1]
            name = f"ping --ttl 3 v{fam}"
            r = t.run([cli, "ping", DST[fam], f"-{fam}", "--ttl", "3", "--count", "2", "--interval", "0.2",
                       "--json"], timeout=30)
            try:
                doc = nstest.last_json(r.out)
                entries = doc["ping_time"]
            except (ValueError, KeyError, TypeError) as e:
                t.fail(name, f"no usable JSON ({e!r})\n{r.brief()}")
                continue
            got = [(nstest.norm(e["address"]) if e.get("address") else None, e.get("reply")) for e in entries]
            want = [(a, "time-exceeded") for a in sorted(r3)] * 2
            t.check(f"{name}: both attempts answered time-exceeded by r3 ({'/'.join(r3)})", got == want,
                    f"expected {want}\n got      {got}\n{r.brief(600)}", ok_detail=f"exit {r.rc}")
            if r.rc not in (0, 1) or re.search(r"Traceback|Segmentation", r.err):
                t.fail(f"{name}: exit status", f"exit {r.rc}\n{r.brief()}")


if __name__ == "__main__":
    main()
