// The measurement phase: what a trained run costs, measured alone on its device (the sweep driver
// runs it when no other run uses the device; `adaptlab measure` re-runs it from the saved tensors).
// Summary names (see results/README.md):
//   throughput.eval (samples/s: median of `repeats` passes over fixed batches already on the device,
//     after warm-up), throughput.eval.min / .max, latency.b1 (s, median at batch 1), flops.forward
//     (FLOPs per sample, from the shapes that flow), memory.peak.eval (bytes);
//   throughput.train (samples/s at train.batch_size), time.step.train (s, median optimiser step),
//   memory.peak.train (bytes).
// Variants (Variator's rates, ...) get the inference names with ".<variant>" appended.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <map>
#include <string>
#include <vector>

#include "framework/core/records.h"
#include "framework/measure/options.h"
#include "framework/train/options.h"
#include "framework/train/precision.h"

#include "framework/registry/method_optim.h"

namespace adaptlab {

class Backbone;
class Method;
class Dataset;

struct MeasureInputs {
  Backbone& backbone;                  // methods attached, trained weights loaded
  const std::vector<Method*>& methods;
  const Dataset& data;
  const TrainOptions& train;
  const MeasureOptions& options;
  c10::Device device;
  std::vector<MethodOptim> optim = {};  // the methods' optimiser settings (the timed steps' groups)
};

// The precision measurement runs at: measure.precision, else train.precision.
Precision measure_precision(const TrainOptions& train, const MeasureOptions& m);

// Training cost: a fresh optimiser over the trainable tensors, `train_warmup` + `train_steps` steps on
// fixed train batches (weights change: measure training before inference, or reload them).
void measure_training(const MeasureInputs& in, Summary& s, const std::string& suffix = "");

// Inference cost of the model as it is now (after prepare_inference); names get `suffix` (".k4").
void measure_inference(const MeasureInputs& in, const std::string& suffix, Summary& s);

// A measured figure must be there, finite and positive; otherwise an error naming it (a measurement
// that timed nothing is not a number).
void require_measured(const Summary& s, const std::string& name);

// FLOPs per sample of one forward of `inputs` (a batch already on the device), under no-grad eval; with
// `sections`, also per part the backbone names (FlopSection: T5's "encoder" and "decoder"), per sample.
double forward_flops(Backbone& backbone, const at::Tensor& inputs, Summary* sections = nullptr);

}  // namespace adaptlab
