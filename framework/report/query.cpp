#include "framework/report/query.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/report/escape.h"
#include "framework/store/sqlite.h"
#include "framework/store/store.h"

namespace adaptlab {
namespace {

bool only_space_or_semicolons(const char* p) {
  for (; *p; ++p)
    if (!(std::isspace(static_cast<unsigned char>(*p)) || *p == ';')) return false;
  return true;
}

// Display width in code points (the table uses "—" for NULL).
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

QueryResult run_query(const std::string& db_path, const std::string& sql_text, size_t max_rows) {
  Store store(db_path, /*read_only=*/true);  // refuses foreign files and unmigrated schemas clearly
  sql::Db& db = store.db();
  db.exec("PRAGMA query_only = 1");
  sqlite3_stmt* st = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql_text.c_str(), -1, &st, &tail) != SQLITE_OK)
    fail("query: {}", sqlite3_errmsg(db.handle()));
  struct Finalize {
    sqlite3_stmt* s;
    ~Finalize() { sqlite3_finalize(s); }
  } fin{st};
  AL_CHECK(st != nullptr, "query: no SQL statement given");
  AL_CHECK(tail == nullptr || only_space_or_semicolons(tail),
           "query: give exactly one SQL statement (found more after: '{}')", std::string(tail).substr(0, 60));
  AL_CHECK(sqlite3_stmt_readonly(st), "query: refusing a statement that writes to the database ('{}'); "
           "`adaptlab query` is read-only", sql_text.substr(0, 80));
  QueryResult r;
  const int n = sqlite3_column_count(st);
  for (int c = 0; c < n; ++c) r.columns.emplace_back(sqlite3_column_name(st, c));
  for (;;) {
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) fail("query: {}", sqlite3_errmsg(db.handle()));
    AL_CHECK(r.rows.size() < max_rows, "query: more than {} rows; add a LIMIT or raise --max-rows", max_rows);
    std::vector<QueryResult::Value> row(n);
    for (int c = 0; c < n; ++c) {
      const int type = sqlite3_column_type(st, c);
      if (type == SQLITE_NULL) continue;
      if (type == SQLITE_FLOAT) {
        row[c].text = fmt::format("{}", sqlite3_column_double(st, c));  // shortest exact round-trip
      } else {
        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        row[c].text = t ? std::string(t, sqlite3_column_bytes(st, c)) : std::string();
      }
      row[c].is_number = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
    }
    r.rows.push_back(std::move(row));
  }
  return r;
}

std::string format_query_table(const QueryResult& r) {
  std::vector<size_t> w(r.columns.size());
  for (size_t c = 0; c < r.columns.size(); ++c) w[c] = width(r.columns[c]);
  auto shown = [](const QueryResult::Value& v) { return v.text ? *v.text : std::string("NULL"); };
  for (const auto& row : r.rows)
    for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], width(shown(row[c])));
  auto pad = [](const std::string& s, size_t to, bool right) {
    const std::string fill(to - width(s), ' ');
    return right ? fill + s : s + fill;
  };
  std::string out;
  for (size_t c = 0; c < r.columns.size(); ++c) out += (c ? "  " : "") + pad(r.columns[c], w[c], false);
  out += "\n";
  for (size_t c = 0; c < r.columns.size(); ++c) out += (c ? "  " : "") + std::string(w[c], '-');
  out += "\n";
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "  " : "") + pad(shown(row[c]), w[c], row[c].is_number);
    out += "\n";
  }
  out += fmt::format("({} row{})\n", r.rows.size(), r.rows.size() == 1 ? "" : "s");
  return out;
}

std::string format_query_csv(const QueryResult& r) {
  const auto q = csv_field;
  std::string out;
  for (size_t c = 0; c < r.columns.size(); ++c) {
    if (c) out += ',';
    out += q(r.columns[c]);
  }
  out += "\n";
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      if (row[c].text) out += q(*row[c].text);
    }
    out += "\n";
  }
  return out;
}

std::string format_query_json(const QueryResult& r) {
  // One object per row, keys in column order; numbers stay numbers, NULL is null.
  std::string out = "[";
  for (size_t i = 0; i < r.rows.size(); ++i) {
    nlohmann::ordered_json o;
    for (size_t c = 0; c < r.columns.size(); ++c) {
      const auto& v = r.rows[i][c];
      if (!v.text) o[r.columns[c]] = nullptr;
      else if (v.is_number && nlohmann::json::accept(*v.text)) o[r.columns[c]] = nlohmann::ordered_json::parse(*v.text);
      else o[r.columns[c]] = *v.text;  // text, or inf/-inf which JSON cannot hold
    }
    out += (i ? ",\n " : "") + o.dump();
  }
  return out + "]\n";
}

}  // namespace adaptlab
