"""References for the PEFT parity tests, in float64 on timm's VisionTransformer:

  lora OUT     HF peft's LoRA (r=4, alpha=8, target qkv): logits, and the weights and logits after peft's
               merge_and_unload
  lora_step OUT  one float64 training step of that LoRA model: the cross-entropy loss, the LoRA tensors'
               gradients, and the tensors after one torch.optim.AdamW step
  adapter OUT  adapters written from the papers on timm's own blocks: Houlsby (sequential, after attention
               and after the MLP, inside the residual) and AdaptFormer (parallel to the MLP, scaled)

Weights are written under adaptlab's names so the C++ test can load them by name.
"""
import sys

import torch

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/methods/tome")
from reference import save  # noqa: E402

CFG = dict(img_size=8, patch_size=2, embed_dim=16, depth=2, num_heads=2, mlp_ratio=2.0, qkv_bias=True, num_classes=3)


def base_model():
    from timm.models.vision_transformer import VisionTransformer
    torch.manual_seed(0)
    m = VisionTransformer(**CFG).double().eval()
    with torch.no_grad():
        for n, p in m.named_parameters():
            if n.endswith("bias") or "norm" in n:
                p.add_(0.1 * torch.randn_like(p))
    return m


def lora(out):
    from peft import LoraConfig, get_peft_model
    m = base_model()
    tensors = {k: v.clone() for k, v in m.state_dict().items()}
    peft_model = get_peft_model(m, LoraConfig(r=4, lora_alpha=8, target_modules=["qkv"], lora_dropout=0.0))
    with torch.no_grad():
        for n, p in peft_model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.2)  # B = 0 at init would make the check vacuous
    for n, p in peft_model.named_parameters():
        if "lora_" in n:  # base_model.model.blocks.0.attn.qkv.lora_A.default.weight -> blocks.0.attn.qkv.lora.lora_A
            ours = n.replace("base_model.model.", "").replace(".lora_A.default.weight", ".lora.lora_A") \
                    .replace(".lora_B.default.weight", ".lora.lora_B")
            tensors[ours] = p.detach().clone()
    images = torch.randn(2, 3, 8, 8)
    tensors["__images"] = images
    tensors["__logits"] = peft_model(images).detach()
    merged = peft_model.merge_and_unload()
    for i in range(CFG["depth"]):
        tensors[f"__merged.blocks.{i}.attn.qkv.weight"] = merged.blocks[i].attn.qkv.weight.detach().clone()
    tensors["__logits_merged"] = merged(images).detach()
    save(out, tensors)


def lora_step(out):
    from peft import LoraConfig, get_peft_model
    m = base_model()
    tensors = {k: v.clone() for k, v in m.state_dict().items()}
    peft_model = get_peft_model(m, LoraConfig(r=4, lora_alpha=8, target_modules=["qkv"], lora_dropout=0.0))
    torch.manual_seed(2)
    named = {}
    with torch.no_grad():
        for n, p in peft_model.named_parameters():
            if "lora_" in n:
                p.normal_(0, 0.2)
                ours = n.replace("base_model.model.", "").replace(".lora_A.default.weight", ".lora.lora_A") \
                        .replace(".lora_B.default.weight", ".lora.lora_B")
                named[ours] = p
                tensors[ours] = p.detach().clone()
    images, labels = torch.randn(4, 3, 8, 8), torch.tensor([0, 2, 1, 2])
    loss = torch.nn.functional.cross_entropy(peft_model(images), labels)
    loss.backward()
    opt = torch.optim.AdamW(list(named.values()), lr=1e-2, betas=(0.9, 0.999), weight_decay=1e-4)
    opt.step()
    tensors["__images"], tensors["__labels"], tensors["__loss"] = images, labels, loss.detach()
    for k, p in named.items():
        tensors["__grad." + k] = p.grad.detach().clone()
        tensors["__stepped." + k] = p.detach().clone()
    save(out, tensors)


def adapter(out):
    m = base_model()
    tensors = {k: v.clone() for k, v in m.state_dict().items()}
    torch.manual_seed(1)
    c, w = CFG["embed_dim"], 4

    def make(prefix):
        down_w, down_b = 0.3 * torch.randn(w, c), 0.1 * torch.randn(w)
        up_w, up_b = 0.3 * torch.randn(c, w), 0.1 * torch.randn(c)
        for k, v in (("down.weight", down_w), ("down.bias", down_b), ("up.weight", up_w), ("up.bias", up_b)):
            tensors[prefix + k] = v
        return down_w, down_b, up_w, up_b

    def bottleneck(p, x, act):
        return torch.nn.functional.linear(act(torch.nn.functional.linear(x, p[0], p[1])), p[2], p[3])

    quick_gelu = lambda z: z * torch.sigmoid(1.702 * z)  # noqa: E731
    houlsby = [(make(f"houlsby/blocks.{i}.adapter_attn."), make(f"houlsby/blocks.{i}.adapter_mlp."))
               for i in range(CFG["depth"])]
    adaptformer = [make(f"adaptformer/blocks.{i}.adapter_mlp.") for i in range(CFG["depth"])]
    images = torch.randn(2, 3, 8, 8)

    def run(block_fn):
        x = m.patch_embed(images)
        x = torch.cat([m.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + m.pos_embed
        for i, blk in enumerate(m.blocks):
            x = block_fn(i, blk, x)
        return m.head(m.norm(x)[:, 0])

    def houlsby_block(i, blk, x):   # Houlsby et al. 2019: h + f(h) after each sub-layer, inside the residual
        a = blk.attn(blk.norm1(x))
        x = x + a + bottleneck(houlsby[i][0], a, quick_gelu)
        h = blk.mlp(blk.norm2(x))
        return x + h + bottleneck(houlsby[i][1], h, quick_gelu)

    def adaptformer_block(i, blk, x):   # Chen et al. 2022: x + MLP(LN(x)) + s·f(x), s = 0.1, ReLU
        x = x + blk.attn(blk.norm1(x))
        return x + blk.mlp(blk.norm2(x)) + 0.1 * bottleneck(adaptformer[i], x, torch.relu)

    with torch.no_grad():
        tensors["__images"] = images
        tensors["__logits_houlsby"] = run(houlsby_block)
        tensors["__logits_adaptformer"] = run(adaptformer_block)
    save(out, tensors)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    {"lora": lora, "lora_step": lora_step, "adapter": adapter}[sys.argv[1]](sys.argv[2])
