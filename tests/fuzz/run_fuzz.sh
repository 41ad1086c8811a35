#!/usr/bin/env bash
# Builds the libFuzzer target for core/packet with clang++ and runs it.
#   tests/fuzz/run_fuzz.sh [seconds=60] [extra libFuzzer options...]
# The build goes to build-fuzz/ (the whole project configured with -DTRACEMAP_FUZZ=ON; only
# fuzz_packet is built). With TRACEMAP_FUZZ_STANDALONE=1 only tests/fuzz is configured, in
# build-fuzz-standalone/, for when the rest of the tree does not configure.
# New corpus entries go to <build>/corpus (the seeds in tests/fuzz/corpus stay untouched);
# crashing inputs go to <build>/artifacts/. Exits non-zero if the fuzzer finds a crash.
set -euo pipefail

seconds=${1:-60}
[[ $# -gt 0 ]] && shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [[ ${TRACEMAP_FUZZ_STANDALONE:-0} == 1 ]]; then
    source_dir=$root/tests/fuzz
    build=$root/build-fuzz-standalone
else
    source_dir=$root
    build=$root/build-fuzz
fi

cmake -S "$source_dir" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRACEMAP_FUZZ=ON
cmake --build "$build" --target fuzz_packet

mkdir -p "$build/corpus" "$build/artifacts"
status=0
"$build/fuzz_packet" -max_len=2048 -max_total_time="$seconds" -print_final_stats=1 \
    -use_value_profile=1 -artifact_prefix="$build/artifacts/" \
    "$@" "$build/corpus" "$root/tests/fuzz/corpus" || status=$?
if [[ $status -ne 0 ]]; then
    echo "run_fuzz.sh: fuzz_packet failed (exit $status); reproducer in $build/artifacts/" >&2
    exit "$status"
fi
echo "run_fuzz.sh: no crash in ${seconds}s"
