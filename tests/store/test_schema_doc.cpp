// results/README.md documents the database: its schema table must name exactly the tables, views and
// columns a database made by this build has, its version and the run statuses.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "framework/core/records.h"
#include "framework/store/schema.h"
#include "framework/store/sqlite.h"
#include "framework/store/store.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

std::string readme() {
  std::ifstream in(std::string(ADAPTLAB_SOURCE_DIR) + "/results/README.md");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// table -> the backquoted column names of its row in the schema table (outside parentheses, before a colon).
std::map<std::string, std::set<std::string>> documented(const std::string& text) {
  std::map<std::string, std::set<std::string>> out;
  std::istringstream lines(text);
  static const std::regex row(R"(^\| `([a-z_]+)`( \(view\))? \| (.*) \| [^|]* \|$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    // Column names: the backquoted words outside parentheses.
    std::string cols = m[3], flat;
    int depth = 0;
    for (char c : cols) {
      if (c == '(') ++depth;
      else if (c == ')') --depth;
      else if (depth == 0 && c == ':') break;  // "`key`, `value`: what the values are"
      else if (depth == 0) flat += c;
    }
    static const std::regex name("`([a-z_]+)`");
    auto& set = out[m[1]];
    for (auto it = std::sregex_iterator(flat.begin(), flat.end(), name); it != std::sregex_iterator(); ++it)
      set.insert((*it)[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("results/README.md's schema is the schema a fresh database has", "[store]") {
  const std::string text = readme();
  const auto doc = documented(text);
  const std::string db = test::fresh_dir("schema-doc") + "/x.sqlite";
  { Store s(db); }
  sql::Db con(db, /*read_only=*/true);
  std::map<std::string, std::set<std::string>> actual;
  {
    sql::Stmt t(con, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'");
    while (t.step()) actual[t.text(0)];
  }
  for (auto& [table, cols] : actual) {
    sql::Stmt c(con, fmt::format("SELECT name FROM pragma_table_info('{}')", table));
    while (c.step()) cols.insert(c.text(0));
  }
  std::set<std::string> doc_tables, db_tables;
  for (const auto& [t, c] : doc) doc_tables.insert(t);
  for (const auto& [t, c] : actual) db_tables.insert(t);
  CHECK(doc_tables == db_tables);
  for (const auto& [table, cols] : actual) {
    INFO("table " << table);
    if (doc.count(table)) CHECK(doc.at(table) == cols);
  }
  CHECK(text.find(fmt::format("version (now {})", kSchemaVersion)) != std::string::npos);
  CHECK(text.find(fmt::format("## Schema (version {})", kSchemaVersion)) != std::string::npos);
  CHECK(text.find(fmt::format("- v{}:", kSchemaVersion)) != std::string::npos);
  // Every run status is in the runs row.
  for (RunStatus s : {RunStatus::pending, RunStatus::running, RunStatus::done, RunStatus::failed, RunStatus::timed_out,
                      RunStatus::cancelled, RunStatus::blocked})
    CHECK(text.find(fmt::format("`{}`", to_string(s))) != std::string::npos);
}
