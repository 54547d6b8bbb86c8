#include "methods/lightpeft/lightpeft_ops.h"

#include <ATen/ATen.h>

#include "framework/model/pruning.h"

namespace adaptlab::lightpeft {

at::Tensor module_ratio(const at::Tensor& base, const at::Tensor& delta, const at::Tensor& mask) {
  at::NoGradGuard g;
  const auto ratio = delta.norm(2, -1) / base.norm(2, -1);  // [B, N] (or [B])
  if (!mask.defined() || mask.sizes() != ratio.sizes()) return ratio.mean();
  const auto m = mask.to(ratio.scalar_type());
  return (ratio * m).sum() / m.sum();
}

at::Tensor l1_penalty(const std::vector<at::Tensor>& gates, double lambda) {
  at::Tensor sum;
  for (const auto& g : gates) sum = sum.defined() ? sum + g.abs().sum() : g.abs().sum();
  return sum.defined() ? sum * lambda : sum;
}

std::vector<std::vector<int64_t>> keep_groups(const std::vector<std::vector<double>>& scores, double p, bool global) {
  std::vector<std::vector<int64_t>> out;
  if (global) {
    std::vector<double> all;
    for (const auto& s : scores) all.insert(all.end(), s.begin(), s.end());
    const double t = all.empty() ? 0.0 : quantile_linear(all, p);
    for (const auto& s : scores) out.push_back(keep_above(s, t));
  } else {
    for (const auto& s : scores) out.push_back(s.empty() ? std::vector<int64_t>{} : keep_above(s, quantile_linear(s, p)));
  }
  return out;
}

}  // namespace adaptlab::lightpeft
