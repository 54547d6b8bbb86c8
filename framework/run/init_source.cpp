#include "framework/run/init_source.h"

#include "framework/config/options.h"
#include "framework/core/error.h"

namespace adaptlab {

std::string InitSource::describe() const {
  if (!path.empty()) return "path " + path;
  std::string s = "study " + (study.empty() ? std::string("(this one)") : study);
  if (!run.empty()) s += ", run " + run;
  if (match.is_map()) s += ", match " + match.to_json().dump();
  if (same_seed) s += ", same seed";
  return s;
}

std::vector<InitSource> parse_init(const cfg::Node& node) {
  std::vector<cfg::Node> items;
  if (node.is_map()) {
    items.push_back(node);
  } else if (node.is_list()) {
    items = node.items();
  } else {
    cfg::throw_type_error(node, "key 'init'", "a list of init sources (maps with from: or path:)");
  }
  std::vector<InitSource> out;
  for (size_t i = 0; i < items.size(); ++i) {
    cfg::Node m = items[i];
    if (!m.is_map()) cfg::throw_type_error(m, "init item " + std::to_string(i), "a map with from: or path:");
    if (const cfg::Node* from = m.find("from")) {
      if (!from->is_map()) cfg::throw_type_error(*from, "key 'from' in init item " + std::to_string(i),
                                                 "a map (study, run, match, same_seed)");
      const cfg::Node f = *from;
      m.erase("from");
      for (const auto& e : f.entries()) {
        AL_CHECK(m.find(e.key) == nullptr, "{}: '{}' given both inside and outside 'from'", e.key_loc.str(), e.key);
        m.set(e.key, e.value, e.key_loc);
      }
    }
    out.push_back(cfg::read_options<InitSource>(m, "init item " + std::to_string(i)));
  }
  return out;
}

nlohmann::json init_json(const std::vector<InitSource>& init) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : init) out.push_back(cfg::options_json(s));
  return out;
}

std::vector<InitSource> init_of_json(const nlohmann::json& j, const std::string& origin) {
  AL_CHECK(j.is_array(), "{}: 'init' must be a list", origin);
  std::vector<InitSource> out;
  for (size_t i = 0; i < j.size(); ++i)
    out.push_back(cfg::read_options<InitSource>(cfg::Node::from_json(j[i], cfg::Loc{origin, 0, 0}),
                                                "init item " + std::to_string(i)));
  return out;
}

nlohmann::json init_id_form(const nlohmann::json& s) {
  static const nlohmann::json defaults = cfg::options_defaults<InitSource>();
  nlohmann::json out = nlohmann::json::object();
  if (s.value("path", std::string()).empty()) {
    out["run"] = s.value("resolved_run", std::string());
    out["study"] = s.value("resolved_study", std::string());
  } else {
    out["file"] = s.value("artifact_hash", std::string());
  }
  for (const char* k : {"exclude", "strict"})
    if (s.contains(k) && s.at(k) != defaults.at(k)) out[k] = s.at(k);
  return out;
}

}  // namespace adaptlab
