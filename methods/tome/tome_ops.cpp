#include "methods/tome/tome_ops.h"

#include <ATen/ATen.h>

#include <limits>
#include <vector>

#include "framework/core/error.h"
#include "framework/model/autocast.h"

namespace adaptlab::tome {

using at::indexing::None;
using at::indexing::Slice;

Matching bipartite_soft_matching(const at::Tensor& metric, int64_t r, int64_t protected_prefix,
                                 const at::Tensor& mask) {
  AL_CHECK(metric.dim() == 3, "bipartite_soft_matching: metric must be [B, N, D], got {} dims", metric.dim());
  AL_CHECK(protected_prefix >= 0, "bipartite_soft_matching: protected_prefix must be >= 0");
  const int64_t t = metric.size(1);
  Matching m;
  m.protected_prefix = protected_prefix;
  m.r = std::min(r, std::max<int64_t>(0, (t - protected_prefix) / 2));
  if (m.r <= 0) {
    m.r = 0;
    return m;
  }
  at::NoGradGuard no_grad;
  // Matching in float32 at least (float64 stays): under bf16 autocast, cosine scores rounded to 8
  // mantissa bits tie and reorder, and which tokens merge would change with the precision.
  FullPrecisionGuard full;
  const auto metric32 = at_least_float32(metric);
  const auto unit = metric32 / metric32.norm(2, -1, true);
  const auto a = unit.index({Slice(), Slice(0, None, 2), Slice()});
  const auto b = unit.index({Slice(), Slice(1, None, 2), Slice()});
  auto scores = at::matmul(a, b.transpose(-1, -2));  // [B, N_A, N_B]
  const double neg_inf = -std::numeric_limits<double>::infinity();
  // Token 2i is A row i; token 2j+1 is B column j.
  const int64_t prot_a = (protected_prefix + 1) / 2, prot_b = protected_prefix / 2;
  if (prot_a > 0) scores.index_put_({Slice(), Slice(0, prot_a), Slice()}, neg_inf);
  if (prot_b > 0) scores.index_put_({Slice(), Slice(), Slice(0, prot_b)}, neg_inf);
  if (mask.defined()) {
    const auto ma = mask.index({Slice(), Slice(0, None, 2)}), mb = mask.index({Slice(), Slice(1, None, 2)});
    scores.masked_fill_(ma.unsqueeze(2).ne(mb.unsqueeze(1)), neg_inf);
  }
  const auto [node_max, node_idx] = scores.max(-1);                          // [B, N_A]
  if (mask.defined()) {  // only A tokens with a same-kind partner may merge, in every sequence of the batch
    const int64_t pairable = node_max.isfinite().sum(-1).min().item<int64_t>();
    m.r = std::min(m.r, pairable);
    if (m.r == 0) return m;
  }
  const auto edge_idx = node_max.argsort(-1, /*descending=*/true).unsqueeze(-1);  // [B, N_A, 1]
  m.unm_idx = std::get<0>(edge_idx.index({Slice(), Slice(m.r, None), Slice()}).sort(1));
  m.src_idx = edge_idx.index({Slice(), Slice(0, m.r), Slice()});
  m.dst_idx = node_idx.unsqueeze(-1).gather(1, m.src_idx);
  return m;
}

namespace {

at::Tensor layer_norm(const at::Tensor& x, const Reactivation& p) {
  return at::layer_norm(x, {x.size(-1)}, p.ln_weight, p.ln_bias, p.ln_eps);
}

}  // namespace

at::Tensor merge(const Matching& m, const at::Tensor& x, Reduce mode, const Reactivation* pyra) {
  if (m.r == 0) return x;
  const auto src_all = x.index({Slice(), Slice(0, None, 2), Slice()});
  const auto dst_all = x.index({Slice(), Slice(1, None, 2), Slice()});
  const int64_t n = src_all.size(0), t1 = src_all.size(1), c = src_all.size(2);
  const auto unm = src_all.gather(1, m.unm_idx.expand({n, t1 - m.r, c}));
  auto src = src_all.gather(1, m.src_idx.expand({n, m.r, c}));
  if (pyra) {
    AL_CHECK(pyra->w_a.size(0) == m.r, "PYRA: W_a has {} rows but this layer merges {} tokens", pyra->w_a.size(0),
             m.r);
    const auto dst = dst_all.gather(1, m.dst_idx.expand({n, m.r, c}));
    const auto p = layer_norm(src + dst, *pyra);                           // [B, r, C]
    const auto w_c = 2.0 * at::sigmoid(at::matmul(pyra->w_a.t(), p));      // [1, r] @ [B, r, C] → [B, 1, C]
    const auto w_t = 2.0 * at::sigmoid(at::matmul(p, pyra->w_b.t())) - 1.0;  // [B, r, C] @ [C, 1] → [B, r, 1]
    src = src + src * w_c * w_t;
  }
  const char* reduce = mode == Reduce::sum ? "sum" : mode == Reduce::mean ? "mean" : "amax";
  const auto dst = dst_all.scatter_reduce(1, m.dst_idx.expand({n, m.r, c}), src, reduce, /*include_self=*/true);
  const int64_t prot_b = m.protected_prefix / 2;
  if (prot_b == 0) return at::cat({unm, dst}, 1);
  // Protected tokens first, in their original order: A0, B0, A1, B1, … (unm starts with the
  // protected A tokens, which never merge and sort first).
  const int64_t prot_a = (m.protected_prefix + 1) / 2;
  std::vector<at::Tensor> parts;
  for (int64_t i = 0; i < m.protected_prefix; ++i)
    parts.push_back(i % 2 == 0 ? unm.narrow(1, i / 2, 1) : dst.narrow(1, i / 2, 1));
  parts.push_back(unm.narrow(1, prot_a, unm.size(1) - prot_a));
  parts.push_back(dst.narrow(1, prot_b, dst.size(1) - prot_b));
  return at::cat(parts, 1);
}

std::pair<at::Tensor, at::Tensor> merge_wavg(const Matching& m, const at::Tensor& x, const at::Tensor& size,
                                             const Reactivation* pyra) {
  const auto s = size.defined() ? size : at::ones({x.size(0), x.size(1), 1}, x.options());
  if (m.r == 0) return {x, s};
  const auto merged = merge(m, x * s, Reduce::sum, pyra);
  const auto merged_size = merge(m, s, Reduce::sum);
  return {merged / merged_size, merged_size};
}

at::Tensor merge_source(const Matching& m, const at::Tensor& x, const at::Tensor& source) {
  auto s = source;
  if (!s.defined()) {
    const int64_t n = x.size(0), t = x.size(1);
    s = at::eye(t, x.options()).unsqueeze(0).expand({n, t, t});
  }
  return merge(m, s, Reduce::amax);
}

}  // namespace adaptlab::tome
