#include "methods/magnitude_prune/magnitude_prune.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/model/backbone.h"
#include "framework/model/method_facets.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {

constexpr const char* kMask = "magnitude_mask";

// The mask of one layer's weight, a buffer (saved with the run, so a reload can re-apply it).
class WeightMask : public torch::nn::Module {
 public:
  explicit WeightMask(const at::Tensor& like) { mask = register_buffer("mask", at::ones_like(like, at::kBool)); }
  at::Tensor mask;
};

class MagnitudePrune : public Method, public TrainingHooks, public StructureChange {
 public:
  explicit MagnitudePrune(MagnitudePruneOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    std::map<std::string, bool> seen;
    for (const auto& t : o_.targets)
      for (auto& p : b.linear_points(t, "magnitude_prune")) {
        AL_CHECK(p.point.range.whole(), "magnitude_prune prunes whole layers; '{}' is a slice of {} (target attn.qkv "
                 "or the separate q/k/v layers)", p.name, p.layer_name);
        if (seen.emplace(p.layer_name, true).second) layers_.push_back({p.layer_name, p.point.layer, nullptr});
      }
  }

  std::vector<std::string> trainable(Backbone& b) override {
    return o_.train_head ? b.parameters_named("", true) : std::vector<std::string>{};
  }

  void on_step(Backbone&, const TrainState& st) override {
    if (st.step == o_.at_step && !pruned_) prune();
    else if (pruned_) apply_masks();  // keep trained weights at zero where pruned
  }

  std::map<std::string, double> structure_summary() const override { return facts_; }
  nlohmann::json saved_structure() const override {
    return pruned_ ? nlohmann::json{{"masked", true}} : nlohmann::json::object();
  }
  void restore_structure(Backbone&, const nlohmann::json& saved) override {
    if (saved.contains("masked")) add_masks();  // the saved masks load into these
  }
  void after_load(Backbone&) override {
    if (!pruned_) return;
    apply_masks();  // frozen weights come from the checkpoint, unpruned
    count();
  }

 private:
  struct Layer {
    std::string name;
    std::shared_ptr<AttachableLinear> layer;
    std::shared_ptr<WeightMask> mask;
  };

  void add_masks() {
    for (auto& l : layers_) {
      l.mask = std::make_shared<WeightMask>(l.layer->weight);
      l.layer->register_module(kMask, l.mask);
    }
    pruned_ = true;
  }

  void apply_masks() {
    at::NoGradGuard g;
    for (auto& l : layers_) l.layer->weight.mul_(l.mask->mask.to(l.layer->weight.scalar_type()));
  }

  void prune() {
    add_masks();
    at::NoGradGuard g;
    // Exactly round(sparsity · n) weights per group, the smallest |w| (ties: the first in memory order).
    auto prune_group = [&](const std::vector<Layer*>& group) {
      std::vector<at::Tensor> mags;
      for (auto* l : group) mags.push_back(l->layer->weight.detach().abs().flatten().to(at::kDouble));
      const auto all = at::cat(mags);
      const int64_t drop = std::llround(o_.sparsity * static_cast<double>(all.numel()));
      if (drop == 0) return;
      const auto order = at::argsort(all, /*stable=*/true, 0, /*descending=*/false);
      auto keep = at::ones({all.numel()}, at::kBool);
      keep.index_fill_(0, order.narrow(0, 0, drop), false);
      int64_t at = 0;
      for (auto* l : group) {
        const int64_t n = l->layer->weight.numel();
        l->mask->mask.copy_(keep.narrow(0, at, n).reshape(l->layer->weight.sizes()).to(l->mask->mask.device()));
        at += n;
      }
    };
    if (o_.scope == "global") {
      std::vector<Layer*> all;
      for (auto& l : layers_) all.push_back(&l);
      prune_group(all);
    } else {
      for (auto& l : layers_) prune_group({&l});
    }
    apply_masks();
    count();
    log::info("magnitude_prune: after step {}: {:.4f} of the targeted weights are zero", o_.at_step,
              facts_["prune.sparsity"]);
  }

  void count() {
    double zero = 0, total = 0;
    for (auto& l : layers_) {
      zero += static_cast<double>((~l.mask->mask).sum().item<int64_t>());
      total += static_cast<double>(l.mask->mask.numel());
    }
    facts_ = {{"prune.step", static_cast<double>(o_.at_step)}, {"prune.sparsity", total > 0 ? zero / total : 0.0},
              {"prune.weights_zeroed", zero}};
  }

  MagnitudePruneOptions o_;
  std::vector<Layer> layers_;
  bool pruned_ = false;
  std::map<std::string, double> facts_;
};

}  // namespace

std::unique_ptr<Method> make_magnitude_prune(const MagnitudePruneOptions& o) { return std::make_unique<MagnitudePrune>(o); }

void register_magnitude_prune(Registries& r) {
  EntryMeta meta;
  meta.example_options = "{at_step: 1000}";
  meta.example_change_options = "{at_step: 4, sparsity: 0.5}";  // the facet test: pruned at step 4 of 8
  meta.example_trains = R"({head}.*)";
  meta.example_trains_per_block = 0;
  add_entry<MagnitudePruneOptions>(r.methods, "magnitude_prune",
                                   "unstructured magnitude pruning of Linear weights to a sparsity (masks kept)",
                                   [](const MagnitudePruneOptions& o) { return make_magnitude_prune(o); }, meta);
}

}  // namespace adaptlab
