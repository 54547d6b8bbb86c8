#include "framework/train/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "framework/core/error.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"

namespace adaptlab {

std::vector<std::string> set_trainable(Backbone& backbone, const std::vector<Method*>& methods) {
  std::set<std::string> names;
  for (Method* m : methods)
    for (auto& n : m->trainable(backbone)) names.insert(n);
  auto params = backbone.named_parameters();
  for (auto& p : params) p.value().set_requires_grad(false);
  for (const auto& n : names) {
    auto* t = params.find(n);
    AL_CHECK(t != nullptr, "a method marked '{}' trainable but the backbone has no such parameter", n);
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

EvalResult evaluate(Backbone& backbone, const Dataset& data, Split split, int batch_size, c10::Device device) {
  at::NoGradGuard no_grad;
  const bool was_training = backbone.is_training();
  backbone.eval();
  const auto& x = data.inputs(split);
  const auto& y = data.labels(split);
  const int64_t n = y.size(0);
  double loss_sum = 0.0;
  int64_t correct = 0;
  for (int64_t i = 0; i < n; i += batch_size) {
    const int64_t len = std::min<int64_t>(batch_size, n - i);
    auto xb = x.narrow(0, i, len).to(device);
    auto yb = y.narrow(0, i, len).to(device);
    auto logits = backbone.forward(xb);
    loss_sum += at::cross_entropy_loss(logits.to(at::kFloat), yb, {}, at::Reduction::Sum).item<double>();
    correct += logits.argmax(-1).eq(yb).sum().item<int64_t>();
  }
  backbone.train(was_training);
  return EvalResult{n > 0 ? loss_sum / n : 0.0, n > 0 ? static_cast<double>(correct) / n : 0.0, n};
}

namespace {

// AdamW with one parameter group per (method, decay or not): the method's own peak lr and weight decay
// (Method::optim, default the run's); weight decay on matrices only unless the method asks for it on
// 1-d tensors too (biases, norms). `peak` gets each group's peak learning rate.
std::unique_ptr<torch::optim::AdamW> make_optimizer(Backbone& backbone, const std::vector<Method*>& methods,
                                                    const TrainOptions& o, std::vector<double>& peak) {
  const auto owner = trainable_owners(backbone, methods);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto base = torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2});
  auto params = backbone.named_parameters();
  for (size_t k = 0; k < methods.size(); ++k) {
    const MethodOptim& mo = methods[k]->optim;
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

struct Loop {
  Backbone& backbone;
  const std::vector<Method*>& methods;
  const TrainOptions& o;
  c10::Device device;
  const MetricSink& sink;
  torch::optim::AdamW& opt;
  std::vector<double> peak;
  std::vector<at::Tensor> trainable;
  int64_t step = 0, total = 0, warmup = 0;

  // One optimiser step on the examples `idx`; returns the loss.
  double train_step(const at::Tensor& x, const at::Tensor& y, const at::Tensor& idx, int epoch) {
    const double lr = lr_at(o, static_cast<long>(step), static_cast<long>(warmup), static_cast<long>(total));
    for (size_t g = 0; g < opt.param_groups().size(); ++g)  // each group follows the schedule from its own peak
      static_cast<torch::optim::AdamWOptions&>(opt.param_groups()[g].options()).lr(peak[g] * lr / o.lr);
    auto xb = x.index_select(0, idx).to(device);
    auto yb = y.index_select(0, idx).to(device);
    opt.zero_grad();
    auto loss = at::cross_entropy_loss(backbone.forward(xb).to(at::kFloat), yb);
    for (Method* m : methods)  // e.g. distillation losses
      if (auto aux = m->auxiliary_loss(backbone, xb); aux.defined()) loss = loss + aux.to(at::kFloat);
    loss.backward();
    if (o.grad_clip > 0) torch::nn::utils::clip_grad_norm_(trainable, o.grad_clip);
    opt.step();
    ++step;
    const double lv = loss.item<double>();
    AL_CHECK(std::isfinite(lv), "training diverged: loss is {} at step {} (epoch {})", lv, step, epoch);
    const double ep = static_cast<double>(step) * o.epochs / static_cast<double>(std::max<int64_t>(total, 1));
    sink({step, "train", "loss", lv, ep});
    sink({step, "train", "lr", lr, ep});
    TrainState st{step, total, epoch};
    for (Method* m : methods) m->on_step(backbone, st);
    return lv;
  }
};

}  // namespace

int64_t fit(Backbone& backbone, const std::vector<Method*>& methods, const Dataset& data, const TrainOptions& o,
            uint64_t seed, c10::Device device, const MetricSink& sink) {
  std::vector<double> peak;
  auto opt = make_optimizer(backbone, methods, o, peak);
  const auto& x = data.inputs(Split::train);
  const auto& y = data.labels(Split::train);
  const int64_t n = y.size(0);
  const int64_t steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  Loop loop{backbone, methods, o, device, sink, *opt, std::move(peak), {}, 0, steps_per_epoch * o.epochs,
            static_cast<int64_t>(std::llround(o.warmup_epochs * steps_per_epoch))};
  for (auto& p : backbone.parameters())
    if (p.requires_grad()) loop.trainable.push_back(p);
  at::Generator gen = at::detail::createCPUGenerator(seed);
  backbone.train();
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    auto perm = at::randperm(n, gen, at::kLong);
    double epoch_loss = 0.0;
    for (int64_t i = 0; i < n; i += o.batch_size) {
      const auto idx = perm.narrow(0, i, std::min<int64_t>(o.batch_size, n - i));
      epoch_loss += loop.train_step(x, y, idx, epoch) * idx.size(0);
    }
    sink({loop.step, "train", "epoch_loss", epoch_loss / n, epoch + 1.0});
    if ((epoch + 1) % o.eval_every == 0 || epoch + 1 == o.epochs) {
      const EvalResult r = evaluate(backbone, data, Split::val, o.eval_batch_size, device);
      sink({loop.step, "val", "loss", r.loss, epoch + 1.0});
      sink({loop.step, "val", "acc", r.acc, epoch + 1.0});
    }
  }
  return loop.step;
}

}  // namespace adaptlab
