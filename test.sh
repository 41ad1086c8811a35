#!/usr/bin/env bash
# Installs missing Debian packages, builds with warnings as errors, checks the formatting
# and runs the tests. Extra arguments go to ctest, e.g. `./test.sh -L unit` or `./test.sh -R tst_packet`.
# Tests that need root (network namespaces) skip themselves when not run as root.
# Exits non-zero if the build, the format check or any test fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"
build_dir=${TRACEMAP_BUILD_DIR:-$root/build}
export TRACEMAP_BUILD_DIR=$build_dir

bash scripts/deps.sh build test package

echo "== format check"
format_status=0
bash scripts/format.sh || format_status=$?

echo "== build"
if ! bash scripts/build.sh -DTRACEMAP_WERROR=ON 2>&1; then
    echo "test.sh: the build failed (see above)" >&2
    exit 1
fi

echo "== tests"
# --timeout only applies to tests that set no TIMEOUT of their own.
test_status=0
ctest --test-dir "$build_dir" --output-on-failure -j2 --no-tests=error --timeout 600 "$@" || test_status=$?

if [ "$format_status" -ne 0 ]; then
    echo "test.sh: the format check failed (see above; scripts/format.sh --fix rewrites the files)" >&2
    exit "$format_status"
fi
exit "$test_status"
