#include "framework/sweep/resolve.h"

#include "framework/config/options.h"
#include "framework/core/error.h"
#include "framework/core/hash.h"
#include "framework/registry/registries.h"
#include "framework/train/options.h"

namespace adaptlab {
namespace {

// A component map {name: X, ...options}: resolves options through the registry entry X.
template <class Reg>
nlohmann::json resolve_component(const cfg::Node& node, const std::string& key, const Reg& reg) {
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
    fail("{}: unknown {} '{}'; known {}s: {}", name->loc().str(), reg.kind(), n, reg.kind(),
         fmt::join(reg.entries().names(), ", "));
  m.erase("name");
  nlohmann::json j = reg.resolve(n, m);
  j["name"] = n;
  return j;
}

}  // namespace

nlohmann::json resolve_run_config(const cfg::Node& run, const Registries& r) {
  AL_CHECK(run.is_map(), "{}: a run configuration must be a map, got {}", run.loc().str(), run.kind_name());
  static const char* kKeys[] = {"backbone", "dataset", "methods", "train", "seed"};
  for (const auto& e : run.entries()) {
    bool ok = false;
    for (const char* k : kKeys) ok = ok || e.key == k;
    AL_CHECK(ok, "{}: unknown key '{}' in run configuration; expected one of: backbone, dataset, methods, train, seed",
             e.key_loc.str(), e.key);
  }
  auto required = [&](const char* key) -> const cfg::Node& {
    const cfg::Node* n = run.find(key);
    AL_CHECK(n != nullptr, "{}: missing required key '{}' in run configuration", run.loc().str(), key);
    return *n;
  };
  nlohmann::json out = nlohmann::json::object();
  out["backbone"] = resolve_component(required("backbone"), "backbone", r.backbones);
  out["dataset"] = resolve_component(required("dataset"), "dataset", r.datasets);

  const cfg::Node& methods = required("methods");
  if (!methods.is_list()) cfg::throw_type_error(methods, "key 'methods'", "a list of methods");
  AL_CHECK(!methods.items().empty(), "{}: key 'methods' must list at least one method", methods.loc().str());
  out["methods"] = nlohmann::json::array();
  for (size_t i = 0; i < methods.items().size(); ++i)
    out["methods"].push_back(resolve_component(methods.items()[i], "methods item " + std::to_string(i), r.methods));

  const cfg::Node* train = run.find("train");
  out["train"] = cfg::options_json(cfg::read_options<TrainOptions>(train ? *train : cfg::Node{}, "train options"));

  int seed = 0;
  if (const cfg::Node* s = run.find("seed")) cfg::read_value(*s, "key 'seed'", seed);
  out["seed"] = seed;
  return out;
}

std::string run_id(const nlohmann::json& resolved) { return hash_hex128(resolved.dump()).substr(0, 16); }

std::string methods_label(const nlohmann::json& resolved) {
  std::string s;
  for (const auto& m : resolved.at("methods")) {
    if (!s.empty()) s += "+";
    s += m.at("name").get<std::string>();
  }
  return s;
}

}  // namespace adaptlab
