#include "framework/train/precision.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>

#include "framework/core/error.h"

namespace adaptlab {

GradScaler::GradScaler(c10::Device device, double init_scale, double growth, double backoff, int64_t interval)
    : scale_(at::full({}, init_scale, at::TensorOptions().dtype(at::kFloat).device(device))),
      growth_tracker_(at::zeros({}, at::TensorOptions().dtype(at::kInt).device(device))),
      found_inf_(at::zeros({}, at::TensorOptions().dtype(at::kFloat).device(device))),
      growth_(growth),
      backoff_(backoff),
      interval_(interval) {}

at::Tensor GradScaler::scale(const at::Tensor& loss) const { return loss * scale_.to(loss.scalar_type()); }

bool GradScaler::unscale(const std::vector<at::Tensor>& params) {
  std::vector<at::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  found_inf_.zero_();
  if (!grads.empty()) at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf_, scale_.reciprocal());
  return found_inf_.item<float>() == 0.0f;
}

void GradScaler::update() {
  at::_amp_update_scale_(scale_, growth_tracker_, found_inf_, growth_, backoff_, interval_);
}

double GradScaler::current_scale() const { return scale_.item<double>(); }

}  // namespace adaptlab
