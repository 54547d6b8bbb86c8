#include "methods/lora/lora_ops.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <cmath>

namespace adaptlab::lora {

at::Tensor delta(const at::Tensor& x, const at::Tensor& A, const at::Tensor& B, double scale) {
  return at::matmul(at::matmul(x, A.t()), B.t()) * scale;
}

at::Tensor merged_weight(const at::Tensor& weight, const at::Tensor& A, const at::Tensor& B, double scale) {
  return weight + (at::matmul(B, A) * scale).to(weight.scalar_type());
}

void init_(at::Tensor& A, at::Tensor& B) {
  at::NoGradGuard g;
  torch::nn::init::kaiming_uniform_(A, std::sqrt(5.0));
  B.zero_();
}

}  // namespace adaptlab::lora
