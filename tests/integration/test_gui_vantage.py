#!/usr/bin/env python3
"""Three vantage routes on one map, as a person opens them: a saved RIPE Atlas result of three
probes is opened with `tracemap FILE --offline` (no network: the app only reads the file and an
overrides file placing each router in a known city) under Xvfb + openbox, and the window's
screenshot must show the three route colours on the map itself (outside the route legend,
which shows them too). The scripted export of the same file (`--export-image OUT
--quit-when-done`) must draw them as well.

usage: test_gui_vantage.py /path/to/tracemap      (or set TRACEMAP_GUI)
Set TRACEMAP_GUI_KEEP=DIR to keep the screenshots for a look. Exits 77 without Xvfb/openbox/import.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest  # noqa: E402
import nstest  # noqa: E402

# MapRenderer::routePaletteColor(0..2)
ROUTE_COLOURS = [(0x1F, 0x77, 0xB4), (0x94, 0x67, 0xBD), (0xE3, 0x77, 0xC2)]
# Three probes' paths (documentation addresses, placed by the overrides below), meeting at the
# last router: (address, latitude, longitude) per hop.
PATHS = [
    [("192.0.2.1", 40.4168, -3.7038), ("192.0.2.2", 43.2965, 5.3698), ("198.51.100.99", 41.9028, 12.4964)],
    [("192.0.2.11", 59.3293, 18.0686), ("192.0.2.12", 52.5200, 13.4050), ("198.51.100.99", 41.9028, 12.4964)],
    [("192.0.2.21", 37.9838, 23.7275), ("192.0.2.22", 44.4268, 26.1025), ("198.51.100.99", 41.9028, 12.4964)],
]
DISPLAYS = range(41, 45)  # this test's display numbers


def atlas_document():
    results = []
    for p, path in enumerate(PATHS):
        hops = [{"hop": i + 1, "result": [{"from": a, "rtt": 5.0 + 10 * i, "size": 28, "ttl": 250}]}
                for i, (a, _, _) in enumerate(path)]
        results.append({"fw": 5080, "af": 4, "dst_addr": "198.51.100.99", "dst_name": "198.51.100.99",
                        "from": "203.0.113.%d" % (p + 1), "src_addr": "192.168.1.10", "msm_id": 5001,
                        "prb_id": 1001 + p, "proto": "ICMP", "paris_id": 1, "timestamp": 1700000000,
                        "endtime": 1700000010, "type": "traceroute", "result": hops})
    return json.dumps(results)


def count_colour(png, colour, box, tol=40):
    x0, y0, x1, y1 = box
    return sum(1 for y in range(max(0, y0), min(png.height, y1))
               for x in range(max(0, x0), min(png.width, x1))
               if sum(abs(a - b) for a, b in zip(png.pixel(x, y), colour)) <= tol)


def start_display(work, env):
    for n in DISPLAYS:
        if os.path.exists("/tmp/.X%d-lock" % n):
            continue
        xvfb = subprocess.Popen(["Xvfb", ":%d" % n, "-screen", "0", "1400x1000x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        if xvfb.poll() is None:
            env = dict(env, DISPLAY=":%d" % n)
            wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            return xvfb, wm, env
    return None, None, env


def stop(*processes):
    for p in processes:
        if p is None:
            continue
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    gui = guitest.gui_path()
    for tool in ("Xvfb", "openbox", "xdotool", "import"):
        if not nstest.have_tool(tool):
            print(f"SKIP: {tool} is not installed")
            sys.exit(77)
    work = tempfile.mkdtemp(prefix="tracemap-vantage-")
    os.chmod(work, 0o700)
    failures, passes = [], []

    def check(name, ok, detail):
        print(("ok   " if ok else "FAIL ") + name + ": " + detail)
        (passes if ok else failures).append(name)

    doc = os.path.join(work, "atlas-3-probes.json")
    with open(doc, "w") as f:
        f.write(atlas_document())
    overrides = os.path.join(work, "overrides.csv")
    with open(overrides, "w") as f:
        for path in PATHS:
            for a, lat, lon in path:
                f.write(f"{a}/32,{lat},{lon},router {a}\n")
    env = dict(nstest.CHILD_ENV, HOME=work, XDG_CONFIG_HOME=os.path.join(work, "config"),
               XDG_CACHE_HOME=os.path.join(work, "cache"), XDG_RUNTIME_DIR=work, QT_QUICK_CONTROLS_STYLE="Fusion")
    common = ["--offline", "--geo-overrides", overrides]

    # The scripted export: no window needed.
    out = os.path.join(work, "export.png")
    run = subprocess.run(["timeout", "-k", "2", "60", gui, doc, "--export-image", out, "--size", "900x600",
                          "--quit-when-done"] + common, env=dict(env, QT_QPA_PLATFORM="offscreen"),
                         capture_output=True, text=True, timeout=70)
    check("export exits 0", run.returncode == 0, f"exit {run.returncode} {run.stderr.strip()}")
    if os.path.exists(out):
        png = guitest.Png(out)
        # The route legend sits top right; count below and left of it.
        box = (0, 0, int(png.width * 0.6), png.height)
        counts = [count_colour(png, c, box) for c in ROUTE_COLOURS]
        check("export: the three route colours on the map", all(n >= 40 for n in counts), f"pixels {counts}")

    xvfb, wm, denv = start_display(work, env)
    if xvfb is None:
        check("a free display in :41-:44", False, "none free")
    else:
        app = subprocess.Popen(["timeout", "-k", "2", "90", gui, doc] + common, env=denv,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "tracemap"],
                                   env=denv, capture_output=True, text=True, timeout=30)
            window = found.stdout.split()[0] if found.returncode == 0 and found.stdout.split() else ""
            check("window appears", bool(window), found.stderr.strip())
            time.sleep(3.0)  # routes located and framed
            shot = os.path.join(work, "window.png")
            subprocess.run(["import", "-window", "root", "PNG24:" + shot], env=denv, timeout=20)
            png = guitest.Png(shot)
            geometry = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], env=denv,
                                      capture_output=True, text=True, timeout=10).stdout
            g = dict(line.split("=", 1) for line in geometry.split() if "=" in line)
            wx, wy, ww, wh = (int(g.get(k, 0)) for k in ("X", "Y", "WIDTH", "HEIGHT"))
            # The map: below the toolbar, above the hop table; left of the route legend.
            box = (wx, wy + 60, wx + int(ww * 0.6), wy + int(wh * 0.55))
            counts = [count_colour(png, c, box) for c in ROUTE_COLOURS]
            check("window: the three route colours on the map", all(n >= 40 for n in counts),
                  f"pixels {counts} in {box}")
        finally:
            stop(app)
            stop(wm, xvfb)
            err = app.stderr.read() if app.stderr else ""
            if err.strip():
                print("app stderr:", err.strip()[:2000])
    guitest.keep_images_and_remove(work)
    print(f"{len(passes)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
