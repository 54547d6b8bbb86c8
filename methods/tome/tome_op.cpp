#include "methods/tome/tome_op.h"

#include <ATen/ATen.h>

#include <cmath>

#include "framework/core/error.h"

namespace adaptlab {

TomeOp::TomeOp(int64_t r, bool prop_attn, bool trace_source, int64_t pyra_channels)
    : r_(r), prop_attn_(prop_attn), trace_source_(trace_source) {
  if (pyra_channels > 0 && r > 0) {
    w_a = register_parameter("w_a", at::empty({r, 1}));
    w_b = register_parameter("w_b", at::zeros({1, pyra_channels}));
    ln_weight = register_parameter("norm_weight", at::ones({pyra_channels}));
    ln_bias = register_parameter("norm_bias", at::zeros({pyra_channels}));
    // Kaiming-uniform with a = √5 on [r, 1]: fan_in = 1, gain = √(2 / (1 + 5)), bound = gain·√(3 / fan_in) = 1.
    at::NoGradGuard g;
    const double bound = std::sqrt(2.0 / 6.0) * std::sqrt(3.0 / 1.0);
    w_a.uniform_(-bound, bound);
  }
}

void TomeOp::apply(TokenState& s) {
  last_tokens_in = s.x.size(1);
  const auto m = tome::bipartite_soft_matching(s.keys, r_, s.protected_prefix, s.mask);
  if (m.r > 0) {
    if (trace_source_) s.source = tome::merge_source(m, s.x, s.source);
    tome::Reactivation p;
    const bool pyra = w_a.defined();
    if (pyra) {
      AL_CHECK(m.r <= r_, "PYRA: block merges {} tokens where its W_a was made for r = {}", m.r, r_);
      // Fewer merges than planned happen only on padded text (see bipartite_soft_matching): the first
      // m.r rows of W_a serve the m.r highest-scoring edges.
      p = {m.r == r_ ? w_a : w_a.narrow(0, 0, m.r), w_b, ln_weight, ln_bias, 1e-5};
    }
    auto [x, size] = tome::merge_wavg(m, s.x, s.size, pyra ? &p : nullptr);
    if (s.mask.defined())  // merges pair only like with like, so the merged mask is either one's
      s.mask = tome::merge(m, s.mask.unsqueeze(-1).to(x.scalar_type()), tome::Reduce::amax).squeeze(-1).gt(0.5);
    s.x = x;
    s.size = size;
    s.prop_attn = prop_attn_;
  }
  last_tokens_out = s.x.size(1);
}

}  // namespace adaptlab
