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
    CHECK(s.status("st", "abc") == std::nullopt);
    s.begin_run(record_of_config("st", "abc", config(0)), "cpu");
    CHECK(s.status("st", "abc") == RunStatus::running);
    s.finish_run("st", "abc", RunStatus::failed, {{1, "train", "loss", 2.0}}, {}, "boom");
    CHECK(s.status("st", "abc") == RunStatus::failed);
    // Retrying clears the old attempt's metrics and bumps the attempt count.
    s.begin_run(record_of_config("st", "abc", config(0)), "cpu");
    CHECK(s.metrics("st", "abc").empty());
    s.finish_run("st", "abc", RunStatus::done, {{1, "train", "loss", 1.5}, {1, "val", "acc", 0.5}}, {{"test.acc", 0.75}}, "");
  }
  Store s(path, /*read_only=*/true);
  const auto runs = s.runs("st");
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == RunStatus::done);
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
  REQUIRE_THROWS_WITH(s.finish_run("st", "zzz", RunStatus::done, {{1, "train", "loss", 1.0}}, {{"a", 1.0}}, ""),
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
    REQUIRE_THROWS_WITH(Store(p), p + ": written by a newer adaptlab (schema version 99, this build reads up to " + std::to_string(kSchemaVersion) + "); "
                                      "refusing to open it");
  }
  SECTION("not a database at all") {
    const auto p = dir + "/text.sqlite";
    std::ofstream(p) << "hello, this is not sqlite at all, just some text that is long enough......";
    REQUIRE_THROWS_AS(Store(p), Error);
  }
  SECTION("a database whose tables were dropped") {
    const auto p = dir + "/dropped.sqlite";
    { Store s(p); }
    {
      sql::Db db(p, false);
      db.exec("DROP TABLE summary; DROP TABLE metrics");
    }
    for (bool ro : {false, true})
      REQUIRE_THROWS_WITH(Store(p, ro), p + ": damaged adaptlab database: tables missing: metrics, summary (restore it "
                                            "from a copy)");
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

TEST_CASE("store: a version-1 database is migrated on open and keeps every row", "[store]") {
  const auto dir = test::fresh_dir("store-migrate");
  const auto p = dir + "/v1.sqlite";
  {
    sql::Db db(p, false);
    db.exec(schema_v1());
    db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version = 1");
    db.exec("INSERT INTO studies VALUES ('s', '2026-01-01T00:00:00Z', 'sweep.yaml', 'study: s')");
    for (int i = 0; i < 3; ++i) {
      const std::string id = "r" + std::to_string(i);
      db.exec("INSERT INTO runs(study, id, status, attempt, backbone, methods, dataset, seed, config_json) VALUES "
              "('s', '" + id + "', 'done', 1, 'vit', 'lora', 'synthetic', " + std::to_string(i) + ", '{\"seed\":" +
              std::to_string(i) + "}')");
      db.exec("INSERT INTO summary VALUES ('s', '" + id + "', 'test.acc', 0." + std::to_string(5 + i) + ")");
      db.exec("INSERT INTO params VALUES ('s', '" + id + "', 'seed', '" + std::to_string(i) + "')");
      for (int step = 1; step <= 4; ++step)
        db.exec("INSERT INTO metrics VALUES ('s', '" + id + "', " + std::to_string(step) + ", 'train', 'loss', 1.0)");
    }
  }
  SECTION("read-only opening asks for a migration first") {
    REQUIRE_THROWS_WITH(Store(p, true), Catch::StartsWith(p + ": schema version 1 needs migrating to " + std::to_string(kSchemaVersion)));
  }
  SECTION("opening for writing migrates") {
    Store s(p);
    CHECK(s.count("runs") == 3);
    CHECK(s.count("summary") == 3);
    CHECK(s.count("params") == 3);
    CHECK(s.count("metrics") == 12);
    CHECK(s.count("studies") == 1);
    CHECK(s.summary("s", "r2").at("test.acc") == 0.7);
    const auto runs = s.runs("s");
    REQUIRE(runs.size() == 3);
    CHECK(runs[1].config == nlohmann::json{{"seed", 1}});
    CHECK(runs[1].exit_code == -1);  // new column, empty for old rows
    CHECK(s.count("provenance") == 0);
    CHECK(s.count("run_history") == 0);  // v4: present, empty
    // v7 rebuilt runs with status 'blocked' allowed: a run blocked on its dependency is recorded, the
    // earlier attempt kept in run_history.
    s.block_run(record_of_config("s", "r1", config(1)), "its dependency r0 failed");
    const auto after = s.runs("s");
    CHECK(after[1].status == RunStatus::blocked);
    CHECK(after[1].error == "its dependency r0 failed");
    CHECK(s.count("run_history") == 1);
    CHECK(s.count("summary") == 2);  // the blocked run's earlier summary moved to run_history
    sql::Db db(p, true);
    sql::Stmt uv(db, "PRAGMA user_version");
    REQUIRE(uv.step());
    CHECK(uv.integer(0) == kSchemaVersion);
    CHECK(s.id_scheme() == 1);  // its ids still hash the full config until a driver re-keys them
  }
}

TEST_CASE("store: exit info and provenance are kept with the run", "[store]") {
  const auto dir = test::fresh_dir("store-prov");
  Store s(dir + "/p.sqlite");
  s.ensure_study("st", "", "");
  s.begin_run(record_of_config("st", "a", config(1)), "cpu", "/logs/a.log");
  RunOutcome o;
  o.status = RunStatus::failed;
  o.exit_signal = 11;
  o.error = "killed by signal 11";
  o.provenance = {{"torch.version", "2.11.0"}, {"gpu.name", "NVIDIA H100"}};
  s.finish_run("st", "a", o);
  const auto r = s.runs("st").at(0);
  CHECK(r.exit_signal == 11);
  CHECK(r.exit_code == -1);
  CHECK(r.log_path == "/logs/a.log");
  CHECK(s.provenance("st", "a") == std::map<std::string, std::string>{{"gpu.name", "NVIDIA H100"},
                                                                       {"torch.version", "2.11.0"}});
}

TEST_CASE("store: a database file deleted or replaced under an open store is noticed", "[store]") {
  const auto dir = test::fresh_dir("store-identity");
  const auto p = dir + "/x.sqlite";
  Store s(p);
  REQUIRE(s.file().has_value());
  CHECK_NOTHROW(s.check_file_unchanged());
  std::filesystem::create_symlink(p, dir + "/link.sqlite");
  CHECK(file_id(dir + "/link.sqlite") == s.file());  // the same file under another name
  std::filesystem::remove(p);
  REQUIRE_THROWS_WITH(s.check_file_unchanged(),
                      Catch::StartsWith(p + ": the database file was deleted or replaced while this sweep ran (opened "
                                            "as device ") && Catch::Contains("; now no file)"));
  std::ofstream(p) << "another file";
  REQUIRE_THROWS_WITH(s.check_file_unchanged(), Catch::Contains("; now device "));
}
