#!/usr/bin/env python3
"""Watch mode end to end under Xvfb: the desktop app in the test's own namespaces (--offline),
a host typed and Ctrl+W pressed. Checked on screenshots and the copied table: the chart pane
draws the destination's RTT line, the watch table (Ctrl+C copies it) has the mtr columns with
every round counted, a drag across the chart sets the focus period (the table then counts only
those rounds), Ctrl+P pauses (no round is added), a route moved mid-watch shows the new
router in the table, and Ctrl+Q quits.

usage: test_gui_watch.py /path/to/tracemap      (or set TRACEMAP_GUI)
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
from test_gui_desktop import ERROR_RED, Display, count_colour  # noqa: E402
from test_watch import R4, add_shortcut, move_to_shortcut  # noqa: E402

SERIES_BLUE = (0x1F, 0x77, 0xB4)  # the chart's first series (the destination)


def table(display):
    """The watch table as Ctrl+C copies it (File → Copy hop table): header cells and rows of cells."""
    display.x("xdotool", "key", "ctrl+c")
    time.sleep(0.5)
    out = display.x("xclip", "-selection", "clipboard", "-o").stdout
    lines = [line.split("\t") for line in out.strip().splitlines()]
    return (lines[0], lines[1:]) if lines else ([], [])


def column(header, rows, name):
    at = header.index(name) if name in header else -1
    return [row[at] for row in rows if at >= 0 and len(row) > at]


def main():
    gui = guitest.gui_path()
    with nstest.Session("netns_gui_watch", deadline=200,
                        needs=("Xvfb", "openbox", "xdotool", "import", "xclip")) as t:
        if not t.require_binary(gui):
            return
        t.topology()
        add_shortcut(t.topo)
        work = tempfile.mkdtemp(prefix="tracemap-watch-")
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
    argv = ["ip", "netns", "exec", t.topo.ns("src"), "timeout", "-k", "2", "120", gui, "--offline",
            "--geo-overrides", overrides, "--source-location", "48.8566,2.3522", "--method", "udp", "-4",
            "--timeout", "1"]
    app = subprocess.Popen(argv, env=display.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = display.x("xdotool", "search", "--sync", "--onlyvisible", "--name", "tracemap", timeout=30)
        window = found.stdout.split()[0] if found.returncode == 0 and found.stdout.split() else ""
        if not t.check("window appears", bool(window), found.stderr):
            return
        time.sleep(1.5)
        display.x("xdotool", "type", "--delay", "40", guitest.DST)
        display.x("xdotool", "key", "ctrl+w")
        time.sleep(10)  # about ten rounds, one a second
        watched = display.shot(os.path.join(work, "watch.png"))

        geometry = display.x("xdotool", "getwindowgeometry", "--shell", window).stdout
        g = dict(line.split("=", 1) for line in geometry.split() if "=" in line)
        wx, wy, ww, wh = (int(g.get(k, 0)) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        # The chart pane is the column right of the map (36 % of the window's width), the path
        # changes list below it; the legend at the chart's top right is left out of the box.
        column_x = wx + ww - round(ww * 0.36)
        chart_box = (column_x + 70, wy + 100, wx + ww - 110, wy + wh - 200)
        blue = count_colour(watched, SERIES_BLUE, chart_box, tol=60)
        t.check("the chart draws the destination's RTT line", blue > 40, f"{blue} series pixels in {chart_box}",
                ok_detail=f"{blue} series pixels")
        status_box = (wx, wy + wh - 40, wx + ww, wy + wh)
        reds = count_colour(watched, ERROR_RED, status_box)
        t.check("no error in the status area", reds < 10, f"{reds} error-red pixels")

        # A click on a hop row: the keyboard leaves the host field (its Ctrl+C copies text).
        display.x("xdotool", "mousemove", str(wx + 200), str(wy + wh - 200), "click", "1")
        header, rows = table(display)
        t.check("the watch table has the mtr columns",
                all(c in header for c in ("Loss%", "Sent", "Avg", "Best", "Wrst", "StDev")), f"header {header}")
        hosts = column(header, rows, "Host")
        t.check("one row per hop, the destination last", len(rows) == 7 and guitest.DST in (hosts or [""])[-1],
                f"rows {rows}")
        sent = [int(s) for s in column(header, rows, "Sent") if s.isdigit()]
        total = sent[-1] if sent else 0
        t.check("every round counted", total >= 5 and len(set(sent)) == 1, f"Sent {sent}")
        t.check("no loss on the path", column(header, rows, "Loss%")[-1:] == ["0.0%"], f"rows {rows}")

        # Drag across the first seconds of the chart: the table counts only those rounds. The
        # chart's axis spans about 30 s here (~13 px a second), so 60 px is about 4-5 rounds: well
        # under the rounds counted above even though more arrive meanwhile (a 135 px drag once took
        # in 11 of 13 rounds and matched the total read a second earlier).
        x0, x1, y = chart_box[0] + 15, chart_box[0] + 75, (chart_box[1] + chart_box[3]) // 2
        display.x("xdotool", "mousemove", str(x0), str(y), "mousedown", "1")
        for x in range(x0, x1 + 1, 10):
            display.x("xdotool", "mousemove", str(x), str(y))
        display.x("xdotool", "mouseup", "1")
        time.sleep(0.8)
        display.shot(os.path.join(work, "focus.png"))
        header, rows = table(display)
        focused = [int(s) for s in column(header, rows, "Sent") if s.isdigit()]
        t.check("a drag across the chart focuses the table on those rounds",
                focused and 0 < focused[-1] < total, f"Sent {focused} (whole watch {total})",
                ok_detail=f"{focused[-1] if focused else '?'} of {total} rounds")

        display.x("xdotool", "key", "ctrl+p")  # pause
        time.sleep(1.5)
        # A double-click on the chart: the whole watch again.
        display.x("xdotool", "mousemove", str(x0 + 40), str(y), "click", "--repeat", "2", "1")
        time.sleep(0.5)
        first = column(*table(display), "Sent")
        time.sleep(3)
        second = column(*table(display), "Sent")
        t.check("Ctrl+P pauses: no round added", first and first == second, f"{first} then {second}")

        # The route moves mid-watch: the table shows the new hop 3, the change is listed and the
        # previous path stays on the map (looked at on change.png).
        display.x("xdotool", "key", "ctrl+p")  # resume
        move_to_shortcut(t.topo)
        time.sleep(7)
        display.x("xdotool", "mousemove", str(wx + ww - 150), str(wy + wh - 160), "click", "1")
        time.sleep(0.8)
        display.shot(os.path.join(work, "change.png"))
        display.x("xdotool", "mousemove", str(wx + 200), str(wy + wh - 200), "click", "1")
        header, rows = table(display)
        hosts = column(header, rows, "Host")
        t.check("after the route moved, hop 3 is the new router", len(hosts) >= 3 and R4 in hosts[2],
                f"hosts {hosts}")

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


if __name__ == "__main__":
    main()
