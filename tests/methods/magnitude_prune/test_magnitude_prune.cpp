#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/model/method_facets.h"
#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"

using namespace adaptlab;

TEST_CASE("magnitude_prune zeroes exactly the smallest share and keeps it at zero while the weights train",
          "[methods][prune]") {
  auto data = registries().datasets.create(
      "synthetic", cfg::parse_string("{img_size: 8, num_classes: 3, train_size: 32, val_size: 8, test_size: 8}", "t"));
  at::manual_seed(3);
  auto b = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 16, num_heads: 2, depth: 2}", "t"), data->info());
  auto full = registries().methods.create("full", cfg::Node{});
  auto mag = registries().methods.create("magnitude_prune", cfg::parse_string("{sparsity: 0.3, at_step: 1, targets: [mlp.fc1, mlp.fc2]}", "t"));
  full->attach(*b);
  mag->attach(*b);
  std::vector<at::Tensor> before;
  for (int i = 0; i < 2; ++i)
    for (const char* p : {"mlp.fc1", "mlp.fc2"}) before.push_back(b->block(i).linear(p).front().layer->weight.detach().clone());
  const auto all = at::cat({before[0].flatten(), before[1].flatten(), before[2].flatten(), before[3].flatten()}).abs();
  const int64_t drop = std::llround(0.3 * static_cast<double>(all.numel()));
  const double cut = std::get<0>(all.sort()).index({drop - 1}).item<double>();
  TrainOptions o;
  o.epochs = 1;
  o.batch_size = 8;  // 4 steps: prune after the first, three more updates of the full weights
  o.lr = 1e-2;
  fit(*b, {full.get(), mag.get()}, *data, o, 0, at::kCPU, [](const MetricEvent&) {});
  int64_t zeros = 0, n = 0;
  size_t k = 0;
  for (int i = 0; i < 2; ++i)
    for (const char* p : {"mlp.fc1", "mlp.fc2"}) {
      const auto w = b->block(i).linear(p).front().layer->weight;
      zeros += (w == 0).sum().item<int64_t>();
      n += w.numel();
      // What is zero now is what was smallest before training (step 1 moved the weights a little, so
      // compare against the cut with a margin): every zeroed weight was small.
      const auto small = before[k++].abs() <= cut + 0.05;
      CHECK(((w == 0) & ~small).sum().item<int64_t>() == 0);
    }
  CHECK(zeros == drop);  // three more optimiser steps did not bring them back
  CHECK(facet<StructureChange>(mag.get())->structure_summary().at("prune.sparsity") == Approx(static_cast<double>(drop) / static_cast<double>(n)));
}
