#!/usr/bin/env bash
# ctest's fuzz_smoke: builds the libFuzzer targets (tests/fuzz configured on its own, with
# clang++) and runs each for a few seconds over its seed corpus, so that a change which stops
# them building (as the move of address.h to base/ once did, unseen) or makes a seed crash
# fails the tests. Long runs stay with run_fuzz.sh.
#   tests/fuzz/smoke.sh BUILD_DIR [seconds=10]
set -euo pipefail

build=${1:?usage: smoke.sh BUILD_DIR [seconds]}
seconds=${2:-10}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # target, seed corpus, extra options
    local target=$1 seeds=$2
    shift 2
    mkdir -p "$work/$target"
    if ! "$build/$target" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" \
        "$@" "$work/$target" "$seeds" >"$work/$target.log" 2>&1; then
        tail -40 "$work/$target.log" >&2
        echo "fuzz_smoke: $target failed; the crashing input is shown above" >&2
        return 1
    fi
    echo "fuzz_smoke: $target ran ${seconds}s, $(ls "$work/$target" | wc -l) new inputs, no crash"
}
run fuzz_packet "$here/corpus" -max_len=2048
run fuzz_tracefile "$here/corpus-tracefile"
run fuzz_vantage "$here/corpus-vantage" -max_len=16384
