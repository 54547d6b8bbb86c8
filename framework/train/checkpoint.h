// Saving and loading train.checkpoint_every checkpoints (fit's internals; see Checkpointing in trainer.h).
#pragma once
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

#include "framework/core/records.h"
#include "framework/train/options.h"
#include "framework/train/trainer.h"

namespace adaptlab::checkpoint {

// Methods whose state lives outside the trainable tensors and the optimiser, and fp16 (the loss
// scaler's state), cannot be checkpointed yet: an error naming the method rather than a wrong resume.
void check_checkpointable(const std::vector<Method*>& methods, const TrainOptions& o, const Checkpointing& c);

at::Tensor generator_state(at::Generator g);
void set_generator_state(at::Generator g, const at::Tensor& state);

// Where in the data order a checkpoint stands: `epoch` (0-based) with `batches` of it done; `order` the
// epoch-order generator's state before that epoch's permutation; Σ loss·batch and Σ batch of the epoch so far.
struct Position {
  int epoch = 0;
  int64_t batches = 0;
  at::Tensor order;
  double epoch_sum = 0.0;
  int64_t epoch_n = 0;
};

// Everything the rest of training depends on (trainable tensors, buffers, AdamW state, step, position,
// generator states, the events so far) into c.path, atomically; updates c's figures.
void save_checkpoint(Checkpointing& c, Backbone& backbone, Stepper& stepper, const Position& pos, c10::Device device,
                     const std::vector<MetricEvent>& history);

// Loads c.path into a run built the same way (sets the tensors, the optimiser state, the step, the default
// generators; fills `history`; sets c.resumed_from_step); returns where it stands.
Position load_checkpoint(Checkpointing& c, Backbone& backbone, Stepper& stepper, c10::Device device,
                         std::vector<MetricEvent>& history);

}  // namespace adaptlab::checkpoint
