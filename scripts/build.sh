#!/usr/bin/env bash
# Configures build/ (Ninja, RelWithDebInfo) if it is not configured yet, then builds it.
#
#   scripts/build.sh                       # configure only when needed, then build
#   scripts/build.sh -DTRACEMAP_WERROR=ON  # (re)configure with these cache options, then build
#
# Everything goes to stderr, so that callers keep stdout for the program they run.
# TRACEMAP_BUILD_DIR overrides the build directory (default: build/ in the repository).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${TRACEMAP_BUILD_DIR:-$root/build}

exec 1>&2 # all output to stderr

configured=0
if [ -f "$build_dir/CMakeCache.txt" ] &&
    { [ -f "$build_dir/build.ninja" ] || [ -f "$build_dir/Makefile" ]; }; then
    configured=1
fi

if [ -f "$build_dir/CMakeCache.txt" ]; then
    # The generator is fixed once the cache exists; re-run only to apply options
    # or to finish a configure that failed before.
    if [ "$configured" = 0 ] || [ $# -gt 0 ]; then
        cmake -S "$root" -B "$build_dir" "$@"
    fi
else
    # ccache, when installed, makes rebuilds in fresh clones and worktrees cheap.
    launcher=()
    if command -v ccache >/dev/null 2>&1; then
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    fi
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@"
fi

cmake --build "$build_dir" -j"$(nproc)"
