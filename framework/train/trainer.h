// Fits a backbone with its attached methods: AdamW, warm-up + cosine, optional grad clipping,
// validation during training, top-1 accuracy and cross-entropy loss.
#pragma once
#include <ATen/core/Reduction.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <atomic>
#include <map>
#include <stdexcept>
#include <memory>
#include <string>
#include <vector>

#include "framework/data/dataset.h"
#include "framework/train/events.h"
#include "framework/train/options.h"
#include "framework/registry/method_optim.h"
#include "framework/train/precision.h"

namespace torch::optim {
class AdamW;
}

namespace adaptlab {

class Backbone;
class Method;

struct EvalResult {
  double loss = 0.0;  // mean task loss (cross-entropy; mean squared error for regression)
  double acc = 0.0;   // top-1 accuracy in [0, 1] (NaN for regression)
  int64_t n = 0;      // examples evaluated
  std::map<std::string, double> metrics;  // the dataset's metrics (Dataset::compute_metrics)
  std::string main;                       // the main one's name (Dataset::metric_names().front())
  double score = 0.0;                     // its value
};

// The task loss of outputs [B, C] against labels: cross-entropy for class labels (int64), mean squared
// error of the single output for float labels (regression); computed in float32, or in float64 for a
// float64 model (loss_dtype), so that a float64 training step carries no float32 rounding.
at::ScalarType loss_dtype(const at::Tensor& outputs);
at::Tensor task_loss(const at::Tensor& outputs, const at::Tensor& labels, at::Reduction::Reduction reduction);

// Freezes every parameter of `backbone`, then unfreezes the union of the methods' trainable names (and
// their observed ones: gradients without optimisation). Returns the trainable set (sorted). An unknown
// name is an error.
std::vector<std::string> set_trainable(Backbone& backbone, const std::vector<Method*>& methods);

// For each trainable parameter, the index of the method that trains it (the first in the stack that
// names it): its optimiser settings (MethodOptim) apply.
std::map<std::string, int> trainable_owners(Backbone& backbone, const std::vector<Method*>& methods);

// Stacking rules, checked before anything attaches: at most one token-merging method; prompt methods
// come before it (prompts must exist when merging plans its token counts). `names`: the methods' names.
void check_method_stack(const std::vector<Method*>& methods, const std::vector<std::string>& names);

// Loss and accuracy of a split, in batches, without gradients, under `precision` (autocast).
EvalResult evaluate(Backbone& backbone, const Dataset& data, Split split, int batch_size, c10::Device device,
                    Precision precision = Precision::fp32, int prefetch = 2);

// Optimiser steps one at a time with the run's optimiser groups (per method lr / weight decay), its
// warm-up + cosine schedule over `total_steps`, precision (autocast; loss scaling for fp16) and
// gradient clipping. fit() trains with it; the measurement phase times it.
class Stepper {
 public:
  // `optim`: each method's optimiser settings (method_optim of its options; missing: the run's).
  Stepper(Backbone& backbone, const std::vector<Method*>& methods, const TrainOptions& o, c10::Device device,
          int64_t total_steps, int64_t warmup_steps, const std::vector<MethodOptim>& optim = {});
  ~Stepper();
  // Forward, the task loss plus the methods' auxiliary losses, backward, clipping, AdamW, on a batch
  // already on the device. Returns the loss, detached, still on the device (no host synchronisation;
  // fp16 reads one flag back to skip a step whose gradients overflowed: no optimiser step and no
  // after_backward; the gradients methods read, observed tensors' included, are unscaled).
  at::Tensor step(const at::Tensor& inputs, const at::Tensor& labels);
  int64_t steps() const;  // steps taken
  // Marks the trainable tensors again and builds a fresh optimiser over them (after a method changed
  // the model's structure); the schedule goes on from the current step.
  void rebuild();
  double lr() const;      // the base learning rate of the last step
  // fp16: the loss scaler's current scale (65536 at first; halved by each overflowing step, doubled
  // after 2000 clean ones in a row); 1 without loss scaling (fp32, bf16). Reads it back from the device.
  double loss_scale() const;
  // The optimiser (its per-parameter state is what a checkpoint saves) and the step count (the
  // schedule's position), set back when a run resumes from a checkpoint.
  torch::optim::AdamW& optimizer();
  void set_steps(int64_t steps);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Epoch-boundary checkpoints (train.checkpoint_every) and resuming from them. With a path and
// checkpoint_every N > 0, fit saves after every N-th epoch (not the last; and on a stop request, below) into `path`, atomically (a
// temporary renamed over it: the previous checkpoint stays valid until the new one is whole): the
// trainable tensors and buffers, AdamW's state, the step (the schedule's position), the epoch (the data
// order's position), the states of the epoch-order generator and of the default CPU generator (dropout),
// and every metric event emitted so far. When `path` exists at the start, fit loads it, emits the saved
// events again and goes on from there: the run's events and final tensors equal an uninterrupted run's
// (bit-exact on CPU). After the last epoch the checkpoint is removed. Methods keeping state elsewhere
// (TrainingHooks, StructureChange, InferenceVariants: pruning, Variator) and fp16 (the loss scaler) are
// refused: an error naming the method.
struct Checkpointing {
  std::string path;                        // the checkpoint file; "" = none
  std::vector<std::string> method_names;   // for errors (default "method <k>")
  int64_t resumed_from_step = 0;           // out: the step fit resumed from (0: from the start)
  int saves = 0;                           // out: checkpoints written
  double save_s = 0.0;                     // out: seconds spent writing them
  int64_t bytes = 0;                       // out: the size of the last one
};

// A stop request (SIGTERM / SIGUSR1 before a pre-emption or a time limit; set from a signal handler):
// while it is nonzero, a fit that checkpoints saves after the step in progress (mid-epoch: the position
// in the epoch's order too) and throws TrainingStopped; the next attempt resumes from that step.
std::atomic<int>& training_stop_request();
struct TrainingStopped : std::runtime_error {
  int64_t step;
  explicit TrainingStopped(int64_t s);
};

// Trains with the options; `seed` fixes the shuffling. Emits train loss/lr per step (read back from the
// device every train.log_every steps, not at each step), val loss/acc per evaluation, and progress at
// each of those reports. Returns the number of optimiser steps taken.
// `optim`: each method's optimiser settings (as for Stepper).
int64_t fit(Backbone& backbone, const std::vector<Method*>& methods, const Dataset& data, const TrainOptions& o,
            uint64_t seed, c10::Device device, const MetricSink& sink, const ProgressSink& progress = {},
            const std::vector<MethodOptim>& optim = {}, Checkpointing* checkpoint = nullptr);

}  // namespace adaptlab
