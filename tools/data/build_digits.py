"""The shipped real image task: scikit-learn's handwritten digits (UCI optdigits: 1,797 8×8 images,
16 grey levels; scikit-learn installs them as sklearn/datasets/data/digits.csv.gz) written as an
image_folder (PNG, grey × 15) with a seeded split: 1,000 train, 297 val, 500 test. Standard library only.

  python3 tools/data/build_digits.py --csv …/digits.csv.gz --out data/digits
"""
import argparse
import csv
import gzip
import os
import random
import struct
import zlib


def png_grey(path, rows):
    h, w = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    stamp = os.path.join(a.out, ".complete")
    if os.path.exists(stamp):
        return
    with gzip.open(a.csv, "rt") as f:
        rows = [list(map(float, r)) for r in csv.reader(f) if r]
    assert len(rows) == 1797 and all(len(r) == 65 for r in rows), "unexpected digits.csv.gz layout"
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    splits = {"train": order[:1000], "val": order[1000:1297], "test": order[1297:]}
    for split, idx in splits.items():
        for i in idx:
            r = rows[i]
            label = int(r[64])
            d = os.path.join(a.out, split, str(label))
            os.makedirs(d, exist_ok=True)
            png_grey(os.path.join(d, f"{i:04d}.png"), [[int(v) * 15 for v in r[k * 8:(k + 1) * 8]] for k in range(8)])
    open(stamp, "w").close()
    print(f"{a.out}: {len(rows)} digits (1000 train, 297 val, 500 test)")


main()
