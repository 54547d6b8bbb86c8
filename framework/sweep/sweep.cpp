#include "framework/sweep/sweep.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "framework/config/node.h"
#include "framework/config/options.h"
#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/sweep/resolve.h"

namespace adaptlab {
namespace fs = std::filesystem;

namespace {

std::vector<int> read_seeds(const cfg::Node& n) {
  std::vector<int> seeds;
  if (n.is_scalar()) {
    int count = 0;
    cfg::read_value(n, "key 'seeds'", count);
    AL_CHECK(count > 0, "{}: key 'seeds': a count must be > 0, got {}", n.loc().str(), count);
    for (int i = 0; i < count; ++i) seeds.push_back(i);
    return seeds;
  }
  cfg::read_value(n, "key 'seeds'", seeds);
  AL_CHECK(!seeds.empty(), "{}: key 'seeds' is an empty list: the sweep expands to no runs", n.loc().str());
  std::set<int> uniq(seeds.begin(), seeds.end());
  AL_CHECK(uniq.size() == seeds.size(), "{}: key 'seeds' lists a seed twice", n.loc().str());
  return seeds;
}

std::string display(const cfg::Node& n) {
  const auto j = n.to_json();
  return j.is_string() ? j.get<std::string>() : j.dump();
}

}  // namespace

Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides, const Registries& registries) {
  Sweep sw;
  sw.path = path;
  {
    std::ifstream in(path);
    AL_CHECK(in.good(), "{}: cannot open sweep file", path);
    std::stringstream ss;
    ss << in.rdbuf();
    sw.text = ss.str();
  }
  const cfg::Node root = cfg::parse_string(sw.text, path);
  AL_CHECK(root.is_map(), "{}: a sweep file must be a map with keys study, include, run, grid, seeds", path);
  for (const auto& e : root.entries()) {
    static const std::set<std::string> known = {"study", "include", "run", "grid", "seeds"};
    AL_CHECK(known.count(e.key), "{}: unknown key '{}' in sweep file; expected one of: study, include, run, grid, seeds",
             e.key_loc.str(), e.key);
  }

  // Study name: explicit, or the folder holding the sweep file.
  sw.study = fs::absolute(path).parent_path().filename().string();
  if (const cfg::Node* s = root.find("study")) cfg::read_value(*s, "key 'study'", sw.study);
  static const std::regex kStudyName("[A-Za-z0-9_.-]+");
  AL_CHECK(std::regex_match(sw.study, kStudyName), "{}: study name '{}' may hold only letters, digits, '_', '.', '-'",
           path, sw.study);

  // Base run config: includes (relative to the sweep file), then `run`.
  cfg::Node base = cfg::Node::make_map(root.loc());
  if (const cfg::Node* inc = root.find("include")) {
    std::vector<std::string> files;
    cfg::read_value(*inc, "key 'include'", files);
    for (const auto& f : files) {
      const fs::path p = fs::path(f).is_absolute() ? fs::path(f) : fs::path(path).parent_path() / f;
      AL_CHECK(fs::exists(p), "{}: included file '{}' does not exist (looked for {})", inc->loc().str(), f, p.string());
      base = cfg::merge(base, cfg::load_file(p.string()));
    }
  }
  if (const cfg::Node* run = root.find("run")) {
    AL_CHECK(run->is_map(), "{}: key 'run' must be a map (the base run configuration)", run->loc().str());
    base = cfg::merge(base, *run);
  }

  // Grid axes, in file order; the last axis varies fastest.
  std::vector<std::pair<std::string, std::vector<cfg::Node>>> axes;
  std::set<std::string> axis_keys;
  if (const cfg::Node* grid = root.find("grid")) {
    AL_CHECK(grid->is_map(), "{}: key 'grid' must map dotted keys to lists of values", grid->loc().str());
    for (const auto& e : grid->entries()) {
      AL_CHECK(e.value.is_list(), "{}: grid axis '{}' must be a list of values, got {}", e.value.loc().str(), e.key,
               e.value.kind_name());
      AL_CHECK(!e.value.items().empty(), "{}: grid axis '{}' is an empty list: the sweep expands to no runs",
               e.value.loc().str(), e.key);
      AL_CHECK(e.key != "seed", "{}: use the top-level 'seeds' key, not a grid axis 'seed'", e.key_loc.str());
      axes.emplace_back(e.key, e.value.items());
      axis_keys.insert(e.key);
    }
  }
  for (const auto& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    AL_CHECK(!axis_keys.count(key), "override '{}' would fix grid axis '{}' for every run; edit the grid instead", o,
             key);
  }
  std::vector<int> seeds = {0};
  if (const cfg::Node* s = root.find("seeds")) seeds = read_seeds(*s);

  std::set<std::string> seen;
  std::vector<size_t> idx(axes.size(), 0);
  while (true) {
    cfg::Node point = base;
    std::vector<std::pair<std::string, std::string>> shown;
    for (size_t a = 0; a < axes.size(); ++a) {
      const cfg::Node& v = axes[a].second[idx[a]];
      cfg::set_path(point, axes[a].first, v, v.loc());
      shown.emplace_back(axes[a].first, display(v));
    }
    for (int seed : seeds) {
      cfg::Node run = point;
      run.set("seed", cfg::Node::make_scalar(std::to_string(seed), false, {path, 0, 0}), {path, 0, 0});
      for (const auto& o : overrides) cfg::apply_override(run, o);
      RunSpec spec;
      spec.config = resolve_run_config(run, registries);
      spec.id = run_id(spec.config);
      spec.axes = shown;
      spec.axes.emplace_back("seed", std::to_string(seed));
      if (!seen.insert(spec.id).second) {
        log::warn("{}: two grid points resolve to the same run {} ({}); it runs once", path, spec.id,
                  spec.config.dump());
        continue;
      }
      sw.runs.push_back(std::move(spec));
    }
    // Odometer increment over the axes (last axis fastest); done when every axis wrapped.
    bool advanced = false;
    for (size_t a = axes.size(); a-- > 0;) {
      if (++idx[a] < axes[a].second.size()) {
        advanced = true;
        break;
      }
      idx[a] = 0;
    }
    if (!advanced) break;
  }
  AL_CHECK(!sw.runs.empty(), "{}: the sweep expands to no runs", path);
  return sw;
}

namespace {
void flatten_into(const nlohmann::json& j, const std::string& prefix,
                  std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten_into(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (j.is_array() && !j.empty() && (j.front().is_object() || j.front().is_array())) {
    for (size_t i = 0; i < j.size(); ++i) flatten_into(j[i], prefix + "." + std::to_string(i), out);
  } else {
    out.emplace_back(prefix, j.dump());
  }
}
}  // namespace

std::vector<std::pair<std::string, std::string>> flatten(const nlohmann::json& config) {
  std::vector<std::pair<std::string, std::string>> out;
  flatten_into(config, "", out);
  return out;
}

}  // namespace adaptlab
