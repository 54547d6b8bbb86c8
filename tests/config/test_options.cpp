#include <catch2/catch.hpp>

#include "framework/config/options.h"
#include "framework/core/error.h"
#include "methods/lora/lora.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
struct Demo {
  int count = 2;
  double rate = 0.5;
  std::string name;
  std::vector<std::string> tags = {"a"};
  template <class V>
  void visit(V& v) {
    v.required("name", name, "the name");
    v("count", count, "how many");
    v("rate", rate, "a rate");
    v("tags", tags, "labels");
    v.check(count > 0, "count", "must be > 0");
  }
};
}  // namespace

TEST_CASE("strict reader: defaults, values, canonical output", "[config]") {
  const auto n = cfg::parse_string("name: x\nrate: 1\n", "f.yaml");
  const Demo d = cfg::read_options<Demo>(n, "demo options");
  CHECK(d.name == "x");
  CHECK(d.count == 2);
  CHECK(d.rate == 1.0);
  CHECK(cfg::options_json(d).dump() == R"({"count":2,"name":"x","rate":1.0,"tags":["a"]})");
}

TEST_CASE("strict reader: exact error messages with file, line and key", "[config]") {
  const auto dir = test::fresh_dir("options");
  SECTION("unknown key") {
    const auto p = test::write_file(dir, "u.yaml", "name: x\ncuont: 3\n");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(cfg::load_file(p), "demo options"),
                        p + ":2:1: unknown key 'cuont' in demo options (did you mean 'count'?); expected one of: name, count, rate, tags");
  }
  SECTION("wrong type") {
    const auto p = test::write_file(dir, "t.yaml", "name: x\ncount: three\n");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(cfg::load_file(p), "demo options"),
                        p + ":2:8: key 'count' in demo options: expected an integer, got 'three'");
  }
  SECTION("a float where an integer is expected") {
    const auto p = test::write_file(dir, "f.yaml", "name: x\ncount: 2.5\n");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(cfg::load_file(p), "demo options"),
                        p + ":2:8: key 'count' in demo options: expected an integer, got '2.5'");
  }
  SECTION("a map where a number is expected") {
    const auto p = test::write_file(dir, "m.yaml", "name: x\nrate: {a: 1}\n");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(cfg::load_file(p), "demo options"),
                        p + ":2:7: key 'rate' in demo options: expected a number, got a map");
  }
  SECTION("missing required key") {
    const auto p = test::write_file(dir, "r.yaml", "count: 3\n");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(cfg::load_file(p), "demo options"),
                        p + ":1:1: missing required key 'name' in demo options");
  }
  SECTION("failed check") {
    const auto p = test::write_file(dir, "c.yaml", "name: x\ncount: -1\n");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(cfg::load_file(p), "demo options"),
                        p + ":2:8: key 'count' in demo options: must be > 0");
  }
  SECTION("a list item of the wrong type") {
    const auto p = test::write_file(dir, "l.yaml", "name: x\ntags: [a, [b]]\n");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(cfg::load_file(p), "demo options"),
                        p + ":2:11: key 'tags' in demo options item 1: expected a string, got a list");
  }
}

TEST_CASE("LoRA options are strict too", "[config][lora]") {
  const auto n = cfg::parse_string("rank: 0\n", "lora.yaml");
  REQUIRE_THROWS_WITH(cfg::read_options<LoraOptions>(n, "method 'lora' options"),
                      "lora.yaml:1:7: key 'rank' in method 'lora' options: must be > 0");
}

TEST_CASE("non-finite numbers are refused where they are written", "[config]") {
  for (const char* v : {".inf", "-.inf", ".nan", "1e999", "-1e400"}) {
    INFO(v);
    const auto n = cfg::parse_string(fmt::format("name: x\nrate: {}\n", v), "f.yaml");
    REQUIRE_THROWS_WITH(cfg::read_options<Demo>(n, "demo options"),
                        fmt::format("f.yaml:2:7: key 'rate' in demo options: expected a finite number, got '{}'", v));
  }
  const auto n = cfg::parse_string("name: x\nrate: 1e300\n", "f.yaml");
  CHECK(cfg::read_options<Demo>(n, "demo options").rate == 1e300);
}

TEST_CASE("YAML aliases are counted as they expand", "[config]") {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    bomb += fmt::format("a{}: &a{} [", i, i);
    for (int k = 0; k < 10; ++k) bomb += fmt::format("{}*a{}", k ? ", " : "", i - 1);
    bomb += "]\n";
  }
  REQUIRE_THROWS_WITH(cfg::parse_string(bomb, "bomb.yaml"),
                      "bomb.yaml: the YAML expands to more than 1000000 nodes (nested aliases?); refusing to read it "
                      "(set ADAPTLAB_MAX_YAML_NODES to allow more)");
  // A few aliases used as meant are fine.
  const auto ok = cfg::parse_string("base: &b {lr: 0.1}\nrun: *b\n", "ok.yaml");
  CHECK(ok.find("run")->find("lr")->text() == "0.1");
}
