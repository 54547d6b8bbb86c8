#include <catch2/catch.hpp>

#include "framework/config/node.h"
#include "framework/registry/registries.h"
#include "framework/run/resolve.h"

using namespace adaptlab;

TEST_CASE("unknown names list the known ones", "[registry]") {
  Registry<int> reg("widget");
  reg.add("b", "", "", [] { return 2; });
  reg.add("a", "", "", [] { return 1; });
  CHECK(reg.create("a") == 1);
  CHECK(reg.names() == std::vector<std::string>{"a", "b"});
  REQUIRE_THROWS_WITH(reg.create("c"), "unknown widget 'c'; known widgets: a, b");
  REQUIRE_THROWS_WITH(reg.add("a", "", "", [] { return 3; }), "widget 'a' is registered twice");
}

TEST_CASE("built-in registries hold the slice's entries", "[registry]") {
  auto& r = registries();
  CHECK(r.backbones.entries().names() == std::vector<std::string>{"bert", "pretrained_text", "vit"});
  CHECK(r.datasets.entries().names() == std::vector<std::string>{"synthetic", "text_tsv"});
  CHECK(r.methods.entries().has("lora"));
  CHECK(r.methods.entries().has("linear"));
  CHECK(r.datasets.entries().has("synthetic"));
  REQUIRE_THROWS_WITH(r.methods.resolve("nope", cfg::Node{}), "unknown method 'nope'; known methods: adapter, bitfit, full, linear, lora, pyra, tome, variator, vpt");
}

TEST_CASE("resolving a run config names the place of an unknown name", "[registry]") {
  const auto n = cfg::parse_string(
      "backbone: {name: vit}\ndataset: {name: synthetic}\nmethods: [lora, {name: dora}]\n", "run.yaml");
  REQUIRE_THROWS_WITH(resolve_run_config(n, registries()),
                      "run.yaml:3:24: unknown method 'dora'; known methods: adapter, bitfit, full, linear, lora, pyra, tome, variator, vpt");
  const auto m = cfg::parse_string("backbone: {name: vit}\nmethods: [lora]\n", "run.yaml");
  REQUIRE_THROWS_WITH(resolve_run_config(m, registries()),
                      "run.yaml:1:1: missing required key 'dataset' in run configuration");
  const auto k = cfg::parse_string(
      "backbone: {name: vit, depht: 3}\ndataset: {name: synthetic}\nmethods: [lora]\n", "run.yaml");
  REQUIRE_THROWS_WITH(resolve_run_config(k, registries()),
                      Catch::StartsWith("run.yaml:1:23: unknown key 'depht' in backbone 'vit' options; expected one of: "
                                        "img_size, patch_size,"));
}
