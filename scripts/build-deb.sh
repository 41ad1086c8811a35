#!/usr/bin/env bash
# Builds the Debian packages of tracemap with debhelper and writes them into dist/:
#   tracemap-cli, tracemap (desktop app), tracemap-agent.
#
#   scripts/build-deb.sh            # installs the packaging tools if missing, then builds
#   sudo apt install ./dist/*.deb   # installs them
#
# The source tree (tracked and untracked-but-not-ignored files) is staged into
# $TRACEMAP_BUILD_DIR/deb/ with packaging/debian/ as its debian/ folder, and built there with
# dpkg-buildpackage, so nothing is written into the working tree except dist/
# (TRACEMAP_DIST_DIR puts the packages elsewhere).
# Build output goes to stderr; the paths of the packages are printed on stdout.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${TRACEMAP_BUILD_DIR:-$root/build}
dist=${TRACEMAP_DIST_DIR:-$root/dist}

bash "$root/scripts/deps.sh" build package >&2

version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
project_version=$(sed -n 's/^project(tracemap VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
if [ "${version%%-*}" != "$project_version" ]; then
    echo "build-deb.sh: packaging/debian/changelog says $version but CMakeLists.txt says $project_version" >&2
    exit 1
fi

stage=$build_dir/deb
src=$stage/tracemap-$version
rm -rf "$stage"
mkdir -p "$src"

# Stage the sources.
(
    cd "$root"
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else
        find . -path ./build -prune -o -path ./dist -prune -o -path './build-*' -prune -o -type f -print0
    fi
) | (
    cd "$root"
    while IFS= read -r -d '' file; do
        # A tracked file deleted in the working tree is not part of this build.
        if [ -e "$file" ] || [ -L "$file" ]; then
            cp --parents --no-dereference -- "$file" "$src"
        fi
    done
)
rm -rf "$src/debian"
cp -rL "$root/packaging/debian" "$src/debian"

echo "build-deb.sh: building tracemap $version in $src" >&2
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) noautodbgsym ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -b -us -uc >&2)

# Publish: into a fresh folder next to dist/, then swapped in, so dist/ never holds a mix of
# two builds.
mkdir -p "$(dirname "$dist")"
new_dist=$(mktemp -d "$(dirname "$dist")/.dist.XXXXXX")
cp "$stage"/*.deb "$new_dist"/
chmod 755 "$new_dist"
chmod 644 "$new_dist"/*.deb
rm -rf "$dist.old"
if [ -d "$dist" ]; then mv "$dist" "$dist.old"; fi
mv "$new_dist" "$dist"
rm -rf "$dist.old"
ls "$dist"/*.deb
