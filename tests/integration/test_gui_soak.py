#!/usr/bin/env python3
"""Soak: many traces in a row in one desktop window (the hidden --repeat N option), inside the
test's own namespaces. Every trace must finish and reach the target with all its hops, the
process must exit cleanly, and its resident memory must stop growing after warm-up.

usage: test_gui_soak.py /path/to/tracemap      (or set TRACEMAP_GUI)
TRACEMAP_SOAK_TRACES=N sets the number of traces (default 20; the benchmark runs 200).
"""
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guitest  # noqa: E402
import nstest  # noqa: E402

LINE = re.compile(r"^trace (\d+)/(\d+) hops=(\d+) reached=(\d) elapsed_ms=(\d+) rss_kb=(\d+)$")
RSS_LIMIT_KB = 150 * 1024
GROWTH_LIMIT_KB = 8 * 1024  # after warm-up; a leak of one trace's model per trace shows well above this


def main():
    gui = guitest.gui_path()
    count = int(os.environ.get("TRACEMAP_SOAK_TRACES", "20"))
    with nstest.Session("netns_gui_soak", deadline=max(120, 2 * count + 60)) as t:
        if not t.require_binary(gui):
            return
        t.topology()
        work = tempfile.mkdtemp(prefix="tracemap-soak-")
        os.chmod(work, 0o755)
        try:
            overrides = os.path.join(work, "overrides.csv")
            guitest.write_overrides(overrides)
            wrapper, platform = guitest.display_wrapper()
            r = t.run(wrapper + [gui, *platform, "--trace", guitest.DST, "-4", "--method", "udp", "--offline",
                                 "--geo-overrides", overrides, "--repeat", str(count), "--quit-when-done"],
                      timeout=max(90, 2 * count + 30))
            rows = [LINE.match(line) for line in r.out.splitlines()]
            rows = [m for m in rows if m]
            t.check("exit 0", r.rc == 0, r.brief())
            t.check(f"{count} traces reported", len(rows) == count, f"{len(rows)} lines\n{r.brief()}")
            if not rows:
                return
            bad = [m.group(0) for m in rows if m.group(4) != "1" or int(m.group(3)) != len(guitest.CITIES)]
            t.check("every trace reached the target with all hops", not bad, "\n".join(bad[:5]))
            rss = [int(m.group(6)) for m in rows]
            t.check("resident memory under 150 MB", max(rss) < RSS_LIMIT_KB, f"max {max(rss)} kB")
            warm = rss[min(len(rss) - 1, max(2, len(rss) // 4))]
            growth = rss[-1] - warm
            t.check("no memory growth after warm-up", growth < GROWTH_LIMIT_KB,
                    f"{warm} kB after warm-up, {rss[-1]} kB at the end (+{growth} kB)",
                    ok_detail=f"{rss[0]} kB first, {warm} kB after warm-up, {rss[-1]} kB last")
            slow = [m.group(0) for m in rows if int(m.group(5)) > 5000]
            t.check("no trace took over 5 s", not slow, "\n".join(slow[:5]))
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
