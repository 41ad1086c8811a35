#!/usr/bin/env bash
# Watch-mode benchmark: CPU of `tracemap-cli watch` against `mtr` doing the same (one round a
# second, report at the end), on the netns topology of tests/netns/topology.sh with the delay
# shim giving the hops 5-80 ms RTTs; then the memory of a simulated day (bench watch_bench).
#
#   sudo bench/watch_bench.sh [--cli PATH] [--shim PATH] [--bench PATH] [--seconds N] [--family 4|6]
#
# Delays (tm-delayshim on each router's downstream FORWARD traffic): r1 5 ms, r3 15 ms,
# r5 30 ms, r6 30 ms, so hops 1-7 answer after about 0, 5, 5, 20, 20, 50 and 80 ms.
# tracemap: watch DST --interval 1 --cycles N --report; mtr: -n --report -c N -i 1 DST.
# Both run in turn inside the src namespace under bench/measure.py (user+sys CPU from wait4,
# including mtr-packet); CPU % = CPU time / wall time of the whole run.
# Prints a markdown table. Namespaces tmw<pid>-* are removed on exit. Needs root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cli=$root/build/app/tracemap-cli
shim=$root/build/tests/integration/tm-delayshim
bench=$root/build/bench/watch_bench
seconds=300
family=4
while (($#)); do
    case $1 in
    --cli) cli=$2; shift 2 ;;
    --shim) shim=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --family) family=$2; shift 2 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
[[ $(id -u) == 0 ]] || { echo "watch_bench.sh: must run as root (network namespaces); refusing." >&2; exit 1; }
for f in "$cli" "$shim" "$bench"; do
    [[ -x $f ]] || { echo "watch_bench.sh: $f is not executable (build tracemap-cli, tm-delayshim, watch_bench)" >&2; exit 1; }
done
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds >= 10)) || { echo "watch_bench.sh: --seconds must be >= 10" >&2; exit 2; }
case $family in 4) dst=198.18.10.1 ;; 6) dst=fd00:7e57:10::1 ;; *) echo "bad --family" >&2; exit 2 ;; esac
command -v mtr >/dev/null || { echo "watch_bench.sh: mtr is not installed" >&2; exit 1; }
python=${TM_PYTHON:-python3}

# shellcheck source=../tests/netns/topology.sh
source "$root/tests/netns/topology.sh"
P="tmw$$-"
work=$(mktemp -d /tmp/tracemap-watchbench.XXXXXX)
shims=()
cleanup() {
    for pid in "${shims[@]}"; do kill "$pid" 2>/dev/null || true; done
    tm_down "$P" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
TM_QUIET=1 TM_OWNER_PID=$$ tm_up "$P"
tm_detect_iptables "${P}src"

queue=10
for spec in r1:5 r3:15 r5:30 r6:30; do
    node=${spec%%:*} delay=${spec##*:}
    ip netns exec "$P$node" "$shim" --queue "$queue" --delay "$delay" --jitter 1 >"$work/shim.$node" 2>&1 &
    shims+=($!)
    for _ in $(seq 50); do grep -q ready "$work/shim.$node" && break; sleep 0.1; done
    grep -q ready "$work/shim.$node" || { echo "watch_bench.sh: shim in $node did not start" >&2; exit 1; }
    ipt=$TM_IPT
    [[ $family == 6 ]] && ipt=$TM_IP6T
    ip netns exec "$P$node" "$ipt" -w -A FORWARD -i up0 -j NFQUEUE --queue-num "$queue"
    queue=$((queue + 1))
done

run() {   # run NAME CMD... -> one JSON line from measure.py, stdout kept in $work/NAME.out
    local name=$1
    shift
    ip netns exec "${P}src" "$python" "$here/measure.py" --out "$work/$name.out" -- \
        timeout -k 5 $((seconds * 2 + 60)) "$@"
}
echo "running tracemap-cli watch and mtr for $seconds rounds each..." >&2
tm=$(run tracemap "$cli" watch "$dst" "-$family" --interval 1 --cycles "$seconds" --report)
mt=$(run mtr mtr -n "-$family" --report -c "$seconds" -i 1 "$dst")
day=$("$bench" 24 30)

"$python" - "$tm" "$mt" "$day" "$seconds" "$work/tracemap.out" "$work/mtr.out" <<'PY'
import json, sys
tm, mt, day = (json.loads(a) for a in sys.argv[1:4])
seconds = int(sys.argv[4])
def pct(m):
    return 100 * (m["user"] + m["sys"]) / m["wall"]
print(f"| tool ({seconds} rounds, 1/s, 7 hops, 5-80 ms) | wall s | CPU s (user+sys) | CPU % of one core | exit |")
print("|---|---|---|---|---|")
for name, m in (("tracemap-cli watch --report", tm), ("mtr -n --report -i 1", mt)):
    print(f"| {name} | {m['wall']:.1f} | {m['user'] + m['sys']:.3f} | {pct(m):.3f} | {m['rc']} |")
print()
print(f"Simulated day (watch_bench 24 30): {day['rounds']} rounds, {day['probes']} probes in "
      f"{day['cpu_s']:.2f} s CPU; resident memory added {day['rss_added'] / 2**20:.1f} MB "
      f"(containers {day['container_bytes'] / 2**20:.1f} MB).")
for label, path in (("tracemap", sys.argv[5]), ("mtr", sys.argv[6])):
    print(f"\n{label} report:\n```")
    print(open(path).read().rstrip())
    print("```")
PY
