#include "framework/sched/driver.h"

#include <chrono>
#include <exception>

#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/store/store.h"
#include "framework/sweep/resolve.h"
#include "framework/sweep/sweep.h"
#include "framework/train/run.h"

namespace adaptlab {

DriverReport run_sweep(const Sweep& sweep, Store& store, const DriverOptions& options) {
  store.ensure_study(sweep.study, sweep.path, sweep.text);
  DriverReport rep;
  const size_t total = sweep.runs.size();
  const std::string device = resolve_device(options.device);
  for (size_t i = 0; i < total; ++i) {
    const auto& spec = sweep.runs[i];
    const std::string status = store.status(sweep.study, spec.id);
    if (status == "done" || (status == "failed" && !options.retry_failed)) {
      ++rep.skipped;
      log::info("[{}/{}] {} {} — already {}", i + 1, total, spec.id, methods_label(spec.config), status);
      continue;
    }
    std::string axes;
    for (const auto& [k, v] : spec.axes) axes += fmt::format(" {}={}", k, v);
    log::info("[{}/{}] {} running{}", i + 1, total, spec.id, axes);
    store.begin_run(sweep.study, spec.id, spec.config, device);
    std::vector<MetricEvent> metrics;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      Summary s = execute_run(spec.config, device, [&](const MetricEvent& e) { metrics.push_back(e); });
      s["time.run_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      store.finish_run(sweep.study, spec.id, "done", metrics, s, "");
      ++rep.done;
      log::info("[{}/{}] {} done: test.acc {:.4f} in {:.1f}s", i + 1, total, spec.id, s["test.acc"], s["time.run_s"]);
    } catch (const std::exception& e) {
      store.finish_run(sweep.study, spec.id, "failed", metrics, {}, e.what());
      ++rep.failed;
      log::warn("[{}/{}] {} failed: {}", i + 1, total, spec.id, e.what());
    }
  }
  return rep;
}

}  // namespace adaptlab
