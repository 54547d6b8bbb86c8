"""The Python side of the ToMe speed comparison: timm's ViT-B/16 (random weights, float32, inference) with
ToMe written in vectorised PyTorch the way the reference implementations do it (bipartite soft matching
on the keys averaged over heads, scatter_reduce merges, proportional attention), applied by replacing the
blocks' forward. Prints images/s (median) for no merging and the PYRA study's b16-low / b16-high.

  .venv/bin/python tools/bench/tome_reference.py [BATCH] [REPS] [THREADS]
"""
import math
import sys
import time

import torch
import timm

SCHEDULES = {"none": [0] * 12, "b16-low": [16] * 11 + [10], "b16-high": [40, 34, 30, 24, 18, 14, 10, 8, 4, 4, 3, 3]}


def matching(metric, r):
    metric = metric / metric.norm(dim=-1, keepdim=True)
    a, b = metric[:, ::2], metric[:, 1::2]
    scores = a @ b.transpose(-1, -2)
    scores[:, 0, :] = -math.inf                      # the class token never merges
    node_max, node_idx = scores.max(dim=-1)
    edge = node_max.argsort(dim=-1, descending=True)[..., None]
    unm, src = edge[:, r:], edge[:, :r]
    dst = node_idx[..., None].gather(1, src)
    return unm.sort(dim=1)[0], src, dst


def merge(x, unm, src, dst):
    a, b = x[:, ::2], x[:, 1::2]
    n, t1, c = a.shape
    kept = a.gather(1, unm.expand(n, unm.shape[1], c))
    moved = a.gather(1, src.expand(n, src.shape[1], c))
    return torch.cat([kept, b.scatter_reduce(1, dst.expand(n, dst.shape[1], c), moved, reduce="sum")], dim=1)


def patch(model, schedule):
    state = {}

    def attn_forward(attn, x, size):
        b, n, c = x.shape
        qkv = attn.qkv(x).reshape(b, n, 3, attn.num_heads, c // attn.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        logits = (q * attn.scale) @ k.transpose(-2, -1)
        if size is not None:
            logits = logits + size.log()[:, None, None, :, 0]
        out = (logits.softmax(-1) @ v).transpose(1, 2).reshape(b, n, c)
        return attn.proj(out), k.mean(1)

    def make_forward(blk, r):
        def forward(x):
            a, keys = attn_forward(blk.attn, blk.norm1(x), state.get("size"))
            x = x + a
            if r > 0:
                size = state.get("size")
                if size is None:
                    size = torch.ones_like(x[..., :1])
                unm, src, dst = matching(keys, r)
                x = merge(x * size, unm, src, dst)
                size = merge(size, unm, src, dst)
                x = x / size
                state["size"] = size
            return x + blk.mlp(blk.norm2(x))
        return forward

    for blk, r in zip(model.blocks, schedule):
        blk.forward = make_forward(blk, r)
    return state


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    images = torch.randn(batch, 3, 224, 224)
    for name, schedule in SCHEDULES.items():
        model = timm.create_model("vit_base_patch16_224", pretrained=False, num_classes=100).eval()
        # No merging: timm's own blocks (fused attention), as the reference ToMe code leaves an unpatched
        # model; with merging: the patched blocks, whose attention is written out as ToMe's is.
        state = patch(model, schedule) if any(schedule) else {}
        with torch.no_grad():
            for _ in range(2):
                state.clear()
                model(images)
            times = []
            for _ in range(reps):
                state.clear()
                t0 = time.perf_counter()
                model(images)
                times.append(batch / (time.perf_counter() - t0))
        times.sort()
        print(f"python   {name:9s} median {times[len(times) // 2]:7.2f} img/s (min {times[0]:.2f}, max {times[-1]:.2f})")


if __name__ == "__main__":
    main()
