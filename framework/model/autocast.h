// The numeric precision a model runs at: fp32, or autocast to bf16 / fp16 (LibTorch's autocast: matrix
// products and convolutions in the low precision; reductions, softmax, norms and losses in fp32), as an
// RAII region; and a region that turns autocast off where a method needs full precision (e.g. ToMe's
// matching scores).
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string>

namespace adaptlab {

enum class Precision { fp32, bf16, fp16 };

// "fp32" | "bf16" | "fp16"; anything else is an error naming the choices.
Precision parse_precision(const std::string& text);
const char* to_string(Precision p);

// Autocast on `device`'s type for the guard's lifetime (nothing for fp32). Restores the previous state
// and clears the cast cache when it ends.
class AutocastGuard {
 public:
  AutocastGuard(Precision p, c10::Device device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType type_;
  bool was_enabled_ = false;
  at::ScalarType was_dtype_;
};

// Autocast off (CPU and CUDA) for the guard's lifetime, restored after: the ops inside run in their
// inputs' dtype. Pair it with casting the inputs to float32.
class FullPrecisionGuard {
 public:
  FullPrecisionGuard();
  ~FullPrecisionGuard();
  FullPrecisionGuard(const FullPrecisionGuard&) = delete;
  FullPrecisionGuard& operator=(const FullPrecisionGuard&) = delete;

 private:
  bool cpu_ = false, cuda_ = false;
};

// `t` as float32 when it is a reduced-precision float (bf16 / fp16); otherwise as it is (float64 stays).
at::Tensor at_least_float32(const at::Tensor& t);

}  // namespace adaptlab
