"""Shared helpers for tracemap's network-namespace integration tests (stdlib only).

Every probe is sent from inside the topology's `src` namespace (tests/netns/topology.sh);
nothing is ever traced from the root namespace. A test script does:

    with nstest.Session("parity") as t:      # skips (exit 77) unless root and netns work
        topo = t.topology()                    # builds the namespaces, removed on exit
        r = t.tracemap(["trace", addr, "-4", "--json"])
        t.check("name", cond, "detail")
    # exit status: 0 all passed, 1 some failed, 77 skipped

Cleanup is layered: try/finally + SIGTERM/SIGINT/SIGHUP handlers, an internal deadline
(SIGALRM) shorter than ctest's TIMEOUT, and topology.sh's detached watchdog, which removes
the namespaces even when this process is SIGKILLed.
"""
import ipaddress
import json
import os
import shlex
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOLOGY = os.path.normpath(os.path.join(HERE, "..", "netns", "topology.sh"))
SKIP = 77
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
# A minimal environment for the programs under test (no HOME, no display).
CHILD_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def have_tool(tool):
    return any(os.access(os.path.join(d, tool), os.X_OK) for d in CHILD_ENV["PATH"].split(":"))


class Deadline(Exception):
    pass


def norm(addr):
    """Canonical text of an IP address (so fd00:7e57:0::1 == fd00:7e57::1)."""
    return str(ipaddress.ip_address(addr.split("%")[0]))


def same_addr(a, b):
    try:
        return norm(str(a)) == norm(str(b))
    except ValueError:
        return False


def fmt_hops(hops):
    """[(ttl, {addr})] -> ' 1:198.18.0.1  2:*  ...' for messages."""
    return "  ".join(f"{ttl}:{'/'.join(sorted(a)) if a else '*'}" for ttl, a in hops)


class Result:
    def __init__(self, argv, rc, out, err, wall):
        self.argv, self.rc, self.out, self.err, self.wall = argv, rc, out, err, wall

    def cmd(self):
        return " ".join(shlex.quote(a) for a in self.argv)

    def brief(self, limit=1500):
        text = f"$ {self.cmd()}\n  exit {self.rc} after {self.wall:.2f}s"
        if self.out.strip():
            text += "\n  stdout: " + self.out.strip()[:limit].replace("\n", "\n          ")
        if self.err.strip():
            text += "\n  stderr: " + self.err.strip()[:limit].replace("\n", "\n          ")
        return text


class Topology:
    def __init__(self, prefix):
        self.prefix = prefix
        self.up = False

    def _sh(self, *args, check=True):
        p = subprocess.run(["bash", TOPOLOGY, *args], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"topology.sh {' '.join(args)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        return p

    def create(self, ping_group="closed"):
        env = dict(os.environ, TM_OWNER_PID=str(os.getpid()), TM_PING_GROUP=ping_group)
        p = subprocess.run(["bash", TOPOLOGY, "up", self.prefix], capture_output=True, text=True, env=env)
        self.up = True  # partially built namespaces must go too
        if p.returncode != 0:
            raise RuntimeError(f"topology.sh up {self.prefix} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        self.state_silent = False
        self.state_pg = ping_group

    def destroy(self):
        if self.up:
            p = self._sh("down", self.prefix, check=False)
            if p.returncode != 0:
                print(f"WARNING: topology.sh down {self.prefix}: {p.stderr.strip()}", file=sys.stderr)
            self.up = False

    def silent(self, on, router="r3"):
        self._sh("silent", self.prefix, "on" if on else "off", router)
        self.state_silent = on

    def ping_group(self, mode):
        self._sh("ping-group", self.prefix, mode)
        self.state_pg = mode

    def ping_group_value(self):
        p = subprocess.run(["ip", "netns", "exec", self.ns("src"), "sysctl", "-n", "net.ipv4.ping_group_range"],
                           capture_output=True, text=True)
        return " ".join(p.stdout.split())

    def ns(self, node):
        return self.prefix + node

    def bypass_r3(self):
        """A route change: r2 reaches dst over a new link to r4 (198.18.20.0/24), bypassing r3.
        Returns None, or the failed command and its error."""
        p = self.prefix
        for cmd in (["ip", "-n", f"{p}r2", "link", "add", "sc0", "type", "veth", "peer", "name", "sc1",
                     "netns", f"{p}r4"],
                    ["ip", "-n", f"{p}r2", "addr", "add", "198.18.20.2/24", "dev", "sc0"],
                    ["ip", "-n", f"{p}r4", "addr", "add", "198.18.20.1/24", "dev", "sc1"],
                    ["ip", "-n", f"{p}r2", "link", "set", "sc0", "up"],
                    ["ip", "-n", f"{p}r4", "link", "set", "sc1", "up"],
                    ["ip", "-n", f"{p}r2", "route", "replace", "198.18.10.0/24", "via", "198.18.20.1"]):
            c = subprocess.run(cmd, capture_output=True, text=True)
            if c.returncode != 0:
                return f"{' '.join(cmd)}: {c.stderr.strip()}"
        return None

    def remaining(self):
        return self._sh("list", self.prefix, check=False).stdout.split()


def paths():
    """{target: {"family": 4|6, "node": name, "hops": [addr, ...]}} for the normal topology."""
    p = subprocess.run(["bash", TOPOLOGY, "paths"], capture_output=True, text=True, check=True)
    out = {}
    for line in p.stdout.splitlines():
        f = line.split()
        out[norm(f[1])] = {"family": int(f[0]), "node": f[2], "hops": [norm(a) for a in f[3:]]}
    return out


def expected_hops(path, silent_ttls=(), answers_at_end=True):
    """[(ttl, {addr}|set())] from a path list; silent TTLs get an empty set."""
    hops = []
    for i, a in enumerate(path, start=1):
        quiet = i in silent_ttls or (i == len(path) and not answers_at_end)
        hops.append((i, set() if quiet else {a}))
    return hops


def parse_traceroute(text):
    """Debian traceroute -n output -> [(ttl, {addr})], in order."""
    hops = []
    for line in text.splitlines():
        f = line.split()
        if not f or not f[0].isdigit():
            continue
        addrs = set()
        for tok in f[1:]:
            try:
                addrs.add(norm(tok))
            except ValueError:
                pass
        hops.append((int(f[0]), addrs))
    return hops


def last_json(text):
    """The JSON document printed at the end of stdout (stdout may hold text lines before it)."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    dec = json.JSONDecoder()
    starts = [i for i, c in enumerate(text) if c == "{" and (i == 0 or text[i - 1] == "\n")]
    for i in reversed(starts):
        try:
            doc, end = dec.raw_decode(text, i)
            if not text[end:].strip():
                return doc
        except ValueError:
            continue
    raise ValueError("no JSON document at the end of stdout")


def trace_hops(doc):
    """tracemap trace JSON -> [(ttl, {addr})] (silent TTL: empty set)."""
    hops = []
    for hop in doc["ping_time"]:
        addrs = {norm(p["address"]) for p in hop["ping_time"] if p.get("address")}
        hops.append((hop["ttl"], addrs))
    return hops


def trace_shape_problems(doc, queries=3):
    """Contract checks on a trace document that do not depend on the network."""
    problems = []
    for key in ("target", "dest", "source", "ttl", "packets", "method", "reached", "elapsed_ms", "ping_time"):
        if key not in doc:
            problems.append(f"missing top-level key {key!r}")
    hops = doc.get("ping_time") or []
    ttls = [h.get("ttl") for h in hops]
    if ttls and ttls != list(range(ttls[0], ttls[0] + len(ttls))):
        problems.append(f"TTLs not consecutive/in order: {ttls}")
    for h in hops:
        entries = h.get("ping_time", [])
        if h.get("packets") != queries:
            problems.append(f"ttl {h.get('ttl')}: packets={h.get('packets')} expected {queries}")
        if len(entries) != queries:
            problems.append(f"ttl {h.get('ttl')}: {len(entries)} attempts listed, expected {queries}")
        for e in entries:
            if (e.get("address") is None) != (e.get("time") is None):
                problems.append(f"ttl {h.get('ttl')}: address/time nullness differ: {e}")
            if e.get("address") is None and e.get("reply") not in (None, "none"):
                problems.append(f"ttl {h.get('ttl')}: no address but reply={e.get('reply')!r}")
    return problems


TE = {4: (11, 0), 6: (3, 0)}                        # time exceeded in transit
PORT_UNREACH = {4: (3, 3), 6: (1, 4)}
ECHO_REPLY = {4: (0, 0), 6: (129, 0)}


def reply_problems(doc, method, family, reached_ttl=None):
    """Each answer's reply kind / ICMP type+code must fit where it came from: routers answer
    time-exceeded; the destination answers per method (udp: port unreachable, icmp: echo
    reply, tcp: SYN-ACK or RST). Only the destination's TTL may say reached=true."""
    problems = []
    for hop in doc.get("ping_time", []):
        ttl = hop.get("ttl")
        at_dest = reached_ttl is not None and ttl == reached_ttl
        if bool(hop.get("reached")) != at_dest:
            problems.append(f"ttl {ttl}: reached={hop.get('reached')!r}, expected {at_dest}")
        for e in hop.get("ping_time", []):
            if not e.get("address"):
                continue
            kind, tc = e.get("reply"), (e.get("type"), e.get("code"))
            if not at_dest:
                ok = kind == "time-exceeded" and tc == TE[family]
                want = f"time-exceeded {TE[family]}"
            elif method == "udp":
                ok = kind == "unreachable" and tc == PORT_UNREACH[family]
                want = f"unreachable {PORT_UNREACH[family]}"
            elif method == "icmp":
                ok = kind == "echo-reply" and tc == ECHO_REPLY[family]
                want = f"echo-reply {ECHO_REPLY[family]}"
            else:
                ok = kind in ("tcp-connected", "tcp-refused") and tc == (None, None)
                want = "tcp-connected|tcp-refused with type/code null"
            if not ok:
                problems.append(f"ttl {ttl} attempt {e.get('attempt')}: reply={kind!r} type/code={tc}, expected {want}")
    return problems


class Session:
    """One test program: root/netns check, topology lifetime, PASS/FAIL bookkeeping."""

    def __init__(self, name, deadline=240, needs=()):
        self.name = name
        self.needs = ("ip", "setpriv", "sysctl", "timeout", "iptables|iptables-nft|iptables-legacy",
                      "ip6tables|ip6tables-nft|ip6tables-legacy") + tuple(needs)
        self.deadline = deadline
        self.passed = []
        self.failed = []
        self.topo = None
        self.started = time.monotonic()

    # -- lifetime -------------------------------------------------------------------------
    def __enter__(self):
        if os.geteuid() != 0:
            print(f"SKIP: {self.name} needs root (network namespaces, iptables, raw sockets)")
            sys.exit(SKIP)
        for need in self.needs:
            if not any(have_tool(tool) for tool in need.split("|")):
                print(f"SKIP: {self.name}: '{need}' is not installed (needed by this test)")
                sys.exit(SKIP)
        probe = f"tm{os.getpid()}-probe"
        p = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
        if p.returncode != 0:
            print(f"SKIP: {self.name}: cannot create network namespaces here: {p.stderr.strip()}")
            sys.exit(SKIP)

        def on_signal(signum, _frame):
            raise SystemExit(f"{self.name}: got signal {signum}, cleaning up")

        def on_alarm(_signum, _frame):
            raise Deadline(f"{self.name}: internal deadline of {self.deadline}s exceeded")

        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, on_signal)
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(self.deadline)
        return self

    def __exit__(self, etype, exc, tb):
        signal.alarm(0)
        if self.topo:
            self.topo.destroy()
            left = self.topo.remaining()
            if left:
                self.fail("cleanup", f"namespaces left behind: {left}")
        if etype is not None and not issubclass(etype, SystemExit):
            self.fail("aborted", f"{etype.__name__}: {exc}")
            import traceback
            traceback.print_exception(etype, exc, tb)
        elif etype is SystemExit and exc.code not in (0, None) and not isinstance(exc.code, int):
            self.fail("aborted", str(exc.code))
        total = time.monotonic() - self.started
        print(f"\n{self.name}: {len(self.passed)} passed, {len(self.failed)} failed in {total:.1f}s")
        if self.failed:
            print("FAILED:")
            for n in self.failed:
                print(f"  - {n}")
        sys.exit(1 if self.failed else 0)

    def topology(self, ping_group="closed"):
        self.topo = Topology(f"tm{os.getpid()}-")
        self.topo.create(ping_group)
        return self.topo

    # -- results --------------------------------------------------------------------------
    def ok(self, name, detail=""):
        self.passed.append(name)
        print(f"PASS {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def fail(self, name, detail):
        self.failed.append(name)
        print(f"FAIL {name}\n     " + str(detail).replace("\n", "\n     "), flush=True)

    def check(self, name, cond, detail="", ok_detail=""):
        if cond:
            self.ok(name, ok_detail)
        else:
            self.fail(name, detail)
        return cond

    # -- running things inside src ----------------------------------------------------------
    def run(self, argv, user="root", timeout=60, node="src"):
        """Run argv inside the topology's namespace NODE, as root or as nobody (65534)."""
        full = ["ip", "netns", "exec", self.topo.ns(node)]
        if user == "nobody":
            full += NOBODY
        full += ["timeout", "-k", "2", str(timeout)] + list(argv)
        t0 = time.monotonic()
        p = subprocess.run(full, capture_output=True, text=True, env=CHILD_ENV, cwd="/")
        return Result(list(argv), p.returncode, p.stdout, p.stderr, time.monotonic() - t0)

    def require_binary(self, path):
        """False, with a failed check, when PATH is not an executable file."""
        if os.access(path, os.X_OK):
            return True
        self.fail("binary", f"{path} is not an executable file (is tracemap-cli built?)")
        return False

    def trace_json(self, name, argv, timeout=30):
        """Run a `tracemap-cli trace ... --json` command; returns (result, doc, hops), with
        doc and hops None (and a failed check NAME) when it printed no usable JSON."""
        r = self.run(argv, timeout=timeout)
        try:
            doc = last_json(r.out)
            return r, doc, trace_hops(doc)
        except (ValueError, KeyError, TypeError) as e:
            self.fail(name, f"no usable JSON ({e!r})\n{r.brief()}")
            return r, None, None

    def spawn(self, argv, user="root", timeout=60, node="src"):
        full = ["ip", "netns", "exec", self.topo.ns(node)]
        if user == "nobody":
            full += NOBODY
        full += ["timeout", "-k", "2", str(timeout)] + list(argv)
        return subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=CHILD_ENV, cwd="/")


def cli_path():
    """The tracemap-cli under test: argv[1] or $TRACEMAP_CLI."""
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRACEMAP_CLI", "")
    if not path:
        print("usage: <test>.py /path/to/tracemap-cli   (or set TRACEMAP_CLI)", file=sys.stderr)
        sys.exit(2)
    return os.path.abspath(path)
