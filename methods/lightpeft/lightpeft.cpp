#include "methods/lightpeft/lightpeft.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/model/backbone.h"
#include "framework/model/method_facets.h"
#include "framework/model/low_rank.h"
#include "framework/model/low_rank_attach.h"
#include "framework/model/pruning.h"
#include "framework/registry/registries.h"
#include "methods/lightpeft/lightpeft_ops.h"

namespace adaptlab {
namespace {

constexpr const char* kHeadMask = "head_mask";
constexpr const char* kFfnMask = "ffn_mask";
constexpr const char* kObserver = "lightpeft";

std::vector<double> host_values(const at::Tensor& t) {
  const auto c = t.detach().to(at::kCPU, at::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

class LightPeft : public Method, public TrainingHooks, public StructureChange {
 public:
  explicit LightPeft(LightPeftOptions o) : o_(std::move(o)) {}

  void attach(Backbone& b) override {
    for (auto& lr : attach_low_rank(b, o_.targets, LowRankSpec{o_.rank, o_.alpha / o_.rank, o_.dropout}, "lightpeft")) {
      Module m;
      m.delta_name = lr.delta_name;
      m.prefix = lr.prefix;
      m.layer = lr.layer;
      m.delta = lr.delta;
      modules_.push_back(std::move(m));
    }
    for (int i = 0; i < b.num_blocks(); ++i) {
      auto& blk = b.block(i);
      head_gates_.push_back(std::make_shared<HeadGate>(blk.num_heads()));
      unit_gates_.push_back(std::make_shared<UnitGate>(blk.ffn_dim()));
      blk.add_attn_probs_op(kHeadMask, head_gates_.back());
      blk.add_ffn_act_op(kFfnMask, unit_gates_.back());
      prefixes_.push_back(b.block_prefix(i));
    }
    observe();
  }

  std::vector<std::string> trainable(Backbone& b) override {
    std::vector<std::string> out;
    for (const auto& m : modules_)
      if (m.kept) out.insert(out.end(), {m.prefix + ".lora_A", m.prefix + ".lora_B"});
    if (!pruned_)
      for (const auto& p : prefixes_) out.insert(out.end(), {p + kHeadMask + ".gate", p + kFfnMask + ".gate"});
    if (o_.train_head)
      for (auto& n : b.parameters_named("", true)) out.push_back(n);
    return out;
  }

  at::Tensor auxiliary_loss(Backbone&, const at::Tensor&) override {
    if (pruned_) return {};
    std::vector<at::Tensor> gates;
    for (const auto& g : head_gates_) gates.push_back(g->gate);
    for (const auto& g : unit_gates_) gates.push_back(g->gate);
    return lightpeft::l1_penalty(gates, o_.l1);
  }

  // PEFT importance over the second half of the estimation stage (steps e/2+1 .. e: the released code's
  // imp[len(imp) // 2:]). A non-finite score of one step counts as 0 for that step, as the released code
  // (NaN and ±inf replaced per step, then the mean over the window's steps): one bad step does not erase
  // the others' contribution.
  void after_backward(Backbone&, const TrainState& st) override {
    const int64_t e = o_.estimation_steps;
    if (pruned_ || st.step <= e / 2 || st.step > e) return;
    at::NoGradGuard g;
    const auto finite = [](const at::Tensor& t) { return at::nan_to_num(t, 0.0, 0.0, 0.0); };
    for (auto& m : modules_) {
      if (m.pending.defined()) {
        const auto s = finite(m.pending);
        m.score_sum = m.score_sum.defined() ? m.score_sum + s : s;
      }
      const auto r = finite(low_rank::rank_first_order(m.delta->A, m.delta->B));
      m.rank_sum = m.rank_sum.defined() ? m.rank_sum + r : r;
      ++m.count;
      m.pending = at::Tensor();
    }
  }

  void on_step(Backbone& b, const TrainState& st) override {
    if (pruned_ || st.step != o_.estimation_steps) return;
    prune(b);
    if (st.structure_changed) st.structure_changed();
  }

  void prepare_inference(Backbone& b) override { b.merge_linear_extensions(); }

  nlohmann::json saved_structure() const override {
    if (!pruned_) return nlohmann::json::object();
    nlohmann::json ranks = nlohmann::json::object();
    for (const auto& [prefix, r] : decision_.ranks) ranks[prefix] = r;
    return {{"structure", block_keep_json(decision_.blocks)}, {"ranks", ranks}};
  }

  void restore_structure(Backbone& b, const nlohmann::json& saved) override {
    if (!saved.contains("structure")) return;  // saved before the pruning step (a run shorter than the estimation stage)
    Decision d;
    d.blocks = block_keep_of_json(saved.at("structure"), b.num_blocks());
    const auto& r = saved.at("ranks");
    for (auto it = r.begin(); it != r.end(); ++it) d.ranks[it.key()] = it.value().get<std::vector<int64_t>>();
    apply(b, d);
  }

  std::map<std::string, double> structure_summary() const override { return facts_; }

 private:
  struct Module {
    std::string prefix, delta_name;
    AttachableLinear* layer = nullptr;
    std::shared_ptr<LowRankDelta> delta;
    at::Tensor pending, score_sum, rank_sum;  // on the device until pruning
    int64_t count = 0;
    bool kept = true;
  };
  struct Decision {
    BlockKeep blocks;
    std::map<std::string, std::vector<int64_t>> ranks;  // kept modules → kept ranks
  };

  // Module importance of each training forward: ‖Δ·x‖ / ‖W·x + b‖ over the real tokens.
  void observe() {
    std::map<AttachableLinear*, std::vector<size_t>> by_layer;
    for (size_t k = 0; k < modules_.size(); ++k) by_layer[modules_[k].layer].push_back(k);
    for (auto& [layer, ks] : by_layer) {
      layer->add_observer(kObserver, [this, layer, ks](const at::Tensor&, const at::Tensor& base,
                                                      const std::vector<at::Tensor>& dys, const at::Tensor& mask) {
        if (pruned_ || !layer->is_training()) return;
        const auto& deltas = layer->deltas();
        for (size_t i = 0; i < deltas.size() && i < dys.size(); ++i)
          for (size_t k : ks)
            if (modules_[k].delta_name == deltas[i].name) {
              const auto& r = deltas[i].range;
              const auto rows = r.whole() ? base : base.narrow(-1, r.start, r.length);
              modules_[k].pending = lightpeft::module_ratio(rows.detach(), dys[i].detach(), mask);
            }
      });
    }
  }

  void prune(Backbone& b) {
    Decision d;
    std::vector<std::vector<double>> heads, units;
    for (const auto& g : head_gates_) heads.push_back(host_values(g->gate));
    for (const auto& g : unit_gates_) units.push_back(host_values(g->gate));
    d.blocks.heads = lightpeft::keep_groups(heads, o_.p_att, o_.att_scope == "global");
    d.blocks.units = lightpeft::keep_groups(units, o_.p_ffn, o_.ffn_scope == "global");
    // Modules: mean ratio over the window's steps (each step's score already finite: non-finite → 0).
    std::vector<double> module_scores;
    for (const auto& m : modules_)
      module_scores.push_back(m.count > 0 && m.score_sum.defined()
                                  ? (m.score_sum / static_cast<double>(m.count)).item<double>()
                                  : 0.0);
    const auto kept_modules = modules_.empty() ? std::vector<int64_t>{}
                                               : keep_above(module_scores, quantile_linear(module_scores, o_.p_mod));
    std::vector<std::vector<double>> rank_scores;
    for (int64_t k : kept_modules) {
      const auto& m = modules_[static_cast<size_t>(k)];
      rank_scores.push_back(m.count > 0 ? host_values(m.rank_sum / static_cast<double>(m.count))
                                        : std::vector<double>(static_cast<size_t>(m.delta->rank()), 0.0));
    }
    const auto kept_ranks = lightpeft::keep_groups(rank_scores, o_.p_rank, o_.rank_scope == "global");
    for (size_t i = 0; i < kept_modules.size(); ++i)
      if (!kept_ranks[i].empty()) d.ranks[modules_[static_cast<size_t>(kept_modules[i])].prefix] = kept_ranks[i];
    apply(b, d);
    log::info("lightpeft: pruned after {} steps: {} of {} heads, {} of {} FFN units, {} of {} LoRA modules, {} of {} "
              "ranks kept", o_.estimation_steps, facts_["prune.heads_kept"], facts_["prune.heads_total"],
              facts_["prune.units_kept"], facts_["prune.units_total"], facts_["prune.modules_kept"],
              facts_["prune.modules_total"], facts_["prune.ranks_kept"], facts_["prune.ranks_total"]);
  }

  // Drops the masks, the removed modules and ranks, then slices the blocks (and the kept LoRA tensors
  // with them). The same replay rebuilds a saved run's structure.
  void apply(Backbone& b, const Decision& d) {
    double heads_total = 0, units_total = 0, ranks_total = 0, heads_kept = 0, units_kept = 0, ranks_kept = 0;
    for (int i = 0; i < b.num_blocks(); ++i) {
      heads_total += static_cast<double>(b.block(i).num_heads());
      units_total += static_cast<double>(b.block(i).ffn_dim());
      heads_kept += static_cast<double>(d.blocks.heads[i].size());
      units_kept += static_cast<double>(d.blocks.units[i].size());
      b.block(i).remove_op(kHeadMask);
      b.block(i).remove_op(kFfnMask);
    }
    std::set<AttachableLinear*> observed;  // layers whose observer scored the modules
    for (auto& m : modules_) {
      ranks_total += static_cast<double>(m.delta->rank());
      const auto it = d.ranks.find(m.prefix);
      m.kept = it != d.ranks.end();
      if (!m.kept) {
        m.layer->remove_delta(m.delta_name);
      } else {
        m.delta->keep_ranks(it->second);
        ranks_kept += static_cast<double>(it->second.size());
      }
      observed.insert(m.layer);
      m.pending = m.score_sum = m.rank_sum = at::Tensor();
    }
    for (AttachableLinear* layer : observed) layer->remove_observer(kObserver);
    apply_block_keep(b, d.blocks);
    head_gates_.clear();
    unit_gates_.clear();
    pruned_ = true;
    decision_ = d;
    facts_ = {{"prune.step", static_cast<double>(o_.estimation_steps)},
              {"prune.heads_kept", heads_kept},
              {"prune.heads_total", heads_total},
              {"prune.units_kept", units_kept},
              {"prune.units_total", units_total},
              {"prune.modules_kept", static_cast<double>(d.ranks.size())},
              {"prune.modules_total", static_cast<double>(modules_.size())},
              {"prune.ranks_kept", ranks_kept},
              {"prune.ranks_total", ranks_total}};
  }

  LightPeftOptions o_;
  std::vector<Module> modules_;
  std::vector<std::shared_ptr<HeadGate>> head_gates_;
  std::vector<std::shared_ptr<UnitGate>> unit_gates_;
  std::vector<std::string> prefixes_;  // block state-dict prefixes
  bool pruned_ = false;
  Decision decision_;
  std::map<std::string, double> facts_;
};

}  // namespace

std::unique_ptr<Method> make_lightpeft(const LightPeftOptions& options) { return std::make_unique<LightPeft>(options); }

void register_lightpeft(Registries& r) {
  EntryMeta meta;  // the contract test: the estimation stage (no pruning within its steps)
  meta.example_options = "{rank: 2, alpha: 4, targets: [attn.q, attn.v, mlp.fc1], estimation_steps: 1000}";
  meta.example_change_options = "{rank: 2, alpha: 4, targets: [attn.q, attn.v, mlp.fc1], estimation_steps: 4, p_att: 0.25, p_ffn: 0.25, p_mod: 0.34, p_rank: 0.5}";  // the facet test: pruned at step 4 of 8
  meta.example_trains = R"(.*\.lora_A|.*\.lora_B|.*\.head_mask\.gate|.*\.ffn_mask\.gate|{head}.*)";
  meta.example_trains_per_block = 8;
  add_entry<LightPeftOptions>(r.methods, "lightpeft",
                              "Light-PEFT: LoRA with early pruning of heads, FFN units, LoRA modules and ranks",
                              [](const LightPeftOptions& o) { return make_lightpeft(o); }, meta);
}

}  // namespace adaptlab
