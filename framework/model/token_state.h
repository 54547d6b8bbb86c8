// Tokens flowing through a transformer block, with the bookkeeping token-reduction methods need.
#pragma once
#include <ATen/core/Tensor.h>

#include <torch/nn/module.h>

namespace adaptlab {

struct TokenState {
  at::Tensor x;      // [B, N, C] tokens
  at::Tensor size;   // [B, N, 1] how many input tokens each token stands for; undefined = all ones
  at::Tensor keys;   // [B, N, C_head_avg] attention keys of this block (mean over heads), when available
  int64_t protected_prefix = 1;  // leading tokens that must never be merged (class token, prompts)
  bool prop_attn = true;         // add log(size) to the attention logits once sizes exist
  at::Tensor source;             // [B, N, N0] which input tokens each token holds (when traced)
  at::Tensor mask;               // [B, N] bool, true for real tokens (text with padding); undefined = all real
  at::Tensor attn_bias;          // [1 or B, H, N, N] added to every block's attention logits (T5's relative
                                 // position bias); undefined = none
  int block = 0;                 // index of the block the ops run in
};

// An operation on the token sequence at a block's before_block or after_attn point (VPT's prompts, ToMe
// merging; see framework/model/block.h). Ops are registered as child modules of their block, so their
// parameters are named "<block prefix><op>.<param>" ("blocks.3.tome.w_a").
class TokenOp : public torch::nn::Module {
 public:
  virtual void apply(TokenState& state) = 0;
};

}  // namespace adaptlab
