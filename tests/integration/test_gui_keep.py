#!/usr/bin/env python3
"""Issue 14's "must show" items for the desktop app, inside the test's own namespaces:

1. Round trip: the app traces the topology (routers placed by an overrides file), exports the
   map and saves the trace file (--save); a new process opens that file, exports the map and
   saves it again. The two PNGs are the same pixel for pixel, the two trace files the same
   document, and their tables (`tracemap-cli convert --format csv`) the same bytes.
2. Path change: router r2 is given a new link to r4 (bypassing r3), the app traces again, and
   `tracemap --open AFTER --compare BEFORE --window-shot --export-image` shows the comparison:
   the window screenshot and the exported image hold the highlight ring colour (orange,
   map/maproutes.cpp) and the other route's colour (the first palette colour);
   the plain trace's screenshot and image hold neither;
   `tracemap-cli diff BEFORE AFTER` reports the new responder at TTL 3.

usage: test_gui_keep.py /path/to/tracemap /path/to/tracemap-cli
Set TRACEMAP_GUI_KEEP=DIR to keep the images for a look.
"""
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest  # noqa: E402
import nstest  # noqa: E402

SIZE = "1000x640"
HIGHLIGHT = (0xFF, 0x8C, 0x00)   # map/maproutes.cpp HighlightColor: a changed hop's ring
COMPARED = (0x1F, 0x77, 0xB4)    # MapRenderer::routePaletteColor(0): the other trace's route


def count_colour(png, ref, tol=12):
    n = 0
    for y in range(png.height):
        for x in range(png.width):
            if sum(abs(a - b) for a, b in zip(png.pixel(x, y), ref)) <= tol:
                n += 1
    return n


def same_pixels(a, b):
    """None when the two PNGs have the same size and pixels, else where they first differ."""
    if (a.width, a.height) != (b.width, b.height):
        return f"size {a.width}x{a.height} vs {b.width}x{b.height}"
    for y in range(a.height):
        if a.rows[y] == b.rows[y]:
            continue
        for x in range(a.width):
            if a.pixel(x, y) != b.pixel(x, y):
                return f"pixel {x},{y}: {a.pixel(x, y)} vs {b.pixel(x, y)}"
    return None


def main():
    gui = guitest.gui_path()
    cli = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.environ.get("TRACEMAP_CLI", "")
    with nstest.Session("netns_gui_keep", deadline=220, needs=("xauth|true",)) as t:
        if not t.require_binary(gui) or not t.require_binary(cli):
            return
        topo = t.topology()
        work = tempfile.mkdtemp(prefix="tracemap-keep-")
        os.chmod(work, 0o755)
        try:
            run_checks(t, topo, gui, cli, work)
        finally:
            guitest.keep_images_and_remove(work)


def run_checks(t, topo, gui, cli, work):
    overrides = os.path.join(work, "overrides.csv")
    guitest.write_overrides(overrides)
    wrapper, platform = guitest.display_wrapper()
    if wrapper[:1] == ["xvfb-run"]:
        wrapper = wrapper[:2] + ["-n", "55"] + wrapper[2:]  # this test's displays: :55 and up
    app = wrapper + [gui, *platform, "--offline", "--size", SIZE]
    p = lambda name: os.path.join(work, name)  # noqa: E731

    def trace(name):
        r = t.run(app + ["--trace", guitest.DST, "-4", "--method", "udp", "--geo-overrides", overrides,
                         "--export-image", p(f"{name}.png"), "--window-shot", p(f"{name}-window.png"),
                         "--save", p(f"{name}.tracemap.json"), "--quit-when-done"], timeout=90)
        return t.check(f"{name}: trace, export and save exit 0",
                       r.rc == 0 and os.path.exists(p(f"{name}.png")) and os.path.exists(p(f"{name}.tracemap.json")),
                       r.brief())

    def csv_of(name):
        r = t.run([cli, "convert", p(name), "--format", "csv"], timeout=20)
        t.check(f"convert {name} --format csv: exit 0", r.rc == 0 and r.out.count("\n") > 1, r.brief())
        return r.out

    # 1. Round trip through a new process.
    if not trace("before"):
        return
    with open(p("before.tracemap.json")) as f:
        saved = json.load(f)
    hops = [a for _, a in nstest.trace_hops(saved)]
    t.check("saved trace: the topology's path, placed by the overrides",
            hops == [{a} for a in nstest.paths()[guitest.DST]["hops"]]
            and all((h.get("geo") or {}).get("provider") == "override" for h in saved["ping_time"]),
            f"hops {hops}")
    r = t.run(app + ["--open", p("before.tracemap.json"), "--export-image", p("reopened.png"),
                     "--save", p("reopened.tracemap.json"), "--quit-when-done"], timeout=60)
    if t.check("reopened in a new process: exit 0", r.rc == 0 and os.path.exists(p("reopened.png")), r.brief()):
        first, again = guitest.Png(p("before.png")), guitest.Png(p("reopened.png"))
        t.check("the image is not blank", len(first.distinct_colours()) > 50, "")
        diff = same_pixels(first, again)
        t.check("the reopened trace's image is the same, pixel for pixel", diff is None, diff)
        with open(p("reopened.tracemap.json")) as f:
            resaved = json.load(f)
        t.check("saved again: the same trace file document", resaved == saved,
                f"keys {sorted(k for k in set(saved) | set(resaved) if saved.get(k) != resaved.get(k))}")
        table = csv_of("before.tracemap.json")
        t.check("the same table (CSV)", table == csv_of("reopened.tracemap.json") and guitest.DST in table, table)

    # 2. A path change in the namespaces, compared in the window.
    # The route change: r2 reaches dst over a new link to r4, bypassing r3.
    problem = topo.bypass_r3()
    if problem:
        t.fail("route change", problem)
        return
    if not trace("after"):
        return
    with open(p("after.tracemap.json")) as f:
        after = nstest.trace_hops(json.load(f))
    new = sorted(after[2][1])[0] if len(after) > 2 and after[2][1] else "?"
    r = t.run([cli, "diff", p("before.tracemap.json"), p("after.tracemap.json")], timeout=20)
    t.check("diff reports the change: exit 1, another responder at TTL 3, one hop fewer",
            r.rc == 1 and new != "198.18.2.1" and f"ttl 3: responder 198.18.2.1 -> {new}" in r.out
            and len(after) == len(hops) - 1, r.brief())

    r = t.run(app + ["--open", p("after.tracemap.json"), "--compare", p("before.tracemap.json"),
                     "--export-image", p("compared.png"), "--window-shot", p("compared-window.png"),
                     "--quit-when-done"], timeout=60)
    if not t.check("--open AFTER --compare BEFORE: exit 0",
                   r.rc == 0 and os.path.exists(p("compared-window.png")), r.brief()):
        return
    for what, plain, compared in (("window", "after-window.png", "compared-window.png"),
                                  ("exported image", "after.png", "compared.png")):
        plain, compared = guitest.Png(p(plain)), guitest.Png(p(compared))
        rings, route = count_colour(compared, HIGHLIGHT), count_colour(compared, COMPARED)
        bare = (count_colour(plain, HIGHLIGHT), count_colour(plain, COMPARED))
        t.check(f"comparison {what}: the changed hops ringed", rings >= 100, f"{rings} ring px")
        t.check(f"control: the plain trace's {what} has neither colour", bare == (0, 0),
                f"{bare[0]} ring px, {bare[1]} route px")
        # The History panel is a side pane: the window's map keeps its height, so the other
        # route shows apart from the main one there too.
        t.check(f"comparison {what}: the other trace's route drawn", route >= 50, f"{route} route px")

if __name__ == "__main__":
    main()
