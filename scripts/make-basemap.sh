#!/bin/sh
# Regenerate resources/basemap/world.tmb from Natural Earth (public domain) as packaged by the
# npm package world-atlas (TopoJSON). Needs npm and python3; fetches into a temporary directory.
set -eu
version=${WORLD_ATLAS_VERSION:-2.0.2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/make-basemap.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "world-atlas@$version" >/dev/null && tar xzf world-atlas-*.tgz)
python3 "$root/scripts/make-basemap.py" "$work/package" "$root/resources/basemap/world.tmb"
