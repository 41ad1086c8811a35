#!/usr/bin/env python3
"""Run one command and print its wall time and CPU time (user, sys) as one JSON line.

    measure.py [--out FILE] -- CMD [ARG...]

CPU times come from wait4()'s rusage, so they have microsecond resolution (GNU time's
%U/%S only have 10 ms, too coarse for a traceroute that uses 2 ms of CPU) and include every
descendant the command waited for (e.g. mtr's mtr-packet, the CMD under `timeout`).
The command's stdout goes to FILE (default /dev/null); its stderr is passed through.
"""
import json
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    out = os.devnull
    if args[:1] == ["--out"]:
        out, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    with open(out, "w") as f:
        t0 = time.perf_counter()
        p = subprocess.Popen(args, stdout=f, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    print(json.dumps({"wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime, "rc": rc}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
