#include "framework/train/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <cmath>
#include <set>

#include "framework/core/error.h"
#include "framework/data/batch_stream.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/model/method_facets.h"
#include "framework/train/checkpoint.h"
#include "framework/train/precision.h"

namespace adaptlab {

std::vector<std::string> set_trainable(Backbone& backbone, const std::vector<Method*>& methods) {
  std::set<std::string> names, observed;
  for (Method* m : methods) {
    for (auto& n : m->trainable(backbone)) names.insert(n);
    if (auto* h = facet<TrainingHooks>(m))
      for (auto& n : h->observed(backbone)) observed.insert(n);
  }
  auto params = backbone.named_parameters();
  for (auto& p : params) p.value().set_requires_grad(false);
  for (const auto* set : {&names, &observed})
    for (const auto& n : *set) {
      auto* t = params.find(n);
      AL_CHECK(t != nullptr, "a method marked '{}' {} but the backbone has no such parameter", n,
               set == &names ? "trainable" : "observed");
      t->set_requires_grad(true);
    }
  return {names.begin(), names.end()};
}

std::map<std::string, int> trainable_owners(Backbone& backbone, const std::vector<Method*>& methods) {
  std::map<std::string, int> owner;
  for (size_t k = 0; k < methods.size(); ++k)
    for (auto& n : methods[k]->trainable(backbone)) owner.emplace(n, static_cast<int>(k));
  return owner;
}

void check_method_stack(const std::vector<Method*>& methods, const std::vector<std::string>& names) {
  int merge = -1;
  for (size_t k = 0; k < methods.size(); ++k) {
    const TokenRole role = methods[k]->token_role();
    if (role == TokenRole::merge) {
      AL_CHECK(merge < 0, "methods '{}' and '{}' both merge tokens; a run can use one token-merging method", names[merge],
               names[k]);
      merge = static_cast<int>(k);
    } else if (role == TokenRole::prompt) {
      AL_CHECK(merge < 0, "method '{}' adds prompt tokens after '{}' planned its merges; list '{}' before '{}' in "
               "methods (prompts are protected from merging)", names[k], names[merge], names[k], names[merge]);
    }
  }
}

EvalResult evaluate(Backbone& backbone, const Dataset& data, Split split, int batch_size, c10::Device device,
                    Precision precision, int prefetch) {
  at::NoGradGuard no_grad;
  AutocastGuard autocast(precision, device);
  const bool was_training = backbone.is_training();
  backbone.eval();
  const auto& y = data.labels(split);
  const int64_t n = y.size(0);
  std::vector<at::Tensor> outs, losses;
  BatchStream stream(data, split, split_order(data, split), batch_size, device, prefetch);
  for (Batch b; stream.next(b);) {
    const at::Tensor raw = backbone.forward(b.x);
    const at::Tensor out = raw.to(loss_dtype(raw));
    losses.push_back(task_loss(out, b.y, at::Reduction::Sum));  // summed on the device, read back once
    outs.push_back(out.to(at::kCPU));
  }
  backbone.train(was_training);
  EvalResult r;
  r.n = n;
  r.acc = NAN;
  if (n == 0) return r;
  r.loss = at::stack(losses).sum().item<double>() / static_cast<double>(n);
  r.metrics = data.compute_metrics(at::cat(outs), y);
  if (auto it = r.metrics.find("acc"); it != r.metrics.end()) r.acc = it->second;
  r.main = data.metric_names().front();
  AL_CHECK(r.metrics.count(r.main), "dataset reports no '{}', its main metric", r.main);
  r.score = r.metrics.at(r.main);
  return r;
}

at::ScalarType loss_dtype(const at::Tensor& t) { return t.scalar_type() == at::kDouble ? at::kDouble : at::kFloat; }

at::Tensor task_loss(const at::Tensor& outputs, const at::Tensor& labels, at::Reduction::Reduction reduction) {
  const at::ScalarType dt = loss_dtype(outputs);
  if (labels.is_floating_point()) return at::mse_loss(outputs.to(dt).squeeze(-1), labels.to(dt), reduction);
  return at::cross_entropy_loss(outputs.to(dt), labels, {}, reduction);
}

namespace {

// AdamW with one parameter group per (method, decay or not): the method's own peak lr and weight decay
// (MethodOptim, default the run's); weight decay on matrices only unless the method asks for it on
// 1-d tensors too (biases, norms). `peak` gets each group's peak learning rate.
std::unique_ptr<torch::optim::AdamW> make_optimizer(Backbone& backbone, const std::vector<Method*>& methods,
                                                    const std::vector<MethodOptim>& optim, const TrainOptions& o,
                                                    std::vector<double>& peak) {
  const auto owner = trainable_owners(backbone, methods);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto base = torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2});
  auto params = backbone.named_parameters();
  for (size_t k = 0; k < methods.size(); ++k) {
    const MethodOptim mo = k < optim.size() ? optim[k] : MethodOptim{};
    const double lr = mo.lr > 0 ? mo.lr : o.lr;
    const double wd = mo.weight_decay >= 0 ? mo.weight_decay : o.weight_decay;
    std::vector<at::Tensor> decay, no_decay;
    for (const auto& [name, idx] : owner) {
      if (idx != static_cast<int>(k)) continue;
      const at::Tensor& p = params[name];
      if (!p.requires_grad()) continue;
      (p.dim() <= 1 && !mo.decay_1d ? no_decay : decay).push_back(p);
    }
    for (auto* g : {&decay, &no_decay}) {
      if (g->empty()) continue;
      groups.emplace_back(*g, std::make_unique<torch::optim::AdamWOptions>(
                                  torch::optim::AdamWOptions(base).lr(lr).weight_decay(g == &decay ? wd : 0.0)));
      peak.push_back(lr);
    }
  }
  AL_CHECK(!groups.empty(), "no trainable parameters: the methods left everything frozen");
  return std::make_unique<torch::optim::AdamW>(std::move(groups), base);
}

}  // namespace

struct Stepper::Impl {
  Backbone& backbone;
  std::vector<Method*> methods;
  std::vector<MethodOptim> optim;
  TrainOptions o;
  c10::Device device;
  Precision precision;
  std::vector<double> peak;
  std::unique_ptr<torch::optim::AdamW> opt;
  std::vector<at::Tensor> trainable;
  std::vector<at::Tensor> with_grad;  // trainable and observed tensors: fp16 unscales all their gradients
  std::optional<GradScaler> scaler;
  int64_t step = 0, total = 0, warmup = 0;
  double last_lr = 0;
  bool task_loss = true;  // false when a method trains label-free (TrainingHooks::uses_task_loss)
};

namespace {
bool uses_task_loss(const std::vector<Method*>& methods) {
  return std::all_of(methods.begin(), methods.end(), [](Method* m) {
    const auto* h = facet<TrainingHooks>(m);
    return h == nullptr || h->uses_task_loss();
  });
}
}  // namespace

Stepper::Stepper(Backbone& backbone, const std::vector<Method*>& methods, const TrainOptions& o, c10::Device device,
                 int64_t total_steps, int64_t warmup_steps, const std::vector<MethodOptim>& optim)
    : impl_(new Impl{.backbone = backbone,
                     .methods = methods,
                     .optim = optim,
                     .o = o,
                     .device = device,
                     .precision = parse_precision(o.precision),
                     .total = total_steps,
                     .warmup = warmup_steps}) {
  impl_->task_loss = uses_task_loss(methods);
  rebuild();
  if (impl_->precision == Precision::fp16) impl_->scaler.emplace(device);
}

void Stepper::rebuild() {
  Impl& s = *impl_;
  set_trainable(s.backbone, s.methods);
  s.peak.clear();
  s.opt = make_optimizer(s.backbone, s.methods, s.optim, s.o, s.peak);
  s.trainable.clear();
  s.with_grad.clear();
  const auto owner = trainable_owners(s.backbone, s.methods);
  for (auto& p : s.backbone.named_parameters())
    if (p.value().requires_grad()) {
      if (owner.count(p.key())) s.trainable.push_back(p.value());
      s.with_grad.push_back(p.value());
    }
}

Stepper::~Stepper() = default;

at::Tensor Stepper::step(const at::Tensor& xb, const at::Tensor& yb) {
  Impl& s = *impl_;
  const double lr = lr_at(s.o, static_cast<long>(s.step), static_cast<long>(s.warmup), static_cast<long>(s.total));
  for (size_t g = 0; g < s.opt->param_groups().size(); ++g)  // each group follows the schedule from its own peak
    static_cast<torch::optim::AdamWOptions&>(s.opt->param_groups()[g].options()).lr(s.peak[g] * lr / s.o.lr);
  s.backbone.zero_grad();  // every gradient, observed tensors included (not only the optimised ones)
  at::Tensor loss;
  {
    AutocastGuard autocast(s.precision, s.device);
    const at::Tensor out = s.backbone.forward(xb);
    if (s.task_loss) loss = task_loss(out, yb, at::Reduction::Mean);
    for (Method* m : s.methods)  // e.g. distillation losses
      if (auto* h = facet<TrainingHooks>(m))
        if (auto aux = h->auxiliary_loss(s.backbone, xb); aux.defined())
          loss = loss.defined() ? loss + aux.to(loss.scalar_type()) : aux.to(loss_dtype(aux));
    AL_CHECK(loss.defined(), "no training loss: the task loss is left out (a method trains label-free) and no method "
             "gave an auxiliary loss");
  }
  bool finite_grads = true;
  if (s.scaler) {
    s.scaler->scale(loss).backward();
    // Every gradient a method reads, observed tensors' too (first-order pruning scores), not only the
    // optimised ones: the loss's gradients, not the loss's times the scale.
    finite_grads = s.scaler->unscale(s.with_grad);
  } else {
    loss.backward();
  }
  const TrainState st{s.step + 1, s.total, 0, {}};
  if (finite_grads)  // an fp16 step whose gradients overflowed is skipped: no scores from inf / NaN either
    for (Method* m : s.methods)
      if (auto* h = facet<TrainingHooks>(m)) h->after_backward(s.backbone, st);
  if (s.o.grad_clip > 0) torch::nn::utils::clip_grad_norm_(s.trainable, s.o.grad_clip);
  if (finite_grads) s.opt->step();  // an fp16 overflow skips the update (and shrinks the scale)
  if (s.scaler) s.scaler->update();
  ++s.step;
  s.last_lr = lr;
  return loss.detach();
}

int64_t Stepper::steps() const { return impl_->step; }
double Stepper::lr() const { return impl_->last_lr; }
double Stepper::loss_scale() const { return impl_->scaler ? impl_->scaler->current_scale() : 1.0; }
torch::optim::AdamW& Stepper::optimizer() { return *impl_->opt; }
void Stepper::set_steps(int64_t steps) { impl_->step = steps; }

std::atomic<int>& training_stop_request() {
  static std::atomic<int> request{0};
  return request;
}

TrainingStopped::TrainingStopped(int64_t s)
    : std::runtime_error(fmt::format("training stopped at step {} on request; checkpoint saved", s)), step(s) {}

namespace {

// One step's loss, kept on the device until the next report (no per-step host synchronisation).
struct PendingLoss {
  int64_t step;
  int epoch;
  int64_t batch;
  double lr;
  at::Tensor loss;  // 0-d, detached
};

struct Loop {
  Backbone& backbone;
  const Dataset& data;
  const std::vector<Method*>& methods;
  const TrainOptions& o;
  c10::Device device;
  const MetricSink& sink;
  const ProgressSink& progress;
  Stepper& stepper;
  int64_t total = 0;
  std::vector<PendingLoss> pending;
  std::vector<double> epoch_sum;  // Σ loss·batch per epoch, from the reported losses
  std::vector<int64_t> epoch_n;   // Σ batch per epoch (examples trained on)
  // Progress since the last report.
  std::chrono::steady_clock::time_point window_t0 = std::chrono::steady_clock::now();
  int64_t window_steps = 0;
  double window_loss = 0.0;
  int64_t window_n = 0;
  RunProgress last;
  int epochs = 0;  // epochs trained (with max_steps: as many as its steps take, the last maybe partial)

  double epoch_at(int64_t s) const {
    return static_cast<double>(s) * epochs / static_cast<double>(std::max<int64_t>(total, 1));
  }

  // One optimiser step on the examples `idx`.
  void train_step(const Batch& b, int epoch) {
    at::Tensor loss = stepper.step(b.x, b.y);
    const int64_t step = stepper.steps();
    pending.push_back({step, epoch, b.index.size(0), stepper.lr(), loss});
    bool changed = false;
    TrainState st{step, total, epoch, [&changed] { changed = true; }};
    for (Method* m : methods)
      if (auto* h = facet<TrainingHooks>(m)) h->on_step(backbone, st);
    if (changed) stepper.rebuild();  // pruning sliced or removed tensors: a fresh optimiser over what is left
    if (step % o.log_every == 0) report();
  }

  // Reads the pending losses back (one synchronisation), emits them, checks them, reports progress.
  void report() {
    if (pending.empty()) return;
    std::vector<at::Tensor> ls;
    ls.reserve(pending.size());
    for (const auto& p : pending) ls.push_back(p.loss);
    const at::Tensor host = at::stack(ls).to(at::kCPU, at::kDouble);
    const double* v = host.data_ptr<double>();
    for (size_t i = 0; i < pending.size(); ++i) {
      const PendingLoss& p = pending[i];
      AL_CHECK(std::isfinite(v[i]), "training diverged: loss is {} at step {} (epoch {})", v[i], p.step, p.epoch);
      const double ep = epoch_at(p.step);
      sink({p.step, "train", "loss", v[i], ep});
      sink({p.step, "train", "lr", p.lr, ep});
      if (static_cast<size_t>(p.epoch) >= epoch_sum.size()) {
        epoch_sum.resize(p.epoch + 1, 0.0);
        epoch_n.resize(p.epoch + 1, 0);
      }
      epoch_sum[p.epoch] += v[i] * static_cast<double>(p.batch);
      epoch_n[p.epoch] += p.batch;
      window_loss += v[i];
      ++window_n;
    }
    window_steps += static_cast<int64_t>(pending.size());
    pending.clear();
    const auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - window_t0).count();
    last.step = stepper.steps();
    last.total_steps = total;
    last.epoch = epoch_at(last.step);
    last.epochs = epochs;
    last.loss = window_n > 0 ? window_loss / static_cast<double>(window_n) : NAN_VALUE;
    if (dt > 0 && window_steps > 0) last.steps_per_s = static_cast<double>(window_steps) / dt;
    window_t0 = now;
    window_steps = 0;
    window_loss = 0.0;
    window_n = 0;
    if (progress) progress(last);
  }

  void validated(const std::string& name, double value) {
    last.val_metric = name;
    last.val_value = value;
    if (progress) progress(last);
  }
};

}  // namespace

int64_t fit(Backbone& backbone, const std::vector<Method*>& methods, const Dataset& data, const TrainOptions& o,
            uint64_t seed, c10::Device device, const MetricSink& sink, const ProgressSink& progress,
            const std::vector<MethodOptim>& optim, Checkpointing* checkpoint) {
  const int64_t n = data.size(Split::train);
  AL_CHECK(n > 0 && (!o.drop_last || n >= o.batch_size), "the training split has {} example(s): {}", n,
           n == 0 ? "nothing to train on" : "fewer than one batch, and drop_last leaves none");
  AL_CHECK(data.labelled() || !uses_task_loss(methods),
           "the dataset has no labels: only a label-free loss can train on it (e.g. variator with distill: hidden)");
  const int64_t steps_per_epoch = o.drop_last ? n / o.batch_size : (n + o.batch_size - 1) / o.batch_size;
  // max_steps > 0: exactly that many steps, over as many epochs as they take (the last one cut short).
  const int64_t total = o.max_steps > 0 ? o.max_steps : steps_per_epoch * o.epochs;
  const int epochs = o.max_steps > 0 ? static_cast<int>((o.max_steps + steps_per_epoch - 1) / steps_per_epoch) : o.epochs;
  const int64_t warmup = o.warmup_steps > 0 ? o.warmup_steps : static_cast<int64_t>(std::llround(o.warmup_epochs * steps_per_epoch));
  Stepper stepper(backbone, methods, o, device, total, warmup, optim);
  const bool checkpointing = checkpoint != nullptr && !checkpoint->path.empty() && o.checkpoint_every > 0;
  if (checkpointing) checkpoint::check_checkpointable(methods, o, *checkpoint);
  std::vector<MetricEvent> history;  // every event so far, saved with each checkpoint
  const MetricSink recorded = [&](const MetricEvent& e) {
    if (checkpointing) history.push_back(e);
    sink(e);
  };
  Loop loop{.backbone = backbone,
            .data = data,
            .methods = methods,
            .o = o,
            .device = device,
            .sink = recorded,
            .progress = progress,
            .stepper = stepper,
            .total = total,
            .epochs = epochs};
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const Precision precision = parse_precision(o.precision);
  checkpoint::Position start;
  if (checkpointing && std::filesystem::exists(checkpoint->path)) {
    start = checkpoint::load_checkpoint(*checkpoint, backbone, stepper, device, history);
    checkpoint::set_generator_state(gen, start.order);
    loop.epoch_sum.assign(start.epoch + 1, 0.0);
    loop.epoch_n.assign(start.epoch + 1, 0);
    loop.epoch_sum[start.epoch] = start.epoch_sum;
    loop.epoch_n[start.epoch] = start.epoch_n;
    for (const MetricEvent& e : history) sink(e);  // the events of the steps before, as they were
  }
  const auto save = [&](int epoch, int64_t batches, const at::Tensor& order) {
    checkpoint::Position pos{epoch, batches, order, 0.0, 0};
    if (batches > 0) pos.epoch_sum = loop.epoch_sum.at(epoch), pos.epoch_n = loop.epoch_n.at(epoch);
    checkpoint::save_checkpoint(*checkpoint, backbone, stepper, pos, device, history);
  };
  backbone.train();
  for (int epoch = start.epoch; epoch < epochs; ++epoch) {
    // The order generator before this epoch's permutation: what a mid-epoch checkpoint saves.
    const at::Tensor order_state = checkpointing ? checkpoint::generator_state(gen) : at::Tensor();
    at::Tensor order = at::randperm(n, gen, at::kLong);
    int64_t batches = 0;
    if (epoch == start.epoch && start.batches > 0) {  // resumed mid-epoch: the batches not yet trained on
      batches = start.batches;
      order = order.slice(0, std::min<int64_t>(n, batches * o.batch_size));
    }
    if (order.size(0) > 0) {  // (empty when resumed after the epoch's last batch)
      BatchStream stream(data, Split::train, order, o.batch_size, device, o.prefetch, o.drop_last);
      for (Batch b; stepper.steps() < total && stream.next(b);) {
        loop.train_step(b, epoch);
        ++batches;
        if (checkpointing && training_stop_request().load() != 0) {
          loop.report();  // the pending losses into the history first
          save(epoch, batches, order_state);
          throw TrainingStopped(stepper.steps());
        }
      }
    }
    loop.report();  // every loss of the epoch is on the host now
    recorded({stepper.steps(), "train", "epoch_loss",
              loop.epoch_sum.at(epoch) / static_cast<double>(loop.epoch_n.at(epoch)), epoch + 1.0});
    if ((epoch + 1 - o.eval_offset) % o.eval_every == 0 || epoch + 1 == epochs) {
      for (const std::string& name : o.eval_splits) {
        const Split split = name == "test" ? Split::test : Split::val;
        const EvalResult r = evaluate(backbone, data, split, o.eval_batch_size, device, precision, o.prefetch);
        recorded({stepper.steps(), name, "loss", r.loss, epoch + 1.0});
        for (const auto& [metric, value] : r.metrics) recorded({stepper.steps(), name, metric, value, epoch + 1.0});
        // The main metric under its summary name too (val.score, test.score), so a table over test.score can
        // report best_val / max_test.
        recorded({stepper.steps(), name, "score", r.score, epoch + 1.0});
        if (split == Split::val) loop.validated("val." + r.main, r.score);
      }
    }
    if (checkpointing && (epoch + 1) % o.checkpoint_every == 0 && epoch + 1 < epochs)
      save(epoch + 1, 0, checkpoint::generator_state(gen));
  }
  if (checkpointing) std::filesystem::remove(checkpoint->path);  // trained: nothing to resume
  return stepper.steps();
}

}  // namespace adaptlab
