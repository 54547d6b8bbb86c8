#include "framework/model/rms_norm.h"

#include <ATen/ATen.h>

namespace adaptlab {

RMSNorm::RMSNorm(int64_t width, double eps) : eps_(eps) {
  weight = register_parameter("weight", at::ones({width}));
}

at::Tensor RMSNorm::forward(const at::Tensor& x) {
  const auto xf = x.scalar_type() == at::kDouble ? x : x.to(at::kFloat);
  auto y = xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps_);
  if (weight.scalar_type() == at::kHalf || weight.scalar_type() == at::kBFloat16) y = y.to(weight.scalar_type());
  return weight * y;
}

}  // namespace adaptlab
