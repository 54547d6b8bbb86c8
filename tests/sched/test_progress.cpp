#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <thread>

#include "framework/sched/progress.h"
#include "framework/sched/terminal.h"

using namespace adaptlab;
using Clock = std::chrono::steady_clock;

TEST_CASE("progress: the ETA follows the running runs' own pace before any run has finished", "[sched]") {
  Progress p(/*total=*/3, /*slots=*/1, /*enabled=*/false);
  CHECK(std::isnan(p.eta_seconds()));  // nothing known yet
  const auto t0 = Clock::now();
  p.started(0, "lora", "cpu");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RunProgress r;
  r.step = 25;
  r.total_steps = 100;  // a quarter done
  p.progressed(0, r);
  const double e0 = std::chrono::duration<double>(Clock::now() - t0).count();
  const double eta = p.eta_seconds();
  const double e1 = std::chrono::duration<double>(Clock::now() - t0).count();
  // The run takes elapsed / 0.25; 0.75 of it is left, and two pending runs take as long each:
  // (3 + 4 + 4) × elapsed... with elapsed between the two clock readings.
  CHECK(eta >= 11 * (e0 - 0.05) * 1.0 - 1e-9);
  CHECK(eta <= 11 * e1 + 1e-9);
  const SweepCounts c = p.counts();
  CHECK((c.total == 3 && c.running == 1 && c.pending == 2 && c.done == 0));
  // A finished run's duration becomes the estimate for the pending ones.
  p.finished(0, true, /*wall_s=*/10.0, /*final=*/true);
  CHECK(p.eta_seconds() == Approx(20.0));
  CHECK(p.line().find("1 done · 0 running · 0 failed · 2 pending") != std::string::npos);
  CHECK(p.line().find("ETA 20s") != std::string::npos);
}

TEST_CASE("progress: one line per running run with its label, device and where it stands", "[sched]") {
  Progress p(2, 2, false);
  p.started(0, "lora (rank=8)", "cuda:0");
  p.started(1, "linear", "cuda:1");
  RunProgress r;
  r.step = 30;
  r.total_steps = 60;
  r.epoch = 1.5;
  r.epochs = 3;
  r.loss = 0.53125;
  r.steps_per_s = 12.25;
  r.val_metric = "val.acc";
  r.val_value = 0.6125;
  p.progressed(0, r);
  const auto lines = p.run_lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("  lora (rank=8) [cuda:0] epoch 1.5/3 · step 30/60 · 12.2 steps/s · loss 0.5312 · val.acc 0.6125 · ", 0) == 0);
  CHECK(lines[1].rfind("  linear [cuda:1] starting · ", 0) == 0);
}

TEST_CASE("fit_width cuts at terminal columns, not bytes", "[sched]") {
  CHECK(fit_width("abcdef", 10) == "abcdef");
  CHECK(fit_width("abcdef", 4) == "abc…");
  CHECK(fit_width("a·b·c·d", 5) == "a·b·…");  // '·' is two bytes, one column
  CHECK(fit_width("abc", 1).empty());
}
