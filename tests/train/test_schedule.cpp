#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "framework/train/options.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("warm-up then cosine learning-rate schedule", "[train]") {
  TrainOptions o;
  o.lr = 1e-3;
  o.min_lr = 1e-5;
  // 10 warm-up steps of 110: linear ramp reaching lr at step 9, then cosine to min_lr at step 110.
  CHECK(lr_at(o, 0, 10, 110) == Approx(1e-4));
  CHECK(lr_at(o, 4, 10, 110) == Approx(5e-4));
  CHECK(lr_at(o, 9, 10, 110) == Approx(1e-3));
  CHECK(lr_at(o, 10, 10, 110) == Approx(1e-3));
  CHECK(lr_at(o, 60, 10, 110) == Approx(1e-5 + 0.5 * (1e-3 - 1e-5)));  // half way: cos(pi/2) = 0
  CHECK(lr_at(o, 35, 10, 110) == Approx(1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + std::cos(M_PI * 0.25))));
  CHECK(lr_at(o, 110, 10, 110) == Approx(1e-5));
  // No warm-up: starts at the peak.
  CHECK(lr_at(o, 0, 0, 100) == Approx(1e-3));
}

TEST_CASE("warm-up from warmup_lr", "[train]") {
  TrainOptions o;
  o.lr = 1e-3;
  o.warmup_lr = 1e-6;
  CHECK(lr_at(o, 0, 10, 110) == Approx(1e-6 + (1e-3 - 1e-6) * 0.1).epsilon(1e-15));
  CHECK(lr_at(o, 9, 10, 110) == Approx(1e-3).epsilon(1e-15));
  CHECK(lr_at(o, 110, 10, 110) == Approx(0.0).margin(1e-18));
}

TEST_CASE("schedule timm_epoch: every step's lr as timm's CosineLRScheduler gives it in the PYRA loop", "[train]") {
  struct Case {
    int epochs, warmup;
    double warmup_lr, lr, min_lr;
    long steps_per_epoch;
  };
  // PYRA's VTAB-1k settings (100 epochs, 10 warm-up, 800 images / 32 with drop_last = 25 steps), and short ones.
  for (const Case c : {Case{100, 10, 1e-6, 1e-3, 1e-5, 25}, Case{7, 2, 1e-7, 3e-4, 0.0, 3}, Case{5, 0, 0.0, 1e-2, 1e-4, 1}}) {
    INFO(c.epochs << " epochs, " << c.warmup << " warm-up");
    const auto dir = test::fresh_dir("timm-schedule");
    test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/train/reference_schedule.py",
                     fmt::format("{} {} {} {} {} {} '{}/lrs.json'", c.epochs, c.warmup, c.warmup_lr, c.lr, c.min_lr,
                                 c.steps_per_epoch, dir));
    const auto ref = nlohmann::json::parse(std::ifstream(dir + "/lrs.json"));
    TrainOptions o;
    o.schedule = "timm_epoch";
    o.epochs = c.epochs;
    o.warmup_epochs = c.warmup;
    o.warmup_lr = c.warmup_lr;
    o.lr = c.lr;
    o.min_lr = c.min_lr;
    const long total = c.steps_per_epoch * c.epochs;
    REQUIRE(ref.size() == static_cast<size_t>(total));
    for (long s = 0; s < total; ++s) {
      INFO("step " << s);
      CHECK(lr_at(o, s, c.warmup * c.steps_per_epoch, total) == Approx(ref[static_cast<size_t>(s)].get<double>()).epsilon(1e-13));
    }
  }
}

TEST_CASE("schedule linear: every step's lr as transformers' get_linear_schedule_with_warmup", "[train]") {
  const auto dir = test::fresh_dir("linear-schedule");
  // Variator's pre-training: lr 1e-3, 50 warm-up steps (here of 400 steps).
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/train/reference_linear_schedule.py",
                   fmt::format("0.001 50 400 '{}/lrs.json'", dir));
  const auto ref = nlohmann::json::parse(std::ifstream(dir + "/lrs.json"));
  TrainOptions o;
  o.schedule = "linear";
  o.lr = 1e-3;
  REQUIRE(ref.size() == 400u);
  for (long s = 0; s < 400; ++s) {
    INFO("step " << s);
    CHECK(lr_at(o, s, 50, 400) == Approx(ref[static_cast<size_t>(s)].get<double>()).epsilon(1e-13).margin(1e-18));
  }
  o.min_lr = 1e-5;  // a floor: the last step decays to it
  CHECK(lr_at(o, 400, 50, 400) == Approx(1e-5).epsilon(1e-15));
}
