// Every registered method trains under `train.precision: fp16` on CPU, through the trainer's own loop
// (fit: autocast to float16, dynamic loss scaling, AdamW, evaluation under autocast) on the tiny instance
// of every backbone (EntryMeta::example_options / example_data / example_inputs; the method's own
// example options): every step's loss and the validation loss are finite, the tensors that float32 training
// moves (only trainable ones) moved in fp16 too and nothing else did, and the first step's loss is within
// 2e-2 of the same step in float32.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"

using namespace adaptlab;

namespace {

cfg::Node example_node(const std::string& yaml, const std::string& what) {
  return cfg::parse_string(yaml.empty() ? "{}" : yaml, what + " example options");
}

// Three splits of eight examples each: the backbone's example inputs (float32 images; token ids with
// padding) and labels cycling through the classes.
class ExampleData : public Dataset {
 public:
  explicit ExampleData(const std::string& backbone) {
    const EntryMeta& meta = registries().backbones.item(backbone).meta;
    info_ = *meta.example_data;
    at::manual_seed(7);
    for (int s = 0; s < 3; ++s) {
      at::Tensor x = at::cat({meta.example_inputs(), meta.example_inputs()});
      x_[s] = x.is_floating_point() ? x.to(at::kFloat) : x;
      y_[s] = at::arange(x.size(0), at::kLong).remainder(info_.num_classes);
    }
  }
  DataInfo info() const override { return info_; }
  const at::Tensor& inputs(Split s) const override { return x_[static_cast<int>(s)]; }
  const at::Tensor& labels(Split s) const override { return y_[static_cast<int>(s)]; }

 private:
  DataInfo info_;
  at::Tensor x_[3], y_[3];
};

struct Trained {
  std::vector<double> train_losses, val_losses;
  int64_t steps = 0;
  std::set<std::string> trainable;
  std::map<std::string, at::Tensor> before, after;
};

Trained train(const std::string& backbone, const std::string& method, const std::string& precision) {
  const auto& bitem = registries().backbones.item(backbone);
  at::manual_seed(123);
  auto b = registries().backbones.create(backbone, example_node(bitem.meta.example_options, backbone),
                                         *bitem.meta.example_data);
  auto m = registries().methods.create(method, example_node(registries().methods.item(method).meta.example_options,
                                                            method));
  at::manual_seed(99);
  m->attach(*b);
  Trained t;
  const auto names = set_trainable(*b, {m.get()});
  t.trainable = {names.begin(), names.end()};
  for (const auto& p : b->named_parameters()) t.before[p.key()] = p.value().detach().clone();
  const ExampleData data(backbone);
  TrainOptions o;
  o.precision = precision;
  o.max_steps = 6;
  o.batch_size = 4;
  o.lr = 1e-2;
  o.warmup_epochs = 0;
  o.eval_batch_size = 8;
  o.log_every = 1;
  o.prefetch = 0;
  t.steps = fit(*b, {m.get()}, data, o, 5, at::kCPU, [&](const MetricEvent& e) {
    if (e.name != "loss") return;
    (e.split == "train" ? t.train_losses : t.val_losses).push_back(e.value);
  });
  for (const auto& p : b->named_parameters()) t.after[p.key()] = p.value().detach().clone();
  return t;
}

}  // namespace

TEST_CASE("every registered method trains in fp16 on every backbone: finite losses, its tensors move",
          "[methods][fp16]") {
  // Token ops on T5 are refused when attached (its relative position bias; the contract test checks the message).
  static const std::set<std::pair<std::string, std::string>> refused = {{"t5", "tome"}, {"t5", "pyra"}, {"t5", "vpt"}};
  const auto methods = registries().methods.entries().names();
  REQUIRE(methods.size() >= 8);
  for (const std::string& kind : registries().backbones.entries().names()) {
    if (!registries().backbones.item(kind).meta.example_data) continue;
    for (const std::string& name : methods) {
      if (refused.count({kind, name})) continue;
      INFO("method '" << name << "' on the " << kind);
      Trained full, half;
      try {  // an error (e.g. a value that does not fit float16) fails this pair; the others still run
        full = train(kind, name, "fp32");
        half = train(kind, name, "fp16");
      } catch (const std::exception& e) {
        FAIL_CHECK("training failed: " << e.what());
        continue;
      }
      CHECK(half.steps == 6);
      REQUIRE(half.train_losses.size() == 6);
      for (double l : half.train_losses) CHECK(std::isfinite(l));
      REQUIRE_FALSE(half.val_losses.empty());
      for (double l : half.val_losses) CHECK(std::isfinite(l));
      // The tensors that six float32 steps move moved in fp16 too (the loss scaler did not skip every
      // step; no gradient was lost), nothing else did (a trainable tensor outside the forward, e.g. BERT's
      // pooler or the last block's PYRA modulation under a class-token head, stays in both).
      const auto moved = [](const Trained& t) {
        std::set<std::string> out;
        for (const auto& [n, v] : t.after)
          if (!at::equal(v, t.before.at(n))) out.insert(n);
        return out;
      };
      const std::set<std::string> moved_full = moved(full), moved_half = moved(half);
      CHECK(moved_half == moved_full);
      if (!half.trainable.empty()) CHECK_FALSE(moved_full.empty());
      for (const auto& n : moved_half) {
        INFO("tensor " << n);
        CHECK(half.trainable.count(n) == 1);
        CHECK(at::isfinite(half.after.at(n)).all().item<bool>());
      }
      // It ran in half precision, close to float32: the first step's loss (the same model and batch).
      REQUIRE(full.train_losses.size() == 6);
      const double rel = std::abs(half.train_losses[0] - full.train_losses[0]) / std::abs(full.train_losses[0]);
      CHECK(rel > 0);
      CHECK(rel <= 2e-2);
    }
  }
}
