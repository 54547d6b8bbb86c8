// Unstructured magnitude pruning: at a given step, the smallest-magnitude share of the targeted Linear
// weights is set to zero (over all of them, or per layer) and kept at zero by a mask for the rest of
// training (re-applied after every optimiser step when the weights train). Reported as sparsity only:
// dense kernels still run every zero, so it claims no speed (FLOPs count the dense products).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "framework/model/method.h"

namespace adaptlab {

struct MagnitudePruneOptions {
  double sparsity = 0.5;     // share of the targeted weights set to zero
  std::string scope = "global";  // global | layer
  std::vector<std::string> targets = {"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"};  // whole Linear layers
  int at_step = 1;           // prune after this optimiser step
  bool train_head = true;    // train the classifier head (so that it can run alone)

  template <class V>
  void visit(V& v) {
    v("sparsity", sparsity, "share of the targeted Linear weights set to zero");
    v("scope", scope, "global (one magnitude threshold over every targeted layer) or layer");
    v("targets", targets, "Linear points whose whole weight is pruned (attn.qkv names q, k and v together)");
    v("at_step", at_step, "optimiser step after which the weights are pruned");
    v("train_head", train_head, "train the classifier head");
    v.check(sparsity >= 0 && sparsity < 1, "sparsity", "must be in [0, 1)");
    v.check(scope == "global" || scope == "layer", "scope", "must be global or layer");
    v.check(!targets.empty(), "targets", "must name at least one Linear point");
    v.check(at_step > 0, "at_step", "must be > 0");
  }
};

std::unique_ptr<Method> make_magnitude_prune(const MagnitudePruneOptions& options);

}  // namespace adaptlab
