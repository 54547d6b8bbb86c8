// Golden files: the Markdown and LaTeX renderings of a fixed database and spec. On a mismatch the
// actual output is written next to the test's scratch files; ADAPTLAB_UPDATE_GOLDEN=1 rewrites the
// golden files (review the diff before committing).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "framework/report/table.h"
#include "framework/store/store.h"
#include "report/fixture_db.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void check_golden(const std::string& name, const std::string& actual, const std::string& scratch) {
  const std::string golden = std::string(ADAPTLAB_TESTS_DIR) + "/report/golden/" + name;
  if (std::getenv("ADAPTLAB_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << actual;
    WARN("rewrote " << golden);
  }
  const std::string expected = read(golden);
  if (actual != expected) test::write_file(scratch, name, actual);
  INFO("golden file " << golden << "; actual output in " << scratch << "/" << name);
  CHECK(actual == expected);
}

}  // namespace

TEST_CASE("golden: Markdown and LaTeX of a grouped table with extras and the paper's numbers", "[report]") {
  const auto dir = test::fresh_dir("golden");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  TableSpec spec = load_table_spec(std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/report/table.yaml");
  spec.study = "mini";
  const TableModel t = build_table(s, spec);
  check_golden("mini.md", render_markdown(t), dir);
  check_golden("mini.tex", render_latex(t), dir);
  check_golden("mini.csv", render_csv(t), dir);
}

TEST_CASE("golden: automatic table without a spec", "[report]") {
  const auto dir = test::fresh_dir("golden-auto");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  TableSpec spec;
  spec.study = "mini";
  check_golden("mini_auto.md", render_markdown(build_table(s, spec)), dir);
}
