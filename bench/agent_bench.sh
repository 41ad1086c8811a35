#!/usr/bin/env bash
# tracemap-agent under load: wrk against /health and against /ping to a namespace target,
# with the agent and wrk both inside the topology's src namespace (tests/netns/topology.sh),
# talking over that namespace's loopback. Bounded in time. Reports requests per second,
# p99 latency, errors (non-2xx answers + socket errors), and the agent's resident memory
# (VmRSS) before the load, right after it, and after a short idle.
#
#   sudo bench/agent_bench.sh [--agent PATH] [--duration SEC] [--connections N] [--idle SEC]
#
# Targets: no errors; RSS after the idle within 10% (or 2 MB) of the baseline taken after a
# warm-up. Exit 0 if met, 1 otherwise. Namespaces tmab<pid>-* are removed on exit. Needs root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
agent=$root/build/app/tracemap-agent
duration=10
connections=32
idle=5
while (($#)); do
    case $1 in
    --agent) agent=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
exit $fail
