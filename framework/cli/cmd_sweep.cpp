#include <filesystem>
#include <fmt/format.h>

#include "framework/cli/commands.h"
#include "framework/core/log.h"
#include "framework/registry/registries.h"
#include "framework/sched/driver.h"
#include "framework/store/store.h"
#include "framework/sweep/resolve.h"
#include "framework/sweep/sweep.h"

namespace adaptlab::cli {

std::string default_db_path(const std::string& study) { return "results/" + study + ".sqlite"; }

int cmd_sweep(const SweepArgs& a) {
  const Sweep sw = load_sweep(a.file, a.overrides, registries());
  const std::string db = a.db.empty() ? default_db_path(sw.study) : a.db;
  if (a.dry_run) {
    std::unique_ptr<Store> store;
    if (std::filesystem::exists(db)) store = std::make_unique<Store>(db, /*read_only=*/true);
    int done = 0;
    fmt::print("study {}: {} runs (database {})\n", sw.study, sw.runs.size(), db);
    for (const auto& r : sw.runs) {
      std::string status = store ? store->status(sw.study, r.id) : "";
      if (status.empty()) status = "new";
      done += status == "done";
      std::string axes;
      for (const auto& [k, v] : r.axes) axes += fmt::format(" {}={}", k, v);
      fmt::print("{}  {:<9}{}\n", r.id, status, axes);
    }
    fmt::print("{} of {} already done\n", done, sw.runs.size());
    return 0;
  }
  Store store(db);
  DriverOptions o;
  o.device = a.device;
  o.retry_failed = a.retry_failed;
  const DriverReport rep = run_sweep(sw, store, o);
  log::info("study {}: {} run, {} skipped, {} failed; results in {}", sw.study, rep.done, rep.skipped, rep.failed, db);
  return rep.failed > 0 ? 2 : 0;
}

}  // namespace adaptlab::cli
