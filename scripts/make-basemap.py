#!/usr/bin/env python3
"""Convert world-atlas TopoJSON (Natural Earth) into tracemap's compact basemap file.

Usage: make-basemap.py WORLD_ATLAS_PACKAGE_DIR OUTPUT_FILE

The output keeps TopoJSON's shared, quantized, delta-encoded arcs (so a border is stored once
for both countries) and writes them as zigzag varints. Two levels: 110m for small zooms and 50m
for the rest. Layout (little-endian), read by map/basemap.cpp:

  "TMBM" u8 version=1 u8 levelCount
  per level: u8 scaleDenominator (110 or 50) f64 scaleX scaleY translateX translateY
             varint arcCount, per arc: varint pointCount, pointCount x (zigzag dx, zigzag dy)
             varint landRingCount, per ring: varint refCount, refCount x zigzag arcRef (~i = reversed)
             varint borderArcCount, borderArcCount x varint arcIndex
"""
import json
import struct
import sys


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def zigzag(value):
    return varint((value << 1) if value >= 0 else ((-value << 1) - 1))


def rings_of(geometry):
    if geometry['type'] == 'Polygon':
        return list(geometry['arcs'])
    if geometry['type'] == 'MultiPolygon':
        return [ring for polygon in geometry['arcs'] for ring in polygon]
    return []


def encode_level(path, denominator):
    topo = json.load(open(path))
    transform = topo['transform']
    out = bytearray()
    out += struct.pack('<B4d', denominator, transform['scale'][0], transform['scale'][1],
                       transform['translate'][0], transform['translate'][1])
    arcs = topo['arcs']
    out += varint(len(arcs))
    for arc in arcs:
        out += varint(len(arc))
        for dx, dy in arc:
            out += zigzag(dx) + zigzag(dy)

    land_rings = [ring for geometry in topo['objects']['land']['geometries'] for ring in rings_of(geometry)]
    out += varint(len(land_rings))
    for ring in land_rings:
        out += varint(len(ring))
        for ref in ring:
            out += zigzag(ref)

    # A border is an arc shared by two different countries (topojson.mesh with a !== b).
    users = {}
    for index, geometry in enumerate(topo['objects']['countries']['geometries']):
        for ring in rings_of(geometry):
            for ref in ring:
                users.setdefault(ref if ref >= 0 else ~ref, set()).add(index)
    borders = sorted(arc for arc, owners in users.items() if len(owners) > 1)
    out += varint(len(borders))
    for arc in borders:
        out += varint(arc)
    return bytes(out), len(land_rings), len(borders), sum(len(a) for a in arcs)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package, output = sys.argv[1], sys.argv[2]
    levels = [(f'{package}/countries-110m.json', 110), (f'{package}/countries-50m.json', 50)]
    data = bytearray(b'TMBM') + struct.pack('<BB', 1, len(levels))
    for path, denominator in levels:
        encoded, rings, borders, points = encode_level(path, denominator)
        data += encoded
        print(f'{denominator}m: {points} points, {rings} land rings, {borders} border arcs', file=sys.stderr)
    with open(output, 'wb') as f:
        f.write(data)
    print(f'wrote {output}: {len(data)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
