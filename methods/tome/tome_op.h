// The token operation ToMe (and PYRA) put after each block's attention residual.
#pragma once
#include <cstdint>

#include "framework/model/token_state.h"
#include "methods/tome/tome_ops.h"

namespace adaptlab {

class TomeOp : public TokenOp {
 public:
  // `pyra_channels` > 0 adds PYRA's learnable re-activation (W_a [r, 1] Kaiming-uniform(a = √5),
  // W_b [1, C] zeros, LayerNorm(C) with eps 1e-5), registered as w_a, w_b, norm_weight, norm_bias.
  TomeOp(int64_t r, bool prop_attn, bool trace_source, int64_t pyra_channels = 0);
  void apply(TokenState& s) override;

  int64_t r() const { return r_; }
  int64_t last_tokens_in = -1, last_tokens_out = -1;  // of the last forward (for tests and counts)
  at::Tensor w_a, w_b, ln_weight, ln_bias;            // PYRA only

 private:
  int64_t r_;
  bool prop_attn_, trace_source_;
};

}  // namespace adaptlab
