#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "framework/core/error.h"
#include "framework/store/sqlite.h"
#include "framework/store/store.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
nlohmann::json config(int seed) {
  return {{"backbone", {{"name", "vit"}}},
          {"dataset", {{"name", "synthetic"}}},
          {"methods", {{{"name", "lora"}, {"rank", 4}}}},
          {"train", {{"lr", 0.001}}},
          {"seed", seed}};
}
}  // namespace

TEST_CASE("store: a run's life cycle, attempts and atomic finish", "[store]") {
  const auto dir = test::fresh_dir("store");
  const auto path = dir + "/r.sqlite";
  {
    Store s(path);
    s.ensure_study("st", "sweep.yaml", "study: st\n");
    CHECK(s.status("st", "abc") == "");
    s.begin_run("st", "abc", config(0), "cpu");
    CHECK(s.status("st", "abc") == "running");
    s.finish_run("st", "abc", "failed", {{1, "train", "loss", 2.0}}, {}, "boom");
    CHECK(s.status("st", "abc") == "failed");
    // Retrying clears the old attempt's metrics and bumps the attempt count.
    s.begin_run("st", "abc", config(0), "cpu");
    CHECK(s.metrics("st", "abc").empty());
    s.finish_run("st", "abc", "done", {{1, "train", "loss", 1.5}, {1, "val", "acc", 0.5}}, {{"test.acc", 0.75}}, "");
  }
  Store s(path, /*read_only=*/true);
  const auto runs = s.runs("st");
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == "done");
  CHECK(runs[0].attempt == 2);
  CHECK(runs[0].methods == "lora");
  CHECK(runs[0].config == config(0));
  CHECK(runs[0].error.empty());
  CHECK(s.summary("st", "abc").at("test.acc") == 0.75);
  REQUIRE(s.metrics("st", "abc").size() == 2);
  CHECK(s.count("params") == 6);  // backbone.name, dataset.name, methods.0.name, methods.0.rank, seed, train.lr
}

TEST_CASE("store: finishing a run that was never begun is an error and writes nothing", "[store]") {
  const auto dir = test::fresh_dir("store-nb");
  Store s(dir + "/r.sqlite");
  s.ensure_study("st", "", "");
  REQUIRE_THROWS_WITH(s.finish_run("st", "zzz", "done", {{1, "train", "loss", 1.0}}, {{"a", 1.0}}, ""),
                      Catch::EndsWith("run st/zzz was not begun"));
  CHECK(s.count("metrics") == 0);
  CHECK(s.count("summary") == 0);
}

TEST_CASE("store: foreign and newer files are refused", "[store]") {
  const auto dir = test::fresh_dir("store-refuse");
  SECTION("a SQLite file of another application") {
    const auto p = dir + "/other.sqlite";
    {
      sql::Db db(p, false);
      db.exec("CREATE TABLE t(x)");
    }
    REQUIRE_THROWS_WITH(Store(p), p + ": not an adaptlab results database (application_id 0x0)");
  }
  SECTION("a newer schema") {
    const auto p = dir + "/newer.sqlite";
    { Store s(p); }
    {
      sql::Db db(p, false);
      db.exec("PRAGMA user_version = 99");
    }
    REQUIRE_THROWS_WITH(Store(p), p + ": written by a newer adaptlab (schema version 99, this build reads up to 1); "
                                      "refusing to open it");
  }
  SECTION("not a database at all") {
    const auto p = dir + "/text.sqlite";
    std::ofstream(p) << "hello, this is not sqlite at all, just some text that is long enough......";
    REQUIRE_THROWS_AS(Store(p), Error);
  }
  SECTION("read-only open of a missing file") {
    REQUIRE_THROWS_WITH(Store(dir + "/missing.sqlite", true), dir + "/missing.sqlite: no such results database");
  }
}

TEST_CASE("store: the database is in WAL mode with the schema version set", "[store]") {
  const auto dir = test::fresh_dir("store-wal");
  const auto p = dir + "/w.sqlite";
  { Store s(p); }
  sql::Db db(p, true);
  sql::Stmt jm(db, "PRAGMA journal_mode");
  REQUIRE(jm.step());
  CHECK(jm.text(0) == "wal");
  sql::Stmt uv(db, "PRAGMA user_version");
  REQUIRE(uv.step());
  CHECK(uv.integer(0) == kSchemaVersion);
}
