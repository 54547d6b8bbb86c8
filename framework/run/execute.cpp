#include "framework/run/execute.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <unistd.h>
#ifdef ADAPTLAB_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "framework/config/node.h"
#include "framework/run/run_config.h"
#include "framework/core/error.h"
#include "framework/data/dataset.h"
#include "framework/measure/measure.h"
#include "framework/measure/memory.h"
#include "framework/measure/params.h"
#include "framework/model/method_facets.h"
#include "framework/registry/method_optim.h"
#include "framework/run/artifacts.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"

namespace adaptlab {
namespace {

cfg::Node options_of(const ComponentConfig& c) { return cfg::Node::from_json(c.options, cfg::Loc{"<resolved config>", 0, 0}); }

}  // namespace

std::map<std::string, std::string> runtime_provenance(const std::string& device) {
  std::map<std::string, std::string> p;
  p["torch.version"] = TORCH_VERSION;
  p["device"] = resolve_device(device);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  p["host"] = host;
  p["cuda.available"] = torch::cuda::is_available() ? "true" : "false";
  if (at::detail::getCUDAHooks().hasCUDA()) {
    p["cuda.runtime"] = std::to_string(at::detail::getCUDAHooks().versionCUDART());
#ifdef ADAPTLAB_CUDA
    const c10::Device d(p["device"]);
    if (d.is_cuda()) p["gpu.name"] = at::cuda::getDeviceProperties(d.index() < 0 ? 0 : d.index())->name;
#endif
  }
  return p;
}

std::string resolve_device(const std::string& device) {
  if (device == "auto") return torch::cuda::is_available() ? "cuda:0" : "cpu";
  if (device == "cpu") return "cpu";
  if (device.rfind("cuda", 0) == 0) {
    AL_CHECK(torch::cuda::is_available(), "device '{}' requested but CUDA is not available in this process", device);
    return device == "cuda" ? "cuda:0" : device;
  }
  fail("unknown device '{}'; expected auto, cpu, cuda or cuda:N", device);
}

namespace {

// A run's live objects: the data, the backbone with its methods attached (in stack order).
struct Built {
  std::unique_ptr<Dataset> data;
  std::shared_ptr<Backbone> backbone;
  std::vector<std::unique_ptr<Method>> methods;
  std::vector<Method*> ptrs;
  std::vector<std::string> names;
  std::vector<MethodOptim> optim;  // each method's optimiser settings, beside it (from its options)
};

bool any_prunes(const std::vector<Method*>& methods) {
  return std::any_of(methods.begin(), methods.end(), [](Method* m) { return facet<StructureChange>(m) != nullptr; });
}

// Each method's inference variants in turn, then the default again; `each(name)` runs in each.
void for_each_variant(const std::vector<Method*>& methods, const std::function<void(const std::string&)>& each) {
  for (Method* m : methods) {
    auto* v = facet<InferenceVariants>(m);
    if (!v) continue;
    for (const auto& name : v->variant_names()) {
      v->select_variant(name);
      each(name);
    }
    v->select_variant(v->default_variant());
  }
}

// Runs a plugin component's code so that its errors name the plugin (built-in ones are left as they are).
template <class F>
auto in_component(const std::string& kind, const std::string& name, const std::string& origin, F&& f) {
  if (origin.empty()) return f();
  try {
    return f();
  } catch (const std::exception& e) {
    fail("{} '{}' (from plugin {}): {}", kind, name, origin, e.what());
  }
}

Built build(const RunConfig& config, c10::Device device) {
  auto& reg = registries();
  Built b;
  const auto& dn = config.dataset.name;
  b.data = in_component("dataset", dn, reg.datasets.origin(dn), [&] { return reg.datasets.create(dn, options_of(config.dataset)); });
  at::manual_seed(static_cast<uint64_t>(config.seed));  // backbone initialisation and method initialisation
  const auto& bn = config.backbone.name;
  b.backbone = in_component("backbone", bn, reg.backbones.origin(bn), [&] {
    return reg.backbones.create(bn, options_of(config.backbone), b.data->info());
  });
  for (const auto& m : config.methods) {
    b.names.push_back(m.name);
    b.optim.push_back(method_optim(m.options));
    b.methods.push_back(in_component("method", m.name, reg.methods.origin(m.name), [&] {
      return reg.methods.create(m.name, options_of(m));
    }));
    b.ptrs.push_back(b.methods.back().get());
  }
  check_method_stack(b.ptrs, b.names);
  for (size_t k = 0; k < b.ptrs.size(); ++k)
    in_component("method", b.names[k], reg.methods.origin(b.names[k]), [&] {
      b.ptrs[k]->attach(*b.backbone);
      return 0;
    });
  for (const auto& src : config.init) load_init(*b.backbone, src);  // after attach: a method's own tensors load too
  set_trainable(*b.backbone, b.ptrs);
  b.backbone->to(device);
  return b;
}

// params.total, params.trainable and, per method (the first method naming a tensor owns it),
// params.trainable.<name>[.<index> when the name repeats].
void count_parameters(Built& b, Summary& s, const std::string& suffix = "") {
  const ParamCounts pc = count_params(*b.backbone);
  s["params.total" + suffix] = static_cast<double>(pc.total);
  s["params.trainable" + suffix] = static_cast<double>(pc.trainable);
  if (!suffix.empty()) return;
  std::vector<double> per(b.ptrs.size(), 0.0);
  auto params = b.backbone->named_parameters();
  for (const auto& [name, k] : trainable_owners(*b.backbone, b.ptrs)) per[k] += params[name].numel();
  for (size_t k = 0; k < per.size(); ++k) {
    const bool repeated = std::count(b.names.begin(), b.names.end(), b.names[k]) > 1;
    s["params.trainable." + b.names[k] + (repeated ? "." + std::to_string(k) : "")] = per[k];
  }
}

// prepare_inference must not change the function: logits on the first test examples before and after.
void prepare_inference(Built& b, c10::Device device, Summary& s) {
  b.backbone->eval();
  const int64_t n = std::min<int64_t>(64, b.data->size(Split::test));
  const at::Tensor probe = b.data->to_inputs(b.data->gather_range(Split::test, 0, n).to(device));
  at::NoGradGuard g;
  const at::Tensor before = b.backbone->forward(probe);
  for (Method* m : b.ptrs) m->prepare_inference(*b.backbone);
  s["inference.max_logit_diff"] = (b.backbone->forward(probe) - before).abs().max().item<double>();
}

// Runs one phase of a run; a LibTorch error (its C++ stack trace dropped) or an allocation failure
// comes out as an Error that says what was being done.
template <class F>
auto in_phase(const std::string& what, F&& f) {
  try {
    return f();
  } catch (const c10::Error& e) {
    fail("{}: {}", what, e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    fail("{}: out of memory", what);
  }
}

std::string describe_run(const RunConfig& config) {
  return fmt::format("run {} ({}; {} on {})", config.id, config.label(), config.backbone.name, config.dataset.name);
}

}  // namespace

Summary execute_run(const RunConfig& config, const std::string& device_name, const MetricSink& sink,
                    const ProgressSink& progress, const std::string& artifacts_dir,
                    std::vector<ArtifactRecord>* artifacts) {
  const c10::Device device(resolve_device(device_name));
  const std::string run = describe_run(config);
  Built b = in_phase("building " + run, [&] { return build(config, device); });
  Summary s;
  if (any_prunes(b.ptrs)) count_parameters(b, s, ".before_prune");

  const auto t0 = std::chrono::steady_clock::now();
  // train.checkpoint_every: checkpoints in the artifact folder; an interrupted run resumes from the last.
  Checkpointing ckpt;
  const bool checkpointing = config.train.checkpoint_every > 0 && !artifacts_dir.empty();
  if (checkpointing) {
    std::filesystem::create_directories(artifacts_dir);
    ckpt.path = (std::filesystem::path(artifacts_dir) / "checkpoint.safetensors").string();
    for (const auto& m : config.methods) ckpt.method_names.push_back(m.name);
  }
  const auto steps = in_phase("training " + run, [&] {
    return fit(*b.backbone, b.ptrs, *b.data, config.train, static_cast<uint64_t>(config.seed), device, sink, progress,
               b.optim, checkpointing ? &ckpt : nullptr);
  });
  s["train.steps"] = static_cast<double>(steps);
  if (checkpointing) {
    s["train.resumed_from_step"] = static_cast<double>(ckpt.resumed_from_step);
    s["train.checkpoints"] = ckpt.saves;
    s["train.checkpoint_bytes"] = static_cast<double>(ckpt.bytes);
    s["time.checkpoint_s"] = ckpt.save_s;
  }
  count_parameters(b, s);  // after training: what pruning left
  for (Method* m : b.ptrs)
    if (auto* sc = facet<StructureChange>(m))
      for (const auto& [k, v] : sc->structure_summary()) s[k] = v;
  s["time.train_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!artifacts_dir.empty()) {
    const ArtifactRecord a = in_phase("saving the trained tensors of " + run,
                                      [&] { return save_trained(*b.backbone, b.ptrs, artifacts_dir, config.id); });
    if (artifacts) artifacts->push_back(a);
  }

  in_phase("evaluating " + run, [&] {
    const int eval_bs = config.train.eval_batch_size;
    const Precision precision = parse_precision(config.train.precision);
    const EvalResult val = evaluate(*b.backbone, *b.data, Split::val, eval_bs, device, precision, config.train.prefetch);
    const EvalResult test = evaluate(*b.backbone, *b.data, Split::test, eval_bs, device, precision, config.train.prefetch);
    // Every metric of the dataset (acc; f1, mcc, pearson, spearman, ...) and the main one as .score.
    for (const auto& [split, r] : {std::pair<const char*, const EvalResult*>{"val", &val}, {"test", &test}}) {
      for (const auto& [name, value] : r->metrics) s[fmt::format("{}.{}", split, name)] = value;
      s[fmt::format("{}.score", split)] = r->score;
      s[fmt::format("{}.loss", split)] = r->loss;
    }

    prepare_inference(b, device, s);
    const EvalResult inf = evaluate(*b.backbone, *b.data, Split::test, eval_bs, device, precision, config.train.prefetch);
    s["test.score_inference"] = inf.score;
    if (!std::isnan(inf.acc)) s["test.acc_inference"] = inf.acc;
    // Inference configurations a method offers (e.g. Variator's rates): each evaluated on the test split.
    for_each_variant(b.ptrs, [&](const std::string& name) {
      const EvalResult v = evaluate(*b.backbone, *b.data, Split::test, eval_bs, device, precision, config.train.prefetch);
      s["test.score." + name] = v.score;
      if (!std::isnan(v.acc)) s["test.acc." + name] = v.acc;
    });
  });
  return s;
}

Summary measure_run(const RunConfig& config, const std::string& device_name, const std::string& artifacts_dir,
                    std::map<std::string, std::string>& provenance) {
  const c10::Device device(resolve_device(device_name));
  const std::string run = describe_run(config);
  const std::string file = trained_path(artifacts_dir);
  Summary s;
  // A pruning run is also measured as built, before its pruning step (".before_prune"): the model the
  // estimation stage trained.
  Built b0 = in_phase("building " + run + " to measure it", [&] { return build(config, device); });
  if (any_prunes(b0.ptrs)) {
    in_phase("measuring " + run + " before its pruning", [&] {
      const MeasureInputs in{*b0.backbone, b0.ptrs, *b0.data, config.train, config.measure, device, b0.optim};
      measure_training(in, s, ".before_prune");
      b0.backbone->eval();
      for (Method* m : b0.ptrs) m->prepare_inference(*b0.backbone);
      measure_inference(in, ".before_prune", s);
    });
    b0 = in_phase("building " + run + " to measure it", [&] { return build(config, device); });
  }
  Built& b = b0;
  in_phase("measuring the training step of " + run, [&] {
    load_trained(*b.backbone, b.ptrs, file, config.id);
    measure_training(MeasureInputs{*b.backbone, b.ptrs, *b.data, config.train, config.measure, device, b.optim}, s);
  });
  // A fresh build for inference (the timed steps changed the weights; loading replays any pruning once).
  Built bi = in_phase("building " + run + " to measure it", [&] { return build(config, device); });
  in_phase("measuring inference of " + run, [&] {
    load_trained(*bi.backbone, bi.ptrs, file, config.id);
    const MeasureInputs in{*bi.backbone, bi.ptrs, *bi.data, config.train, config.measure, device, bi.optim};
    count_parameters(bi, s);
    bi.backbone->eval();
    for (Method* m : bi.ptrs) m->prepare_inference(*bi.backbone);
    measure_inference(in, "", s);
    for_each_variant(bi.ptrs, [&](const std::string& name) { measure_inference(in, "." + name, s); });
  });
  provenance["measure.precision"] = to_string(measure_precision(config.train, config.measure));
  provenance["measure.threads"] = std::to_string(at::get_num_threads());
  provenance["measure.device"] = device.str();
  provenance["measure.memory_peak_reset"] = device.is_cuda() || PeakMemory(device).was_reset() ? "true" : "false";
  return s;
}

}  // namespace adaptlab
