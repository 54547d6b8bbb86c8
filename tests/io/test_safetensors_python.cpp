// Interoperability with the Python `safetensors` package (tools/requirements-test.txt), through the
// LibTorch adapter: Python reads what we write, we read what Python writes, and our bytes for
// Python's tensors are Python's bytes. The Python side is tests/io/safetensors_interop.py.
#include <ATen/ATen.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "framework/core/error.h"
#include "framework/io/safetensors.h"
#include "framework/io/safetensors_torch.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

const std::string kScript = ADAPTLAB_TESTS_DIR "/io/safetensors_interop.py";

// Keep in step with expected() in safetensors_interop.py.
std::map<std::string, at::Tensor> expected() {
  return {
      {"f32", at::arange(6, at::kFloat).mul(0.5).sub(1).reshape({2, 3})},
      {"f16", at::tensor(std::vector<double>{0.5, -1.25, 1024.0, 0.0009765625}, at::kDouble).to(at::kHalf)},
      {"bf16", at::tensor(std::vector<double>{1.0, -2.5, 3072.0, 0.15625}, at::kDouble).reshape({2, 2}).to(at::kBFloat16)},
      {"i64", at::tensor(std::vector<std::int64_t>{-(std::int64_t{1} << 40), 0, (std::int64_t{1} << 62) + 1})},
      {"i32", at::tensor(std::vector<std::int32_t>{-7, 2147483647})},
      {"u8", at::tensor(std::vector<std::uint8_t>{0, 255})},
      {"mask", at::tensor(std::vector<std::uint8_t>{1, 0, 1}).to(at::kBool)},
      {"scalar", at::scalar_tensor(3.25, at::kDouble)},
      {"empty", at::zeros({0, 4}, at::kFloat)},
      {"blocks.0.attn.qkv.weight", at::arange(12, at::kFloat).reshape({4, 3}).div(8)},
  };
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void check_same(const std::map<std::string, at::Tensor>& got, const std::map<std::string, at::Tensor>& want) {
  std::vector<std::string> got_names, want_names;
  for (const auto& [k, _] : got) got_names.push_back(k);
  for (const auto& [k, _] : want) want_names.push_back(k);
  REQUIRE(got_names == want_names);
  for (const auto& [name, w] : want) {
    INFO("tensor " << name);
    const at::Tensor& g = got.at(name);
    CHECK(g.scalar_type() == w.scalar_type());
    CHECK(g.sizes().vec() == w.sizes().vec());
    CHECK(g.is_contiguous());
    if (g.scalar_type() == w.scalar_type() && g.sizes() == w.sizes()) CHECK(at::equal(g, w));
  }
}

}  // namespace

TEST_CASE("safetensors: the Python package reads what we write", "[io]") {
  auto tensors = expected();
  // A non-contiguous view is saved as its values in C order.
  at::Tensor strided = at::empty({3, 4}, at::kFloat).t();
  strided.copy_(tensors.at("blocks.0.attn.qkv.weight"));
  REQUIRE_FALSE(strided.is_contiguous());
  tensors["blocks.0.attn.qkv.weight"] = strided;

  const auto path = test::fresh_dir("safetensors-python") + "/ours.safetensors";
  io::save_safetensors(path, tensors, {{"format", "pt"}});
  test::run_python(kScript, "check " + quote(path));
}

TEST_CASE("safetensors: we read what the Python package writes, and write the same bytes", "[io]") {
  const auto dir = test::fresh_dir("safetensors-python");
  const auto theirs = dir + "/theirs.safetensors";
  test::run_python(kScript, "write " + quote(theirs));

  std::map<std::string, std::string> metadata;
  const auto got = io::load_safetensors(theirs, metadata);
  check_same(got, expected());
  CHECK(metadata == std::map<std::string, std::string>{{"format", "pt"}});
  const io::SafetensorsFile file(theirs);
  CHECK(file.unused_data_bytes() == 0);
  CHECK(file.header_size() % 8 == 0);

  // Same tensors and (single-key, so deterministic) metadata: same order, offsets, padding, bytes.
  const auto ours = dir + "/ours.safetensors";
  io::save_safetensors(ours, got, metadata);
  CHECK(read_file(ours) == read_file(theirs));
}

TEST_CASE("safetensors torch adapter: load_safetensors round trip and refusals", "[io]") {
  const auto dir = test::fresh_dir("safetensors-torch");
  const auto path = dir + "/m.safetensors";
  io::save_safetensors(path, expected());
  check_same(io::load_safetensors(path), expected());

  // A BOOL byte other than 0/1 (written by another tool) still loads as true.
  const std::uint8_t two = 2;
  io::write_safetensors(path, {{"b", io::Dtype::BOOL, {1}, &two, 1}});
  const auto b = io::load_safetensors(path).at("b");
  CHECK(b.scalar_type() == at::kBool);
  CHECK(b.item<bool>());

  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"u", at::Tensor()}}), path + ": tensor 'u' is undefined");
  REQUIRE_THROWS_WITH(io::save_safetensors(path, {{"z", at::zeros({2}, at::kComplexFloat)}}),
                      path + ": tensor 'z' has dtype ComplexFloat; safetensors files here hold F64, F32, F16, BF16, "
                             "I64, I32, I16, I8, U8, BOOL");
  REQUIRE_THROWS_WITH(io::load_safetensors(dir + "/missing.safetensors"),
                      dir + "/missing.safetensors: cannot open: No such file or directory");
}
