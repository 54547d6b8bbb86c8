// Dynamic loss scaling for fp16 training (what torch.cuda.amp.GradScaler does); the precision itself
// and the autocast regions are in framework/model/autocast.h.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

#include "framework/model/autocast.h"

namespace adaptlab {

// Multiply the loss by the scale before backward; unscale() divides the gradients back and reports
// whether any is inf/NaN (the step is then skipped); update() grows the scale by `growth` after
// `interval` clean steps and shrinks it by `backoff` after an overflow.
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
