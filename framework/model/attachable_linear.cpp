#include "framework/model/attachable_linear.h"

#include <torch/nn/functional/linear.h>
#include <torch/nn/init.h>

#include <cmath>

#include "framework/core/error.h"

namespace adaptlab {

AttachableLinear::AttachableLinear(int64_t in, int64_t out, bool with_bias) : in_features(in), out_features(out) {
  weight = register_parameter("weight", torch::empty({out, in}));
  // PyTorch's nn.Linear default initialisation; backbones re-initialise as their reference does.
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (with_bias) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
  }
}

torch::Tensor AttachableLinear::forward(const torch::Tensor& x) {
  torch::Tensor y = torch::nn::functional::linear(x, weight, bias);
  for (auto& [name, d] : deltas_) y = y + d->delta(x);
  return y;
}

void AttachableLinear::add_delta(const std::string& name, std::shared_ptr<LinearDelta> delta) {
  for (const auto& [n, d] : deltas_) AL_CHECK(n != name, "a delta named '{}' is already attached to this layer", name);
  register_module(name, delta);
  deltas_.emplace_back(name, std::move(delta));
}

int AttachableLinear::merge_deltas() {
  int merged = 0;
  torch::NoGradGuard no_grad;
  for (auto it = deltas_.begin(); it != deltas_.end();) {
    if (it->second->merge_into(weight, bias)) {
      unregister_module(it->first);
      it = deltas_.erase(it);
      ++merged;
    } else {
      ++it;
    }
  }
  return merged;
}

}  // namespace adaptlab
