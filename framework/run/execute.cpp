#include "framework/run/execute.h"

#include <ATen/ATen.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <unistd.h>
#ifdef ADAPTLAB_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include <algorithm>
#include <chrono>

#include "framework/config/node.h"
#include "framework/run/run_config.h"
#include "framework/core/error.h"
#include "framework/data/dataset.h"
#include "framework/measure/params.h"
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

Summary execute_run(const RunConfig& config, const std::string& device_name, const MetricSink& sink) {
  const c10::Device device(resolve_device(device_name));
  const auto seed = static_cast<uint64_t>(config.seed);
  auto& reg = registries();

  auto data = reg.datasets.create(config.dataset.name, options_of(config.dataset));

  at::manual_seed(seed);  // backbone initialisation and method initialisation
  auto backbone = reg.backbones.create(config.backbone.name, options_of(config.backbone), data->info());

  std::vector<std::unique_ptr<Method>> methods;
  std::vector<Method*> method_ptrs;
  std::vector<std::string> method_names;
  for (const auto& m : config.methods) {
    method_names.push_back(m.name);
    methods.push_back(reg.methods.create(m.name, options_of(m)));
    method_ptrs.push_back(methods.back().get());
  }
  check_method_stack(method_ptrs, method_names);
  for (Method* m : method_ptrs) m->attach(*backbone);
  set_trainable(*backbone, method_ptrs);
  backbone->to(device);

  Summary s;
  const ParamCounts pc = count_params(*backbone);
  s["params.total"] = static_cast<double>(pc.total);
  s["params.trainable"] = static_cast<double>(pc.trainable);
  {  // per method (the first method naming a tensor owns it): params.trainable.<name>[.<index> when repeated]
    std::vector<double> per(method_ptrs.size(), 0.0);
    auto params = backbone->named_parameters();
    for (const auto& [name, k] : trainable_owners(*backbone, method_ptrs)) per[k] += params[name].numel();
    for (size_t k = 0; k < per.size(); ++k) {
      const bool repeated = std::count(method_names.begin(), method_names.end(), method_names[k]) > 1;
      s["params.trainable." + method_names[k] + (repeated ? "." + std::to_string(k) : "")] = per[k];
    }
  }

  const auto t0 = std::chrono::steady_clock::now();
  const auto steps = fit(*backbone, method_ptrs, *data, config.train, seed, device, sink);
  s["train.steps"] = static_cast<double>(steps);
  s["time.train_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const int eval_bs = config.train.eval_batch_size;
  const EvalResult val = evaluate(*backbone, *data, Split::val, eval_bs, device);
  const EvalResult test = evaluate(*backbone, *data, Split::test, eval_bs, device);
  s["val.acc"] = val.acc;
  s["val.loss"] = val.loss;
  s["test.acc"] = test.acc;
  s["test.loss"] = test.loss;

  // prepare_inference must not change the function: compare logits on the first test examples.
  backbone->eval();
  at::Tensor probe = data->inputs(Split::test).narrow(0, 0, std::min<int64_t>(64, data->size(Split::test))).to(device);
  at::Tensor before, after;
  {
    at::NoGradGuard g;
    before = backbone->forward(probe);
  }
  for (Method* m : method_ptrs) m->prepare_inference(*backbone);
  {
    at::NoGradGuard g;
    after = backbone->forward(probe);
  }
  s["inference.max_logit_diff"] = (after - before).abs().max().item<double>();
  const auto t1 = std::chrono::steady_clock::now();
  const EvalResult inf = evaluate(*backbone, *data, Split::test, eval_bs, device);
  const double eval_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  s["test.acc_inference"] = inf.acc;
  s["throughput.eval"] = eval_s > 0 ? static_cast<double>(inf.n) / eval_s : 0.0;
  // Inference configurations a method offers (e.g. Variator's rates): each evaluated on the test split.
  for (Method* m : method_ptrs) {
    const auto variants = m->variants();
    for (const auto& [name, apply] : variants) {
      apply();
      const auto tv = std::chrono::steady_clock::now();
      const EvalResult r = evaluate(*backbone, *data, Split::test, eval_bs, device);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - tv).count();
      s["test.acc." + name] = r.acc;
      s["throughput.eval." + name] = sec > 0 ? static_cast<double>(r.n) / sec : 0.0;
    }
    if (!variants.empty()) variants.front().second();
  }
  return s;
}

}  // namespace adaptlab
