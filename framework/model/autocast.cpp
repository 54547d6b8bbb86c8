#include "framework/model/autocast.h"

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

FullPrecisionGuard::FullPrecisionGuard()
    : cpu_(at::autocast::is_autocast_enabled(c10::DeviceType::CPU)),
      cuda_(at::autocast::is_autocast_enabled(c10::DeviceType::CUDA)) {
  if (cpu_) at::autocast::set_autocast_enabled(c10::DeviceType::CPU, false);
  if (cuda_) at::autocast::set_autocast_enabled(c10::DeviceType::CUDA, false);
}

FullPrecisionGuard::~FullPrecisionGuard() {
  if (cpu_) at::autocast::set_autocast_enabled(c10::DeviceType::CPU, true);
  if (cuda_) at::autocast::set_autocast_enabled(c10::DeviceType::CUDA, true);
}

at::Tensor at_least_float32(const at::Tensor& t) {
  return t.scalar_type() == at::kBFloat16 || t.scalar_type() == at::kHalf ? t.to(at::kFloat) : t;
}

}  // namespace adaptlab
