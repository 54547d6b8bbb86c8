// Structured pruning baselines: attention heads and FFN units removed at a given step — the lowest-
// scored share, physically (the blocks shrink like Light-PEFT's) — scored by first-order importance
// (|g · ∂L/∂g| of a gate g = 1 per head / unit, accumulated over the steps before, Michel et al. 2019)
// or at random (the released Light-PEFT code's control). Trains nothing itself: stack it after a
// method that trains (`methods: [lora, structured_prune]`); LoRA tensors on the pruned layers are
// sliced with them.
#pragma once
#include <memory>
#include <string>

#include "framework/model/method.h"

namespace adaptlab {

struct StructuredPruneOptions {
  std::string score = "first_order";  // first_order | random
  double heads = 0.333333333;         // share of heads removed
  double ffn = 0.333333333;           // share of FFN units removed
  int at_step = 100;                  // prune after this optimiser step
  int score_steps = 20;               // first_order: the steps before at_step whose gradients score
  std::string head_scope = "layer";   // layer (the share in every block) | global
  std::string ffn_scope = "global";   // global | layer
  int seed = 0;                       // random: the scores' seed
  bool train_head = true;             // train the classifier head (so that it can run alone)

  template <class V>
  void visit(V& v) {
    v("score", score, "first_order (|g·dL/dg| of per-head / per-unit gates over score_steps steps) or random");
    v("heads", heads, "share of attention heads removed");
    v("ffn", ffn, "share of FFN units removed");
    v("at_step", at_step, "optimiser step after which the model is pruned");
    v("score_steps", score_steps, "first_order: steps before at_step whose gradients are accumulated");
    v("head_scope", head_scope, "layer (that share in every block) or global");
    v("ffn_scope", ffn_scope, "global or layer");
    v("seed", seed, "random: seed of the scores");
    v("train_head", train_head, "train the classifier head");
    v.check(score == "first_order" || score == "random", "score", "must be first_order or random");
    v.check(heads >= 0 && heads < 1, "heads", "must be in [0, 1)");
    v.check(ffn >= 0 && ffn < 1, "ffn", "must be in [0, 1)");
    v.check(at_step > 0, "at_step", "must be > 0");
    v.check(score_steps > 0, "score_steps", "must be > 0 (at most at_step steps can be used)");
    v.check(head_scope == "layer" || head_scope == "global", "head_scope", "must be layer or global");
    v.check(ffn_scope == "layer" || ffn_scope == "global", "ffn_scope", "must be layer or global");
  }
};

std::unique_ptr<Method> make_structured_prune(const StructuredPruneOptions& options);

// The indices kept when the `share` lowest of `scores` are removed: exactly round(share · n) removed
// (ties: the lower index goes first), sorted; per group, or one ranking over all groups (global).
std::vector<std::vector<int64_t>> keep_highest(const std::vector<std::vector<double>>& scores, double share, bool global);

}  // namespace adaptlab
