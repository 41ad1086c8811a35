#!/usr/bin/env bash
# Desktop app benchmark (docs/benchmarks.md, section "Desktop app"):
#   1. launch -> first frame of the real binary, 5 runs (wall and CPU time);
#   2. bench/gui_bench: the window against a simulated 30-hop path: marker latency, RSS after
#      one trace and after 200, frame times while panning;
#   3. as root: the 200-trace soak through the netns topology (tests/integration/test_gui_soak.py).
# usage: bench/gui_bench.sh [BUILD_DIR]     (default: build); needs xvfb-run
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
cmake --build "$build" --target tracemap gui_bench >&2
gui="$build/app/tracemap"

echo "== launch -> first frame (tracemap --trace 127.0.0.1 --offline --quit-when-done --bench-report)"
for i in 1 2 3 4 5; do
    xvfb-run -a "$gui" --trace 127.0.0.1 --offline --quit-when-done --bench-report 2>/dev/null | grep first_frame
done

echo "== simulated 30-hop path, 200 traces in one window (bench/gui_bench 200)"
xvfb-run -a "$build/bench/gui_bench" 200 2>/dev/null

if [[ $(id -u) == 0 ]]; then
    echo "== netns soak, 200 traces (TRACEMAP_SOAK_TRACES=200 tests/integration/test_gui_soak.py)"
    TRACEMAP_SOAK_TRACES=200 python3 "$here/../tests/integration/test_gui_soak.py" "$gui" | grep -E "PASS|FAIL|passed"
else
    echo "== netns soak skipped (needs root)"
fi
