#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/run/events.h"
#include "framework/run/execute.h"
#include "framework/run/spec_file.h"

namespace adaptlab::cli {

int cmd_run(const RunArgs& a) {
  std::FILE* out = a.events_fd == 1 ? stdout : fdopen(a.events_fd, "w");
  AL_CHECK(out != nullptr, "--events-fd {}: not an open file descriptor", a.events_fd);
  events::Writer events(out);
  try {
    // A spec file from the sweep driver is loaded as is (its plugins first); a plain run configuration
    // is resolved like a sweep's runs.
    const RunSpec spec = read_spec_file(a.spec);
    const std::string& id = spec.config.id;
    events.write(events::Status{id, RunStatus::running, static_cast<int>(getpid())});
    events::Provenance prov{runtime_provenance(a.device)};
    for (size_t i = 0; i < spec.plugins.size(); ++i) {
      prov.values["plugin." + std::to_string(i) + ".path"] = spec.plugins[i].path;
      prov.values["plugin." + std::to_string(i) + ".hash"] = spec.plugins[i].hash;
    }
    events.write(prov);
    const auto t0 = std::chrono::steady_clock::now();
    Summary s = execute_run(spec.config, a.device, [&](const MetricEvent& e) { events.write(events::Metric{e}); });
    s["time.run_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    events.write(events::Final{id, s});
  } catch (const std::exception& e) {
    events.write(events::Failure{e.what()});
    throw;
  }
  return 0;
}

}  // namespace adaptlab::cli
