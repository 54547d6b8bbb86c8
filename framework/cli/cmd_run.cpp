#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "framework/cli/commands.h"
#include "framework/config/node.h"
#include "framework/registry/registries.h"
#include "framework/sweep/resolve.h"
#include "framework/train/run.h"

namespace adaptlab::cli {

int cmd_run(const RunArgs& a) {
  // The spec is a run configuration (YAML or JSON); it is resolved like a sweep's runs.
  const nlohmann::json config = resolve_run_config(cfg::load_file(a.spec), registries());
  const std::string id = run_id(config);
  fmt::print("{}\n", nlohmann::json{{"event", "status"}, {"run", id}, {"status", "running"}}.dump());
  std::fflush(stdout);
  const Summary s = execute_run(config, a.device, [&](const MetricEvent& e) {
    fmt::print("{}\n", nlohmann::json{{"event", "metric"}, {"step", e.step}, {"split", e.split}, {"name", e.name},
                                      {"value", e.value}}
                           .dump());
  });
  fmt::print("{}\n", nlohmann::json{{"event", "summary"}, {"run", id}, {"summary", s}}.dump());
  return 0;
}

}  // namespace adaptlab::cli
