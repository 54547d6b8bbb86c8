"""Google-layout ViT checkpoints for tests/backbones/vit/test_vit_npz.cpp: a random timm ViT written as
the original JAX release lays it out (embedding/kernel HWIO, Transformer/encoderblock_<i>/...,
per-head q/k/v kernels [C, H, D], out/kernel [H, D, C], pre_logits as the 21k release has), once with
numpy.savez and once with savez_compressed under opt/target/; then loaded by timm's own loader
(timm.models.vision_transformer._load_weights) into a fresh model whose logits on a fixed input are
the reference. Usage: reference_npz.py OUT_DIR"""
import sys

import numpy as np
import torch
from safetensors.torch import save_file
from timm.models.vision_transformer import VisionTransformer, _load_weights

out = sys.argv[1]
torch.manual_seed(0)
C, H, depth = 48, 3, 2
D = C // H
src = VisionTransformer(img_size=32, patch_size=4, embed_dim=C, depth=depth, num_heads=H, num_classes=5)
sd = {k: v.detach().numpy().astype(np.float32) for k, v in src.state_dict().items()}
w = {
    "embedding/kernel": sd["patch_embed.proj.weight"].transpose(2, 3, 1, 0),
    "embedding/bias": sd["patch_embed.proj.bias"],
    "cls": sd["cls_token"],
    "Transformer/posembed_input/pos_embedding": sd["pos_embed"],
    "Transformer/encoder_norm/scale": sd["norm.weight"],
    "Transformer/encoder_norm/bias": sd["norm.bias"],
    "head/kernel": sd["head.weight"].T,
    "head/bias": sd["head.bias"],
    "pre_logits/kernel": np.eye(C, dtype=np.float32),
    "pre_logits/bias": np.zeros(C, dtype=np.float32),
}
for i in range(depth):
    b, t = f"Transformer/encoderblock_{i}/", f"blocks.{i}."
    a = b + "MultiHeadDotProductAttention_1/"
    w[b + "LayerNorm_0/scale"], w[b + "LayerNorm_0/bias"] = sd[t + "norm1.weight"], sd[t + "norm1.bias"]
    qkv, qkv_b = sd[t + "attn.qkv.weight"], sd[t + "attn.qkv.bias"]
    for j, name in enumerate(["query", "key", "value"]):
        w[a + name + "/kernel"] = qkv[j * C:(j + 1) * C].T.reshape(C, H, D)
        w[a + name + "/bias"] = qkv_b[j * C:(j + 1) * C].reshape(H, D)
    w[a + "out/kernel"] = sd[t + "attn.proj.weight"].T.reshape(H, D, C)
    w[a + "out/bias"] = sd[t + "attn.proj.bias"]
    w[b + "LayerNorm_2/scale"], w[b + "LayerNorm_2/bias"] = sd[t + "norm2.weight"], sd[t + "norm2.bias"]
    w[b + "MlpBlock_3/Dense_0/kernel"], w[b + "MlpBlock_3/Dense_0/bias"] = sd[t + "mlp.fc1.weight"].T, sd[t + "mlp.fc1.bias"]
    w[b + "MlpBlock_3/Dense_1/kernel"], w[b + "MlpBlock_3/Dense_1/bias"] = sd[t + "mlp.fc2.weight"].T, sd[t + "mlp.fc2.bias"]
np.savez(f"{out}/vit.npz", **w)
np.savez_compressed(f"{out}/vit_target.npz", **{"opt/target/" + k: v for k, v in w.items()})
dst = VisionTransformer(img_size=32, patch_size=4, embed_dim=C, depth=depth, num_heads=H, num_classes=5)
_load_weights(dst, f"{out}/vit.npz")
dst.eval()
x = torch.randn(3, 3, 32, 32)
with torch.no_grad():
    save_file({"x": x, "logits": dst(x)}, f"{out}/reference.safetensors")
