#!/usr/bin/env python3
"""End to end: the desktop app traces a target inside the test's own namespaces (under Xvfb,
or Qt's offscreen platform when Xvfb is missing), with an overrides file placing each router
in a known European city, and exports the map with a fixed centre and zoom. The test decodes
the PNG and finds each hop's marker where the Web-Mercator projection puts it, checks the
image is not blank, and checks the command line's exit codes.

usage: test_gui_export.py /path/to/tracemap      (or set TRACEMAP_GUI)
Set TRACEMAP_GUI_KEEP=DIR to keep the exported images for a look.
"""
import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest  # noqa: E402
import nstest  # noqa: E402

WIDTH, HEIGHT = 1000, 640
CENTER = (49.0, 9.0)
ZOOM = 4
MARKER_GREEN = (0x2E, 0xA0, 0x4F)  # the map's colour for RTTs under 20 ms


def near(c, ref, tol=45):
    return sum(abs(a - b) for a, b in zip(c, ref)) <= tol


def marker_pixels(png, x, y, radius=7):
    """Pixels of the low-RTT marker fill within `radius` of (x, y)."""
    count = 0
    for yy in range(int(y) - radius, int(y) + radius + 1):
        for xx in range(int(x) - radius, int(x) + radius + 1):
            if 0 <= xx < png.width and 0 <= yy < png.height and near(png.pixel(xx, yy), MARKER_GREEN):
                count += 1
    return count


def main():
    gui = guitest.gui_path()
    with nstest.Session("netns_gui_export", deadline=200, needs=("xauth|true",)) as t:
        if not t.require_binary(gui):
            return
        t.topology()
        work = tempfile.mkdtemp(prefix="tracemap-gui-")
        os.chmod(work, 0o755)
        try:
            run_checks(t, gui, work)
        finally:
            guitest.keep_images_and_remove(work)


def run_checks(t, gui, work):
    overrides = os.path.join(work, "overrides.csv")
    guitest.write_overrides(overrides)
    image = os.path.join(work, "route.png")
    shot = os.path.join(work, "window.png")
    wrapper, platform = guitest.display_wrapper()
    argv = wrapper + [gui, *platform, "--trace", guitest.DST, "-4", "--method", "udp", "--offline",
                      "--geo-overrides", overrides, "--export-image", image, "--size", f"{WIDTH}x{HEIGHT}",
                      "--center", f"{CENTER[0]},{CENTER[1]}", "--zoom", str(ZOOM),
                      "--window-shot", shot, "--quit-when-done"]
    r = t.run(argv, timeout=90)
    if not t.check("export exits 0", r.rc == 0 and os.path.exists(image), r.brief()):
        return
    png = guitest.Png(image)
    t.check("image size", (png.width, png.height) == (WIDTH, HEIGHT), f"{png.width}x{png.height}")
    colours = png.distinct_colours()
    t.check("image is not blank", len(colours) > 50, f"only {len(colours)} colours")

    missing = []
    found = []
    for addr, city, lat, lon in guitest.CITIES:
        x, y = guitest.mercator_pixel(lat, lon, *CENTER, ZOOM, WIDTH, HEIGHT)
        n = marker_pixels(png, x, y)
        (found if n >= 12 else missing).append(f"{city} ({addr}) at {x:.0f},{y:.0f}: {n} px")
    t.check("a marker at every hop's predicted pixel", not missing, "\n".join(missing),
            ok_detail=f"{len(found)} markers")
    # Control: places no hop is at show no marker colour.
    empty = [(45.0, -20.0), (60.0, 0.0), (38.0, 25.0)]
    stray = [f"{lat},{lon}: {marker_pixels(png, *guitest.mercator_pixel(lat, lon, *CENTER, ZOOM, WIDTH, HEIGHT))} px"
             for lat, lon in empty
             if marker_pixels(png, *guitest.mercator_pixel(lat, lon, *CENTER, ZOOM, WIDTH, HEIGHT)) > 0]
    t.check("no marker where no hop is", not stray, "\n".join(stray))
    t.check("window screenshot written", os.path.exists(shot) and os.path.getsize(shot) > 10000, shot)

    # Exit codes: a bad argument is 2 with one line on stderr; an unreachable target is 1.
    bad = t.run(wrapper + [gui, *platform, "--trace", guitest.DST, "--size", "tiny", "--quit-when-done"], timeout=30)
    err_lines = [line for line in bad.err.splitlines() if line.strip() and "XDG_RUNTIME_DIR" not in line]
    t.check("bad --size: exit 2, one line", bad.rc == 2 and len(err_lines) == 1, bad.brief())
    filt = os.path.join(work, "filtered.png")
    r = t.run(wrapper + [gui, *platform, "--trace", "198.18.11.1", "-4", "--offline", "--timeout", "0.5",
                         "--geo-overrides", overrides, "--export-image", filt, "--quit-when-done"], timeout=60)
    t.check("filtered target: exit 1, image still written", r.rc == 1 and os.path.exists(filt), r.brief())


if __name__ == "__main__":
    main()
