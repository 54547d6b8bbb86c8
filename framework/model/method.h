// The method contract: a plugin that changes a backbone through its hook points (framework/model/block.h;
// docs/architecture.md says how to write one).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
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
  // A method that changed which tensors exist or train (e.g. pruning sliced them) calls this from
  // on_step: the trainer then marks the trainable tensors again and builds a fresh optimiser.
  std::function<void()> structure_changed;
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
  // Called after each backward pass, before the optimiser step (the gradients are there): e.g.
  // first-order importance scores. `state.step` is the step being taken (1-based).
  virtual void after_backward(Backbone& /*backbone*/, const TrainState& /*state*/) {}
  // State-dict names of tensors that need gradients without being optimised (e.g. gates whose
  // gradients score heads); they get requires_grad but no optimiser group.
  virtual std::vector<std::string> observed(Backbone& /*backbone*/) { return {}; }
  // Whether the method changes the model's structure during training (pruning): the measurement phase
  // then also measures the model as built, before it (names with ".before_prune").
  virtual bool prunes() const { return false; }
  // What a run's saved tensors need beside them to be loaded again (e.g. which heads, units, modules and
  // ranks pruning kept), stored in the artifact file's metadata under "<method index>.<key>".
  virtual std::map<std::string, std::string> artifact_metadata() { return {}; }
  // Before saved tensors are loaded into a freshly built model: bring it to the saved structure
  // (replay the pruning) from the metadata artifact_metadata() gave.
  virtual void restore_structure(Backbone& /*backbone*/, const std::map<std::string, std::string>& /*metadata*/) {}
  // After they were loaded (e.g. re-apply weight masks to frozen weights the file does not hold).
  virtual void after_load(Backbone& /*backbone*/) {}
  // Facts about what the method did, added to the run's summary after training (e.g. how much pruning
  // kept: "prune.heads_kept").
  virtual std::map<std::string, double> run_summary() { return {}; }
  // Make inference cheap without changing outputs (merge LoRA, drop pruned heads, ...).
  virtual void prepare_inference(Backbone& /*backbone*/) {}
  // What the method does to the token sequence, for stacking checks.
  virtual TokenRole token_role() const { return TokenRole::none; }
  // An extra training loss added to the task loss after the forward of `inputs` (e.g. distillation);
  // undefined = none. Called with gradients enabled.
  virtual at::Tensor auxiliary_loss(Backbone& backbone, const at::Tensor& inputs);  // method.cpp
  // False: training leaves the task loss out (only the methods' auxiliary losses train), e.g. Variator's
  // label-free plugin pre-training. Any method of the stack saying false drops it.
  virtual bool uses_task_loss() const { return true; }
  // Named inference configurations one trained model offers (e.g. Variator's compression rates): each
  // function switches the model to it. The run evaluates every one (test.acc.<name>,
  // throughput.eval.<name>) after the default evaluation, then switches back to the first.
  virtual std::vector<std::pair<std::string, std::function<void()>>> variants() { return {}; }
};

}  // namespace adaptlab
