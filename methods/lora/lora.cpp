#include "methods/lora/lora.h"

#include <ATen/ATen.h>
#include <map>

#include "framework/core/error.h"
#include "framework/model/backbone.h"
#include "framework/model/low_rank.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

class Lora : public Method {
 public:
  explicit Lora(LoraOptions o) : o_(std::move(o)) {}

  // Each target names canonical points (attn.q, attn.qkv, mlp.fc1, ...; a slice of a fused qkv gets
  // its own delta "lora_<q|k|v>") or checkpoint layer names (suffix match, e.g. "query").
  void attach(Backbone& b) override {
    std::map<std::string, std::string> claimed;  // parameter prefix -> the target that made it
    for (const auto& t : o_.targets) {
      for (auto& p : b.linear_points(t, "lora")) {
        const std::string delta = p.point.range.whole() ? "lora" : "lora_" + p.point.role;
        const std::string prefix = p.layer_name + "." + delta;
        const auto [it, fresh] = claimed.emplace(prefix, t);
        AL_CHECK(fresh, "lora targets '{}' and '{}' both name {}", it->second, t, p.name);
        const int64_t out = p.point.range.whole() ? p.point.layer->out_features : p.point.range.length;
        p.point.layer->add_delta(delta,
                                 std::make_shared<LowRankDelta>(p.point.layer->in_features, out, o_.rank,
                                                                o_.scaling == "none" ? 1.0 : o_.alpha / o_.rank,
                                                                o_.dropout),
                                 p.point.range);
        trainable_.push_back(prefix + ".lora_A");
        trainable_.push_back(prefix + ".lora_B");
      }
    }
  }

  std::vector<std::string> trainable(Backbone& b) override {
    auto out = trainable_;
    if (o_.train_head)
      for (auto& n : b.parameters_named("", true)) out.push_back(n);
    return out;
  }

  void prepare_inference(Backbone& b) override { b.merge_linear_extensions(); }

 private:
  LoraOptions o_;
  std::vector<std::string> trainable_;
};

}  // namespace

std::unique_ptr<Method> make_lora(const LoraOptions& options) { return std::make_unique<Lora>(options); }

void register_lora(Registries& r) {
  EntryMeta meta;  // options for the method contract test
  meta.example_options = "{rank: 2, alpha: 4, targets: [attn.q, attn.v, mlp.fc1]}";
  meta.example_trains = R"(.*\.lora_A|.*\.lora_B|{head}.*)";  // A and B per target, and the head
  meta.example_trains_per_block = 6;
  add_entry<LoraOptions>(r.methods, "lora", "LoRA low-rank updates on chosen Linear layers, backbone frozen",
                 [](const LoraOptions& o) { return make_lora(o); }, meta);
}

}  // namespace adaptlab
