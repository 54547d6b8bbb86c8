#include "framework/run/resolve.h"

#include <algorithm>
#include <map>

#include "framework/config/options.h"
#include "framework/core/error.h"
#include "framework/core/hash.h"
#include "framework/core/json_flat.h"
#include "framework/core/suggest.h"
#include "framework/registry/registries.h"
#include "framework/train/options.h"

namespace adaptlab {
namespace {

// A component map {name: X, ...options}: resolves options through the registry entry X.
template <class Reg>
ComponentConfig resolve_component(const cfg::Node& node, const std::string& key, const Reg& reg) {
  cfg::Node m = node;
  if (node.is_scalar()) {  // "lora" is short for {name: lora}
    m = cfg::Node::make_map(node.loc());
    m.set("name", node, node.loc());
  }
  if (!m.is_map()) cfg::throw_type_error(node, "key '" + key + "'", "a name or a map with 'name'");
  const cfg::Node* name = m.find("name");
  AL_CHECK(name != nullptr, "{}: missing required key 'name' in {}", m.loc().str(), key);
  std::string n;
  cfg::read_value(*name, "key 'name' in " + key, n);
  if (!reg.entries().has(n))
    fail("{}: {}", name->loc().str(), unknown_component_message(reg.kind(), n, reg.entries().names()));
  m.erase("name");
  return ComponentConfig{n, reg.resolve(n, m)};
}

nlohmann::json without_defaults(const nlohmann::json& options, const nlohmann::json& defaults) {
  nlohmann::json out = nlohmann::json::object();
  for (auto it = options.begin(); it != options.end(); ++it) {
    if (it.key() == "name") continue;
    const auto d = defaults.find(it.key());
    if (d == defaults.end() || *d != it.value()) out[it.key()] = it.value();
  }
  return out;
}

template <class Reg>
nlohmann::json component_id_form(const nlohmann::json& c, const Reg& reg, const std::string& where) {
  AL_CHECK(c.is_object() && c.contains("name"), "{}: not a resolved component", where);
  const std::string name = c.at("name").get<std::string>();
  AL_CHECK(reg.entries().has(name), "{} '{}' ({}) is not registered in this process; load the plugin that defines "
                                    "it (--plugin) to compute its run id", reg.kind(), name, where);
  nlohmann::json out = without_defaults(c, reg.item(name).defaults);
  out["name"] = name;
  return out;
}

}  // namespace

RunConfig resolve_run_config(const cfg::Node& run, const Registries& r) {
  AL_CHECK(run.is_map(), "{}: a run configuration must be a map, got {}", run.loc().str(), run.kind_name());
  static const std::vector<std::string> kKeys = {"backbone", "dataset", "methods", "train", "measure", "seed", "init"};
  for (const auto& e : run.entries())
    AL_CHECK(std::find(kKeys.begin(), kKeys.end(), e.key) != kKeys.end(),
             "{}: unknown key '{}' in run configuration{}; expected one of: {}", e.key_loc.str(), e.key,
             did_you_mean(e.key, kKeys), fmt::join(kKeys, ", "));
  auto required = [&](const char* key) -> const cfg::Node& {
    const cfg::Node* n = run.find(key);
    AL_CHECK(n != nullptr, "{}: missing required key '{}' in run configuration", run.loc().str(), key);
    return *n;
  };
  RunConfig out;
  out.backbone = resolve_component(required("backbone"), "backbone", r.backbones);
  out.dataset = resolve_component(required("dataset"), "dataset", r.datasets);

  const cfg::Node& methods = required("methods");
  if (!methods.is_list()) cfg::throw_type_error(methods, "key 'methods'", "a list of methods");
  AL_CHECK(!methods.items().empty(), "{}: key 'methods' must list at least one method", methods.loc().str());
  for (size_t i = 0; i < methods.items().size(); ++i)
    out.methods.push_back(resolve_component(methods.items()[i], "methods item " + std::to_string(i), r.methods));

  const cfg::Node* train = run.find("train");
  out.train = cfg::read_options<TrainOptions>(train ? *train : cfg::Node{}, "train options");
  const cfg::Node* measure = run.find("measure");
  out.measure = cfg::read_options<MeasureOptions>(measure ? *measure : cfg::Node{}, "measure options");
  if (const cfg::Node* s = run.find("seed")) cfg::read_value(*s, "key 'seed'", out.seed);
  if (const cfg::Node* i = run.find("init"); i && !i->is_null()) out.init = parse_init(*i);
  out.id = stable_run_id(out.to_json(), r);
  return out;
}

nlohmann::json id_form(const nlohmann::json& resolved, const Registries& r) {
  nlohmann::json out = nlohmann::json::object();
  out["backbone"] = component_id_form(resolved.at("backbone"), r.backbones, "backbone");
  out["dataset"] = component_id_form(resolved.at("dataset"), r.datasets, "dataset");
  out["methods"] = nlohmann::json::array();
  for (size_t i = 0; i < resolved.at("methods").size(); ++i)
    out["methods"].push_back(component_id_form(resolved.at("methods")[i], r.methods, "methods item " + std::to_string(i)));
  static const nlohmann::json train_defaults = cfg::options_defaults<TrainOptions>();
  out["train"] = without_defaults(resolved.at("train"), train_defaults);
  out["seed"] = resolved.at("seed");
  if (resolved.contains("init") && !resolved.at("init").empty()) {  // absent otherwise: earlier ids unchanged
    out["init"] = nlohmann::json::array();
    for (const auto& s : resolved.at("init")) out["init"].push_back(init_id_form(s));
  }
  return out;
}

std::string stable_run_id(const nlohmann::json& resolved, const Registries& r) {
  return hash_hex128(id_form(resolved, r).dump()).substr(0, 16);
}

std::string legacy_run_id(const nlohmann::json& resolved) { return hash_hex128(resolved.dump()).substr(0, 16); }

std::vector<std::string> config_drift(const nlohmann::json& stored, const nlohmann::json& now) {
  std::map<std::string, std::string> a;
  for (auto& [k, v] : flatten_json(stored)) a.emplace(std::move(k), std::move(v));
  std::vector<std::string> out;
  for (const auto& [k, v] : flatten_json(now)) {
    const auto it = a.find(k);
    if (it != a.end() && it->second != v) out.push_back(k + ": " + it->second + " -> " + v);
  }
  return out;
}

}  // namespace adaptlab
