"""The Python side of tests/io/test_safetensors_python.cpp: checks that the `safetensors` package reads
what adaptlab writes, and writes a file for adaptlab to read.

    safetensors_interop.py check PATH   # load PATH with safetensors.torch and compare with expected()
    safetensors_interop.py write PATH   # save expected() with safetensors.torch.save_file

Both sides build the same tensors; keep expected() in step with the C++ test's expected().
"""
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

METADATA = {"format": "pt"}


def expected():
    return {
        "f32": (torch.arange(6, dtype=torch.float32) * 0.5 - 1).reshape(2, 3),
        "f16": torch.tensor([0.5, -1.25, 1024.0, 0.0009765625], dtype=torch.float16),
        "bf16": torch.tensor([[1.0, -2.5], [3072.0, 0.15625]], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2**40), 0, 2**62 + 1], dtype=torch.int64),
        "i32": torch.tensor([-7, 2**31 - 1], dtype=torch.int32),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.25, dtype=torch.float64),  # 0-d
        "empty": torch.zeros(0, 4, dtype=torch.float32),
        "blocks.0.attn.qkv.weight": torch.arange(12, dtype=torch.float32).reshape(4, 3) / 8,
    }


def check(path):
    got = load_file(path)
    want = expected()
    problems = []
    if sorted(got) != sorted(want):
        problems.append(f"names: got {sorted(got)}, expected {sorted(want)}")
    for name in sorted(set(got) & set(want)):
        g, w = got[name], want[name]
        if g.dtype != w.dtype or g.shape != w.shape:
            problems.append(f"{name}: got {g.dtype} {list(g.shape)}, expected {w.dtype} {list(w.shape)}")
        elif not torch.equal(g, w):
            problems.append(f"{name}: values differ: got {g.tolist()}, expected {w.tolist()}")
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    if meta != METADATA:
        problems.append(f"metadata: got {meta}, expected {METADATA}")
    if problems:
        sys.exit(f"{path}:\n  " + "\n  ".join(problems))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "write"):
        sys.exit("usage: safetensors_interop.py check|write PATH")
    if sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        save_file(expected(), sys.argv[2], metadata=METADATA)


if __name__ == "__main__":
    main()
