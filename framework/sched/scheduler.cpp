#include "framework/sched/scheduler.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

#include "framework/core/build_info.h"
#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/core/threads.h"
#include "framework/sched/child.h"
#include "framework/sched/progress.h"
#include "framework/sched/signals.h"
#include "framework/store/store.h"
#include "framework/sweep/resolve.h"
#include "framework/sweep/sweep.h"

namespace adaptlab {
namespace fs = std::filesystem;
namespace {

struct Slot {
  std::string device;       // what the child's --device gets ("cpu", "cuda:0")
  std::string visible;      // CUDA_VISIBLE_DEVICES for the child ("" for cpu)
};

struct Msg {
  enum Kind { started, finished, not_started } kind = started;
  size_t run = 0;
  std::string device;
  ChildResult result;
  bool final = false;
};

// An exclusive lock next to the database: one driver writes a study database at a time, and any
// run found 'running' while we hold it was left so by a driver that died.
class DriverLock {
 public:
  explicit DriverLock(const std::string& db) : path_(db + ".lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    AL_CHECK(fd_ >= 0, "{}: cannot create the driver lock file", path_);
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      fail("{}: another adaptlab sweep is running on this database (it holds {})", db, path_);
    }
  }
  ~DriverLock() {
    flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  std::string path_;
  int fd_ = -1;
};

std::string self_executable() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  AL_CHECK(!ec, "cannot find this program's path (/proc/self/exe): {}", ec.message());
  return p.string();
}

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
  DriverLock lock(store.path());
  store.ensure_study(sweep.study, sweep.path.empty() ? "" : std::filesystem::absolute(sweep.path).string(), sweep.text);
  SweepReport rep;

  // What to run: everything not done (failed ones only when asked), longest expected first (LPT).
  std::vector<size_t> todo;
  for (size_t i = 0; i < sweep.runs.size(); ++i) {
    const std::string st = store.status(sweep.study, sweep.runs[i].id);
    if (st == "done" || ((st == "failed" || st == "timed-out" || st == "cancelled") && !o.retry_failed)) {
      ++rep.skipped;
      continue;
    }
    if (st == "running") ++rep.stale;
    todo.push_back(i);
  }
  if (rep.stale > 0)
    log::warn("{} run(s) were left 'running' by a driver that stopped; they run again", rep.stale);
  std::stable_sort(todo.begin(), todo.end(),
                   [&](size_t a, size_t b) { return sweep.runs[a].cost > sweep.runs[b].cost; });
  if (todo.empty()) {
    log::info("study {}: all {} runs already done or skipped", sweep.study, sweep.runs.size());
    return rep;
  }

  std::vector<Slot> slots;
  for (const auto& d : o.devices)
    for (int k = 0; k < o.per_device; ++k)
      slots.push_back(d == "cpu" ? Slot{"cpu", ""} : Slot{"cuda:0", d});
  const int nslots = static_cast<int>(std::min(slots.size(), todo.size()));
  const int total_threads = o.threads > 0 ? o.threads : available_cpus();
  const int child_threads = std::max(1, total_threads / nslots);

  const std::string exe = o.executable.empty() ? self_executable() : o.executable;
  std::string log_dir = o.log_dir;
  if (log_dir.empty()) {
    fs::path p(store.path());
    log_dir = (p.parent_path() / (p.stem().string() + ".logs")).string();
  }
  fs::create_directories(log_dir);
  std::vector<std::string> spec_paths(sweep.runs.size()), log_paths(sweep.runs.size());
  for (size_t i : todo) {
    const auto& r = sweep.runs[i];
    spec_paths[i] = (fs::path(log_dir) / (r.id + ".spec.json")).string();
    log_paths[i] = (fs::path(log_dir) / (r.id + ".log")).string();
    std::ofstream(spec_paths[i]) << r.config.dump(2) << "\n";
  }

  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(nslots) + 1);
  tbb::task_arena arena(nslots, /*reserved_for_masters=*/0);
  tbb::task_group group;
  tbb::concurrent_bounded_queue<int> free_slots;
  for (int s = 0; s < nslots; ++s) free_slots.push(s);
  tbb::concurrent_queue<Msg> inbox;
  std::atomic<int> stop_launching{0}, kill_running{0};

  auto worker = [&](size_t i) {
    int s = 0;
    free_slots.pop(s);
    const Slot& slot = slots[s];
    if (stop_launching.load() > 0) {
      free_slots.push(s);
      inbox.push(Msg{Msg::not_started, i, "", {}, true});
      return;
    }
    ChildSpec spec;
    spec.argv = {exe, "--threads", std::to_string(child_threads)};
    for (const auto& p : o.plugins) spec.argv.insert(spec.argv.end(), {"--plugin", p});
    spec.argv.insert(spec.argv.end(), {"run", "--spec", spec_paths[i], "--device", slot.device, "--events-fd", "3"});
    spec.env = {"OMP_NUM_THREADS=" + std::to_string(child_threads), "MKL_NUM_THREADS=" + std::to_string(child_threads)};
    if (!slot.visible.empty()) spec.env.push_back("CUDA_VISIBLE_DEVICES=" + slot.visible);
    spec.log_path = log_paths[i];
    spec.timeout_s = o.timeout_s;
    for (int attempt = 0;; ++attempt) {
      {
        std::ofstream(log_paths[i], std::ios::app)
            << fmt::format("==== adaptlab run {} on {} (attempt {} of this sweep) ====\n", sweep.runs[i].id,
                           slot.visible.empty() ? slot.device : "GPU " + slot.visible, attempt + 1);
      }
      inbox.push(Msg{Msg::started, i, slot.visible.empty() ? slot.device : "cuda:" + slot.visible, {}, false});
      ChildResult res = run_child(spec, kill_running, nullptr);
      const bool retry = (res.status == "failed" || res.status == "timed-out") && attempt < o.retries &&
                         stop_launching.load() == 0;
      inbox.push(Msg{Msg::finished, i, "", std::move(res), !retry});
      if (!retry) break;
    }
    free_slots.push(s);
  };
  arena.execute([&] {
    for (size_t i : todo) group.run([&worker, i] { worker(i); });
  });

  Progress progress(todo.size(), nslots, o.progress);
  size_t accounted = 0;
  int seen_interrupts = 0;
  while (accounted < todo.size()) {
    const int n = interrupt_count().load();
    if (n != seen_interrupts) {
      seen_interrupts = n;
      if (n >= 1) stop_launching = 1;
      if (n >= 2) kill_running = 1;
    }
    Msg m;
    bool any = false;
    while (inbox.try_pop(m)) {
      any = true;
      const auto& run = sweep.runs[m.run];
      if (m.kind == Msg::started) {
        store.begin_run(sweep.study, run.id, run.config, m.device, log_paths[m.run]);
        progress.started();
      } else if (m.kind == Msg::not_started) {
        ++rep.not_started;
        ++accounted;
        progress.skipped();
      } else {
        RunOutcome out;
        out.status = m.result.status;
        out.metrics = std::move(m.result.metrics);
        out.summary = std::move(m.result.summary);
        out.summary["time.wall_s"] = m.result.wall_s;
        out.error = m.result.error;
        out.exit_code = m.result.exit_code;
        out.exit_signal = m.result.exit_signal;
        out.provenance = std::move(m.result.provenance);
        out.provenance["adaptlab.git_sha"] = build_info().git_sha;
        out.provenance["adaptlab.git_dirty"] = build_info().git_dirty ? "true" : "false";
        out.provenance["driver.command_line"] = o.command_line;
        store.finish_run(sweep.study, run.id, out);
        const std::string& st = m.result.status;
        if (!m.final) {
          log::warn("run {} {} (attempt failed; retrying): {}", run.id, st, m.result.error.substr(0, 200));
          progress.finished(false, m.result.wall_s, /*final=*/false);
          continue;
        }
        ++accounted;
        if (st == "done") ++rep.done;
        else if (st == "timed-out") ++rep.timed_out;
        else if (st == "cancelled") ++rep.cancelled;
        else ++rep.failed;
        if (st != "done") log::warn("run {} {}: {}", run.id, st, m.result.error.substr(0, m.result.error.find('\n')));
        progress.finished(st == "done", m.result.wall_s, true);
      }
    }
    progress.print();
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  arena.execute([&] { group.wait(); });
  progress.print(/*final_line=*/true);
  return rep;
}

}  // namespace adaptlab
