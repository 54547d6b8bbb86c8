// `adaptlab query "SQL"`: one read-only statement against a results database, printed as an
// aligned text table, CSV or JSON. The connection is opened read-only with PRAGMA query_only, and a
// statement that would write (sqlite3_stmt_readonly) is refused before it runs.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace adaptlab {

struct QueryResult {
  std::vector<std::string> columns;
  // NULL is nullopt; numbers keep SQLite's text rendering in `text`, and `is_number` says which.
  struct Value {
    std::optional<std::string> text;
    bool is_number = false;
  };
  std::vector<std::vector<Value>> rows;
};

// At most max_rows rows are read: a statement that yields more (an endless recursive CTE) fails with a
// message instead of growing until memory runs out.
constexpr size_t kDefaultQueryMaxRows = 1000000;
QueryResult run_query(const std::string& db_path, const std::string& sql, size_t max_rows = kDefaultQueryMaxRows);

std::string format_query_table(const QueryResult& r);
std::string format_query_csv(const QueryResult& r);
std::string format_query_json(const QueryResult& r);

}  // namespace adaptlab
