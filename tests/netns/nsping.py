#!/usr/bin/env python3
"""Minimal ICMP / ICMPv6 echo pinger (stdlib only, needs root: raw sockets).

Used by topology.sh to warm up ARP / neighbour caches without depending on iputils-ping.
Run it inside a namespace: ip netns exec NS nsping.py [-t TIMEOUT] ADDR...
Sends one echo request to every address at once (a second one to those still silent
after half the timeout), prints the addresses that never answered, exits 1 if any.
"""
import argparse
import ipaddress
import os
import select
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo(v6: bool, ident: int, seq: int) -> bytes:
    payload = b"tracemap-netns-warmup"
    typ = 128 if v6 else 8
    hdr = struct.pack("!BBHHH", typ, 0, 0, ident, seq)
    if v6:  # the kernel fills in the ICMPv6 checksum on raw sockets
        return hdr + payload
    return struct.pack("!BBHHH", typ, 0, checksum(hdr + payload), ident, seq) + payload


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", "--timeout", type=float, default=2.0)
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("addrs", nargs="+")
    a = ap.parse_args()
    ident = os.getpid() & 0xFFFF
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    targets = {}
    for i, text in enumerate(a.addrs):
        ip = ipaddress.ip_address(text)
        targets[i] = ip
    pending = set(targets)

    def send_all():
        for i in sorted(pending):
            ip = targets[i]
            if ip.version == 6:
                s6.sendto(echo(True, ident, i), (str(ip), 0))
            else:
                s4.sendto(echo(False, ident, i), (str(ip), 0))

    send_all()
    start = time.monotonic()
    resent = False
    while pending:
        left = a.timeout - (time.monotonic() - start)
        if left <= 0:
            break
        if not resent and left < a.timeout / 2:
            send_all()
            resent = True
        r, _, _ = select.select([s4, s6], [], [], min(left, a.timeout / 4))
        for s in r:
            data, src = s.recvfrom(2048)
            if s is s4:
                ihl = (data[0] & 0x0F) * 4
                data = data[ihl:]
                want = 0
            else:
                want = 129
            if len(data) < 8:
                continue
            typ, _code, _ck, rid, seq = struct.unpack("!BBHHH", data[:8])
            if typ == want and rid == ident and seq in pending:
                if ipaddress.ip_address(src[0].split("%")[0]) == targets[seq]:
                    pending.discard(seq)
    for i in sorted(pending):
        if not a.quiet:
            print(f"no echo reply from {targets[i]}", file=sys.stderr)
    return 1 if pending else 0


if __name__ == "__main__":
    sys.exit(main())
