"""Pillow's view of images for tests/datasets/test_images.cpp: each file decoded to RGB (uint8 [3, H, W])
and resized to N×N with Image.BICUBIC (what torchvision's Resize does on PIL images), as safetensors.
Usage: reference_images.py OUT.safetensors N FILE..."""
import sys

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

out, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
t = {}
for i, f in enumerate(files):
    im = Image.open(f).convert("RGB")
    t[f"decoded{i}"] = torch.from_numpy(np.asarray(im).transpose(2, 0, 1).copy()).to(torch.int64)
    t[f"resized{i}"] = torch.from_numpy(np.asarray(im.resize((n, n), Image.BICUBIC)).transpose(2, 0, 1).copy()).to(torch.int64)
save_file(t, out)
