// Mixed precision: the run's numeric precision (fp32, or autocast to bf16 / fp16), an RAII autocast
// region, and dynamic loss scaling for fp16 (what torch.cuda.amp.GradScaler does).
#pragma once
#include <c10/core/Device.h>
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace adaptlab {

enum class Precision { fp32, bf16, fp16 };

// "fp32" | "bf16" | "fp16"; anything else is an error naming the choices.
Precision parse_precision(const std::string& text);
const char* to_string(Precision p);

// Autocast on `device`'s type for the guard's lifetime (nothing for fp32): matrix products and
// convolutions run in the low precision, reductions, softmax, norms and losses in fp32 (LibTorch's
// autocast op lists). Restores the previous state and clears the cast cache when it ends.
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

// Dynamic loss scaling for fp16: multiply the loss by the scale before backward; unscale() divides
// the gradients back and reports whether any is inf/NaN (the step is then skipped); update() grows
// the scale by `growth` after `interval` clean steps and shrinks it by `backoff` after an overflow.
class GradScaler {
 public:
  explicit GradScaler(c10::Device device, double init_scale = 65536.0, double growth = 2.0, double backoff = 0.5,
                      int64_t interval = 2000);
  at::Tensor scale(const at::Tensor& loss) const;
  // Unscales the gradients in place; true when they are all finite (one host synchronisation).
  bool unscale(const std::vector<at::Tensor>& params);
  void update();
  double current_scale() const;

 private:
  at::Tensor scale_, growth_tracker_, found_inf_;
  double growth_, backoff_;
  int64_t interval_;
};

}  // namespace adaptlab
