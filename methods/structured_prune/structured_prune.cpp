#include "methods/structured_prune/structured_prune.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/model/backbone.h"
#include "framework/model/method_facets.h"
#include "framework/model/pruning.h"
#include "framework/registry/registries.h"

namespace adaptlab {

std::vector<std::vector<int64_t>> keep_highest(const std::vector<std::vector<double>>& scores, double share, bool global) {
  std::vector<std::vector<int64_t>> keep(scores.size());
  // (score, group, index), lowest first; ties by position.
  auto rank_and_drop = [&](std::vector<std::tuple<double, size_t, int64_t>> items) {
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    const auto drop = static_cast<size_t>(std::llround(share * static_cast<double>(items.size())));
    for (size_t i = drop; i < items.size(); ++i) keep[std::get<1>(items[i])].push_back(std::get<2>(items[i]));
  };
  if (global) {
    std::vector<std::tuple<double, size_t, int64_t>> all;
    for (size_t g = 0; g < scores.size(); ++g)
      for (size_t i = 0; i < scores[g].size(); ++i) all.emplace_back(scores[g][i], g, static_cast<int64_t>(i));
    rank_and_drop(std::move(all));
  } else {
    for (size_t g = 0; g < scores.size(); ++g) {
      std::vector<std::tuple<double, size_t, int64_t>> one;
      for (size_t i = 0; i < scores[g].size(); ++i) one.emplace_back(scores[g][i], g, static_cast<int64_t>(i));
      rank_and_drop(std::move(one));
    }
  }
  for (auto& k : keep) std::sort(k.begin(), k.end());
  return keep;
}

namespace {

constexpr const char* kHeadGate = "prune_head_gate";
constexpr const char* kUnitGate = "prune_unit_gate";

std::vector<double> host(const at::Tensor& t) {
  const auto c = t.detach().to(at::kCPU, at::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

class StructuredPrune : public Method, public TrainingHooks, public StructureChange {
 public:
  explicit StructuredPrune(StructuredPruneOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    for (int i = 0; i < b.num_blocks(); ++i) {
      prefixes_.push_back(b.block_prefix(i));
      heads_.push_back(b.block(i).num_heads());
      units_.push_back(b.block(i).ffn_dim());
      if (o_.score != "first_order") continue;
      head_gates_.push_back(std::make_shared<HeadGate>(b.block(i).num_heads()));
      unit_gates_.push_back(std::make_shared<UnitGate>(b.block(i).ffn_dim()));
      b.block(i).add_attn_probs_op(kHeadGate, head_gates_.back());
      b.block(i).add_ffn_act_op(kUnitGate, unit_gates_.back());
      head_scores_.push_back(at::zeros({b.block(i).num_heads()}, at::kDouble));
      unit_scores_.push_back(at::zeros({b.block(i).ffn_dim()}, at::kDouble));
    }
  }

  std::vector<std::string> trainable(Backbone& b) override {
    return o_.train_head ? b.parameters_named("", true) : std::vector<std::string>{};
  }

  // The gates need gradients (they score) but are never optimised: they stay 1.
  std::vector<std::string> observed(Backbone&) override {
    std::vector<std::string> out;
    if (pruned_ || o_.score != "first_order") return out;
    for (const auto& p : prefixes_) out.insert(out.end(), {p + kHeadGate + ".gate", p + kUnitGate + ".gate"});
    return out;
  }

  void after_backward(Backbone&, const TrainState& st) override {
    if (pruned_ || o_.score != "first_order" || st.step <= o_.at_step - o_.score_steps || st.step > o_.at_step) return;
    at::NoGradGuard g;
    for (size_t i = 0; i < head_gates_.size(); ++i) {  // |g · ∂L/∂g| with g = 1, summed over the batches
      if (head_gates_[i]->gate.grad().defined())
        head_scores_[i] += (head_gates_[i]->gate * head_gates_[i]->gate.grad()).abs().to(at::kCPU, at::kDouble);
      if (unit_gates_[i]->gate.grad().defined())
        unit_scores_[i] += (unit_gates_[i]->gate * unit_gates_[i]->gate.grad()).abs().to(at::kCPU, at::kDouble);
    }
  }

  void on_step(Backbone& b, const TrainState& st) override {
    if (pruned_ || st.step != o_.at_step) return;
    std::vector<std::vector<double>> hs, us;
    if (o_.score == "random") {
      at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(o_.seed));
      for (size_t i = 0; i < heads_.size(); ++i) {
        hs.push_back(host(at::rand({heads_[i]}, gen, at::kDouble)));
        us.push_back(host(at::rand({units_[i]}, gen, at::kDouble)));
      }
    } else {
      for (size_t i = 0; i < heads_.size(); ++i) {
        hs.push_back(host(head_scores_[i]));
        us.push_back(host(unit_scores_[i]));
      }
    }
    BlockKeep k{keep_highest(hs, o_.heads, o_.head_scope == "global"), keep_highest(us, o_.ffn, o_.ffn_scope == "global")};
    apply(b, k);
    log::info("structured_prune ({}): after step {}: {} of {} heads, {} of {} FFN units kept", o_.score, o_.at_step,
              facts_["prune.heads_kept"], facts_["prune.heads_total"], facts_["prune.units_kept"],
              facts_["prune.units_total"]);
    if (st.structure_changed) st.structure_changed();
  }

  std::map<std::string, double> structure_summary() const override { return facts_; }
  nlohmann::json saved_structure() const override {
    if (!pruned_) return nlohmann::json::object();
    return {{"structure", block_keep_json(keep_)}};
  }
  void restore_structure(Backbone& b, const nlohmann::json& saved) override {
    if (saved.contains("structure")) apply(b, block_keep_of_json(saved.at("structure"), b.num_blocks()));
  }

 private:
  void apply(Backbone& b, const BlockKeep& k) {
    double hk = 0, ht = 0, uk = 0, ut = 0;
    for (int i = 0; i < b.num_blocks(); ++i) {
      ht += static_cast<double>(b.block(i).num_heads());
      ut += static_cast<double>(b.block(i).ffn_dim());
      hk += static_cast<double>(k.heads[i].size());
      uk += static_cast<double>(k.units[i].size());
      if (!head_gates_.empty()) {
        b.block(i).remove_op(kHeadGate);
        b.block(i).remove_op(kUnitGate);
      }
    }
    head_gates_.clear();
    unit_gates_.clear();
    apply_block_keep(b, k);
    pruned_ = true;
    keep_ = k;
    facts_ = {{"prune.step", static_cast<double>(o_.at_step)}, {"prune.heads_kept", hk}, {"prune.heads_total", ht},
              {"prune.units_kept", uk}, {"prune.units_total", ut}};
  }

  StructuredPruneOptions o_;
  std::vector<std::string> prefixes_;
  std::vector<int64_t> heads_, units_;
  std::vector<std::shared_ptr<HeadGate>> head_gates_;
  std::vector<std::shared_ptr<UnitGate>> unit_gates_;
  std::vector<at::Tensor> head_scores_, unit_scores_;  // float64, host
  bool pruned_ = false;
  BlockKeep keep_;
  std::map<std::string, double> facts_;
};

}  // namespace

std::unique_ptr<Method> make_structured_prune(const StructuredPruneOptions& o) {
  return std::make_unique<StructuredPrune>(o);
}

void register_structured_prune(Registries& r) {
  EntryMeta meta;  // the contract test: before the pruning step, it trains the head only
  meta.example_options = "{at_step: 1000}";
  meta.example_change_options = "{score: first_order, heads: 0.25, ffn: 0.25, at_step: 4, score_steps: 2}";  // the facet test: pruned at step 4 of 8
  meta.example_trains = R"({head}.*)";
  meta.example_trains_per_block = 0;
  add_entry<StructuredPruneOptions>(r.methods, "structured_prune",
                                    "structured pruning of heads and FFN units (first-order or random scores)",
                                    [](const StructuredPruneOptions& o) { return make_structured_prune(o); }, meta);
}

}  // namespace adaptlab
