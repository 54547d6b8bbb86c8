// Light-PEFT's tensor maths (Gu et al. 2024, arXiv 2406.03792), testable alone. See README.md.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

namespace adaptlab::lightpeft {

// Module-level importance of one forward: ‖Δ‖ / ‖base‖ per token (norms over the last dimension),
// averaged over the real tokens (`mask` [B, N] bool; undefined: all). base = x Wᵀ + b of the delta's
// rows, delta = its output; both [B, N, rows] (or [B, rows]). Returns a 0-d tensor (on the device).
at::Tensor module_ratio(const at::Tensor& base, const at::Tensor& delta, const at::Tensor& mask);

// The L1 penalty λ · Σ_g Σ |g| over the gates (head and unit masks), a 0-d tensor.
at::Tensor l1_penalty(const std::vector<at::Tensor>& gates, double lambda);

// Decisions from scores (float64 on the host). Each keeps the entries strictly above the `p` quantile
// (numpy's linear interpolation) of the scores it compares:
//   heads, per layer:  keep[l] ⊂ heads of layer l      (scope "layer"), or one quantile over all (global)
//   units, global:     one quantile over every layer's units (scope "global"), or per layer
std::vector<std::vector<int64_t>> keep_groups(const std::vector<std::vector<double>>& scores, double p, bool global);

}  // namespace adaptlab::lightpeft
