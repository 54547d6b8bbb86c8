// The method contract: a plugin that changes a backbone through its hook points (framework/model/block.h;
// docs/architecture.md says how to write one).
#pragma once
#include <cstdint>
#include <functional>
#include <utility>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace adaptlab {

class Backbone;

// What a method does to the token sequence, for stacking checks (check_method_stack).
enum class TokenRole {
  none,    // leaves the sequence as it is
  merge,   // merges tokens (ToMe, PYRA): one per run
  prompt,  // inserts prompt tokens (VPT): before any merging method, which must protect them
};

struct TrainState {
  int64_t step = 0;         // optimiser steps taken so far
  int64_t total_steps = 0;  // planned optimiser steps
  int epoch = 0;
};

// Per-method optimiser settings, read from every method's options (keys lr, weight_decay, decay_1d)
// by add_method (framework/registry/registries.h).
struct MethodOptim {
  double lr = 0.0;            // peak learning rate of this method's tensors; 0 = the run's train.lr
  double weight_decay = -1.0; // AdamW weight decay of its matrices; -1 = the run's train.weight_decay
  bool decay_1d = false;      // also decay its biases, norms and other 1-d tensors

  template <class V>
  void visit(V& v) {
    v("lr", lr, "peak learning rate of this method's tensors (0: train.lr)");
    v("weight_decay", weight_decay, "weight decay of this method's matrices (-1: train.weight_decay)");
    v("decay_1d", decay_1d, "also apply weight decay to its biases, norms and other 1-d tensors");
    v.check(lr >= 0, "lr", "must be >= 0 (0: use train.lr)");
    v.check(weight_decay >= 0 || weight_decay == -1.0, "weight_decay", "must be >= 0 (or -1: train.weight_decay)");
  }
};

class Method {
 public:
  MethodOptim optim;

  virtual ~Method() = default;
  // Wrap Linear layers, add modules, add token operations.
  virtual void attach(Backbone& backbone) = 0;
  // State-dict names of the parameters this method trains (the framework freezes the rest).
  virtual std::vector<std::string> trainable(Backbone& backbone) = 0;
  // Called after every optimiser step.
  virtual void on_step(Backbone& /*backbone*/, const TrainState& /*state*/) {}
  // Make inference cheap without changing outputs (merge LoRA, drop pruned heads, ...).
  virtual void prepare_inference(Backbone& /*backbone*/) {}
  // What the method does to the token sequence, for stacking checks.
  virtual TokenRole token_role() const { return TokenRole::none; }
  // An extra training loss added to the task loss after the forward of `inputs` (e.g. distillation);
  // undefined = none. Called with gradients enabled.
  virtual at::Tensor auxiliary_loss(Backbone& backbone, const at::Tensor& inputs);  // method.cpp
  // Named inference configurations one trained model offers (e.g. Variator's compression rates): each
  // function switches the model to it. The run evaluates every one (test.acc.<name>,
  // throughput.eval.<name>) after the default evaluation, then switches back to the first.
  virtual std::vector<std::pair<std::string, std::function<void()>>> variants() { return {}; }
};

}  // namespace adaptlab
