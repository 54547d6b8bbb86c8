// Google's original ViT checkpoints (ViT-B_16.npz, imagenet21k_ViT-L_16.npz, …; the JAX/Flax release that
// NOAH and PYRA load) renamed and re-laid-out to timm's parameter names, as timm's _load_weights maps
// them: conv kernels HWIO → OIHW, Dense kernels transposed, per-head q/k/v kernels [C, H, D] fused into
// qkv [3HD, C], the attention output [H, D, C] → [C, HD]. A representation layer (pre_logits) has no
// place in these models and is left out (said in the log); so is a head that does not fit the task.
#pragma once
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace adaptlab {

// `depth`: the model's blocks (every encoderblock_<i> must be there). Errors name the missing array.
std::map<std::string, at::Tensor> timm_from_google_npz(const std::map<std::string, at::Tensor>& npz, int depth,
                                                       const std::string& origin);

}  // namespace adaptlab
