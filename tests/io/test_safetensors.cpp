// The torch-free safetensors reader and writer: round trips, the Python library's layout, and one
// test per kind of malformed file (each asserting the whole error message).
#include "framework/io/safetensors.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/core/error.h"
#include "support/tmp.h"

using namespace adaptlab;
using namespace adaptlab::io;

namespace {

// A file image: the 8-byte little-endian length of `header`, `header`, then `data`.
std::string image(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  const std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

SafetensorsFile parse(const std::string& header, const std::string& data = "") {
  return SafetensorsFile::from_bytes(image(header, data), "model.safetensors");
}

std::string bytes_of(const TensorInfo& t) { return std::string(reinterpret_cast<const char*>(t.data.data()), t.data.size()); }

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

}  // namespace

TEST_CASE("safetensors: round trip of several dtypes and shapes, 0-d and empty tensors", "[io]") {
  const std::vector<double> f64 = {1.5, -2.25, 1e300};
  const std::vector<float> f32 = {0, 1, 2, 3, 4, 5};
  const std::vector<std::uint16_t> f16 = {0x3c00, 0x4000};   // 1.0, 2.0 as IEEE half
  const std::vector<std::uint16_t> bf16 = {0x3f80, 0xc000};  // 1.0, -2.0 as bfloat16
  const std::vector<std::int64_t> i64 = {42};
  const std::vector<std::int32_t> i32 = {-7, 8};
  const std::vector<std::int16_t> i16 = {-300};
  const std::vector<std::int8_t> i8 = {-1, 2, -3};
  const std::vector<std::uint8_t> u8 = {255, 0};
  const std::vector<std::uint8_t> flags = {1, 0, 1};
  const std::vector<TensorView> views = {
      {"blocks.0.attn.qkv.weight", Dtype::F32, {2, 3}, f32.data(), 24},
      {"f64", Dtype::F64, {3}, f64.data(), 24},
      {"half", Dtype::F16, {2, 1}, f16.data(), 4},
      {"brain", Dtype::BF16, {2}, bf16.data(), 4},
      {"step", Dtype::I64, {}, i64.data(), 8},  // 0-d
      {"i32", Dtype::I32, {2}, i32.data(), 8},
      {"i16", Dtype::I16, {1, 1, 1}, i16.data(), 2},
      {"i8", Dtype::I8, {3}, i8.data(), 3},
      {"u8", Dtype::U8, {2}, u8.data(), 2},
      {"mask", Dtype::BOOL, {3}, flags.data(), 3},
      {"empty", Dtype::F32, {0, 5}, nullptr, 0},  // empty
  };
  const auto dir = test::fresh_dir("safetensors");
  const auto path = dir + "/model.safetensors";
  write_safetensors(path, views);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

  const SafetensorsFile file(path);
  REQUIRE(file.tensors().size() == views.size());
  CHECK(file.metadata().empty());
  CHECK(file.header_size() % 8 == 0);
  CHECK(file.unused_data_bytes() == 0);
  for (const auto& v : views) {
    const TensorInfo* t = file.find(v.name);
    REQUIRE(t != nullptr);
    CHECK(t->dtype == v.dtype);
    CHECK(t->shape == v.shape);
    CHECK(t->data.size() == v.nbytes);
    if (v.nbytes > 0) CHECK(std::memcmp(t->data.data(), v.data, v.nbytes) == 0);
    // Larger elements come first and the header is padded, so every tensor is aligned.
    CHECK(t->begin % dtype_size(t->dtype) == 0);
  }
  CHECK(file.find("step")->numel == 1);
  CHECK(file.find("step")->shape.empty());
  CHECK(file.find("empty")->numel == 0);
  CHECK(file.find("blocks.0.attn.qkv.weight")->numel == 6);
  CHECK(file.find("missing") == nullptr);
  // File order: I64, F64, F32 (by name), I32, BF16, F16, I16, I8, U8, BOOL.
  std::vector<std::string> names;
  for (const auto& t : file.tensors()) names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"step", "f64", "blocks.0.attn.qkv.weight", "empty", "i32", "brain", "half",
                                          "i16", "i8", "u8", "mask"});

  // Writing again replaces the file atomically.
  write_safetensors(path, {views[0]});
  CHECK(SafetensorsFile(path).tensors().size() == 1);
}

TEST_CASE("safetensors: metadata round trip", "[io]") {
  const std::vector<float> x = {1, 2};
  const std::map<std::string, std::string> meta = {{"format", "pt"}, {"note", "ünïcode \"quoted\"\n"}};
  const auto bytes = serialize_safetensors({{"x", Dtype::F32, {2}, x.data(), 8}}, meta);
  const auto file = SafetensorsFile::from_bytes(bytes, "mem");
  CHECK(file.metadata() == meta);
  CHECK(bytes_of(file.tensors().at(0)) == raw(x));

  // Metadata alone, no tensors.
  const auto only = SafetensorsFile::from_bytes(serialize_safetensors({}, {{"k", "v"}}), "mem");
  CHECK(only.tensors().empty());
  CHECK(only.metadata().at("k") == "v");
  // An empty header is the Python library's "{}" padded to 8 bytes.
  CHECK(serialize_safetensors({}) == image("{}      "));
}

TEST_CASE("safetensors: the writer's bytes are the Python library's save_file bytes", "[io]") {
  // safetensors.numpy.save({...}, metadata={"format": "pt"}) with safetensors 0.8.0: tensors ordered by
  // descending dtype (I64, F32, F16, BOOL) then name, compact JSON, spaces up to a multiple of 8.
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"F32","shape":[3],"data_offsets":[8,20]},"e":{"dtype":"F32","shape":[0,5],"data_offsets":[20,20]},)"
      R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[20,44]},"h":{"dtype":"F16","shape":[2],"data_offsets":[44,48]},)"
      R"("mask":{"dtype":"BOOL","shape":[4],"data_offsets":[48,52]}}       )";
  const std::string python = image(header, unhex("07000000000000000000803f0000004000004040000000000000803f00000040"
                                                 "00004040000080400000a040003c004001000101"));
  const std::vector<float> w = {0, 1, 2, 3, 4, 5}, b = {1, 2, 3};
  const std::vector<std::int64_t> step = {7};
  const std::vector<std::uint16_t> h = {0x3c00, 0x4000};
  const std::vector<std::uint8_t> mask = {1, 0, 1, 1};
  const std::vector<TensorView> views = {{"w", Dtype::F32, {2, 3}, w.data(), 24},
                                         {"b", Dtype::F32, {3}, b.data(), 12},
                                         {"step", Dtype::I64, {}, step.data(), 8},
                                         {"mask", Dtype::BOOL, {4}, mask.data(), 4},
                                         {"h", Dtype::F16, {2}, h.data(), 4},
                                         {"e", Dtype::F32, {0, 5}, nullptr, 0}};
  CHECK(serialize_safetensors(views, {{"format", "pt"}}) == python);

  const auto dir = test::fresh_dir("safetensors");
  write_safetensors(dir + "/m.safetensors", views, {{"format", "pt"}});
  CHECK(read_file(dir + "/m.safetensors") == python);
}

TEST_CASE("safetensors: tensors keep file order and find works after a move", "[io]") {
  // Header order differs from data order; a small buffer (short-string storage) must survive the move.
  auto file = parse(R"({"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})",
                    "xy");
  SafetensorsFile moved = std::move(file);
  REQUIRE(moved.tensors().size() == 2);
  CHECK(moved.tensors()[0].name == "a");
  CHECK(bytes_of(moved.tensors()[0]) == "x");
  CHECK(bytes_of(*moved.find("b")) == "y");
  CHECK(moved.origin() == "model.safetensors");
}

TEST_CASE("safetensors: data not covered by any tensor is allowed and counted", "[io]") {
  const auto file = parse(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", "..ab...");
  CHECK(bytes_of(file.tensors().at(0)) == "ab");
  CHECK(file.data_size() == 7);
  CHECK(file.unused_data_bytes() == 5);
}

TEST_CASE("safetensors: empty tensors may sit anywhere in the data section", "[io]") {
  const auto file = parse(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("e":{"dtype":"F32","shape":[3,0],"data_offsets":[2,2]},"f":{"dtype":"I8","shape":[0],"data_offsets":[4,4]}})",
                          "abcd");
  CHECK(file.tensors().size() == 3);
  CHECK(file.find("e")->data.empty());
  CHECK(file.unused_data_bytes() == 0);
}

TEST_CASE("safetensors: opening errors name the path", "[io]") {
  REQUIRE_THROWS_WITH(SafetensorsFile("/nonexistent/x.safetensors"),
                      "/nonexistent/x.safetensors: cannot open: No such file or directory");
  const auto dir = test::fresh_dir("safetensors");
  REQUIRE_THROWS_WITH(SafetensorsFile(dir), dir + ": not a regular file");
  const auto empty = test::write_file(dir, "empty.safetensors", "");
  REQUIRE_THROWS_WITH(SafetensorsFile(empty), empty + ": file is 0 bytes, shorter than the 8-byte header length");
}

// ---- hostile files: one test per check, each with its whole message ---------------------------------

TEST_CASE("safetensors: file shorter than the length prefix", "[io]") {
  REQUIRE_THROWS_WITH(SafetensorsFile::from_bytes(std::string("\x05\0\0\0\0", 5), "model.safetensors"),
                      "model.safetensors: file is 5 bytes, shorter than the 8-byte header length");
}

TEST_CASE("safetensors: header length beyond the file", "[io]") {
  std::string bytes = image("{}");
  bytes[0] = 100;
  REQUIRE_THROWS_WITH(SafetensorsFile::from_bytes(bytes, "model.safetensors"),
                      "model.safetensors: header length 100 but only 2 bytes follow the 8-byte length");
}

TEST_CASE("safetensors: absurd header length", "[io]") {
  std::string bytes = image("{}");
  std::memset(bytes.data(), 0xff, 8);
  REQUIRE_THROWS_WITH(SafetensorsFile::from_bytes(bytes, "model.safetensors"),
                      "model.safetensors: header length 18446744073709551615 exceeds the limit of 100000000 bytes "
                      "(file is 10 bytes)");
}

TEST_CASE("safetensors: header that is not JSON", "[io]") {
  REQUIRE_THROWS_WITH(parse("{\"a\": "),
                      "model.safetensors: header is not valid JSON: parse error at line 1, column 7: syntax error "
                      "while parsing value - unexpected end of input; expected '[', '{', or a literal");
  REQUIRE_THROWS_WITH(parse(""), Catch::StartsWith("model.safetensors: header is not valid JSON: "));
  // Not UTF-8.
  REQUIRE_THROWS_WITH(parse("{\"\xff\":1}"), Catch::StartsWith("model.safetensors: header is not valid JSON: ") &&
                                                  Catch::Contains("ill-formed UTF-8"));
}

TEST_CASE("safetensors: header that is not an object", "[io]") {
  REQUIRE_THROWS_WITH(parse("[1, 2]"), "model.safetensors: header must be a JSON object of tensors, found [1,2]");
}

TEST_CASE("safetensors: header nested too deep", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"a":)" + std::string(100, '[') + std::string(100, ']') + "}"),
                      "model.safetensors: header nests deeper than 64 levels");
}

TEST_CASE("safetensors: entry that is not an object", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": [1, 2, 3]})"),
                      "model.safetensors: tensor 'w': expected an object with dtype, shape and data_offsets, found [1,2,3]");
}

TEST_CASE("safetensors: entry missing a key", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"shape": [1], "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': missing 'dtype'");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': missing 'shape'");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [1]}})"),
                      "model.safetensors: tensor 'w': missing 'data_offsets'");
}

TEST_CASE("safetensors: entry with an unexpected key", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [1], "data_offset": [0, 4]}})"),
                      "model.safetensors: tensor 'w': unexpected key 'data_offset' (expected dtype, shape, data_offsets)");
}

TEST_CASE("safetensors: entry values of the wrong type", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": 4, "shape": [1], "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': 'dtype' must be a string such as \"F32\", found 4");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': 'shape' must be an array of non-negative integers, found \"1\"");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': shape[0] is 1.5, expected a non-negative integer");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})"),
                      "model.safetensors: tensor 'w': 'data_offsets' must be [begin, end] with two non-negative "
                      "integers, found [0]");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": {"begin": 0}}})"),
                      "model.safetensors: tensor 'w': 'data_offsets' must be [begin, end] with two non-negative "
                      "integers, found {\"begin\":0}");
}

TEST_CASE("safetensors: unknown dtype", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}})", "x"),
                      "model.safetensors: tensor 'w': unknown dtype \"F8_E4M3\" (known: F64, F32, F16, BF16, I64, I32, "
                      "I16, I8, U8, BOOL)");
}

TEST_CASE("safetensors: negative or huge shape entries", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [2, -3], "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': shape[1] is -3, expected a non-negative integer");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [9223372036854775808], "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': shape[0] is 9223372036854775808, larger than 2^63 - 1");
}

TEST_CASE("safetensors: shape whose size overflows", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}})"),
                      "model.safetensors: tensor 'w': F32 [4294967296, 4294967296] has too many elements: its byte "
                      "size overflows 64 bits");
  // The element count fits, the byte count does not.
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F64", "shape": [4611686018427387904], "data_offsets": [0, 0]}})"),
                      "model.safetensors: tensor 'w': F64 [4611686018427387904] has too many elements: its byte size "
                      "overflows 64 bits");
  // A zero extent makes any shape empty.
  CHECK(parse(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 0], "data_offsets": [0, 0]}})")
            .tensors()
            .at(0)
            .numel == 0);
}

TEST_CASE("safetensors: data_offsets negative or reversed", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}})"),
                      "model.safetensors: tensor 'w': 'data_offsets' must be [begin, end] with two non-negative "
                      "integers, found [-4,0]");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}})", std::string(8, 'x')),
                      "model.safetensors: tensor 'w': data_offsets [8, 4] have begin > end");
}

TEST_CASE("safetensors: data_offsets that disagree with dtype and shape", "[io]") {
  REQUIRE_THROWS_WITH(
      parse(R"({"blocks.0.attn.qkv.weight": {"dtype": "F32", "shape": [3, 10], "data_offsets": [0, 100]}})",
            std::string(120, 'x')),
      "model.safetensors: tensor 'blocks.0.attn.qkv.weight': data_offsets [0, 100] hold 100 bytes but F32 [3, 10] "
      "needs 120");
  REQUIRE_THROWS_WITH(parse(R"({"s": {"dtype": "BF16", "shape": [], "data_offsets": [0, 4]}})", "xxxx"),
                      "model.safetensors: tensor 's': data_offsets [0, 4] hold 4 bytes but BF16 [] needs 2");
}

TEST_CASE("safetensors: data_offsets beyond the data section", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [4, 16]}})", std::string(12, 'x')),
                      "model.safetensors: tensor 'w': data_offsets [4, 16] reach past the end of the data section "
                      "(12 bytes after the header)");
  // Huge offsets whose difference is right.
  REQUIRE_THROWS_WITH(
      parse(R"({"w": {"dtype": "U8", "shape": [1], "data_offsets": [18446744073709551614, 18446744073709551615]}})"),
      "model.safetensors: tensor 'w': data_offsets [18446744073709551614, 18446744073709551615] reach past the end of "
      "the data section (0 bytes after the header)");
}

TEST_CASE("safetensors: overlapping tensors", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},)"
                            R"("a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
                            std::string(12, 'x')),
                      "model.safetensors: tensors 'a' (data_offsets [0, 8]) and 'b' (data_offsets [4, 12]) overlap");
  // The same bytes twice.
  REQUIRE_THROWS_WITH(parse(R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},)"
                            R"("b": {"dtype": "I32", "shape": [], "data_offsets": [0, 4]}})",
                            "xxxx"),
                      "model.safetensors: tensors 'a' (data_offsets [0, 4]) and 'b' (data_offsets [0, 4]) overlap");
  // A small tensor inside a large one, after a third.
  REQUIRE_THROWS_WITH(parse(R"({"big": {"dtype": "U8", "shape": [8], "data_offsets": [2, 10]},)"
                            R"("first": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},)"
                            R"("inner": {"dtype": "U8", "shape": [1], "data_offsets": [5, 6]}})",
                            std::string(10, 'x')),
                      "model.safetensors: tensors 'big' (data_offsets [2, 10]) and 'inner' (data_offsets [5, 6]) overlap");
}

TEST_CASE("safetensors: a name given twice", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},)"
                            R"("w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}})",
                            "xy"),
                      "model.safetensors: tensor 'w' appears twice in the header");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "U8", "shape": [1], "dtype": "I8", "data_offsets": [0, 1]}})", "x"),
                      "model.safetensors: tensor 'w': key 'dtype' appears twice");
  REQUIRE_THROWS_WITH(parse(R"({"__metadata__": {"a": "1", "a": "2"}})"),
                      "model.safetensors: '__metadata__': key 'a' appears twice");
}

TEST_CASE("safetensors: malformed __metadata__", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"__metadata__": ["pt"]})"),
                      "model.safetensors: '__metadata__' must be an object of string values, found [\"pt\"]");
  REQUIRE_THROWS_WITH(parse(R"({"__metadata__": {"format": "pt", "epoch": 3}})"),
                      "model.safetensors: '__metadata__': key 'epoch' must have a string value, found 3");
}

TEST_CASE("safetensors: long values are shortened in messages", "[io]") {
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8, 12, 16, 20, 24, 28, 32, )"
                            R"(36, 40, 44, 48, 52, 56, 60, 64, 68, 72]}})"),
                      "model.safetensors: tensor 'w': 'data_offsets' must be [begin, end] with two non-negative "
                      "integers, found [0,4,8,12,16,20,24,28,32,36,40,44,48,52,56,60,64,68,72]");
  REQUIRE_THROWS_WITH(parse(R"({"w": {"dtype": ")" + std::string(100, 'Q') + R"(", "shape": [], "data_offsets": [0, 4]}})"),
                      "model.safetensors: tensor 'w': unknown dtype \"" + std::string(59, 'Q') +
                          "... (known: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
}

// ---- writer errors ----------------------------------------------------------------------------------

TEST_CASE("safetensors writer: refuses inconsistent views", "[io]") {
  const std::vector<float> x = {1, 2, 3};
  REQUIRE_THROWS_WITH(serialize_safetensors({{"x", Dtype::F32, {2, 2}, x.data(), 12}}),
                      "serialize_safetensors: tensor 'x': 12 bytes given but F32 [2, 2] needs 16");
  REQUIRE_THROWS_WITH(serialize_safetensors({{"x", Dtype::F32, {3}, x.data(), 12}, {"x", Dtype::F32, {3}, x.data(), 12}}),
                      "serialize_safetensors: tensor 'x' is given twice");
  REQUIRE_THROWS_WITH(serialize_safetensors({{"__metadata__", Dtype::F32, {3}, x.data(), 12}}),
                      "serialize_safetensors: '__metadata__' is reserved and cannot name a tensor");
  REQUIRE_THROWS_WITH(serialize_safetensors({{"x", Dtype::F32, {-3}, x.data(), 12}}),
                      "serialize_safetensors: tensor 'x': shape [-3] has a negative extent");
  REQUIRE_THROWS_WITH(serialize_safetensors({{"x", Dtype::F32, {3}, nullptr, 12}}),
                      "serialize_safetensors: tensor 'x': data is null");
  REQUIRE_THROWS_WITH(serialize_safetensors({{"x", Dtype::I64, {1LL << 62, 4}, x.data(), 0}}),
                      "serialize_safetensors: tensor 'x': I64 [4611686018427387904, 4] has too many elements: its byte "
                      "size overflows 64 bits");
  REQUIRE_THROWS_WITH(serialize_safetensors({{"bad\xff", Dtype::F32, {3}, x.data(), 12}}),
                      Catch::StartsWith("serialize_safetensors: tensor name 'bad\xff' is not valid UTF-8: "));
  REQUIRE_THROWS_WITH(serialize_safetensors({}, {{"k", "\xc3"}}),
                      Catch::StartsWith("serialize_safetensors: metadata value of 'k' is not valid UTF-8: "));
}

TEST_CASE("safetensors writer: I/O errors name the file and leave nothing behind", "[io]") {
  const std::vector<float> x = {1};
  REQUIRE_THROWS_WITH(write_safetensors("/nonexistent/dir/m.safetensors", {{"x", Dtype::F32, {1}, x.data(), 4}}),
                      "/nonexistent/dir/m.safetensors.tmp: cannot create: No such file or directory");
  const auto dir = test::fresh_dir("safetensors");
  // A view error is found before anything is written.
  REQUIRE_THROWS(write_safetensors(dir + "/m.safetensors", {{"x", Dtype::F32, {2}, x.data(), 4}}));
  CHECK(std::filesystem::is_empty(dir));
}
