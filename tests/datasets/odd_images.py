"""Images the fixtures lack, for tests/datasets/test_images.cpp: OUT/cmyk.jpg (Pillow's CMYK JPEG: Adobe
inverted CMYK), OUT/ycck.jpg (the same pixels through TurboJPEG, which writes CMYK as YCCK), and
OUT/photo.jpg, OUT/photo.png (300×200, smooth gradients with noise and sharp edges, to resize down).
Usage: odd_images.py OUT"""
import ctypes
import random
import sys

from PIL import Image

out = sys.argv[1]
rng = random.Random(7)
w, h = 37, 29
cmyk = bytes(rng.randrange(256) for _ in range(w * h * 4))
Image.frombytes("CMYK", (w, h), cmyk).save(f"{out}/cmyk.jpg", quality=90)
tj = ctypes.CDLL("libturbojpeg.so.0")
tj.tjInitCompress.restype = ctypes.c_void_p
handle, buf, size = ctypes.c_void_p(tj.tjInitCompress()), ctypes.POINTER(ctypes.c_ubyte)(), ctypes.c_ulong(0)
src = (ctypes.c_ubyte * len(cmyk)).from_buffer_copy(cmyk)
TJPF_CMYK, TJSAMP_420 = 11, 2
assert tj.tjCompress2(handle, src, w, 0, h, TJPF_CMYK, ctypes.byref(buf), ctypes.byref(size), TJSAMP_420, 90, 0) == 0
with open(f"{out}/ycck.jpg", "wb") as f:
    f.write(ctypes.string_at(buf, size.value))
assert Image.open(f"{out}/ycck.jpg").info.get("adobe_transform") == 2  # YCCK
photo = Image.new("RGB", (300, 200))
px = photo.load()
for y in range(200):
    for x in range(300):
        edge = 255 if (x // 25 + y // 25) % 2 else 0
        px[x, y] = (max(0, min(255, x * 255 // 299 + rng.randint(-30, 30))), (y * 255 // 199) ^ (edge & 0x3F), edge)
photo.save(f"{out}/photo.jpg", quality=85)
photo.save(f"{out}/photo.png")
