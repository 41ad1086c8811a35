#!/usr/bin/env python3
"""`tracemap-cli ping --json` on the netns topology.

To dst (answers everything), with each method (icmp, udp, tcp, auto) and family, as root
(ping_group_range "1 0") and, for icmp/udp/tcp, as nobody (icmp with the range opened):
every attempt answered by dst with the method's reply, exit 0.
To filt (drops everything): exit 1, every attempt address/time null, reply none.

usage: test_ping.py /path/to/tracemap-cli
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402

DST = {4: "198.18.10.1", 6: "fd00:7e57:10::1"}
FILT = {4: "198.18.11.1", 6: "fd00:7e57:11::1"}
SOURCE = {4: "198.18.0.2", 6: "fd00:7e57::2"}
COUNT = 3
REPLY = {  # the destination's answer per method: (reply, {family: (type, code)})
    "icmp": ("echo-reply", nstest.ECHO_REPLY),
    "udp": ("unreachable", nstest.PORT_UNREACH),
    "tcp": (("tcp-connected", "tcp-refused"), {4: (None, None), 6: (None, None)}),
}


def parse(t, name, r):
    try:
        doc = nstest.last_json(r.out)
        entries = doc["ping_time"]
        assert isinstance(entries, list)
        return doc, entries
    except (ValueError, KeyError, AssertionError, TypeError) as e:
        t.fail(name, f"no usable ping JSON ({e!r})\n{r.brief()}")
        return None, None


def shape(doc, entries, count, family, target):
    problems = []
    for key in ("source", "target", "dest", "ttl", "packets", "ping_time", "method"):
        if key not in doc:
            problems.append(f"missing key {key!r}")
    if doc.get("packets") != count:
        problems.append(f"packets={doc.get('packets')!r}, expected {count}")
    if [e.get("attempt") for e in entries] != list(range(1, count + 1)):
        problems.append(f"attempts {[e.get('attempt') for e in entries]}, expected 1..{count}")
    if not nstest.same_addr(doc.get("dest"), target):
        problems.append(f"dest={doc.get('dest')!r}, expected {target}")
    if not nstest.same_addr(doc.get("source"), SOURCE[family]):
        problems.append(f"source={doc.get('source')!r}, expected {SOURCE[family]}")
    for e in entries:
        for key in ("attempt", "address", "time", "type", "code", "reply"):
            if key not in e:
                problems.append(f"attempt {e.get('attempt')}: missing key {key!r}")
    return problems


def main():
    cli = nstest.cli_path()
    with nstest.Session("netns_ping", deadline=100) as t:
        if not t.require_binary(cli):
            return
        topo = t.topology(ping_group="closed")
        runs = [(m, u) for m in ("icmp", "udp", "tcp", "auto") for u in ("root",)]
        runs += [(m, "nobody") for m in ("icmp", "udp", "tcp")]
        for method, user in runs:
            topo.ping_group("open" if (user == "nobody" and method == "icmp") else "closed")
            for family in (4, 6):
                target = DST[family]
                name = f"ping dst {method}/v{family}/{user}"
                argv = [cli, "ping", target, f"-{family}", "--method", method, "--count", str(COUNT),
                        "--interval", "0.2", "--json"]
                r = t.run(argv, user=user, timeout=30)
                doc, entries = parse(t, name, r)
                if doc is None:
                    continue
                problems = shape(doc, entries, COUNT, family, target)
                used = doc.get("method")
                if method != "auto" and used != method:
                    problems.append(f"method={used!r}, expected {method!r}")
                if used not in REPLY:
                    problems.append(f"method={used!r} is not one of icmp/udp/tcp")
                else:
                    kinds, tc = REPLY[used]
                    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
                    for e in entries:
                        if not nstest.same_addr(e.get("address"), target) or e.get("time") is None:
                            problems.append(f"attempt {e.get('attempt')}: address={e.get('address')!r} "
                                            f"time={e.get('time')!r}, expected an answer from {target}")
                        elif e.get("reply") not in kinds or (e.get("type"), e.get("code")) != tc[family]:
                            problems.append(f"attempt {e.get('attempt')}: reply={e.get('reply')!r} "
                                            f"type/code={(e.get('type'), e.get('code'))}, expected "
                                            f"{'|'.join(kinds)} {tc[family]}")
                replies = sum(1 for e in entries if e.get("address"))
                t.check(f"{name}: {COUNT}/{COUNT} replies from dst, well-formed", not problems,
                        "\n".join(problems[:10]) + "\n" + r.brief(800), ok_detail=f"{replies} replies")
                t.check(f"{name}: exit 0", r.rc == 0, f"exit {r.rc}\n{r.brief(800)}")

        topo.ping_group("closed")
        for method in ("icmp", "udp", "tcp", "auto"):
            for family in (4, 6):
                target = FILT[family]
                name = f"ping filt {method}/v{family}/root"
                argv = [cli, "ping", target, f"-{family}", "--method", method, "--count", "2",
                        "--interval", "0.2", "--timeout", "1", "--json"]
                r = t.run(argv, timeout=30)
                doc, entries = parse(t, name, r)
                if doc is None:
                    continue
                problems = shape(doc, entries, 2, family, target)
                for e in entries:
                    if e.get("address") is not None or e.get("time") is not None \
                            or e.get("reply") not in ("none", None):
                        problems.append(f"attempt {e.get('attempt')}: {e}, expected address/time null, reply none")
                t.check(f"{name}: no replies, all address null", not problems,
                        "\n".join(problems[:10]) + "\n" + r.brief(800))
                t.check(f"{name}: exit 1", r.rc == 1, f"exit {r.rc}\n{r.brief(800)}")


if __name__ == "__main__":
    main()
