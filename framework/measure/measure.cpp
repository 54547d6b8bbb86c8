#include "framework/measure/measure.h"

#include <ATen/ATen.h>

#include <cmath>
#include <functional>
#include <memory>

#include "framework/core/error.h"
#include "framework/data/dataset.h"
#include "framework/measure/flops.h"
#include "framework/measure/memory.h"
#include "framework/measure/timing.h"
#include "framework/model/backbone.h"
#include "framework/train/trainer.h"

namespace adaptlab {
namespace {

// `n` examples of a split starting at `from` (wrapping around when the split is shorter), as the model
// takes them on the device, and their labels.
std::pair<at::Tensor, at::Tensor> take(const MeasureInputs& in, Split split, int64_t from, int64_t n) {
  const int64_t size = in.data.size(split);
  AL_CHECK(size > 0, "the {} split to measure on is empty", split_name(split));
  const auto idx = at::remainder(at::arange(from, from + n, at::kLong), size);
  return {in.data.to_inputs(in.data.gather(split, idx).to(in.device)),
          in.data.labels(split).index_select(0, idx).to(in.device)};
}

// Warm-up calls, then windows of `repeats` timed calls until one is calm (measure.max_spread,
// measure.max_wait, measure.max_seconds); `before_window` (untimed) runs before each window.
CalmTiming time_calm(const std::function<void()>& fn, int warmup, int repeats, const MeasureInputs& in,
                     const std::string& what, const std::function<void()>& before_window = {}) {
  for (int i = 0; i < warmup; ++i) fn();
  synchronize(in.device);
  const MeasureOptions& m = in.options;
  return time_until_calm(
      [&] {
        if (before_window) {
          before_window();
          synchronize(in.device);
        }
        return timed_window(fn, repeats, in.device, "timing " + what);
      },
      steady_seconds, CalmBounds{m.max_spread, m.max_wait, m.max_seconds, m.max_windows}, what);
}

}  // namespace

void require_measured(const Summary& s, const std::string& name) {
  const auto it = s.find(name);
  AL_CHECK(it != s.end() && std::isfinite(it->second) && it->second > 0, "measurement: '{}' came out as {}: no "
           "figure was measured", name, it == s.end() ? std::string("nothing") : fmt::format("{}", it->second));
}

Precision measure_precision(const TrainOptions& train, const MeasureOptions& m) {
  return parse_precision(m.precision.empty() ? train.precision : m.precision);
}

double forward_flops(Backbone& backbone, const at::Tensor& inputs, Summary* sections) {
  at::NoGradGuard g;
  const bool was_training = backbone.is_training();
  backbone.eval();
  int64_t total = 0;
  {
    FlopCounter counter;
    backbone.forward(inputs);
    total = counter.total();
    if (sections)
      for (const auto& [name, f] : counter.by_section())
        (*sections)[name] = static_cast<double>(f) / static_cast<double>(inputs.size(0));
  }
  backbone.train(was_training);
  AL_CHECK(total > 0, "measurement: the forward pass ran no matrix product that could be counted");
  return static_cast<double>(total) / static_cast<double>(inputs.size(0));
}

void measure_training(const MeasureInputs& in, Summary& s, const std::string& suffix) {
  TrainOptions o = in.train;
  if (!in.options.precision.empty()) o.precision = in.options.precision;
  const int64_t bs = o.batch_size;
  const int nb = 4;  // distinct fixed batches, cycled
  std::vector<std::pair<at::Tensor, at::Tensor>> batches;
  for (int b = 0; b < nb; ++b)
    batches.push_back(take(in, Split::train, b * bs, bs));
  const int total = in.options.train_warmup + in.options.train_steps;
  in.backbone.train();
  // Each window trains from a fresh optimiser (train_warmup untimed steps, then train_steps timed), so a
  // repeated window never takes the schedule, or a method's step-triggered change, past those steps.
  std::unique_ptr<Stepper> stepper;
  int k = 0;
  const auto step = [&] {
    const auto& [x, y] = batches[static_cast<size_t>(k++ % nb)];
    stepper->step(x, y);
  };
  const auto fresh = [&] {
    stepper.reset();
    stepper = std::make_unique<Stepper>(in.backbone, in.methods, o, in.device, total, 0, in.optim);
    k = 0;
    for (int i = 0; i < in.options.train_warmup; ++i) step();
  };
  synchronize(in.device);
  PeakMemory peak(in.device);
  const CalmTiming t = time_calm(step, 0, in.options.train_steps, in,
                                 "training steps (time.step.train" + suffix + ")", fresh);
  s["memory.peak.train" + suffix] = static_cast<double>(peak.peak_bytes());
  s["time.step.train" + suffix] = t.stats.median;
  s["throughput.train" + suffix] = static_cast<double>(bs) / t.stats.median;
  record_calm(s, "time.step.train", suffix, t);
  record_calm(s, "throughput.train", suffix, t);
  in.backbone.zero_grad();
  for (const char* name : {"time.step.train", "throughput.train", "memory.peak.train"}) require_measured(s, name + suffix);
}

void measure_inference(const MeasureInputs& in, const std::string& suffix, Summary& s) {
  const MeasureOptions& m = in.options;
  const int64_t bs = m.batch_size > 0 ? m.batch_size : in.train.eval_batch_size;
  const Precision precision = measure_precision(in.train, m);
  std::vector<at::Tensor> batches;
  for (int b = 0; b < m.batches; ++b)
    batches.push_back(take(in, Split::test, b * bs, bs).first);
  const at::Tensor one = take(in, Split::test, 0, 1).first;
  at::NoGradGuard g;
  in.backbone.eval();
  AutocastGuard autocast(precision, in.device);
  Summary parts;  // flops.forward.encoder / .decoder where the backbone names its parts (T5)
  s["flops.forward" + suffix] = forward_flops(in.backbone, batches.front(), &parts);
  for (const auto& [part, f] : parts) s["flops.forward." + part + suffix] = f;
  synchronize(in.device);
  PeakMemory peak(in.device);
  const CalmTiming t = time_calm(
      [&] {
        for (const auto& x : batches) in.backbone.forward(x);
      },
      m.warmup, m.repeats, in, "evaluation passes (throughput.eval" + suffix + ")");
  s["memory.peak.eval" + suffix] = static_cast<double>(peak.peak_bytes());
  const double n = static_cast<double>(bs) * m.batches;
  s["throughput.eval" + suffix] = n / t.stats.median;
  s["throughput.eval.min" + suffix] = n / t.stats.max;
  s["throughput.eval.max" + suffix] = n / t.stats.min;
  record_calm(s, "throughput.eval", suffix, t);
  const CalmTiming lat = time_calm([&] { in.backbone.forward(one); }, 3, m.latency_repeats, in,
                                   "batch-1 latency (latency.b1" + suffix + ")");
  s["latency.b1" + suffix] = lat.stats.median;
  s["latency.b1.min" + suffix] = lat.stats.min;
  s["latency.b1.max" + suffix] = lat.stats.max;
  record_calm(s, "latency.b1", suffix, lat);
  for (const char* name : {"flops.forward", "memory.peak.eval", "throughput.eval", "throughput.eval.min",
                           "throughput.eval.max", "latency.b1"})
    require_measured(s, name + suffix);
}

}  // namespace adaptlab
