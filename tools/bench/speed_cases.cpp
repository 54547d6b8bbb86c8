// adaptlab's side of the speed benchmark (tools/bench/speed.py runs it beside reference_speed.py, the
// Python reference on the same torch, interleaved, in one job):
//   adaptlab_bench_speed CASE BATCH REPS THREADS [PRECISION [PRUNE]]   → one JSON line
//     PRUNE: a share of every block's heads and FFN units removed (structurally, LoRA sliced along)
//   adaptlab_bench_speed --record DB RESULTS.jsonl              → the results into a database (study bench)
// Cases: vit_b16_forward (ViT-B/16 at 224, inference), vit_b16_lora_step (backbone frozen, LoRA r=8 on the
// fused qkv + head, AdamW), vit_b16_tome_low / _high (ToMe at PYRA's b16-low / b16-high schedules,
// inference), minilm_lora_step (all-MiniLM-L6-v2, 64 tokens, LoRA r=8 on query and value + head, AdamW).
// Random weights for the ViT (speed does not depend on them); the packaged MiniLM for the text encoder.
#include <ATen/ATen.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <numeric>
#include <vector>

#include "framework/config/node.h"
#include "framework/core/threads.h"
#include "framework/data/dataset.h"
#include "framework/measure/flops.h"
#include "framework/measure/params.h"
#include "framework/model/pruning.h"
#include "framework/measure/memory.h"
#include "framework/measure/timing.h"
#include "framework/model/autocast.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/store/store.h"
#include "framework/train/trainer.h"

using namespace adaptlab;

namespace {

struct Case {
  std::string backbone, backbone_options;
  std::vector<std::pair<std::string, std::string>> methods;  // name, options
  bool train = false;
  bool text = false;
};

Case case_of(const std::string& name) {
  const std::string vit_b = "{preset: vit_base_patch16_224}";
  if (name == "vit_b16_forward") return {"vit", vit_b, {{"linear", "{}"}}, false, false};
  if (name == "vit_b16_lora_step") return {"vit", vit_b, {{"lora", "{rank: 8, alpha: 8, targets: [attn.qkv]}"}}, true, false};
  if (name == "vit_b16_tome_low") return {"vit", vit_b, {{"tome", "{r: b16-low}"}}, false, false};
  if (name == "vit_b16_tome_high") return {"vit", vit_b, {{"tome", "{r: b16-high}"}}, false, false};
  if (name == "minilm_lora_step")
    return {"pretrained_text", "{dropout: 0.0}", {{"lora", "{rank: 8, alpha: 8, targets: [attn.q, attn.v]}"}}, true, true};
  // For tools/bench/prune_speed.py: LoRA on the six Linear points, and the text encoder's forward.
  const std::string six = "{rank: 8, alpha: 16, targets: [attn.q, attn.k, attn.v, attn.proj, mlp.fc1, mlp.fc2]}";
  if (name == "vit_b16_lora6_step") return {"vit", vit_b, {{"lora", six}}, true, false};
  if (name == "minilm_lora6_step") return {"pretrained_text", "{dropout: 0.0}", {{"lora", six}}, true, true};
  if (name == "minilm_forward") return {"pretrained_text", "{dropout: 0.0}", {{"linear", "{}"}}, false, true};
  fail("unknown case '{}'; known: vit_b16_forward, vit_b16_lora_step, vit_b16_tome_low, vit_b16_tome_high, "
       "minilm_lora_step", name);
}

int run_case(const std::string& name, int batch, int reps, int threads, const std::string& precision, double prune) {
  configure_allocator();  // as the adaptlab executable does
  configure_threads(threads);
  const Case c = case_of(name);
  at::manual_seed(0);
  const int64_t classes = 100, seq = 64;
  const DataInfo info = c.text ? DataInfo{classes, {seq}} : DataInfo{classes, {3, 224, 224}};
  auto b = registries().backbones.create(c.backbone, cfg::parse_string(c.backbone_options, "bench"), info);
  std::vector<std::unique_ptr<Method>> owned;
  std::vector<Method*> methods;
  for (const auto& [m, o] : c.methods) {
    owned.push_back(registries().methods.create(m, cfg::parse_string(o, "bench")));
    methods.push_back(owned.back().get());
    owned.back()->attach(*b);
  }
  if (prune > 0) {  // keep the first (1 − prune) of every block's heads and units
    BlockKeep keep;
    for (int i = 0; i < b->num_blocks(); ++i) {
      const auto first = [&](int64_t n) {
        std::vector<int64_t> k(static_cast<size_t>(std::llround((1.0 - prune) * static_cast<double>(n))));
        std::iota(k.begin(), k.end(), 0);
        return k;
      };
      keep.heads.push_back(first(b->block(i).num_heads()));
      keep.units.push_back(first(b->block(i).ffn_dim()));
    }
    apply_block_keep(*b, keep);
  }
  set_trainable(*b, methods);
  const ParamCounts pc = count_params(*b);
  const at::Tensor x = c.text ? at::randint(1000, 30000, {batch, seq}, at::kLong) : at::randn({batch, 3, 224, 224});
  const at::Tensor y = at::randint(0, classes, {batch}, at::kLong);
  const Precision p = parse_precision(precision);
  std::vector<double> secs;
  double flops = 0;
  PeakMemory peak(at::kCPU);
  if (c.train) {
    TrainOptions o;
    o.precision = precision;
    b->train();
    Stepper st(*b, methods, o, at::kCPU, 2 + reps, 0);
    secs = time_calls([&] { st.step(x, y); }, 2, reps, at::kCPU, name);
  } else {
    b->eval();
    at::NoGradGuard g;
    AutocastGuard a(p, at::kCPU);
    {
      FlopCounter fc;
      b->forward(x);
      flops = static_cast<double>(fc.total()) / batch;
    }
    secs = time_calls([&] { b->forward(x); }, 2, reps, at::kCPU, name);
  }
  const TimeStats t = time_stats(secs);
  nlohmann::json j = {{"case", name},          {"impl", "adaptlab"},         {"batch", batch},
                      {"threads", threads},    {"precision", precision},     {"samples_per_s", batch / t.median},
                      {"min", batch / t.max},  {"max", batch / t.min},       {"seconds", t.median},
                      {"flops", flops},        {"peak_rss", peak.peak_bytes()}, {"prune", prune},
                      {"params", pc.total},    {"params_trainable", pc.trainable}};
  std::cout << j.dump() << std::endl;
  return 0;
}

// Each result line becomes a done run of study "bench": backbone = the case's model, method = the
// implementation, dataset = the case, seed = the round; throughput.eval = samples/s (and .min/.max),
// time.step.train for training steps, flops.forward where counted.
int record(const std::string& db, const std::string& results) {
  Store store(db);
  store.ensure_study("bench", "", "");
  std::ifstream in(results);
  AL_CHECK(in.good(), "{}: cannot read", results);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line);
    const std::string cs = j.at("case"), impl = j.at("impl");
    const nlohmann::json cfg = {{"backbone", {{"name", cs.rfind("minilm", 0) == 0 ? "minilm-l6" : "vit-b16"}}},
                                {"dataset", {{"name", cs}}},
                                {"methods", {{{"name", impl}}}},
                                {"seed", j.at("round")}};
    const std::string id = fmt::format("{}-{}-{}", cs, impl, j.at("round").get<int>());
    store.begin_run(record_of_config("bench", id, cfg), "cpu");
    RunOutcome o;
    o.status = RunStatus::done;
    o.exit_code = 0;
    o.summary["throughput.eval"] = j.at("samples_per_s");
    o.summary["throughput.eval.min"] = j.at("min");
    o.summary["throughput.eval.max"] = j.at("max");
    if (cs.find("step") != std::string::npos) o.summary["time.step.train"] = j.at("seconds");
    if (j.value("flops", 0.0) > 0) o.summary["flops.forward"] = j.at("flops");
    o.provenance["bench.threads"] = std::to_string(j.at("threads").get<int>());
    o.provenance["bench.batch"] = std::to_string(j.at("batch").get<int>());
    o.provenance["bench.precision"] = j.at("precision").get<std::string>();
    o.provenance["bench.impl_version"] = j.value("version", "");
    store.finish_run("bench", id, o);
    ++n;
  }
  fmt::print("{}: {} results recorded (study bench)\n", db, n);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 3 && a[0] == "--record") return record(a[1], a[2]);
    AL_CHECK(a.size() >= 4 && a.size() <= 6, "usage: adaptlab_bench_speed CASE BATCH REPS THREADS [PRECISION [PRUNE]] | "
             "--record DB RESULTS.jsonl");
    return run_case(a[0], std::stoi(a[1]), std::stoi(a[2]), std::stoi(a[3]), a.size() >= 5 ? a[4] : "fp32",
                    a.size() == 6 ? std::stod(a[5]) : 0.0);
  } catch (const std::exception& e) {
    std::cerr << "adaptlab_bench_speed: " << e.what() << "\n";
    return 1;
  }
}
