#include "framework/run/run_config.h"

#include "framework/config/node.h"
#include "framework/config/options.h"
#include "framework/core/error.h"
#include "framework/core/json_flat.h"

namespace adaptlab {
namespace {

nlohmann::json component_json(const ComponentConfig& c) {
  nlohmann::json j = c.options;
  j["name"] = c.name;
  return j;
}

ComponentConfig component_of(const nlohmann::json& j, const std::string& where, const std::string& origin) {
  AL_CHECK(j.is_object() && j.contains("name") && j.at("name").is_string(),
           "{}: {} must be a map with a string 'name'", origin, where);
  ComponentConfig c;
  c.name = j.at("name").get<std::string>();
  c.options = j;
  c.options.erase("name");
  return c;
}

}  // namespace

nlohmann::json RunConfig::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  out["backbone"] = component_json(backbone);
  out["dataset"] = component_json(dataset);
  out["methods"] = nlohmann::json::array();
  for (const auto& m : methods) out["methods"].push_back(component_json(m));
  out["train"] = cfg::options_json(train);
  out["measure"] = cfg::options_json(measure);
  out["seed"] = seed;
  if (!init.empty()) out["init"] = init_json(init);
  return out;
}

RunConfig RunConfig::from_json(const nlohmann::json& j, const std::string& origin) {
  AL_CHECK(j.is_object(), "{}: a run configuration must be a map", origin);
  for (const char* key : {"backbone", "dataset", "methods", "train", "seed"})
    AL_CHECK(j.contains(key), "{}: the resolved run configuration has no '{}'", origin, key);
  RunConfig c;
  c.backbone = component_of(j.at("backbone"), "backbone", origin);
  c.dataset = component_of(j.at("dataset"), "dataset", origin);
  AL_CHECK(j.at("methods").is_array() && !j.at("methods").empty(), "{}: 'methods' must be a non-empty list", origin);
  for (size_t i = 0; i < j.at("methods").size(); ++i)
    c.methods.push_back(component_of(j.at("methods")[i], "methods item " + std::to_string(i), origin));
  c.train = cfg::read_options<TrainOptions>(cfg::Node::from_json(j.at("train"), cfg::Loc{origin, 0, 0}),
                                            "train options");
  if (j.contains("measure"))  // configs stored before the measurement phase existed have none
    c.measure = cfg::read_options<MeasureOptions>(cfg::Node::from_json(j.at("measure"), cfg::Loc{origin, 0, 0}),
                                                  "measure options");
  AL_CHECK(j.at("seed").is_number_integer(), "{}: 'seed' must be an integer", origin);
  c.seed = j.at("seed").get<int>();
  if (j.contains("init")) c.init = init_of_json(j.at("init"), origin);
  return c;
}

std::string RunConfig::label() const {
  std::string s;
  for (const auto& m : methods) {
    if (!s.empty()) s += "+";
    s += m.name;
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> RunConfig::flat() const { return flatten_json(to_json()); }

}  // namespace adaptlab
