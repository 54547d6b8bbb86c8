"""FLOPs per sample of timm ViTs as torch.utils.flop_counter counts them (mm, addmm, bmm, convolution;
a multiply-add = 2), for tests/measure/test_flops.cpp to compare with adaptlab's counter on the same
architecture. timm's fused attention is switched off: flop_counter has no formula for the CPU flash
kernel, and explicit q·kᵀ / probs·v matmuls are what it counts.
Usage: reference_flops.py OUT.json"""
import json
import sys

import torch
from timm.models.vision_transformer import VisionTransformer
from torch.utils.flop_counter import FlopCounterMode


def flops_per_sample(model, img, batch=2):
    for blk in model.blocks:
        blk.attn.fused_attn = False
    model.eval()
    x = torch.randn(batch, 3, img, img)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops() / batch


def main():
    torch.manual_seed(0)
    small = VisionTransformer(img_size=32, patch_size=4, embed_dim=48, depth=2, num_heads=3, num_classes=5)
    base = VisionTransformer(img_size=224, patch_size=16, embed_dim=768, depth=12, num_heads=12, num_classes=1000)
    out = {"small": flops_per_sample(small, 32), "base": flops_per_sample(base, 224, batch=1)}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)


main()
