#include "framework/sched/scheduler.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "framework/core/build_info.h"
#include "framework/core/error.h"
#include "framework/core/file_io.h"
#include "framework/core/log.h"
#include "framework/core/threads.h"
#include "framework/registry/registries.h"
#include "framework/run/artifacts.h"
#include "framework/run/spec_file.h"
#include "framework/sched/child.h"
#include "framework/sched/driver_lock.h"
#include "framework/sched/launch_graph.h"
#include "framework/sched/measure_stage.h"
#include "framework/sched/plan.h"
#include "framework/sched/progress.h"
#include "framework/sched/signals.h"
#include "framework/store/labels.h"
#include "framework/store/store.h"
#include "framework/store/study_files.h"
#include "framework/sweep/sweep.h"

namespace adaptlab {
namespace fs = std::filesystem;
namespace {

struct Slot {
  std::string device;       // what the child's --device gets ("cpu", "cuda:0")
  std::string visible;      // CUDA_VISIBLE_DEVICES for the child ("" for cpu)
  std::string shown() const { return visible.empty() ? device : "cuda:" + visible; }
};

// What a worker tells the driver thread (the database's only writer).
struct Msg {
  enum Kind { started, finished, progress } kind = started;
  size_t run = 0;
  std::string device;
  ChildResult result;
  bool final = false;  // no further attempt follows
  RunProgress progress_of;
  int slot = -1;  // finished + final: the slot the run held is free again
};

std::string self_executable() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  AL_CHECK(!ec, "cannot find this program's path (/proc/self/exe): {}", ec.message());
  return p.string();
}

// Appends to a run's log, checking that it was written (a full disk shows here, not as an empty log).
void append_log(const std::string& path, const std::string& text) { append_file(path, text, "the run log"); }

bool retryable(RunStatus s) { return s == RunStatus::failed || s == RunStatus::timed_out; }

// One sweep's launch: device slots as TBB tasks running children; the calling thread takes their
// messages and writes the database.
class Launch {
 public:
  Launch(const Sweep& sweep, Store& store, const SchedulerOptions& o, const std::vector<size_t>& todo,
         const std::vector<size_t>& measure_only)
      : sweep_(sweep), store_(store), o_(o), todo_(todo), measure_(measure_only) {
    for (const auto& d : o.devices)
      for (int k = 0; k < o.per_device; ++k) slots_.push_back(d == "cpu" ? Slot{"cpu", ""} : Slot{"cuda:0", d});
    nslots_ = static_cast<int>(std::max<size_t>(1, std::min(slots_.size(), todo.size())));
    const int total_threads = o.threads > 0 ? o.threads : available_cpus();
    child_threads_ = std::max(1, total_threads / nslots_);
    exe_ = o.executable.empty() ? self_executable() : o.executable;
    write_specs();
    label_runs();
    plan_dependencies();
  }

  void run(SweepReport& rep) {
    tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(nslots_) + 1);
    tbb::task_arena arena(nslots_, /*reserved_for_masters=*/0);
    for (int s = 0; s < nslots_; ++s) free_slots_.push_back(s);
    arena_ = &arena;
    Progress progress(todo_.size(), nslots_, o_.progress, o_.progress_period_s);
    store_.driver_started(sweep_.study, o_.command_line);
    auto last_beat = std::chrono::steady_clock::now();
    size_t accounted = 0;
    // A run starts once the runs it loads from are done; those that cannot (a dependency that is not done
    // and not in this launch) are blocked now. The others queue here, on the driver thread, and go to a
    // slot only when one is free: the driver never waits for a slot, so messages, the database, the
    // heartbeat and Ctrl-C keep moving whatever the sweep's size.
    accounted += take(graph_->start(), progress, rep);
    int seen_interrupts = 0;
    while (accounted < todo_.size()) {
      const int n = interrupt_count().load();
      if (n != seen_interrupts) {
        seen_interrupts = n;
        if (n >= 1) stop_launching_ = 1;
        if (n >= 2) kill_running_ = 1;
      }
      Msg m;
      bool any = false;
      while (inbox_.try_pop(m)) {
        any = true;
        if (m.kind == Msg::finished && m.final) free_slots_.push_back(m.slot);
        const size_t n_final = handle(m, progress, rep);
        accounted += n_final;
        if (n_final > 0) {
          const RunStatus st = m.result.outcome.status;
          if (st == RunStatus::done) pin_dependents(m.run, m.result.outcome);
          accounted += take(graph_->finished(m.run, st), progress, rep);
        }
      }
      accounted += feed_slots(progress, rep);
      progress.print();
      const auto now = std::chrono::steady_clock::now();
      if (db_lost_.empty() && now - last_beat > std::chrono::seconds(2)) {  // for `adaptlab status`
        store_.driver_heartbeat(sweep_.study, progress.snapshot());
        last_beat = now;
      }
      if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    while (live_tasks_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    progress.print(/*final_line=*/true);
    if (!db_lost_.empty()) throw Error(db_lost_);
    measure(rep, [&] {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_beat > std::chrono::seconds(2)) {
        store_.driver_heartbeat(sweep_.study, progress.snapshot());
        last_beat = now;
      }
      const int n = interrupt_count().load();
      if (n >= 1) stop_launching_ = 1;
      if (n >= 2) kill_running_ = 1;
    });
    store_.driver_finished(sweep_.study, progress.snapshot());
  }

  // The measurement stage: every run trained here (done), and the done runs still unmeasured, each
  // alone on its device now that training is over.
  void measure(SweepReport& rep, const std::function<void()>& tick) {
    std::vector<MeasureJob> jobs;
    for (size_t i : measure_) {
      const auto& r = sweep_.runs[i];
      std::string dir = artifacts_dir_of(store_.path(), r.id());  // where this launch saves them
      for (const auto& a : store_.artifacts(sweep_.study, r.id()))  // or where a merged shard keeps them
        if (a.name == kTrainedArtifact) dir = fs::path(artifact_file(store_.path(), r.id(), a)).parent_path().string();
      jobs.push_back({sweep_.study, r.id(), labels_[i], spec_paths_[i], dir,
                      log_paths_[i]});
    }
    if (jobs.empty()) return;
    if (stop_launching_.load() > 0) {
      rep.measure_not_started += static_cast<int>(jobs.size());
      log::warn("{} run(s) not measured (interrupted); the next sweep measures them", jobs.size());
      return;
    }
    log::info("measuring {} run(s), one at a time per device", jobs.size());
    MeasureStageOptions mo;
    mo.devices = o_.devices;
    mo.threads = o_.threads;
    mo.timeout_s = o_.timeout_s;
    mo.executable = exe_;
    mo.workdir = o_.workdir;
    const MeasureReport m = run_measurements(jobs, store_, mo, stop_launching_, kill_running_, tick);
    rep.measured += m.done;
    rep.measure_failed += m.failed;
    rep.measure_not_started += m.not_started;
  }

 private:
  void write_specs() {
    const std::string dir = o_.log_dir.empty() ? logs_root(store_.path()) : o_.log_dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    AL_CHECK(!ec, "{}: cannot create the log folder: {}", dir, ec.message());
    spec_paths_.resize(sweep_.runs.size());
    log_paths_.resize(sweep_.runs.size());
    std::vector<size_t> all = todo_;
    all.insert(all.end(), measure_.begin(), measure_.end());
    for (size_t i : all) {
      const auto& r = sweep_.runs[i];
      spec_paths_[i] = (fs::path(dir) / (r.id() + ".spec.json")).string();
      log_paths_[i] = (fs::path(dir) / (r.id() + ".log")).string();
      write_spec_file(spec_paths_[i], RunSpec{r.config, plugins_used_by(r.config)});
      append_log(log_paths_[i], fmt::format("==== planned by adaptlab sweep (study {}, {} runs to do) ====\n",
                                            sweep_.study, todo_.size()));
    }
  }

  // What the live display calls each run: the table's automatic label among this sweep's runs (plus
  // the dataset's when the sweep has several).
  void label_runs() {
    std::vector<RunRow> rows;
    for (const auto& r : sweep_.runs) {
      const RunRecord rec = run_record(sweep_.study, r.config);
      RunRow row;
      row.methods = rec.methods;
      row.dataset = rec.dataset;
      row.config = rec.config;
      rows.push_back(std::move(row));
    }
    const RunLabels l = automatic_labels(rows);
    const bool one_column = std::all_of(l.columns.begin(), l.columns.end(),
                                        [&](const std::string& c) { return c == l.columns.front(); });
    labels_.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) labels_[i] = one_column ? l.rows[i] : l.rows[i] + " · " + l.columns[i];
  }

  ChildSpec child_spec(size_t i, const Slot& slot) const {
    ChildSpec spec;
    spec.argv = {exe_,          "--threads", std::to_string(child_threads_), "run",
                 "--spec",      spec_paths_[i], "--device", slot.device,
                 "--artifacts", artifacts_dir_of(store_.path(), sweep_.runs[i].id()), "--events-fd", "3"};
    spec.env = {"OMP_NUM_THREADS=" + std::to_string(child_threads_), "MKL_NUM_THREADS=" + std::to_string(child_threads_)};
    if (!slot.visible.empty()) spec.env.push_back("CUDA_VISIBLE_DEVICES=" + slot.visible);
    spec.log_path = log_paths_[i];
    spec.timeout_s = o_.timeout_s;
    spec.run_id = sweep_.runs[i].id();
    spec.cwd = o_.workdir;
    return spec;
  }

  // Starts queued runs on the free slots (driver thread). After an interrupt nothing new starts: the
  // queued runs (and their dependents) are not started. Returns how many runs this accounts for.
  size_t feed_slots(Progress& progress, SweepReport& rep) {
    size_t n = 0;
    if (stop_launching_.load() > 0) {
      while (!ready_.empty()) {
        const size_t i = ready_.front();
        ready_.pop_front();
        n += take({{}, graph_->not_started(i)}, progress, rep);
      }
      return n;
    }
    while (!ready_.empty() && !free_slots_.empty()) {
      const size_t i = ready_.front();
      ready_.pop_front();
      const int s = free_slots_.back();
      free_slots_.pop_back();
      ++live_tasks_;
      arena_->enqueue([this, i, s] {  // never blocks (a slot is free, so a thread of the arena is too)
        worker(i, s);
        --live_tasks_;
      });
    }
    return n;
  }

  // A slot's task: runs the child (again on failure while retries last). Never throws (an exception
  // escaping an enqueued task would abort the driver): a failure to run becomes a failed attempt.
  void worker(size_t i, int s) {
    const Slot& slot = slots_[static_cast<size_t>(s)];
    const ChildSpec spec = child_spec(i, slot);
    for (int attempt = 0;; ++attempt) {
      try {
        append_log(log_paths_[i], fmt::format("==== adaptlab run {} on {} (attempt {} of this sweep) ====\n",
                                              sweep_.runs[i].id(),
                                              slot.visible.empty() ? slot.device : "GPU " + slot.visible, attempt + 1));
      } catch (const std::exception& e) {
        log::warn("{}", e.what());  // the child's own open of the log then fails the run, naming the file
      }
      inbox_.push(Msg{Msg::started, i, slot.shown(), {}, false, {}});
      ChildResult res;
      try {
        res = run_child(spec, kill_running_, nullptr, [this, i](const RunProgress& p) {
          Msg m;
          m.kind = Msg::progress;
          m.run = i;
          m.progress_of = p;
          inbox_.push(std::move(m));
        });
      } catch (const std::exception& e) {
        res = ChildResult{};
        res.outcome.status = RunStatus::failed;
        res.outcome.error = fmt::format("the sweep driver could not run the child: {}", e.what());
      }
      const bool retry = retryable(res.outcome.status) && attempt < o_.retries && stop_launching_.load() == 0;
      Msg done{Msg::finished, i, "", std::move(res), !retry, {}};
      done.slot = s;
      inbox_.push(std::move(done));
      if (!retry) break;
    }
  }

  // Writes one message to the database; returns 1 when the run is accounted for (final outcome).
  size_t handle(Msg& m, Progress& progress, SweepReport& rep) {
    const auto& run = sweep_.runs[m.run];
    if (db_lost_.empty()) {
      try {
        store_.check_file_unchanged();
      } catch (const Error& e) {
        // Nothing more can be recorded: stop, and kill the running runs (their results would be lost too).
        db_lost_ = e.what();
        log::warn("{}", db_lost_);
        stop_launching_ = 1;
        kill_running_ = 1;
      }
    }
    if (!db_lost_.empty())
      return m.kind == Msg::finished && m.final ? 1 : 0;
    if (m.kind == Msg::started) {
      store_.begin_run(run_record(sweep_.study, run.config), m.device, log_paths_[m.run]);
      progress.started(m.run, labels_[m.run], m.device);
      return 0;
    }
    if (m.kind == Msg::progress) {
      progress.progressed(m.run, m.progress_of);
      // At most one database write per run and second: `adaptlab status` reads these.
      const auto now = std::chrono::steady_clock::now();
      auto& last = progress_written_[m.run];
      if (now - last >= std::chrono::seconds(1)) {
        store_.record_progress(sweep_.study, run.id(), m.progress_of);
        last = now;
      }
      return 0;
    }
    RunOutcome& out = m.result.outcome;
    out.summary["time.wall_s"] = m.result.wall_s;
    out.provenance["adaptlab.git_sha"] = build_info().git_sha;
    out.provenance["adaptlab.git_dirty"] = build_info().git_dirty ? "true" : "false";
    out.provenance["driver.command_line"] = o_.command_line;
    store_.finish_run(sweep_.study, run.id(), out);
    refresh_labels_now_and_then();
    const RunStatus st = out.status;
    progress.suspend();  // warnings below go above the live block
    if (!m.final) {
      log::warn("run {} {} (attempt failed; retrying): {}", run.id(), to_string(st), out.error.substr(0, 200));
      progress.finished(m.run, false, m.result.wall_s, /*final=*/false);
      return 0;
    }
    if (st == RunStatus::done && run.config.measure.enabled) measure_.push_back(m.run);
    switch (st) {
      case RunStatus::done: ++rep.done; break;
      case RunStatus::timed_out: ++rep.timed_out; break;
      case RunStatus::cancelled: ++rep.cancelled; break;
      default: ++rep.failed; break;
    }
    if (st != RunStatus::done) log::warn("run {} {}: {}", run.id(), to_string(st), out.error.substr(0, out.error.find('\n')));
    progress.finished(m.run, st == RunStatus::done, m.result.wall_s, true);
    return 1;
  }

  // ---- dependencies (init: from another run of this sweep; the bookkeeping is LaunchGraph's) ----
  void plan_dependencies() {
    std::map<std::string, size_t> index;
    for (size_t j = 0; j < sweep_.runs.size(); ++j) index.emplace(sweep_.runs[j].id(), j);
    std::set<size_t> in_launch(todo_.begin(), todo_.end());
    std::map<size_t, std::set<size_t>> waits_for;
    std::map<size_t, std::string> blocked;
    for (size_t i : todo_)
      for (const auto& src : sweep_.runs[i].config.init) {
        if (!src.from_run() || src.resolved_study != sweep_.study) continue;
        const auto it = index.find(src.resolved_run);
        if (it != index.end() && in_launch.count(it->second)) {
          waits_for[i].insert(it->second);
          continue;
        }
        // Not run by this launch (done before, or in another shard or Slurm stage): it must be done in
        // this database already.
        const auto st = store_.status(sweep_.study, src.resolved_run);
        if (st != RunStatus::done && blocked[i].empty())
          blocked[i] = fmt::format("its dependency {} is {} and not part of this launch (another shard or stage?)",
                                   src.resolved_run, st ? to_string(*st) : "not run");
      }
    graph_ = std::make_unique<LaunchGraph>(todo_, waits_for, blocked,
                                           [this](size_t i) { return sweep_.runs[i].id(); });
  }

  // Acts on what the graph answered: queues the runs that may start, records the blocked ones (with the
  // reason) and counts the not started. Returns how many runs this accounts for.
  size_t take(const LaunchGraph::Update& u, Progress& progress, SweepReport& rep) {
    for (size_t i : u.ready) ready_.push_back(i);
    for (const auto& st : u.settled) {
      if (st.fate == LaunchGraph::Fate::blocked) {
        ++rep.blocked;
        if (db_lost_.empty()) store_.block_run(run_record(sweep_.study, sweep_.runs[st.run].config), st.reason);
        progress.suspend();
        log::warn("run {} blocked: {}", sweep_.runs[st.run].id(), st.reason);
      } else {
        ++rep.not_started;
      }
      progress.skipped();
    }
    return u.settled.size();
  }

  // The dependent `d` loads the tensors run `j` just saved: its spec file gets their content hash, which
  // the child checks (a file replaced in between is refused) and records.
  void pin_dependency_hash(size_t d, size_t j, const RunOutcome& out) {
    std::string hash;
    for (const auto& a : out.artifacts)
      if (a.name == kTrainedArtifact) hash = a.hash;
    RunConfig config = sweep_.runs[d].config;
    bool changed = false;
    for (auto& src : config.init)
      if (src.from_run() && src.resolved_run == sweep_.runs[j].id() && src.resolved_study == sweep_.study &&
          src.artifact_hash != hash) {
        src.artifact_hash = hash;
        changed = true;
      }
    if (changed) write_spec_file(spec_paths_[d], RunSpec{config, plugins_used_by(config)});
  }

  // Run j ended done: each dependent's spec gets the hash of the tensors j saved.
  void pin_dependents(size_t j, const RunOutcome& out) {
    for (size_t d : graph_->dependents(j))
      if (!graph_->settled(d)) pin_dependency_hash(d, j, out);
  }

  std::unique_ptr<LaunchGraph> graph_;  // which runs may start as their dependencies end
  tbb::task_arena* arena_ = nullptr;
  std::deque<size_t> ready_;    // runs whose dependencies are done, waiting for a slot (driver thread only)
  std::vector<int> free_slots_;  // slots no run holds (driver thread only)
  std::atomic<int> live_tasks_{0};  // slot tasks enqueued and not yet returned

  const Sweep& sweep_;
  Store& store_;
  const SchedulerOptions& o_;
  const std::vector<size_t>& todo_;
  std::vector<size_t> measure_;  // runs to measure after training (done ones are added as they finish)
  std::vector<Slot> slots_;
  int nslots_ = 1, child_threads_ = 1;
  std::string exe_;
  std::vector<std::string> spec_paths_, log_paths_, labels_;
  tbb::concurrent_queue<Msg> inbox_;
  std::atomic<int> stop_launching_{0}, kill_running_{0};
  std::string db_lost_;  // why the database can no longer be written (deleted or replaced)
  std::map<size_t, std::chrono::steady_clock::time_point> progress_written_;
  std::chrono::steady_clock::time_point labels_due_{};
  double labels_cost_s_ = 0;

  // runs.label depends on every run of the study, so it is recomputed as runs finish: right away while
  // that is cheap, else at most once per 20 times what it took (a study of many thousand runs).
  void refresh_labels_now_and_then() {
    const auto now = std::chrono::steady_clock::now();
    if (now < labels_due_) return;
    store_.refresh_labels(sweep_.study);
    labels_cost_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - now).count();
    labels_due_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(20 * labels_cost_s_));
  }
};

}  // namespace

std::vector<std::string> parse_devices(const std::string& spec) {
  if (spec == "cpu") return {"cpu"};
  std::vector<std::string> out;
  std::string cur;
  for (char c : spec + ",") {
    if (c == ',') {
      AL_CHECK(!cur.empty() && std::all_of(cur.begin(), cur.end(), ::isdigit),
               "--devices: expected 'cpu' or CUDA ordinals like 0,1,2 but got '{}'", spec);
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

SweepReport run_sweep(const Sweep& sweep, Store& store, const SchedulerOptions& o) {
  AL_CHECK(o.per_device >= 1, "--per-device must be >= 1");
  DriverLock lock(store);
  check_study_folders(store.path(), /*claim=*/true, [&](const std::string& id) { return store.has_run(id); });
  migrate_run_ids(store, registries());
  store.ensure_study(sweep.study, sweep.path.empty() ? "" : fs::absolute(sweep.path).string(), sweep.text);
  const Plan plan = plan_runs(sweep, store, o.retry_failed, RerunFilter(o.rerun));
  SweepReport rep;
  rep.skipped = plan.skipped;
  rep.stale = plan.stale;
  rep.failed_kept = plan.failed_kept;
  if (plan.todo.empty() && plan.measure.empty()) {
    if (plan.failed_kept == 0) log::info("study {}: all {} runs already done", sweep.study, sweep.runs.size());
    store.check_file_unchanged();
    return rep;
  }
  store.refresh_labels(sweep.study);
  Launch(sweep, store, o, plan.todo, plan.measure).run(rep);
  store.check_file_unchanged();
  store.refresh_labels(sweep.study);
  return rep;
}

}  // namespace adaptlab
