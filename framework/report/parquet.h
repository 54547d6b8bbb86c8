// A small Apache Parquet writer for flat tables: one row group, one uncompressed PLAIN data page per
// column, every column OPTIONAL (nulls as definition levels), types BOOLEAN, INT64, DOUBLE and
// BYTE_ARRAY (UTF-8 strings). Enough for `adaptlab export` (a few thousand rows of run records);
// pandas, pyarrow, polars, DuckDB and R's arrow read it. Debian has no Parquet library (no Arrow
// C++), hence this file; the format is the public parquet-format specification (Thrift compact
// protocol footer).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace adaptlab::parquet {

enum class Type { boolean, int64, float64, string };

struct Column {
  using Value = std::variant<bool, int64_t, double, std::string>;
  std::string name;
  Type type = Type::string;
  // One value per row; nullopt = null. The alternative held must match `type`.
  std::vector<std::optional<Value>> values;
};

// The file's bytes. All columns must have the same number of values; names must be unique.
std::string write_table(const std::vector<Column>& columns, const std::string& created_by = "adaptlab");

}  // namespace adaptlab::parquet
