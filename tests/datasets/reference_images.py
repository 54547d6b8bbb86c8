"""Pillow's view of images for tests/datasets/test_images.cpp: each file decoded to RGB (uint8 [3, H, W],
Image.open(f).convert("RGB"), as the NOAH / PYRA loaders read them) and resized to N×N with Image.BICUBIC
(what torchvision's Resize does on PIL images) for each N, as safetensors: decoded<i>, resized<i>_<N>.
Usage: reference_images.py OUT.safetensors N[,N...] FILE..."""
import sys

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file


def chw(im):
    return torch.from_numpy(np.asarray(im).transpose(2, 0, 1).copy()).to(torch.int64)


out, sizes, files = sys.argv[1], [int(n) for n in sys.argv[2].split(",")], sys.argv[3:]
t = {}
for i, f in enumerate(files):
    im = Image.open(f).convert("RGB")
    t[f"decoded{i}"] = chw(im)
    for n in sizes:
        t[f"resized{i}_{n}"] = chw(im.resize((n, n), Image.BICUBIC))
save_file(t, out)
