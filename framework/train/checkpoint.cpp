#include "framework/train/checkpoint.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adamw.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/io/safetensors_torch.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/model/method_facets.h"
#include "framework/train/precision.h"

namespace adaptlab::checkpoint {

namespace {
constexpr const char* kCheckpointFormat = "adaptlab.checkpoint.v1";

at::Tensor scalar_long(int64_t v) { return at::full({1}, v, at::TensorOptions().dtype(at::kLong)); }
}  // namespace

void check_checkpointable(const std::vector<Method*>& methods, const TrainOptions& o, const Checkpointing& c) {
  for (size_t k = 0; k < methods.size(); ++k) {
    const std::string name = k < c.method_names.size() ? c.method_names[k] : fmt::format("method {}", k);
    const char* what = facet<StructureChange>(methods[k]) ? "changes the model's structure (pruning)"
                       : facet<InferenceVariants>(methods[k]) ? "keeps inference variants (rates)"
                       : facet<TrainingHooks>(methods[k])   ? "keeps training state in its hooks"
                                                            : nullptr;
    AL_CHECK(what == nullptr,
             "train.checkpoint_every: method '{}' {}, state a checkpoint does not save yet; set checkpoint_every: 0 "
             "for this run", name, what);
  }
  AL_CHECK(parse_precision(o.precision) != Precision::fp16,
           "train.checkpoint_every: precision fp16 (the loss scaler's state is not checkpointed yet); use fp32 or bf16");
}

at::Tensor generator_state(at::Generator g) {
  std::lock_guard<std::mutex> lock(g.mutex());
  return g.get_state();
}

void set_generator_state(at::Generator g, const at::Tensor& state) {
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_state(state);
}

void save_checkpoint(Checkpointing& c, Backbone& backbone, Stepper& stepper, const Position& pos, c10::Device device,
                     const std::vector<MetricEvent>& history) {
  const auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, at::Tensor> t;
  for (const auto& p : backbone.named_parameters())
    if (p.value().requires_grad()) t["param." + p.key()] = p.value().detach();
  for (const auto& b : backbone.named_buffers()) t["buffer." + b.key()] = b.value();
  auto& opt = stepper.optimizer();
  int64_t i = 0;
  for (auto& group : opt.param_groups())
    for (auto& p : group.params()) {
      auto it = opt.state().find(p.unsafeGetTensorImpl());
      if (it != opt.state().end()) {
        const auto& st = static_cast<const torch::optim::AdamWParamState&>(*it->second);
        const std::string k = fmt::format("opt.{}.", i);
        t[k + "step"] = scalar_long(st.step());
        t[k + "exp_avg"] = st.exp_avg();
        t[k + "exp_avg_sq"] = st.exp_avg_sq();
        if (st.max_exp_avg_sq().defined()) t[k + "max_exp_avg_sq"] = st.max_exp_avg_sq();
      }
      ++i;
    }
  t["rng.order"] = pos.order;
  t["rng.cpu"] = generator_state(at::detail::getDefaultCPUGenerator());
  if (device.is_cuda()) t["rng.device"] = generator_state(at::globalContext().defaultGenerator(device));
  t["position.epoch_sum"] = at::full({1}, pos.epoch_sum, at::TensorOptions().dtype(at::kDouble));
  t["position.epoch_n"] = scalar_long(pos.epoch_n);
  const int64_t h = static_cast<int64_t>(history.size());
  at::Tensor hs = at::empty({h}, at::kLong), hv = at::empty({h}, at::kDouble), he = at::empty({h}, at::kDouble);
  nlohmann::json keys = nlohmann::json::array();
  for (int64_t j = 0; j < h; ++j) {
    hs.data_ptr<int64_t>()[j] = history[j].step;
    hv.data_ptr<double>()[j] = history[j].value;
    he.data_ptr<double>()[j] = history[j].epoch;
    keys.push_back({history[j].split, history[j].name});
  }
  t["history.step"] = hs;
  t["history.value"] = hv;
  t["history.epoch"] = he;
  io::save_safetensors(c.path, t,
                       {{"format", kCheckpointFormat},
                        {"step", std::to_string(stepper.steps())},
                        {"epoch", std::to_string(pos.epoch)},
                        {"batches", std::to_string(pos.batches)},
                        {"optimised", std::to_string(i)},
                        {"history_keys", keys.dump()}});
  ++c.saves;
  c.save_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.bytes = static_cast<int64_t>(std::filesystem::file_size(c.path));
}

Position load_checkpoint(Checkpointing& c, Backbone& backbone, Stepper& stepper, c10::Device device,
                         std::vector<MetricEvent>& history) {
  std::map<std::string, std::string> meta;
  auto t = io::load_safetensors(c.path, meta);
  AL_CHECK(meta["format"] == kCheckpointFormat, "checkpoint {}: not an adaptlab checkpoint (format '{}')", c.path,
           meta["format"]);
  auto take = [&](const std::string& key, const at::Tensor& like) {
    auto it = t.find(key);
    AL_CHECK(it != t.end(), "checkpoint {}: no tensor '{}' (saved by a different run?)", c.path, key);
    AL_CHECK(it->second.sizes() == like.sizes() && it->second.scalar_type() == like.scalar_type(),
             "checkpoint {}: '{}' is {} {}, the run's is {} {}", c.path, key, c10::str(it->second.sizes()),
             c10::toString(it->second.scalar_type()), c10::str(like.sizes()), c10::toString(like.scalar_type()));
    return it->second.to(like.device());
  };
  {
    at::NoGradGuard no_grad;
    for (auto& p : backbone.named_parameters())
      if (p.value().requires_grad()) p.value().copy_(take("param." + p.key(), p.value()));
    for (auto& b : backbone.named_buffers()) b.value().copy_(take("buffer." + b.key(), b.value()));
  }
  auto& opt = stepper.optimizer();
  int64_t i = 0;
  for (auto& group : opt.param_groups())
    for (auto& p : group.params()) {
      const std::string k = fmt::format("opt.{}.", i++);
      if (!t.count(k + "step")) continue;
      auto st = std::make_unique<torch::optim::AdamWParamState>();
      st->step(t.at(k + "step").item<int64_t>());
      st->exp_avg(take(k + "exp_avg", p));
      st->exp_avg_sq(take(k + "exp_avg_sq", p));
      if (t.count(k + "max_exp_avg_sq")) st->max_exp_avg_sq(take(k + "max_exp_avg_sq", p));
      opt.state()[p.unsafeGetTensorImpl()] = std::move(st);
    }
  AL_CHECK(std::to_string(i) == meta["optimised"], "checkpoint {}: {} optimised tensors saved, the run has {}", c.path,
           meta["optimised"], i);
  set_generator_state(at::detail::getDefaultCPUGenerator(), t.at("rng.cpu"));
  if (device.is_cuda()) {
    AL_CHECK(t.count("rng.device"), "checkpoint {}: saved by a run on the CPU, resumed on {}", c.path, device.str());
    set_generator_state(at::globalContext().defaultGenerator(device), t.at("rng.device"));
  }
  const auto keys = nlohmann::json::parse(meta["history_keys"]);
  const at::Tensor hs = t.at("history.step"), hv = t.at("history.value"), he = t.at("history.epoch");
  history.clear();
  for (int64_t j = 0; j < hs.size(0); ++j)
    history.push_back({hs.data_ptr<int64_t>()[j], keys[j][0].get<std::string>(), keys[j][1].get<std::string>(),
                       hv.data_ptr<double>()[j], he.data_ptr<double>()[j]});
  const int64_t step = std::stoll(meta["step"]);
  stepper.set_steps(step);
  c.resumed_from_step = step;
  Position pos;
  pos.epoch = std::stoi(meta["epoch"]);
  pos.batches = std::stoll(meta["batches"]);
  pos.order = t.at("rng.order");
  pos.epoch_sum = t.at("position.epoch_sum").item<double>();
  pos.epoch_n = t.at("position.epoch_n").item<int64_t>();
  return pos;
}

}  // namespace adaptlab::checkpoint
