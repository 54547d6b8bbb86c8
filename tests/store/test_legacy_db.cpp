// A database made by adaptlab before stable run ids (tests/fixtures/store/legacy.sqlite, written by
// commit 8cdb3ca from legacy_sweep.yaml beside it) resumes with today's binary: its ids are re-keyed
// once, every run is found done, nothing runs again and every stored number is kept.
#include <catch2/catch.hpp>

#include <filesystem>

#include "framework/registry/registries.h"
#include "framework/run/resolve.h"
#include "framework/sched/plan.h"
#include "framework/sched/scheduler.h"
#include "framework/store/store.h"
#include "framework/sweep/sweep.h"
#include "support/tmp.h"

using namespace adaptlab;
namespace fs = std::filesystem;

TEST_CASE("a database from before stable ids resumes with nothing re-run", "[store][legacy]") {
  const std::string fixtures = std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/store";
  const auto dir = test::fresh_dir("legacy");
  const std::string db = dir + "/legacy.sqlite";
  fs::copy_file(fixtures + "/legacy.sqlite", db);
  const Sweep sw = load_sweep(fixtures + "/legacy_sweep.yaml", {}, registries());
  REQUIRE(sw.runs.size() == 10);

  std::map<std::string, double> acc_before;  // by old id
  std::map<std::string, std::string> old_id_of;  // new id -> old id
  {
    Store old(db);  // opening for writing migrates the schema (2 -> 3); the ids are still the old ones
    CHECK(old.id_scheme() == 1);
    for (const auto& r : old.runs("legacy")) {
      CHECK(r.status == RunStatus::done);
      CHECK(r.id == legacy_run_id(r.config));  // what the old binary computed
      acc_before[r.id] = old.summary("legacy", r.id).at("test.acc");
      old_id_of[stable_run_id(r.config, registries())] = r.id;
    }
  }
  REQUIRE(acc_before.size() == 10);
  for (const auto& r : sw.runs) CHECK(old_id_of.count(r.id()) == 1);  // today's ids are the re-keyed ones

  Store store(db);
  SchedulerOptions o;
  o.executable = "/nonexistent/adaptlab";  // nothing may be launched
  o.progress = false;
  const SweepReport rep = run_sweep(sw, store, o);
  CHECK(rep.skipped == 10);
  CHECK(rep.done == 0);
  CHECK(rep.failed == 0);
  CHECK(store.id_scheme() == kIdScheme);
  const auto runs = store.runs("legacy");
  REQUIRE(runs.size() == 10);
  for (const auto& r : runs) {
    INFO(r.id);
    REQUIRE(old_id_of.count(r.id) == 1);
    CHECK(r.attempt == 1);  // never begun again
    CHECK(store.summary("legacy", r.id).at("test.acc") == acc_before.at(old_id_of.at(r.id)));
    CHECK(store.metrics("legacy", r.id).size() > 0);
    CHECK(store.provenance("legacy", r.id).count("torch.version") == 1);
  }
  // A second resume is a no-op for the ids too.
  CHECK(migrate_run_ids(store, registries()) == 0);
}
