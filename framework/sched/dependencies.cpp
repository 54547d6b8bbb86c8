#include "framework/sched/dependencies.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>

#include "framework/core/error.h"
#include "framework/registry/registries.h"
#include "framework/run/artifacts.h"
#include "framework/run/resolve.h"
#include "framework/sched/measure_stage.h"
#include "framework/store/store.h"
#include "framework/store/study_files.h"
#include "framework/sweep/sweep.h"

namespace adaptlab {
namespace {
namespace fs = std::filesystem;

struct Candidate {
  std::string study, id, db;
  int seed = 0;
  std::map<std::string, std::string> flat;  // dotted key -> JSON text; plus methods, backbone, dataset, seed
  long index = -1;                          // in the sweep, or -1: done in a database
  std::string artifact;                     // done runs: the saved tensors on record ("" if none)
  std::string artifact_hash;                // and their content hash as recorded
};

// Dotted config keys and the run columns (methods, backbone, dataset, seed) -> JSON text, as the store records them.
Candidate candidate(const std::string& study, const std::string& id, const nlohmann::json& config, const std::string& db,
                    long index) {
  const RunRecord r = record_of_config(study, id, config);
  Candidate c{study, id, db, r.seed, {r.params.begin(), r.params.end()}, index, "", ""};
  c.flat["methods"] = nlohmann::json(r.methods).dump();
  c.flat["backbone"] = nlohmann::json(r.backbone).dump();
  c.flat["dataset"] = nlohmann::json(r.dataset).dump();
  c.flat["seed"] = std::to_string(r.seed);
  return c;
}

bool same_value(const std::string& stored, const nlohmann::json& wanted) {
  const auto s = nlohmann::json::parse(stored, nullptr, false);
  if (s.is_discarded()) return false;
  if (s == wanted) return true;
  if (s.is_number() && wanted.is_number()) return s.get<double>() == wanted.get<double>();
  return false;
}

bool matches(const Candidate& c, const InitSource& src, int seed) {
  if (!src.run.empty() && c.id.rfind(src.run, 0) != 0) return false;
  if (src.same_seed && c.seed != seed) return false;
  if (!src.match.is_map()) return true;
  const nlohmann::json want = src.match.to_json();
  for (auto w = want.begin(); w != want.end(); ++w) {
    const auto it = c.flat.find(w.key());
    if (it == c.flat.end() || !same_value(it->second, w.value())) return false;
  }
  return true;
}

std::string show(const Candidate& c) {
  const auto m = c.flat.find("methods");
  return fmt::format("{} ({}, seed {}{})", c.id, m == c.flat.end() ? "?" : nlohmann::json::parse(m->second).get<std::string>(),
                     c.seed, c.index >= 0 ? ", in this sweep" : "");
}

// Done runs of `study` with their saved tensors, from the database that holds the study.
class DoneRuns {
 public:
  DoneRuns(std::string db_path, std::string own_study) : db_(std::move(db_path)), own_(std::move(own_study)) {}

  const std::vector<Candidate>& of(const std::string& study) {
    auto it = cache_.find(study);
    if (it != cache_.end()) return it->second;
    std::vector<Candidate>& out = cache_[study];
    std::unique_ptr<Store> store = open_with(db_, study);
    std::string path = db_;
    if (!store && study != own_) {
      path = (fs::absolute(db_).parent_path() / (study + ".sqlite")).string();
      store = open_with(path, study);
      AL_CHECK(store != nullptr, "init: study '{}' is in neither {} nor {}", study, db_, path);
    }
    if (!store) return out;
    // Found by run id beside the database that holds them (the study may have moved since).
    std::map<std::string, ArtifactRecord> saved;
    for (const auto& [s, id, a] : store->all_artifacts())
      if (s == study && a.name == kTrainedArtifact) saved[id] = a;
    for (const auto& r : store->runs(study, RunStatus::done)) {
      out.push_back(candidate(study, r.id, r.config, path, -1));
      const auto a = saved.find(r.id);
      if (a != saved.end()) {
        out.back().artifact = artifact_file(path, r.id, a->second);
        out.back().artifact_hash = a->second.hash;
      }
    }
    return out;
  }

 private:
  // The database at `path` opened read-only when it holds `study`; null otherwise.
  static std::unique_ptr<Store> open_with(const std::string& path, const std::string& study) {
    if (!fs::exists(path) || fs::file_size(path) == 0) return nullptr;  // none, or not made yet
    auto store = std::make_unique<Store>(path, /*read_only=*/true);
    const auto st = store->studies();
    return std::find(st.begin(), st.end(), study) != st.end() ? std::move(store) : nullptr;
  }
  std::string db_, own_;
  std::map<std::string, std::vector<Candidate>> cache_;
};

}  // namespace

void resolve_dependencies(Sweep& sweep, const std::string& db_path, const Registries& registries) {
  bool any = false;
  for (auto& r : sweep.runs)
    for (auto& src : r.config.init) {
      any = true;
      if (!src.from_run()) {  // relative to the project folder, where the runs start
        const fs::path p = fs::path(src.path).is_absolute() ? fs::path(src.path) : fs::path(sweep.project) / src.path;
        AL_CHECK(fs::is_regular_file(p), "run {}: init path {}: no such file ({})", r.id(), src.path, p.string());
        src.artifact = p.lexically_normal().string();
        src.artifact_hash = file_hash(src.artifact);
      }
    }
  if (!any) return;
  DoneRuns done(db_path, sweep.study);
  const size_t n = sweep.runs.size();
  // Ids change as dependencies resolve; a chain of depth d settles in d passes, a cycle never does.
  for (size_t pass = 0;; ++pass) {
    std::vector<Candidate> planned(n);
    for (size_t i = 0; i < n; ++i)
      planned[i] = candidate(sweep.study, sweep.runs[i].id(), sweep.runs[i].config.to_json(), db_path, static_cast<long>(i));
    bool changed = false;
    for (size_t i = 0; i < n; ++i) {
      RunConfig& cfg = sweep.runs[i].config;
      if (cfg.init.empty()) continue;
      for (size_t k = 0; k < cfg.init.size(); ++k) {
        InitSource& src = cfg.init[k];
        if (!src.from_run()) continue;
        const std::string study = src.study.empty() ? sweep.study : src.study;
        std::vector<const Candidate*> hits;
        if (study == sweep.study)
          for (size_t j = 0; j < n; ++j)
            if (j != i && matches(planned[j], src, cfg.seed)) hits.push_back(&planned[j]);
        // The sweep's own runs first (they are the stages it defines); else the study's done runs.
        if (hits.empty())
          for (const auto& c : done.of(study))
            if (matches(c, src, cfg.seed)) hits.push_back(&c);
        const std::string where = fmt::format("run {} ({}, seed {}): init item {} ({})", cfg.id, cfg.label(), cfg.seed,
                                              k, src.describe());
        AL_CHECK(!hits.empty(), "{}: matches no {}run of study {}{}", where, study == sweep.study ? "" : "done ",
                 study, study == sweep.study ? " in this sweep or done in " + db_path : "");
        if (hits.size() > 1) {
          std::vector<std::string> names;
          for (size_t h = 0; h < hits.size() && h < 8; ++h) names.push_back(show(*hits[h]));
          fail("{}: matches {} runs, it must match exactly one: {}{}; add match keys or give run: <id>", where,
               hits.size(), fmt::join(names, ", "), hits.size() > 8 ? ", ..." : "");
        }
        const Candidate& dep = *hits.front();
        if (dep.index < 0)
          AL_CHECK(!dep.artifact.empty(), "{}: run {} of study {} is done but has no saved tensors on record in {} "
                   "(trained before runs saved them, or removed by `adaptlab results gc`); re-run it", where, dep.id,
                   dep.study, dep.db);
        src.resolved_run = dep.id;
        src.resolved_study = dep.study;
        src.artifact = dep.index >= 0 ? trained_path(artifacts_dir_of(db_path, dep.id)) : dep.artifact;
        // The content the dependent must load: checked by the child (a run of this sweep that trains now
        // gets its hash when it ends: the scheduler writes it into the dependent's spec file).
        src.artifact_hash = dep.index >= 0 ? "" : dep.artifact_hash;
      }
      const std::string id = stable_run_id(cfg.to_json(), registries);
      if (id != cfg.id) {
        cfg.id = id;
        changed = true;
      }
    }
    if (!changed) break;
    AL_CHECK(pass <= n, "init: the runs' dependencies form a cycle (a run depends, through others, on itself)");
  }
  // Dependencies of the sweep that are done already: their tensors are where the database recorded them.
  std::map<std::string, const Candidate*> recorded;
  for (const auto& c : done.of(sweep.study))
    if (!c.artifact.empty()) recorded.emplace(c.id, &c);
  for (auto& r : sweep.runs)
    for (auto& src : r.config.init) {
      if (!src.from_run() || src.resolved_study != sweep.study) continue;
      const auto it = recorded.find(src.resolved_run);
      if (it != recorded.end()) {
        src.artifact = it->second->artifact;
        src.artifact_hash = it->second->artifact_hash;
      }
    }
  // Two runs that now resolve to one id (same config, same dependency) are one run.
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < n; ++i) {
    const auto [it, fresh] = seen.emplace(sweep.runs[i].id(), i);
    AL_CHECK(fresh, "runs {} and {} of the sweep are the same run once their dependencies resolve (id {})", it->second,
             i, sweep.runs[i].id());
  }
}

std::vector<std::vector<size_t>> sweep_dependencies(const Sweep& sweep) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < sweep.runs.size(); ++i) index[sweep.runs[i].id()] = i;
  std::vector<std::vector<size_t>> out(sweep.runs.size());
  for (size_t i = 0; i < sweep.runs.size(); ++i)
    for (const auto& src : sweep.runs[i].config.init) {
      if (!src.from_run() || src.resolved_study != sweep.study) continue;
      const auto it = index.find(src.resolved_run);
      if (it != index.end()) out[i].push_back(it->second);
    }
  return out;
}

std::vector<int> sweep_stages(const Sweep& sweep) {
  const auto deps = sweep_dependencies(sweep);
  std::vector<int> stage(deps.size(), -1);
  // Dependencies are acyclic (resolve_dependencies checked): a depth-first pass settles every run.
  std::function<int(size_t)> of = [&](size_t i) {
    if (stage[i] >= 0) return stage[i];
    int s = 0;
    for (size_t j : deps[i]) s = std::max(s, of(j) + 1);
    return stage[i] = s;
  };
  for (size_t i = 0; i < deps.size(); ++i) of(i);
  return stage;
}

int stage_count(const std::vector<int>& stages) {
  return stages.empty() ? 1 : 1 + *std::max_element(stages.begin(), stages.end());
}

void keep_stage(Sweep& sweep, int s) {
  const auto stage = sweep_stages(sweep);
  const int n = stage_count(stage);
  AL_CHECK(s >= 0 && s < n, "--stage {}: this sweep has {} stage(s) (0 to {})", s, n, n - 1);
  std::vector<PlannedRun> kept;
  for (size_t i = 0; i < sweep.runs.size(); ++i)
    if (stage[i] == s) kept.push_back(std::move(sweep.runs[i]));
  sweep.runs = std::move(kept);
}

}  // namespace adaptlab
