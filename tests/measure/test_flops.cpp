// FLOP counts against a hand count (tiny ViT with and without token merging and pruning; ViT-B/16 at
// 224 ≈ 35.1 GFLOPs) and against torch.utils.flop_counter on timm's ViT with the same architecture.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/measure/flops.h"
#include "framework/measure/measure.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

std::shared_ptr<Backbone> vit(const std::string& options, int64_t classes, int64_t img) {
  at::manual_seed(0);
  return registries().backbones.create("vit", cfg::parse_string(options, "test"), DataInfo{classes, {3, img, img}});
}

// What one block costs per sample (a multiply-add = 2): attention over `n` tokens with `heads` heads of
// width d, a ToMe matching on those n tokens when `merge`, and the MLP (width f) over `m` tokens.
int64_t block_flops(int64_t c, int64_t heads, int64_t d, int64_t f, int64_t n, int64_t m, bool merge) {
  const int64_t hd = heads * d;
  int64_t x = 2 * n * c * 3 * hd        // q, k, v
              + 2 * 2 * heads * n * n * d  // q·kᵀ and probs·v
              + 2 * n * hd * c;            // output projection
  if (merge) x += 2 * ((n + 1) / 2) * (n / 2) * d;  // ToMe: even tokens' keys against odd tokens' keys
  return x + 2 * m * c * f + 2 * m * f * c;  // fc1, fc2
}

int64_t patch_flops(int64_t positions, int64_t c, int64_t patch) { return 2 * positions * c * 3 * patch * patch; }

}  // namespace

TEST_CASE("FLOPs of a tiny ViT equal a hand count, with token merging and with pruned heads and units", "[measure]") {
  // 8×8 images, 2×2 patches: 16 patches + the class token; width 16, 2 heads of 8, MLP 64, 3 classes.
  const std::string opts = "{img_size: 8, patch_size: 2, embed_dim: 16, num_heads: 2, depth: 2}";
  const at::Tensor x = at::randn({4, 3, 8, 8});
  const int64_t head = 2 * 16 * 3;
  {
    auto b = vit(opts, 3, 8);
    const int64_t want = patch_flops(16, 16, 2) + 2 * block_flops(16, 2, 8, 64, 17, 17, false) + head;
    CHECK(forward_flops(*b, x) == static_cast<double>(want));
  }
  {  // ToMe r = 2 per block: attention on 17 then 15 tokens, the MLP on 15 then 13.
    auto b = vit(opts, 3, 8);
    auto tome = registries().methods.create("tome", cfg::parse_string("{r: 2}", "test"));
    tome->attach(*b);
    const int64_t want =
        patch_flops(16, 16, 2) + block_flops(16, 2, 8, 64, 17, 15, true) + block_flops(16, 2, 8, 64, 15, 13, true) + head;
    CHECK(forward_flops(*b, x) == static_cast<double>(want));
  }
  {  // Block 0 keeps one head, block 1 keeps 24 of its 64 FFN units.
    auto b = vit(opts, 3, 8);
    b->block(0).prune_heads({1});
    std::vector<int64_t> keep;
    for (int64_t u = 0; u < 48; u += 2) keep.push_back(u);  // 24 units
    b->block(1).prune_ffn(keep);
    REQUIRE(b->block(1).ffn_dim() == 24);
    const int64_t want = patch_flops(16, 16, 2) + block_flops(16, 1, 8, 64, 17, 17, false) +
                         block_flops(16, 2, 8, 24, 17, 17, false) + head;
    CHECK(forward_flops(*b, x) == static_cast<double>(want));
  }
}

TEST_CASE("ViT-B/16 at 224: 35.1 GFLOPs (17.6 G multiply-adds) per image, as counted by hand", "[measure]") {
  auto b = vit("{preset: vit_base_patch16_224}", 1000, 224);
  const int64_t want = patch_flops(196, 768, 16) + 12 * block_flops(768, 12, 64, 3072, 197, 197, false) + 2 * 768 * 1000;
  const double got = forward_flops(*b, at::randn({1, 3, 224, 224}));
  CHECK(got == static_cast<double>(want));  // the fused attention kernel (197 tokens on CPU) counted too
  CHECK(got == Approx(35.13e9).epsilon(0.002));
}

TEST_CASE("FLOPs match torch.utils.flop_counter on timm's ViT of the same architecture", "[measure][parity]") {
  const auto dir = test::fresh_dir("flops-parity");
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/measure/reference_flops.py", "'" + dir + "/ref.json'");
  const auto ref = nlohmann::json::parse(std::ifstream(dir + "/ref.json"));
  auto small = vit("{img_size: 32, patch_size: 4, embed_dim: 48, num_heads: 3, depth: 2}", 5, 32);
  const double ours_small = forward_flops(*small, at::randn({2, 3, 32, 32}));
  CHECK(ours_small == ref.at("small").get<double>());
  auto base = vit("{preset: vit_base_patch16_224}", 1000, 224);
  const double ours_base = forward_flops(*base, at::randn({1, 3, 224, 224}));
  CHECK(std::abs(ours_base - ref.at("base").get<double>()) <= 0.01 * ref.at("base").get<double>());
  CHECK(ours_base == ref.at("base").get<double>());
}

TEST_CASE("the FLOP counter counts only while it lives, and only once per nested op", "[measure]") {
  const auto a = at::randn({4, 5}), w = at::randn({6, 5}), bias = at::randn({6});
  {
    FlopCounter c;
    at::linear(a, w, bias);           // addmm: 2·4·5·6
    at::matmul(at::randn({3, 4, 5}), at::randn({3, 5, 2}));  // bmm: 2·3·4·5·2
    CHECK(c.total() == 2 * 4 * 5 * 6 + 2 * 3 * 4 * 5 * 2);
    CHECK(c.by_op().count("aten::addmm") == 1);
  }
  FlopCounter again;
  CHECK(again.total() == 0);
  REQUIRE_THROWS_WITH(FlopCounter(), "FlopCounter: one counter per thread at a time");
}
