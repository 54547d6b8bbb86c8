// T5's layer norm (Hugging Face's T5LayerNorm): y = weight · x / sqrt(mean(x²) + eps) — no mean
// subtraction, no bias. The mean square is taken in float32 at least (float64 stays float64), as the
// reference does for half-precision inputs; a half/bfloat16 weight gets its own dtype back.
#pragma once
#include <torch/nn/module.h>

namespace adaptlab {

class RMSNorm : public torch::nn::Module {
 public:
  RMSNorm(int64_t width, double eps);
  at::Tensor forward(const at::Tensor& x);
  at::Tensor weight;

 private:
  double eps_;
};

}  // namespace adaptlab
