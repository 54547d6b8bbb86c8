"""Hostile and broken .npz archives for the reader's tests (tests/io/test_npz.cpp, tests/faults/model_files.sh),
written with the standard library only (zipfile, zlib, struct). Usage: make_hostile_npz.py OUT_DIR [--bomb]

  ok.npz          two arrays, savez layout (stored), one in Fortran order: the reader must load it
  shape_text.npz  'Transformer/encoder_norm/scale.npy' with shape (1, x, 16)
  shape_neg.npz   shape (-1, 16)
  shape_big.npz   shape (99999999999999999999, 16): a dimension beyond int64
  shape_prod.npz  shape (4294967296, 4294967296, 16): each fits, the byte count does not
  shape_rank.npz  shape of 30 ones
  rank.npz        a ViT's 'embedding/kernel.npy' as a 1-D array (the converter needs 4-D)
  dup.npz         'cls.npy' twice, different contents (numpy reads the last)
  trailing.npz    shape (4,) but 8 floats of data (the directory says 160 bytes: a mismatch with the header)
  longer.npz      shape (4,), 8 floats of deflated data, the directory agreeing with the header (144 bytes)
  shorter.npz     shape (8,), 4 floats of deflated data, the directory agreeing with the header (160 bytes)
  claims4g.npz    a 32 KB array deflated (about 33 KB of file) whose directory entries claim 4,000,000,000
                  bytes uncompressed
  bomb.npz        (--bomb) a real zip bomb: a 3.5 GB array of zeros deflated to about 3.4 MB; the sizes and
                  CRC are consistent, only the size is hostile
"""
import random
import struct
import sys
import warnings
import zipfile
import zlib

out = sys.argv[1]


def npy(descr, shape_text, data, fortran=False):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data


def floats(*v):
    return struct.pack("<%df" % len(v), *v)


def write(name, members, method=zipfile.ZIP_STORED):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        with zipfile.ZipFile(f"{out}/{name}", "w", method) as z:
            for member, data in members:
                z.writestr(member, data)


write("ok.npz", [("a/b.npy", npy("<f4", "(2, 3)", floats(1, 2, 3, 4, 5, 6))),
                 ("f.npy", npy("<f4", "(2, 3)", floats(1, 2, 3, 4, 5, 6), fortran=True)),
                 ("empty.npy", npy("<i8", "(0, 5)", b"")),
                 ("notes.txt", b"not an array: skipped")])
norm = "Transformer/encoder_norm/scale.npy"
write("shape_text.npz", [(norm, npy("<f4", "(1, x, 16)", floats(*range(16))))])
write("shape_neg.npz", [(norm, npy("<f4", "(-1, 16)", floats(*range(16))))])
write("shape_big.npz", [(norm, npy("<f4", "(99999999999999999999, 16)", floats(*range(16))))])
write("shape_prod.npz", [(norm, npy("<f4", "(4294967296, 4294967296, 16)", floats(*range(16))))])
write("shape_rank.npz", [(norm, npy("<f4", "(" + ", ".join(["1"] * 30) + ")", floats(1)))])
write("rank.npz", [("embedding/kernel.npy", npy("<f4", "(16,)", floats(*range(16))))])  # a ViT's is 4-D
write("dup.npz", [("cls.npy", npy("<f4", "(2,)", floats(1, 2))), ("cls.npy", npy("<f4", "(2,)", floats(3, 4)))])
write("trailing.npz", [("cls.npy", npy("<f4", "(4,)", floats(*range(8))))])

# claims4g: a real deflated member, then both size fields of its local header and central directory entry
# rewritten to 4,000,000,000 (a 32-bit field: no zip64 needed).
rng = random.Random(0)
write("claims4g.npz", [("embedding/kernel.npy", npy("<f4", "(1, 8192)", floats(*[rng.random() for _ in range(8192)])))],
      zipfile.ZIP_DEFLATED)
raw = bytearray(open(f"{out}/claims4g.npz", "rb").read())
claim = struct.pack("<I", 4_000_000_000)
lh = raw.find(b"PK\x03\x04")
raw[lh + 22:lh + 26] = claim  # local header: uncompressed size
cd = raw.find(b"PK\x01\x02")
raw[cd + 24:cd + 28] = claim  # central directory: uncompressed size
open(f"{out}/claims4g.npz", "wb").write(bytes(raw))


def patch_sizes(name, size):
    """Both uncompressed-size fields (local header, central directory) of the archive's one member set to
    `size`: a directory that agrees with the .npy header while the data does not."""
    raw = bytearray(open(f"{out}/{name}", "rb").read())
    lh, cd = raw.find(b"PK\x03\x04"), raw.find(b"PK\x01\x02")
    raw[lh + 22:lh + 26] = raw[cd + 24:cd + 28] = struct.pack("<I", size)
    open(f"{out}/{name}", "wb").write(bytes(raw))


# longer.npz: the header says 4 floats, the deflated data holds 8, the directory says 4 (144 bytes);
# shorter.npz: the header says 8 floats, the data holds 4, the directory says 8 (160 bytes).
write("longer.npz", [("cls.npy", npy("<f4", "(4,)", floats(*range(8))))], zipfile.ZIP_DEFLATED)
patch_sizes("longer.npz", 128 + 16)
write("shorter.npz", [("cls.npy", npy("<f4", "(8,)", floats(*range(4))))], zipfile.ZIP_DEFLATED)
patch_sizes("shorter.npz", 128 + 32)

if "--bomb" in sys.argv:
    # 875,000,000 float32 zeros (3.5 GB) after a .npy header. A raw deflate stream of zeros is built from one
    # compressed 16 MiB block repeated: after a full flush the compressor starts afresh, so every block of
    # zeros compresses to the same bytes (seconds instead of compressing 3.5 GB).
    n = 875_000_000
    head = npy("<f4", "(%d,)" % n, b"")
    chunk = 1 << 24
    total = n * 4
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    blocks, rest = divmod(total, chunk)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = c.compress(bytes(rest)) + c.flush(zlib.Z_FINISH)
    stream = first + block * blocks + tail
    crc = zlib.crc32(head)
    zeros = bytes(chunk)
    for _ in range(blocks):
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(bytes(rest), crc)
    size = len(head) + total
    name = b"embedding/kernel.npy"
    # version 2.0, no flags, deflate, time/date 0; sizes fit 32 bits (3.5 GB < 4 GiB)
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(stream), size)
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    # central entry: name len, extra len, comment len, disk, internal attrs, external attrs, local offset
    central = (b"PK\x01\x02" + struct.pack("<H", 20) + fields +
               struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(stream), 0)
    with open(f"{out}/bomb.npz", "wb") as f:
        f.write(local + stream + central + end)
