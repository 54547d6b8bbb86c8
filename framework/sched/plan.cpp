#include "framework/sched/plan.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "framework/core/build_info.h"
#include "framework/core/error.h"
#include "framework/registry/registries.h"
#include "framework/run/run_config.h"

#include "framework/core/log.h"
#include "framework/run/resolve.h"
#include "framework/run/spec_file.h"
#include "framework/sched/dependencies.h"
#include "framework/store/labels.h"
#include "framework/sweep/sweep.h"

namespace adaptlab {

RerunFilter::RerunFilter(const std::vector<std::string>& values) {
  for (const auto& text : values) {
    Value v;
    v.text = text;
    if (text == "all") {
      v.all = true;
    } else if (text.find('=') == std::string::npos) {
      AL_CHECK(!text.empty() && text.find_first_not_of("0123456789abcdef") == std::string::npos,
               "--rerun '{}': expected all, a run id (hex, as --dry-run shows) or key=value[,key=value...]", text);
      v.id = text;
    } else {
      std::stringstream ss(text);
      std::string cond;
      while (std::getline(ss, cond, ',')) {
        const auto eq = cond.find('=');
        AL_CHECK(eq != std::string::npos && eq > 0, "--rerun '{}': '{}' is not key=value", text, cond);
        v.conditions.emplace_back(cond.substr(0, eq), cond.substr(eq + 1));
      }
    }
    values_.push_back(std::move(v));
  }
}

namespace {
// A flat config value as written on a command line: strings without their JSON quotes.
std::string plain(const std::string& json_text) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  return j.is_string() ? j.get<std::string>() : json_text;
}
}  // namespace

bool RerunFilter::matches(const RunConfig& config) {
  bool any = false;
  std::map<std::string, std::string> flat;
  for (auto& v : values_) {
    bool hit = v.all || (!v.id.empty() && config.id == v.id);
    if (!v.conditions.empty()) {
      if (flat.empty()) {
        for (const auto& [k, val] : config.flat()) flat[k] = plain(val);
        flat["methods"] = config.label();
        flat["backbone"] = config.backbone.name;
        flat["dataset"] = config.dataset.name;
      }
      hit = std::all_of(v.conditions.begin(), v.conditions.end(), [&](const auto& c) {
        const auto it = flat.find(c.first);
        if (it == flat.end()) return false;
        if (it->second == c.second) return true;
        // numbers compare as numbers (1e-3 = 0.001)
        char* e1 = nullptr;
        char* e2 = nullptr;
        const double a = std::strtod(it->second.c_str(), &e1), b = std::strtod(c.second.c_str(), &e2);
        return *e1 == '\0' && *e2 == '\0' && !it->second.empty() && !c.second.empty() && a == b;
      });
    }
    v.matched += hit;
    any = any || hit;
  }
  return any;
}

std::vector<std::string> RerunFilter::unmatched() const {
  std::vector<std::string> out;
  for (const auto& v : values_)
    if (v.matched == 0) out.push_back(v.text);
  return out;
}

std::vector<bool> sent_again(const Sweep& sweep, const std::function<bool(size_t)>& finished, RerunFilter& rerun,
                             int* dependents) {
  const size_t n = sweep.runs.size();
  std::vector<bool> again(n, false);
  for (size_t i = 0; i < n; ++i) again[i] = finished(i) && !rerun.empty() && rerun.matches(sweep.runs[i].config);
  int added = 0;
  if (std::find(again.begin(), again.end(), true) != again.end()) {
    const auto deps = sweep_dependencies(sweep);
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t j = 0; j < n; ++j) {
        if (again[j] || !finished(j)) continue;
        if (std::any_of(deps[j].begin(), deps[j].end(), [&](size_t i) { return again[i]; })) {
          again[j] = changed = true;
          ++added;
        }
      }
    }
  }
  if (dependents) *dependents = added;
  return again;
}

namespace {
// Why a done run started from other tensors than its dependencies hold now ("" = it did not, or it is
// not known: runs made before the hashes were recorded).
std::string out_of_date(const RunConfig& config, Store& store, const std::string& study, const std::string& id) {
  std::map<std::string, std::string> prov;
  for (size_t k = 0; k < config.init.size(); ++k) {
    const auto& src = config.init[k];
    if (!src.from_run() || src.artifact_hash.empty()) continue;
    if (prov.empty()) prov = store.provenance(study, id);
    const auto h = prov.find(fmt::format("init.{}.hash", k));
    if (h != prov.end() && h->second != src.artifact_hash)
      return fmt::format("its dependency {} (init item {}) was trained again since it started from it (tensors {} then, "
                         "{} now)", src.resolved_run, k, h->second.substr(0, 12), src.artifact_hash.substr(0, 12));
  }
  return "";
}
// "plugin P (hash a then, b now)" when a plugin the run's components come from is not the file it was
// made with ("" otherwise, or when the run recorded no plugin hashes).
std::string plugin_changed(const RunConfig& config, Store& store, const std::string& study, const std::string& id) {
  const auto used = plugins_used_by(config);
  if (used.empty()) return "";
  const auto prov = store.provenance(study, id);
  for (const auto& p : used)
    for (const auto& [k, v] : prov) {
      if (!k.starts_with("plugin.") || !k.ends_with(".path") || v != p.path) continue;
      const auto h = prov.find(k.substr(0, k.size() - 5) + ".hash");
      if (h != prov.end() && h->second != p.hash)
        return fmt::format("plugin {} as it was then (hash {}); the file has changed since (hash {})", p.path,
                           h->second.substr(0, 12), p.hash.substr(0, 12));
    }
  return "";
}
}  // namespace

Plan plan_runs(const Sweep& sweep, Store& store, bool retry_failed, RerunFilter rerun) {
  Plan plan;
  std::map<std::string, RunRow> stored;
  for (auto& r : store.runs(sweep.study)) stored.emplace(r.id, std::move(r));
  std::set<std::string> saved;  // runs with their trained tensors on record
  for (const auto& [study, id, a] : store.all_artifacts())
    if (study == sweep.study && a.name == "trained") saved.insert(id);
  auto finished = [&](size_t i) {
    const auto it = stored.find(sweep.runs[i].id());
    return it != stored.end() && it->second.status != RunStatus::running;
  };
  int dependents = 0;
  const std::vector<bool> again = sent_again(sweep, finished, rerun, &dependents);
  const size_t n = sweep.runs.size();
  int drifted = 0, plugins_changed = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto it = stored.find(sweep.runs[i].id());
    if (it == stored.end()) {
      plan.todo.push_back(i);
      continue;
    }
    const RunStatus st = it->second.status;
    if (again[i]) {
      ++plan.rerun;
      plan.todo.push_back(i);
      continue;
    }
    // A done run whose dependency's tensors changed since it started from them (a --rerun of the
    // dependency interrupted before its dependents ran again) is out of date: it runs again.
    if (st == RunStatus::done) {
      const std::string why = out_of_date(sweep.runs[i].config, store, sweep.study, it->first);
      if (!why.empty()) {
        log::warn("run {} is out of date: {}; it runs again", it->first, why);
        ++plan.outdated;
        plan.todo.push_back(i);
        continue;
      }
    }
    // A cancelled run (Ctrl-C twice, SIGTERM) did not fail: it runs again like an interrupted one.
    // Failed and timed-out runs are kept unless --retry-failed.
    const bool kept_failed = ended_without_result(st) && st != RunStatus::cancelled && !retry_failed;
    if (st == RunStatus::done || kept_failed) {
      ++plan.skipped;
      plan.failed_kept += kept_failed;
      const std::string& ms = it->second.measure_status;
      if (st == RunStatus::done && sweep.runs[i].config.measure.enabled && saved.count(it->first) &&
          (ms.empty() || (ms != "done" && retry_failed)))
        plan.measure.push_back(i);
      // How a run is measured is not what it trained: measure options never count as drift.
      nlohmann::json stored_cfg = it->second.config, now_cfg = sweep.runs[i].config.to_json();
      for (nlohmann::json* c : {&stored_cfg, &now_cfg}) {
        c->erase("measure");
        // What the sweep resolves per run (init's dependency, file and hash) is not a default.
        if (c->contains("init") && c->at("init").is_array())
          for (auto& src : c->at("init"))
            for (const auto& k : resolved_init_keys()) src.erase(k);
      }
      const auto drift = config_drift(stored_cfg, now_cfg);
      if (!drift.empty() && drifted++ < 5)
        log::warn("run {} was made when {}; a default changed since. Its result is kept (re-run it to redo it)",
                  it->first, fmt::join(drift, ", "));
      // A plugin rebuilt since (other maths, same names): the result is kept, and said so.
      const std::string changed = plugin_changed(sweep.runs[i].config, store, sweep.study, it->first);
      if (!changed.empty() && plugins_changed++ < 5)
        log::warn("run {} was made with {}; its result is kept (--rerun {} to redo it)", it->first, changed, it->first);
      continue;
    }
    if (st == RunStatus::running) ++plan.stale;
    if (st == RunStatus::cancelled) ++plan.cancelled;
    plan.todo.push_back(i);
  }
  if (drifted > 5) log::warn("... and {} more runs made under other defaults", drifted - 5);
  if (plugins_changed > 5) log::warn("... and {} more runs made with a plugin that has changed since", plugins_changed - 5);
  for (const auto& v : rerun.unmatched())
    log::warn("--rerun '{}' matches no finished run of study {}; nothing re-run for it", v, sweep.study);
  if (plan.rerun > 0)
    log::info("{} finished run(s) run again (--rerun{}); earlier attempts kept in run_history", plan.rerun,
              dependents > 0 ? fmt::format(": {} of them start from a run sent again", dependents) : std::string());
  if (!plan.measure.empty())
    log::info("{} finished run(s) not measured yet; they are measured after the training runs", plan.measure.size());
  if (plan.stale > 0) log::warn("{} run(s) were left 'running' by a driver that stopped; they run again", plan.stale);
  if (plan.cancelled > 0 && !retry_failed)
    log::info("{} run(s) cancelled earlier (interrupted, not failed) run again", plan.cancelled);
  std::stable_sort(plan.todo.begin(), plan.todo.end(),
                   [&](size_t a, size_t b) { return sweep.runs[a].cost > sweep.runs[b].cost; });
  return plan;
}

void check_inputs(const Sweep& sweep, const Registries& registries) {
  namespace fs = std::filesystem;
  std::map<std::string, int> missing;  // problem -> runs naming it
  std::vector<std::string> order;
  auto check = [&](const std::string& kind, const std::string& key, const InputPath& in, const std::string& value) {
    if (value.empty()) return;
    std::string problem;
    if (in.or_model_name && value.find('/') == std::string::npos) {
      if (find_model_dir(value).empty())
        problem = fmt::format("{}.{} '{}': no model folder of that name in {}", kind, key, value, fmt::join(models_dirs(), ", "));
    } else {
      const fs::path p = fs::path(value).is_absolute() ? fs::path(value) : fs::path(sweep.project) / value;
      std::error_code ec;
      const bool ok = in.kind == InputPath::folder ? fs::is_directory(p, ec)
                      : in.kind == InputPath::file ? fs::is_regular_file(p, ec) || fs::is_fifo(p, ec) || fs::is_character_file(p, ec)
                                                   : fs::exists(p, ec);
      if (!ok)
        problem = fmt::format("{}.{} '{}': {} {}", kind, key, value,
                              fs::exists(p, ec) ? "not a " + std::string(in.kind == InputPath::folder ? "folder" : "file") + ":"
                                                : "no such " + std::string(in.kind == InputPath::folder ? "folder" : "file"),
                              p.string());
    }
    if (problem.empty()) return;
    if (missing[problem]++ == 0) order.push_back(problem);
  };
  for (const auto& r : sweep.runs) {
    const RunConfig& c = r.config;
    for (const auto& in : registries.datasets.item(c.dataset.name).meta.inputs)
      if (c.dataset.options.contains(in.key) && c.dataset.options.at(in.key).is_string())
        check("dataset", in.key, in, c.dataset.options.at(in.key).get<std::string>());
    for (const auto& in : registries.backbones.item(c.backbone.name).meta.inputs)
      if (c.backbone.options.contains(in.key) && c.backbone.options.at(in.key).is_string())
        check("backbone", in.key, in, c.backbone.options.at(in.key).get<std::string>());
  }
  if (order.empty()) return;
  std::vector<std::string> lines;
  for (size_t i = 0; i < order.size() && i < 5; ++i)
    lines.push_back(fmt::format("{} ({} run{})", order[i], missing[order[i]], missing[order[i]] == 1 ? "" : "s"));
  if (order.size() > 5) lines.push_back(fmt::format("... and {} more", order.size() - 5));
  std::error_code ec;
  fail("{}: inputs its runs name are not there (nothing was run): {}. Relative paths in a sweep are relative to its "
       "project folder {} (the folder holding its experiments/ folder, else its own folder), not to the working "
       "directory ({}){}",
       sweep.path, fmt::join(lines, "; "), sweep.project, fs::current_path(ec).string(),
       fs::exists(fs::path(sweep.project) / "tools/setup.sh", ec) ? "; the data the project ships is built by tools/setup.sh"
                                                                  : "");
}

int migrate_run_ids(Store& store, const Registries& registries) {
  const int scheme = store.id_scheme();
  if (scheme >= kIdScheme) return 0;
  const int changed = store.rekey_runs([&](const RunRow& r) { return stable_run_id(r.config, registries); });
  log::info("{}: run ids moved from id scheme {} to {} ({} runs re-keyed; results kept)", store.path(), scheme,
            kIdScheme, changed);
  return changed;
}

RunRecord run_record(const std::string& study, const RunConfig& config) {
  return record_of_config(study, config.id, config.to_json());
}

}  // namespace adaptlab
