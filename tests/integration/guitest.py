"""Helpers shared by the desktop app's end-to-end tests (stdlib only): the GUI binary,
the display wrapper, an overrides file placing the topology's routers in known cities,
Web-Mercator pixel prediction and a minimal PNG reader."""
import atexit
import math
import os
import shutil
import struct
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402

# IPv4 path to dst (tests/netns/topology.sh): r1..r6 answer from 198.18.k.1, dst is 198.18.10.1.
DST = "198.18.10.1"
CITIES = [  # (address, city, latitude, longitude)
    ("198.18.0.1", "Paris", 48.8566, 2.3522),
    ("198.18.1.1", "Frankfurt", 50.1109, 8.6821),
    ("198.18.2.1", "Vienna", 48.2082, 16.3738),
    ("198.18.3.1", "Warsaw", 52.2297, 21.0122),
    ("198.18.4.1", "Stockholm", 59.3293, 18.0686),
    ("198.18.5.1", "Madrid", 40.4168, -3.7038),
    (DST, "Rome", 41.9028, 12.4964),
]


def gui_path():
    """The tracemap binary under test: argv[1] or $TRACEMAP_GUI."""
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRACEMAP_GUI", "")
    if not path:
        print("usage: <test>.py /path/to/tracemap   (or set TRACEMAP_GUI)", file=sys.stderr)
        sys.exit(2)
    return os.path.abspath(path)


_XAUTH_DIR = None


def _xauth_file():
    """One X authority file for this test process, removed when it exits."""
    global _XAUTH_DIR
    if _XAUTH_DIR is None:
        _XAUTH_DIR = tempfile.mkdtemp(prefix="tracemap-xauth-")
        atexit.register(shutil.rmtree, _XAUTH_DIR, True)
    return os.path.join(_XAUTH_DIR, "Xauthority")


def display_wrapper():
    """argv prefix that gives the app a display: Xvfb when installed, else Qt's offscreen
    platform (returned as extra app arguments)."""
    if nstest.have_tool("xvfb-run") and nstest.have_tool("xauth"):
        # Our own auth file: without -f, xvfb-run makes and removes a temporary folder per run,
        # and that removal now and then fails (exit 5, "problem while cleaning up temporary
        # directory"), which hid the app's own exit status from the test.
        return ["xvfb-run", "-a", "-f", _xauth_file(), "-s", "-screen 0 1600x1200x24"], []
    return [], ["-platform", "offscreen"]


def keep_images_and_remove(work):
    """Copies the PNGs in `work` to $TRACEMAP_GUI_KEEP (when set) for a look, then removes `work`."""
    keep = os.environ.get("TRACEMAP_GUI_KEEP")
    if keep:
        os.makedirs(keep, exist_ok=True)
        for name in os.listdir(work):
            if name.endswith(".png"):
                shutil.copy(os.path.join(work, name), keep)
    shutil.rmtree(work, ignore_errors=True)


def write_overrides(path):
    with open(path, "w") as f:
        f.write("# tracemap end-to-end test: each router of the netns topology in a known city\n")
        for addr, city, lat, lon in CITIES:
            f.write(f"{addr}/32,{lat},{lon},{city}\n")


def mercator_pixel(lat, lon, center_lat, center_lon, zoom, width, height):
    """Image pixel of (lat, lon) in a width x height Web-Mercator view centred on
    (center_lat, center_lon) at `zoom` (the world is 256 * 2^zoom pixels wide)."""
    world = 256.0 * 2.0 ** zoom

    def project(la, lo):
        la = max(-85.05112878, min(85.05112878, la))
        s = math.sin(math.radians(la))
        x = (lo + 180.0) / 360.0 * world
        y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * world
        return x, y

    x, y = project(lat, lon)
    cx, cy = project(center_lat, center_lon)
    return x - cx + width / 2.0, y - cy + height / 2.0


class Png:
    """Decodes 8-bit, non-interlaced RGB/RGBA PNGs (what Qt writes)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise ValueError("not a PNG file")
        pos, idat = 8, b""
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b"IHDR":
                self.width, self.height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
                if depth != 8 or ctype not in (2, 6) or interlace:
                    raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
                self.channels = 3 if ctype == 2 else 4
            elif kind == b"IDAT":
                idat += body
            pos += 12 + length
        raw = zlib.decompress(idat)
        stride = self.width * self.channels
        rows, prev = [], bytearray(stride)
        bpp = self.channels
        for r in range(self.height):
            start = r * (stride + 1)
            ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if ftype == 1:
                    line[i] = (line[i] + a) & 255
                elif ftype == 2:
                    line[i] = (line[i] + b) & 255
                elif ftype == 3:
                    line[i] = (line[i] + (a + b) // 2) & 255
                elif ftype == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    line[i] = (line[i] + pred) & 255
            rows.append(bytes(line))
            prev = line
        self.rows = rows

    def pixel(self, x, y):
        row = self.rows[y]
        i = x * self.channels
        return tuple(row[i:i + 3])

    def distinct_colours(self, step=5):
        return {self.pixel(x, y) for y in range(0, self.height, step) for x in range(0, self.width, step)}
