// Residual-branch modules that methods insert into a block (adapters), and where they go:
//   attn_out      h ← op(h) on the attention sub-layer's output, before the residual add
//                 (Houlsby's adapter after attention; encoder: before attention.output.LayerNorm)
//   mlp_out       h ← op(h) on the MLP / FFN output, before the residual add (Houlsby, NOAH/PYRA)
//   mlp_parallel  x ← x + mlp(…) + op(u) where u is the MLP sub-layer's input (AdaptFormer)
#pragma once
#include <ATen/core/Tensor.h>

#include <torch/nn/module.h>

#include <functional>

namespace adaptlab {

enum class BranchPoint { attn_out, mlp_out, mlp_parallel };

class BranchOp : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& h) = 0;
};

// A module that replaces how a block runs its MLP / FFN sub-layer (Variator's compression plugins):
// forward(u, mask, ffn) gets the sub-layer's input u [B, N, C] (after the pre-norm on the ViT; the
// post-attention hidden states on the encoder), the padding mask (undefined = none) and the frozen FFN,
// and returns what the sub-layer adds to the residual.
class FfnWrap : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& u, const at::Tensor& mask,
                             const std::function<at::Tensor(const at::Tensor&)>& ffn) = 0;
};

// Applies a list of ops of one point in order (sequential points) or sums them (parallel).
inline at::Tensor apply_sequential(const std::vector<std::shared_ptr<BranchOp>>& ops, at::Tensor h) {
  for (const auto& op : ops) h = op->forward(h);
  return h;
}

}  // namespace adaptlab
