#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "framework/config/node.h"
#include "framework/core/error.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("YAML parse errors name file and line", "[config]") {
  const auto dir = test::fresh_dir("node");
  const auto path = test::write_file(dir, "broken.yaml", "a: 1\nb: [1, 2\n");
  REQUIRE_THROWS_WITH(cfg::load_file(path), Catch::StartsWith(path + ":3:1: invalid YAML:"));
}

TEST_CASE("duplicate keys are errors naming both places", "[config]") {
  REQUIRE_THROWS_WITH(cfg::parse_string("a: 1\nb: 2\na: 3\n", "f.yaml"),
                      "f.yaml:3:1: duplicate key 'a' (first at f.yaml:1:1)");
}

TEST_CASE("missing file is a clear error", "[config]") {
  REQUIRE_THROWS_WITH(cfg::load_file("/nonexistent/x.yaml"), "/nonexistent/x.yaml: cannot open file");
}

TEST_CASE("canonical JSON: number spelling and key order do not matter", "[config]") {
  const auto a = cfg::parse_string("lr: 1e-3\nepochs: 10\nname: lora\nflag: true\n", "a");
  const auto b = cfg::parse_string("name: 'lora'\nflag: True\nepochs: 10.0\nlr: 0.001\n", "b");
  CHECK(a.to_json().dump() == b.to_json().dump());
  CHECK(a.to_json().dump() == R"({"epochs":10,"flag":true,"lr":0.001,"name":"lora"})");
  // A quoted number stays a string.
  CHECK(cfg::parse_string("v: '10'", "c").to_json().dump() == R"({"v":"10"})");
}

TEST_CASE("merge: later wins, maps merge recursively", "[config]") {
  const auto base = cfg::parse_string("train: {lr: 0.1, epochs: 3}\nmethods: [linear]\n", "base");
  const auto over = cfg::parse_string("train: {lr: 0.2}\nmethods: [lora]\n", "over");
  CHECK(cfg::merge(base, over).to_json().dump() == R"({"methods":["lora"],"train":{"epochs":3,"lr":0.2}})");
}

TEST_CASE("overrides set dotted keys, parse YAML values, and report bad paths", "[config]") {
  auto root = cfg::parse_string("train: {lr: 0.1}\nseed: 3\n", "f.yaml");
  cfg::apply_override(root, "train.lr=0.5");
  cfg::apply_override(root, "methods=[lora, {name: linear}]");
  cfg::apply_override(root, "backbone.name=vit");
  CHECK(root.to_json().dump() ==
        R"({"backbone":{"name":"vit"},"methods":["lora",{"name":"linear"}],"seed":3,"train":{"lr":0.5}})");
  CHECK(cfg::at_path(root, "train.lr")->loc().file == "<override 'train.lr=0.5'>");
  REQUIRE_THROWS_WITH(cfg::apply_override(root, "seed.x=1"),
                      "<override 'seed.x=1'>: 'seed' is a scalar (at f.yaml:2:7), not a map or a list; cannot set 'seed.x'");
  REQUIRE_THROWS_WITH(cfg::apply_override(root, "novalue"), "<override 'novalue'>: expected key.sub=value");
}
