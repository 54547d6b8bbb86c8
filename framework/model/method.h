// The method contract: a plugin that changes a backbone through its hook points (framework/model/block.h;
// docs/architecture.md says how to write one). The core is four calls every method has; what only some
// methods need is a facet (framework/model/method_facets.h) that a method offers by also deriving from
// it: training hooks, a structure change a saved run must replay (pruning), inference variants.
#pragma once
#include <string>
#include <vector>

namespace adaptlab {

class Backbone;

// What a method does to the token sequence, for stacking checks (check_method_stack).
enum class TokenRole {
  none,    // leaves the sequence as it is
  merge,   // merges tokens (ToMe, PYRA): one per run
  prompt,  // inserts prompt tokens (VPT): before any merging method, which must protect them
};

class Method {
 public:
  virtual ~Method();
  // Wrap Linear layers, add modules, add token operations.
  virtual void attach(Backbone& backbone) = 0;
  // State-dict names of the parameters this method trains (the framework freezes the rest).
  virtual std::vector<std::string> trainable(Backbone& backbone) = 0;
  // Make inference cheap without changing outputs (merge LoRA, drop pruned heads, ...).
  virtual void prepare_inference(Backbone& /*backbone*/) {}
  // What the method does to the token sequence, for stacking checks.
  virtual TokenRole token_role() const { return TokenRole::none; }
};

}  // namespace adaptlab
