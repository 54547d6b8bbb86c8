// Google's original ViT .npz checkpoints load as timm loads them: same logits as timm's _load_weights on
// the same file (stored and deflated archives, with and without the opt/target/ prefix); .npy parsing.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <cstring>

#include <fmt/format.h>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/io/npz.h"
#include "framework/model/backbone.h"
#include "framework/registry/registries.h"
#include "support/compare.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("ViT from a Google .npz checkpoint equals timm's loader on the same file", "[backbones][vit][parity]") {
  const auto dir = test::fresh_dir("vit-npz");
  test::run_python(fmt::format("{}/backbones/vit/reference_npz.py", ADAPTLAB_TESTS_DIR), fmt::format("'{}'", dir));
  const auto ref = test::load_tensors(dir + "/reference.safetensors");
  for (const char* file : {"vit.npz", "vit_target.npz"}) {
    INFO(file);
    auto b = registries().backbones.create(
        "vit",
        cfg::parse_string(fmt::format("{{img_size: 32, patch_size: 4, embed_dim: 48, num_heads: 3, depth: 2, "
                                      "checkpoint: '{}/{}'}}", dir, file), "t"),
        DataInfo{5, {3, 32, 32}});
    b->eval();
    at::NoGradGuard g;
    CHECK(test::rel_err(b->forward(ref.at("x")), ref.at("logits")) <= 1e-5);
  }
  // A model of another depth is told which arrays do not fit.
  REQUIRE_THROWS_WITH(registries().backbones.create(
                          "vit",
                          cfg::parse_string(fmt::format("{{img_size: 32, patch_size: 4, embed_dim: 48, num_heads: 3, "
                                                        "depth: 1, checkpoint: '{}/vit.npz'}}", dir), "t"),
                          DataInfo{5, {3, 32, 32}}),
                      Catch::Contains("have no place in a ViT of depth 1: Transformer/encoderblock_1/"));
}

TEST_CASE("npy headers: dtype, shape, Fortran order, bad files named", "[io]") {
  auto npy = [](const std::string& header, const std::string& data) {
    std::string h = header;
    while ((10 + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::string b = std::string("\x93NUMPY\x01\x00", 8);
    b += static_cast<char>(h.size() & 0xFF);
    b += static_cast<char>(h.size() >> 8);
    return b + h + data;
  };
  const float v[6] = {1, 2, 3, 4, 5, 6};
  const std::string data(reinterpret_cast<const char*>(v), sizeof v);
  const auto c = io::parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data), "c");
  CHECK(at::equal(c, at::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}).reshape({2, 3})));
  const auto f = io::parse_npy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data), "f");
  CHECK(at::equal(f, at::tensor({1.f, 3.f, 5.f, 2.f, 4.f, 6.f}).reshape({2, 3})));  // column-major
  const auto s = io::parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data), "s");
  CHECK(s.sizes() == at::IntArrayRef({6}));
  REQUIRE_THROWS_WITH(io::parse_npy(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", data), "x.npy"),
                      Catch::StartsWith("x.npy: unsupported array dtype '>f4'"));
  REQUIRE_THROWS_WITH(io::parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", data), "y.npy"),
                      "y.npy: 24 data bytes for shape (7) of 4-byte items, expected 28");
  REQUIRE_THROWS_WITH(io::parse_npy("not an array", "z.npy"), "z.npy: not a .npy array (no magic)");
  const auto dir = test::fresh_dir("npz-bad");
  test::write_file(dir, "bad.npz", "PK but not really");
  REQUIRE_THROWS_WITH(io::load_npz(dir + "/bad.npz"), Catch::StartsWith(dir + "/bad.npz: cannot open the .npz archive"));
}
