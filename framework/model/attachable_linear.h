// A Linear layer (timm/PyTorch names: weight [out, in], bias [out]) that methods can extend:
// y = x Wᵀ + b + Σ_k delta_k(x). Deltas are child modules, so their parameters are named
// "<layer>.<delta name>.<param>" and saved with the model.
#pragma once
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace adaptlab {

class LinearDelta : public torch::nn::Module {
 public:
  virtual torch::Tensor delta(const torch::Tensor& x) = 0;
  // Folds the delta into the layer (weight [out, in], bias [out] or undefined) when it is
  // linear in x at inference time. Returns false when it cannot be merged.
  virtual bool merge_into(torch::Tensor& /*weight*/, torch::Tensor& /*bias*/) { return false; }
};

class AttachableLinear : public torch::nn::Module {
 public:
  AttachableLinear(int64_t in_features, int64_t out_features, bool with_bias);

  torch::Tensor forward(const torch::Tensor& x);

  // Adds a delta registered as child module `name` (unique per layer).
  void add_delta(const std::string& name, std::shared_ptr<LinearDelta> delta);
  // Merges every mergeable delta into weight/bias and removes it; returns how many were merged.
  int merge_deltas();
  const std::vector<std::pair<std::string, std::shared_ptr<LinearDelta>>>& deltas() const { return deltas_; }

  int64_t in_features, out_features;
  torch::Tensor weight, bias;  // bias undefined when with_bias = false

 private:
  std::vector<std::pair<std::string, std::shared_ptr<LinearDelta>>> deltas_;
};

}  // namespace adaptlab
