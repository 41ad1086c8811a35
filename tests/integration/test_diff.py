#!/usr/bin/env python3
"""Trace files against the netns topology: `trace --geo --json --output` writes a trace file
with the routers placed by an overrides file; after a route is changed in router r2 (a new link
r2 -- r4 bypassing r3), a second trace differs and `tracemap-cli diff` reports the new
responder at TTL 3 and the hop that is gone; both traces are kept in a history (--keep);
`convert` turns the file into GeoJSON, KML and CSV
that Python's json, xml and csv modules read.

usage: test_diff.py /path/to/tracemap-cli
"""
import csv
import io
import json
import os
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402

DST = "198.18.10.1"
OVERRIDES = """# the topology's links, placed far apart so the path is drawn
198.18.0.0/24,50.11,8.68,Frankfurt
198.18.1.0/24,51.51,-0.13,London
198.18.2.0/24,53.35,-6.26,Dublin
198.18.3.0/24,40.71,-74.01,New York
198.18.4.0/24,41.88,-87.63,Chicago
198.18.5.0/24,37.77,-122.42,San Francisco
198.18.10.0/24,35.68,139.69,Tokyo
198.18.20.0/24,45.50,-73.57,Montreal
"""


def first_difference(a, b, path="$"):
    """The path of the first value that differs between two JSON documents, or None."""
    if type(a) is not type(b):
        return f"{path}: {a!r:.60} vs {b!r:.60}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            d = first_difference(a.get(k), b.get(k), f"{path}.{k}")
            if d:
                return d
    elif isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} entries"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
    elif a != b:
        return f"{path}: {a!r:.60} vs {b!r:.60}"
    return None


def main():
    cli = nstest.cli_path()
    with nstest.Session("netns_diff", deadline=110) as t:
        if not t.require_binary(cli):
            return
        topo = t.topology()
        work = tempfile.mkdtemp(prefix="tm-diff-")
        try:
            run_checks(t, topo, cli, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def run_checks(t, topo, cli, work):
    overrides = os.path.join(work, "overrides.csv")
    with open(overrides, "w") as f:
        f.write(OVERRIDES)
    os.chmod(work, 0o755)
    history = os.path.join(work, "history.sqlite")

    def trace_to(name):
        path = os.path.join(work, name)
        r = t.run([cli, "trace", DST, "-4", "--geo", "--offline", "--geo-cache", "-",
                   "--geo-overrides", overrides, "--json", "--output", path,
                   "--keep", "--history-db", history], timeout=40)
        doc = None
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            t.fail(f"{name}: written", f"{e!r}\n{r.brief()}")
        return r, path, doc

    r, before, doc = trace_to("before.tracemap.json")
    if doc is None:
        return
    hops = nstest.trace_hops(doc)
    t.check("trace file: the known path, exit 0, nothing on stdout",
            r.rc == 0 and not r.out.strip() and [a for _, a in hops] == [{a} for a in nstest.paths()[DST]["hops"]],
            f"hops {nstest.fmt_hops(hops)}\n{r.brief()}")
    t.check("trace file: format, version, metadata",
            doc.get("format") == "tracemap-trace" and doc.get("version") == 1 and doc.get("started_at")
            and doc.get("settings", {}).get("geo", {}).get("offline") is True and "vantage" in doc,
            json.dumps({k: doc.get(k) for k in ("format", "version", "started_at", "settings")}))
    places = [(h["ttl"], (h.get("geo") or {}).get("provider"), (h.get("geo") or {}).get("city"),
               (h.get("geo") or {}).get("latitude")) for h in doc["ping_time"]]
    t.check("trace file: routers placed by the overrides",
            all(p == "override" and lat is not None for _, p, _, lat in places),
            f"{places}")

    r = t.run([cli, "diff", before, before], timeout=20)
    t.check("diff of a file with itself: exit 0, same route", r.rc == 0 and "same route" in r.out, r.brief())

    # The route change: r2 reaches dst over a new link to r4, bypassing r3.
    problem = topo.bypass_r3()
    if problem:
        t.fail("route change", problem)
        return

    r, after, doc2 = trace_to("after.tracemap.json")
    if doc2 is None:
        return
    hops2 = nstest.trace_hops(doc2)
    t.check("after the change: one hop fewer, TTL 3 answered by r4",
            len(hops2) == len(hops) - 1 and hops2[2][1] and hops2[2][1] != hops[2][1],
            f"before {nstest.fmt_hops(hops)}\nafter  {nstest.fmt_hops(hops2)}")

    r = t.run([cli, "diff", before, after, "--json"], timeout=20)
    try:
        diff = json.loads(r.out)
    except ValueError:
        t.fail("diff --json", r.brief())
        return
    kinds = {(c["ttl"], c["kind"]) for c in diff.get("changes", [])}
    last_ttl = hops[-1][0]
    t.check("diff --json: exit 1, responder change at TTL 3, last hop removed",
            r.rc == 1 and diff.get("identical") is False and (3, "responder") in kinds
            and (last_ttl, "removed") in kinds,
            f"changes {sorted(kinds)}\n{r.brief()}")
    r = t.run([cli, "diff", before, after], timeout=20)
    t.check("diff (text): names the old and the new responder",
            r.rc == 1 and "ttl 3: responder 198.18.2.1 -> " in r.out, r.brief())

    # Both traces were kept (--keep): newest first, and show gives the file back.
    r = t.run([cli, "history", "list", DST, "--json", "--history-db", history], timeout=20)
    try:
        entries = json.loads(r.out)["entries"]
    except (ValueError, KeyError):
        entries = []
    t.check("history list: both traces, newest first", r.rc == 0 and len(entries) == 2
            and entries[0]["id"] > entries[1]["id"] and entries[0]["hops"] == len(hops2), r.brief())
    if entries:
        r = t.run([cli, "history", "show", str(entries[0]["id"]), "--history-db", history], timeout=20)
        with open(after) as f:
            saved = json.load(f)
        try:
            shown = json.loads(r.out)
        except ValueError:
            shown = None
        t.check("history show: the same document as the file", r.rc == 0 and shown == saved,
                f"differs at {first_difference(saved, shown)}\n{r.brief(300)}")

    other = os.path.join(work, "other.tracemap.json")
    with open(other, "w") as f:
        json.dump(dict(doc2, target="198.18.11.1", dest="198.18.11.1"), f)
    r = t.run([cli, "diff", before, other], timeout=20)
    t.check("diff of different targets: exit 2, one line", r.rc == 2 and len(r.err.strip().splitlines()) == 1,
            r.brief())

    # Exports of the saved file, read back by Python's own parsers.
    outputs = {}
    for fmt in ("geojson", "kml", "csv"):
        out = os.path.join(work, f"after.{fmt}")
        r = t.run([cli, "convert", after, "--format", fmt, "--output", out], timeout=20)
        ok = r.rc == 0 and os.path.exists(out)
        t.check(f"convert --format {fmt}: exit 0, file written", ok, r.brief())
        if ok:
            with open(out, newline="") as f:
                outputs[fmt] = f.read()
    if "geojson" in outputs:
        g = json.loads(outputs["geojson"])
        points = [f for f in g["features"] if f["geometry"]["type"] == "Point"]
        tokyo = [f for f in points if f["properties"]["address"] == DST]
        t.check("GeoJSON: a point per hop, [lon, lat]",
                len(points) == len(hops2) and tokyo and tokyo[0]["geometry"]["coordinates"] == [139.69, 35.68],
                json.dumps(points[:2])[:600])
        line = [f for f in g["features"] if f["geometry"]["type"] != "Point"]
        t.check("GeoJSON: San Francisco -> Tokyo splits at the antimeridian",
                len(line) == 1 and line[0]["geometry"]["type"] == "MultiLineString",
                json.dumps([f["geometry"]["type"] for f in line]))
    if "kml" in outputs:
        root = ET.fromstring(outputs["kml"].encode())
        ns = "{http://www.opengis.net/kml/2.2}"
        marks = root.findall(f"{ns}Document/{ns}Folder/{ns}Placemark")
        t.check("KML: well-formed, a placemark per hop", root.tag == f"{ns}kml" and len(marks) == len(hops2),
                f"root {root.tag}, {len(marks)} placemarks")
    if "csv" in outputs:
        rows = list(csv.reader(io.StringIO(outputs["csv"], newline=""), strict=True))
        t.check("CSV: header and one row per hop", rows[0][:3] == ["target", "dest", "ttl"]
                and len(rows) == 1 + len(hops2), f"{len(rows)} rows")


if __name__ == "__main__":
    main()
