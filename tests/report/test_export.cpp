#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/report/export.h"
#include "framework/report/parquet.h"
#include "framework/store/store.h"
#include "report/fixture_db.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

std::string slurp_command(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (size_t k = fread(buf, 1, sizeof buf, p)) out.append(buf, k);
  const int rc = pclose(p);
  INFO(cmd << "\n" << out);
  REQUIRE(rc == 0);
  return out;
}

// What pandas / pyarrow read back from an exported file.
nlohmann::json read_back(const std::string& path, const std::string& format) {
  // stderr apart (pandas may warn); it is shown when the command fails.
  return nlohmann::json::parse(slurp_command(std::string("'") + ADAPTLAB_PYTHON_EXE + "' '" + ADAPTLAB_TESTS_DIR +
                                             "/report/read_export.py' '" + path + "' " + format + " 2>'" + path +
                                             ".stderr' || (cat '" + path + ".stderr'; exit 1)"));
}

std::string write(const std::string& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

size_t column(const ExportTable& t, const std::string& name) {
  const auto it = std::find(t.columns.begin(), t.columns.end(), name);
  REQUIRE(it != t.columns.end());
  return static_cast<size_t>(it - t.columns.begin());
}

}  // namespace

TEST_CASE("export: one wide row per run with the config flattened and every summary metric", "[report]") {
  const auto dir = test::fresh_dir("export");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  const ExportTable t = export_runs(s, "mini");
  REQUIRE(t.rows.size() == 27);  // 3 methods × 3 datasets × 3 seeds, the failed run included
  CHECK(t.columns[0] == "id");
  CHECK(t.columns[1] == "status");
  const size_t rank = column(t, "config.methods.0.rank"), acc = column(t, "test.acc"), status = column(t, "status");
  // lora-cifar-1: rank 8, test.acc 0.68; linear-cifar-0 has no rank (null); lora-eurosat-2 failed (no acc).
  const auto row_of = [&](const std::string& id) {
    for (const auto& r : t.rows)
      if (r[0] == id) return r;
    FAIL("no row " << id);
    return std::vector<nlohmann::json>{};
  };
  CHECK(row_of("lora-cifar-1")[rank] == 8);
  CHECK(row_of("lora-cifar-1")[acc] == 0.68);
  CHECK(row_of("linear-cifar-0")[rank].is_null());
  CHECK(row_of("lora-eurosat-2")[status] == "failed");
  CHECK(row_of("lora-eurosat-2")[acc].is_null());
  CHECK(export_runs(s, "mini", RunStatus::done).rows.size() == 26);

  SECTION("Parquet, read by pyarrow: the same cells and typed columns") {
    const auto path = write(dir, "runs.parquet", render_export_parquet(t));
    const auto back = read_back(path, "parquet");
    CHECK(back.at("columns") == nlohmann::json(t.columns));
    const auto& types = back.at("types");
    CHECK(types[column(t, "seed")] == "int64");
    CHECK(types[rank] == "int64");
    CHECK(types[acc] == "double");
    CHECK(types[column(t, "methods")] == "string");
    CHECK(back.at("rows") == nlohmann::json(t.rows));
    CHECK(back.at("pandas_rows") == 27);
  }
  SECTION("CSV and JSON lines, read by pandas") {
    const auto csv = read_back(write(dir, "runs.csv", render_export_csv(t)), "csv");
    const auto jsonl = read_back(write(dir, "runs.jsonl", render_export_jsonl(t)), "jsonl");
    for (const auto* back : {&csv, &jsonl}) {
      CHECK(back->at("columns") == nlohmann::json(t.columns));
      REQUIRE(back->at("rows").size() == 27);
      for (size_t i = 0; i < 27; ++i) {
        CHECK(back->at("rows")[i][0] == t.rows[i][0]);
        CHECK(back->at("rows")[i][acc] == t.rows[i][acc]);
      }
    }
  }
}

TEST_CASE("parquet writer: nulls, booleans, integers, doubles and UTF-8 text", "[report]") {
  const auto dir = test::fresh_dir("parquet");
  std::vector<parquet::Column> cols(4);
  cols[0] = {"flag", parquet::Type::boolean, {}};
  cols[1] = {"n", parquet::Type::int64, {}};
  cols[2] = {"x", parquet::Type::float64, {}};
  cols[3] = {"name", parquet::Type::string, {}};
  // 20 rows: nulls in runs and alone, more than 8 booleans (bit packing across bytes), negatives.
  for (int i = 0; i < 20; ++i) {
    cols[0].values.emplace_back(i % 7 == 3 ? std::nullopt : std::make_optional<parquet::Column::Value>(i % 3 == 0));
    cols[1].values.emplace_back(i >= 5 && i < 9 ? std::nullopt : std::make_optional<parquet::Column::Value>(int64_t{i * -1000003}));
    cols[2].values.emplace_back(std::make_optional<parquet::Column::Value>(i / 3.0));
    cols[3].values.emplace_back(i == 19 ? std::nullopt : std::make_optional<parquet::Column::Value>("ü-" + std::to_string(i)));
  }
  const auto path = write(dir, "t.parquet", parquet::write_table(cols));
  const auto back = read_back(path, "parquet");
  CHECK(back.at("types") == nlohmann::json({"bool", "int64", "double", "string"}));
  REQUIRE(back.at("rows").size() == 20);
  for (int i = 0; i < 20; ++i) {
    const auto& r = back.at("rows")[i];
    if (i % 7 == 3) CHECK(r[0].is_null());
    else CHECK(r[0] == (i % 3 == 0));
    if (i >= 5 && i < 9) CHECK(r[1].is_null());
    else CHECK(r[1] == int64_t{i * -1000003});
    CHECK(r[2] == i / 3.0);
    if (i == 19) CHECK(r[3].is_null());
    else CHECK(r[3] == "ü-" + std::to_string(i));
  }
  cols[1].values.pop_back();
  REQUIRE_THROWS_WITH(parquet::write_table(cols), "parquet: column 'n' has 19 values, not 20");
}
