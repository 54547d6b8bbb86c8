#include "framework/sweep/sweep.h"

#include <algorithm>
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

constexpr const char* kSweepKeys = "study, include, run, grid, zip, exclude, seeds, cost";

// One axis of the expansion: a list of points, each assigning one or more keys.
using Assignment = std::pair<std::string, cfg::Node>;
using Axis = std::vector<std::vector<Assignment>>;

// The value at a dotted path of a resolved config ("methods.0.rank"); nullptr when absent.
const nlohmann::json* json_at(const nlohmann::json& root, const std::string& dotted) {
  const nlohmann::json* cur = &root;
  std::string part;
  std::stringstream ss(dotted);
  while (std::getline(ss, part, '.')) {
    if (cur->is_object() && cur->contains(part)) {
      cur = &(*cur)[part];
    } else if (cur->is_array() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit) &&
               std::stoul(part) < cur->size()) {
      cur = &(*cur)[std::stoul(part)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

bool matches(const cfg::Node& run, const nlohmann::json& resolved, const cfg::Node& rule) {
  for (const auto& e : rule.entries()) {
    const auto want = e.value.to_json();
    const cfg::Node* got = cfg::at_path(run, e.key);
    if (got && got->to_json() == want) continue;
    // Also compare with the resolved value (so `train.lr: 0.003` matches a default-filled config).
    const nlohmann::json* r = json_at(resolved, e.key);
    if (!r || *r != want) return false;
  }
  return true;
}

double cost_of(const nlohmann::json& resolved, const std::vector<std::string>& keys) {
  double c = 1.0;
  for (const auto& k : keys) {
    const nlohmann::json* v = json_at(resolved, k);
    if (v && v->is_number()) c *= v->get<double>();
  }
  return c;
}

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
  AL_CHECK(root.is_map(), "{}: a sweep file must be a map with keys {}", path, kSweepKeys);
  for (const auto& e : root.entries()) {
    static const std::set<std::string> known = {"study", "include", "run", "grid", "zip", "exclude", "seeds", "cost"};
    AL_CHECK(known.count(e.key), "{}: unknown key '{}' in sweep file; expected one of: {}", e.key_loc.str(), e.key,
             kSweepKeys);
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

  // Axes: grid keys (each its own axis, in file order), then the zip group (one axis of paired
  // values). The last axis varies fastest; seeds vary fastest of all.
  std::vector<Axis> axes;
  std::set<std::string> axis_keys;
  if (const cfg::Node* grid = root.find("grid")) {
    AL_CHECK(grid->is_map(), "{}: key 'grid' must map dotted keys to lists of values", grid->loc().str());
    for (const auto& e : grid->entries()) {
      AL_CHECK(e.value.is_list(), "{}: grid axis '{}' must be a list of values, got {}", e.value.loc().str(), e.key,
               e.value.kind_name());
      AL_CHECK(!e.value.items().empty(), "{}: grid axis '{}' is an empty list: the sweep expands to no runs",
               e.value.loc().str(), e.key);
      AL_CHECK(e.key != "seed", "{}: use the top-level 'seeds' key, not a grid axis 'seed'", e.key_loc.str());
      Axis axis;
      for (const auto& v : e.value.items()) axis.push_back({{e.key, v}});
      axes.push_back(std::move(axis));
      axis_keys.insert(e.key);
    }
  }
  if (const cfg::Node* zip = root.find("zip")) {
    AL_CHECK(zip->is_map() && !zip->entries().empty(), "{}: key 'zip' must map dotted keys to lists of equal length",
             zip->loc().str());
    const auto& first = zip->entries().front();
    Axis axis;
    for (const auto& e : zip->entries()) {
      AL_CHECK(e.value.is_list(), "{}: zip axis '{}' must be a list of values, got {}", e.value.loc().str(), e.key,
               e.value.kind_name());
      AL_CHECK(e.value.items().size() == first.value.items().size(),
               "{}: zip axis '{}' has {} values but '{}' has {}; zipped lists must have equal length",
               e.value.loc().str(), e.key, e.value.items().size(), first.key, first.value.items().size());
      AL_CHECK(!axis_keys.count(e.key), "{}: '{}' is both a grid and a zip axis", e.key_loc.str(), e.key);
      axis_keys.insert(e.key);
    }
    AL_CHECK(!first.value.items().empty(), "{}: zip axis '{}' is an empty list: the sweep expands to no runs",
             first.value.loc().str(), first.key);
    for (size_t i = 0; i < first.value.items().size(); ++i) {
      std::vector<Assignment> point;
      for (const auto& e : zip->entries()) point.emplace_back(e.key, e.value.items()[i]);
      axis.push_back(std::move(point));
    }
    axes.push_back(std::move(axis));
  }
  std::vector<const cfg::Node*> excludes;
  if (const cfg::Node* ex = root.find("exclude")) {
    AL_CHECK(ex->is_list(), "{}: key 'exclude' must be a list of maps (dotted key -> value)", ex->loc().str());
    for (const auto& rule : ex->items()) {
      AL_CHECK(rule.is_map() && !rule.entries().empty(), "{}: each exclude entry must be a non-empty map",
               rule.loc().str());
      excludes.push_back(&rule);
    }
  }
  std::vector<std::string> cost_keys = {"train.epochs", "dataset.train_size"};
  if (const cfg::Node* c = root.find("cost")) cfg::read_value(*c, "key 'cost'", cost_keys);
  for (const auto& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    AL_CHECK(!axis_keys.count(key), "override '{}' would fix grid axis '{}' for every run; edit the grid instead", o,
             key);
  }
  std::vector<int> seeds = {0};
  if (const cfg::Node* s = root.find("seeds")) seeds = read_seeds(*s);

  std::set<std::string> seen;
  std::vector<size_t> excluded(excludes.size(), 0);
  std::vector<size_t> idx(axes.size(), 0);
  while (true) {
    cfg::Node point = base;
    std::vector<std::pair<std::string, std::string>> shown;
    for (size_t a = 0; a < axes.size(); ++a) {
      for (const auto& [key, v] : axes[a][idx[a]]) {
        cfg::set_path(point, key, v, v.loc());
        shown.emplace_back(key, display(v));
      }
    }
    for (int seed : seeds) {
      cfg::Node run = point;
      run.set("seed", cfg::Node::make_scalar(std::to_string(seed), false, {path, 0, 0}), {path, 0, 0});
      for (const auto& o : overrides) cfg::apply_override(run, o);
      RunSpec spec;
      spec.config = resolve_run_config(run, registries);
      bool drop = false;
      for (size_t x = 0; x < excludes.size() && !drop; ++x) {
        if (matches(run, spec.config, *excludes[x])) {
          drop = true;
          ++excluded[x];
        }
      }
      if (drop) continue;
      spec.id = run_id(spec.config);
      spec.cost = cost_of(spec.config, cost_keys);
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
      if (++idx[a] < axes[a].size()) {
        advanced = true;
        break;
      }
      idx[a] = 0;
    }
    if (!advanced) break;
  }
  for (size_t x = 0; x < excludes.size(); ++x)
    if (excluded[x] == 0) log::warn("{}: exclude entry {} matches no run", excludes[x]->loc().str(), x);
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
