#!/usr/bin/env bash
# Package test, first half (ctest `package_build`, a fixture of `package_debian`): builds the
# Debian packages with scripts/build-deb.sh into DIR/dist, so that `package_debian` can lint,
# install, check and purge them. It needs no lock and runs while the other tests run: on CI
# the compile overlaps with the namespace tests' waiting instead of running alone.
#
#   tests/package/build_packages.sh DIR
#
# To save CI time the test's packages are compiled without optimisation and without debug
# information (DEB_BUILD_OPTIONS=noopt, -g stripped): about half the compile time, and what the
# packaging test checks (contents, lintian, install, run, purge) does not depend on it. The
# program's optimised code is what ./test.sh's own build compiles and tests. Release packages come
# from scripts/build-deb.sh with Debian's default flags; TRACEMAP_PACKAGE_RELEASE_FLAGS=1 makes
# this test build those instead.
#
# Exits 77 (skipped) where `package_debian` would skip: not root, or tracemap packages installed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${1:?usage: build_packages.sh DIR}

if [ "$(id -u)" -ne 0 ]; then
    echo "build_packages: SKIP: the package test needs root (apt-get install, network namespaces)"
    exit 77
fi
for p in tracemap tracemap-cli tracemap-agent; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ]; then
        echo "build_packages: SKIP: $p is already installed here; not replacing a real installation"
        exit 77
    fi
done

rm -rf "$dir"
mkdir -p "$dir"
if [ "${TRACEMAP_PACKAGE_RELEASE_FLAGS:-0}" != 1 ]; then
    export DEB_BUILD_OPTIONS="noopt ${DEB_BUILD_OPTIONS:-}"
    export DEB_CFLAGS_STRIP="-g ${DEB_CFLAGS_STRIP:-}" DEB_CXXFLAGS_STRIP="-g ${DEB_CXXFLAGS_STRIP:-}"
fi
export TRACEMAP_BUILD_DIR=$dir/build TRACEMAP_DIST_DIR=$dir/dist
start=$(date +%s)
if ! bash "$root/scripts/build-deb.sh" >"$dir/debs.txt" 2>"$dir/build-deb.log"; then
    tail -n 60 "$dir/build-deb.log" >&2
    echo "build_packages: FAIL: scripts/build-deb.sh failed (log: $dir/build-deb.log)" >&2
    exit 1
fi
# The staged sources and objects are not needed any more; the packages are.
rm -rf "$dir/build"
echo "build_packages: built $(wc -l <"$dir/debs.txt") packages in $(($(date +%s) - start)) s" \
    "(DEB_BUILD_OPTIONS='${DEB_BUILD_OPTIONS:-}')"
cat "$dir/debs.txt"
