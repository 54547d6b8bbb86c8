#include <fmt/format.h>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/report/query.h"

namespace adaptlab::cli {

int cmd_query(const QueryArgs& a) {
  const QueryResult r = run_query(db_path_of(a.db, a.study), a.sql);
  if (a.format == "table") fmt::print("{}", format_query_table(r));
  else if (a.format == "csv") fmt::print("{}", format_query_csv(r));
  else if (a.format == "json") fmt::print("{}", format_query_json(r));
  else fail("query: unknown --format '{}'; known: table, csv, json", a.format);
  return 0;
}

}  // namespace adaptlab::cli
