#!/usr/bin/env bash
# Hostile or careless image inputs, each a one-line `adaptlab run` of a tiny ViT on an image_folder:
# a 261 KB PNG that says 16384x16384 (refused from its header, fast, under a 3 GB address-space cap; with
# max_pixels raised it trains in bounded memory, and a 32768x32768 header under the cap is out of memory
# with the file named, never SIGABRT); CMYK and YCCK JPEGs (read, as Pillow reads them); list lines with
# blanks around them (read, as str.split() reads them); an empty class folder and a dangling link
# (refused by name; the link skipped and counted with skip_bad_images); /dev/zero, a FIFO and a folder in
# a list (refused by name and list line before anything is read, cached or streamed).
# Usage: image_inputs.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
PY="$FIX/../../.venv/bin/python"
[ -x "$PY" ] || PY=python3
limited() { (ulimit -v 3000000; timeout 60 "$@"); }  # 3 GB of address space, 60 s
"$PY" "$FAULTS/../../tools/data/make_image_fixtures.py" "$TMP/img" >/dev/null || fail "image fixtures (needs Pillow)"
folder() { rm -rf "$TMP/$1" && cp -r "$TMP/img/folder" "$TMP/$1"; }  # a copy of the fixture's image_folder
# spec NAME 'dataset options' [FOLDER]: $TMP/NAME.yaml, a run on $TMP/FOLDER (default: NAME).
spec() {
  cat >"$TMP/$1.yaml" <<EOF
backbone: {name: vit, img_size: 16, patch_size: 8, embed_dim: 16, depth: 1, num_heads: 2}
dataset: {name: image_folder, dir: '$TMP/${3:-$1}', img_size: 16, $2}
methods: [{name: linear}]
train: {epochs: 1, batch_size: 4}
measure: {enabled: false}
EOF
}
png() {  # png FILE W H: an all-black 8-bit grey PNG, Python's zlib only (16384^2: 261 KB)
  "$PY" - "$@" <<'EOF'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
z, row = zlib.compressobj(9), b"\0" * (w + 1)
idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                       + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
EOF
}

# ---- 1. decompression bombs ---------------------------------------------------------------------------
folder bomb && png "$TMP/bomb/train/class_0/bomb.png" 16384 16384
spec bomb ""
expect 1 "$TMP/bomb/train/class_0/bomb.png: 16384x16384 pixels is over max_pixels \(67108864\): refused before decoding" -- \
  limited "$CLI" run --spec "$TMP/bomb.yaml"
# Raised, it decodes in bounded memory: the uint8 image (768 MiB), no float copy (that was 5.1 GB).
if [ -x /usr/bin/time ]; then
  spec bomb_raised "max_pixels: 300000000" bomb
  expect 0 '"event":"summary"' -- /usr/bin/time -v -o "$TMP/bomb.time" "$CLI" run --spec "$TMP/bomb_raised.yaml"
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$TMP/bomb.time")
  [ "${rss:-9999999}" -lt 2000000 ] || fail "16384x16384 PNG: peak RSS ${rss} KB, expected < 2 GB"
fi
# A JPEG header that says 32768x32768 (3 GB decoded) under the 3 GB cap: out of memory, named.
folder huge && "$PY" - "$TMP/huge/train/class_1/huge.jpg" <<'EOF'
import io, sys
from PIL import Image
b = io.BytesIO(); Image.new("RGB", (8, 8), (9, 99, 199)).save(b, "JPEG"); j = bytearray(b.getvalue())
i = 2
while j[i + 1] != 0xC0: i += 2 + (j[i + 2] << 8 | j[i + 3])
j[i + 5:i + 9] = (32768).to_bytes(2, "big") * 2
open(sys.argv[1], "wb").write(j)
EOF
spec huge "max_pixels: 2000000000"
expect 1 "huge.jpg: out of memory for the decoded 32768x32768 image \(3072 MiB\)" -- limited "$CLI" run --spec "$TMP/huge.yaml"

# ---- 2. CMYK and YCCK JPEGs read as Pillow's convert('RGB') (pixels: tests/datasets/test_images.cpp) ---
folder cmyk && "$PY" "$FAULTS/../datasets/odd_images.py" "$TMP/cmyk/train/class_2" || fail "odd images"
spec cmyk ""
expect 0 '"event":"summary"' -- "$CLI" run --spec "$TMP/cmyk.yaml"

# ---- 3. list blanks, empty class folders, dangling links ----------------------------------------------
folder lists
printf 'train/class_0/0.jpg 0 \n  train/class_1/0.jpg\t 1\r\ntrain/class_2/0.jpg   2\t\ntrain/class_0/1.png 0\n' \
  >"$TMP/lists/train.txt"
printf 'test/class_0/0.jpg 0\ntest/class_1/1.png 1 \n' >"$TMP/lists/test.txt"
spec lists "train_list: train.txt, test_list: test.txt, classes: 3, val_size: 1"
expect 0 '"event":"summary"' -- "$CLI" run --spec "$TMP/lists.yaml"
folder empty && mkdir "$TMP/empty/train/class_3"
spec empty ""
expect 1 "$TMP/empty/train/class_3: class folder 'class_3' holds no .jpg/.jpeg/.png images \(an empty class\)" -- \
  "$CLI" run --spec "$TMP/empty.yaml"
folder dangling && ln -s nowhere.jpg "$TMP/dangling/train/class_0/dangling.jpg"
D="$TMP/dangling/train/class_0/dangling.jpg"
spec dangling ""
expect 1 "$D: a dangling symbolic link \(to 'nowhere.jpg'\)" -- "$CLI" run --spec "$TMP/dangling.yaml"
spec dangling_skip "skip_bad_images: true" dangling
expect 0 "1 image\(s\) could not be read and were skipped \(skip_bad_images\); the first: $D: a dangling symbolic link" -- \
  "$CLI" run --spec "$TMP/dangling_skip.yaml"

# ---- 4. what is not a regular file, in a list (cached; the FIFO streamed, cache: false) ---------------
folder special && mkfifo "$TMP/special/fifo.png" && mkdir "$TMP/special/folder.jpg"
cp "$TMP/lists/test.txt" "$TMP/special/test.txt"
n=0
for f in /dev/zero fifo.png folder.jpg; do
  n=$((n + 1))
  printf 'train/class_0/0.jpg 0\n%s 1\ntrain/class_2/0.jpg 2\ntrain/class_1/1.png 1\n' "$f" >"$TMP/special/train$n.txt"
  extra=""
  [ "$n" = 2 ] && extra=", cache: false"
  spec "special$n" "train_list: train$n.txt, test_list: test.txt, classes: 3, val_size: 1$extra" special
done
for c in "1:/dev/zero:a character device" "2:$TMP/special/fifo.png:a FIFO" "3:$TMP/special/folder.jpg:a directory"; do
  IFS=: read -r n f kind <<<"$c"
  expect 1 "$f: not a regular file \($kind\); an image must be a file \(listed at $TMP/special/train$n.txt:2\)" -- \
    limited "$CLI" run --spec "$TMP/special$n.yaml"
done
finish "image bombs refused from their header (or decoded in bounded memory), CMYK JPEGs and blank-padded list lines read, empty classes, dangling links and non-files refused by name"
