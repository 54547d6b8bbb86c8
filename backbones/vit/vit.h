// Vision Transformer with timm's parameter names (patch_embed.proj, cls_token, pos_embed,
// blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}, norm, head), pre-norm blocks,
// class-token pooling, LayerNorm eps 1e-6, exact GELU — the layout of timm's vit_* models.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "framework/model/backbone.h"

namespace adaptlab {

struct ViTOptions {
  int img_size = 32;          // input height = width in pixels
  int patch_size = 4;         // square patch side; img_size must be a multiple
  int in_chans = 3;           // input channels
  int embed_dim = 64;         // token width C
  int depth = 4;              // number of transformer blocks
  int num_heads = 4;          // attention heads; must divide embed_dim
  double mlp_ratio = 4.0;     // MLP hidden width = mlp_ratio * embed_dim
  bool qkv_bias = true;       // bias on the fused qkv projection
  double drop_path = 0.0;     // stochastic depth rate of the last block (linear ramp from 0)
  double init_std = 0.02;     // truncated-normal std of Linear weights and pos_embed (timm)
  std::string preset;         // timm architecture name (vit_base_patch16_224, deit_small_patch16_224, ...)
  std::string checkpoint;     // safetensors file with timm names to load (the head only when it fits)

  template <class V>
  void visit(V& v) {
    v("img_size", img_size, "input height = width in pixels");
    v("patch_size", patch_size, "square patch side");
    v("in_chans", in_chans, "input channels");
    v("embed_dim", embed_dim, "token width C");
    v("depth", depth, "number of transformer blocks");
    v("num_heads", num_heads, "attention heads (must divide embed_dim)");
    v("mlp_ratio", mlp_ratio, "MLP hidden width / embed_dim");
    v("qkv_bias", qkv_bias, "bias on the fused qkv projection");
    v("drop_path", drop_path, "stochastic depth rate of the last block");
    v("init_std", init_std, "truncated-normal std for Linear weights and pos_embed");
    v("preset", preset, "timm architecture: vit_{tiny,small,base,large,huge}_patch{14,16}_{224,...} or "
                        "deit_{tiny,small,base}_patch16_224; sets embed_dim, depth, num_heads, patch_size, img_size "
                        "(give none of those with it)");
    v("checkpoint", checkpoint, "checkpoint: Google's original ViT release (.npz, e.g. ViT-B_16.npz, renamed as timm "
                                "does), or timm parameter names: .safetensors, or a torch.save state dict "
                                "(.pt/.pth/.bin); pos_embed resized to img_size");
    v.check(img_size > 0 && patch_size > 0 && img_size % patch_size == 0, "patch_size",
            "must be > 0 and divide img_size");
    v.check(embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0, "num_heads",
            "must be > 0 and divide embed_dim");
    v.check(depth > 0, "depth", "must be > 0");
    v.check(drop_path >= 0 && drop_path < 1, "drop_path", "must be in [0, 1)");
  }
};

std::shared_ptr<Backbone> make_vit(const ViTOptions& options, int64_t num_classes);

// Applies `preset` (if any) to the size options; an error for an unknown name or when size options
// were also changed from their defaults.
ViTOptions resolve_vit_preset(ViTOptions o);

}  // namespace adaptlab
