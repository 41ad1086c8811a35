#!/usr/bin/env python3
"""tracemap-agent serving inside the topology's `src` namespace, queried with curl there.

* /traceroute and /ping answer the documents of `tracemap-cli --json` for the same target:
  same keys, same per-TTL hop addresses, reached, dest, target; and both equal the path the
  topology says (IPv4 and IPv6, routers and the destination host).
* stream=1 delivers hop lines before the trace ends (arrival timestamps), then the document.
* 50 concurrent traceroute requests to 50 different targets (dst addresses, every router,
  the filtered host, the ICMP-only host, IPv4 and IPv6) each return their own, correct path.
* A name from the namespace's /etc/hosts that resolves into a denied prefix gets 403.
* A trace that outlives max_request_time is cancelled: 504, or an error line when streaming.
* SIGTERM stops the agent cleanly.

usage: test_agent.py /path/to/tracemap-cli [/path/to/tracemap-agent]
       (the agent defaults to tracemap-agent next to tracemap-cli, or $TRACEMAP_AGENT)
"""
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402
from nstest import fmt_hops  # noqa: E402

CONFIG = """\
[limits]
max_probes=64
max_probes_per_client=64
max_connections_per_client=128
min_mtr_interval=0.2
[destinations]
deny=198.18.12.0/24, fd00:7e57:12::/64
"""
CURL = ["curl", "-sS", "--noproxy", "*", "-m", "60", "-w", "\n%{http_code}"]


def agent_path(cli):
    if len(sys.argv) > 2:
        return os.path.abspath(sys.argv[2])
    return os.environ.get("TRACEMAP_AGENT") or os.path.join(os.path.dirname(cli), "tracemap-agent")


def shape(value):
    """Keys and value types, recursively (arrays by their first element; null fits anything)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"  # JSON has one number type: 1.0 is written 1
    return type(value).__name__


def same_shape(a, b):
    if a is None or b is None:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_shape(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_shape(x, y) for x, y in zip(a, b))
    return a == b


def trimmed(hops):
    """Drops trailing silent TTLs (a trace to a silent host ends with max_gap of them)."""
    hops = list(hops)
    while hops and not hops[-1][1]:
        hops.pop()
    return hops


class Agent:
    def __init__(self, t, binary, config_path):
        self.proc = t.spawn([binary, "--listen", "127.0.0.1:0", "--config", config_path], timeout=170)
        self.lines = []
        self.port = None
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()
        self.ready.wait(10)

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                self.ready.set()
        self.ready.set()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def curl(t, url, timeout=70):
    """(status, body) of a GET made with curl inside src."""
    r = t.run(CURL + [url], timeout=timeout)
    body, _, status = r.out.rpartition("\n")
    try:
        return int(status), body
    except ValueError:
        return 0, r.out + r.err


def main():
    cli = nstest.cli_path()
    agent_bin = agent_path(cli)
    with nstest.Session("netns_agent", deadline=170, needs=("curl",)) as t:
        if not t.require_binary(cli) or not t.require_binary(agent_bin):
            return
        t.topology(ping_group="closed")
        db = nstest.paths()
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write(CONFIG)
            config_path = f.name
        os.chmod(config_path, 0o644)
        agent = Agent(t, agent_bin, config_path)
        try:
            if not t.check("agent starts inside src", agent.port is not None, "\n".join(agent.lines)):
                return
            status, body = curl(t, agent.url("/health"))
            t.check("health", status == 200 and json.loads(body).get("status") == "ok", f"{status} {body}")

            # -- parity with tracemap-cli, and with the topology ----------------------------
            for target, method in (("198.18.10.1", "udp"), ("fd00:7e57:10::1", "icmp"),
                                   ("198.18.2.1", "tcp"), ("fd00:7e57:ff::4", "udp")):
                fam = db[nstest.norm(target)]["family"]
                status, body = curl(t, agent.url(f"/traceroute?dest={quote(target)}&method={method}"))
                name = f"trace {target} {method}"
                if not t.check(f"{name}: 200", status == 200, f"{status} {body[:500]}"):
                    continue
                doc = json.loads(body)
                _, cli_doc, cli_hops = t.trace_json(f"{name}: cli", ["sh", "-c", f'exec "$0" trace {target} -{fam} --method {method} --json', cli])
                if cli_doc is None:
                    continue
                expect = nstest.expected_hops(db[nstest.norm(target)]["hops"])
                hops = nstest.trace_hops(doc)
                t.check(f"{name}: shape equals the CLI's", same_shape(shape(doc), shape(cli_doc)),
                        f"agent {shape(doc)}\ncli   {shape(cli_doc)}")
                t.check(f"{name}: hops equal the CLI's and the topology's", hops == cli_hops == expect,
                        f"agent {fmt_hops(hops)}\ncli   {fmt_hops(cli_hops)}\nwant  {fmt_hops(expect)}")
                for key in ("target", "dest", "reached", "method", "packets", "ttl"):
                    t.check(f"{name}: {key} equals the CLI's", doc.get(key) == cli_doc.get(key),
                            f"agent {doc.get(key)!r} cli {cli_doc.get(key)!r}")
                t.check(f"{name}: trace shape", not nstest.trace_shape_problems(doc),
                        nstest.trace_shape_problems(doc))

            status, body = curl(t, agent.url("/ping?dest=198.19.10.3&count=3&interval=0.2"))
            ping = json.loads(body) if status == 200 else {}
            cli_ping = t.run([cli, "ping", "198.19.10.3", "--count", "3", "--interval", "0.2", "--json"])
            try:
                cli_ping_doc = json.loads(cli_ping.out)
            except ValueError:
                cli_ping_doc = {}
            t.check("ping: 200, same shape and values as the CLI",
                    status == 200 and same_shape(shape(ping), shape(cli_ping_doc))
                    and all(ping.get(k) == cli_ping_doc.get(k) for k in ("target", "dest", "packets", "method"))
                    and [p["address"] for p in ping["ping_time"]] == ["198.19.10.3"] * 3,
                    f"{status} {body[:400]}\ncli {cli_ping.out[:400]}")

            # -- /mtr: a watch of 3 rounds, streamed, against tracemap-cli watch -----------
            r = t.run(["curl", "-sS", "-N", "--noproxy", "*", "-m", "60",
                       agent.url("/mtr?dest=198.18.10.1&cycles=3&interval=0.5&stream=1")], timeout=70)
            try:
                lines = [json.loads(x) for x in r.out.splitlines() if x.strip()]
            except ValueError:
                lines = []
            rounds = [x for x in lines if x.get("event") == "round"]
            mtr = lines[-1].get("mtr", {}) if lines and lines[-1].get("event") == "mtr" else {}
            t.check("mtr cycles=3: three round lines, then the document with cycles 3",
                    [x.get("round") for x in rounds] == [1, 2, 3] and mtr.get("cycles") == 3
                    and mtr.get("end_reason") == "completed", r.brief())
            cli_watch = t.run([cli, "watch", "198.18.10.1", "--cycles", "3", "--interval", "0.5", "--json"])
            try:
                cli_mtr = json.loads(cli_watch.out)
            except ValueError:
                cli_mtr = {}

            def watch_hops(doc):
                return [(h.get("ttl"), [x.get("address") for x in h.get("responders", [])])
                        for h in doc.get("hops", [])]
            t.check("mtr: same hop list as tracemap-cli watch --json",
                    watch_hops(mtr) and watch_hops(mtr) == watch_hops(cli_mtr)
                    and sorted(mtr) == sorted(cli_mtr),
                    f"agent {watch_hops(mtr)}\ncli   {watch_hops(cli_mtr)}\n{cli_watch.brief()}")
            t.check("mtr: every round's hops are the watch's path",
                    all([h["ping_time"][0]["address"] if h.get("ping_time") else None for h in x["hops"]]
                        == [a[0] if a else None for _, a in watch_hops(mtr)] for x in rounds),
                    r.brief())

            # -- streaming: hops arrive before the trace ends -------------------------------
            url = agent.url("/traceroute?dest=198.18.11.1&stream=1&timeout=1")
            p = t.spawn(["curl", "-sS", "-N", "--noproxy", "*", "-m", "60", url], timeout=60)
            t0 = time.monotonic()
            arrivals = []
            for line in p.stdout:
                if line.strip():
                    arrivals.append((time.monotonic() - t0, json.loads(line)))
            p.wait()
            events = [e.get("event") for _, e in arrivals]
            ok = len(arrivals) >= 2 and events[-1] == "trace" and set(events[:-1]) == {"hop"}
            first_hop_at = arrivals[0][0] if arrivals else 0
            end_at = arrivals[-1][0] if arrivals else 0
            t.check("stream: hop lines, then the trace document", ok, f"events {events}")
            t.check("stream: the first hop arrives well before the end", ok and end_at - first_hop_at >= 0.5,
                    f"first hop at {first_hop_at:.3f}s, document at {end_at:.3f}s",
                    f"first hop at {first_hop_at:.3f}s, document at {end_at:.3f}s")
            if ok:
                streamed = {e["hop"]["ttl"]: e["hop"] for _, e in arrivals[:-1]}
                final = {h["ttl"]: h for h in arrivals[-1][1]["trace"]["ping_time"]}
                t.check("stream: streamed hops equal the final document's",
                        all(final.get(ttl) == h for ttl, h in streamed.items()), "")

            # -- denied destination by name, resolved through the namespace's /etc/hosts ----
            status, body = curl(t, agent.url("/traceroute?dest=icmponly.tm.test"))
            t.check("name resolving into a denied prefix: 403", status == 403
                    and json.loads(body).get("parameter") == "dest", f"{status} {body}")

            # -- 50 concurrent traces to 50 different targets --------------------------------
            plain = sorted((a for a, info in db.items() if info["node"] not in ("filt", "icmponly")),
                           key=lambda a: (db[a]["node"], a))
            targets = plain[:46] + [a for a, info in db.items() if info["node"] == "filt"][:4]
            t.check("50 distinct targets", len(targets) == 50, f"{len(targets)}")

            def one(target):
                return target, curl(t, agent.url(f"/traceroute?dest={quote(target)}&timeout=1"), timeout=90)

            t0 = time.monotonic()
            with ThreadPoolExecutor(max_workers=50) as pool:
                results = list(pool.map(one, targets))
            wall = time.monotonic() - t0
            bad = []
            for target, (status, body) in results:
                info = db[target]
                answers = info["node"] != "filt"
                expect = trimmed(nstest.expected_hops(info["hops"], answers_at_end=answers))
                try:
                    doc = json.loads(body)
                    hops = trimmed(nstest.trace_hops(doc))
                except (ValueError, KeyError):
                    bad.append(f"{target}: {status} {body[:200]}")
                    continue
                if status != 200 or hops != expect or nstest.norm(doc["dest"]) != target \
                        or doc["target"] != target or doc["reached"] != answers:
                    bad.append(f"{target}: status {status} reached {doc.get('reached')} dest {doc.get('dest')}\n"
                               f"  got  {fmt_hops(hops)}\n  want {fmt_hops(expect)}")
            t.check("50 concurrent traces: every answer is its own target's path", not bad, "\n".join(bad),
                    f"{wall:.2f}s wall")
            # -- the total time limit: a trace to the filtered host outlives max_request_time
            with open(config_path, "w") as f:
                f.write("[limits]\nmax_request_time=1\n")
            short = Agent(t, agent_bin, config_path)
            try:
                t0 = time.monotonic()
                status, body = curl(t, short.url("/traceroute?dest=198.18.11.1&timeout=3"))
                took = time.monotonic() - t0
                t.check("max_request_time: 504 after about 1 s", status == 504 and 0.9 < took < 2.5
                        and "error" in json.loads(body), f"{status} after {took:.2f}s: {body}")
                r = t.run(["curl", "-sS", "-N", "--noproxy", "*", "-m", "30",
                           short.url("/traceroute?dest=198.18.11.1&timeout=3&stream=1")], timeout=40)
                lines = [json.loads(x) for x in r.out.splitlines() if x.strip()]
                t.check("max_request_time while streaming: hops, then an error line with 504",
                        len(lines) >= 2 and lines[0].get("event") == "hop"
                        and lines[-1].get("event") == "error" and lines[-1].get("status") == 504, r.brief())
            finally:
                short.proc.send_signal(signal.SIGTERM)
                short.proc.wait(10)
        finally:
            agent.proc.send_signal(signal.SIGTERM)
            try:
                rc = agent.proc.wait(10)
            except Exception:
                agent.proc.kill()
                rc = None
            t.check("agent exits 0 on SIGTERM", rc == 0, f"exit {rc}\n" + "\n".join(agent.lines[-20:]))
            access = [line for line in agent.lines if " access " in line]
            t.check("access log: one line per request", len(access) >= 58, f"{len(access)} lines")
            os.unlink(config_path)


if __name__ == "__main__":
    main()
