// A run's saved tensors reload bit-exactly: in a new process, a model built from the same config with
// the saved file loaded gives exactly the outputs the trained model gave.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <cstdlib>
#include <filesystem>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/run/artifacts.h"
#include "framework/train/trainer.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

struct Model {
  std::shared_ptr<Backbone> b;
  std::unique_ptr<Method> lora, vpt;
};

// The same construction in both processes (as a run builds from its config and seed).
Model build() {
  at::manual_seed(5);
  Model m;
  m.b = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 16, num_heads: 2, depth: 2}", "t"),
      DataInfo{3, {3, 8, 8}});
  m.lora = registries().methods.create("lora", cfg::parse_string("{rank: 2, targets: [attn.qkv, mlp.fc1]}", "t"));
  m.vpt = registries().methods.create("vpt", cfg::parse_string("{tokens: 2}", "t"));
  m.vpt->attach(*m.b);
  m.lora->attach(*m.b);
  set_trainable(*m.b, {m.vpt.get(), m.lora.get()});
  return m;
}

at::Tensor outputs(Backbone& b) {
  at::manual_seed(9);
  const auto x = at::randn({5, 3, 8, 8});
  b.eval();
  at::NoGradGuard g;
  return b.forward(x);
}

}  // namespace

// Run by the next test case in a child process (hidden: tag [.]).
TEST_CASE("artifact reload helper", "[.][artifact-helper]") {
  const char* in = std::getenv("ADAPTLAB_ARTIFACT_IN");
  const char* out = std::getenv("ADAPTLAB_ARTIFACT_OUT");
  REQUIRE(in != nullptr);
  REQUIRE(out != nullptr);
  Model m = build();
  load_trained(*m.b, {m.vpt.get(), m.lora.get()}, in, "run-1");
  test::save_tensors(out, {{"logits", outputs(*m.b)}});
}

TEST_CASE("saved tensors reload bit-exactly in a new process", "[run]") {
  const auto dir = test::fresh_dir("artifacts");
  Model m = build();
  {  // "training": every trainable tensor moves
    at::NoGradGuard g;
    for (auto& p : m.b->parameters())
      if (p.requires_grad()) p.add_(0.1 * at::randn_like(p));
  }
  const at::Tensor want = outputs(*m.b);
  const ArtifactRecord rec = save_trained(*m.b, {m.vpt.get(), m.lora.get()}, dir + "/run-1", "run-1");
  CHECK(rec.name == "trained");
  CHECK(rec.bytes == static_cast<int64_t>(std::filesystem::file_size(rec.path)));
  CHECK(rec.hash.size() == 32);
  const std::string out = dir + "/reloaded.safetensors";
  const std::string cmd = "ADAPTLAB_ARTIFACT_IN='" + rec.path + "' ADAPTLAB_ARTIFACT_OUT='" + out + "' '" +
                          std::filesystem::read_symlink("/proc/self/exe").string() + "' '[artifact-helper]' >'" + dir +
                          "/helper.log' 2>&1";
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  const at::Tensor got = test::load_tensors(out).at("logits");
  CHECK(at::equal(got, want));
  // A fresh model without the file gives other outputs (the check above is not vacuous).
  Model fresh = build();
  CHECK_FALSE(at::equal(outputs(*fresh.b), want));
  // The file belongs to its run; a model of another shape is refused by name.
  REQUIRE_THROWS_WITH(load_trained(*fresh.b, {}, rec.path, "run-2"), Catch::Contains("holds the tensors of run run-1, not of run run-2"));
  auto other = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 8, num_heads: 2, depth: 2}", "t"), DataInfo{3, {3, 8, 8}});
  REQUIRE_THROWS_WITH(load_trained(*other, {}, rec.path, ""), Catch::Contains("do not fit the model built from the run's config"));
}
