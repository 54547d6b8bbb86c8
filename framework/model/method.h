// The method contract: a plugin that changes a backbone (see ../shared/DESIGN.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace adaptlab {

class Backbone;

struct TrainState {
  int64_t step = 0;         // optimiser steps taken so far
  int64_t total_steps = 0;  // planned optimiser steps
  int epoch = 0;
};

class Method {
 public:
  virtual ~Method() = default;
  // Wrap Linear layers, add modules, add token operations.
  virtual void attach(Backbone& backbone) = 0;
  // State-dict names of the parameters this method trains (the framework freezes the rest).
  virtual std::vector<std::string> trainable(Backbone& backbone) = 0;
  // Called after every optimiser step.
  virtual void on_step(Backbone& /*backbone*/, const TrainState& /*state*/) {}
  // Make inference cheap without changing outputs (merge LoRA, drop pruned heads, ...).
  virtual void prepare_inference(Backbone& /*backbone*/) {}
};

}  // namespace adaptlab
