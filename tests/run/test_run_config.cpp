// The typed run config: stable ids across added options, drift reports, spec files and the event
// protocol both ends of the pipe use.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/registry/registries.h"
#include "framework/run/events.h"
#include "framework/run/resolve.h"
#include "framework/run/spec_file.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

// A component at two versions of the code: v2 adds the option `beta` with a default.
struct OptsV1 {
  int alpha = 1;
  template <class V>
  void visit(V& v) {
    v("alpha", alpha, "alpha");
  }
};
struct OptsV2 {
  int alpha = 1;
  double beta = 0.5;  // new in v2
  template <class V>
  void visit(V& v) {
    v("alpha", alpha, "alpha");
    v("beta", beta, "beta");
  }
};
struct OptsV3 {  // v3 changes alpha's default
  int alpha = 3;
  double beta = 0.5;
  template <class V>
  void visit(V& v) {
    v("alpha", alpha, "alpha");
    v("beta", beta, "beta");
  }
};
struct NoOpts {
  template <class V>
  void visit(V&) {}
};

template <class O>
Registries with_widget() {
  Registries r;
  add_entry<NoOpts>(r.backbones, "bb", "", [](const NoOpts&, const DataInfo&) { return std::shared_ptr<Backbone>(); });
  add_entry<NoOpts>(r.datasets, "ds", "", [](const NoOpts&) { return std::unique_ptr<Dataset>(); });
  add_entry<O>(r.methods, "widget", "", [](const O&) -> std::unique_ptr<Method> { return nullptr; });
  return r;
}

const char* kRun = "backbone: bb\ndataset: ds\nmethods: [{name: widget, alpha: 2}, widget]\ntrain: {lr: 0.01}\n";

}  // namespace

TEST_CASE("run ids survive adding an option with a default, the full config is kept beside", "[run][ids]") {
  const auto v1 = with_widget<OptsV1>(), v2 = with_widget<OptsV2>();
  const auto node = cfg::parse_string(kRun, "run.yaml");
  const RunConfig a = resolve_run_config(node, v1), b = resolve_run_config(node, v2);
  CHECK(a.id == b.id);
  CHECK(b.methods[1].options == nlohmann::json{{"alpha", 1}, {"beta", 0.5}, {"decay_1d", false}, {"lr", 0.0},
                                               {"weight_decay", -1.0}});  // the stored config: every option
  CHECK(id_form(b.to_json(), v2)["methods"][0] == nlohmann::json{{"name", "widget"}, {"alpha", 2}});
  CHECK(id_form(b.to_json(), v2)["train"] == nlohmann::json{{"lr", 0.01}});
  // Setting the new option (or any value) away from its default is a different run.
  CHECK(resolve_run_config(cfg::parse_string(std::string(kRun) + "seed: 1\n", "r"), v2).id != b.id);
  const auto c = cfg::parse_string(
      "backbone: bb\ndataset: ds\nmethods: [{name: widget, alpha: 2}, {name: widget, beta: 0.25}]\ntrain: {lr: 0.01}\n",
      "run.yaml");
  CHECK(resolve_run_config(c, v2).id != b.id);
  // The id of a config stored by v1 is what v2 computes for the same YAML.
  CHECK(stable_run_id(a.to_json(), v2) == b.id);
  // A changed default is drift: reported, not hidden.
  const RunConfig d = resolve_run_config(node, with_widget<OptsV3>());
  CHECK(config_drift(a.to_json(), b.to_json()).empty());  // an added option is not drift
  CHECK(config_drift(a.to_json(), d.to_json()) == std::vector<std::string>{"methods.1.alpha: 1 -> 3"});
  REQUIRE_THROWS_WITH(stable_run_id(a.to_json(), with_widget<OptsV1>() = Registries{}),
                      Catch::Contains("backbone 'bb' (backbone) is not registered in this process; load the plugin"));
}

TEST_CASE("RunConfig round-trips through its JSON form and a spec file", "[run]") {
  const auto dir = test::fresh_dir("spec");
  const auto node = cfg::parse_string(R"(
backbone: {name: vit, img_size: 8, patch_size: 4, embed_dim: 16, depth: 1, num_heads: 2}
dataset: {name: synthetic, img_size: 8, num_classes: 3}
methods: [{name: lora, rank: 2}, {name: tome, r: 1}]
train: {epochs: 2, lr: 0.004}
seed: 3
)", "run.yaml");
  const RunConfig c = resolve_run_config(node, registries());
  CHECK(c.label() == "lora+tome");
  CHECK(RunConfig::from_json(c.to_json(), "x").to_json() == c.to_json());
  const std::string path = dir + "/r.spec.json";
  write_spec_file(path, RunSpec{c, {}});
  const RunSpec back = read_spec_file(path);
  CHECK(back.config.id == c.id);
  CHECK(back.config.to_json() == c.to_json());
  CHECK(back.config.train.lr == 0.004);
  // A plain run configuration is resolved like a sweep's runs.
  const std::string yaml = test::write_file(dir, "plain.yaml", "backbone: {name: vit}\ndataset: {name: synthetic}\n"
                                                                "methods: [linear]\n");
  CHECK(read_spec_file(yaml).config.id == resolve_run_config(cfg::load_file(yaml), registries()).id);
  // A plugin that changed since planning is refused before anything loads.
  const std::string so = test::write_file(dir, "libfake.so", "not really a plugin");
  write_spec_file(path, RunSpec{c, {PluginInfo{so, "0123456789abcdef0123456789abcdef"}}});
  REQUIRE_THROWS_WITH(read_spec_file(path),
                      path + ": plugin '" + so + "' changed since the run was planned (hash 0123456789abcdef0123456789abcdef "
                             "then, " + file_hash(so) + " now); rebuild it as it was or plan the run again (adaptlab sweep)");
}

TEST_CASE("events: each kind survives the pipe, other lines are not events", "[run][events]") {
  using namespace events;
  auto round = [](const Event& e) {
    const std::string line = encode(e);
    CHECK(line.back() == '\n');
    auto d = decode(line.substr(0, line.size() - 1));
    REQUIRE(d.has_value());
    return *d;
  };
  const auto s = std::get<Status>(round(Status{"abc", RunStatus::running, 42}));
  CHECK((s.run == "abc" && s.status == RunStatus::running && s.pid == 42));
  const auto m = std::get<Metric>(round(Metric{{7, "train", "loss", NAN}}));
  CHECK((m.metric.step == 7 && m.metric.split == "train" && m.metric.name == "loss" && std::isnan(m.metric.value)));
  const auto f = std::get<Final>(round(Final{"abc", {{"test.acc", 0.5}, {"x", INFINITY}}}));
  CHECK(f.summary.at("test.acc") == 0.5);
  CHECK(std::isnan(f.summary.at("x")));  // non-finite travels as null
  CHECK(std::get<Provenance>(round(Provenance{{{"torch.version", "2.11.0"}}})).values.at("torch.version") == "2.11.0");
  CHECK(std::get<Failure>(round(Failure{"boom"})).message == "boom");
  CHECK(encode(Status{"abc", RunStatus::running, 1}) == "{\"event\":\"status\",\"pid\":1,\"run\":\"abc\",\"status\":\"running\"}\n");
  CHECK_FALSE(decode("[W init] a warning some library printed").has_value());
  CHECK_FALSE(decode("{\"no_event\": 1}").has_value());
  REQUIRE_THROWS_WITH(decode("{\"event\":\"metric\",\"step\":\"x\"}"),
                      Catch::StartsWith("malformed 'metric' event from the run: "));
  REQUIRE_THROWS_WITH(decode("{\"event\":\"status\",\"run\":\"a\",\"status\":\"sleeping\"}"),
                      Catch::StartsWith("malformed 'status' event from the run: unknown status 'sleeping'"));
  CHECK(parse_run_status("timed-out") == RunStatus::timed_out);
  CHECK(std::string(to_string(RunStatus::timed_out)) == "timed-out");
}
