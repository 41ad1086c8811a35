#!/usr/bin/env python3
"""CPU of `tracemap-cli watch` beside `mtr` on a 30-hop path, one round a second.

    sudo bench/watch_cpu.py [--cli PATH] [--shim PATH] [--seconds 300] [--hops 30]
                            [--also 'CMD {dst}']...

Builds its own chain of namespaces tmc<pid>-{src,r1..r<hops-1>,dst} (dst answers at TTL
<hops>; IPv4 198.18.k.0/24 on link k, the downstream side .1), with tm-delayshim holding the
downstream traffic of four routers so that RTTs grow from under 1 ms (hop 1) through 5, 20
and 50 ms to 80 ms from hop 3/4 of the way on. Then runs side by side, in src, for
--seconds rounds at one a second:

    tracemap-cli watch DST -4 --interval 1 --cycles N --report
    mtr -n -4 --report -c N -i 1 DST
    every --also command ({dst} replaced), e.g. --also 'build/app/tracemap --offline --watch {dst}'

and samples /proc/PID/stat (utime + stime of the process and its descendants, e.g.
mtr-packet) once a second; at exit the wait4() rusage of each (descendants it waited for
included) is the final figure. Prints a markdown table (CPU s, CPU % of one core, ratio to
mtr), the load average before and after, and both reports. Every namespace and process
it started is removed on exit, on failure and on SIGINT/SIGTERM; a detached watchdog
(tests/netns/topology.sh) removes the namespaces even if this script is killed. Needs root.
"""
import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOPOLOGY = os.path.join(ROOT, "tests", "netns", "topology.sh")
TICKS = os.sysconf("SC_CLK_TCK")
# (router index as a fraction of the path, delay ms): RTTs 5, 20, 50, 80 ms behind them.
SHIMS = ((0.0, 5), (0.25, 15), (0.5, 30), (0.75, 30))


def sh(*argv, stdin=None):
    p = subprocess.run(list(argv), capture_output=True, text=True, input=stdin)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Chain:
    """src - r1 - ... - r<hops-1> - dst, one /24 per link."""

    def __init__(self, hops):
        self.prefix = f"tmc{os.getpid()}-"
        self.nodes = ["src"] + [f"r{i}" for i in range(1, hops)] + ["dst"]
        self.dst = f"198.18.{hops - 1}.1"
        self.made = False

    def ns(self, node):
        return self.prefix + node

    def up(self):
        p = self.prefix
        self.made = True
        subprocess.run(["setsid", "-f", "bash", TOPOLOGY, "__watch", p, str(os.getpid())],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        for i, node in enumerate(self.nodes):
            sh("ip", "netns", "add", p + node)
            router = 0 < i < len(self.nodes) - 1
            sh("ip", "netns", "exec", p + node, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0",
               "net.ipv4.conf.default.rp_filter=0", "net.ipv4.icmp_ratelimit=0",
               "net.ipv4.icmp_msgs_per_sec=100000", "net.ipv4.icmp_msgs_burst=100000",
               f"net.ipv4.ip_forward={1 if router else 0}")
            sh("ip", "-n", p + node, "link", "set", "lo", "up")
        for k in range(len(self.nodes) - 1):
            a, b = self.nodes[k], self.nodes[k + 1]
            sh("ip", "-n", p + a, "link", "add", "dn0", "type", "veth", "peer", "name", "up0", "netns", p + b)
            sh("ip", "-n", p + a, "addr", "add", f"198.18.{k}.2/24", "dev", "dn0")
            sh("ip", "-n", p + b, "addr", "add", f"198.18.{k}.1/24", "dev", "up0")
            sh("ip", "-n", p + a, "link", "set", "dn0", "up")
            sh("ip", "-n", p + b, "link", "set", "up0", "up")
        last = len(self.nodes) - 1
        sh("ip", "-n", p + "src", "route", "add", "default", "via", "198.18.0.1")
        sh("ip", "-n", p + "dst", "route", "add", "default", "via", f"198.18.{last - 1}.2")
        for k in range(1, last):
            sh("ip", "-n", p + self.nodes[k], "route", "add", "default", "via", f"198.18.{k}.1")
            if k > 1:  # the way back to src
                sh("ip", "-n", p + self.nodes[k], "route", "add", "198.18.0.0/24", "via", f"198.18.{k - 1}.2")

    def down(self):
        if self.made:
            subprocess.run(["bash", TOPOLOGY, "down", self.prefix], capture_output=True)
            self.made = False


def iptables(ns):
    for tool in ("iptables", "iptables-nft", "iptables-legacy"):
        if subprocess.run(["ip", "netns", "exec", ns, tool, "-w", "-L", "-n"], capture_output=True).returncode == 0:
            return tool
    raise RuntimeError("no working iptables inside a namespace")


def tree_ticks(pid):
    """utime + stime (clock ticks) of pid and every live descendant, by pid."""
    ticks, todo = {}, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks[p] = int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14, 15)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return ticks


class Run:
    def __init__(self, name, argv, ns, out):
        self.name, self.argv = name, argv
        self.out = out
        with open(out, "w") as f:
            self.p = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdout=f, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL)
        self.t0 = time.monotonic()
        self.seen = {}   # pid -> last ticks sampled
        self.rusage = None
        self.rc = None
        self.wall = None

    def sample(self):
        if self.rc is None:
            self.seen.update(tree_ticks(self.p.pid))

    def reap(self, block=False):
        if self.rc is not None:
            return True
        pid, status, ru = os.wait4(self.p.pid, 0 if block else os.WNOHANG)
        if pid == 0:
            return False
        self.rc, self.rusage = os.waitstatus_to_exitcode(status), ru
        self.wall = time.monotonic() - self.t0
        self.p.returncode = self.rc  # Popen must not wait for it again
        return True

    def cpu(self):
        return self.rusage.ru_utime + self.rusage.ru_stime

    def sampled(self):
        return sum(self.seen.values()) / TICKS


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "tracemap-cli"))
    ap.add_argument("--shim", default=os.path.join(ROOT, "build", "tests", "integration", "tm-delayshim"))
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--hops", type=int, default=30)
    ap.add_argument("--also", action="append", default=[], help="another command to measure; {dst} is replaced")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("watch_cpu.py: must run as root (network namespaces); refusing.")
    if not 10 <= a.seconds <= 86400 or not 8 <= a.hops <= 200:
        sys.exit("watch_cpu.py: --seconds must be 10-86400 and --hops 8-200")
    for f in (a.cli, a.shim):
        if not os.access(f, os.X_OK):
            sys.exit(f"watch_cpu.py: {f} is not executable (build tracemap-cli and tm-delayshim)")
    if subprocess.run(["sh", "-c", "command -v mtr"], capture_output=True).returncode != 0:
        sys.exit("watch_cpu.py: mtr is not installed")

    chain = Chain(a.hops)
    work = tempfile.mkdtemp(prefix="tracemap-watchcpu.")
    shims, runs = [], []

    def on_signal(signum, _frame):
        raise SystemExit(f"watch_cpu.py: signal {signum}, cleaning up")

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        load_before = loadavg()
        print(f"building {a.hops}-hop chain {chain.prefix}* ...", file=sys.stderr)
        chain.up()
        routers = chain.nodes[1:-1]
        for q, (frac, delay) in enumerate(SHIMS):
            node = routers[int(frac * len(routers))]
            log = os.path.join(work, f"shim.{node}")
            with open(log, "w") as f:
                shims.append(subprocess.Popen(["ip", "netns", "exec", chain.ns(node), a.shim, "--queue", str(20 + q),
                                               "--delay", str(delay), "--jitter", "1"], stdout=f, stderr=f))
            for _ in range(50):
                if "ready" in open(log).read():
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError(f"delay shim in {node} did not start: {open(log).read().strip()}")
            sh("ip", "netns", "exec", chain.ns(node), iptables(chain.ns(node)), "-w", "-A", "FORWARD", "-i", "up0",
               "-j", "NFQUEUE", "--queue-num", str(20 + q))
        n = str(a.seconds)
        cmds = [("tracemap-cli watch --report", [a.cli, "watch", chain.dst, "-4", "--interval", "1", "--cycles", n,
                                                 "--report"]),
                ("mtr -n --report -i 1", ["mtr", "-n", "-4", "--report", "-c", n, "-i", "1", chain.dst])]
        cmds += [(c, shlex.split(c.replace("{dst}", chain.dst))) for c in a.also]
        print(f"running {len(cmds)} watchers side by side for {a.seconds} rounds (load {load_before}) ...",
              file=sys.stderr)
        for i, (name, argv) in enumerate(cmds):
            runs.append(Run(name, argv, chain.ns("src"), os.path.join(work, f"run{i}.out")))
        deadline = time.monotonic() + 2 * a.seconds + 120
        while not all([r.reap() for r in runs]):  # a list: every run is reaped as soon as it ends
            if time.monotonic() > deadline:
                raise RuntimeError("a watcher overran its deadline")
            for r in runs:
                r.sample()
            time.sleep(1)
        load_after = loadavg()

        mtr = runs[1]
        print(f"| tool ({a.seconds} rounds, 1/s, {a.hops} hops, 0-80 ms, side by side) | wall s | CPU s (wait4) "
              "| CPU s (/proc samples) | CPU % of one core | × mtr | exit |")
        print("|---|---|---|---|---|---|---|")
        for r in runs:
            print(f"| {r.name} | {r.wall:.1f} | {r.cpu():.3f} | {r.sampled():.2f} | {100 * r.cpu() / r.wall:.3f} "
                  f"| {r.cpu() / mtr.cpu() if mtr.cpu() else float('nan'):.2f} | {r.rc} |")
        print(f"\nload average before {load_before}, after {load_after} ({os.cpu_count()} CPUs)")
        for r in runs:
            print(f"\n{r.name} output:\n```")
            print(open(r.out).read().rstrip()[-6000:])
            print("```")
        return 0 if all(r.rc == 0 for r in runs) else 1
    finally:
        for r in runs:
            if r.rc is None:
                r.p.kill()
                r.reap(block=True)
        for s in shims:
            s.terminate()
        for s in shims:
            try:
                s.wait(timeout=5)
            except subprocess.TimeoutExpired:
                s.kill()
        chain.down()
        subprocess.run(["rm", "-rf", "--", work])


if __name__ == "__main__":
    sys.exit(main())
