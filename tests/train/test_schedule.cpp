#include <catch2/catch.hpp>

#include <cmath>

#include "framework/train/options.h"

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
