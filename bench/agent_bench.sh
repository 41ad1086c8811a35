#!/usr/bin/env bash
# tracemap-agent under load: wrk against /health and against /ping to a namespace target,
# with the agent and wrk both inside the topology's src namespace (tests/netns/topology.sh),
# talking over that namespace's loopback. Bounded in time. Reports requests per second,
# p99 latency, errors (non-2xx answers + socket errors), and the agent's resident memory
# (VmRSS) before the load, right after it, and after a short idle.
#
#   sudo bench/agent_bench.sh [--agent PATH] [--duration SEC] [--connections N] [--idle SEC]
#                             [--attack SEC]
#
# Then two attacks on a second agent with the default limits (issue 10), each for
# --attack SEC while /health is asked every 100 ms from another address:
#   slow-client:   300 connections from 10 loopback addresses (127.0.0.2-11), each sending
#                  one header byte every 4 s (and reconnecting when closed);
#   dns-blackhole: 20 clients asking /ping for fresh names whose DNS server (a UDP socket
#                  on the namespace's loopback) never answers.
# For each: /health latency (p50, p99, max) and failures during the attack, and RSS before,
# right after and after the idle.
#
# Targets: no errors; RSS after the idle within 10% (or 2 MB) of the baseline taken after a
# warm-up; during the attacks /health p99 under 50 ms without failures. Exit 0 if met, 1
# otherwise. Namespaces tmab<pid>-* are removed on exit. Needs root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
agent=$root/build/app/tracemap-agent
duration=10
connections=32
idle=5
attack=20
while (($#)); do
    case $1 in
    --agent) agent=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --attack) attack=$2; shift 2 ;;
    -h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
if [[ $(id -u) != 0 ]]; then
    echo "agent_bench.sh: must run as root (it builds network namespaces); refusing." >&2
    exit 1
fi
[[ -x $agent ]] || { echo "agent_bench.sh: $agent is not executable (build tracemap-agent first)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "agent_bench.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

prefix="tmab$$-"
work=$(mktemp -d)
agent_pid=
# shellcheck source=../tests/netns/topology.sh
source "$root/tests/netns/topology.sh"
cleanup() {
    [[ -n $agent_pid ]] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
    [[ -n ${attack_pid:-} ]] && kill -TERM "$attack_pid" 2>/dev/null && wait "$attack_pid" 2>/dev/null
    TM_QUIET=1 tm_down "$prefix" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
TM_OWNER_PID=$$ TM_QUIET=1 tm_up "$prefix" >/dev/null 2>&1

# The load comes from one client address: the per-client probe limit must admit it.
cat >"$work/agent.conf" <<CONF
[limits]
max_probes=256
max_probes_per_client=256
max_connections_per_client=256
CONF
ip netns exec "${prefix}src" "$agent" --listen 127.0.0.1:0 --config "$work/agent.conf" 2>"$work/agent.log" &
agent_pid=$!
port=
for _ in $(seq 50); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/agent.log" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    sleep 0.1
done
[[ -n $port ]] || { echo "agent_bench.sh: the agent did not start:" >&2; cat "$work/agent.log" >&2; exit 1; }

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$agent_pid/status"; }
# wrk's summary -> "rps p99 errors requests"
run_wrk() {
    local url=$1 secs=$2 out
    out=$(ip netns exec "${prefix}src" timeout -k 5 $((secs + 30)) \
        wrk -t2 -c"$connections" -d"${secs}s" --timeout 10s --latency "$url")
    echo "$out" >>"$work/wrk.log"
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +99%/ { p99 = $2 }
        /requests in/ { requests = $1 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
        END { printf "%s %s %d %s\n", rps, p99, errors, requests }' <<<"$out"
}

base="http://127.0.0.1:$port"
ping_target=198.18.10.1 # dst, 7 hops away through r1..r6
# Warm-up (first allocations, resolver, sockets), then the baseline.
run_wrk "$base/health" 2 >/dev/null
run_wrk "$base/ping?dest=$ping_target&count=1" 2 >/dev/null
sleep "$idle"
rss_base=$(rss_kb)

printf '| endpoint | connections | duration | requests | requests/s | p99 latency | errors | RSS before | RSS after | RSS after %ss idle |\n' "$idle"
printf '|---|---|---|---|---|---|---|---|---|---|\n'
fail=0
for endpoint in "/health" "/ping?dest=$ping_target&count=1"; do
    before=$(rss_kb)
    read -r rps p99 errors requests < <(run_wrk "$base$endpoint" "$duration")
    after=$(rss_kb)
    sleep "$idle"
    idled=$(rss_kb)
    printf '| `%s` | %s | %ss | %s | %s | %s | %s | %s MB | %s MB | %s MB |\n' "$endpoint" "$connections" \
        "$duration" "$requests" "$rps" "$p99" "$errors" "$(mb "$before")" "$(mb "$after")" \
        "$(mb "$idled")"
    ((errors == 0)) || { echo "FAIL: $endpoint: $errors errors" >&2; fail=1; }
    if ((idled > rss_base + rss_base / 10 && idled > rss_base + 2048)); then
        echo "FAIL: $endpoint: RSS after idle ${idled} kB vs baseline ${rss_base} kB" >&2
        fail=1
    fi
done
echo
echo "baseline RSS after warm-up: $(mb "$rss_base") MB; agent access log lines: $(grep -c ' access ' "$work/agent.log")"
# The agent still answers and shuts down cleanly.
kill -TERM "$agent_pid"
if wait "$agent_pid"; then
    echo "agent exited 0 on SIGTERM"
else
    echo "FAIL: agent exit status $?" >&2
    fail=1
fi
agent_pid=

# --- attacks (issue 10) -----------------------------------------------------------------
# The attacker and the /health prober in one Python process: raw sockets, no dependencies.
cat >"$work/attack.py" <<'PY'
import socket, sys, threading, time, random, statistics
mode, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
stop = time.time() + secs
def request(path, source="127.0.0.1", timeout=5.0):
    s = socket.socket(); s.settimeout(timeout); s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    s.close()
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
def slow_clients():
    conns = []
    def dial(addr):
        try:
            s = socket.socket(); s.bind((addr, 0)); s.settimeout(2); s.connect(("127.0.0.1", port))
            s.sendall(b"GET /health HTTP/1.1\r\nHo"); s.setblocking(False); return s
        except OSError:
            return None
    addrs = [f"127.0.0.{i}" for i in range(2, 12)]
    conns = [(a, dial(a)) for a in addrs for _ in range(30)]
    while time.time() < stop:
        time.sleep(4)
        for i, (a, s) in enumerate(conns):
            try:
                if s is None: raise OSError
                s.send(b"x")
            except OSError:
                if s: s.close()
                conns[i] = (a, dial(a))
def dns_clients(index):
    addr = f"127.0.0.{20 + index}"
    while time.time() < stop:
        try: request(f"/ping?dest=n{random.getrandbits(48):x}.blackhole.test&count=1", addr, 10)
        except OSError: time.sleep(0.1)
workers = [threading.Thread(target=slow_clients, daemon=True)] if mode == "slow-client" else \
          [threading.Thread(target=dns_clients, args=(i,), daemon=True) for i in range(20)]
for w in workers: w.start()
time.sleep(1.5)  # let the attack take hold
lat, failures = [], 0
while time.time() < stop:
    t0 = time.perf_counter()
    try:
        ok = request("/health", "127.0.0.1", 2.0) == 200
    except OSError:
        ok = False
    if ok: lat.append((time.perf_counter() - t0) * 1000)
    else: failures += 1
    time.sleep(0.1)
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
print(f"{len(lat)} {p(0.5):.1f} {p(0.99):.1f} {lat[-1] if lat else float('nan'):.1f} {failures}")
PY
# The DNS server that never answers, on the namespace's loopback.
cat >"$work/blackhole.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True: s.recv(4096)
PY
ip netns exec "${prefix}src" python3 "$work/blackhole.py" >"$work/dns.port" &
attack_pid=$!
for _ in $(seq 50); do [[ -s $work/dns.port ]] && break; sleep 0.1; done
printf '[dns]\nservers=127.0.0.1:%s\n' "$(cat "$work/dns.port")" >"$work/attack.conf"
ip netns exec "${prefix}src" "$agent" --listen 127.0.0.1:0 --config "$work/attack.conf" 2>"$work/attack-agent.log" &
agent_pid=$!
port=
for _ in $(seq 50); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/attack-agent.log" | grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    sleep 0.1
done
[[ -n $port ]] || { echo "agent_bench.sh: the attack agent did not start" >&2; exit 1; }
# Warm-up: a short round of each attack (first allocations: resolver, engine, buffers),
# then the baseline after the idle.
for scenario in slow-client dns-blackhole; do
    ip netns exec "${prefix}src" timeout -k 5 60 python3 "$work/attack.py" "$scenario" "$port" 4 >/dev/null
done
sleep "$idle"
rss_base=$(rss_kb)
echo
printf '| attack | duration | /health answers | p50 | p99 | max | failures | RSS before | RSS after | RSS after %ss idle |\n' "$idle"
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for scenario in slow-client dns-blackhole; do
    before=$(rss_kb)
    read -r answers p50 p99 worst failures < <(ip netns exec "${prefix}src" timeout -k 5 $((attack + 60)) \
        python3 "$work/attack.py" "$scenario" "$port" "$attack")
    after=$(rss_kb)
    sleep "$idle"
    idled=$(rss_kb)
    printf '| %s | %ss | %s | %s ms | %s ms | %s ms | %s | %s MB | %s MB | %s MB |\n' "$scenario" "$attack" \
        "$answers" "$p50" "$p99" "$worst" "$failures" "$(mb "$before")" "$(mb "$after")" "$(mb "$idled")"
    ((failures == 0)) || { echo "FAIL: $scenario: $failures /health failures" >&2; fail=1; }
    awk -v p="$p99" 'BEGIN { exit !(p < 50) }' || { echo "FAIL: $scenario: /health p99 $p99 ms" >&2; fail=1; }
    if ((idled > rss_base + rss_base / 10 && idled > rss_base + 2048)); then
        echo "FAIL: $scenario: RSS after idle ${idled} kB vs baseline ${rss_base} kB" >&2
        fail=1
    fi
done
echo
echo "attack agent: $(grep -c ' access ' "$work/attack-agent.log") access lines, $(grep -c 'rejected client=' "$work/attack-agent.log") summary lines"
start=$(date +%s%N)
kill -TERM "$agent_pid"
wait "$agent_pid" || { echo "FAIL: attack agent exit status $?" >&2; fail=1; }
echo "attack agent exited in $(( ($(date +%s%N) - start) / 1000000 )) ms after SIGTERM"
echo "baseline RSS of the attack agent after warm-up: $(mb "$rss_base") MB"
agent_pid=
kill -TERM "$attack_pid" 2>/dev/null
wait "$attack_pid" 2>/dev/null || true
attack_pid=
exit $fail
