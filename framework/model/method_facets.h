// Facets of the method contract (framework/model/method.h): what only some methods need. A method
// offers a facet by also deriving from it (`class Pruner : public Method, public TrainingHooks,
// public StructureChange`); the framework asks for it with facet<F>(method), so a method without it
// compiles against nothing more than the core. Each facet's calls have defaults where "nothing" is a
// meaningful answer.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace adaptlab {

class Backbone;
class Method;

struct TrainState {
  int64_t step = 0;         // optimiser steps taken so far
  int64_t total_steps = 0;  // planned optimiser steps
  int epoch = 0;
  // A method that changed which tensors exist or train (e.g. pruning sliced them) calls this from
  // on_step: the trainer then marks the trainable tensors again and builds a fresh optimiser.
  std::function<void()> structure_changed;
};

// Calls into the training loop.
class TrainingHooks {
 public:
  virtual ~TrainingHooks();
  // After every optimiser step.
  virtual void on_step(Backbone& /*backbone*/, const TrainState& /*state*/) {}
  // After each backward pass, before the optimiser step (the gradients are there): e.g. first-order
  // importance scores. `state.step` is the step being taken (1-based).
  // (fp16: only on steps whose gradients are finite; an overflowing step skips it with the update.)
  virtual void after_backward(Backbone& /*backbone*/, const TrainState& /*state*/) {}
  // State-dict names of tensors that need gradients without being optimised (e.g. gates whose gradients
  // score heads); they get requires_grad but no optimiser group.
  virtual std::vector<std::string> observed(Backbone& /*backbone*/) { return {}; }
  // An extra training loss added to the task loss after the forward of `inputs` (e.g. distillation);
  // undefined = none. Called with gradients enabled.
  virtual at::Tensor auxiliary_loss(Backbone& backbone, const at::Tensor& inputs);  // method.cpp
  // False: training leaves the task loss out (only auxiliary losses train), e.g. Variator's label-free
  // plugin pre-training. Any method of the stack saying false drops it.
  virtual bool uses_task_loss() const { return true; }
};

// A change of the model's structure during training (pruning) that a saved run must replay before its
// tensors load. Having this facet is what "the method prunes" means: the measurement phase then also
// measures the model as built, before the change (names with ".before_prune").
class StructureChange {
 public:
  virtual ~StructureChange();
  // The change as typed JSON (an object; empty = nothing changed yet), saved beside the tensors.
  virtual nlohmann::json saved_structure() const = 0;
  // Brings a freshly built (and attached) model to the saved structure, before its tensors load.
  virtual void restore_structure(Backbone& backbone, const nlohmann::json& saved) = 0;
  // After the tensors were loaded (e.g. re-apply weight masks to frozen weights the file does not hold).
  virtual void after_load(Backbone& /*backbone*/) {}
  // Facts about the change for the run's summary ("prune.heads_kept", ...).
  virtual std::map<std::string, double> structure_summary() const { return {}; }
};

// Named inference configurations one trained model offers (Variator's compression rates). The run
// evaluates every one (test.acc.<name>, throughput.eval.<name>) after the default evaluation, then
// selects the default again.
class InferenceVariants {
 public:
  virtual ~InferenceVariants();
  virtual std::vector<std::string> variant_names() const = 0;
  virtual void select_variant(const std::string& name) = 0;
  // The variant a model runs in unless told otherwise.
  virtual std::string default_variant() const { return variant_names().front(); }
};

// The facet F of a method, or null when it does not offer it.
template <class F>
F* facet(Method* m) {
  return dynamic_cast<F*>(m);
}

}  // namespace adaptlab
