#include "framework/train/precision.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>

#include "framework/core/error.h"

namespace adaptlab {

Precision parse_precision(const std::string& text) {
  if (text == "fp32") return Precision::fp32;
  if (text == "bf16") return Precision::bf16;
  if (text == "fp16") return Precision::fp16;
  fail("unknown precision '{}'; expected fp32, bf16 or fp16", text);
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
  }
  return "?";
}

AutocastGuard::AutocastGuard(Precision p, c10::Device device) : type_(device.type()) {
  if (p == Precision::fp32) return;
  AL_CHECK(type_ == c10::DeviceType::CPU || type_ == c10::DeviceType::CUDA,
           "mixed precision ({}) runs on CPU or CUDA devices, not {}", to_string(p), device.str());
  active_ = true;
  was_enabled_ = at::autocast::is_autocast_enabled(type_);
  was_dtype_ = at::autocast::get_autocast_dtype(type_);
  at::autocast::set_autocast_dtype(type_, p == Precision::bf16 ? at::kBFloat16 : at::kHalf);
  at::autocast::set_autocast_enabled(type_, true);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_enabled(type_, was_enabled_);
  at::autocast::set_autocast_dtype(type_, was_dtype_);
}

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
