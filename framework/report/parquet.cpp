#include "framework/report/parquet.h"

#include <cstring>
#include <set>

#include "framework/core/error.h"

namespace adaptlab::parquet {
namespace {

// ---- Thrift compact protocol (what Parquet's footer and page headers are written in) ----
enum : uint8_t { kTrue = 1, kFalse = 2, kI32 = 5, kI64 = 6, kBinary = 8, kList = 9, kStruct = 12 };

class Compact {
 public:
  std::string out;

  void varint(uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void zigzag(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void field(int id, uint8_t type) {
    const int delta = id - last_.back();
    if (delta > 0 && delta <= 15) {
      out.push_back(static_cast<char>((delta << 4) | type));
    } else {
      out.push_back(static_cast<char>(type));
      zigzag(id);
    }
    last_.back() = id;
  }
  void i32(int id, int32_t v) { field(id, kI32), zigzag(v); }
  void i64(int id, int64_t v) { field(id, kI64), zigzag(v); }
  void bin(int id, const std::string& s) { field(id, kBinary), bytes(s); }
  void bytes(const std::string& s) {
    varint(s.size());
    out += s;
  }
  void list_header(int id, uint8_t elem, size_t n) {
    field(id, kList);
    if (n < 15) out.push_back(static_cast<char>((n << 4) | elem));
    else out.push_back(static_cast<char>(0xF0 | elem)), varint(n);
  }
  void begin(int id) {  // a struct field
    field(id, kStruct);
    last_.push_back(0);
  }
  void begin_element() { last_.push_back(0); }  // a struct as a list element
  void end() {
    out.push_back(0);  // stop field
    last_.pop_back();
  }

 private:
  std::vector<int> last_{0};
};

// Parquet's physical types and encodings (parquet.thrift).
constexpr int32_t kBoolean = 0, kInt64 = 2, kDouble = 5, kByteArray = 6;
constexpr int32_t kPlain = 0, kRle = 3;
constexpr int32_t kOptional = 1;
constexpr int32_t kUtf8 = 0;  // ConvertedType
constexpr int32_t kDataPage = 0;

int32_t physical(Type t) {
  switch (t) {
    case Type::boolean: return kBoolean;
    case Type::int64: return kInt64;
    case Type::float64: return kDouble;
    case Type::string: return kByteArray;
  }
  return kByteArray;
}

void le32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void le64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Definition levels (1 = present, 0 = null), RLE runs of the RLE/bit-packed hybrid at bit width 1,
// prefixed by their byte length (data page v1).
std::string definition_levels(const Column& c) {
  std::string runs;
  size_t i = 0;
  const size_t n = c.values.size();
  while (i < n) {
    const bool present = c.values[i].has_value();
    size_t j = i;
    while (j < n && c.values[j].has_value() == present) ++j;
    Compact v;
    v.varint(static_cast<uint64_t>(j - i) << 1);  // an RLE run: count << 1, then the value in one byte
    runs += v.out;
    runs.push_back(static_cast<char>(present ? 1 : 0));
    i = j;
  }
  std::string out;
  le32(out, static_cast<uint32_t>(runs.size()));
  return out + runs;
}

std::string plain_values(const Column& c) {
  std::string out;
  uint8_t bits = 0;
  int nbits = 0;
  for (const auto& v : c.values) {
    if (!v) continue;
    switch (c.type) {
      case Type::boolean:
        AL_CHECK(std::holds_alternative<bool>(*v), "parquet: column '{}' holds a non-boolean value", c.name);
        if (std::get<bool>(*v)) bits |= static_cast<uint8_t>(1u << nbits);
        if (++nbits == 8) out.push_back(static_cast<char>(bits)), bits = 0, nbits = 0;
        break;
      case Type::int64:
        AL_CHECK(std::holds_alternative<int64_t>(*v), "parquet: column '{}' holds a non-integer value", c.name);
        le64(out, static_cast<uint64_t>(std::get<int64_t>(*v)));
        break;
      case Type::float64: {
        AL_CHECK(std::holds_alternative<double>(*v), "parquet: column '{}' holds a non-double value", c.name);
        uint64_t u = 0;
        const double d = std::get<double>(*v);
        static_assert(sizeof u == sizeof d);
        std::memcpy(&u, &d, sizeof u);
        le64(out, u);
        break;
      }
      case Type::string: {
        AL_CHECK(std::holds_alternative<std::string>(*v), "parquet: column '{}' holds a non-string value", c.name);
        const auto& s = std::get<std::string>(*v);
        le32(out, static_cast<uint32_t>(s.size()));
        out += s;
        break;
      }
    }
  }
  if (nbits > 0) out.push_back(static_cast<char>(bits));
  return out;
}

std::string page_header(int32_t size, int32_t num_values) {
  Compact h;
  h.i32(1, kDataPage);
  h.i32(2, size);  // uncompressed
  h.i32(3, size);  // compressed (no codec)
  h.begin(5);      // DataPageHeader
  h.i32(1, num_values);
  h.i32(2, kPlain);
  h.i32(3, kRle);  // definition levels
  h.i32(4, kRle);  // repetition levels (none: flat schema)
  h.end();
  h.out.push_back(0);  // end of PageHeader
  return h.out;
}

}  // namespace

std::string write_table(const std::vector<Column>& columns, const std::string& created_by) {
  AL_CHECK(!columns.empty(), "parquet: a table needs at least one column");
  const size_t rows = columns.front().values.size();
  std::set<std::string> names;
  for (const auto& c : columns) {
    AL_CHECK(c.values.size() == rows, "parquet: column '{}' has {} values, not {}", c.name, c.values.size(), rows);
    AL_CHECK(names.insert(c.name).second, "parquet: two columns are named '{}'", c.name);
  }
  std::string file = "PAR1";
  struct Chunk {
    int64_t offset, size;
  };
  std::vector<Chunk> chunks;
  for (const auto& c : columns) {
    const std::string body = definition_levels(c) + plain_values(c);
    const std::string header = page_header(static_cast<int32_t>(body.size()), static_cast<int32_t>(rows));
    chunks.push_back({static_cast<int64_t>(file.size()), static_cast<int64_t>(header.size() + body.size())});
    file += header + body;
  }
  Compact m;  // FileMetaData
  m.i32(1, 1);
  m.list_header(2, kStruct, columns.size() + 1);
  m.begin_element();  // the root of the schema
  m.bin(4, "schema");
  m.i32(5, static_cast<int32_t>(columns.size()));
  m.end();
  for (const auto& c : columns) {
    m.begin_element();
    m.i32(1, physical(c.type));
    m.i32(3, kOptional);
    m.bin(4, c.name);
    if (c.type == Type::string) m.i32(6, kUtf8);
    m.end();
  }
  m.i64(3, static_cast<int64_t>(rows));
  m.list_header(4, kStruct, 1);  // one row group
  m.begin_element();
  m.list_header(1, kStruct, columns.size());
  int64_t total = 0;
  for (size_t k = 0; k < columns.size(); ++k) {
    m.begin_element();  // ColumnChunk
    m.i64(2, chunks[k].offset);
    m.begin(3);  // ColumnMetaData
    m.i32(1, physical(columns[k].type));
    m.list_header(2, kI32, 2);
    m.zigzag(kPlain);
    m.zigzag(kRle);
    m.list_header(3, kBinary, 1);
    m.bytes(columns[k].name);
    m.i32(4, 0);  // UNCOMPRESSED
    m.i64(5, static_cast<int64_t>(rows));
    m.i64(6, chunks[k].size);
    m.i64(7, chunks[k].size);
    m.i64(9, chunks[k].offset);
    m.end();
    m.end();
    total += chunks[k].size;
  }
  m.i64(2, total);
  m.i64(3, static_cast<int64_t>(rows));
  m.end();
  m.bin(6, created_by);
  m.out.push_back(0);  // end of FileMetaData
  file += m.out;
  le32(file, static_cast<uint32_t>(m.out.size()));
  file += "PAR1";
  return file;
}

}  // namespace adaptlab::parquet
