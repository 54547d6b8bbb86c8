// Token merging maths (Bolya et al., "Token Merging: Your ViT But Faster", 2023), written from the
// paper's description and the specification; PYRA's re-activation (Xiong et al., 2024) is the
// optional `Reactivation` argument of merge_wavg.
//
// Bipartite soft matching on a metric [B, N, D] (the attention keys averaged over heads):
//   normalise each token's metric to unit length; A = tokens 0, 2, 4, …; B = tokens 1, 3, 5, …;
//   scores = A·Bᵀ (cosine similarity); protected tokens (the first `protected_prefix`, e.g. the class
//   token and prompts) get −∞ in their row (as A) or column (as B), so they are never merged nor merged
//   into; every A token takes its best B partner; the r A tokens with the highest best score merge
//   into their partners; r ≤ (N − protected) / 2.
// Output order: the unmerged A tokens in their original order (class token first), then all B tokens —
// except that protected tokens all come first, in their original order (with only the class token
// protected this is the same; with prompts it keeps them right after the class token, as ToMe keeps
// DeiT's distillation token second).
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace adaptlab::tome {

struct Matching {
  int64_t r = 0;          // tokens removed (0: nothing to do)
  int64_t protected_prefix = 0;
  at::Tensor unm_idx;     // [B, N_A − r, 1] indices into A of the unmerged A tokens, ascending
  at::Tensor src_idx;     // [B, r, 1] indices into A of the merged (source) tokens
  at::Tensor dst_idx;     // [B, r, 1] indices into B of their destinations
};

// Computed without gradient (the matching is discrete). With a padding `mask` [B, N] (true = real
// token), a real token and a padding token are never paired (their score is −∞), and r is lowered to
// the number of A tokens that still have a partner in every sequence of the batch, so padding is never
// merged into real tokens nor real tokens into padding.
Matching bipartite_soft_matching(const at::Tensor& metric, int64_t r, int64_t protected_prefix,
                                 const at::Tensor& mask = {});

enum class Reduce { sum, mean, amax };

// PYRA's per-layer parameters: W_a [r, 1], W_b [1, C], and a LayerNorm(C) (weight, bias, eps).
struct Reactivation {
  at::Tensor w_a, w_b, ln_weight, ln_bias;
  double ln_eps = 1e-5;
};

// x [B, N, C] → [B, N − r, C]: unmerged A tokens, then B tokens with their sources reduced in.
// With `pyra`, the gathered sources are modulated before the reduction:
//   P = LN(src + dst), w_c = 2σ(W_aᵀ P) [B, 1, C], w_t = 2σ(P W_bᵀ) − 1 [B, r, 1],
//   src ← src + src ⊙ w_c ⊙ w_t.
at::Tensor merge(const Matching& m, const at::Tensor& x, Reduce mode, const Reactivation* pyra = nullptr);

// Size-weighted average merge: x ← merge(x·size, sum, pyra) / merge(size, sum); returns {x, size}.
// `size` [B, N, 1] may be undefined (all ones). Sizes are merged without modulation.
std::pair<at::Tensor, at::Tensor> merge_wavg(const Matching& m, const at::Tensor& x, const at::Tensor& size,
                                             const Reactivation* pyra = nullptr);

// Source tracking: source [B, N, N0] (undefined = identity over x's N tokens), merged with amax.
at::Tensor merge_source(const Matching& m, const at::Tensor& x, const at::Tensor& source);

}  // namespace adaptlab::tome
