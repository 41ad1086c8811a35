#!/usr/bin/env bash
# Desktop app benchmark (docs/benchmarks.md, section "Desktop app"):
#   1. launch -> exit of the real binary tracing 127.0.0.1 offline, 5 runs (wall and CPU time;
#      the in-process first frame is measured by gui_bench below);
#   2. bench/gui_bench: the window against a simulated 30-hop path: marker latency, RSS after
#      one trace and after 200, frame times while panning;
#   3. as root: the 200-trace soak through the netns topology (tests/integration/test_gui_soak.py).
# usage: bench/gui_bench.sh [BUILD_DIR]     (default: build); needs xvfb-run
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
cmake --build "$build" --target tracemap gui_bench >&2
gui="$build/app/tracemap"

echo "== launch -> exit (tracemap --trace 127.0.0.1 --offline --quit-when-done)"
for i in 1 2 3 4 5; do
    xvfb-run -a /usr/bin/time -f "wall_s %e user_s %U sys_s %S max_rss_kb %M" \
        "$gui" --trace 127.0.0.1 --offline --quit-when-done 2>&1 >/dev/null | grep wall_s
done

echo "== simulated 30-hop path, 200 traces in one window (bench/gui_bench 200)"
xvfb-run -a "$build/bench/gui_bench" 200 2>/dev/null

if [[ $(id -u) == 0 ]]; then
    echo "== netns soak, 200 traces (TRACEMAP_SOAK_TRACES=200 tests/integration/test_gui_soak.py)"
    TRACEMAP_SOAK_TRACES=200 python3 "$here/../tests/integration/test_gui_soak.py" "$gui" | grep -E "PASS|FAIL|passed"
else
    echo "== netns soak skipped (needs root)"
fi
