// Light-PEFT (Gu et al. 2024, arXiv 2406.03792): early pruning of the backbone and of the PEFT modules.
// A short estimation stage trains LoRA with learnable head and FFN-unit masks under an L1 penalty and
// scores the LoRA modules and ranks; then heads, units, modules and ranks are pruned (the pretrained
// weights and the LoRA tensors sliced consistently), the masks dropped, and training goes on with the
// smaller model. What is implemented, the equations and the choices made: README.md.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "framework/model/method.h"

namespace adaptlab {

struct LightPeftOptions {
  int rank = 8;                 // LoRA rank r
  double alpha = 16.0;          // LoRA scale alpha / r
  double dropout = 0.05;        // dropout on the LoRA branch input
  std::vector<std::string> targets = {"attn.q", "attn.k", "attn.v", "attn.proj", "mlp.fc1", "mlp.fc2"};
  int estimation_steps = 800;   // optimiser steps of the estimation stage; pruning happens after the last
  double l1 = 1e-4;             // λ of the L1 penalty on the masks
  double p_att = 0.333333333;   // share of heads pruned (per layer by default)
  double p_ffn = 0.333333333;   // share of FFN units pruned (over all layers by default)
  double p_mod = 0.75;          // share of LoRA modules removed
  double p_rank = 0.5;          // share of the kept modules' ranks removed (over all of them by default)
  std::string att_scope = "layer";    // layer | global: where the head quantile is taken
  std::string ffn_scope = "global";   // layer | global
  std::string rank_scope = "global";  // module | global
  bool train_head = true;       // the classifier head trains too

  template <class V>
  void visit(V& v) {
    v("rank", rank, "LoRA rank r");
    v("alpha", alpha, "LoRA scale = alpha / rank (kept when ranks are pruned, as the released code)");
    v("dropout", dropout, "dropout on the LoRA branch input");
    v("targets", targets, "LoRA attach points (canonical Linear points or checkpoint layer names)");
    v("estimation_steps", estimation_steps, "optimiser steps of the estimation stage (800 in the released scripts)");
    v("l1", l1, "λ of the L1 penalty λ·Σ(|m_att| + |m_ffn|) on the masks");
    v("p_att", p_att, "share of attention heads pruned");
    v("p_ffn", p_ffn, "share of FFN units pruned");
    v("p_mod", p_mod, "share of LoRA modules removed (by module importance)");
    v("p_rank", p_rank, "share of ranks removed from the kept modules (by first-order importance)");
    v("att_scope", att_scope, "layer (a quantile per layer, the released code) or global");
    v("ffn_scope", ffn_scope, "global (the released scripts) or layer");
    v("rank_scope", rank_scope, "global (the released scripts) or module");
    v("train_head", train_head, "train the classifier head");
    v.check(rank > 0, "rank", "must be > 0");
    v.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
    v.check(!targets.empty(), "targets", "must name at least one attach point");
    v.check(estimation_steps > 0, "estimation_steps", "must be > 0");
    v.check(l1 >= 0, "l1", "must be >= 0");
    for (const auto* p : {&p_att, &p_ffn, &p_mod, &p_rank})
      v.check(*p >= 0 && *p < 1, p == &p_att ? "p_att" : p == &p_ffn ? "p_ffn" : p == &p_mod ? "p_mod" : "p_rank",
              "must be in [0, 1)");
    v.check(att_scope == "layer" || att_scope == "global", "att_scope", "must be layer or global");
    v.check(ffn_scope == "layer" || ffn_scope == "global", "ffn_scope", "must be layer or global");
    v.check(rank_scope == "module" || rank_scope == "global", "rank_scope", "must be module or global");
  }
};

std::unique_ptr<Method> make_lightpeft(const LightPeftOptions& options);

}  // namespace adaptlab
