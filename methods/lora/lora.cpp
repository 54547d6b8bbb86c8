#include "methods/lora/lora.h"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "framework/core/error.h"
#include "framework/model/backbone.h"
#include "methods/lora/lora_ops.h"

namespace adaptlab {
namespace {

class LoraDelta : public LinearDelta {
 public:
  LoraDelta(int64_t in, int64_t out, const LoraOptions& o)
      : scale_(o.scaling == "none" ? 1.0 : o.alpha / o.rank), dropout_(o.dropout) {
    A = register_parameter("lora_A", at::empty({o.rank, in}));
    B = register_parameter("lora_B", at::empty({out, o.rank}));
    lora::init_(A, B);
  }
  torch::Tensor delta(const torch::Tensor& x) override {
    const auto in = dropout_ > 0 ? at::dropout(x, dropout_, is_training()) : x;
    return lora::delta(in, A, B, scale_);
  }
  bool merge_into(torch::Tensor& weight, torch::Tensor& /*bias*/) override {
    weight.copy_(lora::merged_weight(weight, A, B, scale_));
    return true;
  }
  torch::Tensor A, B;

 private:
  double scale_, dropout_;
};

class Lora : public Method {
 public:
  explicit Lora(LoraOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    const auto points = b.linear_points();
    for (const auto& t : o_.targets) {
      bool any = false;
      for (const auto& [name, lin] : points) {
        if (!target_matches(name, t)) continue;
        lin->add_delta("lora", std::make_shared<LoraDelta>(lin->in_features, lin->out_features, o_));
        attached_.push_back(name);
        any = true;
      }
      if (!any) {
        std::vector<std::string> names;
        for (const auto& p : points) names.push_back(p.first);
        fail("lora target '{}' matches no attach point; the backbone has: {}", t, fmt::join(names, ", "));
      }
    }
  }

  std::vector<std::string> trainable(Backbone& b) override { return b.parameters_named(".lora.lora_", o_.train_head); }

  void prepare_inference(Backbone& b) override {
    for (auto& [name, lin] : b.linear_points()) lin->merge_deltas();
  }

 private:
  LoraOptions o_;
  std::vector<std::string> attached_;
};

}  // namespace

bool target_matches(const std::string& point, const std::string& target) {
  if (point == target) return true;
  return point.size() > target.size() && point.compare(point.size() - target.size(), target.size(), target) == 0 &&
         point[point.size() - target.size() - 1] == '.';
}

std::unique_ptr<Method> make_lora(const LoraOptions& options) { return std::make_unique<Lora>(options); }

}  // namespace adaptlab
