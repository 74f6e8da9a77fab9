# SPDX-License-Identifier: Apache-2.0
"""png_pixels.py PNG R,G,B[,TOL] ... - counts pixels in an 8-bit RGB(A) PNG, Python stdlib only.

Prints "W H NONWHITE C1 C2 ..." where NONWHITE counts pixels that are not pure white and
Ci counts pixels within TOL (default 8) per channel of colour i. Exits 1 on a PNG it cannot
read (not 8-bit truecolour, interlaced)."""
import struct
import sys
import zlib


def rows(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG: " + path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit("unsupported PNG (depth %d, colour type %d, interlace %d)" % (depth, colour, interlace))
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(line)
        prev = line
    return w, h, bpp, out


def main():
    w, h, bpp, image = rows(sys.argv[1])
    colours = []
    for spec in sys.argv[2:]:
        parts = [int(v) for v in spec.split(",")]
        colours.append((parts[:3], parts[3] if len(parts) > 3 else 8))
    nonwhite, counts = 0, [0] * len(colours)
    for line in image:
        for x in range(0, w * bpp, bpp):
            px = line[x:x + 3]
            if px != b"\xff\xff\xff":
                nonwhite += 1
            for i, (rgb, tol) in enumerate(colours):
                if all(abs(px[k] - rgb[k]) <= tol for k in range(3)):
                    counts[i] += 1
    print(w, h, nonwhite, *counts)


main()
