#!/usr/bin/env bash
# Runs a test program inside the source namespace of a fresh copy of the test topology,
# with TRACEMAP_TOPOLOGY_PATHS naming a file of the expected path to every target.
# Needs root; exits 77 (skipped) otherwise. The namespaces are removed on every exit.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: network namespace tests need root" >&2
    exit 77
fi
prefix="tmq$$-"
paths="$(mktemp)"
# shellcheck source=../netns/topology.sh
source "$here/../netns/topology.sh"
cleanup() { TM_QUIET=1 tm_down "$prefix" >/dev/null 2>&1; rm -f "$paths"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
if ! TM_QUIET=1 tm_up "$prefix" >/dev/null 2>&1; then
    echo "SKIP: cannot build the namespace topology here" >&2
    exit 77
fi
TM_QUIET=1 tm_ping_group "$prefix" open >/dev/null 2>&1 || true
tm_paths >"$paths"
ip netns exec "${prefix}src" env TRACEMAP_TOPOLOGY_PATHS="$paths" "$@"
