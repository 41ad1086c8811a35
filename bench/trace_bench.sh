#!/usr/bin/env bash
# Probe-engine benchmark: tracemap-cli trace (default options) against traceroute -n,
# mtr -n --report -c 1 and scamper -c trace, on the netns topology of tests/netns/topology.sh.
#
#   sudo bench/trace_bench.sh [--cli PATH] [--reps N] [--filt-reps N] [--family 4|6|both]
#                             [--scenarios startup,plain,silent,filt] [--peers traceroute,mtr,scamper]
#
# Scenarios: plain chain to dst (7 hops); silent hop mid-path (r3 sends no time-exceeded);
# filtered destination (filt drops everything); plus "startup": each tool's --version, the
# cost of starting the process at all, shown so the other rows can be read net of it. Every command runs inside the topology's src
# namespace under `timeout -k 5 120`, with its defaults (only -n / report mode); each is measured by
# bench/measure.py (wall clock, and user+sys CPU from wait4 rusage, µs resolution).
# Prints a markdown table (medians over the repetitions, ratio = tracemap / peer) and checks
# the targets: silent hop: tracemap no slower than traceroute; filtered: tracemap < 3 s;
# CPU <= 2x traceroute's. Exit 0 if all targets are met, 1 otherwise.
# Namespaces are named tmb<pid>-* and removed on exit (trap + watchdog). Needs root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cli=$root/build/app/tracemap-cli
reps=5
filt_reps=2
family=both
scenarios=startup,plain,silent,filt
peers=traceroute,mtr,scamper
while (($#)); do
    case $1 in
    --cli) cli=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --filt-reps) filt_reps=$2; shift 2 ;;
    --family) family=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

if [[ $(id -u) != 0 ]]; then
    echo "trace_bench.sh: must run as root (it builds network namespaces); refusing." >&2
    exit 1
fi
[[ -x $cli ]] || { echo "trace_bench.sh: $cli is not executable (build tracemap-cli first)" >&2; exit 1; }
IFS=, read -r -a peer_list <<<"$peers"
IFS=, read -r -a scenario_list <<<"$scenarios"
for tool in "${peer_list[@]}"; do
    case $tool in traceroute | mtr | scamper) ;; *) echo "unknown peer $tool" >&2; exit 2 ;; esac
    command -v "$tool" >/dev/null || { echo "trace_bench.sh: $tool is not installed" >&2; exit 1; }
done
case $family in 4) families=(4) ;; 6) families=(6) ;; both) families=(4 6) ;; *) echo "bad --family" >&2; exit 2 ;; esac
python=${TM_PYTHON:-python3}

# shellcheck source=../tests/netns/topology.sh
source "$root/tests/netns/topology.sh"
P="tmb$$-"
work=$(mktemp -d /tmp/tracemap-bench.XXXXXX)
cleanup() { tm_down "$P" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# Measure a snapshot: the build directory may be rebuilt while the benchmark runs.
cp "$cli" "$work/tracemap-cli"
cli_shown=$cli
cli=$work/tracemap-cli
TM_QUIET=1 TM_OWNER_PID=$$ tm_up "$P"

declare -A target4=([plain]=198.18.10.1 [silent]=198.18.10.1 [filt]=198.18.11.1)
declare -A target6=([plain]=fd00:7e57:10::1 [silent]=fd00:7e57:10::1 [filt]=fd00:7e57:11::1)

command_for() {   # command_for TOOL ADDR|- -> argv, one word per line ("-": start-up only)
    local tool=$1 addr=$2
    if [[ $addr == - ]]; then
        case $tool in
        tracemap) printf '%s\n' "$cli" --version ;;
        traceroute | mtr) printf '%s\n' "$tool" --version ;;
        scamper) printf '%s\n' scamper -v ;;
        esac
        return
    fi
    case $tool in
    tracemap) printf '%s\n' "$cli" trace -n "$addr" ;;
    traceroute) printf '%s\n' traceroute -n "$addr" ;;
    mtr) printf '%s\n' mtr -n --report -c 1 "$addr" ;;
    scamper) printf '%s\n' scamper -c trace -i "$addr" ;;
    esac
}

results=$work/results.tsv
: >"$results"
tools=(tracemap "${peer_list[@]}")
for scenario in "${scenario_list[@]}"; do
    case $scenario in startup | plain | silent | filt) ;; *) echo "unknown scenario $scenario" >&2; exit 2 ;; esac
    if [[ $scenario == silent ]]; then tm_silent "$P" on; else tm_silent "$P" off; fi
    n=$reps
    [[ $scenario == filt ]] && n=$filt_reps
    [[ $scenario == startup ]] && n=$((2 * reps))
    fams=("${families[@]}")
    [[ $scenario == startup ]] && fams=(-)
    for fam in "${fams[@]}"; do
        if [[ $fam == - ]]; then addr=-; elif [[ $fam == 4 ]]; then addr=${target4[$scenario]}; else addr=${target6[$scenario]}; fi
        for ((i = 1; i <= n; i++)); do
            for tool in "${tools[@]}"; do   # interleaved, so drift hits every tool alike
                mapfile -t argv < <(command_for "$tool" "$addr")
                out=$work/out.$scenario.$fam.$tool.$i
                m=$(ip netns exec "${P}src" "$python" "$here/measure.py" --out "$out" -- timeout -k 5 120 "${argv[@]}" 2>"$out.err")
                # reported TTL lines: " 7  198.18.10.1 ..." (traceroute, tracemap, scamper), "  7.|-- ..." (mtr)
                hops=$(grep -cE '^ *[0-9]+(\.\|--| )' "$out" || true)
                printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$fam" "$tool" "$i" "$m" "$hops" >>"$results"
                printf '.' >&2
            done
        done
    done
done
echo >&2

exec_lines=()
for tool in "${tools[@]}"; do
    mapfile -t argv < <(command_for "$tool" ADDR)
    mapfile -t sargv < <(command_for "$tool" -)
    exec_lines+=("$tool: ip netns exec SRC timeout -k 5 120 ${argv[*]//$cli/$cli_shown}    (start-up: ${sargv[*]//$cli/$cli_shown})")
done

"$python" - "$results" "$reps" "$filt_reps" "${exec_lines[@]}" <<'PY'
import json, os, platform, statistics, subprocess, sys
path, reps, filt_reps, cmds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
rows = {}
for line in open(path):
    sc, fam, tool, i, m, hops = line.rstrip("\n").split("\t")
    m = json.loads(m)
    rows.setdefault((sc, fam, tool), []).append((m["wall"], m["user"] + m["sys"], m["rc"], int(hops)))

def med(xs): return statistics.median(xs)

def cpu_model():
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            return l.split(":", 1)[1].strip()
    return platform.processor()

print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Linux {platform.release()}")
print(f"repetitions: {reps} (filtered: {filt_reps}, start-up: {2 * int(reps)}); medians; CPU = user + sys; "
      "'net' = minus the tool's own start-up (--version) median")
print()
print("| scenario | family | tool | wall s | CPU ms | net wall s | net CPU ms | exit | TTLs shown "
      "| wall ratio tracemap/peer | CPU ratio tracemap/peer | net wall ratio | net CPU ratio |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
names = {"startup": "start-up only (--version)", "plain": "plain chain to dst",
         "silent": "silent hop (r3)", "filt": "filtered destination"}
medians = {k: (med([r[0] for r in rs]), med([r[1] for r in rs])) for k, rs in rows.items()}
def startup(tool):
    return medians.get(("startup", "-", tool), (0.0, 0.0))
def net(sc, fam, tool):
    w, c = medians[(sc, fam, tool)]
    if sc == "startup":
        return w, c
    sw, scpu = startup(tool)
    return w - sw, c - scpu
def ratio(a, b):
    return f"{a / b:.2f}" if b > 0 else "n/a"
seen = []
for k in rows:
    if k[:2] not in seen: seen.append(k[:2])
checks = []
for sc, fam in seen:
    tw, tc = medians[(sc, fam, "tracemap")]
    ntw, ntc = net(sc, fam, "tracemap")
    for (s2, f2, tool), rs in rows.items():
        if (s2, f2) != (sc, fam): continue
        w, c = medians[(sc, fam, tool)]
        nw, nc = net(sc, fam, tool)
        rcs = "/".join(sorted({str(r[2]) for r in rs}))
        hops = "" if sc == "startup" else "/".join(sorted({str(r[3]) for r in rs}))
        peer = tool != "tracemap"
        netcols = ("", "") if sc == "startup" else (f"{nw:.3f}", f"{nc * 1000:.1f}")
        print(f"| {names[sc]} | {'' if fam == '-' else 'IPv' + fam} | {tool} | {w:.3f} | {c * 1000:.1f} "
              f"| {netcols[0]} | {netcols[1]} | {rcs} | {hops} "
              f"| {ratio(tw, w) if peer else ''} | {ratio(tc, c) if peer else ''} "
              f"| {ratio(ntw, nw) if peer and sc != 'startup' else ''} | {ratio(ntc, nc) if peer and sc != 'startup' else ''} |")
    if sc == "startup":
        continue
    if ("startup", "-", "traceroute") in medians and (sc, fam, "traceroute") in medians:
        trw, trc = medians[(sc, fam, "traceroute")]
        ntrw, ntrc = net(sc, fam, "traceroute")
        if sc == "silent":
            checks.append((f"silent hop IPv{fam}: tracemap wall {tw:.3f}s <= traceroute {trw:.3f}s", tw <= trw, True))
            checks.append((f"silent hop IPv{fam}, net of start-up: tracemap {ntw:.3f}s <= traceroute {ntrw:.3f}s",
                           ntw <= ntrw, False))
        checks.append((f"{names[sc]} IPv{fam}: tracemap CPU {tc*1000:.1f}ms <= 2 x traceroute {trc*1000:.1f}ms",
                       tc <= 2 * trc, True))
        checks.append((f"{names[sc]} IPv{fam}, net of start-up: tracemap CPU {ntc*1000:.1f}ms <= 2 x traceroute "
                       f"{ntrc*1000:.1f}ms", ntc <= 2 * ntrc, False))
    if sc == "filt":
        worst = max(r[0] for r in rows[(sc, fam, "tracemap")])
        checks.append((f"filtered IPv{fam}: tracemap wall (worst run) {worst:.3f}s < 3s", worst < 3.0, True))
print()
print("commands (ADDR = 198.18.10.1 / fd00:7e57:10::1 for plain and silent, 198.18.11.1 / fd00:7e57:11::1 for filtered):")
for c in cmds:
    print(f"    {c}")
print()
print("targets (INFO lines are not targets, they separate process start-up from the trace itself):")
bad = 0
for text, ok, target in checks:
    tag = ("PASS" if ok else "FAIL") if target else ("info-ok" if ok else "info-over")
    print(f"  {tag:9} {text}")
    bad += target and not ok
sys.exit(1 if bad else 0)
PY
