// The modules methods insert at a transformer block's hook points (see framework/model/block.h for
// where each runs; docs/architecture.md lists them all):
//
//   TokenOp       (token_state.h) the token sequence, before the block or after attention (ToMe, VPT)
//   AttnProbsOp   attention probabilities [B, H, N, N] after softmax (head masks: Light-PEFT, pruning)
//   FfnActOp      FFN intermediate activations [B, N, F] after the activation (unit masks, IA³'s l_ff)
//   BranchOp      residual branches at BranchPoint (adapters)
//   FfnWrap       a replacement of how the FFN sub-layer runs (Variator's compression plugins)
//   LinearDelta / LinearOutputOp (attachable_linear.h) on the q/k/v/qkv/proj/fc1/fc2 Linear layers
//
// Branch points:
//   attn_out      h ← op(h) on the attention sub-layer's output, before the residual add
//                 (Houlsby's adapter after attention; encoder: before attention.output.LayerNorm)
//   mlp_out       h ← op(h) on the MLP / FFN output, before the residual add (Houlsby, NOAH/PYRA)
//   mlp_parallel  x ← x + mlp(…) + op(u) where u is the MLP sub-layer's input (AdaptFormer)
#pragma once
#include <ATen/core/Tensor.h>

#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <vector>

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

// Changes the attention probabilities softmax(q·kᵀ/√d + bias) [B, H, N, N] of one block before they
// weight the values; e.g. a learnable mask per head. Its presence makes the block compute attention
// explicitly (not through the fused kernel).
class AttnProbsOp : public torch::nn::Module {
 public:
  virtual at::Tensor apply(const at::Tensor& probs) = 0;
};

// Changes the FFN's intermediate activations act(fc1(u)) [B, N, F] before fc2.
class FfnActOp : public torch::nn::Module {
 public:
  virtual at::Tensor apply(const at::Tensor& h) = 0;
};

}  // namespace adaptlab
