#include <fmt/format.h>

#include <memory>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/report/query.h"

namespace adaptlab::cli {
namespace {

struct QueryArgs {
  std::string db, study, sql;
  std::string format = "table";  // table | csv | json
  int max_rows = static_cast<int>(kDefaultQueryMaxRows);
};

int cmd_query(const QueryArgs& a) {
  const QueryResult r = run_query(db_path_of(a.db, a.study), a.sql, static_cast<size_t>(a.max_rows));
  if (a.format == "table") fmt::print("{}", format_query_table(r));
  else if (a.format == "csv") fmt::print("{}", format_query_csv(r));
  else if (a.format == "json") fmt::print("{}", format_query_json(r));
  else fail("query: unknown --format '{}'; known: table, csv, json", a.format);
  return 0;
}

}  // namespace

void add_query(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<QueryArgs>();
  Command& c = root.sub("query",
                        "run one read-only SQL statement against a results database (schema: results/README.md); "
                        "statements that write are refused");
  c.positional("sql", a->sql, "the SQL statement, e.g. \"SELECT methods, count(*) FROM runs GROUP BY 1\"").required();
  c.option("--db", a->db, "results database (default: results/<study>.sqlite)");
  c.option("--study", a->study, "study whose default database to open");
  c.option("--format", a->format, "table (default) | csv | json").one_of({"table", "csv", "json"});
  c.option("--max-rows", a->max_rows, "stop with an error when the statement yields more rows (default 1000000)")
      .positive();
  c.on_run([a] { return cmd_query(*a); });
}

}  // namespace adaptlab::cli
