"""Writes small image data sets in their real on-disk formats, for the test suite and for trying the
image studies without the data (needs Pillow):

  python tools/data/make_image_fixtures.py OUT_DIR [--size 16] [--seed 0]

OUT_DIR/folder/{train,val,test}/<class>/*.jpg|png   image_folder layout (3 classes, JPEG and PNG mixed)
OUT_DIR/vtab1k/<task>/images/<list>/NNNNNN.jpg + <list>.txt for the lists train800, val200,
                                                    train800val200, test: all 19 VTAB-1k tasks under the
                                                    folder names NOAH's get_vtab1k.py writes (cifar,
                                                    oxford_iiit_pet for cifar100, oxford_pet)
OUT_DIR/cifar10/data_batch_{1..5}.bin, test_batch.bin   CIFAR-10 binary records
OUT_DIR/cifar100/train.bin, test.bin                     CIFAR-100 binary records (coarse, fine labels)
Each class has its own colour and stripe direction, so a tiny model can tell them apart.
"""
import argparse
import os
import random

from PIL import Image

TASKS = [("cifar", 100), ("caltech101", 102), ("dtd", 47), ("oxford_flowers102", 102), ("oxford_iiit_pet", 37),
         ("svhn", 10), ("sun397", 397), ("patch_camelyon", 2), ("eurosat", 10), ("resisc45", 45),
         ("diabetic_retinopathy", 5), ("clevr_count", 8), ("clevr_dist", 6), ("dmlab", 6), ("kitti", 4),
         ("dsprites_loc", 16), ("dsprites_ori", 16), ("smallnorb_azi", 18), ("smallnorb_ele", 9)]


def picture(rng, label, size):
    base = [(label * 67) % 256, (label * 131 + 80) % 256, (label * 29 + 160) % 256]
    img = Image.new("RGB", (size, size))
    px = img.load()
    for y in range(size):
        for x in range(size):
            stripe = ((x if label % 2 else y) // 2) % 2
            px[x, y] = tuple(max(0, min(255, c + (40 if stripe else -40) + rng.randint(-20, 20))) for c in base)
    return img


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    o, s = a.out, a.size
    for split, n in (("train", 12), ("val", 6), ("test", 9)):
        for c in range(3):
            d = f"{o}/folder/{split}/class_{c}"
            os.makedirs(d, exist_ok=True)
            for i in range(n // 3):
                picture(rng, c, s).save(f"{d}/{i}.{'png' if i % 2 else 'jpg'}", quality=95)
    # VTAB-1k as NOAH's data/vtab-source/get_vtab1k.py writes it: for each of train800, val200, test and
    # train800val200, images/<list>/NNNNNN.jpg and <list>.txt of "images/<list>/NNNNNN.jpg label\n" lines
    # (every line ending in a newline, no blank line); train800val200 is train800's examples then val200's
    # (task_adaptation's "train[:800]+train[n:n+200]"), saved again as their own files.
    for task, classes in TASKS:
        d = f"{o}/vtab1k/{task}"
        k = min(classes, 4)
        pictures = {}
        for name, n in (("train800", 8), ("val200", 4), ("test", 6)):
            pictures[name] = [(picture(rng, i % k, s), i % k) for i in range(n)]
        pictures["train800val200"] = pictures["train800"] + pictures["val200"]
        for name in ("train800", "val200", "test", "train800val200"):
            os.makedirs(f"{d}/images/{name}", exist_ok=True)
            with open(f"{d}/{name}.txt", "w") as f:
                for i, (img, label) in enumerate(pictures[name]):
                    path = f"images/{name}/{i:06d}.jpg"
                    img.save(f"{d}/{path}", quality=95)
                    f.write(f"{path} {label}\n")

    def record(label_bytes, img):
        r, g, b = img.split()
        return bytes(label_bytes) + r.tobytes() + g.tobytes() + b.tobytes()

    os.makedirs(f"{o}/cifar10", exist_ok=True)
    for name, n in [(f"data_batch_{i}.bin", 4) for i in range(1, 6)] + [("test_batch.bin", 6)]:
        with open(f"{o}/cifar10/{name}", "wb") as f:
            for i in range(n):
                label = rng.randint(0, 9)
                f.write(record([label], picture(rng, label, 32)))
    os.makedirs(f"{o}/cifar100", exist_ok=True)
    for name, n in (("train.bin", 20), ("test.bin", 6)):
        with open(f"{o}/cifar100/{name}", "wb") as f:
            for i in range(n):
                fine = rng.randint(0, 99)
                f.write(record([fine // 5, fine], picture(rng, fine, 32)))


main()
