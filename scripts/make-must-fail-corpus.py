#!/usr/bin/env python3
"""Writes the hand-made inputs of tests/corpus/must-fail/: one small file per class of
crash or runaway allocation found in the readers (issue 14). Each must be refused by
`scenezip info FILE` with exit code 2, one line on stderr and bounded memory; the test
tests/formats/must_fail_test.cpp replays whatever the folder holds.

Run from the repository root:  python3 scripts/make-must-fail-corpus.py
The SOG input needs tiny lossless WebP images, made by a throwaway C program against
libwebp (cc and libwebp-dev, both in scripts/setup.sh).
"""
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

OUT = os.path.join("tests", "corpus", "must-fail")


def write(name, data):
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def ply_header(encoding, elements):
    lines = ["ply", "format %s 1.0" % encoding]
    for name, count, props in elements:
        lines.append("element %s %d" % (name, count))
        lines.extend("property " + p for p in props)
    lines.append("end_header")
    return ("\n".join(lines) + "\n").encode()


NAN = struct.pack("<f", float("nan"))
GAUSSIAN_PROPS = ["float x", "float y", "float z", "float f_dc_0", "float f_dc_1", "float f_dc_2", "float opacity",
                  "float scale_0", "float scale_1", "float scale_2", "float rot_0", "float rot_1", "float rot_2",
                  "float rot_3"]


def plys():
    # A list whose length is a float NaN: passed `n < 0 || n * size > left` and moved the
    # read position by ~2^63 (SIGSEGV in memcpy).
    body = ply_header("binary_little_endian", [("vertex", 2, GAUSSIAN_PROPS + ["list float uchar extra"])])
    row = struct.pack("<14f", *([0.0] * 14))
    write("inria_ply-nan-list-length.ply", body + row + NAN + row + NAN)

    packed = ["uint packed_position", "uint packed_rotation", "uint packed_scale", "uint packed_color"]
    chunk = ["float min_x", "float min_y", "float min_z", "float max_x", "float max_y", "float max_z",
             "list float uchar junk"]
    body = ply_header("binary_little_endian", [("chunk", 1, chunk), ("vertex", 1, packed)])
    write("compressed_ply-nan-list-length.compressed.ply", body + struct.pack("<6f", *([0.0] * 6)) + NAN + b"\0" * 16)

    # The same lie as a face's corner count, and a negative one.
    body = ply_header("binary_little_endian",
                      [("vertex", 3, ["float x", "float y", "float z"]),
                       ("face", 1, ["list float int vertex_indices"])])
    verts = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    write("ply_mesh-nan-corner-count.ply", body + verts + NAN + struct.pack("<3i", 0, 1, 2))
    write("ply_mesh-negative-corner-count.ply", body + verts + struct.pack("<f", -3.0) + struct.pack("<3i", 0, 1, 2))

    # An ASCII integer too large for any integer type: converted from double (undefined).
    write("ply_points-huge-ascii-integer.ply",
          ply_header("ascii", [("vertex", 1, ["float x", "float y", "float z", "int label"])]) + b"0 0 0 1e300\n")

    # Many rows of a list element, each claiming far more bytes than the file holds once
    # its scalars are counted: sized an allocation of count * row size.
    props = ["double p%d" % i for i in range(60)] + ["list uchar int vertex_indices"]
    body = ply_header("binary_little_endian",
                      [("vertex", 3, ["float x", "float y", "float z"]), ("face", 200, props)])
    write("ply_mesh-rows-larger-than-file.ply", body + verts + b"\0" * 200)

    # A truncated point PLY: rply printed its own "RPly:" line before the error.
    write("ply_points-truncated.ply",
          ply_header("binary_little_endian", [("vertex", 1000, ["float x", "float y", "float z"])]) + b"\1\2")


def objs():
    tri = "v 0 0 0\nv 1 0 0\nv 0 1 0\n"
    # A face after a comment that ends in a lone CR: one line to the old check, two to
    # the parser that read the file.
    write("obj-face-after-cr-comment.obj", tri + "# comment\rf 1 2 9\n")
    # Form feed after the keyword: a vertex to the old check, not one to the parser.
    write("obj-formfeed-vertices.obj", "v\f0 0 0\nv\f1 0 0\nv\f0 1 0\nf 1 2 4\n")
    # The most negative 64-bit index: negated in the old check (signed overflow).
    write("obj-min-int64-index.obj", tri + "f -9223372036854775808 1 2\n")
    write("obj-relative-index-before-first.obj", tri + "f -4 -2 -1\n")
    write("obj-texcoord-out-of-range.obj", tri + "vt 0 0\nf 1/1 2/2 3/1\n")
    write("obj-no-faces.obj", tri)


def pcds():
    header = "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\n"
    three = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    # A 1,023-character comment followed directly by POINTS: a comment to one reader, a
    # point count to the other (which then filled 23 GB).
    comment = "#" + "x" * 1022
    write("pcd-points-inside-long-comment.pcd",
          (header + comment + "POINTS 400000000\nDATA binary\n").encode() + three)
    write("pcd-huge-points-binary.pcd",
          (header + "WIDTH 3\nHEIGHT 1\nPOINTS 400000000\nDATA binary\n").encode() + three)
    write("pcd-width-height-overflow.pcd",
          (header + "WIDTH 4294967296\nHEIGHT 4294967296\nDATA binary\n").encode() + three)
    write("pcd-ascii-short.pcd", header + "WIDTH 5\nHEIGHT 1\nPOINTS 5\nDATA ascii\n1 2 3\n4 5 6\n")
    # binary_compressed: an unpacked size that matches the header but no honest LZF
    # stream of this length could produce, and a back reference before the start.
    compressed_header = (header + "WIDTH 100000000\nHEIGHT 1\nPOINTS 100000000\nDATA binary_compressed\n").encode()
    write("pcd-compressed-size-lie.pcd", compressed_header + struct.pack("<II", 8, 1200000000) + b"\0" * 8)
    small_header = (header + "WIDTH 3\nHEIGHT 1\nPOINTS 3\nDATA binary_compressed\n").encode()
    lzf = bytes([0xE0, 0x20, 0x05]) + b"\0" * 3  # a back reference 6 bytes into empty output
    write("pcd-compressed-bad-back-reference.pcd", small_header + struct.pack("<II", len(lzf), 36) + lzf)
    write("pcd-no-data-line.pcd", header + "WIDTH 3\nHEIGHT 1\n")


def text_points():
    # A PTS error quoted the raw line, terminal escapes and line breaks included.
    write("pts-control-characters.pts", "3\n1 2 3\n4 5 \x1b[31mred\r\x0b\n7 8 9\n")
    write("pts-huge-count.pts", "99999999999\n1 2 3\n")
    write("xyz-no-points.xyz", "this is not\na point cloud\n")


def offs():
    write("off-huge-counts.off", "OFF\n4000000000 4000000000 0\n0 0 0\n")
    write("off-corner-out-of-range.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n")
    write("off-corner-count-past-line.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2000000000 0 1 2\n")


WEBP_HELPER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <webp/encode.h>
int main(int argc, char** argv) {
  int w = atoi(argv[1]), h = atoi(argv[2]);
  unsigned char* rgba = calloc((size_t)w * h * 4, 1);
  for (int i = 0; i < w * h * 4; ++i) rgba[i] = (unsigned char)(i * 37);
  unsigned char* out = NULL;
  size_t n = WebPEncodeLosslessRGBA(rgba, w, h, w * 4, &out);
  fwrite(out, 1, n, stdout);
  WebPFree(out);
  return n ? 0 : 1;
}
"""


def webp(width, height):
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "webp.c"), os.path.join(tmp, "webp")
        with open(src, "w") as f:
            f.write(WEBP_HELPER)
        subprocess.run(["cc", src, "-o", exe, "-lwebp"], check=True)
        return subprocess.run([exe, str(width), str(height)], check=True, capture_output=True).stdout


def sogs():
    # meta.json counts 2^25 Gaussians; the images hold 8 x 7 = 56 pixels. The reader
    # allocated ~1.9 GB for the count before looking at the images.
    image = webp(8, 7)
    ramp = [i / 255.0 for i in range(256)]
    meta = {"version": 2, "count": 1 << 25,
            "means": {"mins": [0, 0, 0], "maxs": [1, 1, 1], "files": ["means_l.webp", "means_u.webp"]},
            "quats": {"files": ["quats.webp"]},
            "scales": {"codebook": ramp, "files": ["scales.webp"]},
            "sh0": {"codebook": ramp, "files": ["sh0.webp"]}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.json", json.dumps(meta))
        for name in ["means_l.webp", "means_u.webp", "quats.webp", "scales.webp", "sh0.webp"]:
            z.writestr(name, image)
    write("sog-count-beyond-pixels.sog", buffer.getvalue())


def scz_streams(data):
    """The header fields and (id, codec, raw size, payload) of each stream of an .scz file."""
    count_streams, count, settings_len = struct.unpack_from("<IQI", data, 12)
    table = 36 + settings_len
    streams = []
    for i in range(count_streams):
        sid, codec, _, _, offset, stored, raw = struct.unpack_from("<HBBIQQQ", data, table + 32 * i)
        streams.append([sid, codec, raw, data[offset:offset + stored]])
    return data[36:table], count, streams


def scz_file(settings, count, streams, kind=1, version=2):
    """An .scz file with every checksum right, so only the decoder can object."""
    table_at = 36 + len(settings)
    at = table_at + 32 * len(streams)
    table = b""
    for sid, codec, raw, payload in streams:
        table += struct.pack("<HBBIQQQ", sid, codec, 0, zlib.crc32(payload), at, len(payload),
                             raw if codec else len(payload))
        at += len(payload)
    header = b"SCZ\0" + struct.pack("<HHB3xIQI", version, 0, kind, len(streams), count, len(settings))
    header += struct.pack("<I", zlib.crc32(settings + table))
    header += struct.pack("<I", zlib.crc32(header))
    return header + settings + table + b"".join(p for _, _, _, p in streams)


def sczs():
    # Range-coded streams (format version 2), damaged behind intact checksums. The source
    # is the version 2 golden file; ids: 2 positions, 17 scale indices, 25 sh indices.
    with open(os.path.join("tests", "golden", "gaussians-sh3-ranged-v2.scz"), "rb") as f:
        good = f.read()
    settings, count, streams = scz_streams(good)

    def edited(sid, edit, new_count=None):
        out = [list(s) for s in streams]
        for s in out:
            if s[0] == sid:
                s[3] = edit(s[3])
                s[2] = len(s[3])
        return scz_file(settings, count if new_count is None else new_count, out)

    write("scz-ranged-truncated-positions.scz", edited(2, lambda p: p[:len(p) // 2]))
    write("scz-ranged-truncated-sh-indices.scz", edited(25, lambda p: p[:-1]))
    write("scz-ranged-corrupt-scale-indices.scz", edited(17, lambda p: p[:1] + bytes(b ^ 0xA5 for b in p[1:])))
    write("scz-ranged-first-byte-not-zero.scz", edited(2, lambda p: b"\x01" + p[1:]))
    # A count of 2^28 Gaussians behind a few hundred coded bytes: refused before any
    # memory is sized by it.
    write("scz-ranged-forged-count.scz", edited(2, lambda p: p, new_count=1 << 28))

    # SH presence bits (format version 3): the sh index stream (id 25) cut short, and the
    # same file stamped version 2, whose readers know no index coding 2.
    with open(os.path.join("tests", "golden", "gaussians-sh3-presence-v3.scz"), "rb") as f:
        v3 = f.read()
    settings3, count3, streams3 = scz_streams(v3)
    cut = [list(s) for s in streams3]
    for s in cut:
        if s[0] == 25:
            s[3] = s[3][:-1]
            s[2] = len(s[3])
    write("scz-presence-truncated-sh-indices.scz", scz_file(settings3, count3, cut, version=3))
    write("scz-presence-in-version-2.scz", scz_file(settings3, count3, [list(s) for s in streams3], version=2))


def main():
    os.makedirs(OUT, exist_ok=True)
    plys()
    objs()
    pcds()
    text_points()
    offs()
    sogs()
    sczs()
    print("wrote", len(os.listdir(OUT)), "files to", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
