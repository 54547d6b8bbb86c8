// Training hyper-parameters (torch-free, so sweep expansion can resolve them).
#pragma once
#include <algorithm>
#include <string>
#include <vector>

namespace adaptlab {

struct TrainOptions {
  int epochs = 10;                 // passes over the train split
  int max_steps = 0;               // > 0: train exactly this many optimiser steps instead (epochs follow)
  int batch_size = 64;             // examples per optimiser step
  double lr = 1e-3;                // peak learning rate (AdamW)
  double weight_decay = 1e-4;      // AdamW decoupled weight decay (not on biases / norms / 1-d tensors)
  double warmup_epochs = 1.0;      // linear warm-up from warmup_lr to lr, in epochs
  double warmup_lr = 0.0;          // learning rate the warm-up starts from
  int warmup_steps = 0;            // > 0: the warm-up in optimiser steps instead of warmup_epochs
  double min_lr = 0.0;             // cosine schedule floor
  std::string schedule = "step";   // step | timm_epoch (see lr_at)
  double beta1 = 0.9;              // AdamW beta1
  double beta2 = 0.999;            // AdamW beta2
  double grad_clip = 0.0;          // max global gradient norm; 0 = no clipping
  int eval_batch_size = 256;       // examples per evaluation batch
  int eval_every = 1;              // evaluate eval_splits every N epochs (and always after the last)
  int eval_offset = 0;             // ... at the epochs e (1-based) with (e - eval_offset) % eval_every == 0
  std::vector<std::string> eval_splits = {"val"};  // the splits evaluated during training: val and/or test
  int log_every = 25;              // read the losses back from the device and report progress every N steps
  std::string precision = "fp32";  // fp32 | bf16 | fp16 (autocast; loss scaling for fp16), training and evaluation
  bool drop_last = false;          // leave out each epoch's last partial training batch
  int prefetch = 2;                // batches gathered / decoded ahead of the model on a background thread
  int checkpoint_every = 0;        // > 0: save a resumable checkpoint after every N-th epoch (0: none)

  template <class V>
  void visit(V& v) {
    v("epochs", epochs, "passes over the train split");
    v("max_steps", max_steps,
      "> 0: train exactly this many optimiser steps instead of `epochs` (as many epochs as they take, the last "
      "cut short; the schedule spans these steps)");
    v("batch_size", batch_size, "examples per optimiser step");
    v("lr", lr, "peak learning rate (AdamW)");
    v("weight_decay", weight_decay, "AdamW weight decay (not applied to 1-d tensors)");
    v("warmup_epochs", warmup_epochs, "linear warm-up length in epochs");
    v("warmup_lr", warmup_lr, "learning rate the warm-up starts from");
    v("warmup_steps", warmup_steps, "> 0: the warm-up length in optimiser steps (instead of warmup_epochs)");
    v("min_lr", min_lr, "cosine schedule floor");
    v("schedule", schedule,
      "step: warm-up then cosine to min_lr over the remaining steps, updated every step | timm_epoch: as the "
      "NOAH/PYRA scripts, timm's CosineLRScheduler (cosine over all epochs, warm-up from warmup_lr, no warm-up "
      "prefix) stepped once after each epoch with that epoch's index, so epoch e trains at its value for e-1 | "
      "linear: as transformers' get_linear_schedule_with_warmup (warm-up from warmup_lr, then linear decay to "
      "min_lr at the last step)");
    v("beta1", beta1, "AdamW beta1");
    v("beta2", beta2, "AdamW beta2");
    v("grad_clip", grad_clip, "max global gradient norm (0 = off)");
    v("eval_batch_size", eval_batch_size, "examples per evaluation batch");
    v("eval_every", eval_every, "evaluate eval_splits every N epochs (and after the last)");
    v("eval_offset", eval_offset,
      "evaluate after the epochs e (counted from 1) where e - eval_offset is a multiple of eval_every: 0 gives "
      "N, 2N, ...; 1 gives 1, N+1, 2N+1, ... as NOAH/PYRA's loop (0-based `epoch % val_interval == 0`); the last "
      "epoch is always evaluated");
    v("eval_splits", eval_splits,
      "the splits evaluated every eval_every epochs, each evaluation recorded with its epoch: [val] (default) | "
      "[val, test] (as NOAH/PYRA, whose loop evaluates the test list every few epochs: tables can then report "
      "max_test or best_val; see `adaptlab table --help`)");
    v.check(!eval_splits.empty() &&
                std::all_of(eval_splits.begin(), eval_splits.end(),
                            [](const std::string& x) { return x == "val" || x == "test"; }) &&
                std::count(eval_splits.begin(), eval_splits.end(), "val") <= 1 &&
                std::count(eval_splits.begin(), eval_splits.end(), "test") <= 1,
            "eval_splits", "must list val and/or test, each at most once");
    v("log_every", log_every,
      "report losses and progress every N optimiser steps (losses stay on the device in between: no per-step "
      "synchronisation; every step's loss is still recorded)");
    v.check(epochs > 0, "epochs", "must be > 0");
    v.check(batch_size > 0, "batch_size", "must be > 0");
    v.check(max_steps >= 0, "max_steps", "must be >= 0 (0: train `epochs` epochs)");
    v.check(max_steps == 0 || schedule != "timm_epoch", "max_steps", "not with schedule: timm_epoch (whole epochs)");
    v.check(lr > 0, "lr", "must be > 0");
    v.check(weight_decay >= 0, "weight_decay", "must be >= 0");
    v.check(warmup_epochs >= 0, "warmup_epochs", "must be >= 0");
    v.check(min_lr >= 0 && min_lr <= lr, "min_lr", "must be in [0, lr]");
    v.check(grad_clip >= 0, "grad_clip", "must be >= 0");
    v.check(eval_batch_size > 0, "eval_batch_size", "must be > 0");
    v.check(eval_every > 0, "eval_every", "must be > 0");
    v.check(eval_offset >= 0 && eval_offset < eval_every, "eval_offset", "must be in [0, eval_every)");
    v.check(log_every > 0, "log_every", "must be > 0");
    v.check(warmup_lr >= 0 && warmup_lr <= lr, "warmup_lr", "must be in [0, lr]");
    v.check(schedule == "step" || schedule == "timm_epoch" || schedule == "linear", "schedule",
            "must be step, timm_epoch or linear");
    v.check(warmup_steps >= 0, "warmup_steps", "must be >= 0");
    v.check(schedule != "timm_epoch" || warmup_steps == 0, "warmup_steps", "not with schedule: timm_epoch (whole epochs)");
    v.check(schedule != "timm_epoch" || warmup_epochs == static_cast<double>(static_cast<int>(warmup_epochs)),
            "warmup_epochs", "must be a whole number of epochs with schedule: timm_epoch");
    v("drop_last", drop_last, "leave out each epoch's last partial training batch (as a DataLoader with drop_last)");
    v("prefetch", prefetch,
      "training / evaluation batches gathered (image sets with cache: false: decoded) ahead of the model on a "
      "background thread; 0: on the training thread");
    v.check(prefetch >= 0, "prefetch", "must be >= 0");
    v("checkpoint_every", checkpoint_every,
      "> 0: after every N-th epoch save a checkpoint into the run's artifact folder (trainable tensors, "
      "optimiser state, step, data order position, generator states), atomically; an interrupted run resumes "
      "from it on the next sweep with the same losses and final tensors as an uninterrupted run");
    v.check(checkpoint_every >= 0, "checkpoint_every", "must be >= 0 (0: no checkpoints)");
    v("precision", precision,
      "fp32 | bf16 | fp16: autocast for training and evaluation (matrix products in the low precision; softmax, "
      "norms, losses in fp32); fp16 adds dynamic loss scaling");
    v.check(precision == "fp32" || precision == "bf16" || precision == "fp16", "precision",
            "must be fp32, bf16 or fp16");
  }
};

// Learning rate at optimiser step `step` (0-based) of `total_steps`. schedule step: linear warm-up over
// `warmup_steps` from warmup_lr to lr (reaching lr at step warmup_steps - 1), then cosine decay from lr
// to min_lr at `total_steps`. schedule timm_epoch: constant within an epoch; epoch e (steps_per_epoch =
// total_steps / epochs) uses t = max(e - 1, 0) and timm's value at t: warmup_lr + t·(lr − warmup_lr) /
// warmup_epochs while t < warmup_epochs, else min_lr + ½(lr − min_lr)(1 + cos(π t / epochs)).
// schedule linear (transformers' get_linear_schedule_with_warmup when warmup_lr = min_lr = 0): step s <
// W: warmup_lr + (lr − warmup_lr)·s / W; then min_lr + (lr − min_lr)·max(0, (T − s) / (T − W)).
double lr_at(const TrainOptions& o, long step, long warmup_steps, long total_steps);

}  // namespace adaptlab
