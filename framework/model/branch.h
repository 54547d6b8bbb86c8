// Residual-branch modules that methods insert into a block (adapters), and where they go:
//   attn_out      h ← op(h) on the attention sub-layer's output, before the residual add
//                 (Houlsby's adapter after attention; encoder: before attention.output.LayerNorm)
//   mlp_out       h ← op(h) on the MLP / FFN output, before the residual add (Houlsby, NOAH/PYRA)
//   mlp_parallel  x ← x + mlp(…) + op(u) where u is the MLP sub-layer's input (AdaptFormer)
#pragma once
#include <ATen/core/Tensor.h>

#include <torch/nn/module.h>

namespace adaptlab {

enum class BranchPoint { attn_out, mlp_out, mlp_parallel };

class BranchOp : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& h) = 0;
};

// Applies a list of ops of one point in order (sequential points) or sums them (parallel).
inline at::Tensor apply_sequential(const std::vector<std::shared_ptr<BranchOp>>& ops, at::Tensor h) {
  for (const auto& op : ops) h = op->forward(h);
  return h;
}

}  // namespace adaptlab
