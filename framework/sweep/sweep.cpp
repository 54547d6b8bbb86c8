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
#include "framework/core/suggest.h"
#include "framework/core/log.h"
#include "framework/run/resolve.h"

namespace adaptlab {
namespace fs = std::filesystem;

namespace {

constexpr const char* kSweepKeys = "study, include, run, grid, zip, search, exclude, seeds, cost, max_runs";

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

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  AL_CHECK(in.good(), "{}: cannot open sweep file", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The base run config: includes (relative to the sweep file), then `run`.
cfg::Node read_base(const cfg::Node& root, const std::string& path) {
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
  return base;
}

// Grid keys (each its own axis, in file order).
void read_grid(const cfg::Node& grid, SweepFile& sw) {
  AL_CHECK(grid.is_map(), "{}: key 'grid' must map dotted keys to lists of values", grid.loc().str());
  for (const auto& e : grid.entries()) {
    AL_CHECK(e.value.is_list(), "{}: grid axis '{}' must be a list of values, got {}", e.value.loc().str(), e.key,
             e.value.kind_name());
    AL_CHECK(!e.value.items().empty(), "{}: grid axis '{}' is an empty list: the sweep expands to no runs",
             e.value.loc().str(), e.key);
    AL_CHECK(e.key != "seed", "{}: use the top-level 'seeds' key, not a grid axis 'seed'", e.key_loc.str());
    SweepAxis axis;
    for (const auto& v : e.value.items()) axis.push_back({{e.key, v}});
    sw.axes.push_back(std::move(axis));
    sw.axis_keys.push_back(e.key);
  }
}

// The zip group: one axis of paired values.
void read_zip(const cfg::Node& zip, SweepFile& sw) {
  AL_CHECK(zip.is_map() && !zip.entries().empty(), "{}: key 'zip' must map dotted keys to lists of equal length",
           zip.loc().str());
  const auto& first = zip.entries().front();
  for (const auto& e : zip.entries()) {
    AL_CHECK(e.value.is_list(), "{}: zip axis '{}' must be a list of values, got {}", e.value.loc().str(), e.key,
             e.value.kind_name());
    AL_CHECK(e.value.items().size() == first.value.items().size(),
             "{}: zip axis '{}' has {} values but '{}' has {}; zipped lists must have equal length",
             e.value.loc().str(), e.key, e.value.items().size(), first.key, first.value.items().size());
    AL_CHECK(std::find(sw.axis_keys.begin(), sw.axis_keys.end(), e.key) == sw.axis_keys.end(),
             "{}: '{}' is both a grid and a zip axis", e.key_loc.str(), e.key);
    sw.axis_keys.push_back(e.key);
  }
  AL_CHECK(!first.value.items().empty(), "{}: zip axis '{}' is an empty list: the sweep expands to no runs",
           first.value.loc().str(), first.key);
  SweepAxis axis;
  for (size_t i = 0; i < first.value.items().size(); ++i) {
    std::vector<std::pair<std::string, cfg::Node>> point;
    for (const auto& e : zip.entries()) point.emplace_back(e.key, e.value.items()[i]);
    axis.push_back(std::move(point));
  }
  sw.axes.push_back(std::move(axis));
}

void read_excludes(const cfg::Node& ex, SweepFile& sw) {
  AL_CHECK(ex.is_list(), "{}: key 'exclude' must be a list of maps (dotted key -> value)", ex.loc().str());
  for (const auto& rule : ex.items()) {
    AL_CHECK(rule.is_map() && !rule.entries().empty(), "{}: each exclude entry must be a non-empty map",
             rule.loc().str());
    sw.excludes.push_back(rule);
  }
}

// The search's trials as the axis axes[search_axis] (refused before they are drawn when they alone are
// over max_runs).
void draw_search(SweepFile& sw) {
  AL_CHECK(sw.search->trials <= sw.max_runs,
           "{}: the search draws {} trials, over the limit of {} runs; refusing to build them (set max_runs: N in the "
           "sweep file to allow more)",
           sw.search->loc.str(), sw.search->trials, sw.max_runs);
  sw.axes[static_cast<size_t>(sw.search_axis)] = draw_trials(*sw.search);
}

// The search: one more axis, after grid and zip (so each grid cell gets the same trials).
void read_search(const cfg::Node& root, const cfg::Node& block, SweepFile& sw) {
  std::vector<std::pair<std::string, std::string>> taken;
  for (const char* kind : {"grid", "zip"})
    if (const cfg::Node* n = root.find(kind); n && n->is_map())
      for (const auto& e : n->entries()) taken.emplace_back(e.key, kind);
  sw.search = parse_search(block, taken);
  for (const auto& d : sw.search->dims) sw.axis_keys.push_back(d.key);
  sw.search_axis = static_cast<int>(sw.axes.size());
  sw.axes.emplace_back();
  draw_search(sw);
}

// Odometer increment over the axes (last axis fastest); false when every axis wrapped.
bool advance(std::vector<size_t>& idx, const std::vector<SweepAxis>& axes) {
  for (size_t a = axes.size(); a-- > 0;) {
    if (++idx[a] < axes[a].size()) return true;
    idx[a] = 0;
  }
  return false;
}

// The grid's size, counted before anything is built: a few short lines can ask for 10^9 runs.
void check_run_count(const SweepFile& sw) {
  int64_t total = static_cast<int64_t>(sw.seeds.size());
  bool over = total > sw.max_runs;
  std::string shape;
  for (const auto& a : sw.axes) {
    shape += fmt::format("{} x ", a.size());
    const auto n = static_cast<int64_t>(a.size());
    if (!over && total > sw.max_runs / n) over = true;
    if (!over) total *= n;
  }
  if (!over) return;
  long double exact = static_cast<long double>(sw.seeds.size());
  for (const auto& a : sw.axes) exact *= static_cast<long double>(a.size());
  fail("{}: the sweep expands to {:.0f} runs ({}{} seeds), over the limit of {}; refusing to build them (set "
       "max_runs: N in the sweep file to allow more)",
       sw.path, static_cast<double>(exact), shape, sw.seeds.size(), sw.max_runs);
}

}  // namespace

SweepFile parse_sweep(const std::string& path) {
  SweepFile sw;
  sw.path = path;
  sw.text = read_text(path);
  const cfg::Node root = cfg::parse_string(sw.text, path);
  AL_CHECK(root.is_map(), "{}: a sweep file must be a map with keys {}", path, kSweepKeys);
  for (const auto& e : root.entries()) {
    static const std::set<std::string> known = {"study",  "include", "run",   "grid", "zip",
                                                "search", "exclude", "seeds", "cost", "max_runs"};
    AL_CHECK(known.count(e.key), "{}: unknown key '{}' in sweep file{}; expected one of: {}", e.key_loc.str(), e.key,
             did_you_mean(e.key, {known.begin(), known.end()}), kSweepKeys);
  }
  // Study name: explicit, or the folder holding the sweep file.
  sw.study = fs::absolute(path).parent_path().filename().string();
  if (const cfg::Node* s = root.find("study")) cfg::read_value(*s, "key 'study'", sw.study);
  static const std::regex kStudyName("[A-Za-z0-9_.-]+");
  AL_CHECK(std::regex_match(sw.study, kStudyName), "{}: study name '{}' may hold only letters, digits, '_', '.', '-'",
           path, sw.study);
  sw.base = read_base(root, path);
  if (const cfg::Node* grid = root.find("grid")) read_grid(*grid, sw);
  if (const cfg::Node* zip = root.find("zip")) read_zip(*zip, sw);
  if (const cfg::Node* ex = root.find("exclude")) read_excludes(*ex, sw);
  if (const cfg::Node* c = root.find("cost")) cfg::read_value(*c, "key 'cost'", sw.cost_keys);
  if (const cfg::Node* s = root.find("seeds")) sw.seeds = read_seeds(*s);
  if (const cfg::Node* m = root.find("max_runs")) {
    cfg::read_value(*m, "key 'max_runs'", sw.max_runs);
    AL_CHECK(sw.max_runs > 0, "{}: key 'max_runs' must be > 0", m->loc().str());
  }
  if (const cfg::Node* search = root.find("search")) read_search(root, *search, sw);
  return sw;
}

std::vector<PlannedRun> expand(const SweepFile& file, const std::vector<std::string>& given_overrides,
                               const Registries& registries) {
  // Overrides of the sweep itself: `seeds=N` (or a list), and a grid axis's values (`train.lr=[1e-3]`: a
  // list, or one value for every run). The others apply to every run's configuration (list items too:
  // `methods.0.rank=4`).
  SweepFile sw = file;
  std::vector<std::string> overrides;
  for (const auto& o : given_overrides) {
    const auto eq = o.find('=');
    AL_CHECK(eq != std::string::npos && eq > 0, "override '{}': expected key=value", o);
    const std::string key = o.substr(0, eq), origin = fmt::format("<override '{}'>", o);
    if (key == "seeds") {
      sw.seeds = read_seeds(cfg::parse_string(o.substr(eq + 1), origin));
      continue;
    }
    if (key.rfind("search.", 0) == 0 || key == "search") {
      AL_CHECK(sw.search, "override '{}': {} has no search: block", o, sw.path);
      override_search(*sw.search, key.substr(std::min(key.size(), size_t{7})), cfg::parse_string(o.substr(eq + 1), origin),
                      fmt::format("override '{}'", o));
      draw_search(sw);
      continue;
    }
    if (sw.search) {
      const auto& dims = sw.search->dims;
      const auto d = std::find_if(dims.begin(), dims.end(), [&](const SearchDim& x) { return x.key == key; });
      AL_CHECK(d == dims.end(), "override '{}': '{}' is drawn by the search ({}); change its distribution there, or "
               "search.trials / search.seed / search.sampler", o, key, d == dims.end() ? "" : d->loc.str());
    }
    const auto axis = std::find_if(sw.axes.begin(), sw.axes.end(), [&](const SweepAxis& a) {
      return std::any_of(a.front().begin(), a.front().end(), [&](const auto& kv) { return kv.first == key; });
    });
    if (axis == sw.axes.end()) {
      overrides.push_back(o);
      continue;
    }
    AL_CHECK(axis->front().size() == 1, "override '{}': '{}' is a zip axis, paired with {} others; edit the zip in {}",
             o, key, axis->front().size() - 1, sw.path);
    const cfg::Node values = cfg::parse_string(o.substr(eq + 1), origin);
    SweepAxis replaced;
    if (values.is_list()) {
      AL_CHECK(!values.items().empty(), "override '{}': an empty list leaves the sweep no runs", o);
      for (const auto& v : values.items()) replaced.push_back({{key, v}});
    } else {
      replaced.push_back({{key, values}});
    }
    *axis = std::move(replaced);
  }
  check_run_count(sw);
  std::vector<PlannedRun> runs;
  std::set<std::string> seen;
  std::vector<size_t> excluded(sw.excludes.size(), 0);
  std::vector<size_t> idx(sw.axes.size(), 0);
  do {
    cfg::Node point = sw.base;
    std::vector<std::pair<std::string, std::string>> shown;
    for (size_t a = 0; a < sw.axes.size(); ++a) {
      if (static_cast<int>(a) == sw.search_axis) shown.emplace_back("trial", std::to_string(idx[a]));
      for (const auto& [key, v] : sw.axes[a][idx[a]]) {
        cfg::set_path(point, key, v, v.loc());
        shown.emplace_back(key, display(v));
      }
    }
    for (int seed : sw.seeds) {
      cfg::Node run = point;
      run.set("seed", cfg::Node::make_scalar(std::to_string(seed), false, {sw.path, 0, 0}), {sw.path, 0, 0});
      for (const auto& o : overrides) cfg::apply_override(run, o);
      PlannedRun r;
      r.config = resolve_run_config(run, registries);
      const nlohmann::json resolved = r.config.to_json();
      const auto rule = std::find_if(sw.excludes.begin(), sw.excludes.end(),
                                     [&](const cfg::Node& x) { return matches(run, resolved, x); });
      if (rule != sw.excludes.end()) {
        ++excluded[static_cast<size_t>(rule - sw.excludes.begin())];
        continue;
      }
      r.cost = cost_of(resolved, sw.cost_keys);
      r.axes = shown;
      r.axes.emplace_back("seed", std::to_string(seed));
      if (!seen.insert(r.config.id).second) {
        log::warn("{}: two grid points resolve to the same run {} ({}); it runs once", sw.path, r.config.id,
                  resolved.dump());
        continue;
      }
      runs.push_back(std::move(r));
    }
  } while (advance(idx, sw.axes));
  for (size_t x = 0; x < sw.excludes.size(); ++x)
    if (excluded[x] == 0) log::warn("{}: exclude entry {} matches no run", sw.excludes[x].loc().str(), x);
  AL_CHECK(!runs.empty(), "{}: the sweep expands to no runs", sw.path);
  return runs;
}

std::string project_dir(const std::string& sweep_path) {
  namespace fs = std::filesystem;
  const fs::path file = fs::absolute(sweep_path).lexically_normal();
  for (fs::path p = file.parent_path(); p.has_relative_path(); p = p.parent_path())
    if (p.filename() == "experiments") return p.parent_path().string();
  return file.parent_path().string();
}

Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides, const Registries& registries) {
  SweepFile file = parse_sweep(path);
  Sweep sw{file.study, file.path, file.text, expand(file, overrides, registries), project_dir(path)};
  return sw;
}

}  // namespace adaptlab
