#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "framework/cli/commands.h"
#include "framework/config/node.h"
#include "framework/core/error.h"
#include "framework/registry/registries.h"
#include "framework/sweep/resolve.h"
#include "framework/train/run.h"

namespace adaptlab::cli {

int cmd_run(const RunArgs& a) {
  std::FILE* events = a.events_fd == 1 ? stdout : fdopen(a.events_fd, "w");
  AL_CHECK(events != nullptr, "--events-fd {}: not an open file descriptor", a.events_fd);
  auto emit = [&](const nlohmann::json& j) {
    const std::string line = j.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), events);
    std::fflush(events);
  };
  try {
    // The spec is a run configuration (YAML or JSON); it is resolved like a sweep's runs.
    const nlohmann::json config = resolve_run_config(cfg::load_file(a.spec), registries());
    const std::string id = run_id(config);
    emit({{"event", "status"}, {"run", id}, {"status", "running"}, {"pid", static_cast<int>(getpid())}});
    nlohmann::json prov = runtime_provenance(a.device);
    prov["event"] = "provenance";
    emit(prov);
    const auto t0 = std::chrono::steady_clock::now();
    Summary s = execute_run(config, a.device, [&](const MetricEvent& e) {
      emit({{"event", "metric"}, {"step", e.step}, {"split", e.split}, {"name", e.name}, {"value", e.value}});
    });
    s["time.run_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    emit({{"event", "summary"}, {"run", id}, {"summary", s}});
  } catch (const std::exception& e) {
    emit({{"event", "error"}, {"message", e.what()}});
    throw;
  }
  return 0;
}

}  // namespace adaptlab::cli
