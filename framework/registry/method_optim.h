// Per-method optimiser settings: keys every method's options accept (lr, weight_decay, decay_1d; added
// by the method registry), kept beside the method instance, not in it. The trainer gets them with the
// methods (fit, Stepper).
#pragma once
#include <nlohmann/json_fwd.hpp>

namespace adaptlab {

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

// The settings in a method's resolved options (the run config's methods[i] JSON; absent keys: defaults).
MethodOptim method_optim(const nlohmann::json& method_options);

}  // namespace adaptlab
