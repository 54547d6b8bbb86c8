#include "framework/sched/measure_stage.h"

#include <fmt/format.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <cmath>
#include <filesystem>
#include <thread>

#include "framework/core/build_info.h"
#include "framework/core/error.h"
#include "framework/core/file_io.h"
#include "framework/core/log.h"
#include "framework/core/threads.h"
#include "framework/config/node.h"
#include "framework/config/options.h"
#include "framework/registry/registries.h"
#include "framework/run/run_config.h"
#include "framework/run/spec_file.h"
#include "framework/sched/child.h"
#include "framework/sched/driver_lock.h"
#include "framework/store/store.h"

namespace adaptlab {
namespace fs = std::filesystem;


namespace {

struct Done {
  size_t job = 0;
  std::string device;
  ChildResult result;
};

std::string exe_or_self(const std::string& e) {
  if (!e.empty()) return e;
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  AL_CHECK(!ec, "cannot find this program's path (/proc/self/exe): {}", ec.message());
  return p.string();
}

std::string summary_line(const Summary& s) {
  auto get = [&](const char* k) {
    const auto it = s.find(k);
    return it == s.end() ? NAN : it->second;
  };
  return fmt::format("{:.1f} samples/s (min {:.1f}, max {:.1f}), {:.3g} GFLOPs/sample, step {:.3g} s, peak {:.0f} MiB",
                     get("throughput.eval"), get("throughput.eval.min"), get("throughput.eval.max"),
                     get("flops.forward") / 1e9, get("time.step.train"), get("memory.peak.train") / (1 << 20));
}

}  // namespace

MeasureReport run_measurements(const std::vector<MeasureJob>& jobs, Store& store, const MeasureStageOptions& o,
                               const std::atomic<int>& stop, const std::atomic<int>& kill,
                               const std::function<void()>& tick) {
  MeasureReport rep;
  if (jobs.empty()) return rep;
  AL_CHECK(!o.devices.empty(), "measure: no device");
  const std::string exe = exe_or_self(o.executable);
  const int ndev = static_cast<int>(std::min(o.devices.size(), jobs.size()));
  const int threads = std::max(1, (o.threads > 0 ? o.threads : available_cpus()) / ndev);
  tbb::concurrent_queue<size_t> queue;
  for (size_t i = 0; i < jobs.size(); ++i) queue.push(i);
  tbb::concurrent_queue<Done> inbox;
  tbb::task_arena arena(ndev, 0);
  tbb::task_group group;
  arena.execute([&] {
    for (int d = 0; d < ndev; ++d)
      group.run([&, d] {
        const std::string& dev = o.devices[static_cast<size_t>(d)];
        size_t i = 0;
        while (queue.try_pop(i)) {
          if (stop.load() > 0) {
            inbox.push(Done{i, "", {}});  // not started
            continue;
          }
          const MeasureJob& j = jobs[i];
          ChildSpec spec;
          spec.argv = {exe,        "--threads", std::to_string(threads), "run", "--spec", j.spec_path, "--phase",
                       "measure",  "--artifacts", j.artifacts_dir, "--device", dev == "cpu" ? "cpu" : "cuda:0",
                       "--events-fd", "3"};
          spec.env = {"OMP_NUM_THREADS=" + std::to_string(threads), "MKL_NUM_THREADS=" + std::to_string(threads)};
          if (dev != "cpu") spec.env.push_back("CUDA_VISIBLE_DEVICES=" + dev);
          spec.log_path = j.log_path;
          spec.timeout_s = o.timeout_s;
          spec.run_id = j.id;
          spec.cwd = o.workdir;
          inbox.push(Done{i, dev == "cpu" ? "cpu" : "cuda:" + dev, run_child(spec, kill, nullptr)});
        }
      });
  });
  size_t accounted = 0;
  while (accounted < jobs.size()) {
    Done d;
    bool any = false;
    while (inbox.try_pop(d)) {
      any = true;
      ++accounted;
      const MeasureJob& j = jobs[d.job];
      if (d.device.empty()) {
        ++rep.not_started;
        continue;
      }
      RunOutcome& out = d.result.outcome;
      out.provenance["measure.adaptlab.git_sha"] = build_info().git_sha;
      store.record_measurement(j.study, j.id, out);
      if (out.status == RunStatus::done) {
        ++rep.done;
        if (o.verbose)
          log::info("[measure] {}/{} {} ({}) on {}: {}", rep.done + rep.failed, jobs.size(), j.id, j.label, d.device,
                    summary_line(out.summary));
      } else {
        ++rep.failed;
        log::warn("[measure] run {} ({}): measurement {}: {}", j.id, j.label, to_string(out.status),
                  out.error.substr(0, out.error.find('\n')));
      }
    }
    if (tick) tick();
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  arena.execute([&] { group.wait(); });
  return rep;
}

MeasureReport remeasure_study(Store& store, const std::string& study, const RemeasureOptions& o,
                              const std::atomic<int>& stop, const std::atomic<int>& kill) {
  DriverLock lock(store);
  for (const auto& ov : o.overrides)
    AL_CHECK(ov.rfind("measure.", 0) == 0 && ov.find('=') != std::string::npos,
             "measure: override '{}' must be measure.<key>=<value> (what was trained is not changed here)", ov);
  const auto runs = store.runs(study, RunStatus::done);
  AL_CHECK(!runs.empty(), "{}: study '{}' has no done runs to measure", store.path(), study);
  std::vector<bool> used(o.runs.size(), false);
  std::vector<MeasureJob> jobs;
  std::vector<std::string> unsaved;
  check_study_folders(store.path(), /*claim=*/true, [&](const std::string& id) { return store.has_run(id); });
  const fs::path logs = logs_root(store.path());
  for (const auto& r : runs) {
    bool wanted = o.runs.empty();
    for (size_t k = 0; k < o.runs.size(); ++k)
      if (r.id.rfind(o.runs[k], 0) == 0) wanted = used[k] = true;
    if (!wanted) continue;
    std::string dir;
    for (const auto& a : store.artifacts(study, r.id))
      if (a.name == "trained" && fs::exists(artifact_file(store.path(), r.id, a))) dir = artifacts_dir_of(store.path(), r.id);
    if (dir.empty()) {
      unsaved.push_back(r.id);
      continue;
    }
    nlohmann::json cfg = r.config;
    cfg::Node measure = cfg::Node::from_json(cfg.value("measure", nlohmann::json::object()), cfg::Loc{"<stored>", 0, 0});
    for (const auto& ov : o.overrides) cfg::apply_override(measure, ov.substr(std::string("measure.").size()));
    RunConfig c = RunConfig::from_json(cfg, store.path() + ": run " + r.id);
    c.measure = cfg::read_options<MeasureOptions>(measure, "measure options");
    c.id = r.id;
    const std::string spec = (logs / (r.id + ".measure.spec.json")).string();
    write_spec_file(spec, RunSpec{c, plugins_used_by(c)});
    jobs.push_back({study, r.id, r.label.empty() ? r.methods : r.label, spec, dir,
                    r.log_path.empty() ? (logs / (r.id + ".log")).string() : r.log_path});
  }
  for (size_t k = 0; k < o.runs.size(); ++k)
    AL_CHECK(used[k], "measure: study '{}' has no done run whose id starts with '{}'", study, o.runs[k]);
  if (!unsaved.empty())
    log::warn("measure: {} run(s) have no saved tensors (trained before adaptlab saved them, or collected by "
              "`results gc`): {}", unsaved.size(), fmt::join(unsaved, ", "));
  AL_CHECK(!jobs.empty(), "measure: nothing to measure in study '{}'", study);
  log::info("measuring {} run(s) of study {}, one at a time per device", jobs.size(), study);
  return run_measurements(jobs, store, o.stage, stop, kill);
}

GcReport collect_artifacts(Store& store, bool dry_run) {
  DriverLock lock(store);
  check_study_folders(store.path(), /*claim=*/false, [&](const std::string& id) { return store.has_run(id); });
  GcReport rep;
  std::set<std::string> runs;  // run ids of every study of the database: their folders stay
  for (const auto& s : store.studies())
    for (const auto& r : store.runs(s)) runs.insert(r.id);
  for (const auto& [study, id, a] : store.all_artifacts()) {
    if (!runs.count(id)) continue;
    const std::string file = artifact_file(store.path(), id, a);
    if (!fs::exists(file)) rep.missing.push_back(file);
  }
  const fs::path root = artifacts_root(store.path());
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return rep;
  for (const auto& e : fs::directory_iterator(root)) {
    if (!e.is_directory() || e.is_symlink()) continue;
    const std::string dir = e.path().string();
    if (runs.count(e.path().filename().string())) {
      ++rep.kept;
      continue;
    }
    for (const auto& f : fs::recursive_directory_iterator(e.path()))
      if (f.is_regular_file()) rep.bytes += static_cast<int64_t>(f.file_size());
    rep.removed.push_back(dir);
    if (!dry_run) remove_tree(dir);
  }
  std::sort(rep.removed.begin(), rep.removed.end());
  return rep;
}

}  // namespace adaptlab
