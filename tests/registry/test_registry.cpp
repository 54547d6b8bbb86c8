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
  REQUIRE_THROWS_WITH(reg.create("c"), "unknown widget 'c'; known widgets: a, b; a plugin's widgets need --plugin FILE.so");
  REQUIRE_THROWS_WITH(reg.add("a", "", "", [] { return 3; }),
                      "widget 'a' is registered twice: by adaptlab itself and by adaptlab itself; rename one of them");
}

namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}
}  // namespace

TEST_CASE("the registries hold exactly what the component folders declare", "[registry]") {
  auto& r = registries();
  // ADAPTLAB_*_NAMES: the NAMES of every <kind>s/*/component.cmake, sorted (tests/CMakeLists.txt).
  CHECK(joined(r.backbones.entries().names()) == ADAPTLAB_BACKBONE_NAMES);
  CHECK(joined(r.methods.entries().names()) == ADAPTLAB_METHOD_NAMES);
  CHECK(joined(r.datasets.entries().names()) == ADAPTLAB_DATASET_NAMES);
  CHECK(r.methods.entries().has("lora"));
  CHECK(r.datasets.entries().has("synthetic"));
  REQUIRE_THROWS_WITH(r.methods.resolve("nope", cfg::Node{}),
                      "unknown method 'nope'; known methods: " + joined(r.methods.entries().names()) +
                          "; a plugin's methods need --plugin FILE.so");
}

TEST_CASE("resolving a run config names the place of an unknown name", "[registry]") {
  const auto n = cfg::parse_string(
      "backbone: {name: vit}\ndataset: {name: synthetic}\nmethods: [lora, {name: dora}]\n", "run.yaml");
  REQUIRE_THROWS_WITH(resolve_run_config(n, registries()),
                      "run.yaml:3:24: unknown method 'dora' (did you mean 'lora'?); known methods: " +
                          joined(registries().methods.entries().names()) + "; a plugin's methods need --plugin FILE.so");
  const auto m = cfg::parse_string("backbone: {name: vit}\nmethods: [lora]\n", "run.yaml");
  REQUIRE_THROWS_WITH(resolve_run_config(m, registries()),
                      "run.yaml:1:1: missing required key 'dataset' in run configuration");
  const auto k = cfg::parse_string(
      "backbone: {name: vit, depht: 3}\ndataset: {name: synthetic}\nmethods: [lora]\n", "run.yaml");
  REQUIRE_THROWS_WITH(resolve_run_config(k, registries()),
                      Catch::StartsWith("run.yaml:1:23: unknown key 'depht' in backbone 'vit' options (did you mean 'depth'?); expected one of: "
                                        "img_size, patch_size,"));
}
