#!/usr/bin/env python3
"""tracemap-cli must never need root: an unprivileged user (nobody, 65534) can reach and run
the built binary, the binary carries no setuid/setgid bit or file capability, bad usage
exits 2, and an unprivileged UDP trace (inside the topology's src namespace) works.

usage: test_unprivileged.py /path/to/tracemap-cli
"""
import os
import stat
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402


def main():
    cli = nstest.cli_path()
    with nstest.Session("netns_unprivileged", deadline=70) as t:
        # -- permissions along the path --------------------------------------------------------
        blocked = []
        d = os.path.dirname(cli)
        while True:
            st = os.stat(d)
            if not st.st_mode & stat.S_IXOTH:
                blocked.append(f"{d} ({stat.filemode(st.st_mode)})")
            if d == "/":
                break
            d = os.path.dirname(d)
        t.check("every directory above the binary is searchable by others", not blocked,
                "not o+x: " + ", ".join(blocked))
        st = os.stat(cli)
        t.check("binary is readable and executable by others",
                st.st_mode & stat.S_IXOTH and st.st_mode & stat.S_IROTH, f"mode {stat.filemode(st.st_mode)}")
        t.check("binary has no setuid/setgid bit", not st.st_mode & (stat.S_ISUID | stat.S_ISGID),
                f"mode {stat.filemode(st.st_mode)}")
        p = subprocess.run(["getcap", cli], capture_output=True, text=True) if nstest.have_tool("getcap") else None
        if p is not None:
            t.check("binary has no file capabilities", p.stdout.strip() == "", f"getcap: {p.stdout.strip()}")

        t.topology(ping_group="closed")
        # -- runs as nobody (inside src, in case anything would be sent) -----------------------
        r = t.run([cli], user="nobody", timeout=20)
        t.check("nobody can execute it (no arguments: usage error, exit 2)", r.rc == 2,
                f"expected exit 2, got {r.rc}" + (" (could not execute)" if r.rc in (126, 127) else "")
                + "\n" + r.brief())
        for bad in (["--max-ttl", "0"], ["--max-ttl", "256"], ["--queries", "0"], ["--queries", "11"],
                    ["--timeout", "0.05"], ["--timeout", "61"], ["--method", "bogus"]):
            r = t.run([cli, "trace", "198.18.10.1", *bad], user="nobody", timeout=20)
            t.check(f"bad usage {' '.join(bad)}: exit 2", r.rc == 2, f"exit {r.rc}\n{r.brief()}")
        r = t.run([cli, "trace", "198.18.10.1", "--method", "udp", "--json"], user="nobody", timeout=30)
        reached = None
        try:
            reached = nstest.last_json(r.out).get("reached")
        except ValueError:
            pass
        t.check("nobody: udp trace to dst works (exit 0, reached)", r.rc == 0 and reached is True,
                f"exit {r.rc}, reached={reached!r}\n{r.brief()}")


if __name__ == "__main__":
    main()
