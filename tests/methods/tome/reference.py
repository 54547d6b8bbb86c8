"""Float64 reference for ToMe, proportional attention and PYRA, written from the method descriptions
(adaptlab issue 7), independently of the C++ code. Reads the inputs the C++ test wrote (safetensors
layout), writes the reference outputs next to them.

  reference.py ops   IN OUT   # matching, merge, size-weighted merge, PYRA modulation and its gradients
  reference.py model IN OUT   # a whole ViT forward with LoRA on qkv + ToMe/PYRA (proportional
                              # attention included), and gradients
"""
import json
import math
import struct
import sys

import torch


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    dtypes = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, t = e["data_offsets"]
        buf = bytearray(raw[8 + n + b:8 + n + t])
        out[name] = torch.frombuffer(buf, dtype=dtypes[e["dtype"]]).reshape(e["shape"]).clone() if t > b else \
            torch.zeros(e["shape"], dtype=dtypes[e["dtype"]])
    return out


def save(path, tensors):
    names = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64"}
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        data = bytes(t.reshape(-1).view(torch.uint8).tolist()) if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ---- ToMe, from the description -----------------------------------------------------------------

def match(metric, r, protected):
    """Returns (r, unmerged A indices ascending, source A indices, destination B indices, protected)."""
    bsz, t, _ = metric.shape
    r = max(0, min(r, (t - protected) // 2))
    with torch.no_grad():
        unit = metric / metric.norm(dim=-1, keepdim=True)
        a_tok = unit[:, 0::2]
        b_tok = unit[:, 1::2]
        scores = a_tok @ b_tok.transpose(1, 2)
        for i in range(a_tok.shape[1]):        # A token i is input token 2i
            if 2 * i < protected:
                scores[:, i, :] = -math.inf
        for j in range(b_tok.shape[1]):        # B token j is input token 2j + 1
            if 2 * j + 1 < protected:
                scores[:, :, j] = -math.inf
        best, partner = scores.max(dim=-1)
        order = torch.argsort(best, dim=-1, descending=True)
        src = order[:, :r]
        unm = torch.sort(order[:, r:], dim=-1).values
        dst = torch.gather(partner, 1, src)
    return r, unm, src, dst, protected


def pick(x, idx):
    return torch.gather(x, 1, idx[..., None].expand(-1, -1, x.shape[-1]))


def merge_sum(x, m, pyra=None):
    r, unm, src, dst, protected = m
    a_tok, b_tok = x[:, 0::2], x[:, 1::2]
    s = pick(a_tok, src)
    if pyra is not None:
        w_a, w_b, ln_w, ln_b = pyra
        p = torch.nn.functional.layer_norm(s + pick(b_tok, dst), (x.shape[-1],), ln_w, ln_b, 1e-5)
        channel = 2 * torch.sigmoid(torch.einsum("rk,brc->bkc", w_a, p))   # W_aᵀ P: [B, 1, C]
        token = 2 * torch.sigmoid(p @ w_b.t()) - 1                         # P W_bᵀ: [B, r, 1]
        s = s + s * channel * token
    out_b = b_tok.clone()
    for bi in range(x.shape[0]):                                           # explicit loop: obviously a sum
        for k in range(r):
            out_b[bi, dst[bi, k]] = out_b[bi, dst[bi, k]] + s[bi, k]
    kept_a = pick(a_tok, unm)
    # Protected tokens (the first `protected` input tokens) lead the output in their original order;
    # then the other unmerged A tokens, then the other B tokens.
    first = [kept_a[:, i // 2:i // 2 + 1] if i % 2 == 0 else out_b[:, i // 2:i // 2 + 1] for i in range(protected)]
    n_a, n_b = (protected + 1) // 2, protected // 2
    return torch.cat(first + [kept_a[:, n_a:], out_b[:, n_b:]], dim=1)


def merge_wavg(x, size, m, pyra=None):
    if size is None:
        size = torch.ones(x.shape[0], x.shape[1], 1, dtype=x.dtype)
    if m[0] == 0:
        return x, size
    xs = merge_sum(x * size, m, pyra)
    ss = merge_sum(size, m)
    return xs / ss, ss


def ops(inp, out_path):
    out = {}
    for case in sorted({k.split("/")[0] for k in inp}):
        g = {k.split("/", 1)[1]: v for k, v in inp.items() if k.startswith(case + "/")}
        r, protected = int(g["r"].item()), int(g["protected"].item())
        m = match(g["metric"], r, protected)
        out[case + "/r"] = torch.tensor([m[0]])
        out[case + "/unm_idx"], out[case + "/src_idx"], out[case + "/dst_idx"] = m[1], m[2], m[3]
        x, size = merge_wavg(g["x"], g["size"], m)
        out[case + "/tome_x"], out[case + "/tome_size"] = x, size
        params = [g[k].clone().requires_grad_(True) for k in ("w_a", "w_b", "ln_weight", "ln_bias")]
        xin = g["x"].clone().requires_grad_(True)
        px, psize = merge_wavg(xin, g["size"], m, params)
        loss = (px * g["grad_weight"]).sum()
        loss.backward()
        out[case + "/pyra_x"], out[case + "/pyra_size"] = px.detach(), psize
        for name, p in zip(("w_a", "w_b", "ln_weight", "ln_bias"), params):
            out[case + "/grad_" + name] = p.grad
        out[case + "/grad_x"] = xin.grad
    save(out_path, out)


# ---- a whole ViT (timm layout) with LoRA on qkv and ToMe/PYRA -----------------------------------

def vit(w, cfg, images):
    heads, depth, patch = int(cfg[0]), int(cfg[1]), int(cfg[2])
    lora_scale, prop_attn = float(cfg[3]), bool(cfg[4] > 0)
    rs = [int(v) for v in w["r"].tolist()]
    ln = torch.nn.functional.layer_norm
    x = torch.nn.functional.conv2d(images, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"], stride=patch)
    x = x.flatten(2).transpose(1, 2)
    x = torch.cat([w["cls_token"].expand(x.shape[0], -1, -1), x], dim=1) + w["pos_embed"]
    size, counts = None, []
    for i in range(depth):
        p = f"blocks.{i}."
        bsz, n, c = x.shape
        h = ln(x, (c,), w[p + "norm1.weight"], w[p + "norm1.bias"], 1e-6)
        qkv = h @ w[p + "attn.qkv.weight"].t() + w[p + "attn.qkv.bias"]
        if p + "attn.qkv.lora.lora_A" in w:
            qkv = qkv + (h @ w[p + "attn.qkv.lora.lora_A"].t()) @ w[p + "attn.qkv.lora.lora_B"].t() * lora_scale
        qkv = qkv.reshape(bsz, n, 3, heads, c // heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        logits = q @ k.transpose(-2, -1) * (c // heads) ** -0.5
        if size is not None and prop_attn:
            logits = logits + size.log()[:, None, None, :, 0]
        a = (logits.softmax(-1) @ v).transpose(1, 2).reshape(bsz, n, c)
        x = x + a @ w[p + "attn.proj.weight"].t() + w[p + "attn.proj.bias"]
        if rs[i] > 0:
            m = match(k.mean(1), rs[i], 1)
            pyra = None
            if p + "pyra.w_a" in w:
                pyra = [w[p + "pyra." + k_] for k_ in ("w_a", "w_b", "norm_weight", "norm_bias")]
            x, size = merge_wavg(x, size, m, pyra)
        counts.append(x.shape[1])
        h = ln(x, (c,), w[p + "norm2.weight"], w[p + "norm2.bias"], 1e-6)
        h = torch.nn.functional.gelu(h @ w[p + "mlp.fc1.weight"].t() + w[p + "mlp.fc1.bias"])
        x = x + h @ w[p + "mlp.fc2.weight"].t() + w[p + "mlp.fc2.bias"]
    x = ln(x, (x.shape[-1],), w["norm.weight"], w["norm.bias"], 1e-6)
    return x[:, 0] @ w["head.weight"].t() + w["head.bias"], counts


def model(inp, out_path):
    images, cfg, gw = inp.pop("images"), inp.pop("cfg"), inp.pop("grad_weight")
    trainable = [k for k in inp if ".pyra." in k or ".lora." in k]
    w = {k: (v.clone().requires_grad_(True) if k in trainable else v) for k, v in inp.items()}
    logits, counts = vit(w, cfg.tolist(), images)
    (logits * gw).sum().backward()
    out = {"logits": logits.detach(), "counts": torch.tensor(counts)}
    for k in trainable:
        out["grad/" + k] = w[k].grad
    save(out_path, out)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    mode, src, dst = sys.argv[1:4]
    {"ops": ops, "model": model}[mode](load(src), dst)
