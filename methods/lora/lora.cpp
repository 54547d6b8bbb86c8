#include "methods/lora/lora.h"

#include <ATen/ATen.h>

#include "framework/core/error.h"
#include "framework/model/backbone.h"
#include "framework/model/low_rank_attach.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

class Lora : public Method {
 public:
  explicit Lora(LoraOptions o) : o_(std::move(o)) {}

  // Each target names canonical points or checkpoint layer names (framework/model/low_rank_attach.h).
  void attach(Backbone& b) override {
    const LowRankSpec spec{o_.rank, o_.scaling == "none" ? 1.0 : o_.alpha / o_.rank, o_.dropout};
    for (const auto& m : attach_low_rank(b, o_.targets, spec, "lora")) {
      trainable_.push_back(m.prefix + ".lora_A");
      trainable_.push_back(m.prefix + ".lora_B");
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
