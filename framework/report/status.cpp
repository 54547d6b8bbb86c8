#include "framework/report/status.h"

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "framework/store/store.h"

namespace adaptlab {
namespace {

std::string counts_by_status(const std::vector<RunRow>& runs) {
  std::map<std::string, int> n;
  for (const auto& r : runs) ++n[to_string(r.status)];
  std::string out = fmt::format("{} runs", runs.size());
  for (const char* s : {"done", "running", "failed", "timed-out", "cancelled", "blocked", "pending"})
    if (n.count(s)) out += fmt::format(" · {} {}", n[s], s);
  return out;
}

std::string this_host() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return host;
}

std::string driver_line(const DriverRow& d, bool& alive) {
  alive = false;
  const std::string who = fmt::format("pid {} on {}", d.pid, d.host);
  const SweepCounts& c = d.counts;
  const std::string counts = fmt::format("{} done · {} running · {} failed · {} pending", c.done, c.running, c.failed,
                                         c.pending);
  if (!d.finished_at.empty())
    return fmt::format("no sweep is running; the last one ({}) finished at {}: {} of its {} runs done, {} failed", who,
                       d.finished_at, c.done, c.total, c.failed);
  if (d.host == this_host() && d.pid > 0 && ::kill(static_cast<pid_t>(d.pid), 0) != 0 && errno == ESRCH)
    return fmt::format("the sweep driver ({}, started {}) is gone: no process {} runs on this host (killed?); runs "
                       "shown running were left so and run again when the sweep is resumed",
                       who, d.started_at, d.pid);
  if (d.heartbeat_age_s > kDriverSilentS)
    return fmt::format("the sweep driver ({}, started {}) stopped reporting {} ago: it was killed or its machine is "
                       "gone; runs shown running were left so and run again when the sweep is resumed",
                       who, d.started_at, format_duration(d.heartbeat_age_s));
  alive = true;
  return fmt::format("sweep running ({}, started {}; heartbeat {} ago): {} · ETA {}", who, d.started_at,
                     format_duration(d.heartbeat_age_s), counts, format_duration(c.eta_s));
}

}  // namespace

std::string status_report(Store& store, const std::string& study) {
  const auto runs = store.runs(study);
  std::string out = fmt::format("study {} ({}): {}\n", study, store.path(), counts_by_status(runs));
  const auto d = store.driver(study);
  bool alive = false;
  out += (d ? driver_line(*d, alive) : std::string("no sweep has reported to this database yet")) + "\n";
  const auto live = store.live_runs(study);
  if (!live.empty()) {
    out += alive ? "running:\n" : "left running:\n";
    for (const auto& l : live) {
      const std::string label = l.run.label.empty() ? l.run.methods : l.run.label;
      std::string where = l.has_progress ? describe(l.progress) : std::string("starting (no progress reported yet)");
      out += fmt::format("  {} {} on {} [{}] {} · running {}", l.run.id, label, l.run.dataset, l.run.device, where,
                         format_duration(l.running_s));
      if (l.has_progress) out += fmt::format(" (updated {} ago)", format_duration(l.updated_age_s));
      out += fmt::format("\n    log: {}\n", l.run.log_path);
    }
  }
  return out;
}

}  // namespace adaptlab
