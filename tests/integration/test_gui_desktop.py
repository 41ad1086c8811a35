#!/usr/bin/env python3
"""End to end, as a person meets the desktop app: Xvfb with a window manager (openbox), the
app started with command-line options and no host, inside the test's own namespaces. The test
types a host right after the window appears and presses Enter (xdotool: no click, so the
keyboard focus must start in the host field), waits for the route, then types a bad host.
Screenshots of the three states (ready, traced, error) are checked: no marker before, the
hops' markers after, the error colour in the status area. Quitting with Ctrl+Q, the saved
settings file keeps its own values and gained none of the command line's options.

usage: test_gui_desktop.py /path/to/tracemap      (or set TRACEMAP_GUI)
Set TRACEMAP_GUI_KEEP=DIR to keep the screenshots for a look.
"""
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest  # noqa: E402
import nstest  # noqa: E402

MARKER_GREEN = (0x2E, 0xA0, 0x4F)  # the map's colour for RTTs under 20 ms
ERROR_RED = (0xC6, 0x28, 0x28)     # the status area's error colour
SETTINGS = "[trace]\nmaxTtl=20\n"


def near(c, ref, tol=45):
    return sum(abs(a - b) for a, b in zip(c, ref)) <= tol


def count_colour(png, colour, box=None, step=1, tol=45):
    x0, y0, x1, y1 = box or (0, 0, png.width, png.height)
    return sum(1 for y in range(max(0, y0), min(png.height, y1), step)
               for x in range(max(0, x0), min(png.width, x1), step) if near(png.pixel(x, y), colour, tol))


class Display:
    """Xvfb plus openbox on a free display number."""

    def __init__(self, work):
        read, write = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x1000x24",
                                      "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
        os.close(write)
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read, 16)
            if not chunk:
                break
            number += chunk
        os.close(read)
        self.name = ":" + number.decode().strip()
        self.env = dict(nstest.CHILD_ENV, DISPLAY=self.name, HOME=work,
                        XDG_CONFIG_HOME=os.path.join(work, "config"), XDG_CACHE_HOME=os.path.join(work, "cache"),
                        XDG_RUNTIME_DIR=work, QT_QUICK_CONTROLS_STYLE="Fusion")
        self.wm = subprocess.Popen(["openbox"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)

    def x(self, *argv, timeout=20):
        return subprocess.run(list(argv), env=self.env, capture_output=True, text=True, timeout=timeout)

    def shot(self, path):
        self.x("import", "-window", "root", "PNG24:" + path)
        return guitest.Png(path)

    def close(self):
        for p in (self.wm, self.xvfb):
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


def main():
    gui = guitest.gui_path()
    with nstest.Session("netns_gui_desktop", deadline=200, needs=("Xvfb", "openbox", "xdotool", "import")) as t:
        if not t.require_binary(gui):
            return
        t.topology()
        work = tempfile.mkdtemp(prefix="tracemap-desktop-")
        os.chmod(work, 0o700)
        display = Display(work)
        try:
            run_checks(t, gui, work, display)
        finally:
            display.close()
            guitest.keep_images_and_remove(work)


def run_checks(t, gui, work, display):
    overrides = os.path.join(work, "overrides.csv")
    guitest.write_overrides(overrides)
    conf_dir = os.path.join(work, "config", "tracemap")
    os.makedirs(conf_dir)
    conf = os.path.join(conf_dir, "tracemap.conf")
    with open(conf, "w") as f:
        f.write(SETTINGS)

    argv = ["ip", "netns", "exec", t.topo.ns("src"), "timeout", "-k", "2", "120", gui, "--offline",
            "--geo-overrides", overrides, "--source-location", "48.8566,2.3522", "--method", "udp", "-4",
            "--timeout", "1"]
    app = subprocess.Popen(argv, env=display.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = display.x("xdotool", "search", "--sync", "--onlyvisible", "--name", "tracemap", timeout=30)
        window = found.stdout.split()[0] if found.returncode == 0 and found.stdout.split() else ""
        if not t.check("window appears", bool(window), found.stderr):
            return
        time.sleep(1.5)  # the first frames
        ready = display.shot(os.path.join(work, "1-ready.png"))
        # (The legend's colour scale holds about 80 green pixels; one marker has about 300.)
        green = count_colour(ready, MARKER_GREEN)
        t.check("ready: no hop marker on screen", green < 150, f"{green} marker-green pixels",
                ok_detail=f"{green} marker-green pixels")

        # Straight to the keyboard: no click first.
        display.x("xdotool", "type", "--delay", "40", guitest.DST)
        display.x("xdotool", "key", "Return")
        deadline = time.monotonic() + 30
        title = ""
        while time.monotonic() < deadline and guitest.DST not in title:
            title = display.x("xdotool", "getwindowname", window).stdout.strip()
            time.sleep(0.3)
        t.check("typing a host and Enter start a trace", guitest.DST in title, f"window title '{title}'")
        time.sleep(6)  # the route arrives and is placed
        traced = display.shot(os.path.join(work, "2-traced.png"))
        markers = count_colour(traced, MARKER_GREEN, step=1)
        t.check("traced: the hops' markers are drawn", markers > 400, f"{markers} marker-green pixels",
                ok_detail=f"{markers} marker-green pixels")

        geometry = display.x("xdotool", "getwindowgeometry", "--shell", window).stdout
        g = dict(line.split("=", 1) for line in geometry.split() if "=" in line)
        wx, wy, ww, wh = (int(g.get(k, 0)) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        status_box = (wx, wy + wh - 40, wx + ww, wy + wh)
        t.check("traced: no error in the status area", count_colour(traced, ERROR_RED, status_box) < 10,
                f"{count_colour(traced, ERROR_RED, status_box)} error-red pixels")
        display.x("xdotool", "key", "ctrl+l")
        display.x("xdotool", "type", "--delay", "30", "no such host!")
        display.x("xdotool", "key", "Return")
        time.sleep(1.5)
        error = display.shot(os.path.join(work, "3-error.png"))
        reds = count_colour(error, ERROR_RED, status_box)
        t.check("bad host: the reason in the error colour", reds > 20, f"{reds} error-red pixels in {status_box}",
                ok_detail=f"{reds} error-red pixels")

        display.x("xdotool", "key", "ctrl+q")
        try:
            app.wait(15)
        except subprocess.TimeoutExpired:
            pass
        t.check("Ctrl+Q quits", app.returncode == 0, f"exit {app.returncode}")
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    with open(conf) as f:
        saved = f.read()
    leaked = [key for key in ("overridePaths", "offline", "sourceLocation", "defaultMethod", "probeTimeoutSec")
              if key in saved]
    t.check("command-line options are not saved", not leaked and "maxTtl=20" in saved,
            f"saved settings:\n{saved}")


if __name__ == "__main__":
    main()
