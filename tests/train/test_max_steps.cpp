// train.max_steps: exactly that many optimiser steps, over as many epochs as they take (the last cut
// short), the schedule spanning them; the epoch loss of the short epoch averages its own examples.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <map>
#include <vector>

#include "backbones/vit/vit.h"
#include "datasets/synthetic/synthetic.h"
#include "framework/config/node.h"
#include "framework/core/records.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"

using namespace adaptlab;

TEST_CASE("train.max_steps trains exactly that many steps, the last epoch cut short", "[train]") {
  SyntheticOptions d;
  d.img_size = 8;
  d.train_size = 20;  // batch 4: 5 steps an epoch
  d.val_size = 8;
  d.test_size = 8;
  d.num_classes = 3;
  auto data = make_synthetic(d);
  at::manual_seed(0);
  ViTOptions v;
  v.img_size = 8;
  v.patch_size = 4;
  v.embed_dim = 16;
  v.depth = 1;
  v.num_heads = 2;
  auto b = make_vit(v, 3);
  auto full = registries().methods.create("full", cfg::parse_string("{}", "t"));
  std::vector<Method*> ms = {full.get()};
  full->attach(*b);
  set_trainable(*b, ms);
  TrainOptions o;
  o.epochs = 100;  // ignored: max_steps decides
  o.max_steps = 7;
  o.batch_size = 4;
  o.schedule = "linear";
  o.warmup_steps = 2;
  o.warmup_epochs = 0;
  o.lr = 1e-3;
  std::map<int64_t, double> lr;
  std::vector<double> epoch_loss, val_epochs, loss_epoch;
  std::vector<int64_t> loss_steps;
  const int64_t steps = fit(*b, ms, *data, o, 0, at::kCPU, [&](const MetricEvent& e) {
    if (e.split == "train" && e.name == "lr") lr[e.step] = e.value;
    if (e.split == "train" && e.name == "loss") loss_steps.push_back(e.step), loss_epoch.push_back(e.epoch);
    if (e.split == "train" && e.name == "epoch_loss") epoch_loss.push_back(e.value);
    if (e.split == "val" && e.name == "loss") val_epochs.push_back(e.epoch);
  });
  CHECK(steps == 7);
  CHECK(loss_steps == std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7});
  CHECK(epoch_loss.size() == 2);  // 5 steps, then 2
  CHECK(val_epochs == std::vector<double>{1.0, 2.0});
  CHECK(loss_epoch.back() == Approx(2.0));  // step 7 of 7 over 2 epochs
  // The linear schedule spans the 7 steps: warm-up over 2, then down to 0 after step 7.
  CHECK(lr.at(1) == Approx(0.0).margin(1e-15));
  CHECK(lr.at(2) == Approx(0.5e-3));
  CHECK(lr.at(3) == Approx(1e-3));
  CHECK(lr.at(7) == Approx(1e-3 / 5.0));  // transformers: (7 - 6) / (7 - 2) at its step index 6
}
